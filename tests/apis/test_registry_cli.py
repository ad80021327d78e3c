"""``polaris api versions`` without ``--file``: the local store, and a server over real HTTP.

The same commands give the same output in all three modes (file, local store, server).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from tests._pg import LiveServer
from typer.testing import CliRunner, Result

from polaris.access.service import TokenService
from polaris.apis.cli import app
from polaris.app import create_app
from polaris.core.actors import Actor, Role
from polaris.core.errors import PolarisError
from polaris.settings import Settings
from polaris.store.session import Database

runner = CliRunner()

SEED = """\
api_compatibility_matrix:
  v1:
    status: deprecated
    deprecation_date: "2025-06-01"
    retirement_date: "2025-12-01"
    compatible_clients: ["mobile_app_v1.x"]
  v2: {status: active, introduced_date: "2025-03-01", migration_guide: "https://x.example/v2"}
  v3: {status: development, planned_release: "2030-12-01", breaking_changes: [Paging]}
"""


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, (args, result.output, result.exception)
    return result


def error(env: dict[str, str], *args: str) -> PolarisError:
    result = runner.invoke(app, list(args), env=env)
    assert isinstance(result.exception, PolarisError), (args, result.output, result.exception)
    return result.exception


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A server on a fresh SQLite store, and a token per role."""
    home = tmp_path / "server"
    db_url = f"sqlite+pysqlite:///{home / 'polaris.db'}"
    settings = Settings(home=home, database_url=db_url)
    with LiveServer(create_app(settings)) as live:
        db = Database(db_url, pool_size=1)
        svc = TokenService(db)
        root = Actor("root", Role.ADMIN)
        roles = ("viewer", "developer", "approver", "admin")
        tokens = {r: svc.create(f"{r}-user", r, actor=root)[0] for r in roles}
        db.dispose()
        yield live.url, tokens


def modes(
    tmp_path: Path, server: tuple[str, dict[str, str]]
) -> dict[str, tuple[dict[str, str], list[str]]]:
    """mode -> (environment, extra arguments)."""
    url, tokens = server
    return {
        "file": ({"POLARIS_HOME": str(tmp_path / "f")}, ["--file", str(tmp_path / "api.yml")]),
        "local": ({"POLARIS_HOME": str(tmp_path / "local")}, []),
        "remote": (
            {
                "POLARIS_HOME": str(tmp_path / "r"),
                "POLARIS_URL": url,
                "POLARIS_TOKEN": tokens["admin"],
            },
            [],
        ),
    }


SCRIPT: list[tuple[str, ...]] = [
    ("versions", "register", "v1", "--breaking", "JWT auth", "--guide", "https://x.example/g"),
    ("versions", "activate", "v1"),
    ("versions", "register", "v2", "--planned", "2030-01-01"),
    ("versions", "activate", "2"),
    ("versions", "deprecate", "v1", "--dry-run"),
    ("versions", "deprecate", "v1", "--dry-run", "--json"),
    ("versions", "deprecate", "v1"),
    ("versions", "retire", "v1", "--force", "--json"),
    ("versions", "list"),
    ("versions", "list", "--json"),
]


def test_the_three_modes_print_the_same(tmp_path: Path, server: tuple[str, dict[str, str]]) -> None:
    outputs: dict[str, list[str]] = {}
    for mode, (env, extra) in modes(tmp_path, server).items():
        outputs[mode] = [run(env, *cmd, *extra).stdout for cmd in SCRIPT]
    assert outputs["local"] == outputs["file"]
    assert outputs["remote"] == outputs["file"]
    listed = json.loads(outputs["remote"][-1])
    assert [(v["version"], v["state"]) for v in listed] == [("v1", "retired"), ("v2", "active")]
    assert listed[0]["breaking_changes"] == ["JWT auth"]
    assert "dry run: nothing written" in outputs["remote"][4]


def test_import_prints_the_same_and_lands_in_the_registry(
    tmp_path: Path, server: tuple[str, dict[str, str]]
) -> None:
    seed = tmp_path / "seed.yml"
    seed.write_text(SEED)
    outputs: dict[str, list[str]] = {}
    for mode, (env, extra) in modes(tmp_path, server).items():
        outputs[mode] = [
            run(env, "versions", "import", str(seed), "--dry-run", *extra).stdout,
            run(env, "versions", "list", "--json", *extra).stdout,
            run(env, "versions", "import", str(seed), "--json", *extra).stdout,
            run(env, "versions", "list", *extra).stdout,
        ]
    assert outputs["local"] == outputs["file"]
    assert outputs["remote"] == outputs["file"]
    assert json.loads(outputs["remote"][1]) == []  # the dry run wrote nothing
    imported = {o["version"]: o["after"] for o in json.loads(outputs["remote"][2])}
    assert imported["v3"]["planned_release"] == "2030-12-01"
    assert imported["v1"]["compatible_clients"] == ["mobile_app_v1.x"]
    assert "v3" in outputs["remote"][3]


