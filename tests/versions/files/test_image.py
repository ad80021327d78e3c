"""Image references of one configured image in Compose, Kubernetes and Dockerfiles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from polaris.core.errors import VersionFileError
from polaris.core.project import FileSpec
from polaris.versions.files import format_for

Edit = Callable[[FileSpec, bytes | str, str], Any]

COMPOSE = """\
# AIOps Polaris: local stack (seed 13.2.1)
services:
  api:
    image: aiops/api:2.1.0
    ports:
      - "8000:8000"
    environment:
      - AGENT_URL=http://agent:8001
      - UPSTREAM=aiops/api:health   # the same image, by tag: it is managed too
  api-gateway:
    image: aiops/api-gw:2.1.0      # another image whose name starts the same
  agent:
    image: "aiops/agent:2.1.0"
  worker:
    image: aiops/api:2.1.0         # same image, worker entry point
    command: ["python", "-m", "aiops.worker"]
  web:
    image: registry.example.com/aiops/api:2.1.0
  mysql:
    image: mysql:8.0.36
  neo4j:
    image: neo4j:5.15-community
  weaviate:
    image: semitechnologies/weaviate:1.23.7
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: aiops-api
  labels:
    app.kubernetes.io/name: aiops-api
spec:
  replicas: 3
  template:
    spec:
      initContainers:
        - name: migrate
          image: registry.example.com/aiops/api-migrations:2.1.0
      containers:
        - name: api
          image: registry.example.com/aiops/api:2.1.0
          ports:
            - containerPort: 8000
        - name: log-shipper
          image: fluent/fluent-bit:2.2.0
        - name: api-canary
          image: 'registry.example.com/aiops/api:2.0.9'
---
apiVersion: v1
kind: Service
metadata:
  name: aiops-api
