"""Change impact: what a change breaks, and the version bump it therefore requires."""
