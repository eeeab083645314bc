"""Canonical JSON text for stored columns: sorted keys, UTF-8, so the same value is always the same bytes."""

from __future__ import annotations

from typing import Any

import orjson


def dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def loads(text: str) -> Any:
    return orjson.loads(text)
