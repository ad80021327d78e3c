"""Finding, loading and validating polaris.toml / [tool.polaris], on real files."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from polaris.core.errors import ConfigError, Location
from polaris.core.project import Component, FileSpec, Project
from polaris.project.load import ConfigProblems, find_config, load_project

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aiops-polaris"

MINIMAL = """\
[platform]
name = "demo"
version_source = { path = "VERSION", format = "plain" }
"""


def write(directory: Path, text: str, name: str = "polaris.toml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> ConfigProblems:
    with pytest.raises(ConfigProblems) as info:
        load_project(path)
    return info.value


# -- the example platform -------------------------------------------------------------------------


def _spec(path: str, fmt: str, **kw: str) -> FileSpec:
    return FileSpec(path=path, format=fmt, **kw)  # type: ignore[arg-type]


def _service(name: str, description: str, first: FileSpec) -> Component:
    image = f"aiops/{name}"
    return Component(
        name=name,
        kind="service",
        source=None,
        files=(
            first,
            _spec(f"infrastructure/kubernetes/{name}.yaml", "image", image=image),
            _spec("docker-compose.yml", "image", image=image),
        ),
        paths=("web",) if name == "web" else (f"src/{name}",),
        description=description,
        group="Application Services",
        follows_platform=True,
    )


def _owned(name: str, kind: str, group: str, description: str, *files: FileSpec) -> Component:
    return Component(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        source=None,
        files=files,
        paths=(f"models/{name}",) if kind == "model" else (),
        description=description,
        group=group,
    )


def expected_example() -> Project:
    models = "AI/ML Models"
    schemas = "Database Schemas"
    helm = "infrastructure/helm/aiops"
    return Project(
        root=str(EXAMPLE),
        config_path=str(EXAMPLE / "polaris.toml"),
        name="aiops-polaris",
        platform_source=_spec("VERSION", "version-file"),
        platform_files=(_spec(f"{helm}/Chart.yaml", "yaml", key="appVersion"),),
        components=(
            _service(
                "api", "API Service", _spec("src/api/__init__.py", "python", key="__version__")
            ),
            _service(
                "agents",
                "Agent Services",
                _spec("src/agents/__init__.py", "python", key="__version__"),
            ),
            _service("web", "Web UI", _spec("web/package.json", "json", key="version")),
            _owned(
                "rag_search",
                "model",
                models,
                "RAG Search Model",
                _spec("models/rag_search/VERSION", "plain"),
                _spec("models/rag_search/model.yaml", "yaml", key="version"),
            ),
            _owned(
                "classification",
                "model",
                models,
                "Classification Model",
                _spec("models/classification/VERSION", "plain"),
            ),
            _owned("ner", "model", models, "NER Model", _spec("models/ner/VERSION", "plain")),
            Component(
                name="kubernetes",
                kind="infra",
                source=None,
                files=(
                    _spec(f"{helm}/Chart.yaml", "yaml", key="version"),
                    _spec(f"{helm}/values.yaml", "yaml", key="image.tag"),
                ),
                paths=("infrastructure/kubernetes", "infrastructure/helm"),
                description="Kubernetes Manifests",
                group="Infrastructure",
                follows_platform=True,
            ),
            Component(
                name="docker",
                kind="infra",
                source=None,
                files=(_spec("infrastructure/docker/Dockerfile", "dockerfile"),),
                paths=("infrastructure/docker", "docker-compose.yml"),
                description="Docker Images",
                group="Infrastructure",
                follows_platform=True,
            ),
            Component(
                name="terraform",
                kind="infra",
                source=None,
                files=(
                    _spec(
                        "infrastructure/terraform/main.tf",
                        "pattern",
                        pattern='version = "{version}"',
                    ),
                ),
                paths=("infrastructure/terraform",),
                description="Terraform Modules",
                group="Infrastructure",
            ),
            Component(
                name="mysql_schema",
                kind="schema",
                source=None,
                files=(_spec("schemas/mysql/VERSION", "plain"),),
                paths=("schemas/mysql",),
                description="MySQL Schema",
                group=schemas,
            ),
            Component(
                name="neo4j_schema",
                kind="schema",
                source=None,
                files=(_spec("schemas/neo4j/schema.json", "json", key="version"),),
                paths=("schemas/neo4j",),
                description="Neo4j Schema",
                group=schemas,
            ),
            Component(
                name="weaviate_schema",
                kind="schema",
                source=None,
                paths=("schemas/weaviate",),
                description="Weaviate Schema",
                group=schemas,
                declared_version="1.1.0",
            ),
        ),
    )


def test_example_platform_loads_as_the_whole_seed_tree() -> None:
    project = load_project(EXAMPLE / "polaris.toml")
    assert project == expected_example()
    assert project.tag_format == "v{version}"
    assert project.component_tag_format == "{component}-v{version}"
    groups = {
        c.group: [d.description for d in project.components if d.group == c.group]
        for c in project.components
    }
    assert groups == {
        "Application Services": ["API Service", "Agent Services", "Web UI"],
        "AI/ML Models": ["RAG Search Model", "Classification Model", "NER Model"],
        "Infrastructure": ["Kubernetes Manifests", "Docker Images", "Terraform Modules"],
        "Database Schemas": ["MySQL Schema", "Neo4j Schema", "Weaviate Schema"],
    }


def _read_versions(root: Path, spec: FileSpec) -> list[str]:
    """An independent, deliberately simple reader of each format (the adapters have their own)."""
    text = (root / spec.path).read_text(encoding="utf-8")
    if spec.format == "version-file":
        fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        version = ".".join(fields[k] for k in ("MAJOR_VERSION", "MINOR_VERSION", "PATCH_VERSION"))
        pre, build = fields["PRERELEASE"], fields["BUILD_METADATA"]
        return [version + (f"-{pre}" if pre else "") + (f"+{build}" if build else "")]
    if spec.format == "plain":
        return [text.strip()]
    if spec.format == "python":
        return re.findall(rf'^{spec.key} = "([^"]+)"$', text, re.MULTILINE)
    if spec.format == "json":
        return [json.loads(text)[str(spec.key)]]
    if spec.format == "yaml":
        *parents, leaf = str(spec.key).split(".")
        indent = "  " * len(parents)
        return re.findall(rf'^{indent}{leaf}: "?([^"\s]+)"?$', text, re.MULTILINE)
    if spec.format == "image":
        return re.findall(rf"image: {re.escape(str(spec.image))}:(\S+)$", text, re.MULTILINE)
    if spec.format == "dockerfile":
        return re.findall(r'^LABEL (?:org\.opencontainers\.image\.)?version="([^"]+)"', text, re.M)
    assert spec.format == "pattern"
    head, tail = str(spec.pattern).split("{version}")
    return re.findall(re.escape(head) + r"(\S+?)" + re.escape(tail), text)


def test_example_versions_are_consistent_and_match_seed_2_1() -> None:
    project = load_project(EXAMPLE)
    root = Path(project.root)
    assert project.platform_source is not None
    platform = _read_versions(root, project.platform_source)
    assert platform == ["2.1.0"]
    for spec in project.platform_files:
        assert _read_versions(root, spec) == platform, spec
    seed = {
        "rag_search": "1.3.2",
        "classification": "1.2.1",
        "ner": "1.1.0",
        "terraform": "1.4.0",
        "mysql_schema": "2.1.0",
        "neo4j_schema": "1.2.0",
        "weaviate_schema": "1.1.0",
    }
    for component in project.components:
        want = "2.1.0" if component.follows_platform else seed[component.name]
        if not component.files:
            assert component.declared_version == want
        for spec in component.files:
            assert set(_read_versions(root, spec)) == {want}, (component.name, spec)


def test_example_holds_images_and_files_that_are_not_ours() -> None:
    compose = (EXAMPLE / "docker-compose.yml").read_text(encoding="utf-8")
    assert "image: mysql:8.0\n" in compose
    assert "image: neo4j:5\n" in compose
    assert "image: redis:7.2\n" in compose
    agents = (EXAMPLE / "infrastructure/kubernetes/agents.yaml").read_text(encoding="utf-8")
    assert "image: redis:7.2\n" in agents
    assert (EXAMPLE / "VERSION").read_text(encoding="utf-8") == (
        "MAJOR_VERSION=2\nMINOR_VERSION=1\nPATCH_VERSION=0\nPRERELEASE=\nBUILD_METADATA=\n"
    )
    changelog = (EXAMPLE / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [2.1.0] - 2025-09-01" in changelog
    assert "## [Unreleased]" in changelog
    for path in ("requirements.txt", "README.md", "infrastructure/terraform/versions.tf"):
        assert (EXAMPLE / path).is_file(), path


# -- valid configurations -------------------------------------------------------------------------


def test_minimal_config_fills_defaults(tmp_path: Path) -> None:
    project = load_project(write(tmp_path, MINIMAL))
    assert project == Project(
        root=str(tmp_path.resolve()),
        config_path=str((tmp_path / "polaris.toml").resolve()),
        name="demo",
        platform_source=FileSpec("VERSION", "plain"),
    )


def test_default_keys_per_format(tmp_path: Path) -> None:
    text = MINIMAL + (
        "[components.lib]\nkind = 'library'\nfiles = [\n"
        "  { path = 'pyproject.toml', format = 'toml' },\n"
        "  { path = 'lib/__init__.py', format = 'python' },\n"
        "  { path = 'package.json', format = 'json' },\n"
        "  { path = 'conf.py', format = 'python', key = 'release' },\n"
        "  { path = './a/../b.yaml', format = 'yaml', key = 'app.version', count = 2 },\n"
        "]\nsource = { path = 'pyproject.toml', format = 'toml', key = 'tool.poetry.version' }\n"
    )
    lib = load_project(write(tmp_path, text)).components[0]
    assert [(f.path, f.key, f.count) for f in lib.files] == [
        ("pyproject.toml", "project.version", None),
        ("lib/__init__.py", "__version__", None),
        ("package.json", "version", None),
        ("conf.py", "release", None),
        ("b.yaml", "app.version", 2),
    ]
    assert lib.source == FileSpec("pyproject.toml", "toml", key="tool.poetry.version")
    assert lib.version_source == lib.source


def test_databases_tables_are_left_to_their_own_loader(tmp_path: Path) -> None:
    text = MINIMAL + '[databases.mysql]\ndialect = "mysql"\nurl_env = "AIOPS_MYSQL_URL"\n'
    assert load_project(write(tmp_path, text)).name == "demo"


def test_arrays_of_tables_and_declared_versions(tmp_path: Path) -> None:
    text = MINIMAL + (
        '[components.db]\nkind = "schema"\nversion = "3.0.0-rc.1+b.7"\n'
        '[[components.web.files]]\npath = "web/package.json"\nformat = "json"\n'
        '[components.web]\nkind = "service"\npaths = [".", "web"]\n'
        'follows_platform = true\ndescription = "Web UI"\n'
    )
    project = load_project(write(tmp_path, text))
    db, web = project.components
    assert db.declared_version == "3.0.0-rc.1+b.7"
    assert db.version_source is None
    assert web.files == (FileSpec("web/package.json", "json", key="version"),)
    assert web.paths == (".", "web")


def test_pyproject_tool_polaris(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[project]\nname = "lib"\nversion = "0.3.0"\n\n'
        '[tool.polaris.platform]\nname = "lib"\n'
        'version_source = { path = "pyproject.toml", format = "toml" }\n'
        'tag_format = "release/{version}"\n\n'
        '[tool.polaris.components.docs]\nkind = "config"\n'
        'files = [{ path = "docs/conf.py", format = "python", key = "release" }]\n',
        "pyproject.toml",
    )
    project = load_project(path)
    assert project.name == "lib"
    assert project.platform_source == FileSpec("pyproject.toml", "toml", key="project.version")
    assert project.tag_format == "release/{version}"
    assert project.components[0].files == (FileSpec("docs/conf.py", "python", key="release"),)


def test_pyproject_errors_name_the_full_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[project]\nname = "lib"\n\n[tool.polaris.platform]\nname = "lib"\n\n'
        '[tool.polaris.components.docs]\nkind = "doc"\nversion = "1.0.0"\n',
        "pyproject.toml",
    )
    err = problems_of(path)
    assert err.location == Location(str(path), 8, "tool.polaris.components.docs.kind")
    assert str(err).startswith(f"{path}:8: tool.polaris.components.docs.kind: expected one of")


def test_pyproject_without_tool_polaris(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "x"\n', "pyproject.toml")
    with pytest.raises(ConfigError, match=r"no \[tool\.polaris\] table") as info:
        load_project(path)
    assert info.value.location.file == str(path)


def test_pyproject_old_style_flat_table_is_pointed_to_platform(tmp_path: Path) -> None:
    path = write(tmp_path, '[tool.polaris]\nname = "x"\n', "pyproject.toml")
    err = problems_of(path)
    lines = str(err)
    assert f"{path}:1: tool.polaris.platform: required table missing" in lines
    assert f"{path}:2: tool.polaris.name: unknown key 'name'" in lines
    assert "(hint: name belongs under [platform])" in lines


# -- find_config ----------------------------------------------------------------------------------


def test_find_config_walks_up_from_a_nested_directory(tmp_path: Path) -> None:
    config = write(tmp_path / "repo", MINIMAL)
    nested = tmp_path / "repo" / "src" / "pkg" / "sub"
    nested.mkdir(parents=True)
    assert find_config(nested) == config.resolve()
    assert find_config(tmp_path / "repo") == config.resolve()


def test_find_config_accepts_the_file_itself(tmp_path: Path) -> None:
    config = write(tmp_path, MINIMAL, "custom.toml")
    assert find_config(config) == config


def test_find_config_skips_pyproject_without_tool_polaris(tmp_path: Path) -> None:
    config = write(tmp_path, MINIMAL)
    write(tmp_path / "pkg", '[project]\nname = "pkg"\n', "pyproject.toml")
    assert find_config(tmp_path / "pkg") == config.resolve()


def test_find_config_takes_the_nearest_pyproject_with_tool_polaris(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL)
    inner = write(tmp_path / "pkg", '[tool.polaris.platform]\nname = "pkg"\n', "pyproject.toml")
    assert find_config(tmp_path / "pkg") == inner.resolve()


def test_find_config_prefers_polaris_toml_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path, '[tool.polaris.platform]\nname = "x"\n', "pyproject.toml")
    config = write(tmp_path, MINIMAL)
    assert find_config(tmp_path) == config.resolve()


def test_find_config_reports_bad_toml_on_the_way(tmp_path: Path) -> None:
    write(tmp_path, "[project\n", "pyproject.toml")
    with pytest.raises(ConfigError, match="invalid TOML") as info:
        find_config(tmp_path)
    assert info.value.location == Location(str(tmp_path.resolve() / "pyproject.toml"), 1)


def test_find_config_not_found(tmp_path: Path) -> None:
    empty = tmp_path / "nothing" / "here"
    empty.mkdir(parents=True)
    with pytest.raises(ConfigError) as info:
        find_config(empty)
    err = info.value
    assert "no polaris.toml" in err.message
    assert err.hint is not None
    assert "polaris.toml" in err.hint
    assert err.location.file == str(empty)
    with pytest.raises(ConfigError, match="no such file or directory"):
        find_config(tmp_path / "missing")


def test_load_project_from_a_directory(tmp_path: Path) -> None:
    write(tmp_path, MINIMAL)
    (tmp_path / "sub").mkdir()
    assert load_project(tmp_path / "sub").name == "demo"


# -- bad input: one problem each, with its file, line and field -----------------------------------

COMPONENT = MINIMAL + '\n[components.api]\nkind = "service"\n'
# Line numbers: [components.api] is line 5, kind line 6, the next line written is 7.

BAD: list[tuple[str, str, int, str, str]] = [
    # (id, config text, line, field, message fragment)
    (
        "no-platform",
        '[components.a]\nkind = "model"\nversion = "1.0.0"\n',
        0,
        "platform",
        "required table missing",
    ),
    ("platform-not-table", 'platform = "x"\n', 1, "platform", "expected a table"),
    (
        "no-name",
        "[platform]\ntag_format = 'v{version}'\n",
        1,
        "platform.name",
        "required key missing: expected a string",
    ),
    ("name-not-string", "[platform]\nname = 3\n", 2, "platform.name", "expected a string, got 3"),
    ("name-blank", "[platform]\nname = ' '\n", 2, "platform.name", "non-empty"),
    (
        "unknown-top",
        "component = {}\n" + MINIMAL,
        1,
        "component",
        "unknown key 'component'; expected one of platform, components, databases, release, "
        "governance, configs, environments (hint: did you mean 'components'?)",
    ),
    (
        "unknown-platform",
        MINIMAL + "tag_fromat = 'v{version}'\n",
        4,
        "platform.tag_fromat",
        "(hint: did you mean 'tag_format'?)",
    ),
    (
        "tag-no-version",
        MINIMAL + "tag_format = 'release'\n",
        4,
        "platform.tag_format",
        "expected {version} exactly once",
    ),
    (
        "tag-twice",
        MINIMAL + "tag_format = '{version}-{version}'\n",
        4,
        "platform.tag_format",
        "expected {version} exactly once",
    ),
    (
        "tag-placeholder",
        MINIMAL + "tag_format = 'v{version}-{date}'\n",
        4,
        "platform.tag_format",
        "unknown placeholder {date}",
    ),
    (
        "tag-space",
        MINIMAL + "tag_format = 'release {version}'\n",
        4,
        "platform.tag_format",
        "' ' is not allowed in a git tag name",
    ),
    (
        "component-tag",
        MINIMAL + "component_tag_format = 'v{version}'\n",
        4,
        "platform.component_tag_format",
        "expected {component} exactly once",
    ),
    ("components-not-table", "components = 1\n" + MINIMAL, 1, "components", "expected a table"),
    (
        "component-name-upper",
        MINIMAL + "[components.Api]\nkind = 'api'\nversion = '1.0.0'\n",
        4,
        "components.Api",
        "invalid component name 'Api'",
    ),
    (
        "component-name-leading",
        MINIMAL + "[components._x]\nkind = 'api'\nversion = '1.0.0'\n",
        4,
        "components._x",
        "invalid component name '_x'",
    ),
    (
        "component-not-table",
        MINIMAL + "[components]\napi = 'service'\n",
        5,
        "components.api",
        "expected a table ([components.api]), got 'service'",
    ),
    (
        "no-kind",
        MINIMAL + "[components.api]\nversion = '1.0.0'\n",
        4,
        "components.api.kind",
        "required key missing",
    ),
    (
        "bad-kind",
        MINIMAL + "[components.api]\nkind = 'servce'\nversion = '1.0.0'\n",
        5,
        "components.api.kind",
        "expected one of service, model, api, schema, config, infra, library, got 'servce' "
        "(hint: did you mean 'service'?)",
    ),
    (
        "unknown-component-key",
        COMPONENT + "version = '1.0.0'\ngrup = 'x'\n",
        8,
        "components.api.grup",
        "(hint: did you mean 'group'?)",
    ),
    (
        "group-not-string",
        COMPONENT + "version = '1.0.0'\ngroup = 3\n",
        8,
        "components.api.group",
        "expected a string, got 3",
    ),
    (
        "follows-not-bool",
        COMPONENT + "version = '1.0.0'\nfollows_platform = 'yes'\n",
        8,
        "components.api.follows_platform",
        "expected true or false, got 'yes'",
    ),
    (
        "bad-version",
        COMPONENT + "version = '1.02.3'\n",
        7,
        "components.api.version",
        "expected a SemVer version: '1.02.3': numeric identifier '02' has a leading zero",
    ),
    (
        "version-not-string",
        COMPONENT + "version = 1.0\n",
        7,
        "components.api.version",
        "expected a string, got 1.0",
    ),
    (
        "version-with-files",
        COMPONENT + "version = '1.0.0'\nfiles = [{path='V', format='plain'}]\n",
        7,
        "components.api.version",
        "a declared version is only for components with no source",
    ),
    ("nothing", COMPONENT, 5, "components.api", "nothing gives this component a version"),
    (
        "follows-with-source",
        COMPONENT + "follows_platform = true\nsource = { path = 'V', format = 'plain' }\n",
        8,
        "components.api.source",
        "follows_platform = true takes no source",
    ),
    (
        "follows-with-version",
        COMPONENT + "follows_platform = true\nversion = '1.0.0'\n",
        8,
        "components.api.version",
        "follows_platform = true takes no version",
    ),
    (
        "follows-no-platform-source",
        "[platform]\nname = 'x'\n[components.api]\nkind = 'service'\nfollows_platform = true\n",
        5,
        "components.api.follows_platform",
        "needs [platform].version_source",
    ),
    (
        "paths-not-array",
        COMPONENT + "version = '1.0.0'\npaths = 'src'\n",
        8,
        "components.api.paths",
        "expected an array of paths, got 'src'",
    ),
    (
        "paths-escape",
        COMPONENT + "version = '1.0.0'\npaths = ['src', '..']\n",
        8,
        "components.api.paths[1]",
        "expected a path inside the repository, '..' leaves it",
    ),
    (
        "files-not-array",
        COMPONENT + "files = 'VERSION'\n",
        7,
        "components.api.files",
        "expected an array of file specs, got 'VERSION'",
    ),
    (
        "file-not-table",
        COMPONENT + "files = ['VERSION']\n",
        7,
        "components.api.files[0]",
        "expected a table (a file spec",
    ),
    (
        "file-no-path",
        COMPONENT + "files = [\n  { format = 'plain' },\n]\n",
        8,
        "components.api.files[0].path",
        "required key missing",
    ),
    (
        "file-no-format",
        COMPONENT + "files = [\n  { path = 'V' },\n]\n",
        8,
        "components.api.files[0].format",
        "required key missing",
    ),
    (
        "file-bad-format",
        COMPONENT + "files = [\n  { path = 'V', format = 'txt' },\n]\n",
        8,
        "components.api.files[0].format",
        "expected one of version-file, plain, toml, python, yaml, json, image, pattern, "
        "dockerfile, got 'txt'",
    ),
    (
        "file-format-typo",
        COMPONENT + "files = [{ path = 'V', format = 'plian' }]\n",
        7,
        "components.api.files[0].format",
        "(hint: did you mean 'plain'?)",
    ),
    (
        "file-unknown-key",
        COMPONENT + "files = [{ path = 'V', format = 'plain', paht = 'x' }]\n",
        7,
        "components.api.files[0].paht",
        "(hint: did you mean 'path'?)",
    ),
    (
        "path-absolute",
        COMPONENT + "files = [{ path = '/etc/VERSION', format = 'plain' }]\n",
        7,
        "components.api.files[0].path",
        "got the absolute path '/etc/VERSION'",
    ),
    (
        "path-windows",
        COMPONENT + "files = [{ path = 'C:/V', format = 'plain' }]\n",
        7,
        "components.api.files[0].path",
        "got the absolute path 'C:/V'",
    ),
    (
        "path-dotdot",
        COMPONENT + "files = [{ path = 'a/../../V', format = 'plain' }]\n",
        7,
        "components.api.files[0].path",
        "'a/../../V' leaves it",
    ),
    (
        "path-backslash",
        COMPONENT + "files = [{ path = 'a\\\\V', format = 'plain' }]\n",
        7,
        "components.api.files[0].path",
        "expected a path with forward slashes",
    ),
    (
        "path-empty",
        COMPONENT + "files = [{ path = '', format = 'plain' }]\n",
        7,
        "components.api.files[0].path",
        "expected a non-empty path string",
    ),
    (
        "path-root",
        COMPONENT + "files = [{ path = './', format = 'plain' }]\n",
        7,
        "components.api.files[0].path",
        "expected a file path, got the repository root",
    ),
    (
        "image-missing",
        COMPONENT + "files = [{ path = 'k.yaml', format = 'image' }]\n",
        7,
        "components.api.files[0].image",
        "format 'image' needs 'image'",
    ),
    (
        "image-tagged",
        COMPONENT + "files = [{ path = 'k.yaml', format = 'image', "
        "image = 'reg:5000/aiops/api:2.1.0' }]\n",
        7,
        "components.api.files[0].image",
        "without tag or digest, got 'reg:5000/aiops/api:2.1.0' (hint: use 'reg:5000/aiops/api'",
    ),
    (
        "image-digest",
        COMPONENT + "files = [{ path = 'k.yaml', format = 'image', "
        "image = 'aiops/api@sha256:ab' }]\n",
        7,
        "components.api.files[0].image",
        "(hint: use 'aiops/api'",
    ),
    (
        "image-on-plain",
        COMPONENT + "files = [{ path = 'V', format = 'plain', image = 'a/b' }]\n",
        7,
        "components.api.files[0].image",
        "'image' is only for format 'image', not 'plain'",
    ),
    (
        "pattern-missing",
        COMPONENT + "files = [{ path = 'main.tf', format = 'pattern' }]\n",
        7,
        "components.api.files[0].pattern",
        "format 'pattern' needs 'pattern'",
    ),
    (
        "pattern-no-placeholder",
        COMPONENT + "files = [{ path = 'main.tf', format = 'pattern', "
        "pattern = 'version = \"x\"' }]\n",
        7,
        "components.api.files[0].pattern",
        "expected the placeholder {version} exactly once, got 0",
    ),
    (
        "pattern-twice",
        COMPONENT + "files = [{ path = 'main.tf', format = 'pattern', "
        "pattern = '{version}/{version}' }]\n",
        7,
        "components.api.files[0].pattern",
        "exactly once, got 2",
    ),
    (
        "pattern-on-json",
        COMPONENT + "files = [{ path = 'p.json', format = 'json', pattern = '{version}' }]\n",
        7,
        "components.api.files[0].pattern",
        "'pattern' is only for format 'pattern', not 'json'",
    ),
    (
        "key-on-plain",
        COMPONENT + "files = [{ path = 'V', format = 'plain', key = 'v' }]\n",
        7,
        "components.api.files[0].key",
        "format 'plain' takes no key",
    ),
    (
        "key-on-image",
        COMPONENT + "files = [{ path = 'k', format = 'image', image = 'a/b', key = 'v' }]\n",
        7,
        "components.api.files[0].key",
        "format 'image' takes no key",
    ),
    (
        "yaml-no-key",
        COMPONENT + "files = [{ path = 'Chart.yaml', format = 'yaml' }]\n",
        7,
        "components.api.files[0].key",
        "format 'yaml' needs key",
    ),
    (
        "python-bad-key",
        COMPONENT + "files = [{ path = 'a.py', format = 'python', key = 'a.b' }]\n",
        7,
        "components.api.files[0].key",
        "expected a Python variable name",
    ),
    (
        "toml-bad-key",
        COMPONENT + "files = [{ path = 'p.toml', format = 'toml', key = 'project..version' }]\n",
        7,
        "components.api.files[0].key",
        "expected a dotted key path like 'image.tag', got 'project..version'",
    ),
    (
        "count-zero",
        COMPONENT + "files = [{ path = 'V', format = 'plain', count = 0 }]\n",
        7,
        "components.api.files[0].count",
        "expected an integer >= 1, got 0",
    ),
    (
        "count-bool",
        COMPONENT + "files = [{ path = 'V', format = 'plain', count = true }]\n",
        7,
        "components.api.files[0].count",
        "expected an integer >= 1, got true",
    ),
    (
        "count-string",
        COMPONENT + "files = [{ path = 'V', format = 'plain', count = '2' }]\n",
        7,
        "components.api.files[0].count",
        "expected an integer >= 1, got '2'",
    ),
    (
        "duplicate-spec",
        COMPONENT + "files = [\n  { path = 'V', format = 'plain' },\n"
        "  { path = './V', format = 'plain' },\n]\n",
        9,
        "components.api.files[1]",
        "duplicate file spec: V (plain) is listed at files[0]",
    ),
    (
        "source-bad",
        COMPONENT + "source = { path = 'V', format = 'plain', image = 'x' }\n",
        7,
        "components.api.source.image",
        "'image' is only for format 'image'",
    ),
    (
        "platform-source-bad",
        "[platform]\nname = 'x'\nversion_source = { path = '../V', format = 'plain' }\n",
        3,
        "platform.version_source.path",
        "'../V' leaves it",
    ),
    (
        "platform-files-bad",
        MINIMAL + "files = [\n  { path = 'C.yaml', format = 'yml', key = 'v' },\n]\n",
        5,
        "platform.files[0].format",
        "(hint: did you mean 'yaml'?)",
    ),
    (
        "shared-place",
        MINIMAL + "[components.a]\nkind = 'model'\nfiles = [{ path = 'M', "
        "format = 'plain' }]\n[components.b]\nkind = 'model'\nfiles = [\n  { path = 'X', "
        "format = 'plain' },\n  { path = 'M', format = 'plain' },\n]\n",
        11,
        "components.b.files[1]",
        "M (plain) is also written by the component 'a'",
    ),
    (
        "shared-with-platform",
        MINIMAL + "[components.a]\nkind = 'model'\n"
        "files = [{ path = 'VERSION', format = 'plain' }]\n",
        6,
        "components.a.files[0]",
        "VERSION (plain) is also written by the platform",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD],
)
def test_bad_config_names_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, fragment: str
) -> None:
    path = write(tmp_path, text)
    err = problems_of(path)
    assert len(err.problems) == 1, str(err)
    assert err.location == Location(str(path), line or None, field)
    where = f"{path}:{line}: {field}: " if line else f"{path}: {field}: "
    assert str(err).startswith(where), str(err)
    assert fragment in str(err)
    assert "\n" not in str(err)
    assert isinstance(err, ConfigError)


def test_follower_may_share_a_place_with_the_platform(tmp_path: Path) -> None:
    text = MINIMAL + (
        "files = [{ path = 'Chart.yaml', format = 'yaml', key = 'appVersion' }]\n"
        "[components.web]\nkind = 'service'\nfollows_platform = true\n"
        "files = [{ path = 'Chart.yaml', format = 'yaml', key = 'appVersion' }]\n"
    )
    assert load_project(write(tmp_path, text)).components[0].follows_platform


def test_path_through_a_symlink_out_of_the_repo(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    outside = tmp_path / "outside"
    outside.mkdir()
    repo.mkdir()
    os.symlink(outside, repo / "link")
    path = write(repo, COMPONENT + "files = [{ path = 'link/VERSION', format = 'plain' }]\n")
    err = problems_of(path)
    assert str(err).startswith(f"{path}:7: components.api.files[0].path: ")
    assert "links outside it" in str(err)


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[platform]\n"  # 1
        "nme = 'demo'\n"  # 2
        "version_source = { path = 'VERSION', format = 'version-file' }\n"  # 3
        "\n"  # 4
        "[components.api]\n"  # 5
        "kind = 'servce'\n"  # 6
        "files = [\n"  # 7
        "  { path = '/abs', format = 'plain' },\n"  # 8
        "  { path = 'k.yaml', format = 'image', image = 'aiops/api:1' },\n"  # 9
        "]\n"  # 10
        "[components.model]\n"  # 11
        "kind = 'model'\n"  # 12
        "version = 'v1'\n",  # 13
    )
    err = problems_of(path)
    got = [(p.location.line, p.location.field) for p in err.problems]
    assert got == [
        (1, "platform.name"),
        (2, "platform.nme"),
        (6, "components.api.kind"),
        (8, "components.api.files[0].path"),
        (9, "components.api.files[1].image"),
        (13, "components.model.version"),
    ]
    assert err.location == Location(str(path), 1, "platform.name")
    text = err.one_line()
    assert text.splitlines()[0] == f"{path}: 6 problems in the configuration:"
    assert f"  {path}:2: platform.nme: unknown key 'nme'" in text
    assert f"  {path}:13: components.model.version: expected a SemVer version: 'v1'" in text
    assert str(err) == text
    assert err.message.count("\n") == 5


def test_invalid_toml_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "[components.api\nkind = 'x'\n")
    with pytest.raises(ConfigError, match=r"invalid TOML") as info:
        load_project(path)
    assert info.value.location == Location(str(path), 4)
    assert str(info.value).startswith(f"{path}:4: invalid TOML: ")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "polaris.toml"
    path.write_bytes(b"[platform]\nname = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        load_project(path)
    assert info.value.location.file == str(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_project(tmp_path / "polaris.toml")


def test_the_polaris_repository_own_config_loads() -> None:
    project = load_project(EXAMPLE.parents[1] / "pyproject.toml")
    assert project.name == "polaris"
    assert project.platform_source == FileSpec("src/polaris/__about__.py", "python", "__version__")
