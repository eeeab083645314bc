"""The UN Security Council Consolidated List reader, on the real list and on hostile or broken files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ictdb.formats.un_sc import read_un_sc
from ictdb.model.bundle import ImportItem, ParseReport
from ictdb.model.errors import ImportFailed
from ictdb.model.records import Designation, Identifier, Organization, Person
from ictdb.model.vocab import DocumentType, Gender, NameKind, OrganizationStatus, PersonStatus, Script

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
UN_FILE = DATA / "sanctions" / "un" / "consolidated.xml"

needs_data = pytest.mark.skipif(not UN_FILE.exists(), reason=f"the shared reference data is not at {DATA}")


@pytest.fixture(scope="module")
def un_list() -> tuple[dict[str, ImportItem], list[ImportItem], ParseReport]:
    items, report = read_un_sc(UN_FILE)
    return {item.key: item for item in items}, items, report


def _names(body: Person | Organization, kind: NameKind) -> list[str]:
    return [name.value for name in body.names if name.kind is kind]


def _doc(records: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:00Z">\n'
        f"{records}\n</CONSOLIDATED_LIST>\n"
    ).encode()


def _individual(inner: str, reference: str = "QDi.900") -> str:
    return (
        "<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>TEST</FIRST_NAME><SECOND_NAME>PERSON</SECOND_NAME>"
        f"<UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER>"
        f"<LISTED_ON>2001-01-25</LISTED_ON>{inner}</INDIVIDUAL></INDIVIDUALS>"
    )


def _person(inner: str) -> tuple[Person, ParseReport]:
    items, report = read_un_sc(_doc(_individual(inner)))
    body = items[0].body
    assert isinstance(body, Person)
    return body, report


# -- the real list --------------------------------------------------------------------------------


@needs_data
def test_every_entry_of_the_real_list_is_read(
    un_list: tuple[dict[str, ImportItem], list[ImportItem], ParseReport],
) -> None:
    _, items, _ = un_list
    kinds = Counter(item.body.schema_name for item in items)
    assert kinds == {"Person": 730, "Organization": 273, "Designation": 1003}
    arabic = [
        item
        for item in items
        if isinstance(item.body, Person)
        and any(n.kind is NameKind.ORIGINAL_SCRIPT and n.script is Script.ARABIC for n in item.body.names)
    ]
    assert len(arabic) == 327
    # Every subject is followed by its designation, which points back at it.
    for index, item in enumerate(items):
        if isinstance(item.body, Designation):
            assert item.body.subject == items[index - 1].key
            assert item.key == item.body.subject + "#designation"


@needs_data
def test_an_al_qaida_individual_field_by_field(
    un_list: tuple[dict[str, ImportItem], list[ImportItem], ParseReport],
) -> None:
    by_key, _, _ = un_list
    item = by_key["QDi.001"]
    person = item.body
    assert isinstance(person, Person)
    assert item.line == 13822
    assert _names(person, NameKind.PRIMARY) == ["MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"]
    assert _names(person, NameKind.ORIGINAL_SCRIPT) == ["محمد صلاح الدين عبدالحليم زيدان"]
    assert _names(person, NameKind.ALIAS) == ["Sayf-Al Adl", "Muhamad Ibrahim Makkawi"]
    assert _names(person, NameKind.WEAK_ALIAS) == ["Ibrahim al-Madani", "Saif Al-'Adil", "Seif al Adel"]
    assert [str(d) for d in person.birth_dates] == ["1963-04-11", "1960-04-11"]
    assert person.birth_places == ["Monufia Governate, Egypt"]
    assert person.nationalities == ["EG"]
    assert person.status == [PersonStatus.DESIGNATED]
    assert Identifier(scheme="un-ref", value="QDi.001") in person.identifiers
    assert Identifier(scheme="un-dataid", value="113219") in person.identifiers
    assert person.notes is not None and "In Arabic: سيف العدل" in person.notes  # an alias note is kept
    designation = by_key["QDi.001#designation"].body
    assert isinstance(designation, Designation)
    assert designation.authority == "UN Security Council"
    assert designation.list_name == "Al-Qaida"
    assert designation.reference == "QDi.001"
    assert str(designation.listed_on) == "2001-01-25"
    assert designation.reason is not None and designation.reason.startswith("Responsible for Usama bin Laden")


@needs_data
def test_documents_gender_and_addresses(un_list: tuple[dict[str, ImportItem], list[ImportItem], ParseReport]) -> None:
    person = un_list[0]["QDi.356"].body
    assert isinstance(person, Person)
    assert person.gender is Gender.FEMALE
    assert _names(person, NameKind.PRIMARY) == ["AQSA MAHMOOD"]
    assert _names(person, NameKind.WEAK_ALIAS) == ["Umm Layth"]
    assert person.birth_places == ["Glasgow, Scotland, United Kingdom of Great Britain and Northern Ireland"]
    [passport] = person.documents
    assert passport.type is DocumentType.PASSPORT
    assert passport.number == "720134834"
    assert passport.country == "GB"
    assert str(passport.issued_on) == "2012-06-27"
    assert str(passport.expires_on) == "2022-06-27"  # from the note "expires on 27 Jun. 2022"
    assert [(a.country, a.note) for a in person.addresses] == [("SY", "as at Nov. 2013"), ("GB", "previous address")]


@needs_data
def test_document_numbers_written_with_their_description(
    un_list: tuple[dict[str, ImportItem], list[ImportItem], ParseReport],
) -> None:
    by_key = un_list[0]
    # <NUMBER>French passport number 05AT521433</NUMBER>: the number, with the description kept as its note.
    french = by_key["QDi.340"].body
    assert isinstance(french, Person)
    passport = french.documents[0]
    assert (passport.type, passport.number) == (DocumentType.PASSPORT, "05AT521433")
    assert passport.note is not None and passport.note.startswith("French passport number")
    # No <NUMBER>, and the note says "Libyan passport number 347834, ..., expired on 21 Feb. 2014".
    libyan = by_key["QDi.057"].body
    assert isinstance(libyan, Person)
    [from_note] = [d for d in libyan.documents if d.number == "347834"]
    assert str(from_note.expires_on) == "2014-02-21"
    # <NUMBER>Libya B014995</NUMBER>: the word before the number is the issuing country.
    other = by_key["LYi.017"].body
    assert isinstance(other, Person)
    assert [(d.number, d.country) for d in other.documents] == [("B014995", "LY")]


@needs_data
def test_ranges_approximate_years_titles_and_former_names(
    un_list: tuple[dict[str, ImportItem], list[ImportItem], ParseReport],
) -> None:
    by_key = un_list[0]
    omar = by_key["TAi.004"].body
    assert isinstance(omar, Person)
    assert [str(d) for d in omar.birth_dates] == ["1966~", "1960", "1953"]
    assert omar.titles == ["Mullah", "Leader of the Faithful ('Amir ul-Mumineen'), Afghanistan"]
    assert omar.birth_places == [
        "Naw Deh village, Deh Rawud District, Uruzgan Province, Afghanistan",
        "Noori village, Maiwand District, Kandahar Province, Afghanistan",
    ]
    khuwayt = by_key["QDi.420"].body
    assert isinstance(khuwayt, Person)
    assert [str(d) for d in khuwayt.birth_dates] == ["1965/1969"]
    assert _names(khuwayt, NameKind.FORMER) == ["Hajji 'Abd Al-Nasir"]  # "formerly listed as"


@needs_data
def test_an_entity_with_iranian_addresses(un_list: tuple[dict[str, ImportItem], list[ImportItem], ParseReport]) -> None:
    org = un_list[0]["IRe.003"].body
    assert isinstance(org, Organization)
    assert _names(org, NameKind.PRIMARY) == ["AMIN INDUSTRIAL COMPLEX"]
    assert _names(org, NameKind.ALIAS) == ["Amin Industrial Compound", "Amin Industrial Company"]
    assert org.status is OrganizationStatus.DESIGNATED
    assert [(a.text, a.city, a.country) for a in org.addresses] == [
        ("P.O. Box 91735-549", "Mashad", "IR"),
        ("Amin Industrial Estate, Khalage Rd., Seyedi District", "Mashad", "IR"),
        ("Kaveh Complex, Khalaj Rd., Seyedi St.", "Mashad", "IR"),
    ]
    designation = un_list[0]["IRe.003#designation"].body
    assert isinstance(designation, Designation) and designation.list_name == "Iran"


@needs_data
def test_unresolved_countries_are_listed_in_one_warning(
    un_list: tuple[dict[str, ImportItem], list[ImportItem], ParseReport],
) -> None:
    report = un_list[2]
    [warning] = [w for w in report.warnings if "not resolved" in w]
    assert "'former Soviet Union'" in warning
    assert "Syrian Arab Republic" not in warning and "Iran" not in warning


# -- field mapping on small documents -------------------------------------------------------------


def test_alias_quality_and_names_separated_by_semicolons() -> None:
    person, _ = _person(
        "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Azim Adhajani; Azim Agha-Jani</ALIAS_NAME>"
        "</INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Azim</ALIAS_NAME>"
        "</INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>"
    )
    assert _names(person, NameKind.PRIMARY) == ["TEST PERSON"]
    assert _names(person, NameKind.ALIAS) == ["Azim Adhajani", "Azim Agha-Jani"]
    assert _names(person, NameKind.WEAK_ALIAS) == ["Abu Azim"]


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1971-07-28</DATE>", "1971-07-28"),
        ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1971</YEAR>", "1971"),
        ("<TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1971</YEAR>", "1971~"),
        ("<TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR>", "1960/1962"),
        ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1961-00-00</DATE>", "1961"),
        ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1958</YEAR><NOTE>Sep.</NOTE>", "1958-09"),
        ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>Nov. 1973 </NOTE>", "1973-11"),
    ],
)
def test_dates_of_birth(dob: str, expected: str) -> None:
    person, report = _person(f"<INDIVIDUAL_DATE_OF_BIRTH>{dob}</INDIVIDUAL_DATE_OF_BIRTH>")
    assert [str(d) for d in person.birth_dates] == [expected]
    assert report.unparsed == {}


def test_an_unreadable_date_of_birth_is_counted_and_kept_in_notes() -> None:
    person, report = _person(
        "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><NOTE>30-35 years old</NOTE>"
        "</INDIVIDUAL_DATE_OF_BIRTH>"
    )
    assert person.birth_dates == []
    assert report.unparsed == {"date of birth not understood": 1}
    assert person.notes is not None and "30-35 years old" in person.notes


def test_unknown_nationality_is_a_warning_not_an_error() -> None:
    person, report = _person(
        "<NATIONALITY><VALUE>Syrian Arab Republic</VALUE><VALUE>Atlantis</VALUE><VALUE>na</VALUE></NATIONALITY>"
    )
    assert person.nationalities == ["SY"]
    assert any("'Atlantis' (1)" in w and "'na' (1)" in w for w in report.warnings)
    assert report.unparsed["nationality country not resolved"] == 2


def test_empty_elements_add_nothing() -> None:
    person, report = _person(
        "<INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE/>"
        "</INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_PLACE_OF_BIRTH><COUNTRY/></INDIVIDUAL_PLACE_OF_BIRTH>"
        "<INDIVIDUAL_DOCUMENT/><GENDER/><TITLE><VALUE/></TITLE>"
    )
    assert (person.addresses, person.birth_dates, person.birth_places, person.documents, person.titles) == (
        [],
        [],
        [],
        [],
        [],
    )
    assert person.gender is None
    assert report.unparsed == {} and report.warnings == []


def test_an_unknown_element_is_counted_not_dropped() -> None:
    person, report = _person("<SUBMITTED_BY><VALUE>Someone</VALUE></SUBMITTED_BY>")
    assert report.unparsed == {"element SUBMITTED_BY not mapped": 1}
    assert person.notes == "SUBMITTED_BY: Someone"


# -- bad files --------------------------------------------------------------------------------------


def _fails(data: bytes) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        read_un_sc(data, filename="list.xml")
    assert caught.value.file == "list.xml"
    return caught.value


def test_truncated_xml_names_the_line() -> None:
    whole = _doc(_individual(""))
    error = _fails(whole[: len(whole) // 2])
    assert error.line is not None and "not well-formed" in error.message


def test_billion_laughs_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [\n <!ENTITY a "aaaaaaaaaa">\n'
        + b"".join(f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'.encode() for i in range(9))
        + b"]>\n<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&j;</FIRST_NAME>"
        + b"<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    )
    error = _fails(bomb)
    assert error.line == 2
    assert "DOCTYPE" in error.message


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    document = (
        f'<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY e SYSTEM "file://{secret}"> ]>\n'
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&e;</FIRST_NAME>"
        "<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"
    ).encode()
    error = _fails(document)
    assert "DOCTYPE" in error.message and "TOP SECRET" not in str(error)


def test_an_undeclared_entity_is_an_error() -> None:
    error = _fails(_doc(_individual("<COMMENTS1>&e;</COMMENTS1>")))
    assert error.line == 3


def test_xml_of_another_kind() -> None:
    error = _fails(b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>')
    assert error.line == 2 and "<rss>" in error.message


def test_a_file_that_is_not_xml() -> None:
    error = _fails(b"ent_num,SDN_Name\n36,AEROCARIBBEAN AIRLINES\n")
    assert error.line == 1


def test_wrong_encoding_names_the_line() -> None:
    text = _doc(_individual("<COMMENTS1>caf\u00e9</COMMENTS1>")).decode()
    error = _fails(text.encode("latin-1"))
    assert error.line == 3 and "encoding" in error.message


def test_missing_reference_number_names_the_field() -> None:
    document = _doc("<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>X</FIRST_NAME></INDIVIDUAL></INDIVIDUALS>")
    error = _fails(document)
    assert error.field == "REFERENCE_NUMBER" and error.line == 3


def test_duplicate_reference_numbers_are_refused() -> None:
    error = _fails(_doc(_individual("") + _individual("")))
    assert error.field == "REFERENCE_NUMBER" and "twice" in error.message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    with big.open("wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: costs no disk and must not be read
    with pytest.raises(ImportFailed) as caught:
        read_un_sc(big)
    assert caught.value.file == "big.xml" and "limit" in caught.value.message
