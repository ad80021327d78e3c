"""Issue 11.21: tables never cut an identifier or a date; --wide shows every column."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from polaris.cli import _render
from polaris.cli._render import is_key_column, table

RULE = "request-body-required-property-added-without-default"
DATE = "2026-12-06T04:53:24+00:00"


def render(width: int, *, wide: bool = False) -> str:
    out = io.StringIO()
    con = Console(file=out, width=400 if wide else width, highlight=False, soft_wrap=False)
    old = _render.console.width
    _render.console.width = 10_000 if wide else width
    try:
        con.print(
            table(
                "API diff",
                ["rule", "level", "message", "created at", "note"],
                [
                    (
                        RULE,
                        "breaking",
                        "a required property was added to the request " * 2,
                        DATE,
                        "x",
                    )
                ],
            )
        )
    finally:
        _render.console.width = old
    return out.getvalue()


@pytest.mark.parametrize("width", [100, 120, 160])
def test_identifiers_and_dates_are_whole(width: int) -> None:
    text = render(width)
    assert RULE in text and DATE in text
    assert "…" not in text


def test_identifiers_wider_than_the_terminal_fold_and_are_never_cut() -> None:
    text = render(60)
    assert "…" not in text
    joined = "".join(line.split("│")[0].strip() for line in text.splitlines())
    assert RULE in joined


def test_narrow_terminals_leave_out_trailing_low_value_columns() -> None:
    text = render(100)
    assert "left out: --wide or --json shows all" in text
    wide = render(100, wide=True)
    assert "left out" not in wide and "note" in wide


def test_key_columns_by_header() -> None:
    assert is_key_column("rule") and is_key_column("created at") and is_key_column("schema name")
    assert not is_key_column("message") and not is_key_column("hint")


def test_wide_is_accepted_anywhere(capsys: pytest.CaptureFixture[str]) -> None:
    from polaris.main import main

    old = _render.console.width
    try:
        assert (
            main(["compat", "show", "-f", "docs/examples/compatibility-matrix.yml", "--wide"]) == 0
        )
        assert _render.console.width == 10_000
    finally:
        _render.console.width = old
    assert "compatibility-matrix.yml:7" in capsys.readouterr().out
