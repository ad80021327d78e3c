"""The key -> line locator used for config error messages."""

from __future__ import annotations

import tomllib

from polaris.project._toml_lines import key_lines, line_of

DOC = '''\
# comment with [brackets] and "quotes"
title = "x"  # trailing [comment]
"quoted key".inner = 1
a.b.c = 'literal'

[platform]
name = """
multi [line]
with \\""" escaped quotes"""
raw = \'\'\'
[not.a.table]
\'\'\'
files = [
  # a comment inside the array
  { path = "a", format = "plain" },

  { path = "b", format = "yaml", key = "x" }, [1, 2],
]

[[components.api.files]]
path = "one"

[[components.api.files]]
path = "two"

[components.api.files.extra]
k = 1979-05-27T07:32:00Z

[components.api]
kind = "service"
tags = [ "a,b", 'c]', {x = [1, {y = 2}]} ]
'''


def test_lines_of_every_kind_of_key() -> None:
    tomllib.loads(DOC)  # the fixture itself is valid TOML
    lines = key_lines(DOC)
    assert lines[("title",)] == 2
    assert lines[("quoted key",)] == 3
    assert lines[("quoted key", "inner")] == 3
    assert lines[("a", "b", "c")] == 4
    assert lines[("platform",)] == 6
    assert lines[("platform", "name")] == 7
    assert lines[("platform", "raw")] == 10
    assert ("not", "a", "table") not in lines
    assert lines[("platform", "files")] == 13
    assert lines[("platform", "files", 0)] == 15
    assert lines[("platform", "files", 0, "format")] == 15
    assert lines[("platform", "files", 1, "key")] == 17
    assert lines[("platform", "files", 2)] == 17
    assert lines[("platform", "files", 2, 1)] == 17
    assert lines[("components", "api", "files")] == 20
    assert lines[("components", "api", "files", 0)] == 20
    assert lines[("components", "api", "files", 0, "path")] == 21
    assert lines[("components", "api", "files", 1)] == 23
    assert lines[("components", "api", "files", 1, "path")] == 24
    assert lines[("components", "api", "files", 1, "extra", "k")] == 27
    assert lines[("components", "api")] == 29
    assert lines[("components", "api", "kind")] == 30
    assert lines[("components", "api", "tags", 2, "x", 1, "y")] == 31


def test_line_of_falls_back_to_the_nearest_parent() -> None:
    lines = key_lines(DOC)
    assert line_of(lines, ("components", "api", "missing")) == 29
    assert line_of(lines, ("platform", "files", 1, "image")) == 17
    assert line_of(lines, ("nowhere",)) is None
    assert line_of(lines, ()) is None


def test_unexpected_text_gives_partial_lines_not_an_error() -> None:
    lines = key_lines('a = 1\n[b]\nc = "unterminated\n')
    assert lines[("a",)] == 1
    assert lines[("b",)] == 2
    assert key_lines("") == {}
