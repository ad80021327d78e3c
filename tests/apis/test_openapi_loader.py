"""Loading OpenAPI documents: files, URLs over real HTTP, validation pointers, $ref resolution."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from polaris.apis.openapi_diff import Impact
from polaris.apis.openapi_loader import load_openapi, read_levels
from polaris.core.errors import InvalidInput, NotFound

MINIMAL_YAML = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /nodes:
    get:
      responses:
        200:
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Node"}
components:
  schemas:
    Node:
      type: object
      properties:
        name: {type: string}
        children:
          type: array
          items: {$ref: "#/components/schemas/Node"}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real HTTP server on loopback serving tmp_path."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_yaml_file_with_recursive_schema_resolves_to_a_cycle(tmp_path: Path) -> None:
    """$refs are replaced by their targets; a self-reference becomes a cycle; 200 is a str key."""
    doc = load_openapi(_write(tmp_path, "a.yaml", MINIMAL_YAML)).document
    schema = doc["paths"]["/nodes"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert schema["properties"]["name"] == {"type": "string"}
    assert schema["properties"]["children"]["items"] is schema


def test_json_file(tmp_path: Path) -> None:
    """JSON documents load the same way."""
    import yaml

    data = yaml.safe_load(MINIMAL_YAML)
    data["paths"]["/nodes"]["get"]["responses"] = {
        "200": data["paths"]["/nodes"]["get"]["responses"][200]
    }
    loaded = load_openapi(_write(tmp_path, "a.json", json.dumps(data)))
    assert loaded.openapi == "3.0.3"


def test_url_over_http(http_dir: tuple[Path, str]) -> None:
    """http(s) URLs are fetched with httpx."""
    root, url = http_dir
    _write(root, "spec.yaml", MINIMAL_YAML)
    assert "/nodes" in load_openapi(f"{url}/spec.yaml").document["paths"]


def test_url_404_is_not_found(http_dir: tuple[Path, str]) -> None:
    """A missing document at a URL is NotFound naming the URL."""
    _, url = http_dir
    with pytest.raises(NotFound, match="HTTP 404"):
        load_openapi(f"{url}/nope.yaml")


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is NotFound."""
    with pytest.raises(NotFound, match="no such file"):
        load_openapi(tmp_path / "nope.yaml")


def test_invalid_spec_names_the_json_pointer(tmp_path: Path) -> None:
    """A schema with a bad type is reported at its pointer."""
    text = MINIMAL_YAML.replace("name: {type: string}", "name: {type: strang}")
    with pytest.raises(InvalidInput) as info:
        load_openapi(_write(tmp_path, "bad.yaml", text))
    assert info.value.location.field == "/components/schemas/Node/properties/name/type"
    assert info.value.location.line == 17  # the `name:` line
    assert "not a valid OpenAPI 3.0.3 document: 'strang' is not one of" in info.value.message


def test_invalid_31_spec(tmp_path: Path) -> None:
    """3.1 documents are validated against the 3.1 schema (info.title is required)."""
    text = 'openapi: 3.1.0\ninfo: {version: "1"}\npaths: {}\n'
    with pytest.raises(InvalidInput, match=r"['\"]title['\"] is a required property"):
        load_openapi(_write(tmp_path, "bad31.yaml", text))


def test_valid_31_spec_with_webhooks_only(tmp_path: Path) -> None:
    """3.1 allows a document without paths."""
    text = 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\nwebhooks: {}\n'
    assert load_openapi(_write(tmp_path, "ok31.yaml", text)).openapi == "3.1.0"


def test_dangling_ref(tmp_path: Path) -> None:
    """A $ref to nothing names the reference and where it sits."""
    text = MINIMAL_YAML.replace(
        '#/components/schemas/Node"}\ncomponents', '#/components/schemas/Nod"}\ncomponents'
    )
    with pytest.raises(InvalidInput, match="points to nothing") as info:
        load_openapi(_write(tmp_path, "dangling.yaml", text))
    assert info.value.location.field == (
        "/paths/~1nodes/get/responses/200/content/application~1json/schema"
    )


def test_external_ref_refused(tmp_path: Path) -> None:
    """Only local references are resolved; others get a hint to bundle."""
    text = MINIMAL_YAML.replace(
        '"#/components/schemas/Node"}\ncomponents', '"other.yaml#/Node"}\ncomponents'
    )
    with pytest.raises(InvalidInput, match="external reference") as info:
        load_openapi(_write(tmp_path, "ext.yaml", text))
    assert info.value.hint is not None
    assert "bundle" in info.value.hint


def test_not_openapi_3(tmp_path: Path) -> None:
    """Swagger 2.0 is refused with a hint."""
    with pytest.raises(InvalidInput, match="unsupported openapi version"):
        load_openapi(_write(tmp_path, "sw.yaml", 'swagger: "2.0"\ninfo: {}\n'))


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    """Broken YAML names its line."""
    with pytest.raises(InvalidInput, match="invalid YAML") as info:
        load_openapi(_write(tmp_path, "broken.yaml", "openapi: 3.0.3\ninfo: [\n"))
    assert info.value.location.line is not None


def test_without_validation_refs_are_still_checked(tmp_path: Path) -> None:
    """--no-validate skips the schema check but not the reference check."""
    text = MINIMAL_YAML.replace("name: {type: string}", "name: {type: strang}")
    assert load_openapi(_write(tmp_path, "a.yaml", text), validate=False).openapi == "3.0.3"


class TestLevels:
    """Levels files: YAML mappings or oasdiff's `id LEVEL` lines."""

    def test_yaml(self, tmp_path: Path) -> None:
        """YAML mapping of rule ids to levels."""
        path = _write(
            tmp_path, "levels.yaml", "response-property-added: high\napi-path-removed: none\n"
        )
        assert read_levels(path) == {
            "response-property-added": Impact.HIGH,
            "api-path-removed": None,
        }

    def test_oasdiff_lines(self, tmp_path: Path) -> None:
        """`rule-id ERR|WARN|INFO|NONE` lines, as oasdiff writes them."""
        text = "# comment\nrequest-parameter-removed ERR\nresponse-property-added\tINFO\n"
        assert read_levels(_write(tmp_path, "levels.txt", text)) == {
            "request-parameter-removed": Impact.BREAKING,
            "response-property-added": Impact.LOW,
        }

    def test_bad_line(self, tmp_path: Path) -> None:
        """A line with three words names its line."""
        with pytest.raises(InvalidInput, match="expected `rule-id level`") as info:
            read_levels(_write(tmp_path, "levels.txt", "a b\nx y z\n"))
        assert info.value.location.line == 2


def test_patterns_no_engine_compiles_do_not_refuse_a_31_spec(tmp_path: Path) -> None:
    """Issue 19: a bad `pattern` or `patternProperties` key is the differ's business (compared
    as text), not a reason to refuse the document; the document keeps the original text."""
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "A": {"type": "string", "pattern": "[z-a"},
                "B": {
                    "type": "object",
                    "patternProperties": {"[z-a": {"type": "string"}, r"^[\w-.]+$": {}},
                },
            }
        },
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    schemas = load_openapi(path).document["components"]["schemas"]
    assert schemas["A"]["pattern"] == "[z-a"
    assert list(schemas["B"]["patternProperties"]) == ["[z-a", r"^[\w-.]+$"]


def test_validation_errors_are_one_line(tmp_path: Path) -> None:
    bad = MINIMAL_YAML.replace("name: {type: string}", "name: {type: strang}")
    with pytest.raises(InvalidInput) as err:
        load_openapi(_write(tmp_path, "bad.yaml", bad))
    assert "\n" not in str(err.value)
