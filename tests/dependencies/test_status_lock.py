"""``polaris deps status`` and ``deps lock check`` against a real simple index on loopback."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from tests.dependencies._servers import make_sdist, make_wheel, simple_index

from polaris.dependencies.index import SimpleIndex
from polaris.main import main

POLICY = """\
dependency_categories:
  critical:
    description: "Core functionality dependencies"
    update_policy: "manual_approval_required"
    security_monitoring: "real_time"
    examples: ["fastapi"]
  standard:
    update_policy: "automated_minor_updates"
    security_monitoring: "daily"
    examples: ["requests"]
  development:
    update_policy: "automated_updates"
    security_monitoring: "weekly"
    examples: ["pytest"]
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    d = tmp_path / "index"
    d.mkdir()
    for name, versions in {
        "fastapi": ["0.104.1", "0.105.0", "1.0.0"],
        "requests": ["2.31.0", "2.32.3", "3.0.0"],
        "pytest": ["7.4.3", "8.3.4", "9.0.0rc1"],
        "black": ["23.11.0", "24.1.0"],
        "idna": ["3.6", "3.7"],
    }.items():
        for v in versions:
            make_wheel(d, name, v)
    make_sdist(d, "idna", "3.6")
    return d


def sha(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("html_only", [False, True], ids=["pep691-json", "pep503-html"])
def test_index_pages_list_versions_hashes_and_yanks(index_dir: Path, html_only: bool) -> None:
    yanked = frozenset({"requests-2.32.3-py3-none-any.whl"})
    with simple_index(index_dir, html_only=html_only, yanked=yanked) as url:
        index = SimpleIndex(url)
        page = index.project("Requests")
        assert index.project("no-such-thing") is None
        index.close()
    assert page is not None
    assert sorted(page.versions) == [("2.31.0", False), ("2.32.3", True), ("3.0.0", False)]
    whl = next(f for f in page.files if f.version == "2.31.0")
    assert "sha256:" + whl.hashes["sha256"] == sha(index_dir / whl.filename)


def test_status_classifies_updates_and_applies_policies(
    tmp_path: Path, index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "dependencies.yml").write_text(POLICY)
    (proj / "requirements.txt").write_text("fastapi==0.104.1\nrequests==2.31.0\nidna==3.7\n")
    (proj / "requirements-dev.txt").write_text("pytest==7.4.3\nblack==23.11.0\n")
    with simple_index(index_dir, yanked=frozenset({"idna-3.7-py3-none-any.whl"})) as url:
        code, out, _ = run(capsys, "deps", "status", "-C", str(proj), "--index-url", url, "--json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)["packages"]}
    assert {n: (r["newest"], r["update"], r["category"], r["action"]) for n, r in rows.items()} == {
        "black": ("24.1.0", "major", "development", "auto"),
        "fastapi": ("1.0.0", "major", "critical", "approval"),
        "idna": ("3.6", "none", "standard", "none"),
        "pytest": ("8.3.4", "major", "development", "auto"),
        "requests": ("3.0.0", "major", "standard", "approval"),
    }
    assert rows["idna"]["yanked"] is True
    assert rows["idna"]["notes"] == ["pinned version 3.7 is yanked"]
    assert rows["pytest"]["newest_prerelease"] == "9.0.0rc1"
    assert rows["fastapi"]["source"] == "requirements.txt:1"


def test_status_names_an_unreachable_index_with_its_own_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").write_text("fastapi==0.104.1\n")
    code, _, err = run(
        capsys, "deps", "status", "-C", str(tmp_path), "--index-url", "http://127.0.0.1:9/simple/"
    )
    assert code == 3
    assert "package index http://127.0.0.1:9/simple/ did not answer" in err


def test_lock_check_passes_with_the_index_hashes_and_fails_on_a_wrong_one(
    tmp_path: Path, index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    whl = sha(index_dir / "idna-3.6-py3-none-any.whl")
    sdist = sha(index_dir / "idna-3.6.tar.gz")
    fastapi = sha(index_dir / "fastapi-0.104.1-py3-none-any.whl")
    (proj / "requirements.txt").write_text("fastapi>=0.100,<0.105\nidna==3.6\n")
    lock = proj / "requirements-lock.txt"
    lock.write_text(
        f"fastapi==0.104.1 \\\n    --hash={fastapi}\nidna==3.6 \\\n    --hash={whl} \\\n"
        f"    --hash={sdist}\n"
    )
    files = ["requirements.txt", "requirements-lock.txt"]
    with simple_index(index_dir) as url:
        code, out, _ = run(
            capsys, "deps", "lock", "check", *files, "-C", str(proj), "--index-url", url, "--json"
        )
        assert code == 0, out
        assert json.loads(out)["pins_checked"] == 2
        lock.write_text(f"fastapi==0.104.1 --hash=sha256:{'0' * 64}\nidna==3.6\n")
        code, out, err = run(
            capsys, "deps", "lock", "check", *files, "-C", str(proj), "--index-url", url, "--json"
        )
    assert code == 1
    assert "2 lock problem(s)" in err
    problems = {(p["kind"], p["package"], p["source"]) for p in json.loads(out)["problems"]}
    assert problems == {
        ("hash-mismatch", "fastapi", "requirements-lock.txt:1"),
        ("no-hash", "idna", "requirements-lock.txt:2"),
    }


def test_lock_that_does_not_match_its_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "package.json").write_text(
        json.dumps({"dependencies": {"lodash": "^4.17.21", "react": "~18.2.0"}})
    )
    (tmp_path / "package-lock.json").write_text(
        json.dumps(
            {
                "lockfileVersion": 3,
                "packages": {
                    "node_modules/lodash": {"version": "4.17.20", "integrity": "sha512-x"},
                    "node_modules/react": {"version": "18.2.9", "integrity": "sha512-y"},
                },
            }
        )
    )
    code, out, _ = run(
        capsys,
        "deps",
        "lock",
        "check",
        "package.json",
        "package-lock.json",
        "-C",
        str(tmp_path),
        "--offline",
        "--json",
    )
    assert code == 1
    (problem,) = json.loads(out)["problems"]
    assert problem["kind"] == "out-of-range"
    assert problem["message"] == (
        "lodash is locked at 4.17.20, outside ^4.17.21 required by package.json"
    )


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aiops-polaris"


def test_smoke_example_lock_against_the_configured_index(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The example's hashed lock against the index pip is configured with; skips when offline."""
    import httpx

    from polaris.dependencies.index import default_index_url

    try:
        httpx.get(default_index_url().rstrip("/") + "/fastapi/", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        pytest.skip(f"the configured index is unreachable: {exc}")
    code, out, _ = run(
        capsys,
        "deps",
        "lock",
        "check",
        "requirements.txt",
        "requirements-lock.txt",
        "-C",
        str(EXAMPLE),
        "--json",
    )
    assert code == 0, out
    assert json.loads(out)["pins_checked"] == 12


def test_example_files_parse_with_the_documents_policy() -> None:
    from polaris.dependencies.service import open_workspace

    ws = open_workspace(EXAMPLE, [Path("requirements.txt"), Path("requirements-dev.txt")])
    book = ws.book
    cats = {d.name: book.category_of(d).name for d in ws.dependencies}
    assert (cats["fastapi"], cats["numpy"], cats["pytest"], cats["mypy"]) == (
        "critical",
        "standard",
        "development",
        "development",
    )
    assert [c.update_policy.value for c in book.categories] == [
        "manual_approval_required",
        "automated_minor_updates",
        "automated_updates",
    ]
