"""Dashboard assets: ``index.html`` and vendored ``static/`` files (no CDN)."""
