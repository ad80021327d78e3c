"""``polaris deps update --plan|--apply`` against a loopback index, checked by pip's resolver."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from tests.dependencies._servers import make_wheel, simple_index

from polaris.dependencies.updates import rewrite
from polaris.main import main

POLICY = """\
dependency_categories:
  critical:
    update_policy: "manual_approval_required"
    examples: ["fastapi"]
  standard:
    update_policy: "automated_minor_updates"
    examples: ["requests"]
  development:
    update_policy: "automated_updates"
    examples: ["pytest"]
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_rewrite_keeps_format_and_replaces_hashes() -> None:
    text = (
        "# top\n"
        "requests[socks]==2.31.0 ; python_version >= '3.8'  # pinned\n"
        "idna==3.6 \\\n"
        "    --hash=sha256:aaa \\\n"
        "    --hash=sha256:bbb\n"
        "numpy==1.24.4\n"
    )
    new = rewrite(
        text,
        {2: ("requests", "2.31.0", "2.32.3"), 3: ("idna", "3.6", "3.7")},
        {("idna", "3.7"): ["sha256:ccc"]},
    )
    assert new == (
        "# top\n"
        "requests[socks]==2.32.3 ; python_version >= '3.8'  # pinned\n"
        "idna==3.7 \\\n"
        "    --hash=sha256:ccc\n"
        "numpy==1.24.4\n"
    )


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    d = tmp_path / "index"
    d.mkdir()
    for v in ("0.104.1", "0.110.0"):
        make_wheel(d, "fastapi", v)
    for v in ("2.31.0", "2.32.3", "3.0.0"):
        make_wheel(d, "requests", v, requires=["idna>=3"])
    for v in ("3.6", "3.7"):
        make_wheel(d, "idna", v)
    for v in ("7.4.3", "8.3.4"):
        make_wheel(d, "pytest", v)
    return d


def project(tmp_path: Path, index_dir: Path) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "dependencies.yml").write_text(POLICY)
    idna = hashlib.sha256((index_dir / "idna-3.6-py3-none-any.whl").read_bytes()).hexdigest()
    (proj / "requirements.txt").write_text(
        f"fastapi==0.104.1  # critical\nrequests==2.31.0\nidna==3.6 \\\n    --hash=sha256:{idna}\n"
    )
    (proj / "requirements-dev.txt").write_text("-r requirements.txt\npytest==7.4.3\n")
    return proj


def test_plan_then_apply_per_policy(
    tmp_path: Path, index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = project(tmp_path, index_dir)
    before = (proj / "requirements.txt").read_text()
    with simple_index(index_dir) as url:
        code, out, _ = run(
            capsys,
            "deps",
            "update",
            "requirements-dev.txt",
            "-C",
            str(proj),
            "--index-url",
            url,
            "--json",
        )
        assert code == 0, out
        plan = json.loads(out)
        got = {(p["name"], p["target"], p["action"]) for p in plan["proposals"]}
        assert got == {
            ("fastapi", "0.110.0", "approval"),  # critical: proposed, never applied
            ("requests", "2.32.3", "auto"),  # standard: minor allowed ...
            ("requests", "3.0.0", "approval"),  # ... the major needs approval
            ("idna", "3.7", "auto"),
            ("pytest", "8.3.4", "auto"),  # development: everything
        }
        assert plan["install_check"]["ok"] is True
        assert plan["install_check"]["installs"]["requests"] == "2.32.3"
        assert "+requests==2.32.3" in plan["diff"]
        assert (proj / "requirements.txt").read_text() == before
        code, out, _ = run(
            capsys,
            "deps",
            "update",
            "requirements-dev.txt",
            "-C",
            str(proj),
            "--index-url",
            url,
            "--apply",
            "--json",
        )
    assert code == 0, out
    new_hash = hashlib.sha256((index_dir / "idna-3.7-py3-none-any.whl").read_bytes()).hexdigest()
    assert (proj / "requirements.txt").read_text() == (
        "fastapi==0.104.1  # critical\nrequests==2.32.3\n"
        f"idna==3.7 \\\n    --hash=sha256:{new_hash}\n"
    )
    assert (proj / "requirements-dev.txt").read_text() == "-r requirements.txt\npytest==8.3.4\n"


def test_a_conflicting_set_is_reported_and_nothing_written(
    tmp_path: Path, index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = project(tmp_path, index_dir)
    make_wheel(index_dir, "pytest", "8.4.0", requires=["idna<3"])
    before = (proj / "requirements-dev.txt").read_text()
    with simple_index(index_dir) as url:
        code, out, err = run(
            capsys,
            "deps",
            "update",
            "requirements-dev.txt",
            "-C",
            str(proj),
            "--index-url",
            url,
            "--apply",
            "--json",
        )
    assert code == 1
    assert "does not install: nothing written" in err
    check = json.loads(out)["install_check"]
    assert check["ok"] is False
    assert any("conflict" in c.lower() or "idna" in c for c in check["conflicts"])
    assert (proj / "requirements-dev.txt").read_text() == before
