"""`polaris api ...` through Typer's runner on the sub-app (real files, no mocks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from polaris.apis.cli import app
from polaris.core.errors import Conflict, InvalidInput, PolarisError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "aiops-polaris" / "api"
V1, V2 = str(EXAMPLES / "incidents-v1.yaml"), str(EXAMPLES / "incidents-v2.yaml")

runner = CliRunner()


def _run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def _error(result: Result) -> PolarisError:
    assert isinstance(result.exception, PolarisError), result.output
    return result.exception


class TestDiff:
    """api diff: formats, bump, exit codes."""

    def test_example_pair_is_breaking(self) -> None:
        """The incidents v1 -> v2 example needs a major bump and fails --fail-on breaking."""
        r = _run("diff", V1, V2, "--json", "--current", "1.4.0", "--fail-on", "breaking")
        assert r.exit_code == 1
        data = json.loads(r.stdout)
        assert data["bump"] == "major"
        assert data["next"] == "2.0.0"
        rules = {c["rule"] for c in data["changes"]}
        assert {
            "api-path-removed",
            "request-parameter-location-changed",
            "request-property-became-required",
            "response-property-removed",
            "api-security-changed",
            "endpoint-added",
        } <= rules
        removed = next(c for c in data["changes"] if c["rule"] == "api-path-removed")
        assert removed["pointer"] == "/paths/~1incidents~1{id}~1acknowledge/post"
        assert removed["operation"] == "POST /incidents/{id}/acknowledge"

    def test_same_spec_passes(self) -> None:
        """No changes: exit 0 whatever the threshold, bump none."""
        r = _run("diff", V1, V1, "--format", "json", "--fail-on", "medium")
        assert r.exit_code == 0
        assert json.loads(r.stdout)["bump"] == "none"

    def test_threshold_below_worst(self, tmp_path: Path) -> None:
        """With every breaking and high rule silenced, --fail-on high passes, medium fails."""
        data = json.loads(_run("diff", V1, V2, "--json").stdout)
        loud = {c["rule"] for c in data["changes"] if c["impact"] in ("breaking", "high")}
        levels = tmp_path / "levels.yaml"
        levels.write_text("".join(f"{rule}: none\n" for rule in sorted(loud)))
        assert _run("diff", V1, V2, "--levels", str(levels), "--fail-on", "high").exit_code == 0
        assert _run("diff", V1, V2, "--levels", str(levels), "--fail-on", "medium").exit_code == 1

    def test_markdown(self) -> None:
        """Markdown for a PR comment: heading, bump line, a table row per change."""
        r = _run("diff", V1, V2, "--format", "markdown", "--current", "1.4.0")
        assert r.exit_code == 0
        assert r.stdout.startswith("### API changes:")
        assert "**required bump: major (1.4.0 -> 2.0.0);" in r.stdout
        assert "| **breaking** | `api-path-removed` |" in r.stdout

    def test_table(self) -> None:
        """The default table ends with the bump summary."""
        r = _run("diff", V1, V2)
        assert r.exit_code == 0
        assert "required bump: major" in r.stdout

    def test_broken_spec_is_bad_input(self, tmp_path: Path) -> None:
        """A broken spec is a one-line InvalidInput (exit 2) with its pointer."""
        bad = tmp_path / "bad.yaml"
        bad.write_text(Path(V1).read_text().replace("type: integer, minimum: 1", "type: intger"))
        err = _error(_run("diff", V1, str(bad)))
        assert isinstance(err, InvalidInput)
        assert err.exit_code == 2
        assert err.location.field == "/components/parameters/Page/schema/type"

    def test_bad_current_version(self) -> None:
        """--current must be SemVer."""
        assert _error(_run("diff", V1, V2, "--current", "v1")).exit_code == 2

    def test_rules_list(self) -> None:
        """api rules lists every rule id."""
        data = json.loads(_run("rules", "--json").stdout)
        assert {"api-path-removed", "response-property-enum-value-added"} <= {r["id"] for r in data}


class TestVersions:
    """api versions: the lifecycle against a file."""

    def test_lifecycle_and_dry_run(self, tmp_path: Path) -> None:
        """register/activate/deprecate write; --dry-run reports and writes nothing."""
        store = str(tmp_path / "api-versions.yml")
        assert _run("versions", "register", "v1", "--file", store).exit_code == 0
        assert _run("versions", "activate", "v1", "--file", store).exit_code == 0
        assert _run("versions", "register", "v2", "--file", store).exit_code == 0
        assert _run("versions", "activate", "2", "--file", store).exit_code == 0
        before = Path(store).read_text()
        r = _run("versions", "deprecate", "v1", "--file", store, "--dry-run", "--json")
        assert r.exit_code == 0
        outcome = json.loads(r.stdout)
        assert outcome["written"] is False
        assert outcome["after"]["state"] == "deprecated"
        assert outcome["after"]["replacement"] == "v2"
        assert Path(store).read_text() == before
        assert _run("versions", "deprecate", "v1", "--file", store).exit_code == 0
        listed = json.loads(_run("versions", "list", "--file", store, "--json").stdout)
        assert [(v["version"], v["state"]) for v in listed] == [
            ("v1", "deprecated"),
            ("v2", "active"),
        ]

    def test_illegal_transition(self, tmp_path: Path) -> None:
        """Retiring an active version is a Conflict (exit 1) and leaves the file alone."""
        store = str(tmp_path / "api-versions.yml")
        _run("versions", "register", "v1", "--file", store)
        _run("versions", "activate", "v1", "--file", store)
        before = Path(store).read_text()
        err = _error(_run("versions", "retire", "v1", "--file", store))
        assert isinstance(err, Conflict)
        assert err.exit_code == 1
        assert Path(store).read_text() == before

    def test_import_seed_matrix(self, tmp_path: Path) -> None:
        """versions import reads the seed's api_compatibility_matrix."""
        seed = tmp_path / "seed.yml"
        seed.write_text(
            "api_compatibility_matrix:\n"
            "  v1: {status: deprecated, deprecation_date: '2025-06-01',"
            " retirement_date: '2025-12-01', compatible_clients: [mobile_app_v1.x]}\n"
            "  v2: {status: active, introduced_date: '2025-03-01'}\n"
        )
        store = tmp_path / "api-versions.yml"
        r = _run("versions", "import", str(seed), "--file", str(store), "--dry-run")
        assert r.exit_code == 0
        assert not store.exists()
        assert _run("versions", "import", str(seed), "--file", str(store)).exit_code == 0
        r = _run("clients", "check", "mobile_app", "1.3.0", "--api", "v1", "--file", str(store))
        assert "fully_compatible" in r.stdout

    def test_bad_date_option(self, tmp_path: Path) -> None:
        """--sunset must be a date."""
        store = str(tmp_path / "a.yml")
        err = _error(_run("versions", "deprecate", "v1", "--sunset", "soon", "--file", store))
        assert err.location.field == "--sunset"


