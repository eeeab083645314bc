"""``ictdb network``: neighbourhoods, chains, lineage and central members, over visible relationships only."""

from __future__ import annotations

from typing import Annotated

import typer

from ictdb.cli.context import out, state

network_app = typer.Typer(help="Networks of persons and groups.", no_args_is_help=True)


@network_app.command("neighbours")
def neighbours_cmd(
    ctx: typer.Context,
    record: Annotated[str, typer.Argument(help="a person or group")],
    hops: Annotated[int, typer.Option("--hops")] = 1,
) -> None:
    """Records within N relationships. Example: ictdb --as IQ-CTS network neighbours per-1a2b --hops 2"""
    # networkx takes a while to load: only these commands need it, not every start of ictdb
    from ictdb.services import network

    c = state(ctx)
    data = network.neighbourhood_data(network.neighbours(c.node(), c.actor(), record, hops))

    def human() -> None:
        for r in data["records"]:
            out.print(f"{r['distance']}  {r['id']:<18} {r['caption']}")
        for link in data["links"]:
            out.print(f"   {link['source']} -[{link['kind']}]- {link['target']}  ({link['relation']})")

    c.emit(data, human)


@network_app.command("path")
def path_cmd(
    ctx: typer.Context, first: Annotated[str, typer.Argument()], second: Annotated[str, typer.Argument()]
) -> None:
    """The shortest chain of relationships between two records. Example: ictdb network path per-1a2b per-3c4d"""
    from ictdb.services import network

    c = state(ctx)
    data = network.path_data(network.path(c.node(), c.actor(), first, second))

    def human() -> None:
        if not data["found"]:
            out.print("no chain of visible relationships")
            return
        for position, r in enumerate(data["records"]):
            if position:
                link = data["links"][position - 1]
                out.print(f"   -[{link['kind']}]- ({link['relation']})")
            out.print(f"{r['id']:<18} {r['caption']}")

    c.emit(data, human)


@network_app.command("lineage")
def lineage_cmd(ctx: typer.Context, organization: Annotated[str, typer.Argument()]) -> None:
    """A group's mergers, splits, renamings and allegiances, dated. Example: ictdb network lineage org-1a2b"""
    from ictdb.services import network

    c = state(ctx)
    data = network.lineage_data(network.lineage(c.node(), c.actor(), organization))

    def human() -> None:
        if not data["events"]:
            out.print("no recorded group relations")
        for e in data["events"]:
            out.print(f"{e['date'] or '?':<12} {e['organization_caption']} {e['kind']} {e['target_caption']}")

    c.emit(data, human)


@network_app.command("central")
def central_cmd(
    ctx: typer.Context,
    organization: Annotated[str, typer.Argument()],
    limit: Annotated[int, typer.Option("--limit")] = 10,
) -> None:
    """The most central members of a group's network. Example: ictdb network central org-1a2b --limit 5"""
    from ictdb.services import network

    c = state(ctx)
    data = network.central_data(network.central(c.node(), c.actor(), organization, limit))

    def human() -> None:
        for m in data["members"]:
            out.print(f"{m['betweenness']:.3f}  {m['degree']:>3}  {m['record']:<18} {m['caption']}")

    c.emit(data, human)


def register(app: typer.Typer) -> None:
    app.add_typer(network_app, name="network")
