"""Reading requirement files, pyproject.toml and every lock format from real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from polaris.core.errors import InvalidInput
from polaris.dependencies.manifests import discover, read_file
from polaris.dependencies.rules import Ecosystem

H1 = "sha256:" + "a" * 64
H2 = "sha256:" + "b" * 64


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_requirements_with_includes_markers_extras_and_hashes(tmp_path: Path) -> None:
    write(tmp_path, "base/common.txt", "requests==2.31.0  # pinned\n")
    write(
        tmp_path,
        "requirements.txt",
        "--index-url https://example.invalid/simple\n"
        "-r base/common.txt\n"
        "# a comment line\n"
        "Uvicorn[standard]==0.24.0 ; python_version >= '3.8' \\\n"
        f"    --hash={H1} \\\n"
        f"    --hash {H2}\n"
        "numpy>=1.24,<2\n"
        "-e ./local-package\n",
    )
    m = read_file(tmp_path / "requirements.txt", display="requirements.txt")
    by = {d.key: d for d in m.dependencies}
    assert list(by) == ["requests", "uvicorn", "numpy"]
    assert by["requests"].version == "2.31.0"
    assert by["requests"].source == "base/common.txt"
    assert by["requests"].line == 1
    uv = by["uvicorn"]
    assert (uv.version, uv.extras, uv.hashes, uv.line) == ("0.24.0", ("standard",), (H1, H2), 4)
    assert uv.marker == 'python_version >= "3.8"'
    assert by["numpy"].version is None
    assert by["numpy"].specifier == "<2,>=1.24"
    assert not m.is_lock


def test_a_bad_requirement_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "fastapi==0.104.1\n\nflask ==> 2\n")
    with pytest.raises(InvalidInput) as err:
        read_file(tmp_path / "requirements.txt", display="requirements.txt")
    assert err.value.one_line().startswith("requirements.txt:3: not a requirement")


def test_an_include_cycle_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "-r b.txt\n")
    write(tmp_path, "b.txt", "-r a.txt\n")
    with pytest.raises(InvalidInput, match="include cycle"):
        read_file(tmp_path / "a.txt", display="a.txt")


def test_a_bad_hash_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "x==1 --hash=sha256\n")
    with pytest.raises(InvalidInput, match=r"requirements\.txt:1: --hash needs"):
        read_file(tmp_path / "requirements.txt", display="requirements.txt")


def test_pyproject_pep621_extras_and_dependency_groups(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "x"\ndependencies = ["fastapi==0.104.1", "httpx>=0.25"]\n'
        '[project.optional-dependencies]\nredis = ["redis==5.0.1"]\n'
        '[dependency-groups]\ntest = ["pytest==7.4.3"]\n'
        'dev = [{include-group = "test"}, "black==23.11.0"]\n',
    )
    m = read_file(tmp_path / "pyproject.toml", display="pyproject.toml")
    got = [(d.name, d.version, d.group) for d in m.dependencies]
    assert got == [
        ("fastapi", "0.104.1", None),
        ("httpx", None, None),
        ("redis", "5.0.1", "redis"),
        ("pytest", "7.4.3", "test"),
        ("pytest", "7.4.3", "dev"),
        ("black", "23.11.0", "dev"),
    ]
    assert m.dependencies[0].line == 3
    assert m.ranges["httpx"] == ">=0.25"


def test_uv_and_poetry_and_pipfile_locks(tmp_path: Path) -> None:
    write(
        tmp_path,
        "uv.lock",
        'version = 1\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n'
        '[[package]]\nname = "idna"\nversion = "3.6"\n'
        'source = { registry = "https://pypi.org/simple" }\n'
        f'sdist = {{ url = "https://x/idna-3.6.tar.gz", hash = "{H1}" }}\n'
        f'wheels = [{{ url = "https://x/idna-3.6-py3-none-any.whl", hash = "{H2}" }}]\n',
    )
    uv = read_file(tmp_path / "uv.lock")
    assert [(d.name, d.version, d.hashes) for d in uv.dependencies] == [("idna", "3.6", (H1, H2))]
    write(
        tmp_path,
        "poetry.lock",
        '[[package]]\nname = "pytest"\nversion = "7.4.3"\ncategory = "dev"\n'
        f'files = [{{file = "pytest-7.4.3.tar.gz", hash = "{H1}"}}]\n',
    )
    po = read_file(tmp_path / "poetry.lock")
    assert [(d.name, d.version, d.hashes, d.group) for d in po.dependencies] == [
        ("pytest", "7.4.3", (H1,), "dev")
    ]
    write(
        tmp_path,
        "Pipfile.lock",
        json.dumps(
            {
                "default": {"redis": {"version": "==5.0.1", "hashes": [H2]}},
                "develop": {"black": {"version": "==23.11.0", "hashes": []}},
            }
        ),
    )
    pf = read_file(tmp_path / "Pipfile.lock")
    assert [(d.name, d.version, d.group) for d in pf.dependencies] == [
        ("redis", "5.0.1", None),
        ("black", "23.11.0", "dev"),
    ]
    assert all(m.is_lock for m in (uv, po, pf))


def test_package_lock_v3_and_v1(tmp_path: Path) -> None:
    v3 = {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "web"},
            "node_modules/lodash": {"version": "4.17.20", "integrity": "sha512-abc"},
            "node_modules/@babel/core": {"version": "7.23.0", "dev": True},
        },
    }
    write(tmp_path, "package-lock.json", json.dumps(v3))
    m = read_file(tmp_path / "package-lock.json")
    got = [(d.name, d.version, d.ecosystem, d.group) for d in m.dependencies]
    assert got == [
        ("lodash", "4.17.20", Ecosystem.NPM, None),
        ("@babel/core", "7.23.0", Ecosystem.NPM, "dev"),
    ]
    v1 = {
        "lockfileVersion": 1,
        "dependencies": {"a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}}},
    }
    write(tmp_path, "v1/package-lock.json", json.dumps(v1))
    assert sorted(d.name for d in read_file(tmp_path / "v1/package-lock.json").dependencies) == [
        "a",
        "b",
    ]
    write(
        tmp_path,
        "bad/package-lock.json",
        json.dumps({"packages": {"node_modules/x": {"version": "1.0"}}}),
    )
    with pytest.raises(InvalidInput, match=r"packages.node_modules/x: not a SemVer version: '1.0'"):
        read_file(tmp_path / "bad/package-lock.json", display="bad/package-lock.json")


def test_discover_finds_the_files_in_order(tmp_path: Path) -> None:
    for name in ("uv.lock", "requirements-dev.txt", "requirements.txt", "notes.txt"):
        write(tmp_path, name, "")
    assert [p.name for p in discover(tmp_path)] == [
        "requirements-dev.txt",
        "requirements.txt",
        "uv.lock",
    ]
