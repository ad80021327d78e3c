"""``polaris images tags`` in a real git repository: version from the project, branch, commit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests._gitrepo import platform

from polaris.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_release_build_and_branch_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = platform(tmp_path / "p")
    repo.write(
        "docker-registry.yml", 'image_registry:\n  primary: "ghcr.io/company/aiops-polaris"\n'
    )
    repo.commit("chore: registry policy")
    repo.tag("api-v0.3.0")
    sha = repo.head()
    code, out, _ = run(capsys, "images", "tags", "-c", "api", "-C", str(repo.root), "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["tags"] == ["v0.3.0", "0.3.0", "latest", "main", sha[:7]]
    assert doc["refs"][0] == "ghcr.io/company/aiops-polaris/api:v0.3.0"
    assert doc["labels"]["org.opencontainers.image.revision"] == sha
    assert doc["labels"]["version"] == "0.3.0"
    repo.git("checkout", "-q", "-b", "feature/Login")
    repo.write("src/api/x.py", "x = 1\n")
    repo.commit("feat(api): x")
    code, out, _ = run(capsys, "images", "tags", "-c", "api", "-C", str(repo.root))
    assert out.splitlines() == [
        "ghcr.io/company/aiops-polaris/api:feature-login",
        f"ghcr.io/company/aiops-polaris/api:{repo.head()[:7]}",
    ]
    code, out, _ = run(
        capsys,
        "images",
        "tags",
        "--image",
        "x/y",
        "--version",
        "2.1.0",
        "-C",
        str(repo.root),
        "--format",
        "label",
    )
    assert "--label org.opencontainers.image.version=2.1.0" in out
    assert "--label version=2.1.0" in out
    code, out, _ = run(
        capsys,
        "images",
        "tags",
        "--image",
        "x/y",
        "--version",
        "2.1.0",
        "-C",
        str(repo.root),
        "--format",
        "build-arg",
    )
    assert out.startswith("--build-arg VERSION=2.1.0 --build-arg CREATED=")
    code, _, _ = run(
        capsys, "images", "tags", "--image", "x/y", "--version", "2.1", "-C", str(repo.root)
    )
    assert code == 2


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aiops-polaris"


def test_example_component_following_the_platform(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "images",
        "tags",
        "-c",
        "api",
        "-C",
        str(EXAMPLE),
        "--branch",
        "develop",
        "--commit",
        "abcdef1234",
        "--release",
        "--json",
    )
    assert code == 0, out
    doc = json.loads(out)
    assert doc["refs"] == [
        "ghcr.io/company/aiops-polaris/api:v2.1.0",
        "ghcr.io/company/aiops-polaris/api:2.1.0",
        "ghcr.io/company/aiops-polaris/api:latest",
        "ghcr.io/company/aiops-polaris/api:develop",
        "ghcr.io/company/aiops-polaris/api:abcdef1",
    ]
    assert doc["labels"]["org.opencontainers.image.title"] == "api"
