"""`polaris api diff` on GraphQL SDL: an incidents API's schema and single edits of it, every
graphql-core change type mapped onto a stable rule, and the CLI end to end on real files."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from polaris.apis.cli import app
from polaris.apis.graphql_diff import diff_graphql, is_graphql_source, parse_graphql
from polaris.apis.openapi_diff import DiffReport, Impact, check_levels
from polaris.apis.openapi_rules import RULES
from polaris.apis.service import diff_apis
from polaris.core.errors import InvalidInput

V1 = '''\
directive @auth(role: Role = VIEWER) on FIELD_DEFINITION | OBJECT

"""A point in time, ISO 8601."""
scalar DateTime

enum Severity { SEV1 SEV2 SEV3 }
enum Role { VIEWER RESPONDER ADMIN }

interface Node { id: ID! }

type Service implements Node { id: ID! name: String! owner: Team }
type Team implements Node { id: ID! name: String! members: [String!]! }

"""An incident."""
type Incident implements Node {
  id: ID!
  title: String!
  severity: Severity!
  service: Service!
  startedAt: DateTime!
  resolvedAt: DateTime
  summary: String
  timeline(first: Int = 20, after: String): [TimelineEntry!]!
}

type Alert { id: ID! metric: String! }
type Note { id: ID! text: String! }
union TimelineEntry = Alert | Note

input IncidentFilter { severity: Severity, service: ID, open: Boolean = true }
input NewIncident { title: String!, severity: Severity!, service: ID! }

type Query {
  incident(id: ID!): Incident
  incidents(filter: IncidentFilter, first: Int = 50): [Incident!]!
  services: [Service!]!
}

type Mutation {
  openIncident(input: NewIncident!): Incident! @auth(role: RESPONDER)
  acknowledge(id: ID!): Incident
}
'''

Edit = Callable[[str], str]


def sub(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return edit


# (rule, edit of V1): the edit produces exactly this rule.
CASES: list[tuple[str, Edit]] = [
    ("graphql-type-kind-changed", sub("scalar DateTime", "type DateTime { iso: String! }")),
    ("graphql-union-member-removed", sub("union TimelineEntry = Alert | Note", "union TimelineEntry = Alert")),  # noqa: E501
    ("graphql-enum-value-removed", sub("enum Severity { SEV1 SEV2 SEV3 }", "enum Severity { SEV1 SEV2 }")),  # noqa: E501
    ("graphql-required-input-field-added", sub("service: ID! }", "service: ID!, reporter: String! }")),  # noqa: E501
    ("graphql-interface-removed", sub("type Team implements Node {", "type Team {")),
    ("graphql-field-removed", sub("  summary: String\n", "")),
    ("graphql-field-type-changed", sub("  resolvedAt: DateTime\n", "  resolvedAt: String\n")),
    ("graphql-required-argument-added", sub("services: [Service!]!", "services(team: ID!): [Service!]!")),  # noqa: E501
    ("graphql-argument-removed", sub("timeline(first: Int = 20, after: String)", "timeline(first: Int = 20)")),  # noqa: E501
    ("graphql-argument-type-changed", sub("incident(id: ID!)", "incident(id: Int!)")),
    ("graphql-directive-removed", lambda t: sub(" @auth(role: RESPONDER)", "")(sub('directive @auth(role: Role = VIEWER) on FIELD_DEFINITION | OBJECT\n', "")(t))),  # noqa: E501
    ("graphql-directive-argument-removed", lambda t: sub("@auth(role: RESPONDER)", "@auth")(sub("directive @auth(role: Role = VIEWER)", "directive @auth")(t))),  # noqa: E501
    ("graphql-required-directive-argument-added", lambda t: sub("@auth(role: RESPONDER)", '@auth(role: RESPONDER, scope: "w")')(sub("directive @auth(role: Role = VIEWER)", "directive @auth(role: Role = VIEWER, scope: String!)")(t))),  # noqa: E501
    ("graphql-directive-location-removed", sub("on FIELD_DEFINITION | OBJECT", "on FIELD_DEFINITION")),  # noqa: E501
    ("graphql-enum-value-added", sub("enum Severity { SEV1 SEV2 SEV3 }", "enum Severity { SEV1 SEV2 SEV3 SEV4 }")),  # noqa: E501
    ("graphql-union-member-added", sub("union TimelineEntry = Alert | Note", "union TimelineEntry = Alert | Note | Service")),  # noqa: E501
    ("graphql-interface-added", sub("type Alert { id: ID! metric: String! }", "type Alert implements Node { id: ID! metric: String! }")),  # noqa: E501
    ("graphql-argument-default-changed", sub("first: Int = 50", "first: Int = 100")),
    ("graphql-input-field-default-changed", sub("open: Boolean = true", "open: Boolean = false")),
    ("graphql-optional-input-field-added", sub("open: Boolean = true }", "open: Boolean = true, team: ID }")),  # noqa: E501
    ("graphql-optional-argument-added", sub("acknowledge(id: ID!)", "acknowledge(id: ID!, note: String)")),  # noqa: E501
    ("graphql-type-added", sub("scalar DateTime", "scalar DateTime\nscalar URL")),
    ("graphql-field-added", sub("  summary: String\n", "  summary: String\n  postmortem: String\n")),  # noqa: E501
    ("graphql-directive-added", sub("| OBJECT\n", "| OBJECT\ndirective @cost(weight: Int) on FIELD_DEFINITION\n")),  # noqa: E501
    ("graphql-field-type-narrowed", sub("acknowledge(id: ID!): Incident\n", "acknowledge(id: ID!): Incident!\n")),  # noqa: E501
    ("graphql-argument-type-widened", sub("incident(id: ID!)", "incident(id: ID)")),
    ("graphql-argument-type-widened", sub("title: String!, severity", "title: String, severity")),
    ("graphql-field-deprecated", sub("  summary: String\n", '  summary: String @deprecated(reason: "use timeline")\n')),  # noqa: E501
    ("graphql-field-deprecated", sub("after: String)", 'after: String @deprecated(reason: "cursor"))')),  # noqa: E501
    ("graphql-enum-value-deprecated", sub("SEV3 }", 'SEV3 @deprecated(reason: "merged into SEV2") }')),  # noqa: E501
    ("graphql-description-changed", sub('"""An incident."""', '"""An incident: something that hurts users."""')),  # noqa: E501
]  # fmt: skip


def _type_removed(v1: str) -> tuple[str, str]:
    """A release that drops a type nothing refers to: v1 has it, v2 not."""
    extra = "input OldIncident { title: String }\n"
    with_type = v1.replace("input NewIncident", extra + "input NewIncident")
    return with_type, v1


def _diff(old: str, new: str) -> DiffReport:
    return diff_graphql(parse_graphql(old, source="v1"), parse_graphql(new, source="v2"))


@pytest.mark.parametrize(("rule", "edit"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires_alone(rule: str, edit: Edit) -> None:
    """One realistic edit, one rule, with the catalogue's impact and the bump it implies."""
    report = _diff(V1, edit(V1))
    assert [c.rule for c in report.changes] == [rule], [c.message for c in report.changes]
    expected = RULES[rule]
    (change,) = report.changes
    assert change.impact is expected.impact
    assert change.change_type is expected.change_type
    assert report.bump == ("major" if expected.impact is Impact.BREAKING else expected.bump)
    assert change.pointer  # a schema coordinate


