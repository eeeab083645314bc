"""``ictdb demo``: a realistic node to explore, built the same way every time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ictdb.cli.context import out, state


def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option("--seed")] = 7,
    un_list: Annotated[
        Path | None, typer.Option("--un-list", help="the UN consolidated list XML to load beside")
    ] = None,
    manifest: Annotated[Path | None, typer.Option("--manifest", help="write the demo flight manifest CSV here")] = None,
) -> None:
    """Load the demo node: agencies, users, sharing groups and a fictional case file in three scripts.

    Example: ictdb demo --un-list ../shared/data/sanctions/un/consolidated.xml --manifest manifest.csv
    """
    from ictdb.services.demo import load_demo

    c = state(ctx)
    summary = load_demo(c.node(), seed=seed, un_list=un_list, manifest_out=manifest)
    data = {
        "home_agency": summary.home_agency,
        "agencies": summary.agencies,
        "records": summary.records,
        "un_entries": summary.un_entries,
        "users": summary.passwords,
        "manifest": str(summary.manifest) if summary.manifest else None,
    }

    def human() -> None:
        out.print(f"demo node of {summary.home_agency} at {c.settings.database_url}")
        for agency, count in summary.records.items():
            out.print(f"  {agency:<12} {count} records")
        if summary.un_entries:
            out.print(f"  UN-SC        {summary.un_entries} records from the UN list")
        out.print("users (username / password):")
        for username, password in summary.passwords.items():
            out.print(f"  {username:<24} {password}")
        if summary.manifest:
            out.print(f"flight manifest to screen: {summary.manifest}")

    c.emit(data, human)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
