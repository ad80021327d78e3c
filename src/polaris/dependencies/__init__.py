"""Dependencies: manifests and locks, update policies, index status, audit (seed 9.1)."""
