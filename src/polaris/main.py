"""The ``polaris`` command: one Typer app, one sub-app per command group.

Commands return data and render it; every :class:`~polaris.core.errors.PolarisError` becomes a
one-line message on stderr and its exit code (1 = a check failed, 2 = bad input).
"""

from __future__ import annotations

import sys

import typer

from polaris.__about__ import __version__
from polaris.cli._render import err_console
from polaris.core.errors import PolarisError
from polaris.releases import cli as release_cmd
from polaris.versions import cli as version_cmd

__all__ = ["app", "main"]

app = typer.Typer(
    name="polaris",
    help="Polaris: keep every versioned part of a platform traceable and consistent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"polaris {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    _version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print Polaris's version."
    ),
) -> None:
    """Polaris: keep every versioned part of a platform traceable and consistent."""


app.command("status")(version_cmd.status)
version_cmd.app.command("next")(release_cmd.next_version)
app.add_typer(version_cmd.app, name="version")
app.command("changelog")(release_cmd.changelog)
app.command("release")(release_cmd.release)
app.command("commit-lint")(release_cmd.commit_lint)

#: Commands whose groups are registered up front: the everyday ones, which must start fast.
_LIGHT_COMMANDS = frozenset({"status", "version", "changelog", "release", "commit-lint"})
_heavy_groups_added = False


def _add_heavy_groups() -> None:
    """Register the groups whose imports are heavy (registry, schema, api, compat, serve).

    Done only when the command line needs them, so that ``polaris version next`` does not pay
    for importing the registry client, the OpenAPI tooling and the rest (about 40% of start-up).
    """
    global _heavy_groups_added  # noqa: PLW0603 - one-time registration on the module's app
    if _heavy_groups_added:
        return
    _heavy_groups_added = True
    from polaris import server as serve_cmd
    from polaris.apis import cli as api_cmd
    from polaris.compat import cli as compat_cmd
    from polaris.dependencies import cli as deps_cmd
    from polaris.images import cli as images_cmd
    from polaris.migrations import cli as schema_cmd
    from polaris.models import cli as registry_cmd
    from polaris.platform import cli as platform_cmd

    app.add_typer(compat_cmd.app, name="compat")
    app.add_typer(schema_cmd.app, name="schema")
    app.add_typer(api_cmd.app, name="api")
    app.add_typer(registry_cmd.models_app, name="models")
    app.add_typer(platform_cmd.platform_app, name="platform")
    app.add_typer(registry_cmd.token_app, name="token")
    app.add_typer(registry_cmd.store_app, name="store")
    app.command("gc")(registry_cmd.gc)
    app.command("serve")(serve_cmd.serve)
    app.add_typer(deps_cmd.app, name="deps")
    app.add_typer(images_cmd.app, name="images")


def _needs_heavy_groups(args: list[str]) -> bool:
    """Whether the command line may reach a heavy group (or the root help, which lists them)."""
    first = next((a for a in args if not a.startswith("-")), None)
    return first not in _LIGHT_COMMANDS


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map Polaris errors to a one-line message and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    if _needs_heavy_groups(args):
        _add_heavy_groups()
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
