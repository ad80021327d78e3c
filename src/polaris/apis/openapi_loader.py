"""Load OpenAPI 3.0/3.1 documents from files or http(s) URLs: parse, validate, resolve ``$ref`` s.

Three separate steps, each with a clear error:

1. **parse** YAML (PyYAML's C loader when built, else the pure-Python one) or JSON;
2. **validate** with ``openapi-spec-validator`` against the 3.0 or 3.1 schema; the first problem is
   reported with the JSON pointer of the offending element;
3. **resolve** local references (``#/components/...``) in place: each ``{"$ref": ...}`` is replaced
   by the object it names, so a recursive schema becomes a cyclic structure that
   :func:`polaris.apis.openapi_diff.diff_openapi` walks with memoisation. References to other
   files or URLs are refused with the pointer of the reference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from polaris.apis.ecma_regex import ecma_error
from polaris.apis.openapi_diff import Impact, check_levels, escape_pointer
from polaris.core.errors import InvalidInput, Location, NotFound

__all__ = [
    "OpenAPIDocument",
    "load_openapi",
    "parse_openapi",
    "read_levels",
    "read_source",
    "resolve_refs",
    "validate_openapi",
]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAX_MESSAGE = 160


@dataclass(frozen=True, slots=True)
class OpenAPIDocument:
    """A loaded, validated and resolved OpenAPI document."""

    source: str
    openapi: str
    """The document's ``openapi`` version string (``3.0.3``, ``3.1.0``...)."""
    document: dict[str, Any]


def load_openapi(
    source: str | Path,
    *,
    validate: bool = True,
    client: httpx.Client | None = None,
) -> OpenAPIDocument:
    """Read, validate and resolve the OpenAPI document at ``source`` (a path or an http(s) URL).

    :raises NotFound: the file does not exist or the URL answers 404.
    :raises InvalidInput: unreadable text, not OpenAPI 3.x, invalid, or a dangling ``$ref``.
    """
    text = str(source)
    raw = _read(text, client)
    doc = parse_openapi(raw, source=text)
    try:
        if validate:
            validate_openapi(doc, source=text)
        else:
            _check_refs(doc, text)
        resolve_refs(doc, source=text)
    except InvalidInput as exc:
        pointer = exc.location.field
        if exc.location.line is None and pointer and pointer.startswith("/"):
            line = _line_of(raw, pointer)
            if line is not None:
                where = Location(file=text, line=line, field=pointer)
                raise InvalidInput(exc.message, location=where, hint=exc.hint) from None
        raise
    return OpenAPIDocument(text, str(doc.get("openapi")), doc)


def _line_of(text: str, pointer: str) -> int | None:
    """The 1-based line where the element at ``pointer`` starts (YAML or JSON text)."""
    try:
        node: Any = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    line = None
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if str(kv[0].value) == token), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif (
            isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value)
        ):
            node = node.value[int(token)]
            line = node.start_mark.line + 1
        else:
            break
    return line


def read_source(source: str, client: httpx.Client | None = None) -> str:
    """The text of a file or an http(s) URL (NotFound for a missing file or a 404)."""
    return _read(source, client)


