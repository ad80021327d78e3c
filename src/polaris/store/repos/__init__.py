"""Repositories: a :class:`~sqlalchemy.orm.Session` in, core objects out.

Every query is built with bound parameters; nothing here commits (the service owning the
transaction does). Lists page in the database by keyset (``id < after``), never by offset.
"""

from __future__ import annotations

from polaris.store.repos.audit import add_audit, list_audit
from polaris.store.repos.blobs import add_blob, blob_exists, delete_blob_rows, unreferenced_blobs
from polaris.store.repos.history import (
    add_stage_event,
    had_production,
    stage_history,
    version_exists,
)
from polaris.store.repos.releases import add_release, get_release, latest_release, list_releases
from polaris.store.repos.tokens import StoredToken, add_token, find_token, list_tokens, revoke_token
from polaris.store.repos.versions import (
    ModelSummary,
    delete_version,
    expired_versions,
    get_version,
    insert_version,
    latest_version,
    list_models,
    list_versions,
    lock_model,
    model_pk,
    model_versions_set,
    production_version,
    set_stage,
    update_version_content,
    version_key,
)

__all__ = [
    "ModelSummary",
    "StoredToken",
    "add_audit",
    "add_blob",
    "add_release",
    "add_stage_event",
    "add_token",
    "blob_exists",
    "delete_blob_rows",
    "delete_version",
    "expired_versions",
    "find_token",
    "get_release",
    "get_version",
    "had_production",
    "insert_version",
    "latest_release",
    "latest_version",
    "list_audit",
    "list_models",
    "list_releases",
    "list_tokens",
    "list_versions",
    "lock_model",
    "model_pk",
    "model_versions_set",
    "production_version",
    "revoke_token",
    "set_stage",
    "stage_history",
    "unreferenced_blobs",
    "update_version_content",
    "version_exists",
    "version_key",
]
