"""The API fixture of tests/api, for the cooperation endpoints."""

from api.conftest import api  # noqa: F401 - a fixture, found by name
