"""Entry point of ``ictdb``: global options, the command groups, and the one map from errors to exit codes."""

from __future__ import annotations

import sys
from typing import Annotated

import pydantic
import typer

from ictdb.bootstrap import Settings
from ictdb.cli import (
    audit_cmd,
    cooperation_cmd,
    demo_cmd,
    directory_cmd,
    network_cmd,
    records_cmd,
    resolution_cmd,
    search_cmd,
    serve_cmd,
    transfer_cmd,
)
from ictdb.cli.context import Context, err
from ictdb.model.errors import (
    Conflict,
    Forbidden,
    IctdbError,
    ImportFailed,
    IntegrityError,
    NotFound,
    Unauthenticated,
    ValidationError,
)
from ictdb.model.stored import first_problem

EXIT_CODES: dict[type[IctdbError], int] = {
    ValidationError: 2,
    NotFound: 3,
    Forbidden: 4,
    Conflict: 5,
    ImportFailed: 6,
    IntegrityError: 7,
    Unauthenticated: 8,
}

cli = typer.Typer(
    name="ictdb",
    help="International Counter-Terrorism Database: the node operator's command line.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@cli.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="database URL (default: ICTDB_DATABASE_URL, else a SQLite file)")
    ] = None,
    as_: Annotated[str | None, typer.Option("--as", help="act as AGENCY or AGENCY:USER (default: node admin)")] = None,
    json: Annotated[bool, typer.Option("--json", help="print JSON for scripts")] = False,
) -> None:
    """Every command acts as the node administrator unless --as names an agency (and user)."""
    ctx.obj = Context(Settings.from_env(database_url=db), as_, json)


directory_cmd.register(cli)
records_cmd.register(cli)
transfer_cmd.register(cli)
audit_cmd.register(cli)
serve_cmd.register(cli)
search_cmd.register(cli)
demo_cmd.register(cli)
cooperation_cmd.register(cli)
resolution_cmd.register(cli)
network_cmd.register(cli)


def exit_code(exc: BaseException) -> int:
    for kind, code in EXIT_CODES.items():
        if isinstance(exc, kind):
            return code
    return 1


def _global_flags_first(argv: list[str]) -> list[str]:
    """Let ``--json`` stand anywhere on the line, as scripts write it (``ictdb record add ... --json``)."""
    if "--" in argv:
        cut = argv.index("--")
        head, tail = argv[:cut], argv[cut:]
    else:
        head, tail = argv, []
    if "--json" not in head:
        return argv
    return ["--json", *(a for a in head if a != "--json"), *tail]


def app() -> None:
    """Run the CLI; domain errors become one line on stderr and a non-zero exit code."""
    try:
        cli(args=_global_flags_first(sys.argv[1:]), prog_name="ictdb")
    except IctdbError as exc:
        err.print(f"error: {exc.message}", markup=False, highlight=False)
        sys.exit(exit_code(exc))
    except pydantic.ValidationError as exc:
        err.print(f"error: {first_problem(exc).message}", markup=False, highlight=False)
        sys.exit(2)
