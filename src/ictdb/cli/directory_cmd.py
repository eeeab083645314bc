"""``ictdb init``, ``agency``, ``user`` and ``group``: who is on the node."""

from __future__ import annotations

from typing import Annotated

import typer

from ictdb.cli.context import out, state
from ictdb.cli.options import (
    DistributionOpt,
    GradingOpt,
    HandlingOpt,
    HitPolicyOpt,
    PurposeOpt,
)
from ictdb.model.actors import Agency, User
from ictdb.model.envelope import Distribution, EnvelopeDefaults
from ictdb.model.vocab import Role
from ictdb.services import directory

agency_app = typer.Typer(help="Member agencies of the node.", no_args_is_help=True)
user_app = typer.Typer(help="Users of an agency.", no_args_is_help=True)
group_app = typer.Typer(help="Sharing groups: named sets of agencies to distribute records to.", no_args_is_help=True)


def init(
    ctx: typer.Context,
    agency: Annotated[str, typer.Option(help="home agency code, e.g. FR-DGSI")],
    name: Annotated[str, typer.Option(help="home agency's name")],
    country: Annotated[str, typer.Option(help="ISO 3166 country code")],
    admin: Annotated[str, typer.Option(help="username of the node administrator")] = "admin",
) -> None:
    """Create a node: its home agency and an administrator.

    Example: ictdb init --agency FR-DGSI --name "Direction générale de la sécurité intérieure" --country FR
    """
    c = state(ctx)
    actor = directory.init_node(c.node(), agency, name, country, admin=admin)
    c.emit(
        {"agency": actor.agency, "admin": actor.username, "database": c.settings.database_url},
        lambda: out.print(
            f"initialised node of {actor.agency} at {c.settings.database_url}; admin is {actor.username}"
        ),
    )


@agency_app.command("create")
def agency_create(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="agency code, e.g. JO-GID")],
    name: Annotated[str, typer.Option()],
    country: Annotated[str, typer.Option()],
) -> None:
    """Add a member agency. Example: ictdb agency create JO-GID --name "General Intelligence Directorate" --country JO"""
    c = state(ctx)
    created = directory.create_agency(c.node(), c.actor(), Agency(code=code, name=name, country=country))
    c.emit(created.model_dump(mode="json"), lambda: out.print(f"created agency {created.code}"))


@agency_app.command("list")
def agency_list(ctx: typer.Context) -> None:
    """List member agencies. Example: ictdb agency list --json"""
    c = state(ctx)
    found = directory.list_agencies(c.node(), c.actor())

    def human() -> None:
        for a in found:
            out.print(f"{a.code:<14} {a.country}  {a.name}{'  (list authority)' if a.list_authority else ''}")

    c.emit([a.model_dump(mode="json") for a in found], human)


@agency_app.command("defaults")
def agency_defaults(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument()],
    distribution: DistributionOpt = None,
    handling: HandlingOpt = None,
    hit_policy: HitPolicyOpt = None,
    grading: GradingOpt = None,
    purpose: PurposeOpt = None,
) -> None:
    """Change an agency's envelope defaults. Example: ictdb --as JO-GID agency defaults JO-GID --distribution owner"""
    c = state(ctx)
    node = c.node()
    current = directory.agency_defaults(node, code)
    given = {
        "distribution": Distribution.parse(distribution) if distribution else None,
        "handling": handling,
        "hit_policy": hit_policy,
        "grading": grading,
        "purpose": purpose,
    }
    updated = EnvelopeDefaults.model_validate(
        {**current.model_dump(), **{k: v for k, v in given.items() if v is not None}}
    )
    directory.set_defaults(node, c.actor(), code, updated)
    c.emit(updated.model_dump(mode="json"), lambda: out.print(f"defaults of {code}: {updated.model_dump(mode='json')}"))


@user_app.command("create")
def user_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument()],
    agency: Annotated[str, typer.Option()],
    role: Annotated[list[Role], typer.Option("--role", help="analyst, supervisor, admin, node-admin")],
    full_name: Annotated[str | None, typer.Option()] = None,
    password: Annotated[str | None, typer.Option(help="default: a generated one, printed once")] = None,
) -> None:
    """Add a user to an agency. Example: ictdb user create analyst.jo --agency JO-GID --role analyst"""
    c = state(ctx)
    user, generated = directory.create_user(
        c.node(),
        c.actor(),
        User(username=username, agency=agency, roles=frozenset(role), full_name=full_name),
        password,
    )
    data = user.model_dump(mode="json") | ({"password": generated} if generated else {})
    c.emit(
        data,
        lambda: out.print(
            f"created {user.username} of {user.agency}" + (f"; password (shown once): {generated}" if generated else "")
        ),
    )


@user_app.command("list")
def user_list(ctx: typer.Context, agency: Annotated[str | None, typer.Option()] = None) -> None:
    """List users. Example: ictdb user list --agency JO-GID"""
    c = state(ctx)
    found = directory.list_users(c.node(), c.actor(), agency)

    def human() -> None:
        for u in found:
            out.print(f"{u.username:<24} {u.agency:<14} {','.join(sorted(r.value for r in u.roles))}")

    c.emit([u.model_dump(mode="json") for u in found], human)


@group_app.command("create")
def group_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument()],
    member: Annotated[list[str] | None, typer.Option("--member", help="an agency code; repeat")] = None,
    description: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a sharing group owned by the acting agency.

    Example: ictdb --as FR-DGSI group create levant-taskforce --member JO-GID --member IQ-CTS
    """
    c = state(ctx)
    group = directory.create_group(c.node(), c.actor(), name, member or [], description)
    c.emit(
        group.model_dump(mode="json"),
        lambda: out.print(f"created group {group.name}: {', '.join(sorted(group.members))}"),
    )


@group_app.command("add")
def group_add(
    ctx: typer.Context, name: Annotated[str, typer.Argument()], agency: Annotated[str, typer.Argument()]
) -> None:
    """Add an agency to a sharing group. Example: ictdb --as FR-DGSI group add levant-taskforce DE-BKA"""
    c = state(ctx)
    group = directory.add_group_member(c.node(), c.actor(), name, agency)
    c.emit(group.model_dump(mode="json"), lambda: out.print(f"{group.name}: {', '.join(sorted(group.members))}"))


@group_app.command("list")
def group_list(ctx: typer.Context) -> None:
    """List the sharing groups of the acting agency. Example: ictdb --as JO-GID group list"""
    c = state(ctx)
    found = directory.list_groups(c.node(), c.actor())

    def human() -> None:
        for g in found:
            out.print(f"{g.name:<24} owner {g.owner:<14} {', '.join(sorted(g.members))}")

    c.emit([g.model_dump(mode="json") for g in found], human)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(agency_app, name="agency")
    app.add_typer(user_app, name="user")
    app.add_typer(group_app, name="group")
