"""``schema sync`` refuses a platform version with no entry, naming the versions it knows."""

from __future__ import annotations

from pathlib import Path

from polaris.migrations.service import SchemaService
from polaris.project.databases import DatabaseSpec


def write(directory: Path, n: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(1, n + 1):
        (directory / f"{i:03d}_t{i}.sql").write_text(
            f"-- Up Migration:\nCREATE TABLE t{i} (id INT);\n"
            f"-- Down Migration (Rollback):\nDROP TABLE t{i};\n",
            encoding="utf-8",
        )


def service(tmp_path: Path) -> SchemaService:
    specs = []
    env = {}
    for name, versions in (
        ("a", (("2.0.0", "001"), ("2.1.0", "003"))),
        ("b", (("2.0.0", "002"), ("2.1.0", "003"), ("3.0.0", "003"))),
    ):
        write(tmp_path / name, 3)
        env[f"{name.upper()}_URL"] = f"sqlite:///{tmp_path / name}.db"
        specs.append(
            DatabaseSpec(name, "sqlite", f"{name.upper()}_URL", str(tmp_path / name), 5, versions)
        )
    return SchemaService(specs, environ=env, actor="t")


def test_an_unlisted_version_is_refused_and_nothing_runs(tmp_path: Path) -> None:
    s = service(tmp_path)
    report = s.sync("9.9.9")
    assert not report.ok
    errors = {r.database: r.error for r in report.reports}
    assert "listed: 2.0.0, 2.1.0" in errors["a"] and "platform 9.9.9" in errors["a"]
    assert "listed: 2.0.0, 2.1.0, 3.0.0" in errors["b"]
    assert all(not r.steps for r in report.reports)
    # Listed in one database only: the other refuses, and neither moves.
    partial = s.sync("3.0.0")
    assert not partial.ok
    assert {r.database: r.error.startswith("not run") for r in partial.reports} == {
        "a": False,
        "b": True,
    }
    assert [e.state for e in s.status("b").entries] == ["pending"] * 3


def test_a_patch_release_uses_its_minor_line(tmp_path: Path) -> None:
    s = service(tmp_path)
    report = s.sync("2.1.7")
    assert report.ok, [r.error for r in report.reports]
    assert {r.database: len(r.steps) for r in report.reports} == {"a": 3, "b": 3}
    back = s.sync("2.0.0")
    assert back.ok
    assert {r.database: [x.version for x in r.steps] for r in back.reports} == {
        "a": ["003", "002"],
        "b": ["003"],
    }
