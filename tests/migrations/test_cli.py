"""``polaris schema``: the commands end to end on a SQLite project (other engines: services)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from polaris.core.errors import CheckFailed, Conflict, InvalidInput
from polaris.migrations.cli import app

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "polaris.toml").write_text(
        '[databases.app]\ndialect = "sqlite"\nurl_env = "APP_DB_URL"\n\n'
        '[databases.app.platform_versions]\n"1.0.0" = "001"\n"2.0.0" = "002"\n',
        encoding="utf-8",
    )
    return tmp_path


def invoke(project: Path, *args: str) -> tuple[int, str, BaseException | None]:
    env = {"APP_DB_URL": f"sqlite:///{project / 'app.db'}"}
    result = runner.invoke(app, [*args, "-C", str(project)], env=env)
    return result.exit_code, result.stdout, result.exception


def fill(path: Path, up: str, down: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("-- Up Migration:\n", f"-- Up Migration:\n{up}\n")
    text = text.replace(
        "-- Down Migration (Rollback):\n", f"-- Down Migration (Rollback):\n{down}\n"
    )
    path.write_text(text, encoding="utf-8")


def test_new_up_status_validate_down(project: Path) -> None:
    code, out, _ = invoke(project, "new", "create incidents", "--description", "Incidents")
    assert code == 0, out
    first = project / "migrations" / "app" / "001_create_incidents.sql"
    assert first.is_file()
    fill(first, "CREATE TABLE incidents (id INTEGER PRIMARY KEY);", "DROP TABLE incidents;")
    code, out, _ = invoke(project, "new", "add_title")
    second = project / "migrations" / "app" / "002_add_title.sql"
    assert "-- Dependencies: 001_create_incidents.sql" in second.read_text()
    fill(
        second,
        "ALTER TABLE incidents ADD COLUMN title TEXT;",
        "ALTER TABLE incidents DROP COLUMN title;",
    )

    code, out, _ = invoke(project, "up", "--dry-run", "--json")
    assert code == 0
    plan = json.loads(out)
    assert (plan["dry_run"], [s["version"] for s in plan["steps"]]) == (True, ["001", "002"])

    code, out, _ = invoke(project, "up")
    assert code == 0
    assert "applied" in out

    code, out, _ = invoke(project, "status", "--json")
    (status,) = json.loads(out)
    assert status["current"] == "002"
    assert [e["state"] for e in status["entries"]] == ["applied", "applied"]

    code, out, _ = invoke(project, "validate")
    assert (code, "2 applied migration(s) match" in out) == (0, True)

    first.write_text(first.read_text().replace("PRIMARY KEY", "PRIMARY KEY NOT NULL"))
    code, out, exc = invoke(project, "validate", "--json")
    assert code == 1
    assert isinstance(exc, CheckFailed)
    assert json.loads(out)[0]["problems"][0]["state"] == "modified"
    code, _, exc = invoke(project, "up")
    assert isinstance(exc, CheckFailed)
    code, out, _ = invoke(project, "repair", "001")
    assert "accepted checksum" in out

    code, out, _ = invoke(project, "down", "--steps", "1", "--json")
    assert [s["status"] for s in json.loads(out)["steps"]] == ["reverted"]
    code, out, _ = invoke(project, "sync", "--platform-version", "2.0.0")
    assert code == 0
    assert "002 applied" in out
    code, out, exc = invoke(project, "sync", "--platform-version", "0.1.0")
    assert code == 1
    assert isinstance(exc, CheckFailed)


def test_baseline_and_lint(project: Path, tmp_path: Path) -> None:
    invoke(project, "new", "one")
    one = project / "migrations" / "app" / "001_one.sql"
    fill(one, "CREATE TABLE one (id INT);", "DROP TABLE one;")
    code, out, _ = invoke(project, "baseline", "1")
    assert code == 0
    assert "baseline" in out
    code, _, exc = invoke(project, "baseline", "1")
    assert isinstance(exc, Conflict)

    risky = tmp_path / "risky.sql"
    risky.write_text("ALTER TABLE one DROP COLUMN id;\nCREATE INDEX i ON one (id);\n")
    code, out, _ = invoke(project, "lint", str(risky), "--dialect", "postgresql", "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["verdict"], report["bump"]) == ("breaking", "major")
    rules = [f["rule"] for f in report["migrations"][0]["findings"]]
    assert rules == ["drop-column", "add-index", "pg-index-not-concurrent"]
    code, out, _ = invoke(project, "lint")
    assert "minimum bump: minor" in out


def test_adopt_and_import_from_the_command_line(tmp_path: Path) -> None:
    """A golang-migrate project: read in place, adopted from its table, then imported."""
    import sqlite3

    (tmp_path / "polaris.toml").write_text(
        '[databases.app]\ndialect = "sqlite"\nurl_env = "APP_DB_URL"\n'
        'directory = "db/migrations"\nformat = "golang-migrate"\n',
        encoding="utf-8",
    )
    mig = tmp_path / "db" / "migrations"
    mig.mkdir(parents=True)
    (mig / "000001_users.up.sql").write_text("CREATE TABLE users (id INTEGER PRIMARY KEY);\n")
    (mig / "000001_users.down.sql").write_text("DROP TABLE users;\n")
    (mig / "000002_noop.up.sql").write_text("-- nothing for SQLite\n")
    (mig / "000002_noop.down.sql").write_text("")
    (mig / "000003_tags.up.sql").write_text("CREATE TABLE tags (id INTEGER PRIMARY KEY);\n")
    (mig / "000003_tags.down.sql").write_text("DROP TABLE tags;\n")
    with sqlite3.connect(tmp_path / "app.db") as conn:  # what golang-migrate left: 1 and 2 done
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE schema_migrations (version uint64, dirty bool)")
        conn.execute("INSERT INTO schema_migrations VALUES (2, 0)")
    conn.close()

    code, out, exc = invoke(tmp_path, "status")
    assert code == 1 and isinstance(exc, Conflict) and "adopt" in str(exc)
    code, out, _ = invoke(tmp_path, "adopt", "--dry-run", "--json")
    assert code == 0, out
    assert [s["version"] for s in json.loads(out)["steps"]] == ["000001", "000002"]
    code, out, _ = invoke(tmp_path, "adopt")
    assert code == 0 and "schema_migrations_golang_migrate" in out
    code, out, _ = invoke(tmp_path, "status", "--json")
    entries = json.loads(out)[0]["entries"]
    assert [e["state"] for e in entries] == ["baseline", "baseline", "pending"]
    assert "up is a no-op" in entries[1]["detail"]
    code, out, _ = invoke(tmp_path, "up")
    assert code == 0, out

    code, out, _ = invoke(
        tmp_path, "import", str(mig), "--from", "golang-migrate", "--to", "seed", "--dry-run"
    )
    assert code == 0 and "+-- Up Migration:" in out and "would write 3 of 3" in out
    assert not (tmp_path / "seed").exists()
    code, out, _ = invoke(
        tmp_path, "import", str(mig), "--from", "golang-migrate", "--to", str(tmp_path / "seed")
    )
    assert code == 0 and "wrote 3 of 3" in out
    assert (tmp_path / "seed" / "000003_tags.sql").is_file()
    code, out, exc = invoke(tmp_path, "new", "more")
    assert isinstance(exc, InvalidInput) and "golang-migrate" in str(exc)
    code, out, exc = invoke(tmp_path, "adopt", "--from", "liquibase")
    assert isinstance(exc, InvalidInput) and "--from must be one of" in str(exc)


def test_lint_names_the_dialect_as_people_type_it(tmp_path: Path) -> None:
    """``--dialect pg`` is PostgreSQL, and MySQL-only SQL is reported, not called safe."""
    f = tmp_path / "001_t.sql"
    f.write_text(
        "-- Up Migration:\nCREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;\n",
        encoding="utf-8",
    )
    for name in ("pg", "postgres", "PostgreSQL"):
        result = runner.invoke(app, ["lint", str(f), "--dialect", name, "--json"])
        assert result.exit_code == 0, result.stdout
        report = json.loads(result.stdout)
        assert report["dialect"] == "postgresql"
        (finding,) = report["migrations"][0]["findings"]
        assert finding["rule"] == "wrong-dialect" and "AUTO_INCREMENT" in finding["message"]
        assert report["verdict"] == "unknown"
    result = runner.invoke(app, ["lint", str(f), "--dialect", "mariadb", "--json"])
    assert json.loads(result.stdout)["verdict"] == "safe"
    result = runner.invoke(app, ["lint", str(f), "--dialect", "oracle"])
    assert isinstance(result.exception, InvalidInput) and "pg" in str(result.exception)
