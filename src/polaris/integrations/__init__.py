"""Polaris pieces that plug into other people's applications (ASGI middleware, ...)."""
