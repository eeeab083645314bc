"""The OFAC SDN legacy CSV reader, on the real 2019 files and on broken ones."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ictdb.formats._ofac_remarks import FactKind, read_statement, split_remarks
from ictdb.formats.ofac_sdn import natural_order, read_ofac_sdn
from ictdb.model.bundle import ImportItem, ParseReport
from ictdb.model.errors import ImportFailed
from ictdb.model.records import Designation, Identifier, Organization, Person
from ictdb.model.vocab import DocumentType, Gender, NameKind, OrganizationStatus, PersonStatus

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
OFAC_DIR = DATA / "sanctions" / "ofac-2019"

needs_data = pytest.mark.skipif(not OFAC_DIR.exists(), reason=f"the shared reference data is not at {DATA}")

Parsed = tuple[dict[str, ImportItem], list[ImportItem], ParseReport]


@pytest.fixture(scope="module")
def sdn() -> Parsed:
    items, report = read_ofac_sdn(OFAC_DIR)
    return {item.key: item for item in items}, items, report


def _names(body: Person | Organization, kind: NameKind) -> list[str]:
    return [name.value for name in body.names if name.kind is kind]


def _write(directory: Path, sdn: str, alt: str | None = "", add: str | None = "") -> Path:
    (directory / "sdn.csv").write_text(sdn, encoding="utf-8")
    if alt is not None:
        (directory / "alt.csv").write_text(alt, encoding="utf-8")
    if add is not None:
        (directory / "add.csv").write_text(add, encoding="utf-8")
    return directory


def _row(ent: str, name: str, kind: str = '"individual"', remarks: str = "-0- ", program: str = "SDGT") -> str:
    return f'{ent},"{name}",{kind},"{program}",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,{remarks}\n'


# -- the real list --------------------------------------------------------------------------------


@needs_data
def test_counts_match_the_files(sdn: Parsed) -> None:
    _, items, report = sdn
    kinds = Counter(item.body.schema_name for item in items)
    assert kinds["Person"] == 3845
    assert kinds["Organization"] == 7379 - 3845 - 323 - 217
    assert report.unparsed["vessel skipped"] == 323
    assert report.unparsed["aircraft skipped"] == 217
    # One designation per program: "SDGT] [IFSR" is two.
    designations = [item.body for item in items if isinstance(item.body, Designation)]
    assert kinds["Designation"] == len(designations) > kinds["Person"] + kinds["Organization"]
    assert all(d.authority == "US OFAC" for d in designations)


@needs_data
def test_al_badri_field_by_field(sdn: Parsed) -> None:
    """12926: "AL-BADRI, Dr. Ibrahim 'Awwad Ibrahim 'Ali", SDGT; DOB 1971; POB Samarra'i, Iraq; three a.k.a.s."""
    item = sdn[0]["12926"]
    person = item.body
    assert isinstance(person, Person)
    assert _names(person, NameKind.PRIMARY) == ["Dr. Ibrahim 'Awwad Ibrahim 'Ali AL-BADRI"]
    assert "Abu Bakr al-Husayni AL-BAGHDADI" in _names(person, NameKind.ALIAS)  # from alt.csv, reordered
    assert len(_names(person, NameKind.ALIAS)) == 6
    assert _names(person, NameKind.WEAK_ALIAS) == ["ABU DU'A", "DR. IBRAHIM", "ABU BAKR AL-BAGHDADI"]
    assert [str(d) for d in person.birth_dates] == ["1971"]
    assert person.birth_places == ["Samarra'i, Iraq"]
    assert [a.country for a in person.addresses] == ["IQ"]
    assert person.identifiers == [Identifier(scheme="ofac-ent", value="12926")]
    assert person.status == [PersonStatus.DESIGNATED]
    designation = sdn[0]["12926#designation:SDGT"].body
    assert isinstance(designation, Designation)
    assert (designation.subject, designation.list_name, designation.reference) == ("12926", "SDGT", "12926")


@needs_data
def test_documents_nationality_and_programs(sdn: Parsed) -> None:
    """16529 CANKO, Ali: NPWMD] [IFSR; DOB 01 Jan 1960; nationality Turkey; Passport U 04765836 (Turkey);
    Personal ID Card 58786069032; alt. Personal ID Card AK 8136255 (Italy)."""
    person = sdn[0]["16529"].body
    assert isinstance(person, Person)
    assert _names(person, NameKind.PRIMARY) == ["Ali CANKO"]
    assert [str(d) for d in person.birth_dates] == ["1960-01-01"]
    assert person.nationalities == ["TR"]
    assert [(d.type, d.number, d.country) for d in person.documents] == [
        (DocumentType.PASSPORT, "U 04765836", "TR"),
        (DocumentType.NATIONAL_ID, "58786069032", None),
        (DocumentType.NATIONAL_ID, "AK 8136255", "IT"),
    ]
    assert {"16529#designation:NPWMD", "16529#designation:IFSR"} <= set(sdn[0])


