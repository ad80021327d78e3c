"""All-or-nothing writes across files, and exact reads."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import polaris
from polaris.core.errors import VersionFileError
from polaris.versions.files import read_text, write_all

ORIGINALS = {
    "VERSION": "MAJOR_VERSION=2\r\nMINOR_VERSION=1\r\nPATCH_VERSION=0\r\n",
    "docker-compose.yml": "services:\n  api:\n    image: aiops/api:2.1.0\n",
    "infrastructure/helm/Chart.yaml": 'version: 2.1.0\nappVersion: "2.1.0"\n',
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository root holding three version files."""
    for name, text in ORIGINALS.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    (tmp_path / "VERSION").chmod(0o640)
    return tmp_path


def bumped() -> dict[Path, str]:
    return {Path(name): text.replace("1", "2") for name, text in ORIGINALS.items()}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (temporary files included) and its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_read_text_keeps_line_endings_exactly(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a\r\nb\rc\n\xc3\xa9")
    assert read_text(path) == "a\r\nb\rc\né"


def test_read_text_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_text(tmp_path / "missing")
    (tmp_path / "latin1").write_bytes(b"x\ny = '\xe9'\n")
    with pytest.raises(
        VersionFileError, match=r"^latin1:2: not UTF-8 text \(byte 0xe9 at offset 7\)"
    ):
        read_text(tmp_path / "latin1", display="latin1")


def test_writes_every_file_keeping_modes_and_leaving_no_temporary_file(repo: Path) -> None:
    changed = write_all(bumped(), root=repo)
    assert changed == [(repo / name).resolve() for name in ORIGINALS]
    assert snapshot(repo) == {
        name: text.replace("1", "2").encode() for name, text in ORIGINALS.items()
    }
    assert stat.S_IMODE((repo / "VERSION").stat().st_mode) == 0o640
    assert stat.S_IMODE((repo / "docker-compose.yml").stat().st_mode) == 0o644


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_the_owner_of_a_file_is_kept(repo: Path) -> None:
    os.chown(repo / "VERSION", 65534, 65534)
    write_all(bumped(), root=repo)
    st = (repo / "VERSION").stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o640)


def test_unchanged_files_are_not_touched(repo: Path) -> None:
    before = (repo / "VERSION").stat()
    changes = bumped()
    changes[Path("VERSION")] = ORIGINALS["VERSION"]
    changed = write_all(changes, root=repo)
    after = (repo / "VERSION").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert (repo / "VERSION").resolve() not in changed


def test_absolute_paths_inside_the_root_and_new_files(repo: Path) -> None:
    write_all({repo / "VERSION": "x\n", Path("infrastructure/NEW"): "1.3.0\n"}, root=repo)
    assert (repo / "VERSION").read_bytes() == b"x\n"
    assert (repo / "infrastructure/NEW").read_bytes() == b"1.3.0\n"
    assert stat.S_IMODE((repo / "infrastructure/NEW").stat().st_mode) == 0o644


def test_errors_name_absolute_paths_relative_to_the_root(repo: Path) -> None:
    (repo / "charts").mkdir()
    with pytest.raises(VersionFileError, match=r"^charts: not a regular file"):
        write_all({repo / "VERSION": "x\n", repo / "charts": "y\n"}, root=repo)


def test_new_file_in_a_missing_directory_is_refused(repo: Path) -> None:
    with pytest.raises(
        VersionFileError, match=r"^nope/VERSION: cannot write the file: its directory"
    ):
        write_all({**bumped(), Path("nope/VERSION"): "1.0.0\n"}, root=repo)
    assert snapshot(repo) == {n: t.encode() for n, t in ORIGINALS.items()}


def test_a_symlink_inside_the_root_is_written_through(repo: Path) -> None:
    (repo / "current").symlink_to("VERSION")
    write_all({Path("current"): "MAJOR_VERSION=3\n"}, root=repo)
    assert (repo / "current").is_symlink()
    assert (repo / "VERSION").read_bytes() == b"MAJOR_VERSION=3\n"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "../outside.txt",
            r"^\.\./outside\.txt: refusing to write: the path is outside the repository",
        ),
        (
            "link-out",
            r"^link-out: refusing to write: the path is a symlink to .*outside\.txt, outside",
        ),
        (
            "dir-link/outside.txt",
            r"^dir-link/outside\.txt: refusing to write: the path is a symlink",
        ),
        (".", r"^\.: refusing to write: the path is the repository root"),
    ],
)
def test_paths_escaping_the_root_are_refused(tmp_path: Path, name: str, message: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "VERSION").write_text("1.0.0\n")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n")
    (repo / "link-out").symlink_to(outside)
    (repo / "dir-link").symlink_to(tmp_path)
    with pytest.raises(VersionFileError, match=message):
        write_all({Path("VERSION"): "2.0.0\n", Path(name): "pwned\n"}, root=repo)
    assert outside.read_text() == "keep\n"
    assert (repo / "VERSION").read_text() == "1.0.0\n"


