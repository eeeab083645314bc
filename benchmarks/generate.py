"""Synthetic persons, organizations and memberships as JSON Lines, for benchmarks that need volume.

Usage: ``python benchmarks/generate.py N OUT.jsonl [--seed S]`` writes N persons (names in Arabic, Cyrillic
and Latin script, birth dates at several precisions, nationalities, passports), one organization per thousand
persons, and a membership for about half of the persons. Lines are in the project's JSON Lines import format;
names use the minimal form (a list of strings: the first is the primary name, the rest aliases). Organizations
come first so that every membership names records already read.

The same seed gives the same file. The names are drawn from the demo node's name parts, so they are
fictional combinations of ordinary names.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from ictdb.services import demo_names as parts

PERSONS_PER_ORGANIZATION = 1000
MEMBERSHIP_SHARE = 0.5
ROLES = ("member", "member", "member", "member", "commander", "financier", "recruiter", "facilitator", "leader")
ARAB_COUNTRIES = ("IQ", "SY", "JO", "TN", "LY", "EG", "SA", "LB", "MA", "DZ")


def _birth_date(rng: random.Random) -> str:
    born = date(rng.randint(1960, 2004), 1, 1) + timedelta(days=rng.randrange(365))
    roll = rng.random()
    if roll < 0.6:
        return born.isoformat()
    if roll < 0.8:
        return str(born.year)
    if roll < 0.9:
        return f"{born.year}~"
    return f"{born.year - 1}/{born.year + 1}"


def _passport(rng: random.Random, country: str) -> dict[str, str]:
    number = rng.choice("ABCNPU") + "".join(rng.choice("0123456789") for _ in range(8))
    return {"type": "passport", "number": number, "country": country}


def _arab_names(rng: random.Random) -> tuple[list[str], str]:
    given, father, family = (
        rng.choice(parts.ARABIC_GIVEN_MALE),
        rng.choice(parts.ARABIC_GIVEN_MALE),
        rng.choice(parts.ARABIC_FAMILY),
    )
    trio = (given, father, family)
    latin = " ".join(p.en[rng.randrange(len(p.en))] for p in trio)
    names = [" ".join(p.ar for p in trio), latin]
    roll = rng.random()
    if roll < 0.3:
        names.append(" ".join(p.ru for p in trio))
    elif roll < 0.5:
        names.append(" ".join(p.fr for p in trio))
    if rng.random() < 0.4:
        son, nisba = rng.choice(parts.ARABIC_GIVEN_MALE), rng.choice(parts.NISBAS)
        names.append(f"{parts.ABU.ar} {son.ar} {nisba.ar}")
        names.append(f"Abu {son.en[0]} {nisba.en[0]}")
    if rng.random() < 0.5:  # a Latin-script agency leads with the passport spelling
        names[0], names[1] = names[1], names[0]
    return names, rng.choice(ARAB_COUNTRIES)


def _caucasus_names(rng: random.Random) -> tuple[list[str], str]:
    given, (patronymic, patronymic_en), family = (
        rng.choice(parts.CAUCASUS_GIVEN_MALE),
        rng.choice(parts.CAUCASUS_PATRONYMICS),
        rng.choice(parts.CAUCASUS_FAMILY),
    )
    names = [f"{family.ru} {given.ru} {patronymic}", f"{given.en} {family.en}", f"{given.ar} {family.ar}"]
    if rng.random() < 0.3:
        names.append(f"{given.de} {patronymic_en} {family.de}")
    return names, rng.choice(("RU", "RU", "RU", "GE", "AZ"))


def _european_names(rng: random.Random) -> tuple[list[str], str]:
    country = rng.choice(("FR", "DE"))
    given, family = rng.choice(parts.EUROPEAN_GIVEN[country]), rng.choice(parts.EUROPEAN_FAMILY[country])
    son = rng.choice(parts.ARABIC_GIVEN_MALE)
    nisba = parts.KUNYA_EUROPE[country]
    names = [f"{given.latin} {family.latin}", f"{given.ru} {family.ru}", f"{parts.ABU.ar} {son.ar} {nisba.ar}"]
    return names, country


def _organization(index: int) -> dict[str, Any]:
    units, mottos = parts.GROUP_UNITS, parts.GROUP_MOTTOS
    unit, motto = units[index % len(units)], mottos[(index // len(units)) % len(mottos)]
    # A number keeps generated groups apart once every unit and motto pair is taken.
    suffix = f" {index}" if index >= len(units) * len(mottos) else ""
    return {
        "id": f"O{index:06d}",
        "schema": "Organization",
        "names": [f"{unit.en} {motto.en}{suffix}", f"{unit.ar} {motto.ar}", f"{unit.ru} {motto.ru}"],
        "org_type": "terrorist-group",
    }


def generate_persons(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """``n`` Person lines, with Organization lines first and Membership lines after their person."""
    rng = random.Random(seed)
    organizations = max(1, n // PERSONS_PER_ORGANIZATION)
    for index in range(1, organizations + 1):
        yield _organization(index)
    memberships = 0
    for index in range(1, n + 1):
        roll = rng.random()
        if roll < 0.7:
            names, country = _arab_names(rng)
        elif roll < 0.9:
            names, country = _caucasus_names(rng)
        else:
            names, country = _european_names(rng)
        person: dict[str, Any] = {"id": f"P{index:07d}", "schema": "Person", "names": names}
        if rng.random() < 0.85:
            person["birth_dates"] = [_birth_date(rng)]
        person["nationalities"] = [country]
        person["gender"] = "female" if rng.random() < 0.08 else "male"
        if rng.random() < 0.7:
            person["documents"] = [_passport(rng, country)]
        yield person
        if rng.random() < MEMBERSHIP_SHARE:
            memberships += 1
            yield {
                "id": f"M{memberships:07d}",
                "schema": "Membership",
                "person": person["id"],
                "organization": f"O{rng.randint(1, organizations):06d}",
                "role": rng.choice(ROLES),
            }


def write_jsonl(lines: Iterator[dict[str, Any]], out: Path) -> int:
    count = 0
    with out.open("wb") as handle:
        for line in lines:
            handle.write(orjson.dumps(line) + b"\n")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int, help="number of persons")
    parser.add_argument("out", type=Path, help="JSON Lines file to write")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    count = write_jsonl(generate_persons(args.n, args.seed), args.out)
    print(f"wrote {count} lines ({args.n} persons) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