def _read(source: str, client: httpx.Client | None) -> str:
    if source.startswith(("http://", "https://")):
        try:
            if client is not None:
                response = client.get(source, follow_redirects=True)
            else:
                response = httpx.get(source, follow_redirects=True, timeout=30.0)
        except httpx.HTTPError as exc:
            msg = f"cannot fetch the document: {exc}"
            raise InvalidInput(msg, location=Location(file=source)) from None
        if response.status_code == 404:
            raise NotFound("no document at this URL (HTTP 404)", location=Location(file=source))
        if response.status_code >= 400:
            msg = f"fetching the document failed with HTTP {response.status_code}"
            raise InvalidInput(msg, location=Location(file=source))
        return response.text
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound("no such file", location=Location(file=source)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the file: {exc}", location=Location(file=source)) from None


def parse_openapi(text: str, *, source: str = "<text>") -> dict[str, Any]:
    """Parse JSON or YAML text into a document and check that it claims OpenAPI 3.x."""
    doc: Any
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            loc = Location(file=source, line=exc.lineno)
            raise InvalidInput(f"invalid JSON: {exc.msg}", location=loc) from None
    else:
        try:
            doc = _normalise(yaml.load(text, Loader=_Loader))  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise InvalidInput(
                f"invalid YAML: {problem}", location=Location(source, line)
            ) from None
    if not isinstance(doc, dict):
        raise InvalidInput("expected a mapping at the top level", location=Location(file=source))
    version = doc.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        raise InvalidInput(
            f"unsupported openapi version {version!r}",
            location=Location(file=source, field="/openapi"),
            hint="expected an OpenAPI 3.0 or 3.1 document (Swagger 2.0: convert it first)",
        )
    return doc


def _normalise(node: Any) -> Any:
    """YAML reads ``200:`` as an int and ``2025-06-01`` as a date; OpenAPI means strings."""
    if isinstance(node, dict):
        return {str(k): _normalise(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_normalise(v) for v in node]
    if isinstance(node, datetime | date):
        return node.isoformat()
    return node


def validate_openapi(doc: dict[str, Any], *, source: str = "<text>") -> None:
    """Validate against the OpenAPI 3.0 or 3.1 schema; raise on the first problem found."""
    from openapi_spec_validator import (
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )

    _check_refs(doc, source)
    cls: Any = OpenAPIV31SpecValidator if str(doc["openapi"]).startswith("3.1") else None
    validator = (cls or OpenAPIV30SpecValidator)(doc)
    # A pattern is ECMA-262, not the validator's business: one the validator's regex engine
    # cannot compile must not refuse the document (the differ compares it as text and says so).
    # Such patterns are swapped for a harmless one while validating, then put back.
    swapped = _swap_patterns(doc)
    try:
        _first_error(validator, doc, source)
    finally:
        for node, key, value in swapped:
            node[key] = value


def _regex_ok(pattern: str) -> bool:
    """True when both Python's and an ECMA-262 engine compile ``pattern`` (the validator's
    ``regex`` format uses one or the other, depending on what is installed)."""
    try:
        re.compile(pattern)
    except re.error:
        return False
    return ecma_error(pattern) is None


def _swap_patterns(doc: dict[str, Any]) -> list[tuple[dict[str, Any], str, Any]]:
    """Swap every ``pattern`` (and ``patternProperties`` key) that :func:`_regex_ok` refuses
    for a harmless stand-in; return ``(node, key, original value)`` to put back."""
    swapped: list[tuple[dict[str, Any], str, Any]] = []

    def visit(node: dict[str, Any], _path: list[str]) -> None:
        value = node.get("pattern")
        if isinstance(value, str) and not _regex_ok(value):
            swapped.append((node, "pattern", value))
            node["pattern"] = ""
        props = node.get("patternProperties")
        if isinstance(props, dict) and not all(_regex_ok(str(k)) for k in props):
            swapped.append((node, "patternProperties", props))
            node["patternProperties"] = {
                (k if _regex_ok(str(k)) else f"polaris-unchecked-{i}"): v
                for i, (k, v) in enumerate(props.items())
            }

    _walk(doc, visit)
    return swapped


def _first_error(validator: Any, doc: dict[str, Any], source: str) -> None:
    for error in validator.iter_errors():
        deepest = _deepest(error)
        if deepest is error and str(doc["openapi"]).startswith("3.0"):
            # openapi-spec-validator 0.9 drops the sub-errors of a failed oneOf; the 3.0 schema
            # is plain draft 4, so ask jsonschema itself for the most specific problem.
            deepest = _draft4_deepest(doc) or error
        path = list(deepest.absolute_path)
        # one line: some validator versions append "Failed validating ..." paragraphs
        message = (str(getattr(deepest, "message", error)).strip().splitlines() or [""])[0]
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 3] + "..."
        pointer = "".join("/" + escape_pointer(str(p)) for p in path) or "/"
        raise InvalidInput(
            f"not a valid OpenAPI {doc['openapi']} document: {message}",
            location=Location(file=source, field=pointer),
        )


def _draft4_deepest(doc: dict[str, Any]) -> Any:
    """The deepest error of ``doc`` against the OpenAPI 3.0 JSON schema, or None."""
    import importlib.resources

    from jsonschema import Draft4Validator

    res = importlib.resources.files("openapi_spec_validator") / "resources" / "schemas"
    try:
        schema = json.loads((res / "v3.0" / "schema.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # pragma: no cover - another layout of the package
        return None
    first = next(iter(Draft4Validator(schema).iter_errors(doc)), None)
    return _deepest(first) if first is not None else None


def _deepest(error: Any) -> Any:
    """The most specific sub-error: a bad ``type`` deep in a schema, not "'$ref' is required"."""
    best = error
    for sub in getattr(error, "context", None) or ():
        candidate = _deepest(sub)
        if len(candidate.absolute_path) > len(best.absolute_path):
            best = candidate
    return best


def _lookup(doc: Any, ref: str) -> Any:
    """The object a local reference ``#/a/b`` names; KeyError when there is none."""
    node = doc
    for raw in ref[2:].split("/") if ref != "#" else ():
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(ref)
    return node


def _walk(doc: Any, visit: Callable[[dict[str, Any], list[str]], None]) -> None:
    """Call ``visit(mapping, pointer segments)`` on every mapping of an acyclic document."""
    stack: list[tuple[Any, list[str]]] = [(doc, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            visit(node, path)
            stack.extend(
                (v, [*path, str(k)]) for k, v in node.items() if isinstance(v, dict | list)
            )
        elif isinstance(node, list):
            stack.extend(
                (v, [*path, str(i)]) for i, v in enumerate(node) if isinstance(v, dict | list)
            )


def _check_refs(doc: dict[str, Any], source: str) -> None:
    def visit(node: dict[str, Any], path: list[str]) -> None:
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return
        where = Location(file=source, field="".join("/" + escape_pointer(p) for p in path))
        if not ref.startswith("#"):
            raise InvalidInput(
                f"external reference {ref!r} is not supported",
                location=where,
                hint="bundle the document first (one file, local #/ references only)",
            )
        try:
            _lookup(doc, ref)
        except KeyError:
            raise InvalidInput(f"reference {ref!r} points to nothing", location=where) from None

    _walk(doc, visit)


def resolve_refs(doc: dict[str, Any], *, source: str = "<text>") -> dict[str, Any]:
    """Replace every local ``{"$ref": "#/..."}`` in ``doc`` by its target, in place; return ``doc``.

    Targets are shared, not copied, so recursive schemas become cycles. A ``$ref`` with sibling
    keywords (allowed in 3.1) becomes a shallow merge of the target and the siblings.
    """
    seen: set[int] = set()
    stack: list[Any] = [doc]

    def target(ref: str, where: str) -> Any:
        chain = {ref}
        node = _lookup(doc, ref)
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and len(node) == 1:
            nxt = node["$ref"]
            if nxt in chain or not nxt.startswith("#"):
                raise InvalidInput(
                    f"reference {ref!r} never reaches an object",
                    location=Location(file=source, field=where),
                )
            chain.add(nxt)
            node = _lookup(doc, nxt)
        return node

    def replace(value: Any, where: str) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                try:
                    found = target(ref, where)
                except KeyError:
                    loc = Location(file=source, field=where)
                    raise InvalidInput(
                        f"reference {ref!r} points to nothing", location=loc
                    ) from None
                if len(value) == 1:
                    return found
                merged = dict(found) if isinstance(found, dict) else {}
                merged.update((k, v) for k, v in value.items() if k != "$ref")
                return merged
        return value

    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, dict):
                    new = replace(value, key)
                    if new is not value:
                        node[key] = new
                    stack.append(new)
                elif isinstance(value, list):
                    stack.append(value)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, dict):
                    new = replace(value, str(i))
                    if new is not value:
                        node[i] = new
                    stack.append(new)
                elif isinstance(value, list):
                    stack.append(value)
    return doc


def read_levels(path: str | Path) -> dict[str, Impact | None]:
    """Read a levels file: a YAML mapping ``rule-id: breaking|high|medium|low|none``.

    oasdiff-style lines (``rule-id ERR``) are accepted too: ``err`` -> breaking, ``warn`` ->
    medium, ``info`` -> low, ``none`` -> dropped.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound("no such levels file", location=Location(file=str(p))) from None
    oasdiff = {"err": "breaking", "error": "breaking", "warn": "medium", "info": "low"}
    pairs: dict[str, str] = {}
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        data = None
    if isinstance(data, dict):
        pairs = {str(k): str(v) for k, v in data.items()}
    else:
        for n, line in enumerate(text.splitlines(), 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) != 2:
                loc = Location(file=str(p), line=n)
                raise InvalidInput("expected `rule-id level`", location=loc)
            pairs[words[0]] = oasdiff.get(words[1].lower(), words[1])
    pairs = {k: oasdiff.get(v.lower(), v) for k, v in pairs.items()}
    return check_levels(pairs, source=str(p))