def test_clients_check_json(tmp_path: Path) -> None:
    """clients check answers level, issues, workarounds and migration."""
    store = tmp_path / "api-versions.yml"
    store.write_text(
        "api_compatibility_matrix:\n  v2: {status: active}\n"
        "client_compatibility:\n"
        "  - {client: web_ui, versions: 2.0.x, api: v2, level: mostly,"
        " issues: [New fields may not display], workarounds: [Upgrade to 2.1]}\n"
    )
    r = _run("clients", "check", "web_ui", "2.0.4", "--api", "2", "--file", str(store), "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["level"] == "mostly_compatible"
    assert data["issues"] == ["New fields may not display"]
    assert data["workarounds"] == ["Upgrade to 2.1"]
    assert data["migration_required"] is False


@pytest.mark.parametrize("version", ["2.0", "x"])
def test_clients_check_bad_version(tmp_path: Path, version: str) -> None:
    """A client version that is not SemVer is bad input."""
    store = tmp_path / "api-versions.yml"
    store.write_text("api_compatibility_matrix: {}\n")
    err = _error(_run("clients", "check", "web_ui", version, "--api", "v2", "--file", str(store)))
    assert err.exit_code == 2


def test_clients_check_warns_about_overlaps(tmp_path: Path) -> None:
    """Agreeing overlaps are reported on stderr; the answer still comes."""
    store = tmp_path / "api-versions.yml"
    store.write_text(
        "api_compatibility_matrix:\n  v2: {status: active, compatible_clients: [web_ui_v2.x]}\n"
        "client_compatibility:\n  - {client: web_ui, versions: '>=2.5.0', api: v2, level: fully}\n"
    )
    r = _run("clients", "check", "web_ui", "2.6.0", "--api", "v2", "--file", str(store))
    assert r.exit_code == 0
    assert "warning: overlap: web_ui '2.x'" in r.stderr
    assert "fully_compatible" in r.stdout
