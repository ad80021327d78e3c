"""The API-versioning middleware for your own ASGI application (FastAPI, Starlette).

The supported import path for users; the implementation lives with the API capability in
:mod:`polaris.apis.middleware`.
"""

from polaris.apis.middleware import APIVersioning, deprecation_headers

__all__ = ["APIVersioning", "deprecation_headers"]
