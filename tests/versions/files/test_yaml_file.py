"""A YAML scalar by dotted key: Helm Chart.yaml and values.yaml, multi-document manifests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from polaris.core.errors import VersionFileError
from polaris.core.project import FileSpec
from polaris.versions.files import format_for

Edit = Callable[[FileSpec, bytes | str, str], Any]

CHART = """\
apiVersion: v2
name: aiops-polaris
description: AIOps Polaris platform   # long description on one line, kept exactly as written here
type: application

# Chart version: bumped on every chart change
version: 2.1.0
# Version of the platform this chart deploys
appVersion: "2.1.0"

dependencies:
  - name: mysql
    version: 9.14.1
    repository: https://charts.bitnami.com/bitnami
  - name: neo4j
    version: "5.15.0"
    repository:   https://helm.neo4j.com/neo4j
"""

VALUES = """\
# Default values for aiops-polaris.
replicaCount: 2

image:
  repository: registry.example.com/aiops/api
  # Overrides the image tag whose default is the chart appVersion.
  tag: "2.1.0"
  pullPolicy: IfNotPresent

agent:
  image: {repository: registry.example.com/aiops/agent, tag: '2.1.0'}

resources: {}
"""


def test_chart_version_plain_scalar(edit: Edit) -> None:
    spec = FileSpec("infrastructure/helm/Chart.yaml", "yaml", key="version")
    result = edit(spec, CHART, "2.2.0")
    [found] = result.found
    assert (found.text, found.line, found.column, found.where) == ("2.1.0", 7, 10, "version")
    assert result.data.decode() == CHART.replace("version: 2.1.0", "version: 2.2.0")


def test_chart_app_version_keeps_its_double_quotes(edit: Edit) -> None:
    spec = FileSpec("infrastructure/helm/Chart.yaml", "yaml", key="appVersion")
    result = edit(spec, CHART, "2.2.0-rc.1+build.12")
    [found] = result.found
    assert (found.text, found.line, found.column) == ("2.1.0", 9, 14)
    assert result.data.decode() == CHART.replace(
        'appVersion: "2.1.0"', 'appVersion: "2.2.0-rc.1+build.12"'
    )


def test_values_image_tag_by_dotted_path(edit: Edit) -> None:
    spec = FileSpec("infrastructure/helm/values.yaml", "yaml", key="image.tag")
    result = edit(spec, VALUES, "2.2.0")
    assert [f.text for f in result.found] == ["2.1.0"]
    assert result.data.decode() == VALUES.replace('tag: "2.1.0"', 'tag: "2.2.0"')


def test_flow_mapping_single_quotes(edit: Edit) -> None:
    spec = FileSpec("infrastructure/helm/values.yaml", "yaml", key="agent.image.tag")
    result = edit(spec, VALUES, "1.0.0")
    assert result.data.decode() == VALUES.replace("tag: '2.1.0'", "tag: '1.0.0'")


def test_sequence_index_in_the_path(edit: Edit) -> None:
    spec = FileSpec("Chart.yaml", "yaml", key="dependencies.1.version")
    result = edit(spec, CHART, "5.16.0")
    assert result.data.decode() == CHART.replace('version: "5.15.0"', 'version: "5.16.0"')


def test_crlf_bom_tags_and_no_trailing_newline(edit: Edit) -> None:
    original = "\ufeff# chart\r\nversion: !!str 2.1.0 # tagged\r\nappVersion: &app 2.1.0"
    result = edit(FileSpec("Chart.yaml", "yaml", key="version"), original, "3.0.0")
    assert result.data.decode() == original.replace("!!str 2.1.0", "!!str 3.0.0")
    result = edit(FileSpec("Chart.yaml", "yaml", key="appVersion"), original, "3.0.0")
    assert result.data.decode() == original.replace("&app 2.1.0", "&app 3.0.0")


def test_a_non_string_scalar_is_reported_as_written() -> None:
    [found] = format_for(FileSpec("values.yaml", "yaml", key="tag")).find("tag: 2.10\n")
    assert found.text == "2.10"  # not the float 2.1


MANIFESTS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: aiops-config
data:
  LOG_LEVEL: info
---
# the release record
release:
  version: 2.1.0
---
apiVersion: v1
kind: Service
metadata:
  name: aiops-api
"""


def test_multi_document_key_in_exactly_one_document(edit: Edit) -> None:
    spec = FileSpec("k8s/all.yaml", "yaml", key="release.version")
    result = edit(spec, MANIFESTS, "2.1.1")
    assert [(f.text, f.line) for f in result.found] == [("2.1.0", 10)]
    assert result.data.decode() == MANIFESTS.replace("version: 2.1.0", "version: 2.1.1")


def test_multi_document_key_in_two_documents_needs_count(edit: Edit) -> None:
    text = MANIFESTS + "---\nrelease:\n  version: '2.1.0'\n"
    spec = FileSpec("k8s/all.yaml", "yaml", key="release.version")
    with pytest.raises(
        VersionFileError,
        match=r"^k8s/all\.yaml:10: release\.version: key release\.version found 2 times, on lines "
        r"10 and 18; expected exactly 1",
    ):
        format_for(spec).find(text)
    result = edit(FileSpec("k8s/all.yaml", "yaml", key="release.version", count=2), text, "2.2.0")
    assert result.data.decode() == text.replace("2.1.0", "2.2.0")


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("version", "a: [1\nversion: 2\n", r"^c\.yaml:2: not valid YAML"),
        ("version", "a: b: c\n", r"^c\.yaml:1: not valid YAML: mapping values are not allowed"),
        (
            "image.tag",
            "image:\n  repository: x\n",
            r"^c\.yaml: image\.tag: key image\.tag found nowhere",
        ),
        ("image.tag", "image: nginx:1.25\n", r"key image\.tag found nowhere"),
        (
            "image",
            "image:\n  tag: x\n",
            r"^c\.yaml:2: image: image is a mapping, expected a scalar",
        ),
        (
            "version",
            "version: 1.0.0\nversion: 2.0.0\n",
            r"^c\.yaml:2: version: key 'version' appears 2 times",
        ),
        ("version", "", r"key version found nowhere"),
    ],
)
def test_bad_files_are_errors(key: str, text: str, message: str) -> None:
    spec = FileSpec("c.yaml", "yaml", key=key)
    with pytest.raises(VersionFileError, match=message):
        format_for(spec).find(text)
    with pytest.raises(VersionFileError, match=message):
        format_for(spec).replace(text, "1.0.0")


@pytest.mark.parametrize(
    "text", ["version: |\n  2.1.0\n", "version:\n", "version: 2.1.0\n  continued\n"]
)
def test_scalars_that_cannot_be_rewritten_in_place(text: str) -> None:
    spec = FileSpec("c.yaml", "yaml", key="version")
    format_for(spec).find(text)  # reading works
    with pytest.raises(
        VersionFileError, match=r"^c\.yaml:\d: version: version is .*cannot rewrite"
    ):
        format_for(spec).replace(text, "1.0.0")
