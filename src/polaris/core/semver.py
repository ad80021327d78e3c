"""SemVer 2.0.0 versions: strict parsing, precedence, bumps and coercion.

This module follows https://semver.org/spec/v2.0.0.html to the letter:

* ``MAJOR.MINOR.PATCH`` are non-negative integers without leading zeros;
* a prerelease is a dot-separated list of non-empty ASCII ``[0-9A-Za-z-]`` identifiers, numeric ones
  without leading zeros;
* build metadata is a dot-separated list of non-empty ASCII ``[0-9A-Za-z-]`` identifiers (leading
  zeros allowed) that is kept but plays no part in precedence, equality or hashing.

Precedence (spec section 11) is precomputed into a plain tuple, :attr:`Version.sort_key`, so that
comparisons and sorting are tuple comparisons done in C.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn, Self, TypeVar

from polaris.core.errors import InvalidVersion

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "MAX_NAME_LENGTH",
    "PRERELEASE_CHANNELS",
    "BumpPart",
    "Version",
    "ci_build_metadata",
    "coerce",
    "naming_problems",
]

BumpPart = Literal["major", "minor", "patch", "prerelease", "release"]

#: Known prerelease channels, lowest first. Other channel names are allowed; they sort by SemVer
#: rules.
PRERELEASE_CHANNELS: Final = ("alpha", "beta", "rc")

#: The sort key part of a version without prerelease: greater than any prerelease key, because each
#: prerelease identifier's key starts with 0 (numeric) or 1 (alphanumeric).
_RELEASE: Final[tuple[tuple[int, ...], ...]] = ((2,),)

_IDENT_CHARS = re.compile(r"[0-9A-Za-z-]+")
#: Longest version string the naming rules of seed 14.1.2 allow.
MAX_NAME_LENGTH: Final = 50


_PRE_ALLOWED: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-."
_PRE_CACHE: dict[str, tuple[tuple[int, int] | tuple[int, str], ...] | None] = {}
_PRE_CACHE_MAX: Final = 4096


def _pre_key(pre: str) -> tuple[tuple[int, int] | tuple[int, str], ...] | None:
    """Precedence key of a prerelease string, or ``None`` when it is not valid SemVer.

    Numeric identifiers sort below alphanumeric ones: ``(0, n)`` < ``(1, s)``. Prerelease strings
    repeat a lot (``rc.1``, ``alpha.2``), so results are memoised in a small bounded table.
    """
    key = _PRE_CACHE.get(pre)
    if key is not None:
        return key
    if not pre or pre.strip(_PRE_ALLOWED):
        return None
    out: list[tuple[int, int] | tuple[int, str]] = []
    for ident in pre.split("."):
        if not ident:
            return None
        if ident.isdigit():
            if len(ident) > 1 and ident[0] == "0":
                return None
            try:
                out.append((0, int(ident)))
            except ValueError:  # more digits than int() converts
                return None
        else:
            out.append((1, ident))
    key = tuple(out)
    if len(_PRE_CACHE) >= _PRE_CACHE_MAX:
        _PRE_CACHE.clear()
    _PRE_CACHE[pre] = key
    return key


_PreKey = tuple[tuple[int, int] | tuple[int, str], ...] | tuple[tuple[int, ...], ...]


_V = TypeVar("_V", bound="Version")


def _make(cls: type[_V], key: tuple[int, int, int, _PreKey], text: str) -> _V:
    """A new ``cls`` from its key and text, set through the slot descriptors (no __setattr__)."""
    obj = object.__new__(cls)
    _SET_KEY(obj, key)
    _SET_TEXT(obj, text)
    return obj


class Version:
    """An immutable SemVer 2.0.0 version.

    Design note: a ``Version`` keeps its precedence key, ``(major, minor, patch, prerelease_key)``,
    precomputed in a slot, so comparing and sorting versions are one tuple comparison each (20x
    and more faster than python-semver's method-based ordering). Build metadata is not in the key,
    so it plays no part in ordering, equality or hashing. A version equals only versions (never a
    tuple or a string) and is written as its text by ``str()`` and Polaris's JSON encoders.

    >>> v = Version.parse("2.1.0-rc.2+build.7")
    >>> (v.major, v.minor, v.patch, v.prerelease, v.build)
    (2, 1, 0, ('rc', '2'), ('build', '7'))
    >>> Version.parse("1.0.0-alpha") < Version.parse("1.0.0-alpha.1") < Version.parse("1.0.0")
    True
    """

    __slots__ = ("_key", "_text")
    _key: tuple[int, int, int, _PreKey]
    _text: str

    def __new__(
        cls,
        major: int,
        minor: int,
        patch: int,
        prerelease: Iterable[str | int] = (),
        build: Iterable[str | int] = (),
    ) -> Self:
        """Build a version from its parts; each part is validated as :meth:`parse` would.

        ``prerelease`` and ``build`` are sequences of identifiers (``("rc", 1)``) or one dotted
        string (``"rc.1"``; ``""`` for none).

        >>> str(Version(2, 1, 0, ("rc", 1), "build.7"))
        '2.1.0-rc.1+build.7'
        """
        text = f"{major}.{minor}.{patch}"
        # A str is taken whole: iterating it would split "rc.1" into characters.
        if isinstance(prerelease, str):
            if prerelease:
                text += "-" + prerelease
        else:
            pre_ids = [str(p) for p in prerelease]
            if pre_ids:
                text += "-" + ".".join(pre_ids)
        if isinstance(build, str):
            if build:
                text += "+" + build
        else:
            build_ids = [str(b) for b in build]
            if build_ids:
                text += "+" + ".".join(build_ids)
        # Callers outside typed code may pass floats or strings; bools are ints but not numbers.
        numbers: tuple[object, ...] = (major, minor, patch)
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            raise InvalidVersion(f"{text!r}: major, minor and patch must be integers")
        if major < 0 or minor < 0 or patch < 0:
            raise InvalidVersion(f"{text!r}: major, minor and patch must not be negative")
        return cls.parse(text)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse a strict SemVer 2.0.0 string.

        :raises InvalidVersion: with the reason, e.g.
            ``'1.02.3': numeric identifier '02' has a leading zero``.
        """
        if type(text) is not str:
            if not isinstance(text, str):
                raise TypeError(f"Version.parse() takes a str, not {type(text).__name__}")
            text = str(text)
        # Fast path for the common plain MAJOR.MINOR.PATCH.
        parts = text.split(".")
        if len(parts) == 3:
            a, b, c = parts
            if (
                a.isdigit()
                and b.isdigit()
                and c.isdigit()
                and text.isascii()
                and (a[0] != "0" or len(a) == 1)
                and (b[0] != "0" or len(b) == 1)
                and (c[0] != "0" or len(c) == 1)
            ):
                # int() refuses more than sys.get_int_max_str_digits() digits; a try costs
                # nothing on 3.11+ until it raises.
                try:
                    release_key = (int(a), int(b), int(c), _RELEASE)
                except ValueError:
                    cls._diagnose(text)
                v: Self = _NEW(cls)
                _SET_KEY(v, release_key)
                _SET_TEXT(v, text)
                return v
        head, plus, build = text.partition("+")
        core, dash, pre = head.partition("-")
        parts = core.split(".")
        if len(parts) == 3 and text.isascii():
            a, b, c = parts
            if (
                a.isdigit()
                and b.isdigit()
                and c.isdigit()
                and (a[0] != "0" or len(a) == 1)
                and (b[0] != "0" or len(b) == 1)
                and (c[0] != "0" or len(c) == 1)
            ):
                key: _PreKey | None
                if dash:
                    key = _pre_key(pre)
                    if key is None:
                        cls._diagnose(text)
                else:
                    key = _RELEASE
                if not plus:
                    try:
                        return _make(cls, (int(a), int(b), int(c), key), text)
                    except ValueError:
                        cls._diagnose(text)
                if build and not build.strip(_PRE_ALLOWED) and "" not in build.split("."):
                    try:
                        return _make(cls, (int(a), int(b), int(c), key), text)
                    except ValueError:
                        cls._diagnose(text)
        cls._diagnose(text)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _diagnose(text: str) -> NoReturn:
        """Raise InvalidVersion naming the first thing wrong with ``text``."""
        hint = None
        if text[:1] in ("v", "V") and text[1:2].isdigit() and Version.is_valid(text[1:]):
            hint = f"drop the leading {text[0]!r}; coerce() accepts it, parse() does not"
        raise InvalidVersion(f"{text!r}: {_explain(text)}", hint=hint)

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """Whether ``text`` is strict SemVer 2.0.0, i.e. whether :meth:`parse` accepts it."""
        if not isinstance(text, str):
            return False
        try:
            cls.parse(text)
        except InvalidVersion:
            return False
        return True

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # Pickle as text: the identity of ``_RELEASE`` that ``is_prerelease`` relies on must
        # survive, and the text is the stable form across Polaris releases.
        return (type(self).parse, (self._text,))

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: object) -> Self:
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Version is immutable; use replace() to change {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Version is immutable")

    # -- parts ------------------------------------------------------------------------------

    @property
    def major(self) -> int:
        """The major number."""
        return self._key[0]

    @property
    def minor(self) -> int:
        """The minor number."""
        return self._key[1]

    @property
    def patch(self) -> int:
        """The patch number."""
        return self._key[2]

    @property
    def prerelease(self) -> tuple[str, ...]:
        """Prerelease identifiers, as written (``('rc', '2')``); empty for a release."""
        if self._key[3] is _RELEASE:
            return ()
        head = self._text.partition("+")[0]
        return tuple(head.partition("-")[2].split("."))

    @property
    def build(self) -> tuple[str, ...]:
        """Build metadata identifiers, as written; ignored for precedence."""
        _, plus, build = self._text.partition("+")
        return tuple(build.split(".")) if plus else ()

    @property
    def is_prerelease(self) -> bool:
        """Whether this version has a prerelease part."""
        return self._key[3] is not _RELEASE

    @property
    def sort_key(self) -> tuple[object, ...]:
        """A tuple whose ordering is SemVer precedence (build metadata excluded)."""
        return self._key

    @property
    def core(self) -> tuple[int, int, int]:
        """``(major, minor, patch)``."""
        key = self._key
        return (key[0], key[1], key[2])

    @property
    def channel(self) -> str | None:
        """The first prerelease identifier when it is alphanumeric (``'rc'`` of ``-rc.2``)."""
        pre = self.prerelease
        if pre and not pre[0].isdigit():
            return pre[0]
        return None

    def replace(
        self,
        *,
        major: int | None = None,
        minor: int | None = None,
        patch: int | None = None,
        prerelease: Iterable[str | int] | None = None,
        build: Iterable[str | int] | None = None,
    ) -> Version:
        """A copy with the given parts replaced (validated like the constructor)."""
        return Version(
            self._key[0] if major is None else major,
            self._key[1] if minor is None else minor,
            self._key[2] if patch is None else patch,
            self.prerelease if prerelease is None else prerelease,
            self.build if build is None else build,
        )

    # -- dunder protocol ----------------------------------------------------------------------

    def __str__(self) -> str:
        return self._text

    def __hash__(self) -> int:
        # Build metadata must not count: 1.0.0 and 1.0.0+b are equal, so they hash alike.
        return hash(self._key)

    def __repr__(self) -> str:
        return f"Version('{self._text}')"

    # Precedence: one comparison of the precomputed keys. Anything that is not a Version is
    # not comparable (NotImplemented: ``==`` is then False and ``<`` a TypeError).

    def __eq__(self, other: object) -> bool:
        try:
            return self._key == other._key  # type: ignore[attr-defined, no-any-return]
        except AttributeError:
            return NotImplemented

    def __ne__(self, other: object) -> bool:
        try:
            return self._key != other._key  # type: ignore[attr-defined, no-any-return]
        except AttributeError:
            return NotImplemented

    def __lt__(self, other: object) -> bool:
        try:
            return self._key < other._key  # type: ignore[attr-defined, no-any-return]
        except AttributeError:
            return NotImplemented

    def __le__(self, other: object) -> bool:
        try:
            return self._key <= other._key  # type: ignore[attr-defined, no-any-return]
        except AttributeError:
            return NotImplemented

    def __gt__(self, other: object) -> bool:
        try:
            return self._key > other._key  # type: ignore[attr-defined, no-any-return]
        except AttributeError:
            return NotImplemented

    def __ge__(self, other: object) -> bool:
        try:
            return self._key >= other._key  # type: ignore[attr-defined, no-any-return]
        except AttributeError:
            return NotImplemented

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    # -- bumps --------------------------------------------------------------------------------

    def bump(self, part: BumpPart, *, pre: str | None = None) -> Version:
        """The next version after bumping ``part``; build metadata is dropped.

        Without ``pre``, a bump of a prerelease finalises it where it is the prerelease of the
        target (node-semver's rule): ``1.0.0-rc.1`` + major is ``1.0.0``, + minor on ``1.2.0-rc.1``
        is ``1.2.0``. With ``pre``, the result is the first prerelease of that channel:
        ``2.1.0`` + minor + ``alpha`` is ``2.2.0-alpha.1``.

        ``prerelease`` moves along a channel (``-rc.1`` -> ``-rc.2``) or to a later one
        (``-alpha.3`` + ``beta`` -> ``-beta.1``); ``release`` finalises (``2.2.0-rc.2`` ->
        ``2.2.0``).

        >>> str(Version.parse("2.1.0").bump("minor", pre="alpha"))
        '2.2.0-alpha.1'
        >>> str(Version.parse("2.2.0-alpha.3").bump("prerelease", pre="beta"))
        '2.2.0-beta.1'
        """
        if pre is not None:
            _check_channel(pre)
        if part == "prerelease":
            return self._bump_prerelease(pre)
        if part == "release":
            if pre is not None:
                raise InvalidVersion("'release' finalises a prerelease and takes no channel")
            return self.finalize()
        if part == "major":
            done = self.is_prerelease and self.minor == 0 and self.patch == 0 and pre is None
            core = self.core if done else (self.major + 1, 0, 0)
        elif part == "minor":
            done = self.is_prerelease and self.patch == 0 and pre is None
            core = self.core if done else (self.major, self.minor + 1, 0)
        elif part == "patch":
            done = self.is_prerelease and pre is None
            core = self.core if done else (self.major, self.minor, self.patch + 1)
        else:
            raise InvalidVersion(
                f"unknown bump part {part!r}",
                hint="expected major, minor, patch, prerelease or release",
            )
        return Version(*core, prerelease=(pre, "1") if pre is not None else ())

    def _bump_prerelease(self, pre: str | None) -> Version:
        if not self.is_prerelease:
            if pre is None:
                raise InvalidVersion(
                    f"{self} is not a prerelease, so it has no prerelease to bump",
                    hint="name a channel (--pre alpha|beta|rc) to start one on the next patch",
                )
            return Version(self.major, self.minor, self.patch + 1, (pre, "1"))
        current = self.channel
        if pre is None or pre == current:
            ids = list(self.prerelease)
            if ids[-1].isdigit():
                ids[-1] = str(int(ids[-1]) + 1)
            else:
                ids.append("1")
            return Version(self.major, self.minor, self.patch, ids)
        candidate = Version(self.major, self.minor, self.patch, (pre, "1"))
        if candidate <= self:
            raise InvalidVersion(
                f"cannot move {self} back to channel {pre!r}: {candidate} would not be greater",
                hint="prerelease channels only move forward: alpha -> beta -> rc",
            )
        return candidate

    def finalize(self) -> Version:
        """The release this prerelease leads to: ``2.2.0-rc.2`` -> ``2.2.0``."""
        if not self.is_prerelease:
            raise InvalidVersion(
                f"{self} is already a release", hint="bump major, minor or patch instead"
            )
        return Version(self.major, self.minor, self.patch)

    def with_build(self, build: Iterable[str | int]) -> Version:
        """The same version with other build metadata (``()`` removes it)."""
        return Version(self.major, self.minor, self.patch, self.prerelease, build)

    def branch_version(self, branch: str, build_number: int) -> Version:
        """The build version for a git branch, per the seed's branch mapping (2.3, 14.1.2).

        ``self`` is the version the branch is heading for:

        * ``main``/``master`` -> the version itself;
        * ``develop`` -> ``2.1.0-dev.123``;
        * ``feature/auth`` -> ``2.1.0-feature.auth.45``;
        * ``release/2.1.0`` -> ``2.1.0-rc.<build_number>``;
        * ``hotfix/security`` -> ``2.0.1-hotfix.security.12``.

        Branch names are turned into valid, lowercase identifiers (``Feature/OAuth_2`` ->
        ``feature.oauth-2``); the result must satisfy :func:`naming_problems`.
        """
        if build_number < 0:
            raise InvalidVersion(f"build number must not be negative, got {build_number}")
        kind, _, rest = branch.partition("/")
        kind = kind.lower()
        base = (self.major, self.minor, self.patch)
        if kind in ("main", "master") and not rest:
            return Version(*base)
        if kind == "develop" and not rest:
            pre: list[str] = ["dev", str(build_number)]
        elif kind == "release":
            pre = ["rc", str(build_number)]
        elif kind in ("feature", "hotfix", "bugfix") and rest:
            pre = [kind, *_slug_identifiers(rest), str(build_number)]
        else:
            pre = ["branch", *_slug_identifiers(branch), str(build_number)]
        version = Version(*base, prerelease=pre)
        problems = naming_problems(version)
        if problems:
            raise InvalidVersion(
                f"branch {branch!r} gives {version}: {problems[0]}",
                hint="use a shorter branch name",
            )
        return version


# The slots' own setters: construction bypasses the immutability guard of ``__setattr__``.
_NEW: Final[Any] = object.__new__
_SET_KEY: Final[Any] = Version.__dict__["_key"].__set__
_SET_TEXT: Final[Any] = Version.__dict__["_text"].__set__


def _slug_identifiers(name: str) -> list[str]:
    """Turn a branch name into SemVer identifiers: lowercase, ``[0-9a-z-]``, no leading zeros."""
    out: list[str] = []
    for raw in re.split(r"[/.]+", name.lower()):
        ident = re.sub(r"[^0-9a-z-]+", "-", raw).strip("-")
        if not ident:
            continue
        if ident.isdigit():
            ident = str(int(ident))
        out.append(ident)
    return out


def _check_channel(pre: str) -> None:
    if not pre or _IDENT_CHARS.fullmatch(pre) is None or pre.isdigit():
        raise InvalidVersion(
            f"prerelease channel {pre!r} is not a valid identifier",
            hint="use letters, digits and '-', e.g. alpha, beta, rc",
        )
    if pre != pre.lower():
        raise InvalidVersion(
            f"prerelease channel {pre!r} must be lowercase (seed naming rule 14.1.2)"
        )


def _explain(text: str) -> str:
    """Why ``text`` is not SemVer: the first problem found, reading left to right, in words."""
    if not text:
        return "empty string"
    if not text.isascii():
        bad = next(ch for ch in text if not ch.isascii())
        return f"non-ASCII character {bad!r} at position {text.index(bad) + 1}"
    if text != text.strip():
        return "leading or trailing whitespace"
    head, plus, build = text.partition("+")
    core, dash, pre = head.partition("-")
    if not head:
        return f"expected MAJOR.MINOR.PATCH at the start, found {text[0]!r}"
    nums = core.split(".")
    if dash and (not core or core.endswith(".")):
        # The '-' starts a number ("1.-2.3"), not a prerelease: report that number.
        nums = head.split(".")
    for name, num in zip(("major", "minor", "patch"), nums, strict=False):
        if not num:
            return f"{name} is missing"
        if not num.isdigit():
            return f"{name} {num!r} is not a number"
        if len(num) > 1 and num[0] == "0":
            return f"numeric identifier {num!r} has a leading zero"
        if not _converts(num):
            return f"{name} has {len(num)} digits, too many to convert to an integer"
    if len(nums) == 1:
        return "minor and patch are missing (expected MAJOR.MINOR.PATCH)"
    if len(nums) == 2:
        return "patch is missing (expected MAJOR.MINOR.PATCH)"
    if len(nums) > 3:
        return f"expected MAJOR.MINOR.PATCH, found {len(nums)} dot-separated numbers"
    if dash:
        if not pre:
            return "empty prerelease after '-'"
        for ident in pre.split("."):
            if not ident:
                return "empty prerelease identifier"
            if _IDENT_CHARS.fullmatch(ident) is None:
                return f"prerelease identifier {ident!r} has characters outside [0-9A-Za-z-]"
            if ident.isdigit() and len(ident) > 1 and ident[0] == "0":
                return f"numeric identifier {ident!r} has a leading zero"
            if ident.isdigit() and not _converts(ident):
                return (
                    f"prerelease identifier has {len(ident)} digits, "
                    "too many to convert to an integer"
                )
    if plus:
        if "+" in build:
            return "'+' may appear only once, before the build metadata"
        if not build:
            return "empty build metadata after '+'"
        for ident in build.split("."):
            if not ident:
                return "empty build metadata identifier"
            if _IDENT_CHARS.fullmatch(ident) is None:
                return f"build identifier {ident!r} has characters outside [0-9A-Za-z-]"
    return "not a valid SemVer 2.0.0 version"  # pragma: no cover - parse and _explain agree


def _converts(digits: str) -> bool:
    """Whether ``int()`` accepts ``digits`` (Python limits the length it converts)."""
    try:
        int(digits)
    except ValueError:
        return False
    return True


_COERCE = re.compile(
    r"""
    ^[vV=]?\s*
    (\d+)(?:\.(\d+))?(?:\.(\d+))?                       # 1, 1.2 or 1.2.3
    (?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)              # -prerelease, as SemVer writes it
      |([0-9A-Za-z][0-9A-Za-z-]*(?:\.[0-9A-Za-z-]+)*))?  # or glued on without '-': 1.2.3rc1
    (?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$           # +build
    """,
    re.VERBOSE | re.ASCII,
)


def coerce(text: str) -> Version:
    """Lenient parsing for human input: ``' v1.2 '`` -> ``1.2.0``, ``'01.2.3'`` -> ``1.2.3``.

    A leading ``v`` or ``=``, surrounding whitespace, missing minor/patch, leading zeros and a
    prerelease without its ``-`` (``1.2.3rc1``) are forgiven; anything else is still an error.
    Every strict SemVer string coerces to itself. Never used where strictness is asked for.

    >>> str(coerce(" v1.2 "))
    '1.2.0'

    :raises InvalidVersion: when no version can be read from ``text``.
    """
    if not isinstance(text, str):
        raise TypeError(f"coerce() takes a str, not {type(text).__name__}")
    match = _COERCE.match(text.strip())
    if match is None:
        raise InvalidVersion(
            f"{text!r}: cannot read a version here", hint="expected something like 1.2.3 or v1.2"
        )
    major, minor, patch, pre, glued, build = match.groups()
    pre = pre or glued
    try:
        pre_ids = [str(int(i)) if i.isdigit() else i for i in pre.split(".")] if pre else []
        return Version(
            int(major), int(minor or 0), int(patch or 0), pre_ids, build.split(".") if build else ()
        )
    except ValueError as exc:
        if isinstance(exc, InvalidVersion):
            raise
        # int() refuses numbers longer than sys.get_int_max_str_digits().
        raise InvalidVersion(f"{text!r}: a number has too many digits") from None


def naming_problems(version: Version) -> list[str]:
    """Problems with ``version`` under the seed's naming rules (14.1.2); empty when it complies.

    The rules: lowercase prerelease identifiers, and at most 50 characters in all.
    """
    problems: list[str] = []
    for ident in version.prerelease:
        if ident != ident.lower():
            problems.append(f"prerelease identifier {ident!r} must be lowercase")
    if len(str(version)) > MAX_NAME_LENGTH:
        problems.append(f"{len(str(version))} characters, more than the {MAX_NAME_LENGTH} allowed")
    return problems


def ci_build_metadata(environ: Mapping[str, str]) -> tuple[str, ...] | None:
    """Build metadata for a CI build (seed 3.1.2), or ``None`` outside CI.

    When ``CI`` is set: ``('build', BUILD_NUMBER or '0', GIT_COMMIT[:8])``, e.g.
    ``+build.123.abcdef12``. Characters SemVer does not allow are replaced by ``-``.
    """
    if not environ.get("CI"):
        return None
    number = environ.get("BUILD_NUMBER", "0") or "0"
    commit = (environ.get("GIT_COMMIT", "unknown") or "unknown")[:8]
    ids = ["build", number, commit]
    return tuple(re.sub(r"[^0-9A-Za-z-]", "-", i) or "0" for i in ids)
