"""AIOps Polaris REST API service."""

# Written by `polaris version bump`: the API service carries the platform version.
__version__ = "2.1.0"

API_PREFIX = "/api/v2"
