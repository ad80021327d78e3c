"""The ``polaris`` command.

Commands return data and render it; every :class:`~polaris.core.errors.PolarisError` becomes a
one-line message on stderr and its exit code (1 = a check failed, 2 = bad input). The commands a
release engineer runs in hooks and CI loops (``--version``, ``commit-lint``, ``version next``)
take a fast path (:mod:`polaris.fastpath`) that imports neither Typer nor Rich; everything else,
and any option the fast path does not know, goes to the Typer app (:mod:`polaris.commands`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from polaris.commands import app

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name == "app":
        from polaris.commands import app

        return app
    raise AttributeError(f"module 'polaris.main' has no attribute {name!r}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map Polaris errors to a one-line message and an exit code."""
    try:
        return _run(sys.argv[1:] if argv is None else argv)
    finally:
        # What a command opened (API clients, in-process servers, stores) closes with it.
        if "polaris.cli._resources" in sys.modules:
            sys.modules["polaris.cli._resources"].close_all()


def _run(args: list[str]) -> int:
    from polaris.fastpath import run_fast

    fast = run_fast(args)
    if fast is not None:
        return fast
    import typer

    from polaris.cli._render import err_console, set_wide
    from polaris.commands import add_heavy_groups, app, needs_heavy_groups
    from polaris.core.errors import PolarisError

    if "--wide" in args:  # anywhere on the line: `polaris api diff a b --wide` too
        args = [a for a in args if a != "--wide"]
        set_wide()

    if needs_heavy_groups(args):
        add_heavy_groups()
    try:
        result = app(args=args, prog_name="polaris", standalone_mode=False)
    except PolarisError as exc:
        err_console.print(f"[bold red]error:[/] {exc.one_line()}", markup=True, highlight=False)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as exc:
        # Usage errors (unknown command, bad option, no arguments): click's exceptions, which this
        # Typer vendors as ``typer._click``; recognised by shape so either packaging works.
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            return code
        raise
    # Without standalone mode, click returns the code of a ``ctx.exit(code)`` instead of exiting.
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
