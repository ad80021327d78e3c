"""Issue 11.13: the document's compatibility files (seed 5.1.3 and 11.1) read exactly as written,
and shown in the range format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from polaris.compat.config import load_matrix
from polaris.core.errors import ConfigError
from polaris.main import main

ROOT = Path(__file__).resolve().parents[2]
DOC_11_1 = ROOT / "docs" / "examples" / "compatibility-matrix.yml"
DOC_5_1_3 = ROOT / "docs" / "examples" / "api-compatibility-matrix.yml"
EXAMPLE = ROOT / "examples" / "aiops-polaris"
#: The customer's document, in the shared folder laid beside the checkout (as CI lays it).
SEED = ROOT.parent / "shared" / "seed" / "version-management-document.md"


def test_the_docs_copies_are_the_documents_blocks_verbatim() -> None:
    """The files under docs/examples are the document's YAML blocks, byte for byte."""
    if not SEED.is_file():
        pytest.skip("the customer's document is not beside this checkout")
    seed = SEED.read_text(encoding="utf-8")
    for path in (DOC_11_1, DOC_5_1_3):
        body = "".join(
            line + "\n" for line in path.read_text().splitlines() if not line.startswith("#")
        )
        assert body in seed.replace("# compatibility-matrix.yml\n", ""), path


def test_section_11_1_reads_as_written() -> None:
    matrix = load_matrix(DOC_11_1)
    rules = {(r.source, r.target): (str(r.when.raw), str(r.allowed.raw)) for r in matrix.rules}
    assert rules[("api_service", "web_ui")] == ("2.1.0", "2.x")
    assert rules[("agent_services", "rag_search")] == ("2.1.0", "1.3.x")
    assert rules[("platform", "mysql")] == ("2.1.0", "8.0.x")
    backward = {b.component: b for b in matrix.backward}
    assert [str(r.raw) for r in backward["api"].supports] == ["2.0.x"]
    assert [str(r.raw) for r in backward["api"].deprecated] == ["1.x"]
    assert [str(r.raw) for r in backward["rag_search"].migration_required] == ["1.1.x", "1.0.x"]
    [plan] = matrix.forward
    assert (plan.component, plan.version, plan.timeline) == ("api", "3.0.0", "2025-12-01")


def test_section_5_1_3_reads_as_written() -> None:
    matrix = load_matrix(DOC_5_1_3)
    rules = sorted((str(r.when.raw), r.target, str(r.allowed.raw)) for r in matrix.rules)
    assert ("1.x", "mobile_app", "1.x") in rules and ("2.x", "web_ui", "2.x") in rules
    [plan] = matrix.forward
    assert plan.version == "3.0.0" and "Real-time subscription endpoints" in plan.breaking_changes


def test_show_prints_the_range_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compat", "show", "-f", str(DOC_11_1), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    web = next(r for r in data["rules"] if r["target"] == "web_ui")
    assert (web["allowed"], web["range"]) == ("2.x", ">=2.0.0 <3.0.0-0")


def test_document_names_match_project_components(capsys: pytest.CaptureFixture[str]) -> None:
    """``api_service`` and ``agent_services`` are the example's api and agents (by description)."""
    code = main(
        [
            "compat",
            "check",
            "-C",
            str(EXAMPLE),
            "-f",
            str(DOC_11_1),
            "--set",
            "classification=1.1.0",
            "--json",
        ]
    )
    assert code == 1
    messages = [v["message"] for v in json.loads(capsys.readouterr().out)["violations"]]
    assert "agents 2.1.0 requires classification 1.2.x, but 1.1.0 is present" in messages


def test_a_bad_glued_entry_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "c.yml"
    bad.write_text(
        "version_compatibility:\n  platform_v2.1.0:\n    components:\n      api:\n"
        '        version: "2.1.0"\n        compatible_clients: ["web_ui"]\n'
    )
    with pytest.raises(ConfigError) as info:
        load_matrix(bad)
    assert "c.yml:6" in info.value.one_line()
    assert "expected NAME_RANGE like web_ui_2.x" in info.value.one_line()
