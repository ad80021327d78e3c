"""A file-backed API version store: ``api-versions.yml`` in the shape of seed 5.1.3.

::

    lifecycle_policy:            # optional; seed 5.1.2 defaults
      notice_days: 90
      retirement_days: 180
    api_compatibility_matrix:
      v1:
        status: deprecated
        deprecation_date: "2025-06-01"
        retirement_date: "2025-12-01"
        compatible_clients: ["mobile_app_v1.x", "cli_tool_v1.x"]
        breaking_changes: ["Authentication method changed from API key to JWT"]
        migration_guide: https://docs.example.com/migrate/v1-to-v2
        replacement: v2           # Polaris extension; also sunset_link
      v2:
        status: active
        introduced_date: "2025-03-01"
    client_compatibility:        # seed 11.2, with SemVer ranges
      - client: web_ui
        versions: "2.0.x"
        api: v2
        level: mostly_compatible
        issues: ["New incident fields may not display"]
        workarounds: []
        migration_required: false

``compatible_clients`` entries ``<client>_v<range>`` also declare that range fully compatible. The
file is edited round-trip (comments and unknown keys survive) and replaced atomically.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from polaris.apis.clients import ClientDeclaration, ClientMatrix, CompatibilityLevel
from polaris.apis.lifecycle import (
    APIVersion,
    APIVersionState,
    Catalog,
    LifecyclePolicy,
    normalize_api_version,
)
from polaris.core.errors import InvalidInput, Location, NotFound

__all__ = ["APIVersionsFile", "MatrixFile", "read_matrix"]

_CLIENT = re.compile(r"(?P<client>[A-Za-z][\w-]*?)_v(?P<range>\d[\w.*-]*)")
_SECTION = "api_compatibility_matrix"


@dataclass(frozen=True, slots=True)
class MatrixFile:
    """What one file declares."""

    catalog: Catalog
    clients: ClientMatrix


def _yaml() -> YAML:
    y = YAML()  # round-trip: comments and key order survive
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _line(node: Any, key: Any) -> int | None:
    with contextlib.suppress(Exception):
        return int(node.lc.key(key)[0]) + 1
    return None


def _date(value: Any, where: Location) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not a date", location=where, hint="expected YYYY-MM-DD"
        ) from None


def _strings(value: Any, where: Location) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput("expected a list of strings", location=where)
    return tuple(str(v) for v in value)


def _parse(doc: Any, source: str) -> MatrixFile:
    if doc is None:
        return MatrixFile(Catalog(), ClientMatrix())
    if not isinstance(doc, dict):
        raise InvalidInput("expected a mapping at the top level", location=Location(file=source))
    policy = LifecyclePolicy()
    pol = doc.get("lifecycle_policy")
    if isinstance(pol, dict):
        try:
            policy = LifecyclePolicy(
                notice=timedelta(days=int(pol.get("notice_days", 90))),
                retirement_after=timedelta(days=int(pol.get("retirement_days", 180))),
            )
        except (TypeError, ValueError):
            loc = Location(
                file=source, line=_line(doc, "lifecycle_policy"), field="lifecycle_policy"
            )
            msg = "notice_days and retirement_days must be integers"
            raise InvalidInput(msg, location=loc) from None
    matrix = doc.get(_SECTION) or {}
    if not isinstance(matrix, dict):
        loc = Location(file=source, line=_line(doc, _SECTION), field=_SECTION)
        raise InvalidInput("expected a mapping of API versions", location=loc)
    versions: list[APIVersion] = []
    decls: list[ClientDeclaration] = []
    for key, entry in matrix.items():
        where = Location(file=source, line=_line(matrix, key), field=f"{_SECTION}.{key}")
        name = normalize_api_version(str(key), field_name=where.field)
        if not isinstance(entry, dict):
            raise InvalidInput("expected a mapping", location=where)

        def at(k: str, entry: Any = entry, key: Any = key) -> Location:
            line = _line(entry, k) or _line(matrix, key)
            return Location(file=source, line=line, field=f"{_SECTION}.{key}.{k}")

        try:
            state = APIVersionState(str(entry.get("status", "development")).lower())
        except ValueError:
            states = ", ".join(s.value for s in APIVersionState)
            raise InvalidInput(
                f"unknown status {entry.get('status')!r}", location=at("status"), hint=states
            ) from None
        clients = _strings(entry.get("compatible_clients"), at("compatible_clients"))
        replacement = entry.get("replacement")
        record = APIVersion(
            name,
            state,
            introduced=_date(entry.get("introduced_date"), at("introduced_date")),
            deprecated_on=_date(entry.get("deprecation_date"), at("deprecation_date")),
            retires_on=_date(entry.get("retirement_date"), at("retirement_date")),
            planned_release=_date(entry.get("planned_release"), at("planned_release")),
            breaking_changes=_strings(entry.get("breaking_changes"), at("breaking_changes")),
            migration_guide=entry.get("migration_guide"),
            sunset_link=entry.get("sunset_link"),
            replacement=normalize_api_version(str(replacement)) if replacement else None,
            compatible_clients=clients,
            backward_compatible_with=_strings(
                entry.get("backward_compatible_with"), at("backward_compatible_with")
            ),
        )
        problems = record.problems()
        if problems:
            raise InvalidInput("; ".join(problems), location=at("status"))
        versions.append(record)
        for text in clients:
            m = _CLIENT.fullmatch(text)
            if m is not None:
                decls.append(
                    ClientDeclaration(
                        m["client"], m["range"], name, CompatibilityLevel.FULLY,
                        where=f"{source}:{at('compatible_clients').line}",
                    )
                )  # fmt: skip
    for i, row in enumerate(doc.get("client_compatibility") or ()):
        line = _line(doc["client_compatibility"], i)
        field = f"client_compatibility[{i}]"
        where = Location(file=source, line=line, field=field)
        if not isinstance(row, dict) or not {"client", "versions", "api", "level"} <= set(row):
            raise InvalidInput(
                "expected a mapping with client, versions, api and level", location=where
            )
        mig = row.get("migration_required")
        decls.append(
            ClientDeclaration(
                str(row["client"]),
                str(row["versions"]),
                normalize_api_version(str(row["api"]), field_name=f"{field}.api"),
                CompatibilityLevel.parse(str(row["level"]), field_name=f"{field}.level"),
                _strings(row.get("issues"), where),
                _strings(row.get("workarounds"), where),
                None if mig is None else bool(mig),
                where=f"{source}:{line}",
            )
        )
    try:
        return MatrixFile(Catalog.of(versions, policy), ClientMatrix.of(decls))
    except InvalidInput as exc:
        raise InvalidInput(exc.message, location=Location(file=source), hint=exc.hint) from None


def _load_doc(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput(f"invalid YAML: {problem}", location=Location(str(path), line)) from None


def read_matrix(path: str | Path) -> MatrixFile:
    """Read a file in the seed's ``api_compatibility_matrix`` shape (for ``versions import``)."""
    p = Path(path)
    if not p.exists():
        raise NotFound("no such file", location=Location(file=str(p)))
    return _parse(_load_doc(p), str(p))