def test_every_graphql_rule_has_a_case() -> None:
    """Every graphql-* rule but the fallbacks for a newer graphql-core's change types."""
    untested = {r for r in RULES if r.startswith("graphql-")} - {c[0] for c in CASES}
    assert untested == {
        "graphql-breaking-change",
        "graphql-dangerous-change",
        "graphql-directive-repeatable-removed",  # needs a repeatable directive: below
        "graphql-type-removed",  # v1 needs an extra type: below
    }


def test_type_removed() -> None:
    old, new = _type_removed(V1)
    report = _diff(old, new)
    assert [(c.rule, c.pointer) for c in report.changes] == [
        ("graphql-type-removed", "OldIncident")
    ]
    assert report.bump == "major"


def test_repeatable_removed() -> None:
    old = "directive @tag(name: String) repeatable on OBJECT\ntype Query { a: Int }"
    new = "directive @tag(name: String) on OBJECT\ntype Query { a: Int }"
    assert [c.rule for c in _diff(old, new).changes] == ["graphql-directive-repeatable-removed"]


def test_identical_and_reordered_schemas_have_no_changes() -> None:
    shuffled = V1.replace(
        "type Alert { id: ID! metric: String! }\ntype Note { id: ID! text: String! }",
        "type Note { id: ID! text: String! }\ntype Alert { id: ID! metric: String! }",
    )
    assert _diff(V1, V1).changes == ()
    assert _diff(V1, shuffled).changes == ()


def test_a_release_with_many_edits_and_root_operations() -> None:
    """v1 -> v2 of the incidents API: the verdict, the operations and the coordinates."""
    v2 = V1
    for edit in (
        sub("  summary: String\n", ""),  # breaking
        sub("first: Int = 50", "first: Int = 100"),  # medium
        sub("acknowledge(id: ID!)", "acknowledge(id: ID!, note: String)"),  # low
        sub("services: [Service!]!", "services: [Service!]!\n  teams: [Team!]!"),  # low
    ):
        v2 = edit(v2)
    report = _diff(V1, v2)
    by_rule = {c.rule: c for c in report.changes}
    assert set(by_rule) == {
        "graphql-field-removed",
        "graphql-argument-default-changed",
        "graphql-optional-argument-added",
        "graphql-field-added",
    }
    assert by_rule["graphql-field-removed"].pointer == "Incident.summary"
    assert by_rule["graphql-field-removed"].operation is None
    assert by_rule["graphql-argument-default-changed"].operation == "Query.incidents"
    assert by_rule["graphql-optional-argument-added"].pointer == "Mutation.acknowledge(note:)"
    assert by_rule["graphql-field-added"].operation == "Query.teams"
    assert report.bump == "major"
    assert dict(report.counts) == {"low": 2, "medium": 1, "high": 0, "breaking": 1}


