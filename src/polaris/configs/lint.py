"""Lint rules over the configuration of one platform version, every environment at once (pure).

Rules (each finding names its rule):

- ``plaintext-secret``: a key named like a secret (``password``, ``api_key``, ``token``...)
  whose value is literal text, not a ``${...}`` reference;
- ``high-entropy``: a literal string that looks like a key or token (long, no spaces, random);
- ``bad-reference``: a malformed ``${...}``;
- ``unresolved-reference``: a reference with no value (only when the caller checked them);
- ``reference-missing``: a reference used in one environment and not in another (warning);
- ``must-match``: a value the policy says must be equal across environments differs;
- ``flag-type``: a feature flag whose type differs between environments;
- ``flag-missing``: a feature flag absent from an environment (warning);
- ``header``: the document's ``version`` / ``environment`` keys disagree with where it lives.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from polaris.configs.rules import (
    Reference,
    format_path,
    is_reference_only,
    is_secret_key,
    iter_leaves,
    references_in,
    type_name,
)
from polaris.core.errors import InvalidInput

__all__ = ["FLAGS_KEY", "Finding", "Severity", "flags_of", "lint", "looks_random"]

#: The top-level key holding an environment's feature flags.
FLAGS_KEY = "feature_flags"

_TOKENISH = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")
_KNOWN_PREFIXES = (
    "sk-",
    "sk_live_",
    "ghp_",
    "gho_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "AKIA",
    "glpat-",
)


class Severity(StrEnum):
    """Errors fail ``polaris config lint``; warnings fail it only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, where it is, and which rule found it."""

    rule: str
    severity: Severity
    environment: str
    path: str
    message: str


def _entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_random(text: str) -> bool:
    """Whether a literal string looks like a key or token (known prefix, or long and random)."""
    if any(text.startswith(p) and len(text) >= len(p) + 16 for p in _KNOWN_PREFIXES):
        return True
    if not _TOKENISH.fullmatch(text):
        return False
    classes = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 2 and _entropy(text) >= 3.7 and len(text) >= 24


def flags_of(data: Any) -> dict[str, Any]:
    """The feature flags of one document (``feature_flags:`` at the top), by name."""
    flags = data.get(FLAGS_KEY) if isinstance(data, Mapping) else None
    return dict(flags) if isinstance(flags, Mapping) else {}


def _one(env: str, data: Any, out: list[Finding]) -> list[Reference]:
    refs: list[Reference] = []
    for path, value in iter_leaves(data):
        if not isinstance(value, str):
            key = path[-1] if path and isinstance(path[-1], str) else ""
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and is_secret_key(key)
            ):
                out.append(
                    Finding(
                        "plaintext-secret",
                        Severity.ERROR,
                        env,
                        format_path(path),
                        f"'{key}' holds a literal number; write a ${{...}} reference",
                    )
                )
            continue
        where = format_path(path)
        try:
            refs.extend(references_in(value, path))
        except InvalidInput as exc:
            out.append(Finding("bad-reference", Severity.ERROR, env, where, exc.message))
            continue
        key = path[-1] if path and isinstance(path[-1], str) else ""
        if is_reference_only(value):
            continue
        if key and is_secret_key(key) and value.strip():
            name = "_".join(str(p) for p in path[-2:]).upper().replace("-", "_")
            out.append(
                Finding(
                    "plaintext-secret",
                    Severity.ERROR,
                    env,
                    where,
                    f"'{key}' holds literal text; write a reference such as ${{{name}}} and keep "
                    "the value in the environment or a secret store",
                )
            )
        elif looks_random(value):
            out.append(
                Finding(
                    "high-entropy",
                    Severity.ERROR,
                    env,
                    where,
                    "a literal that looks like a key or token; replace it with a ${...} reference",
                )
            )
    return refs


def _value_at(data: Any, path: Sequence[str]) -> tuple[bool, Any]:
    node = data
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def lint(
    documents: Mapping[str, Any],
    *,
    version: str | None = None,
    must_match: Collection[str] = (),
    unresolved: Mapping[str, Collection[str]] | None = None,
) -> list[Finding]:
    """Every finding over ``documents`` (environment -> content), environments in given order.

    :param version: the platform version the documents live under (checked against ``version:``).
    :param must_match: dotted paths whose values must be equal in every environment.
    :param unresolved: environment -> reference texts that had no value (from the caller's check).
    """
    out: list[Finding] = []
    refs: dict[str, set[str]] = {}
    for env, data in documents.items():
        refs[env] = {r.text for r in _one(env, data, out)}
        if isinstance(data, Mapping):
            doc_env = data.get("environment")
            if doc_env is not None and str(doc_env) != env:
                out.append(
                    Finding(
                        "header",
                        Severity.ERROR,
                        env,
                        "environment",
                        f"says {doc_env!r} but the file is the {env!r} configuration",
                    )
                )
            doc_version = data.get("version")
            if version is not None and doc_version is not None and str(doc_version) != version:
                out.append(
                    Finding(
                        "header",
                        Severity.ERROR,
                        env,
                        "version",
                        f"says {doc_version!r} but the file lives under version {version}",
                    )
                )
        for text in sorted((unresolved or {}).get(env, ())):
            out.append(
                Finding("unresolved-reference", Severity.ERROR, env, "", f"{text} has no value")
            )
    every = set().union(*refs.values()) if refs else set()
    for env, mine in refs.items():
        for text in sorted(every - mine):
            users = ", ".join(e for e, r in refs.items() if text in r)
            out.append(
                Finding(
                    "reference-missing",
                    Severity.WARNING,
                    env,
                    "",
                    f"{text} is used in {users} but not here",
                )
            )
    for dotted in must_match:
        parts = dotted.split(".")
        seen = {env: _value_at(data, parts) for env, data in documents.items()}
        values = {repr(v) for found, v in seen.values() if found}
        if len(values) > 1 or (values and any(not f for f, _ in seen.values())):
            detail = ", ".join(
                f"{env}={v!r}" if f else f"{env}=(absent)" for env, (f, v) in seen.items()
            )
            out.append(
                Finding(
                    "must-match",
                    Severity.ERROR,
                    "*",
                    dotted,
                    f"must be equal in every environment: {detail}",
                )
            )
    out.extend(_flag_findings(documents))
    return out


def _flag_findings(documents: Mapping[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    flags = {env: flags_of(data) for env, data in documents.items()}
    names = sorted(set().union(*(f.keys() for f in flags.values()))) if flags else []
    for name in names:
        types = {env: type_name(f[name]) for env, f in flags.items() if name in f}
        if len(set(types.values())) > 1:
            detail = ", ".join(f"{e}={t}" for e, t in types.items())
            out.append(
                Finding(
                    "flag-type",
                    Severity.ERROR,
                    "*",
                    f"{FLAGS_KEY}.{name}",
                    f"the flag's type differs between environments: {detail}",
                )
            )
        for env in flags:
            if env not in types:
                out.append(
                    Finding(
                        "flag-missing",
                        Severity.WARNING,
                        env,
                        f"{FLAGS_KEY}.{name}",
                        "the flag is set in other environments but not here",
                    )
                )
    return out
