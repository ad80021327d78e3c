"""The one place the package's own version lives; ``polaris version bump`` edits it."""

__version__ = "0.1.0"
