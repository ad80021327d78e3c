"""Backup tools: one adapter per kind of store behind :class:`~.interface.BackupTool`."""
