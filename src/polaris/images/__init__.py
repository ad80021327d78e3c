"""Container images: tags, labels, registry listing, retention, promotion, pinning (seed 9.2)."""