@needs_data
def test_titles_alternate_dates_and_nationalities(sdn: Parsed) -> None:
    """16666 TIMCHENKO, Gennady: POB Leninakan, Armenia; alt. POB Gyumri, Armenia; nationality Finland;
    alt. nationality Russia; alt. nationality Armenia. 15276 AL-FREIJ: DOB 01 Jan 1950; alt. DOB 1947."""
    timchenko = sdn[0]["16666"].body
    assert isinstance(timchenko, Person)
    assert timchenko.birth_places == ["Leninakan, Armenia", "Gyumri, Armenia"]
    assert timchenko.nationalities == ["FI", "RU", "AM"]
    freij = sdn[0]["15276"].body
    assert isinstance(freij, Person)
    assert [str(d) for d in freij.birth_dates] == ["1950-01-01", "1947"]
    assert freij.titles == ["Deputy Commander-in-Chief of the Army and the Armed Forces and Minister of Defense"]


@needs_data
def test_an_organization_with_addresses_and_a_weak_alias(sdn: Parsed) -> None:
    """306 BANCO NACIONAL DE CUBA: a.k.a. 'BNC' in remarks; NATIONAL BANK OF CUBA in alt.csv; 4 addresses."""
    org = sdn[0]["306"].body
    assert isinstance(org, Organization)
    assert _names(org, NameKind.PRIMARY) == ["BANCO NACIONAL DE CUBA"]  # an organization's name is not reordered
    assert _names(org, NameKind.ALIAS) == ["NATIONAL BANK OF CUBA"]
    assert _names(org, NameKind.WEAK_ALIAS) == ["BNC"]
    assert org.status is OrganizationStatus.DESIGNATED
    assert [(a.text, a.city, a.country) for a in org.addresses][:2] == [
        ("Zweierstrasse 35", "Zurich CH-8022", "CH"),
        ("Avenida de Concha Espina 8", "Madrid E-28036", "ES"),
    ]


@needs_data
def test_gender_and_dob_ranges_across_the_list(sdn: Parsed) -> None:
    persons = [item.body for item in sdn[1] if isinstance(item.body, Person)]
    genders = Counter(p.gender for p in persons)
    # "Gender Male" 621 and "Gender Female" 58 statements in the remarks of individuals.
    assert genders[Gender.MALE] == 621 and genders[Gender.FEMALE] == 58
    ranges = [d for p in persons for d in p.birth_dates if "/" in str(d)]
    approximate = [d for p in persons for d in p.birth_dates if str(d).endswith("~")]
    assert ranges and approximate
    assert "date of birth not understood" not in sdn[2].unparsed


# -- names and remarks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "natural"),
    [
        ("AL-BAGHDADI, Abu Bakr", "Abu Bakr AL-BAGHDADI"),
        ("KNOWLES, JR., Samuel", "Samuel KNOWLES, JR."),
        ("DELOS REYES, Feliciano Semborio, Jr.", "Feliciano Semborio DELOS REYES, Jr."),
        ("ZULKARNAEN", "ZULKARNAEN"),
    ],
)
def test_natural_order(listed: str, natural: str) -> None:
    assert natural_order(listed) == natural


def test_remark_statements() -> None:
    statements = split_remarks(
        "DOB circa 1960; alt. DOB 1960 to 1962; POB Samarra, Iraq; nationality Iraq; Gender Male; "
        "Passport C 1415363 (Saudi Arabia) issued 21 May 2000 expires 20 May 2005; a.k.a. 'ABU DU'A'; "
        "NIT # 800146749-7 (Colombia); Linked To: HIZBALLAH."
    )
    facts = [read_statement(s) for s in statements]
    assert [f.kind for f in facts] == [
        FactKind.BIRTH_DATE,
        FactKind.BIRTH_DATE,
        FactKind.BIRTH_PLACE,
        FactKind.NATIONALITY,
        FactKind.GENDER,
        FactKind.DOCUMENT,
        FactKind.ALIAS,
        FactKind.IDENTIFIER,
        FactKind.LINK,
    ]
    passport = facts[5]
    assert (passport.value, passport.country, passport.issued, passport.expires) == (
        "C 1415363",
        "Saudi Arabia",
        "21 May 2000",
        "20 May 2005",
    )
    assert facts[6].value == "ABU DU'A"


