"""Setting up the node: agencies, users, sharing groups and each agency's envelope defaults."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher

from ictdb.model.actors import Actor, Agency, SharingGroup, User
from ictdb.model.envelope import EnvelopeDefaults, check_agency_code
from ictdb.model.errors import Conflict, Forbidden, NotFound, ValidationError
from ictdb.model.vocab import Role
from ictdb.policy.roles import require, require_own_agency
from ictdb.services.audit import log
from ictdb.services.node import Node
from ictdb.storage.store import Tx

_HASHER = PasswordHasher()
SYSTEM = "system"


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValidationError("a password needs at least 8 characters", "password")
    return _HASHER.hash(password)


def init_node(node: Node, code: str, name: str, country: str, *, admin: str = "admin") -> Actor:
    """Create the node's home agency and its administrator (holding every role). Only on an empty node."""
    agency = Agency(code=code, name=name, country=country)
    actor = Actor(username=admin, agency=agency.code, roles=frozenset(Role), origin="cli")
    with node.store.transaction() as tx:
        if tx.directory.agency_count():
            raise Conflict("this node is already initialised")
        tx.directory.add_agency(agency, node.now())
        tx.directory.add_user(
            User(username=admin, agency=agency.code, roles=frozenset(Role), full_name="Node administrator"),
            None,
            node.now(),
        )
        log(tx, node, actor, "node.init", detail={"agency": agency.code})
    return actor


def is_initialised(node: Node) -> bool:
    with node.store.transaction() as tx:
        return tx.directory.agency_count() > 0


def node_admin(node: Node) -> Actor:
    """The node operator: the first node administrator of the home agency (the CLI acts as them)."""
    with node.store.transaction() as tx:
        for user in tx.directory.users():
            if Role.NODE_ADMIN in user.roles and user.active:
                return Actor(username=user.username, agency=user.agency, roles=user.roles, origin="cli")
    raise NotFound("this node is not initialised: run `ictdb init` first")


def actor_for(node: Node, agency: str, username: str | None = None, *, origin: str = "cli") -> Actor:
    """Act as a user of ``agency``: the named one, or its first administrator, or its first user."""
    code = check_agency_code(agency)
    with node.store.transaction() as tx:
        if tx.directory.agency(code) is None:
            raise NotFound(f"no agency {code}")
        if username:
            user = tx.directory.user(username)
            if user is None or user.agency != code:
                raise Forbidden(f"{username} is not a user of {code}")
        else:
            users = [u for u in tx.directory.users(code) if u.active]
            if not users:
                raise NotFound(f"{code} has no users yet: create one with `ictdb user create`")
            users.sort(key=lambda u: (Role.ADMIN not in u.roles, u.username))
            user = users[0]
        if not user.active:
            raise Forbidden(f"{user.username} is deactivated")
    return Actor(username=user.username, agency=user.agency, roles=user.roles, origin=origin)


def create_agency(node: Node, actor: Actor, agency: Agency) -> Agency:
    require(actor, Role.NODE_ADMIN, "creating an agency")
    with node.store.transaction() as tx:
        if tx.directory.agency(agency.code) is not None:
            raise Conflict(f"agency {agency.code} already exists")
        tx.directory.add_agency(agency, node.now())
        log(tx, node, actor, "agency.create", detail={"agency": agency.code})
    return agency


def ensure_list_authority(node: Node, code: str, name: str, country: str) -> Agency:
    """The agency that owns an imported sanctions list (UN-SC, US-OFAC), created on first import."""
    with node.store.transaction() as tx:
        list_authority_in(tx, node, code, name, country, origin="cli")
        agency = tx.directory.agency(code)
    assert agency is not None
    return agency


def list_authority_in(tx: Tx, node: Node, code: str, name: str, country: str, *, origin: str) -> Actor:
    """In the caller's transaction: the list authority (created if new) and the user its lists are imported as."""
    username = f"{code.lower()}.lists"
    if tx.directory.agency(code) is None:
        agency = Agency(code=code, name=name, country=country, list_authority=True)
        tx.directory.add_agency(agency, node.now())
        tx.directory.add_user(
            User(username=username, agency=code, roles=frozenset({Role.ANALYST, Role.ADMIN})), None, node.now()
        )
    user = tx.directory.user(username)
    if user is None or user.agency != code:
        raise NotFound(f"{code} has no list user {username}")
    return Actor(username=user.username, agency=code, roles=user.roles, origin=origin)


