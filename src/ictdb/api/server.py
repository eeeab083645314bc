"""What ``ictdb serve`` hands to uvicorn: a factory that opens the node named by the environment."""

from __future__ import annotations

from fastapi import FastAPI

from ictdb.api.app import create_app
from ictdb.bootstrap import Settings, open_node


def from_environment() -> FastAPI:
    """Called by uvicorn (``factory=True``) at start-up, never at import time."""
    settings = Settings.from_env()
    return create_app(open_node(settings), session_key=settings.session_key(), request_threads=settings.request_threads)
