"""The api-versions.yml store: seed shape in, round-trip edits out, errors with lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from polaris.apis.clients import CompatibilityLevel
from polaris.apis.lifecycle import APIVersionState
from polaris.apis.versions_file import APIVersionsFile, read_matrix
from polaris.core.errors import InvalidInput, NotFound

SEED = """\
# The platform's API versions (seed 5.1.3)
api_compatibility_matrix:
  v1:
    status: "deprecated"
    deprecation_date: "2025-06-01"
    retirement_date: "2025-12-01"
    compatible_clients: ["mobile_app_v1.x", "cli_tool_v1.x"]
    breaking_changes:
      - "Authentication method changed from API key to JWT"
      - "Pagination format updated"

  v2:
    status: "active"
    introduced_date: "2025-03-01"
    compatible_clients: ["web_ui_v2.x", "mobile_app_v2.x", "cli_tool_v2.x"]
    backward_compatible_with: []

  v3:
    status: "development"
    planned_release: "2025-12-01"
    breaking_changes:
      - "GraphQL migration for complex queries"
      - "Real-time subscription endpoints"
"""


def _write(tmp_path: Path, text: str, name: str = "api-versions.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_the_seed_matrix(tmp_path: Path) -> None:
    """States, dates, breaking changes and client declarations come from the seed's shape."""
    data = read_matrix(_write(tmp_path, SEED))
    v1 = data.catalog.get("v1")
    assert v1.state is APIVersionState.DEPRECATED
    assert v1.deprecated_on == date(2025, 6, 1)
    assert v1.retires_on == date(2025, 12, 1)
    assert v1.breaking_changes[0].startswith("Authentication")
    assert data.catalog.get("v3").planned_release == date(2025, 12, 1)
    check = data.clients.check("mobile_app", "1.4.0", "v1")
    assert check.level is CompatibilityLevel.FULLY
    assert data.clients.check("web_ui", "2.3.0", "v2").declared


def test_missing_store_is_empty(tmp_path: Path) -> None:
    """A store whose file does not exist yet holds no versions."""
    assert len(APIVersionsFile(tmp_path / "none.yml").load()) == 0


def test_missing_import_source(tmp_path: Path) -> None:
    """Importing a missing file is NotFound."""
    with pytest.raises(NotFound):
        read_matrix(tmp_path / "none.yml")


def test_save_round_trips_and_keeps_comments(tmp_path: Path) -> None:
    """Saving a changed catalog edits the file in place: comments and other keys survive."""
    path = _write(tmp_path, SEED + "owner: platform-team  # who to ask\n")
    store = APIVersionsFile(path)
    cat = store.load().activate("v3", date(2026, 1, 5))
    store.save(cat)
    text = path.read_text()
    assert text.startswith("# The platform's API versions (seed 5.1.3)")
    assert "owner: platform-team  # who to ask" in text
    again = store.load()
    assert again.get("v3").state is APIVersionState.ACTIVE
    assert again.get("v3").introduced == date(2026, 1, 5)
    assert again.get("v1") == cat.get("v1")
    assert not list(tmp_path.glob(".api-versions.yml.*"))  # no temp file left behind


def test_policy_is_read(tmp_path: Path) -> None:
    """lifecycle_policy sets the notice and retirement periods."""
    text = "lifecycle_policy: {notice_days: 30, retirement_days: 60}\n" + SEED
    assert APIVersionsFile(_write(tmp_path, text)).load().policy.notice.days == 30


@pytest.mark.parametrize(
    ("bad", "message", "line"),
    [
        ('status: "deprecated"', "unknown status 'sunsetting'", 4),
        ('deprecation_date: "2025-06-01"', "'2025-13-01' is not a date", 5),
    ],
)
def test_errors_name_file_line_and_field(tmp_path: Path, bad: str, message: str, line: int) -> None:
    """A bad value is reported with its line and dotted field."""
    replacement = {
        'status: "deprecated"': 'status: "sunsetting"',
        'deprecation_date: "2025-06-01"': 'deprecation_date: "2025-13-01"',
    }[bad]
    path = _write(tmp_path, SEED.replace(bad, replacement, 1))
    with pytest.raises(InvalidInput, match=message) as info:
        APIVersionsFile(path).load()
    assert info.value.location.line == line
    assert info.value.location.file == str(path)
    assert info.value.location.field is not None
    assert info.value.location.field.startswith("api_compatibility_matrix.v1.")


def test_inconsistent_record(tmp_path: Path) -> None:
    """A deprecated version without a deprecation date is refused on load."""
    path = _write(tmp_path, SEED.replace('    deprecation_date: "2025-06-01"\n', ""))
    with pytest.raises(InvalidInput, match="needs a deprecation_date"):
        APIVersionsFile(path).load()


def test_client_rows_and_contradictions(tmp_path: Path) -> None:
    """client_compatibility rows load; a row contradicting compatible_clients is reported."""
    rows = """
client_compatibility:
  - client: web_ui
    versions: "2.0.x"
    api: v2
    level: mostly_compatible
    issues: ["New incident fields may not display"]
"""
    with pytest.raises(InvalidInput, match=r"contradiction: web_ui '2.x' .* and '2.0.x'"):
        APIVersionsFile(_write(tmp_path, SEED + rows)).load_clients()
    ok = SEED.replace('"web_ui_v2.x", ', "") + rows
    result = APIVersionsFile(_write(tmp_path, ok)).load_clients().check("web_ui", "2.0.1", "v2")
    assert result.level is CompatibilityLevel.MOSTLY
    assert result.issues == ("New incident fields may not display",)


def test_bad_yaml(tmp_path: Path) -> None:
    """Broken YAML names its line."""
    with pytest.raises(InvalidInput, match="invalid YAML") as info:
        APIVersionsFile(_write(tmp_path, "api_compatibility_matrix:\n  v1: [\n")).load()
    assert info.value.location.line is not None
