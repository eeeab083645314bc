"""The web pages use the same in-process app and seeded node as the API tests."""

from __future__ import annotations

from api.conftest import api

__all__ = ["api"]
