"""Approval requests, release checklists and pipeline stages: governed releases (seed 8.1, 12.1)."""
