"""Whole numbers written in text (headers, settings, EDIFACT elements, list entry numbers)."""

from __future__ import annotations


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more of the digits 0-9 and nothing else. ``str.isdigit`` also takes
    superscripts (²) and other digits that ``int`` refuses, so it cannot guard an ``int`` call."""
    return text.isascii() and text.isdigit()