@pytest.mark.parametrize("mode", ["local", "remote"])
def test_illegal_transitions_fail_with_exit_1(
    tmp_path: Path, server: tuple[str, dict[str, str]], mode: str
) -> None:
    env, _ = modes(tmp_path, server)[mode]
    run(env, "versions", "register", "v1")
    run(env, "versions", "activate", "v1")
    err = error(env, "versions", "retire", "v1")
    assert err.exit_code == 1
    assert "cannot move API version v1 from active to retired" in err.message
    assert err.hint == "deprecate it first: clients are owed notice"
    run(env, "versions", "deprecate", "v1")
    run(env, "versions", "retire", "v1", "--force")
    again = error(env, "versions", "activate", "v1")
    assert (again.exit_code, "from retired to active" in again.message) == (1, True)
    dup = error(env, "versions", "register", "1")
    assert "already registered" in dup.message
    unknown = error(env, "versions", "activate", "v9")
    assert "v9 is not registered" in unknown.message
    bad = error(env, "versions", "import", str(tmp_path / "missing.yml"))
    assert "no such file" in str(bad)


@pytest.mark.parametrize("mode", ["local", "remote"])
def test_api_names_keep_catalogs_apart(
    tmp_path: Path, server: tuple[str, dict[str, str]], mode: str
) -> None:
    env, _ = modes(tmp_path, server)[mode]
    run(env, "versions", "register", "v1", "--api-name", "incidents")
    run({**env, "POLARIS_API_NAME": "billing"}, "versions", "register", "v5")
    incidents = json.loads(run(env, "versions", "list", "--api-name", "incidents", "--json").stdout)
    billing = json.loads(run(env, "versions", "list", "--api-name", "billing", "--json").stdout)
    default = json.loads(run(env, "versions", "list", "--json").stdout)
    assert ([v["version"] for v in incidents], [v["version"] for v in billing], default) == (
        ["v1"],
        ["v5"],
        [],
    )


def test_remote_roles_and_audit(tmp_path: Path, server: tuple[str, dict[str, str]]) -> None:
    url, tokens = server
    as_role = {r: {"POLARIS_URL": url, "POLARIS_TOKEN": t} for r, t in tokens.items()}
    denied = error(as_role["viewer"], "versions", "register", "v1")
    assert "needs the developer role; this token has viewer" in denied.message
    run(as_role["developer"], "versions", "register", "v1")
    run(as_role["developer"], "versions", "activate", "v1")
    run(as_role["developer"], "versions", "deprecate", "v1")
    needs = error(as_role["developer"], "versions", "retire", "v1", "--force")
    assert "approver" in needs.message
    run(as_role["approver"], "versions", "retire", "v1", "--force")
    assert (
        json.loads(run(as_role["viewer"], "versions", "list", "--json").stdout)[0]["state"]
        == "retired"
    )
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens['admin']}"}) as c:
        events = c.get("/api/v1/audit", params={"key": "default:v1"}).json()["items"]
    assert [(e["action"], e["actor"]) for e in reversed(events)] == [
        ("api-register", "developer-user"),
        ("api-activate", "developer-user"),
        ("api-deprecate", "developer-user"),
        ("api-retire", "approver-user"),
    ]


def test_unreachable_server_is_one_line(tmp_path: Path) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    err = error({"POLARIS_URL": f"http://127.0.0.1:{port}"}, "versions", "list")
    assert "cannot reach the Polaris server" in err.message
    assert err.hint == "check POLARIS_URL"


def test_policy_prints_the_same_and_governs_later_moves(
    tmp_path: Path, server: tuple[str, dict[str, str]]
) -> None:
    outputs: dict[str, list[str]] = {}
    for mode, (env, extra) in modes(tmp_path, server).items():
        outputs[mode] = [
            run(env, "versions", "policy", *extra).stdout,
            run(env, "versions", "policy", "--notice-days", "30", "--dry-run", *extra).stdout,
            run(
                env, "versions", "policy", "--notice-days", "30", "--retirement-days", "60", *extra
            ).stdout,
            run(env, "versions", "policy", "--json", *extra).stdout,
            run(env, "versions", "register", "v1", *extra).stdout,
            run(env, "versions", "activate", "v1", *extra).stdout,
            run(env, "versions", "deprecate", "v1", "--json", *extra).stdout,
        ]
        bad = error(env, "versions", "policy", "--retirement-days", "10", *extra)
        assert "no sooner than the notice period" in bad.message
    # "api" names the registry's API, or the file: the rest is the same.
    names = {m: json.loads(out[3]).pop("api") for m, out in outputs.items()}
    assert names == {"file": str(tmp_path / "api.yml"), "local": "default", "remote": "default"}
    for out in outputs.values():
        shown = json.loads(out[3])
        del shown["api"]
        out[3] = json.dumps(shown)
    assert outputs["local"] == outputs["file"]
    assert outputs["remote"] == outputs["file"]
    assert outputs["file"][0] == "notice: 90 days\nretirement: 180 days\n"
    assert outputs["file"][2] == "notice: 90 days -> 30 days\nretirement: 180 days -> 60 days\n"
    shown = json.loads(outputs["file"][3])
    assert shown["after"] == {"notice_days": 30, "retirement_days": 60}
    deprecated = json.loads(outputs["remote"][6])["after"]
    assert date.fromisoformat(deprecated["retires_on"]) - date.fromisoformat(
        deprecated["deprecated_on"]
    ) == timedelta(days=60)
    assert "notice_days: 30" in (tmp_path / "api.yml").read_text()