class APIVersionsFile:
    """:class:`~polaris.apis.lifecycle.LifecycleRepository` over one YAML file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> MatrixFile:
        """Catalog and client matrix (both empty when the file does not exist yet)."""
        return _parse(_load_doc(self.path), str(self.path))

    def load(self) -> Catalog:
        """The stored catalog."""
        return self.read().catalog

    def load_clients(self) -> ClientMatrix:
        """The declared client matrix."""
        return self.read().clients

    def render(self, catalog: Catalog) -> str:
        """The file's new text with ``catalog`` written into it (nothing is written)."""
        doc = _load_doc(self.path)
        if not isinstance(doc, CommentedMap):
            doc = CommentedMap()
        policy = catalog.policy
        if policy != LifecyclePolicy() or "lifecycle_policy" in doc:
            pol = doc.get("lifecycle_policy")
            if not isinstance(pol, CommentedMap):
                pol = doc["lifecycle_policy"] = CommentedMap()
            pol["notice_days"] = policy.notice.days
            pol["retirement_days"] = policy.retirement_after.days
        matrix = doc.get(_SECTION)
        if not isinstance(matrix, CommentedMap):
            matrix = doc[_SECTION] = CommentedMap()
        by_name = {normalize_api_version(str(k)): k for k in matrix}
        for name, key in list(by_name.items()):
            if name not in catalog.versions:
                del matrix[key]
        for record in catalog:
            key = by_name.get(record.version, record.version)
            entry = matrix.get(key)
            if not isinstance(entry, CommentedMap):
                entry = matrix[key] = CommentedMap()
            _write_record(entry, record)
        buf = io.StringIO()
        _yaml().dump(doc, buf)
        return buf.getvalue()

    def save(self, catalog: Catalog) -> None:
        """Write ``catalog`` into the file atomically (temp file + rename)."""
        text = self.render(catalog)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _write_record(entry: CommentedMap, r: APIVersion) -> None:
    values: dict[str, Any] = {
        "status": r.state.value,
        "introduced_date": r.introduced.isoformat() if r.introduced else None,
        "planned_release": r.planned_release.isoformat() if r.planned_release else None,
        "deprecation_date": r.deprecated_on.isoformat() if r.deprecated_on else None,
        "retirement_date": r.retires_on.isoformat() if r.retires_on else None,
        "replacement": r.replacement,
        "migration_guide": r.migration_guide,
        "sunset_link": r.sunset_link,
        "compatible_clients": list(r.compatible_clients) or None,
        "backward_compatible_with": list(r.backward_compatible_with) or None,
        "breaking_changes": list(r.breaking_changes) or None,
    }
    for key, value in values.items():
        if value is None:
            if key in entry and key not in ("compatible_clients", "backward_compatible_with"):
                del entry[key]
            continue
        current = entry.get(key)
        if isinstance(value, list):
            if list(current or ()) != value:
                seq = CommentedSeq(value)
                seq.fa.set_flow_style()
                entry[key] = seq
        elif current is None or str(current) != str(value):
            entry[key] = value
