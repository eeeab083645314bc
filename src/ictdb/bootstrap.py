"""The composition root: configuration in, a node out. The only place that picks the storage backend."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from ictdb.services.node import IdFactory, Node
from ictdb.storage.store import Store

ENV_DATABASE = "ICTDB_DATABASE_URL"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, database_url: str | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(database_url=database_url or env.get(ENV_DATABASE) or default_database_url())


def default_database_url() -> str:
    return f"sqlite:///{Path(user_data_dir('ictdb')) / 'ictdb.sqlite3'}"


def open_node(settings: Settings, *, id_seed: int | None = None) -> Node:
    return Node(store=Store.open(settings.database_url), new_id=IdFactory(id_seed))
