"""pip's requirements file format: ``-r`` includes, ``-c`` constraints, markers, extras, ``--hash``.

The grammar is pip's (``pip help install``, "Requirements File Format"): ``\\`` continues a line,
`` #`` starts a comment, global options (``--index-url``, ``--pre``...) stand alone on a line and
per-requirement options (``--hash``) follow the requirement. Each requirement is parsed with
``packaging``; a line it rejects is an error naming ``file:line``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from packaging.requirements import InvalidRequirement, Requirement

from polaris.core.errors import InvalidInput, Location
from polaris.dependencies.rules import Dependency, Ecosystem

__all__ = ["LogicalLine", "RequirementsFile", "logical_lines", "parse_requirements", "pin_of"]

_COMMENT: Final = re.compile(r"(^|\s+)#.*$")
#: Options that take a value and stand alone on their line.
_GLOBAL_WITH_VALUE: Final = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--trusted-host",
        "--no-binary",
        "--only-binary",
        "--use-feature",
        "--config-settings",
    }
)
_GLOBAL_FLAGS: Final = frozenset({"--pre", "--prefer-binary", "--require-hashes", "--no-index"})


@dataclass(frozen=True, slots=True)
class LogicalLine:
    """One logical line: its text without comments and continuations, and its physical span."""

    text: str
    first: int
    last: int


@dataclass(slots=True)
class RequirementsFile:
    """What one requirements file (and what it includes) says."""

    dependencies: list[Dependency] = field(default_factory=list)
    index_url: str | None = None
    includes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def logical_lines(text: str) -> list[LogicalLine]:
    """Join ``\\`` continuations and strip comments; blank results are dropped."""
    out: list[LogicalLine] = []
    parts: list[str] = []
    first = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not parts:
            first = number
        line = _COMMENT.sub("", raw)
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        joined = " ".join(p.strip() for p in parts).strip()
        parts = []
        if joined:
            out.append(LogicalLine(joined, first, number))
    if parts:
        joined = " ".join(p.strip() for p in parts).strip()
        if joined:
            out.append(LogicalLine(joined, first, first + len(parts) - 1))
    return out


def pin_of(req: Requirement) -> str | None:
    """The exact version ``req`` pins (``==1.2`` or ``===1.2``), else ``None``."""
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def parse_requirements(
    text: str,
    *,
    source: str,
    load: Callable[[str, str], tuple[str, str]] | None = None,
    group: str | None = None,
    _seen: frozenset[str] = frozenset(),
) -> RequirementsFile:
    """Parse a requirements file; ``load(ref, from_source)`` gives an include's (text, source).

    :raises InvalidInput: a line pip would reject, naming ``source:line``; an include cycle.
    """
    result = RequirementsFile()
    seen = _seen | {source}
    for ll in logical_lines(text):
        where = Location(file=source, line=ll.first)
        tokens = _split(ll.text, where)
        head = tokens[0]
        if head in ("-r", "--requirement", "-c", "--constraint") or re.match(
            r"^(--requirement|--constraint)=|^-[rc]\S", head
        ):
            ref = _option_value(tokens, where)
            result.includes.append(ref)
            if load is None:
                continue
            inc_text, inc_source = load(ref, source)
            if inc_source in seen:
                raise InvalidInput(f"include cycle through {inc_source}", location=where)
            kind = "constraint" if head.startswith(("-c", "--constraint")) else group
            sub = parse_requirements(inc_text, source=inc_source, load=load, group=kind, _seen=seen)
            result.dependencies.extend(sub.dependencies)
            result.skipped.extend(sub.skipped)
            result.index_url = result.index_url or sub.index_url
            continue
        if head in ("-e", "--editable") or head.startswith("--editable="):
            result.skipped.append(f"{source}:{ll.first}: editable {' '.join(tokens[1:])}")
            continue
        if head.startswith("-"):
            name = head.split("=", 1)[0]
            if name in _GLOBAL_WITH_VALUE:
                if name in ("-i", "--index-url"):
                    result.index_url = _option_value(tokens, where)
                continue
            if name in _GLOBAL_FLAGS:
                continue
            raise InvalidInput(
                f"unknown option {name}", location=where, hint="see pip help install"
            )
        result.dependencies.append(_requirement(tokens, where, source, ll.first, group))
    return result


def _split(text: str, where: Location) -> list[str]:
    """pip's split: the requirement up to the first `` -`` option verbatim, options by shlex."""
    if text.startswith("-"):
        head, rest = text, ""
    else:
        m = re.search(r"\s-", text)
        head, rest = (text, "") if m is None else (text[: m.start()], text[m.start() :])
        head = head.strip()
    try:
        opts = shlex.split(rest if not text.startswith("-") else head, posix=True)
    except ValueError as exc:
        raise InvalidInput(f"cannot split the line: {exc}", location=where) from None
    return opts if text.startswith("-") else [head, *opts]


def _option_value(tokens: list[str], where: Location) -> str:
    head = tokens[0]
    if "=" in head and head.startswith("--"):
        return head.split("=", 1)[1]
    if head.startswith("-") and not head.startswith("--") and len(head) > 2:
        return head[2:]
    if len(tokens) < 2:
        raise InvalidInput(f"{head} needs a value", location=where)
    return tokens[1]


def _requirement(
    tokens: list[str], where: Location, source: str, line: int, group: str | None
) -> Dependency:
    spec_parts: list[str] = []
    hashes: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.startswith("--hash"):
            value = (
                tok.split("=", 1)[1]
                if "=" in tok
                else (tokens[i + 1] if i + 1 < len(tokens) else "")
            )
            if not re.fullmatch(r"(sha256|sha384|sha512|md5|sha1|sha224):[0-9a-fA-F]+", value):
                raise InvalidInput(
                    f"--hash needs ALGORITHM:HEXDIGEST, got {value!r}", location=where
                )
            hashes.append(value.lower())
            i += 1 if "=" in tok else 2
            continue
        if tok.startswith("--") and not spec_parts:
            raise InvalidInput(f"unknown option {tok}", location=where)
        if tok.startswith("--"):
            i += 1 if "=" in tok else 2  # --global-option and friends: pip-only, ignored
            continue
        spec_parts.append(tok)
        i += 1
    text = " ".join(spec_parts)
    if "://" in text or text.startswith((".", "/")):
        raise InvalidInput(
            f"{text!r} is a URL or path, not a requirement from an index",
            location=where,
            hint="name the package and pin it (name==1.2.3), or use 'name @ URL'",
        )
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        raise InvalidInput(
            f"not a requirement: {str(exc).splitlines()[0]}",
            location=where,
            hint="write name==1.2.3, with extras and a ; marker if needed",
        ) from None
    return Dependency(
        name=req.name,
        ecosystem=Ecosystem.PYPI,
        version=pin_of(req) if req.url is None else None,
        specifier=str(req.specifier),
        source=source,
        line=line,
        extras=tuple(sorted(req.extras)),
        marker=None if req.marker is None else str(req.marker),
        hashes=tuple(hashes),
        group=group,
    )
