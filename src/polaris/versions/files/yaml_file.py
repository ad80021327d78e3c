"""A scalar in a YAML file by dotted key path: Chart.yaml ``version``/``appVersion``, values.yaml
``image.tag``.

ruamel.yaml *composes* the file (no construction, so ``2.1`` stays the text ``2.1``) to locate the
scalar's exact span; the text is then spliced there. Round-tripping the whole document through
ruamel would reflow other bytes (indentation, long lines, comment spacing), which this avoids.
In a multi-document file the key must be found in exactly one document (or ``count`` of them).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from polaris.versions.files._common import check_count, error, new_version, splice
from polaris.versions.files.interface import Found, VersionFormat

__all__ = ["YamlVersionFile"]

DEFAULT_KEY: Final = "version"
#: A node's properties before its value: ``!!str`` tags and ``&anchor`` names.
_PROPERTIES: Final = re.compile(r"(?:[!&][^\s]*\s+)*")


@dataclass(frozen=True, slots=True)
class _Scalar:
    start: int
    end: int
    line: int
    column: int
    value: str
    style: str | None


class YamlVersionFile(VersionFormat):
    """``format = "yaml"``: ``key`` is a dotted path (numeric parts index sequences)."""

    @property
    def key(self) -> str:
        """The dotted key path, ``version`` by default."""
        return self.spec.key or DEFAULT_KEY

    def _scalars(self, text: str) -> list[_Scalar]:
        try:
            with warnings.catch_warnings():
                # ruamel warns about things (reused anchors, ...) that do not concern a lookup.
                warnings.simplefilter("ignore")
                docs: list[Any] = list(YAML(typ="rt", pure=True).compose_all(text))
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise error(
                self.spec,
                f"not valid YAML: {problem}",
                line=mark.line + 1 if mark is not None else None,
            ) from None
        found: list[_Scalar] = []
        for doc in docs:
            node = self._walk(doc)
            if node is not None:
                start, end = node.start_mark.index, node.end_mark.index
                skip = _PROPERTIES.match(text, start, end)
                start = skip.end() if skip else start
                line = text.count("\n", 0, start) + 1
                found.append(
                    _Scalar(
                        start=start,
                        end=end,
                        line=line,
                        column=start - text.rfind("\n", 0, start),
                        value=node.value,
                        style=node.style,
                    )
                )
        check_count(self.spec, [s.line for s in found], what=f"key {self.key}", field=self.key)
        return found

    def _walk(self, node: Any) -> ScalarNode | None:
        """The node at ``key`` in one document, or None when the document does not have it."""
        for part in self.key.split("."):
            if isinstance(node, MappingNode):
                hits = [v for k, v in node.value if isinstance(k, ScalarNode) and k.value == part]
                if len(hits) > 1:
                    raise error(
                        self.spec,
                        f"key {part!r} appears {len(hits)} times in one mapping",
                        line=hits[1].start_mark.line + 1,
                        field=self.key,
                    )
                node = hits[0] if hits else None
            elif isinstance(node, SequenceNode) and part.isdigit():
                node = node.value[int(part)] if int(part) < len(node.value) else None
            else:
                return None
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            kind = "mapping" if isinstance(node, MappingNode) else "sequence"
            raise error(
                self.spec,
                f"{self.key} is a {kind}, expected a scalar",
                line=node.start_mark.line + 1,
                field=self.key,
            )
        return node

    def find(self, text: str) -> list[Found]:
        """The scalar's value as written (unquoted), once per document holding the key."""
        return [
            Found(self.spec.path, s.line, s.column + (s.style in ("'", '"')), s.value, self.key)
            for s in self._scalars(text)
        ]

    def replace(self, text: str, version: str) -> str:
        """Each scalar's characters replaced; quoting style and everything else kept."""
        v = str(new_version(self.spec, version, field=self.key))
        edits: list[tuple[int, int, str]] = []
        for s in self._scalars(text):
            raw = text[s.start : s.end]
            if s.style in ("'", '"'):
                if raw[1:-1] == s.value:
                    edits.append((s.start + 1, s.end - 1, v))
                else:  # escapes inside the quotes: write the whole scalar afresh
                    edits.append((s.start, s.end, f"{s.style}{v}{s.style}"))
            elif s.style is None and raw == s.value and s.value:
                edits.append((s.start, s.end, v))
            else:
                what = "empty" if not s.value else "a block or multi-line scalar"
                raise error(
                    self.spec,
                    f"{self.key} is {what}; cannot rewrite it in place",
                    line=s.line,
                    field=self.key,
                    hint=f'write it on one line, e.g. {self.key.rsplit(".", 1)[-1]}: "0.0.0"',
                )
        return splice(text, edits)
