"""``polaris deps audit`` online (an OSV API on loopback) and offline (an imported export)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from tests.dependencies._advisories import RECORDS
from tests.dependencies._servers import osv_server

from polaris.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "requirements.txt").write_text("fastapi==0.104.1\nrequests==2.30.0\njinja2==3.1.3\n")
    (proj / "package-lock.json").write_text(
        json.dumps(
            {
                "lockfileVersion": 3,
                "packages": {
                    "node_modules/lodash": {"version": "4.17.20"},
                    "node_modules/ip": {"version": "2.0.1"},
                },
            }
        )
    )
    return proj


#: Hand-derived: fastapi 0.104.1 < 0.109.1 (high); requests 2.30.0 in [2.3.0, 2.31.0) (medium,
#: PYSEC and GHSA merged, the withdrawn record dropped); jinja2 3.1.3 is the fix (clean);
#: lodash 4.17.20 < 4.17.21 (high); ip 2.0.1 = last_affected (high).
EXPECTED = {
    ("fastapi", "GHSA-qf9m-vfgh-m389", "high"),
    ("requests", "PYSEC-2023-74", "medium"),
    ("lodash", "GHSA-35jh-r3h4-6jhm", "high"),
    ("ip", "GHSA-2p57-rm9w-gvfp", "high"),
}


def findings(out: str) -> set[tuple[str, str, str]]:
    return {(f["package"], f["id"], f["severity"]) for f in json.loads(out)["findings"]}


def test_online_audit_against_an_osv_api(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with osv_server(RECORDS) as url:
        code, out, err = run(
            capsys, "deps", "audit", "-C", str(project), "--osv-url", url, "--json"
        )
    assert code == 1
    assert "4 vulnerability finding(s) at or above medium" in err
    assert findings(out) == EXPECTED
    requests = next(f for f in json.loads(out)["findings"] if f["package"] == "requests")
    assert requests["aliases"] == ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"]
    assert requests["source"] == "requirements.txt:2"


def test_offline_import_status_and_audit_agree_with_online(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "all.zip"
    with zipfile.ZipFile(export, "w") as z:
        for r in RECORDS:
            z.writestr(f"{r['id']}.json", json.dumps(r))
        z.writestr("BROKEN-1.json", "{not json")
        z.writestr("BROKEN-2.json", json.dumps({"id": "BROKEN-2", "affected": [{"ranges": []}]}))
    db = tmp_path / "osv.sqlite"
    code, out, err = run(capsys, "deps", "db", "import", str(export), "--db", str(db), "--json")
    assert code == 0
    (imp,) = json.loads(out)["imports"]
    assert (imp["records"], imp["imported"]) == (9, 7)
    assert "skipped malformed record BROKEN-1.json: not JSON" in err
    assert "BROKEN-2.json: malformed affected entry in BROKEN-2" in err
    code, out, _ = run(capsys, "deps", "db", "status", "--db", str(db), "--json")
    st = json.loads(out)
    assert (st["advisories"], st["ecosystems"]) == (7, {"PyPI": 5, "npm": 2})
    code, out, _ = run(
        capsys, "deps", "audit", "-C", str(project), "--offline", "--db", str(db), "--json"
    )
    assert code == 1
    assert findings(out) == EXPECTED
    code, out, _ = run(
        capsys,
        "deps",
        "audit",
        "-C",
        str(project),
        "--offline",
        "--db",
        str(db),
        "--json",
        "--fail-on",
        "critical",
        "--ignore",
        "CVE-2024-24762",
    )
    assert code == 0
    assert json.loads(out)["ignored"] == ["GHSA-qf9m-vfgh-m389"]


def test_sarif_output(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with osv_server(RECORDS) as url:
        code, out, _ = run(
            capsys, "deps", "audit", "-C", str(project), "--osv-url", url, "--format", "sarif"
        )
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    (run_,) = doc["runs"]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert rules["GHSA-qf9m-vfgh-m389"]["properties"]["security-severity"] == "7.5"
    result = next(r for r in run_["results"] if r["ruleId"] == "PYSEC-2023-74")
    assert result["level"] == "warning"
    loc = result["locations"][0]["physicalLocation"]
    assert loc == {"artifactLocation": {"uri": "requirements.txt"}, "region": {"startLine": 2}}


def test_could_not_check_has_its_own_exit_code(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "deps", "audit", "-C", str(project), "--osv-url", "http://127.0.0.1:9"
    )
    assert code == 3
    assert "OSV service http://127.0.0.1:9 did not answer: ConnectError" in err
    code, _, err = run(
        capsys, "deps", "audit", "-C", str(project), "--offline", "--db", str(tmp_path / "none.db")
    )
    assert code == 3
    assert "no offline advisory database" in err
    code, _, err = run(capsys, "deps", "audit", "-C", str(project), "--fail-on", "severe")
    assert code == 2
    assert "--fail-on must be one of" in err


def test_cyclonedx_export_import_and_audit(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "requirements-lock.txt").write_text(f"requests==2.30.0 --hash=sha256:{'a' * 64}\n")
    bom = tmp_path / "bom.json"
    code, _, _ = run(capsys, "deps", "sbom", "export", "-C", str(project), "-o", str(bom))
    assert code == 0
    doc = json.loads(bom.read_text())
    assert doc["specVersion"] == "1.6"
    purls = {c["purl"]: c for c in doc["components"]}
    assert set(purls) == {
        "pkg:pypi/fastapi@0.104.1",
        "pkg:pypi/requests@2.30.0",
        "pkg:pypi/jinja2@3.1.3",
        "pkg:npm/lodash@4.17.20",
        "pkg:npm/ip@2.0.1",
    }
    code, out, _ = run(capsys, "deps", "sbom", "import", str(bom), "--json")
    assert len(json.loads(out)["components"]) == 5
    with osv_server(RECORDS) as url:
        code, out, _ = run(capsys, "deps", "audit", "--sbom", str(bom), "--osv-url", url, "--json")
    assert code == 1
    assert findings(out) == EXPECTED


def test_an_osv_server_that_times_out_could_not_check() -> None:
    from polaris.core.errors import CouldNotCheck
    from polaris.dependencies.osv import OnlineOSV
    from polaris.dependencies.rules import Dependency, Ecosystem

    with osv_server(RECORDS, delay=1.0) as url:
        source = OnlineOSV(url, timeout=0.2)
        try:
            with pytest.raises(CouldNotCheck, match="did not answer: ReadTimeout") as err:
                source.advisories([Dependency("requests", Ecosystem.PYPI, "2.30.0")])
        finally:
            source.close()
    assert err.value.exit_code == 3
