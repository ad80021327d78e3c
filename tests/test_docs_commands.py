"""Issue 11.24: every command in the docs' ``console`` blocks is safe to paste and runs.

Each ``$ polaris ...`` line of a fenced ``console`` block in ``docs/*.md`` and ``README.md``:

* has no unquoted ``>`` or ``<`` among a ``polaris`` command's arguments (``--require
  accuracy>=0.95`` unquoted would redirect to a file named ``=0.95``); commands may still be
  chained with ``&&``, ``;`` or ``|`` and other programs may redirect on purpose;
* names a real command and real options: it runs as ``polaris ARGS --help`` through the entry
  point and exits 0 (an unknown command or option exits 2).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from polaris.main import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([*ROOT.glob("docs/*.md"), ROOT / "README.md"])
_BLOCK = re.compile(r"^```console\n(.*?)^```", re.S | re.M)


def commands() -> list[tuple[str, int, str]]:
    out: list[tuple[str, int, str]] = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in _BLOCK.finditer(text):
            first = text.count("\n", 0, block.start(1)) + 1
            lines = block.group(1).splitlines()
            i = 0
            while i < len(lines):
                line, number = lines[i], first + i
                i += 1
                if not line.startswith("$ "):
                    continue
                command = line[2:]
                while command.endswith("\\") and i < len(lines):
                    command = command[:-1] + " " + lines[i].strip()
                    i += 1
                command = re.split(r"\s+#\s", command, maxsplit=1)[0].strip()
                out.append((page.relative_to(ROOT).as_posix(), number, command))
    return out


_SEPARATORS = {"&&", "||", ";", "|"}


def segments(command: str) -> list[list[str]]:
    """The simple commands of a line, as shell tokens (operators kept as their own tokens)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    out: list[list[str]] = [[]]
    for token in lexer:
        if token in _SEPARATORS:
            out.append([])
        else:
            out[-1].append(token)
    return [s for s in out if s]


COMMANDS = commands()
POLARIS = [
    (page, line, shlex.join(seg))
    for page, line, command in COMMANDS
    for seg in segments(command)
    if seg[0] == "polaris"
]


def test_there_are_examples_to_check() -> None:
    assert len(POLARIS) >= 20


@pytest.mark.parametrize(("page", "line", "command"), COMMANDS, ids=lambda v: str(v)[:60])
def test_no_polaris_argument_is_a_redirection(page: str, line: int, command: str) -> None:
    for seg in segments(command):
        if seg[0] != "polaris":
            continue
        operators = [t for t in seg if t and set(t) <= set("<>&()")]
        assert operators == [], f"{page}:{line}: unquoted shell operator {operators}: {command}"


@pytest.mark.parametrize(("page", "line", "command"), POLARIS, ids=lambda v: str(v)[:60])
def test_every_polaris_command_and_option_exists(
    page: str, line: int, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = shlex.split(command)[1:]
    code = main([*args, "--help"])
    captured = capsys.readouterr()
    assert code == 0, f"{page}:{line}: {command}\n{captured.err or captured.out}"
