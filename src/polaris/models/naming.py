"""Model version strings of seed section 4.1.1.

The format is ``{MODEL_NAME}-v{MAJOR}.{MINOR}.{PATCH}[-{STAGE}][+{METADATA}]``. From the seed::

    rag-search-v1.2.0                    production model
    rag-search-v1.3.0-candidate          model candidate
    rag-search-v1.2.1-experimental       experimental version
    rag-search-v1.2.0+training.20250901  with training metadata

The part after ``-v`` is a strict SemVer 2.0.0 version whose prerelease is the stage and whose build
metadata is the metadata, so model versions order by SemVer precedence (``-candidate`` before the
release) and metadata plays no part in equality.

Model names are lowercase ``[a-z0-9-]`` and may themselves contain ``-v<digits>`` (``bert-v2-ner``).
Since a name never holds a ``.``, the version starts at the first ``-v<digits>.``: that is the only
place it can start (``bert-v2-ner-v1.0.0`` is ``bert-v2-ner`` at ``1.0.0``), and a stage may then
contain ``-v2.1`` without confusing the split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Self

from polaris.core.errors import InvalidVersion, Location
from polaris.core.semver import Version
from polaris.models.rules import MODEL_NAME_PATTERN

__all__ = ["ModelVersionName"]

_NAME = re.compile(MODEL_NAME_PATTERN, re.ASCII)
_VERSION_START = re.compile(r"-v(?=[0-9]+\.)", re.ASCII)
_FORMAT: Final = "{MODEL_NAME}-v{MAJOR}.{MINOR}.{PATCH}[-{STAGE}][+{METADATA}]"
_EXAMPLE: Final = "rag-search-v1.3.0-candidate+training.20250901"
_NAME_HINT: Final = (
    "model names are lowercase letters, digits and inner '.', '_', '-', e.g. rag-search"
)


@dataclass(frozen=True, slots=True, order=True)
class ModelVersionName:
    """A parsed model version string such as ``rag-search-v1.3.0-candidate+training.20250901``.

    Orders by name, then by SemVer precedence of :attr:`version`; equality and hashing ignore
    :attr:`metadata`, as SemVer does for build metadata.

    >>> m = ModelVersionName.parse("rag-search-v1.3.0-candidate+training.20250901")
    >>> (m.name, str(m.version), m.stage, m.metadata)
    ('rag-search', '1.3.0-candidate+training.20250901', 'candidate', 'training.20250901')
    >>> str(m)
    'rag-search-v1.3.0-candidate+training.20250901'
    """

    name: str
    """The model name, e.g. ``rag-search``."""
    version: Version
    """The full SemVer version: stage as its prerelease, metadata as its build metadata."""

    def __post_init__(self) -> None:
        problem = _name_problem(self.name)
        if problem is not None:
            raise InvalidVersion(problem, hint=_NAME_HINT)
        if not isinstance(self.version, Version):
            raise TypeError(f"version must be a Version, not {type(self.version).__name__}")
        problem = _stage_problem(self.version)
        if problem is not None:
            raise InvalidVersion(f"{self.name}-v{self.version}: {problem}")

    @classmethod
    def of(
        cls,
        name: str,
        version: Version | str,
        *,
        stage: str | None = None,
        metadata: str | None = None,
    ) -> Self:
        """Build from parts; ``version`` gives MAJOR.MINOR.PATCH (its own stage and metadata are
        replaced when ``stage`` or ``metadata`` is given).

        >>> str(ModelVersionName.of("ner", "1.1.0", stage="experimental"))
        'ner-v1.1.0-experimental'
        """
        v = Version.parse(version) if isinstance(version, str) else version
        if stage is not None:
            v = v.replace(prerelease=stage)
        if metadata is not None:
            v = v.replace(build=metadata)
        return cls(name, v)

    @classmethod
    def parse(cls, text: str, *, location: Location | None = None) -> Self:
        """Parse ``{MODEL_NAME}-v{MAJOR}.{MINOR}.{PATCH}[-{STAGE}][+{METADATA}]``.

        :param location: where ``text`` came from (file, line, field), for the error.
        :raises InvalidVersion: naming the string and what is wrong with it, e.g.
            ``'rag-search-v1.02.0': version '1.02.0': numeric identifier '02' has a leading zero``.
        """
        if not isinstance(text, str):
            raise TypeError(f"ModelVersionName.parse() takes a str, not {type(text).__name__}")
        # A name holds no '.', so only the first '-v<digits>.' can start the version; later ones
        # belong to the stage or the metadata.
        start = _VERSION_START.search(text.partition("+")[0])
        if start is None:
            raise InvalidVersion(
                f"{text!r}: no '-v<MAJOR>.<MINOR>.<PATCH>' after the model name",
                location=location,
                hint=f"expected {_FORMAT}, e.g. {_EXAMPLE}",
            )
        at = start.start()
        name, version_text = text[:at], text[at + 2 :]
        problem = _name_problem(name)
        if problem is not None:
            raise InvalidVersion(
                f"{text!r}: {problem}",
                location=location,
                hint=_NAME_HINT,
            )
        try:
            version = Version.parse(version_text)
        except InvalidVersion as exc:
            raise InvalidVersion(
                f"{text!r}: version {exc.message}",
                location=location,
                hint=f"expected {_FORMAT}, e.g. {_EXAMPLE}",
            ) from None
        problem = _stage_problem(version)
        if problem is not None:
            raise InvalidVersion(f"{text!r}: {problem}", location=location)
        return cls(name, version)

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """Whether :meth:`parse` accepts ``text``."""
        try:
            cls.parse(text)
        except (InvalidVersion, TypeError):
            return False
        return True

    @property
    def stage(self) -> str | None:
        """The stage (``candidate``, ``experimental``, ...), or ``None`` for a release."""
        return ".".join(self.version.prerelease) or None

    @property
    def metadata(self) -> str | None:
        """The metadata (``training.20250901``), or ``None``."""
        return ".".join(self.version.build) or None

    def __str__(self) -> str:
        return f"{self.name}-v{self.version}"


def _name_problem(name: object) -> str | None:
    """Why ``name`` is not a model name, or ``None`` when it is one."""
    if not isinstance(name, str):
        return f"model name must be a str, not {type(name).__name__}"
    if not name:
        return "model name is missing before '-v'"
    if _NAME.fullmatch(name) is not None:
        return None
    if name != name.lower():
        return f"model name {name!r} must be lowercase"
    if name[0] in "._-" or name[-1] in "._-":
        return f"model name {name!r} must start and end with a letter or digit"
    if len(name) > 100:
        return f"model name {name!r} is longer than 100 characters"
    bad = next(ch for ch in name if not ("a" <= ch <= "z" or "0" <= ch <= "9" or ch in "._-"))
    return f"model name {name!r} has {bad!r}; only a-z, 0-9, '.', '_' and '-' are allowed"


def _stage_problem(version: Version) -> str | None:
    """The seed's rule (14.1.2) that stages, like all prerelease identifiers, are lowercase."""
    for ident in version.prerelease:
        if ident != ident.lower():
            return f"stage {'.'.join(version.prerelease)!r} must be lowercase"
    return None
