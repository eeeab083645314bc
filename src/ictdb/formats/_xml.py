"""Reading large XML files safely: no DTD, no entities, no network, bounded size, one record at a time."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

from lxml import etree

from ictdb.model.errors import ImportFailed

MAX_XML_BYTES = 256 * 1024 * 1024


def read_bounded(source: Path | bytes, filename: str, limit: int = MAX_XML_BYTES) -> bytes:
    """The file's bytes, refused before reading when larger than ``limit``."""
    if isinstance(source, bytes):
        data = source
    else:
        try:
            size = source.stat().st_size
            if size > limit:
                raise ImportFailed(f"file is {size:,} bytes; the limit is {limit:,}", file=filename)
            data = source.read_bytes()
        except OSError as exc:
            raise ImportFailed(f"cannot read: {exc.strerror or exc}", file=filename) from None
    if len(data) > limit:
        raise ImportFailed(f"file is {len(data):,} bytes; the limit is {limit:,}", file=filename)
    return data


def source_line(element: etree._Element) -> int | None:
    """The line an element starts on (the stubs type ``sourceline`` loosely)."""
    line = element.sourceline
    return line if isinstance(line, int) else None


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def iter_records(
    data: bytes, *, filename: str, root: str, depth: int, tags: frozenset[str]
) -> Iterator[etree._Element]:
    """Yield each element named in ``tags`` found ``depth`` levels below the root, then free it.

    A document type declaration is refused outright: it is the only way to declare entities, and so the
    way in for "billion laughs" expansion and external entities. Without it, entity references cannot be
    defined and libxml2 rejects them as errors.
    """
    parser = etree.iterparse(
        BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    level = 0
    try:
        for event, element in parser:
            if event == "start":
                if level == 0:
                    _check_root(element, data, filename, root)
                level += 1
                continue
            level -= 1
            if level == depth and _local(element.tag) in tags:
                yield element
                element.clear()
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
    except etree.XMLSyntaxError as exc:
        message, line = _first_fatal(exc)
        raise ImportFailed(f"not well-formed XML: {message}", file=filename, line=line) from None
    if level != 0:
        raise ImportFailed("the document ends before its root element is closed", file=filename)


def _first_fatal(exc: etree.XMLSyntaxError) -> tuple[str, int | None]:
    """The parser's message and line. When the summary is "no element found" at line 0, the real error is the
    latest fatal entry of libxml2's log (which also holds earlier parses' errors, so only the last counts)."""
    message, line = str(exc.msg), exc.lineno or None
    if line is None:
        log: Iterable[Any] = exc.error_log  # type: ignore[assignment]  # iterable at run time; the stubs omit it
        fatal = [entry for entry in log if entry.level >= etree.ErrorLevels.FATAL]
        if fatal:
            message, line = fatal[-1].message, fatal[-1].line or None
    message = re.sub(r", line \d+, column \d+$", "", message)
    if "encoding" in message.casefold():
        message += " (the file is not in the encoding it declares; UTF-8 when it declares none)"
    return message, line


def _check_root(element: etree._Element, data: bytes, filename: str, root: str) -> None:
    docinfo = element.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        where = data.find(b"<!DOCTYPE")
        line = data.count(b"\n", 0, where) + 1 if where >= 0 else source_line(element)
        raise ImportFailed(
            "a document type declaration (DOCTYPE) is not allowed: entities could expand without bound "
            "or read other files",
            file=filename,
            line=line,
        )
    if _local(element.tag) != root:
        raise ImportFailed(
            f"this is not the expected kind of file: its root element is <{_local(element.tag)}>, not <{root}>",
            file=filename,
            line=source_line(element),
        )
