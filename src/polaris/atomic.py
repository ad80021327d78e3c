"""Reading files exactly, and writing a set of them all-or-nothing (temp files, then renames).

:func:`write_all` writes every new content to a temporary file beside its target (same permission
bits, fsynced), and only when all of them are written renames each over its target. A failure
before the renames deletes the temporary files and changes nothing; a failure during the renames
puts back the original content of the files already replaced. Either way no file changes.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from polaris.core.errors import Location, VersionFileError

__all__ = ["read_text", "write_all"]

#: Permission bits of a file that did not exist before.
NEW_FILE_MODE: Final = 0o644
_TEMP_SUFFIX: Final = ".polaris-tmp"


def read_text(path: Path, *, display: str | None = None) -> str:
    """The file's text, decoded as UTF-8, with its line endings exactly as they are.

    :param display: how to name the file in errors (its path relative to the repository root).
    :raises OSError: the file is missing or unreadable (``FileNotFoundError``, ...), as ``open``.
    :raises VersionFileError: the file is not UTF-8 text (naming the line of the first bad byte).
    """
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VersionFileError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            location=Location(file=display or str(path), line=data.count(b"\n", 0, exc.start) + 1),
            hint="version files are read and written as UTF-8",
        ) from None


@dataclass(slots=True)
class _Plan:
    target: Path
    display: str
    new: bytes
    old: bytes | None
    mode: int
    #: Owner of the original file, kept when the process may (root editing someone's file).
    owner: tuple[int, int] | None = None
    temp: str | None = None


def write_all(
    changes: Mapping[Path, str],
    *,
    root: Path,
    rename: Callable[[str, Path], None] = os.replace,
) -> list[Path]:
    """Write every ``path -> text`` of ``changes``, all or nothing.

    Relative paths are taken from ``root``; every path must resolve (symlinks followed) inside
    ``root``. A symlink inside ``root`` is written through: its target is replaced, the link stays.
    Files whose content is already ``text`` are not touched. Text is written as UTF-8, newlines
    as they are in ``text``.

    :param rename: the rename primitive (``os.replace``); a seam for fault-injection tests.
    :returns: the files that were changed (resolved paths), in the order given.
    :raises VersionFileError: a path escapes ``root`` or cannot be written; no file was changed.
    """
    plans = _plan(changes, root)
    for plan in plans:
        try:
            plan.temp = _write_temp(plan)
        except BaseException as exc:
            _remove_temps(plans)
            if not isinstance(exc, OSError):
                raise
            raise VersionFileError(
                f"cannot write the file: {exc.strerror or exc}; no file was changed",
                location=Location(file=plan.display),
            ) from exc
    done: list[_Plan] = []
    for plan in plans:
        try:
            rename(plan.temp or "", plan.target)
        except BaseException as exc:
            not_restored = _restore(done)
            _remove_temps(plans)
            if not isinstance(exc, OSError):
                raise
            outcome = (
                "no file was changed"
                if not not_restored
                else f"could not restore {', '.join(not_restored)}"
            )
            raise VersionFileError(
                f"cannot replace the file: {exc.strerror or exc}; {outcome}",
                location=Location(file=plan.display),
            ) from exc
        plan.temp = None
        done.append(plan)
    for directory in {p.target.parent for p in plans}:
        _fsync_dir(directory)
    return [p.target for p in plans]


def _plan(changes: Mapping[Path, str], root: Path) -> list[_Plan]:
    """Validate every path and read every original; nothing is written yet."""
    root_real = Path(os.path.realpath(root))
    if not root_real.is_dir():
        raise VersionFileError(
            "the repository root is not a directory", location=Location(file=str(root))
        )
    plans: dict[Path, _Plan] = {}
    root_abs = Path(os.path.abspath(root))
    for path, text in changes.items():
        candidate = path if path.is_absolute() else root / path
        # Errors name the file as the user wrote it in polaris.toml: relative to the root.
        lexical = Path(os.path.normpath(os.path.abspath(candidate)))
        inside = lexical.is_relative_to(root_abs)
        display = lexical.relative_to(root_abs).as_posix() if inside else str(path)
        target = Path(os.path.realpath(candidate))
        if not target.is_relative_to(root_real) or target == root_real:
            if target == root_real:
                why = "is"
            elif inside:
                why = f"is a symlink to {target}, outside"
            else:
                why = "is outside"
            raise VersionFileError(
                f"refusing to write: the path {why} the repository root {root_real}",
                location=Location(file=display),
            )
        try:
            new = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise VersionFileError(
                f"the new content cannot be encoded as UTF-8: {exc.reason}",
                location=Location(file=display),
            ) from None
        old, mode, owner = _original(target, display)
        if target in plans:
            if plans[target].new != new:
                raise VersionFileError(
                    f"two different contents given for the same file ({plans[target].display})",
                    location=Location(file=display),
                )
            continue
        if old != new:
            plans[target] = _Plan(
                target=target, display=display, new=new, old=old, mode=mode, owner=owner
            )
    return list(plans.values())


def _original(target: Path, display: str) -> tuple[bytes | None, int, tuple[int, int] | None]:
    """The file's current bytes (None if it does not exist), permission bits and owner."""
    try:
        st = target.stat()
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise VersionFileError(
                "cannot write the file: its directory does not exist",
                location=Location(file=display),
            ) from None
        return None, NEW_FILE_MODE, None
    except OSError as exc:
        raise VersionFileError(
            f"cannot read the file: {exc.strerror}", location=Location(file=display)
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise VersionFileError("not a regular file", location=Location(file=display))
    try:
        return target.read_bytes(), stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)
    except OSError as exc:
        raise VersionFileError(
            f"cannot read the file: {exc.strerror}", location=Location(file=display)
        ) from None


def _write_temp(plan: _Plan, content: bytes | None = None) -> str:
    """A fsynced temporary file beside the target holding ``content`` (default: the new text)."""
    fd, temp = tempfile.mkstemp(
        prefix=f".{plan.target.name}.", suffix=_TEMP_SUFFIX, dir=plan.target.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(plan.new if content is None else content)
            handle.flush()
            if plan.owner is not None and plan.owner != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.fchown(handle.fileno(), *plan.owner)
            os.fchmod(handle.fileno(), plan.mode)
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def _restore(done: list[_Plan]) -> list[str]:
    """Put back the original content of files already replaced; the names that failed."""
    failed: list[str] = []
    for plan in reversed(done):
        try:
            if plan.old is None:
                plan.target.unlink()
            else:
                os.replace(_write_temp(plan, plan.old), plan.target)
        except OSError:
            failed.append(plan.display)
    return failed


def _remove_temps(plans: list[_Plan]) -> None:
    for plan in plans:
        if plan.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(plan.temp)
            plan.temp = None


def _fsync_dir(directory: Path) -> None:
    """Make the renames in ``directory`` durable (best effort: not every system allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
