"""``format = "dockerfile"``: the version labels of a Dockerfile.

Both spellings count: the document's ``LABEL version="2.1.0"`` (seed 9.2.1) and the OCI
annotation ``LABEL org.opencontainers.image.version="2.1.0"``; quoted or not, alone on a
``LABEL`` instruction or among other ``key=value`` pairs of it (continued lines too). ``key``
picks one label instead of both. Every label found is rewritten; ``count`` None means one or more.
"""

from __future__ import annotations

import re
from typing import Final

from polaris.versions.files._common import SEMVERISH, check_count, line_col, new_version, splice
from polaris.versions.files.interface import Found, VersionFormat

__all__ = ["DOCKERFILE_LABELS", "DockerfileLabels"]

#: The labels that carry the version, by default.
DOCKERFILE_LABELS: Final = ("version", "org.opencontainers.image.version")

# A LABEL instruction, with its backslash-continued lines.
_LABEL = re.compile(r"^[ \t]*LABEL[ \t]+(?P<body>(?:[^\n]*\\\r?\n)*[^\n]*)", re.I | re.M)


def _pair(key: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w.-]){re.escape(key)}=(?P<q>[\"']?)(?P<version>{SEMVERISH})(?P=q)(?![\w.+-])"
    )


class DockerfileLabels(VersionFormat):
    """Version labels of a Dockerfile (``LABEL version=...``, OCI ``image.version``)."""

    @property
    def where(self) -> str:
        """``LABEL version / org.opencontainers.image.version``."""
        return "LABEL " + " / ".join(self._keys())

    def _keys(self) -> tuple[str, ...]:
        return (self.spec.key,) if self.spec.key else DOCKERFILE_LABELS

    def _spans(self, text: str) -> list[tuple[int, int, str]]:
        pairs = [_pair(k) for k in self._keys()]
        spans: list[tuple[int, int, str]] = []
        for label in _LABEL.finditer(text):
            offset = label.start("body")
            for pattern in pairs:
                for m in pattern.finditer(label["body"]):
                    spans.append(
                        (offset + m.start("version"), offset + m.end("version"), m["version"])
                    )
        spans.sort()
        check_count(
            self.spec,
            [line_col(text, s)[0] for s, _e, _v in spans],
            what=self.where,
            field="key",
            at_least_one=True,
        )
        return spans

    def find(self, text: str) -> list[Found]:
        """Each version label's value."""
        out: list[Found] = []
        for start, _end, value in self._spans(text):
            line, column = line_col(text, start)
            out.append(Found(self.spec.path, line, column, value, self.where))
        return out

    def replace(self, text: str, version: str) -> str:
        """Each label's value replaced; quoting and the other labels kept."""
        v = str(new_version(self.spec, version, field="key"))
        return splice(text, [(s, e, v) for s, e, _old in self._spans(text)])
