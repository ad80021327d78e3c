"""The versioning service over real files: status, bump, set, sync, check."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._platform import FILES, make_platform, snapshot

from polaris.core.errors import InvalidInput, InvalidVersion, NotFound, VersionFileError
from polaris.core.semver import Version
from polaris.project.load import load_project
from polaris.versions import service as versioning


@pytest.fixture
def platform(tmp_path: Path) -> Path:
    return make_platform(tmp_path)


def test_status_reads_every_component(platform: Path) -> None:
    status = versioning.read_status(load_project(platform / "polaris.toml"))
    assert status.version == "2.1.0"
    assert status.consistent
    versions = {c.name: c.version for c in status.components}
    assert versions == {"api": "2.1.0", "web": "1.4.2", "ner": "1.1.0", "terraform": "1.4.0"}


def test_bump_minor_rewrites_only_the_version_characters(platform: Path) -> None:
    project = load_project(platform / "polaris.toml")
    plan = versioning.plan_bump(project, "minor")
    assert (plan.old_version, plan.new_version) == ("2.1.0", "2.2.0")
    written = versioning.apply(plan)
    assert written == ["VERSION", "docker-compose.yml", "helm/Chart.yaml", "src/api/__init__.py"]
    after = snapshot(platform)
    assert (
        after["VERSION"] == FILES["VERSION"].replace("MINOR_VERSION=1", "MINOR_VERSION=2").encode()
    )
    assert (
        after["helm/Chart.yaml"] == FILES["helm/Chart.yaml"].replace('"2.1.0"', '"2.2.0"').encode()
    )
    compose = after["docker-compose.yml"].decode()
    assert "image: aiops/api:2.2.0   # ours" in compose
    # Other images, including one whose name starts the same, stay as they were.
    assert "aiops/api-gateway:2.1.0" in compose
    assert "aiops/web:1.4.2" in compose
    assert "mysql:8.0" in compose
    assert versioning.read_status(load_project(platform / "polaris.toml")).consistent


def test_dry_run_plan_shows_a_diff_and_writes_nothing(platform: Path) -> None:
    before = snapshot(platform)
    plan = versioning.plan_bump(load_project(platform / "polaris.toml"), "major")
    diff = plan.diff()
    assert "--- a/VERSION\n+++ b/VERSION\n" in diff
    assert "-MAJOR_VERSION=2\n-MINOR_VERSION=1\n+MAJOR_VERSION=3\n+MINOR_VERSION=0\n" in diff
    assert '-__version__ = "2.1.0"\n+__version__ = "3.0.0"\n' in diff
    assert snapshot(platform) == before


def test_prerelease_channel_then_finalize(platform: Path) -> None:
    project = load_project(platform / "polaris.toml")
    versioning.apply(versioning.plan_bump(project, "minor", pre="rc"))
    assert str(versioning.current_version(project)) == "2.2.0-rc.1"
    assert (platform / "VERSION").read_text().splitlines()[3] == "PRERELEASE=rc.1"
    versioning.apply(versioning.plan_bump(project, "prerelease"))
    assert str(versioning.current_version(project)) == "2.2.0-rc.2"
    versioning.apply(versioning.plan_bump(project, "release"))
    assert str(versioning.current_version(project)) == "2.2.0"
    assert versioning.read_status(project).consistent


def test_component_bump_touches_only_that_component(platform: Path) -> None:
    project = load_project(platform / "polaris.toml")
    versioning.apply(versioning.plan_bump(project, "patch", component="web"))
    compose = (platform / "docker-compose.yml").read_text()
    assert "aiops/web:1.4.3" in compose and "aiops/api:2.1.0" in compose
    assert '"version": "1.4.3"' in (platform / "web/package.json").read_text()
    assert str(versioning.current_version(project)) == "2.1.0"


def test_component_following_the_platform_cannot_be_bumped_alone(platform: Path) -> None:
    with pytest.raises(InvalidInput, match="follows the platform version"):
        versioning.plan_bump(load_project(platform / "polaris.toml"), "patch", component="api")


def test_unknown_component_is_named(platform: Path) -> None:
    with pytest.raises(NotFound, match="no component named 'nope'"):
        versioning.plan_bump(load_project(platform / "polaris.toml"), "patch", component="nope")


def test_check_lists_every_disagreement_and_sync_repairs_it(platform: Path) -> None:
    (platform / "src/api/__init__.py").write_text('__version__ = "2.0.9"\n')
    compose = platform / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("aiops/web:1.4.2", "aiops/web:1.4.0"))
    project = load_project(platform / "polaris.toml")
    _, problems = versioning.check(project)
    found = {(p.file, p.found, p.expected) for p in problems}
    assert found == {
        ("src/api/__init__.py", "2.0.9", "2.1.0"),
        ("docker-compose.yml", "1.4.0", "1.4.2"),
    }
    assert all(p.line for p in problems)
    versioning.apply(versioning.plan_sync(project))
    assert versioning.check(project)[1] == []
    # Both edits to docker-compose.yml survive: plans for several components compose.
    assert "aiops/web:1.4.2" in compose.read_text() and "aiops/api:2.1.0" in compose.read_text()


def test_failed_plan_writes_nothing(platform: Path) -> None:
    """A file that cannot be edited as configured stops the whole bump before any write."""
    (platform / "infra/main.tf").write_text("no version here\n")
    before = snapshot(platform)
    project = load_project(platform / "polaris.toml")
    with pytest.raises(VersionFileError, match=r"infra/main\.tf"):
        versioning.apply(versioning.plan_bump(project, "minor", component="terraform"))
    assert snapshot(platform) == before


def test_unwritable_file_leaves_every_file_unchanged(platform: Path) -> None:
    """The write itself fails midway (a directory where a temp file must go): nothing changes."""
    before = snapshot(platform)
    project = load_project(platform / "polaris.toml")
    plan = versioning.plan_bump(project, "minor")
    (platform / "src/api/__init__.py").unlink()
    (platform / "src/api/__init__.py").mkdir()
    with pytest.raises(Exception, match=r"__init__\.py"):
        versioning.apply(plan)
    after = snapshot(platform)
    before.pop("src/api/__init__.py")
    assert after == before


def test_set_refuses_names_breaking_the_naming_rules(platform: Path) -> None:
    project = load_project(platform / "polaris.toml")
    with pytest.raises(InvalidVersion, match="must be lowercase"):
        versioning.plan_set(project, Version.parse("2.2.0-RC.1"))
    with pytest.raises(InvalidVersion, match="a version must be under 50"):
        versioning.plan_set(project, Version.parse("2.2.0-" + "a" * 50))