"""


def test_compose_only_the_configured_image_changes(edit: Edit) -> None:
    spec = FileSpec("docker-compose.yml", "image", image="aiops/api")
    result = edit(spec, COMPOSE, "2.2.0")
    assert [(f.text, f.line, f.column, f.where) for f in result.found] == [
        ("2.1.0", 4, 22, "image aiops/api"),
        ("health", 9, 28, "image aiops/api"),
        ("2.1.0", 15, 22, "image aiops/api"),
    ]
    expected = COMPOSE.replace("image: aiops/api:2.1.0", "image: aiops/api:2.2.0").replace(
        "aiops/api:health", "aiops/api:2.2.0"
    )
    assert result.data.decode() == expected
    assert "aiops/api-gw:2.1.0" in expected
    assert "registry.example.com/aiops/api:2.1.0" in expected


def test_kubernetes_two_containers_registry_qualified(edit: Edit) -> None:
    spec = FileSpec(
        "infrastructure/kubernetes/api.yaml", "image", image="registry.example.com/aiops/api"
    )
    result = edit(spec, DEPLOYMENT.replace("\n", "\r\n"), "2.2.0-rc.1")
    assert [(f.text, f.line) for f in result.found] == [("2.1.0", 16), ("2.0.9", 22)]
    expected = DEPLOYMENT.replace("aiops/api:2.1.0", "aiops/api:2.2.0-rc.1").replace(
        "aiops/api:2.0.9", "aiops/api:2.2.0-rc.1"
    )
    assert result.data.decode() == expected.replace("\n", "\r\n")
    assert "aiops/api-migrations:2.1.0" in expected


def test_dockerfile_from_lines(edit: Edit) -> None:
    original = (
        "FROM aiops/api:2.1.0 AS base\n"
        "FROM docker.io/aiops/api:2.1.0 AS release\n"
        "FROM myaiops/api:2.1.0\n"
        "COPY --from=aiops/api:2.1.0 /app /app\n"
        "LABEL org.opencontainers.image.version=2.1.0"
    )
    result = edit(FileSpec("Dockerfile", "image", image="aiops/api"), original, "2.1.1")
    assert len(result.found) == 3
    assert result.data.decode() == (
        "FROM aiops/api:2.1.1 AS base\n"
        "FROM docker.io/aiops/api:2.1.1 AS release\n"
        "FROM myaiops/api:2.1.0\n"
        "COPY --from=aiops/api:2.1.1 /app /app\n"
        "LABEL org.opencontainers.image.version=2.1.0"
    )


def test_official_images_match_with_library_prefix(edit: Edit) -> None:
    original = "a: mysql:8.0.36\nb: docker.io/library/mysql:8.0.36\nc: mysql-router:8.0.36\n"
    result = edit(FileSpec("c.yml", "image", image="mysql"), original, "8.4.0")
    assert result.data.decode() == original.replace("mysql:8.0.36", "mysql:8.4.0")


def test_build_metadata_is_written_with_underscore_and_read_back_with_plus(edit: Edit) -> None:
    spec = FileSpec("docker-compose.yml", "image", image="aiops/agent")
    result = edit(spec, COMPOSE, "2.2.0-rc.1+build.7.abc12345")
    assert '"aiops/agent:2.2.0-rc.1_build.7.abc12345"' in result.data.decode()
    assert [f.text for f in result.after] == ["2.2.0-rc.1+build.7.abc12345"]


def test_a_plus_in_an_existing_tag_is_read_and_fixed(edit: Edit) -> None:
    result = edit(
        FileSpec("c.yml", "image", image="aiops/api"), "image: aiops/api:2.1.0+b.1\n", "2.1.0"
    )
    assert [f.text for f in result.found] == ["2.1.0+b.1"]
    assert result.data == b"image: aiops/api:2.1.0\n"


def test_digest_pinned_reference_is_reported_and_never_rewritten() -> None:
    digest = "sha256:" + "a" * 64
    text = f"image: aiops/api:2.1.0@{digest}\nother: aiops/api@{digest}\n"
    fmt = format_for(FileSpec("k8s.yaml", "image", image="aiops/api"))
    assert [(f.text, f.where) for f in fmt.find(text)] == [
        ("2.1.0", "image aiops/api (pinned by digest)"),
        (f"@{digest}", "image aiops/api (pinned by digest)"),
    ]
    with pytest.raises(
        VersionFileError, match=r"^k8s\.yaml:1: image: aiops/api is pinned by digest @sha256:aaaa"
    ):
        fmt.replace(text, "2.2.0")


def test_digest_pinned_reference_already_at_the_version_is_left_alone() -> None:
    text = f"image: aiops/api:2.1.0@sha256:{'b' * 64}\nnext: aiops/api:2.0.0\n"
    fmt = format_for(FileSpec("k8s.yaml", "image", image="aiops/api"))
    assert fmt.replace(text, "2.1.0") == text.replace("2.0.0", "2.1.0")


def test_variable_tag_is_reported_and_refused() -> None:
    text = "image: aiops/api:${API_TAG:-2.1.0}\n"
    fmt = format_for(FileSpec("docker-compose.yml", "image", image="aiops/api"))
    assert [f.text for f in fmt.find(text)] == ["${API_TAG:-2.1.0}"]
    with pytest.raises(
        VersionFileError, match=r"docker-compose\.yml:1: image: .*not a literal Docker tag"
    ):
        fmt.replace(text, "2.2.0")


def test_name_without_tag_is_not_a_reference() -> None:
    text = "# aiops/api: the REST API\nimage: aiops/api:2.1.0\n"
    found = format_for(FileSpec("c.yml", "image", image="aiops/api")).find(text)
    assert [(f.text, f.line) for f in found] == [("2.1.0", 2)]


def test_count_is_exact_when_given() -> None:
    fmt = format_for(FileSpec("docker-compose.yml", "image", image="aiops/api", count=2))
    with pytest.raises(
        VersionFileError,
        match=r"^docker-compose\.yml:4: image: a tagged reference to image aiops/api found 3 "
        r"times, on lines 4, 9 and 15; expected exactly 2",
    ):
        fmt.find(COMPOSE)


@pytest.mark.parametrize("image", ["aiops/web", "aiops/ap", "api"])
def test_no_reference_is_an_error_naming_the_file(image: str) -> None:
    with pytest.raises(
        VersionFileError,
        match=rf"^docker-compose\.yml: image: a tagged reference to image {image} found nowhere",
    ):
        format_for(FileSpec("docker-compose.yml", "image", image=image)).find(COMPOSE)


def test_no_image_configured_is_an_error() -> None:
    with pytest.raises(VersionFileError, match="no image configured"):
        format_for(FileSpec("docker-compose.yml", "image")).find(COMPOSE)