def test_levels_apply_to_graphql_rules() -> None:
    levels = check_levels({"graphql-enum-value-added": "breaking", "graphql-field-added": "none"})
    more = sub("  summary: String\n", "  summary: String\n  x: Int\n")
    new = sub("SEV3 }", "SEV3 SEV4 }")(more(V1))
    report = diff_graphql(parse_graphql(V1), parse_graphql(new), levels=levels)
    assert [c.rule for c in report.changes] == ["graphql-enum-value-added"]
    assert report.bump == "major"


class TestParsing:
    def test_syntax_error_names_file_and_line(self) -> None:
        with pytest.raises(InvalidInput) as err:
            parse_graphql("type Query {\n  a: Int\n  b: \n}\n", source="bad.graphql")
        assert err.value.location.file == "bad.graphql"
        assert err.value.location.line == 4
        assert "invalid GraphQL schema" in err.value.message

    def test_unknown_type_is_bad_input(self) -> None:
        with pytest.raises(InvalidInput, match="Unknown type 'Missing'"):
            parse_graphql("type Query { a: Missing }", source="bad.graphql")

    def test_suffixes(self) -> None:
        assert is_graphql_source("api/schema.graphql")
        assert is_graphql_source("https://example.test/schema.GQL?ref=main")
        assert not is_graphql_source("openapi.yaml")


runner = CliRunner()


def _files(tmp_path: Path, new: str) -> tuple[str, str]:
    (tmp_path / "v1.graphql").write_text(V1, encoding="utf-8")
    (tmp_path / "v2.gql").write_text(new, encoding="utf-8")
    return str(tmp_path / "v1.graphql"), str(tmp_path / "v2.gql")


class TestCLI:
    """The same command, options and exit codes as for OpenAPI."""

    def test_json_and_fail_on(self, tmp_path: Path) -> None:
        old, new = _files(tmp_path, sub("  summary: String\n", "")(V1))
        result = runner.invoke(app, ["diff", old, new, "--json", "--current", "2.3.1"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["bump"] == "major"
        assert data["next"] == "3.0.0"
        assert data["changes"][0]["rule"] == "graphql-field-removed"
        assert data["changes"][0]["pointer"] == "Incident.summary"
        result = runner.invoke(app, ["diff", old, new, "--fail-on", "breaking"])
        assert result.exit_code == 1
        assert "graphql-field-removed" in result.output

    def test_markdown_and_safe_release(self, tmp_path: Path) -> None:
        old, new = _files(tmp_path, sub("scalar DateTime", "scalar DateTime\nscalar URL")(V1))
        result = runner.invoke(
            app, ["diff", old, new, "--format", "markdown", "--fail-on", "medium"]
        )
        assert result.exit_code == 0, result.output
        assert "`graphql-type-added`" in result.output
        assert "required bump: minor" in result.output

    def test_levels_file(self, tmp_path: Path) -> None:
        old, new = _files(tmp_path, sub("SEV3 }", "SEV3 SEV4 }")(V1))
        levels = tmp_path / "levels.yaml"
        levels.write_text("graphql-enum-value-added: breaking\n", encoding="utf-8")
        result = runner.invoke(
            app, ["diff", old, new, "--levels", str(levels), "--fail-on", "breaking"]
        )
        assert result.exit_code == 1

    def test_mixing_graphql_and_openapi_is_bad_input(self, tmp_path: Path) -> None:
        old, _ = _files(tmp_path, V1)
        spec = tmp_path / "openapi.yaml"
        spec.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", "utf-8")
        result = runner.invoke(app, ["diff", old, str(spec)])
        assert result.exit_code != 0
        assert isinstance(result.exception, InvalidInput)
        assert "GraphQL schema with an OpenAPI document" in result.exception.message


def test_schemas_over_http(tmp_path: Path) -> None:
    """Both SDL files served by a real HTTP server on loopback, through the service."""
    from tests.apis.test_openapi_loader import _Quiet

    (tmp_path / "v1.graphql").write_text(V1, encoding="utf-8")
    (tmp_path / "v2.graphql").write_text(sub("SEV3 }", "SEV3 SEV4 }")(V1), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        result = diff_apis(f"{base}/v1.graphql", f"{base}/v2.graphql", current="1.0.0")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert [c.rule for c in result.report.changes] == ["graphql-enum-value-added"]
    assert str(result.next) == "1.1.0"
