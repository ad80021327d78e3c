"""Pure OSV logic: read a record, decide whether a version is affected, rate it, merge aliases.

Ranges follow the OSV schema: events ``introduced`` / ``fixed`` / ``last_affected`` sorted in the
ecosystem's own order (PEP 440 for PyPI, SemVer for npm and ``SEMVER`` ranges); ``GIT`` ranges
name commits and are left to the explicit ``versions`` list. Severity comes from the CVSS vectors
(the ``cvss`` library computes the base score), else from a ``database_specific.severity`` word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from packaging.version import InvalidVersion
from packaging.version import Version as Pep440

from polaris.core.errors import InvalidInput, Location
from polaris.core.semver import Version as SemVer
from polaris.dependencies.rules import Dependency, Ecosystem, package_key

__all__ = [
    "SEVERITIES",
    "Advisory",
    "Affected",
    "Finding",
    "at_least",
    "is_affected",
    "merge_findings",
    "parse_record",
    "rate",
]

#: Qualitative ratings, lowest first; ``unknown`` (no score at all) always counts as failing.
SEVERITIES: Final = ("none", "low", "medium", "high", "critical")
_WORDS: Final = {
    "LOW": "low",
    "MODERATE": "medium",
    "MEDIUM": "medium",
    "HIGH": "high",
    "CRITICAL": "critical",
}
_ECOSYSTEMS: Final = {"PyPI": Ecosystem.PYPI, "npm": Ecosystem.NPM}


@dataclass(frozen=True, slots=True)
class Affected:
    """One ``affected`` entry: a package, its ranges (type, events) and explicit versions."""

    ecosystem: str
    key: str
    ranges: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    versions: frozenset[str]


@dataclass(frozen=True, slots=True)
class Advisory:
    """An OSV record, reduced to what an audit needs."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str
    score: float | None
    withdrawn: bool
    affected: tuple[Affected, ...]
    modified: str = ""


def rate(score: float | None) -> str:
    """CVSS base score -> ``none``/``low``/``medium``/``high``/``critical`` (FIRST's bands)."""
    if score is None:
        return "unknown"
    if score == 0:
        return "none"
    if score < 4:
        return "low"
    if score < 7:
        return "medium"
    if score < 9:
        return "high"
    return "critical"


def at_least(severity: str, threshold: str) -> bool:
    """Whether ``severity`` reaches ``threshold``; ``unknown`` reaches every threshold."""
    if severity == "unknown":
        return True
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


@lru_cache(maxsize=4096)
def _cvss_score(kind: str, vector: str) -> float | None:
    from cvss import CVSS2, CVSS3, CVSS4  # type: ignore[import-untyped]  # imported on first use: it is only needed to rate

    try:
        if kind == "CVSS_V4":
            return float(CVSS4(vector).base_score)
        if kind == "CVSS_V3":
            return float(CVSS3(vector).base_score)
        if kind == "CVSS_V2":
            score: Decimal = CVSS2(vector).base_score
            return float(score)
    except Exception:
        return None
    return None


def parse_record(
    doc: Any, *, source: str = "", rating: tuple[str, float | None] | None = None
) -> Advisory:
    """Read an OSV JSON record.

    :param rating: ``(severity, score)`` computed before (an indexed database keeps them), which
        spares computing the CVSS scores again.

    :raises InvalidInput: not an object, no ``id``, or ``affected``/``ranges`` of the wrong shape.
    """
    where = Location(file=source or None, field="id")
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        raise InvalidInput("not an OSV record (no string id)", location=where)
    rid = doc["id"]
    try:
        affected = tuple(_affected(a) for a in doc.get("affected") or ())
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise InvalidInput(
            f"malformed affected entry in {rid}: {exc}",
            location=Location(file=source or None, field="affected"),
        ) from None
    if rating is not None:
        severity, score = rating
    else:
        severity, score = _rating(doc)
    aliases = tuple(str(a) for a in doc.get("aliases") or () if a != rid)
    return Advisory(
        id=rid,
        aliases=aliases,
        summary=str(doc.get("summary") or doc.get("details", "")[:120]),
        severity=severity,
        score=score,
        withdrawn=bool(doc.get("withdrawn")),
        affected=affected,
        modified=str(doc.get("modified", "")),
    )


def _rating(doc: dict[str, Any]) -> tuple[str, float | None]:
    scores = [
        s
        for sev in doc.get("severity") or ()
        if isinstance(sev, dict)
        and (s := _cvss_score(str(sev.get("type")), str(sev.get("score")))) is not None
    ]
    score = max(scores) if scores else None
    severity = rate(score)
    if score is None:
        words = [_word(doc.get("database_specific"))] + [
            _word(a.get("database_specific")) or _word(a.get("ecosystem_specific"))
            for a in doc.get("affected") or ()
            if isinstance(a, dict)
        ]
        found = [w for w in words if w]
        if found:
            severity = max(found, key=SEVERITIES.index)
    return severity, score


def _word(block: Any) -> str | None:
    if isinstance(block, dict) and isinstance(block.get("severity"), str):
        return _WORDS.get(block["severity"].upper())
    return None