def test_an_absolute_path_outside_the_root_is_refused(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = tmp_path_factory.mktemp("other") / "VERSION"
    with pytest.raises(VersionFileError, match="outside the repository root"):
        write_all({other: "1.0.0\n"}, root=repo)
    assert not other.exists()


def test_a_directory_as_target_fails_before_any_write(repo: Path) -> None:
    (repo / "charts").mkdir()
    (repo / "charts" / "x").write_text("x")
    changes = {**bumped(), Path("charts"): "2.2.0\n"}
    with pytest.raises(VersionFileError, match=r"^charts: not a regular file"):
        write_all(changes, root=repo)
    assert snapshot(repo) == {**{n: t.encode() for n, t in ORIGINALS.items()}, "charts/x": b"x"}


def test_two_contents_for_one_file_are_refused(repo: Path) -> None:
    (repo / "alias").symlink_to("VERSION")
    with pytest.raises(
        VersionFileError, match=r"^alias: two different contents given for the same file"
    ):
        write_all({Path("VERSION"): "a\n", Path("alias"): "b\n"}, root=repo)


def test_a_temporary_file_that_cannot_be_created_changes_nothing(repo: Path) -> None:
    """The last file's name is so long that its temporary file name exceeds NAME_MAX."""
    long_name = "v" * 240
    (repo / long_name).write_text("1.0.0\n")
    changes = {**bumped(), Path(long_name): "2.0.0\n"}
    with pytest.raises(
        VersionFileError, match=rf"^{long_name}: cannot write the file: .*; no file was changed"
    ):
        write_all(changes, root=repo)
    assert snapshot(repo) == {
        **{n: t.encode() for n, t in ORIGINALS.items()},
        long_name: b"1.0.0\n",
    }


_READ_ONLY_DIR_SCRIPT = """
import sys
from pathlib import Path
from polaris.core.errors import VersionFileError
from polaris.versions.files import write_all
ORIGINALS = %r
repo = Path(sys.argv[1])
try:
    write_all({Path(n): t.replace("1", "2") for n, t in ORIGINALS.items()}, root=repo)
except VersionFileError as exc:
    print(exc.one_line())
    sys.exit(3)
"""


def test_a_read_only_directory_changes_nothing(repo: Path) -> None:
    """A directory the writer may not write to: nothing changes. Root ignores directory
    permissions, so as root the write runs in a child process as the ``nobody`` user."""
    helm = repo / "infrastructure/helm"
    if os.geteuid() != 0:
        helm.chmod(0o555)
        try:
            with pytest.raises(VersionFileError, match=r"Chart\.yaml: cannot write the file"):
                write_all(bumped(), root=repo)
        finally:
            helm.chmod(0o755)
    else:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to drop to a non-root user")
        # pytest's temporary root is root's 0700: work in a world-traversable copy, where
        # nobody owns every file and directory but helm/, which stays root's 0o755.
        base = Path(tempfile.mkdtemp(prefix="polaris-atomic-"))
        try:
            base.chmod(0o755)
            work = base / "repo"
            shutil.copytree(repo, work)
            for p in [work, *work.rglob("*")]:
                if p != work / "infrastructure/helm":
                    os.chown(p, 65534, 65534)
            src = str(Path(polaris.__file__).resolve().parents[1])
            proc = subprocess.run(
                [
                    setpriv,
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    sys.executable,
                    "-c",
                    _READ_ONLY_DIR_SCRIPT % ORIGINALS,
                    str(work),
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
                env={**os.environ, "PYTHONPATH": src},
            )
            assert proc.returncode == 3, (proc.stdout, proc.stderr)
            assert "Chart.yaml: cannot write the file" in proc.stdout
            assert snapshot(work) == {n: t.encode() for n, t in ORIGINALS.items()}
        finally:
            shutil.rmtree(base)
    assert snapshot(repo) == {n: t.encode() for n, t in ORIGINALS.items()}


def test_a_rename_failing_midway_restores_the_files_already_replaced(repo: Path) -> None:
    """The last rename points at a non-empty directory, so the OS refuses it."""
    blocker = repo / "blocker"
    blocker.mkdir()
    (blocker / "keep").write_text("k")
    last = (repo / "infrastructure/helm/Chart.yaml").resolve()
    calls: list[Path] = []

    def rename(src: str, dst: Path) -> None:
        calls.append(dst)
        os.replace(src, blocker if dst == last else dst)

    with pytest.raises(
        VersionFileError,
        match=r"^infrastructure/helm/Chart\.yaml: cannot replace the file: .*; no file was changed",
    ):
        write_all(bumped(), root=repo, rename=rename)
    assert len(calls) == 3
    assert snapshot(repo) == {**{n: t.encode() for n, t in ORIGINALS.items()}, "blocker/keep": b"k"}
    assert stat.S_IMODE((repo / "VERSION").stat().st_mode) == 0o640


def test_an_interrupt_during_the_renames_also_restores(repo: Path) -> None:
    def rename(src: str, dst: Path) -> None:
        if dst.name == "Chart.yaml":
            raise KeyboardInterrupt
        os.replace(src, dst)

    with pytest.raises(KeyboardInterrupt):
        write_all(bumped(), root=repo, rename=rename)
    assert snapshot(repo) == {n: t.encode() for n, t in ORIGINALS.items()}


def test_a_new_file_is_removed_again_when_a_later_rename_fails(repo: Path) -> None:
    def rename(src: str, dst: Path) -> None:
        if dst.name == "Chart.yaml":
            os.replace(src, repo)  # a rename onto the (non-empty) root directory fails
        os.replace(src, dst)

    changes = {Path("NEW"): "1.0.0\n", **bumped()}
    with pytest.raises(VersionFileError, match="no file was changed"):
        write_all(changes, root=repo, rename=rename)
    assert snapshot(repo) == {n: t.encode() for n, t in ORIGINALS.items()}
