"""The one error hierarchy of Polaris.

Every failure a user can cause or meet is a :class:`PolarisError`. Each carries *what* was wrong,
*where* (file, line, field) and a *hint*, so the CLI prints it in one line and the HTTP API maps
it to an RFC 9457 problem document with a stable ``type``::

    PolarisError
    ├── InvalidInput                 bad input: exit code 2, HTTP 400/422
    │   ├── InvalidVersion           a string that is not SemVer 2.0.0 (also a ValueError)
    │   ├── InvalidRange             a malformed range expression (also a ValueError)
    │   ├── ConfigError              polaris.toml / [tool.polaris] is malformed
    │   │   └── ConfigProblems       project.load: several problems, reported at once
    │   ├── VersionFileError         a version file cannot be read or edited as configured
    │   ├── CommitLintError          commits: a message that is not a Conventional Commit
    │   ├── ToolMissing              recovery.tools: a backup tool is not installed
    │   └── Unsatisfiable            compat.resolver: no version set meets the rules
    ├── CheckFailed                  a check ran and said no: exit code 1
    │   ├── VersionMismatch          version files disagree
    │   ├── PlatformBumpTooSmall     platform.rules: the release bump is below what changed
    │   ├── PromotionGateFailed      models.rules: a metric misses the promotion gate
    │   ├── FreezeRefused            calendar.service: a freeze window is active
    │   ├── SchemaViolations         configs.schema: a configuration breaks its JSON Schema
    │   ├── UnresolvedReference      configs.secrets: a ${...} reference has no value
    │   ├── DeployerError            deployments.deployers: the deployer failed
    │   ├── ManifestCorrupted        recovery.rules: a recovery manifest fails its sha256
    │   ├── BackupFailed             recovery.tools: a backup or restore tool failed
    │   └── SqlExecError             migrations.sqlexec: the database refused a statement
    │       ├── ConnectError         migrations.sqlexec: the database cannot be reached
    │       └── MigrationFailed      migrations.sqlexec: a statement of a migration failed
    ├── NotFound                     a named thing does not exist: exit code 2, HTTP 404
    ├── Conflict                     the thing exists already / state forbids it: exit 1, HTTP 409
    │   ├── StageRuleViolation       models.rules: a stage move the lifecycle forbids
    │   ├── DuplicateRow             store.session: a concurrent writer took a unique key
    │   └── LockTimeout              migrations.sqlexec: another runner holds the lock
    ├── AuthenticationRequired       core.actors: no valid token: HTTP 401
    ├── PermissionDenied             core.actors: the token's role is too low: HTTP 403
    ├── ArtifactCorrupted            stored bytes no longer match their digest: exit 1
    ├── GitError                     scm.git: git failed or the repository is unusable
    │   └── ShallowCloneError        scm.git: history too shallow to read
    └── Unavailable                  a server or tool could not be reached: exit 3, HTTP 503
        └── CouldNotCheck            a check's index, advisory service or registry did not answer

Errors defined in a capability are raised there and listed here; ``tests/core/test_errors.py``
checks that the tree names every subclass. Attributes are class-level: an error's slug, status
and exit code follow from its class, never from the instance.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ArtifactCorrupted",
    "CheckFailed",
    "ConfigError",
    "Conflict",
    "CouldNotCheck",
    "InvalidInput",
    "InvalidRange",
    "InvalidVersion",
    "Location",
    "NotFound",
    "PolarisError",
    "Unavailable",
    "VersionFileError",
    "VersionMismatch",
]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: any of file, line (1-based) and field may be known."""

    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(self.field)
        return ": ".join(parts)


class PolarisError(Exception):
    """Root of every error Polaris raises on purpose.

    :param message: what is wrong, one sentence, no trailing period needed.
    :param location: where it is wrong, if known.
    :param hint: what the user can do about it.
    """

    #: Process exit code the CLI uses for this class of error.
    exit_code: int = 2
    #: Stable slug for the HTTP problem ``type`` URI.
    slug: str = "error"
    #: HTTP status the API answers with.
    http_status: int = 400

    def __init__(
        self, message: str, *, location: Location | None = None, hint: str | None = None
    ) -> None:
        self.message = message
        self.location = location or Location()
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The error as one line: ``where: what (hint: ...)``."""
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text} (hint: {self.hint})"
        return text


class InvalidInput(PolarisError):
    """Input that does not have the expected form."""

    slug = "invalid-input"
    http_status = 422


class InvalidVersion(InvalidInput, ValueError):
    """A string that is not a SemVer 2.0.0 version.

    >>> str(InvalidVersion("'1.02.3': numeric identifier '02' has a leading zero"))
    "'1.02.3': numeric identifier '02' has a leading zero"
    """

    slug = "invalid-version"


class InvalidRange(InvalidInput, ValueError):
    """A malformed version range expression."""

    slug = "invalid-range"


class ConfigError(InvalidInput):
    """The project configuration is malformed."""

    slug = "invalid-config"


class VersionFileError(InvalidInput):
    """A version file that cannot be read or edited as configured."""

    slug = "version-file"


class CheckFailed(PolarisError):
    """A check ran and its answer is no."""

    exit_code = 1
    slug = "check-failed"
    http_status = 409


class VersionMismatch(CheckFailed):
    """Version files of one component disagree."""

    slug = "version-mismatch"


class NotFound(PolarisError):
    """A named thing does not exist."""

    slug = "not-found"
    http_status = 404


class Conflict(PolarisError):
    """The thing exists already, or its state forbids the operation."""

    exit_code = 1
    slug = "conflict"
    http_status = 409


class ArtifactCorrupted(PolarisError):
    """Stored bytes no longer match their digest."""

    slug = "artifact-corrupted"
    http_status = 500
    exit_code = 1


class Unavailable(PolarisError):
    """A server or tool that Polaris needs could not be reached: nothing was checked or changed."""

    slug = "unavailable"
    http_status = 503
    exit_code = 3


class CouldNotCheck(Unavailable):
    """A check could not run: the index, advisory service or registry it needs did not answer.

    Its exit code (3) differs from a failed check's (1), so CI can tell "vulnerable" from "unknown".
    """

    slug = "could-not-check"
