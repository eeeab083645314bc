"""Agencies, users, API tokens and sharing groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select, update

from ictdb.model.actors import Agency, SharingGroup, User
from ictdb.model.envelope import EnvelopeDefaults
from ictdb.model.vocab import Role
from ictdb.storage import tables as t
from ictdb.storage._json import dumps, loads
from ictdb.storage.direct import Direct


def _agency(row: Row[Any]) -> Agency:
    return Agency(
        code=row.code,
        name=row.name,
        country=row.country,
        list_authority=row.list_authority,
        defaults=EnvelopeDefaults.model_validate(loads(row.defaults)),
    )


def _user(row: Row[Any]) -> User:
    return User(
        username=row.username,
        agency=row.agency,
        roles=frozenset(Role(r) for r in loads(row.roles)),
        full_name=row.full_name,
        active=row.active,
        created_at=row.created_at,
    )


# Built once and run on the driver's cursor (see ``Direct``): every API request reads its token's holder and,
# to search, its agency's groups.
_TOKEN_HOLDER = Direct(
    select(t.users, t.tokens.c.expires_at, t.tokens.c.revoked_at)
    .join_from(t.tokens, t.users, t.users.c.username == t.tokens.c.username)
    .where(t.tokens.c.secret_hash == bindparam("secret_hash")),
    params=("secret_hash",),
)
_GROUPS_OF = Direct(
    select(t.group_members.c.group_name).where(t.group_members.c.agency == bindparam("agency")), params=("agency",)
)


class Directory:
    """Who is on the node. Agencies and users are not records: every member may list them."""

    def __init__(self, connection: Connection) -> None:
        self.c = connection

    # agencies
    def add_agency(self, agency: Agency, now: datetime) -> None:
        self.c.execute(
            t.agencies.insert().values(
                code=agency.code,
                name=agency.name,
                country=agency.country,
                list_authority=agency.list_authority,
                defaults=dumps(agency.defaults.model_dump(mode="json")),
                created_at=now,
            )
        )

    def agency(self, code: str) -> Agency | None:
        row = self.c.execute(select(t.agencies).where(t.agencies.c.code == code)).first()
        return _agency(row) if row else None

    def agencies(self) -> list[Agency]:
        return [_agency(r) for r in self.c.execute(select(t.agencies).order_by(t.agencies.c.code))]

    def set_defaults(self, code: str, defaults: EnvelopeDefaults) -> None:
        self.c.execute(
            update(t.agencies).where(t.agencies.c.code == code).values(defaults=dumps(defaults.model_dump(mode="json")))
        )

    def agency_count(self) -> int:
        return int(self.c.execute(select(func.count()).select_from(t.agencies)).scalar_one())

    # users
    def add_user(self, user: User, password_hash: str | None, now: datetime) -> None:
        self.c.execute(
            t.users.insert().values(
                username=user.username,
                agency=user.agency,
                roles=dumps(sorted(r.value for r in user.roles)),
                full_name=user.full_name,
                active=user.active,
                password_hash=password_hash,
                created_at=now,
            )
        )

    def user(self, username: str) -> User | None:
        row = self.c.execute(select(t.users).where(t.users.c.username == username)).first()
        return _user(row) if row else None

    def password_hash(self, username: str) -> str | None:
        value = self.c.execute(select(t.users.c.password_hash).where(t.users.c.username == username)).scalar()
        return str(value) if value else None

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self.c.execute(update(t.users).where(t.users.c.username == username).values(password_hash=password_hash))

    def users(self, agency: str | None = None) -> list[User]:
        query = select(t.users).order_by(t.users.c.agency, t.users.c.username)
        if agency:
            query = query.where(t.users.c.agency == agency)
        return [_user(r) for r in self.c.execute(query)]

    # tokens
    def add_token(
        self, token_id: str, username: str, secret_hash: str, label: str | None, now: datetime, expires: datetime
    ) -> None:
        self.c.execute(
            t.tokens.insert().values(
                id=token_id, username=username, secret_hash=secret_hash, label=label, created_at=now, expires_at=expires
            )
        )

    def token_holder(self, secret_hash: str, now: datetime) -> User | None:
        """The user a live token was issued to: None for an unknown, revoked or expired token."""
        row = _TOKEN_HOLDER.first(self.c, {"secret_hash": secret_hash})
        if row is None or row.revoked_at is not None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
        return _user(row) if expires > now else None

    def revoke_token(self, token_id: str, username: str, now: datetime) -> bool:
        result = self.c.execute(
            update(t.tokens)
            .where(t.tokens.c.id == token_id, t.tokens.c.username == username, t.tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(result.rowcount)

    # sharing groups
    def add_group(self, group: SharingGroup, now: datetime) -> None:
        self.c.execute(
            t.sharing_groups.insert().values(
                name=group.name, owner=group.owner, description=group.description, created_at=now
            )
        )
        for agency in sorted(group.members | {group.owner}):
            self.add_group_member(group.name, agency)

    def add_group_member(self, name: str, agency: str) -> None:
        exists = self.c.execute(
            select(t.group_members.c.agency).where(
                t.group_members.c.group_name == name, t.group_members.c.agency == agency
            )
        ).first()
        if not exists:
            self.c.execute(t.group_members.insert().values(group_name=name, agency=agency))

    def group(self, name: str) -> SharingGroup | None:
        row = self.c.execute(select(t.sharing_groups).where(t.sharing_groups.c.name == name)).first()
        if row is None:
            return None
        members = self.c.execute(select(t.group_members.c.agency).where(t.group_members.c.group_name == name))
        return SharingGroup(
            name=row.name, owner=row.owner, description=row.description, members=frozenset(m for (m,) in members)
        )

    def groups(self, member: str | None = None) -> list[SharingGroup]:
        query = select(t.sharing_groups.c.name).order_by(t.sharing_groups.c.name)
        if member:
            query = query.join(t.group_members, t.group_members.c.group_name == t.sharing_groups.c.name).where(
                t.group_members.c.agency == member
            )
        found = [self.group(name) for (name,) in self.c.execute(query)]
        return [g for g in found if g is not None]

    def groups_of(self, agency: str) -> frozenset[str]:
        rows = _GROUPS_OF.rows(self.c, {"agency": agency})
        return frozenset(name for (name,) in rows)
