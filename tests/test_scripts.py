"""The script a name is written in decides how it is transliterated and matched."""

from __future__ import annotations

import pytest

from ictdb.model.scripts import detect_script
from ictdb.model.vocab import Script


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("أبو بكر البغدادي", Script.ARABIC),
        ("أَبُو بَكْر", Script.ARABIC),  # vowel marks are not letters and do not count
        ("Абу Бакр аль-Багдади", Script.CYRILLIC),
        ("Jürgen Müller-Lüdenscheidt", Script.LATIN),
        ("Nguyễn Văn Thiệu", Script.LATIN),
        ("毛泽东", Script.OTHER),
        ("1971 - 2019", Script.OTHER),  # no letters at all
        ("", Script.OTHER),
        ("Abu أبو", Script.LATIN),  # a tie goes to Latin, then Arabic, then Cyrillic
        ("أبو Абу", Script.ARABIC),
        ("Ali Алиев", Script.CYRILLIC),  # most letters win
    ],
)
def test_the_script_of_most_letters_wins(text: str, script: Script) -> None:
    assert detect_script(text) is script
