"""The HTTP API (FastAPI): thin routes over :mod:`polaris.services`, versioned under ``/api/v1``."""
