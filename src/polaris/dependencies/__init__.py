"""Dependencies: manifests and locks, update policies, index status, vulnerability audit (seed 9.1)."""
