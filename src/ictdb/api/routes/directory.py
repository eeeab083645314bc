"""Agencies, users and sharing groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ictdb.api.deps import ActorDep, NodeDep
from ictdb.api.schemas import ERRORS, AgencyIn, AgencyOut, GroupIn, GroupOut, UserCreated, UserIn, UserOut
from ictdb.model.actors import Agency, User
from ictdb.services import directory

router = APIRouter(tags=["directory"], responses=ERRORS)


@router.get("/agencies", response_model=list[AgencyOut])
def list_agencies(node: NodeDep, actor: ActorDep) -> list[AgencyOut]:
    """The member agencies of the node."""
    return [AgencyOut.of(a) for a in directory.list_agencies(node, actor)]


@router.post("/agencies", response_model=AgencyOut, status_code=status.HTTP_201_CREATED)
def create_agency(node: NodeDep, actor: ActorDep, payload: AgencyIn) -> AgencyOut:
    """Add a member agency (node administrators only)."""
    agency = Agency(code=payload.code, name=payload.name, country=payload.country)
    return AgencyOut.of(directory.create_agency(node, actor, agency))


@router.get("/users", response_model=list[UserOut])
def list_users(
    node: NodeDep, actor: ActorDep, agency: Annotated[str | None, Query(description="node administrators")] = None
) -> list[UserOut]:
    """The users of the caller's agency (of any agency, for a node administrator)."""
    return [UserOut.of(u) for u in directory.list_users(node, actor, agency)]


@router.post("/users", response_model=UserCreated, status_code=status.HTTP_201_CREATED)
def create_user(node: NodeDep, actor: ActorDep, payload: UserIn) -> UserCreated:
    """Create a user of the caller's agency (agency administrators). Without a password, one is generated and
    returned once."""
    user = User(
        username=payload.username,
        agency=payload.agency or actor.agency,
        roles=frozenset(payload.roles),
        full_name=payload.full_name,
    )
    created, generated = directory.create_user(node, actor, user, payload.password)
    return UserCreated(user=UserOut.of(created), password=generated)


@router.get("/groups", response_model=list[GroupOut])
def list_groups(node: NodeDep, actor: ActorDep) -> list[GroupOut]:
    """The sharing groups the caller's agency belongs to."""
    return [GroupOut.of(g) for g in directory.list_groups(node, actor)]


@router.post("/groups", response_model=GroupOut, status_code=status.HTTP_201_CREATED)
def create_group(node: NodeDep, actor: ActorDep, payload: GroupIn) -> GroupOut:
    """Create a sharing group owned by the caller's agency (supervisors), to distribute records to."""
    return GroupOut.of(directory.create_group(node, actor, payload.name, payload.members, payload.description))
