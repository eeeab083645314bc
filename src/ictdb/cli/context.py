"""What every command needs: the node, the acting user, and how to print."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ictdb.bootstrap import Settings, open_node
from ictdb.model.actors import Actor
from ictdb.services.directory import actor_for, node_admin
from ictdb.services.node import Node

err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)


@dataclass
class Context:
    settings: Settings
    as_spec: str | None
    json: bool
    _node: Node | None = field(default=None, init=False)

    def node(self) -> Node:
        if self._node is None:
            self._node = open_node(self.settings)
        return self._node

    def actor(self) -> Actor:
        node = self.node()
        if not self.as_spec:
            return node_admin(node)
        agency, _, username = self.as_spec.partition(":")
        return actor_for(node, agency, username or None)

    def emit(self, data: Any, human: Callable[[], None]) -> None:
        if self.json:
            sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")
        else:
            human()


def state(ctx: typer.Context) -> Context:
    found = ctx.find_object(Context)
    assert found is not None
    return found


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing when output is piped or captured."""
    if not err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
