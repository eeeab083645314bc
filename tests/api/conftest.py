"""The API in-process on the parametrized node (SQLite and PostgreSQL), with tokens for seeded agencies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from api.client import Client, in_process
from factories import seed_agencies
from ictdb.api.app import create_app
from ictdb.model.actors import Actor
from ictdb.services import auth
from ictdb.services.node import Node


@dataclass
class Api:
    node: Node
    client: Client
    actors: dict[str, Actor]
    tokens: dict[str, str]

    def as_(self, agency: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[agency]}"}


@pytest.fixture
def api(node: Node) -> Iterator[Api]:
    actors = seed_agencies(node)
    tokens = {code: auth.issue_token(node, actor, label="tests").secret for code, actor in actors.items()}
    with in_process(create_app(node)) as client:
        yield Api(node, client, actors, tokens)