def test_remarks_map_to_fields(tmp_path: Path) -> None:
    remarks = (
        '"DOB circa 1960; alt. DOB 1960 to 1962; alt. DOB 28 Jul 1971; POB Samarra, Iraq; citizen Syria; '
        "Gender Female; Passport A123456 (Iraq) issued 01 Jan 2000 expires 31 Dec 2004; National ID No. 99 (Iraq); "
        "a.k.a. 'UMM X'; SSN 123-45-6789 (United States); Linked To: SOME GROUP.\""
    )
    items, report = read_ofac_sdn(_write(tmp_path, _row("1", "AL-X, Fatima", remarks=remarks)))
    person = items[0].body
    assert isinstance(person, Person)
    assert [str(d) for d in person.birth_dates] == ["1960~", "1960/1962", "1971-07-28"]
    assert person.birth_places == ["Samarra, Iraq"]
    assert person.nationalities == ["SY"]
    assert person.gender is Gender.FEMALE
    assert _names(person, NameKind.PRIMARY) == ["Fatima AL-X"]
    assert _names(person, NameKind.WEAK_ALIAS) == ["UMM X"]
    passport, national = person.documents
    assert (passport.type, passport.number, passport.country) == (DocumentType.PASSPORT, "A123456", "IQ")
    assert (str(passport.issued_on), str(passport.expires_on)) == ("2000-01-01", "2004-12-31")
    assert (national.type, national.number) == (DocumentType.NATIONAL_ID, "99")
    assert Identifier(scheme="ofac-ssn", value="123-45-6789 (United States)") in person.identifiers
    assert person.notes == "Linked To: SOME GROUP"
    assert report.unparsed == {"link to another entry kept as a note": 1}


def test_alternate_names_and_their_kinds(tmp_path: Path) -> None:
    alt = (
        '1,1,"aka","AL-Y, Abu",-0- \n'
        '1,2,"fka","OLD, Name",-0- \n'
        '1,3,"nka","NEW, Name",-0- \n'
        '1,4,"aka","WEAK, One","low quality"\n'
    )
    items, _ = read_ofac_sdn(_write(tmp_path, _row("1", "AL-X, Fatima"), alt=alt))
    person = items[0].body
    assert isinstance(person, Person)
    assert _names(person, NameKind.ALIAS) == ["Abu AL-Y", "Name NEW"]
    assert _names(person, NameKind.FORMER) == ["Name OLD"]
    assert _names(person, NameKind.WEAK_ALIAS) == ["One WEAK"]


def test_unparsed_remarks_are_counted_and_kept(tmp_path: Path) -> None:
    remarks = '"DOB sometime in the 60s; nationality Atlantis."'
    items, report = read_ofac_sdn(_write(tmp_path, _row("1", "AL-X, Fatima", remarks=remarks)))
    person = items[0].body
    assert isinstance(person, Person)
    assert person.birth_dates == [] and person.nationalities == []
    assert report.unparsed == {"date of birth not understood": 1, "nationality country not resolved": 1}
    assert person.notes == "DOB sometime in the 60s\nnationality Atlantis"
    assert any("'Atlantis' (1)" in w for w in report.warnings)


# -- bad files --------------------------------------------------------------------------------------


def test_missing_columns_name_file_line_and_field(tmp_path: Path) -> None:
    sdn = _row("1", "AL-X, Fatima") + '2,"AL-Y, Abu","individual","SDGT"\n'
    with pytest.raises(ImportFailed) as caught:
        read_ofac_sdn(_write(tmp_path, sdn))
    assert (caught.value.file, caught.value.line, caught.value.field) == ("sdn.csv", 2, "Title")


def test_missing_columns_in_alt_csv(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        read_ofac_sdn(_write(tmp_path, _row("1", "AL-X, Fatima"), alt='1,1,"aka"\n'))
    assert (caught.value.file, caught.value.line, caught.value.field) == ("alt.csv", 1, "alt_name")


def test_a_bad_entry_number(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        read_ofac_sdn(_write(tmp_path, _row("X1", "AL-X, Fatima")))
    assert (caught.value.line, caught.value.field) == (1, "ent_num")


def test_windows_1252_is_read_and_said(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(_row("1", "MU\u00d1OZ, Jos\u00e9").encode("cp1252"))
    items, report = read_ofac_sdn(tmp_path)
    person = items[0].body
    assert isinstance(person, Person)
    assert _names(person, NameKind.PRIMARY) == ["José MUÑOZ"]
    assert "sdn.csv: not UTF-8; read as Windows-1252" in report.warnings
    assert any("alt.csv is missing" in w for w in report.warnings)


def test_utf16_without_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(_row("1", "AL-X, Fatima").encode("utf-16-le"))
    with pytest.raises(ImportFailed) as caught:
        read_ofac_sdn(tmp_path)
    assert caught.value.file == "sdn.csv" and caught.value.line == 1


def test_no_sdn_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        read_ofac_sdn(tmp_path)
    assert caught.value.file == "sdn.csv"


def test_vessels_are_skipped_with_their_alternate_names(tmp_path: Path) -> None:
    sdn = _row("1", "SHIP ONE", kind='"vessel"') + _row("2", "GROUP", kind="-0- ")
    items, report = read_ofac_sdn(_write(tmp_path, sdn, alt='1,1,"aka","SHIP UNO",-0- \n'))
    assert [item.key for item in items] == ["2", "2#designation:SDGT"]
    assert report.unparsed == {"vessel skipped": 1}
