"""Issue 11.14: release notes in the document's template (14.2.1), every section."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._gitrepo import IDENTITY, platform

from polaris.main import main

SECTIONS = [
    "Summary",
    "New Features",
    "Improvements",
    "Bug Fixes",
    "Breaking Changes",
    "Deprecated Features",
    "Dependencies",
    "Infrastructure Changes",
    "Security Updates",
    "Performance Improvements",
    "Known Issues",
    "Upgrade Instructions",
    "Compatibility",
    "Testing",
    "Contributors",
    "Acknowledgments",
]


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


def test_every_section_filled_or_marked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = platform(tmp_path / "demo")
    repo.tag("v1.0.0")
    repo.commit("feat(api): search filters")
    repo.commit("perf: cache embeddings")
    repo.commit("fix: empty query crash")
    repo.commit("security: patch CVE-2026-1")
    repo.commit("ci: run the schema lint")
    repo.commit("build(deps): bump fastapi 0.110 -> 0.111")
    repo.commit("deprecate: the v1 search endpoint")
    repo.commit("feat!: drop the v1 token\n\nBREAKING CHANGE: use JWT; see docs/migration.md")
    repo.tag("v2.0.0")
    code = main(["changelog", "--release", "2.0.0", "--notes", "-C", str(repo.root)])
    out = capsys.readouterr().out
    assert code == 0, out
    headings = [line[4:] for line in out.splitlines() if line.startswith("### ")]
    assert headings == SECTIONS
    assert "## Version: 2.0.0" in out and "**Release Type**: Major" in out

    def section(title: str) -> str:
        return out.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0]

    assert "**api:** search filters" in section("New Features")
    assert "cache embeddings" in section("Performance Improvements")
    assert "cache embeddings" not in section("Improvements")
    assert "empty query crash" in section("Bug Fixes")
    assert "patch CVE-2026-1" in section("Security Updates")
    assert "run the schema lint" in section("Infrastructure Changes")
    assert "bump fastapi" in section("Dependencies")
    assert "the v1 search endpoint" in section("Deprecated Features")
    assert "**Migration Guide**: use JWT; see docs/migration.md" in section("Breaking Changes")
    assert "**Backward Compatible**: No" in section("Compatibility")
    assert "Ada Lovelace" in section("Contributors")
    for title in ("Known Issues", "Testing", "Acknowledgments"):
        assert "<!-- polaris: placeholder -->" in section(title)