def list_agencies(node: Node, actor: Actor) -> list[Agency]:
    with node.store.transaction() as tx:
        found = tx.directory.agencies()
        log(tx, node, actor, "agency.list", detail={"returned": len(found)})
    return found


def set_defaults(node: Node, actor: Actor, agency: str, defaults: EnvelopeDefaults) -> None:
    require(actor, Role.ADMIN, "changing envelope defaults")
    require_own_agency(actor, agency, "changing envelope defaults")
    with node.store.transaction() as tx:
        if tx.directory.agency(agency) is None:
            raise NotFound(f"no agency {agency}")
        tx.directory.set_defaults(agency, defaults)
        log(tx, node, actor, "agency.defaults", detail={"agency": agency, **defaults.model_dump(mode="json")})


def create_user(node: Node, actor: Actor, user: User, password: str | None = None) -> tuple[User, str | None]:
    """Create a user; returns it and, when no password was given, a generated one to hand over once."""
    require(actor, Role.ADMIN, "creating a user")
    require_own_agency(actor, user.agency, "creating a user")
    if Role.NODE_ADMIN in user.roles:
        require(actor, Role.NODE_ADMIN, "creating a node administrator")
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(12)
    password_hash = hash_password(password)
    with node.store.transaction() as tx:
        if tx.directory.agency(user.agency) is None:
            raise NotFound(f"no agency {user.agency}")
        if tx.directory.user(user.username) is not None:
            raise Conflict(f"username {user.username} is taken")
        tx.directory.add_user(user, password_hash, node.now())
        log(tx, node, actor, "user.create", detail={"user": user.username, "agency": user.agency})
    return user, generated


def list_users(node: Node, actor: Actor, agency: str | None = None) -> list[User]:
    """Users of the actor's agency (any agency's for a node administrator)."""
    target = agency or (None if Role.NODE_ADMIN in actor.roles else actor.agency)
    if target is not None:
        require_own_agency(actor, target, "listing users")
    with node.store.transaction() as tx:
        found = tx.directory.users(target)
        log(tx, node, actor, "user.list", detail={"agency": target, "returned": len(found)})
    return found


def create_group(
    node: Node, actor: Actor, name: str, members: list[str], description: str | None = None
) -> SharingGroup:
    require(actor, Role.SUPERVISOR, "creating a sharing group")
    group = SharingGroup(
        name=name.strip().lower(), owner=actor.agency, members=frozenset(members), description=description
    )
    with node.store.transaction() as tx:
        if tx.directory.group(group.name) is not None:
            raise Conflict(f"sharing group {group.name} already exists")
        for code in group.members:
            if tx.directory.agency(code) is None:
                raise NotFound(f"no agency {code}")
        tx.directory.add_group(group, node.now())
        log(tx, node, actor, "group.create", detail={"group": group.name, "members": sorted(group.members)})
        created = tx.directory.group(group.name)
    assert created is not None
    return created


def add_group_member(node: Node, actor: Actor, name: str, agency: str) -> SharingGroup:
    """Only the group's owner agency (or a node administrator) may change who is in it."""
    require(actor, Role.SUPERVISOR, "changing a sharing group")
    with node.store.transaction() as tx:
        group = tx.directory.group(name)
        if group is None or (group.owner != actor.agency and Role.NODE_ADMIN not in actor.roles):
            raise NotFound(f"no sharing group {name} owned by {actor.agency}")
        if tx.directory.agency(agency) is None:
            raise NotFound(f"no agency {agency}")
        tx.directory.add_group_member(name, agency)
        log(tx, node, actor, "group.add", detail={"group": name, "agency": agency})
        updated = tx.directory.group(name)
    assert updated is not None
    return updated


def list_groups(node: Node, actor: Actor) -> list[SharingGroup]:
    """The groups the actor's agency belongs to (all of them for a node administrator)."""
    with node.store.transaction() as tx:
        found = tx.directory.groups(None if Role.NODE_ADMIN in actor.roles else actor.agency)
        log(tx, node, actor, "group.list", detail={"returned": len(found)})
    return found


def agency_defaults(node: Node, agency: str) -> EnvelopeDefaults:
    with node.store.transaction() as tx:
        found = tx.directory.agency(agency)
    if found is None:
        raise NotFound(f"no agency {agency}")
    return found.defaults
