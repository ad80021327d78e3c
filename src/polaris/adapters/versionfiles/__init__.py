"""Version files: one module per format, all behind :class:`VersionFormat`."""