def _affected(entry: dict[str, Any]) -> Affected:
    pkg = entry["package"]
    eco = str(pkg["ecosystem"])
    name = str(pkg["name"])
    ranges = []
    for r in entry.get("ranges") or ():
        events = tuple((str(k), str(v)) for ev in r["events"] for k, v in ev.items())
        ranges.append((str(r["type"]), events))
    return Affected(
        ecosystem=eco,
        key=package_key(_ECOSYSTEMS.get(eco, eco), name),
        ranges=tuple(ranges),
        versions=frozenset(str(v) for v in entry.get("versions") or ()),
    )


@lru_cache(maxsize=65536)
def _order_key(kind: str, ecosystem: str, text: str) -> Any:
    """A sortable key for ``text`` in the range's ordering; ``None`` when it does not parse."""
    if text == "0":
        return ()  # "0" stands for "before the first version": below every key of either kind
    if kind == "SEMVER" or ecosystem == "npm":
        t = text.removeprefix("v")
        return (SemVer.parse(t).sort_key,) if SemVer.is_valid(t) else None
    if ecosystem == "PyPI":
        try:
            return (Pep440(text),)
        except InvalidVersion:
            return None
    return None


def is_affected(entry: Affected, version: str) -> bool:
    """Whether ``version`` of ``entry``'s package is affected (OSV's evaluation algorithm)."""
    if version in entry.versions:
        return True
    for kind, events in entry.ranges:
        if kind == "GIT":
            continue
        v = _order_key(kind, entry.ecosystem, version)
        if v is None:
            continue
        keyed = []
        for name, value in events:
            k = _order_key(kind, entry.ecosystem, value)
            if k is None:
                break  # an event this ordering cannot place: the range cannot be evaluated
            keyed.append((k, name))
        else:
            if _in_range(v, keyed):
                return True
    if entry.versions and entry.ecosystem == "PyPI":
        pv = _order_key("ECOSYSTEM", "PyPI", version)
        return pv is not None and any(
            _order_key("ECOSYSTEM", "PyPI", x) == pv for x in entry.versions
        )
    return False


def _in_range(v: Any, events: list[tuple[Any, str]]) -> bool:
    affected = False
    for key, name in sorted(events, key=lambda e: e[0]):
        if name == "introduced" and v >= key:
            affected = True
        elif (name == "fixed" and v >= key) or (name == "last_affected" and v > key):
            affected = False
    return affected


def fixed_versions(entry: Affected, version: str) -> list[str]:
    """The ``fixed`` versions of ``entry`` above ``version``, lowest first."""
    v = _order_key("ECOSYSTEM", entry.ecosystem, version)
    out = []
    for kind, events in entry.ranges:
        for name, value in events:
            k = _order_key(kind, entry.ecosystem, value)
            if name == "fixed" and k is not None and (v is None or k > v):
                out.append((k, value))
    return [t for _, t in sorted(set(out), key=lambda x: x[0])]


@dataclass(slots=True)
class Finding:
    """A package version and the (merged) advisory affecting it."""

    package: str
    ecosystem: str
    version: str
    id: str
    aliases: list[str]
    severity: str
    score: float | None
    summary: str
    fixed_in: list[str] = field(default_factory=list)
    source: str = ""


_PREFERENCE: Final = ("PYSEC-", "GHSA-", "RUSTSEC-", "OSV-", "CVE-")


def _preference(rid: str) -> tuple[int, str]:
    for i, prefix in enumerate(_PREFERENCE):
        if rid.startswith(prefix):
            return (i, rid)
    return (len(_PREFERENCE) - 1, rid)


def merge_findings(
    matches: Mapping[Dependency, Iterable[Advisory]],
) -> list[Finding]:
    """One finding per package version and group of advisories linked by id or alias.

    Withdrawn advisories are dropped; a group takes its highest severity and the union of ids.
    """
    out: list[Finding] = []
    for dep, advisories in matches.items():
        live = {a.id: a for a in advisories if not a.withdrawn}
        groups: list[tuple[set[str], list[Advisory]]] = []
        for adv in live.values():
            ids = {adv.id, *adv.aliases}
            joined = [g for g in groups if g[0] & ids]
            merged_ids, merged = ids, [adv]
            for g in joined:
                merged_ids |= g[0]
                merged += g[1]
                groups.remove(g)
            groups.append((merged_ids, merged))
        for ids, members in groups:
            primary = min((m.id for m in members), key=_preference)
            top = max(
                members, key=lambda m: (m.severity != "unknown", _rank(m.severity), m.score or 0)
            )
            fixed: set[str] = set()
            for m in members:
                for entry in m.affected:
                    if entry.key == dep.key and entry.ecosystem == dep.ecosystem.value:
                        fixed.update(fixed_versions(entry, dep.version or ""))
            out.append(
                Finding(
                    package=dep.name,
                    ecosystem=dep.ecosystem.value,
                    version=dep.version or "",
                    id=primary,
                    aliases=sorted(ids - {primary}),
                    severity=top.severity,
                    score=top.score,
                    summary=next((m.summary for m in members if m.summary), ""),
                    fixed_in=sorted(
                        fixed, key=lambda t: _order_key("ECOSYSTEM", dep.ecosystem.value, t) or ()
                    ),
                    source=f"{dep.source}:{dep.line}" if dep.line else dep.source,
                )
            )
    out.sort(key=lambda f: (-_rank(f.severity), f.package.lower(), f.id))
    return out


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
