"""Safe XML parsing shared by the XML-based importers (BPMN, PNML, XES).

Entity expansion, DTDs and network access are off. A document with a
DOCTYPE is rejected outright: no process format needs one, and refusing it
closes XXE and "billion laughs" attacks before the parser sees them.
"""

from __future__ import annotations

import re

from lxml import etree

from processes.exceptions import FormatError, InputTooLargeError

__all__ = ["DEFAULT_MAX_BYTES", "check_size", "local_name", "make_parser", "parse_xml"]

#: Default upper bound for one uploaded file (bytes). Callers may pass another.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# Byte-order marks of the encodings in which "<!DOCTYPE" is not ASCII bytes.
_WIDE_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


def _as_ascii_compatible(data: bytes) -> bytes:
    """Return ``data`` re-encoded as UTF-8 if it is UTF-16/32, so the DOCTYPE check sees it."""
    head = data[:4]
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            return data.decode(encoding, errors="replace").encode("utf-8")
    if len(head) == 4 and b"\x00" in head:  # wide encoding without a BOM
        for encoding in ("utf-32-be", "utf-32-le", "utf-16-be", "utf-16-le"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if text.lstrip().startswith("<"):
                return text.encode("utf-8")
    return data


def check_size(data: bytes, *, max_bytes: int | None, source: str | None) -> None:
    """Raise :class:`InputTooLargeError` if ``data`` is over ``max_bytes``."""
    if max_bytes is not None and len(data) > max_bytes:
        raise InputTooLargeError(
            f"the file is {len(data):,} bytes, more than the limit of {max_bytes:,} bytes",
            code="too_large",
            params={"size": len(data), "limit": max_bytes},
            source=source,
            hint="split the process or raise the size limit",
        )


def make_parser(*, huge_tree: bool = False) -> etree.XMLParser:
    """Return an lxml parser with entities, DTDs and network access off."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge_tree,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, source: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse ``data`` as XML safely and return the root element.

    Raises
    ------
    FormatError
        Empty input, a DOCTYPE (refused), or malformed XML; the message
        names the line and what the parser found wrong.
    InputTooLargeError
        ``data`` is larger than ``max_bytes``.
    """
    check_size(data, max_bytes=max_bytes, source=source)
    if not data.strip():
        raise FormatError("the file is empty", code="empty_file", source=source)
    scanned = _as_ascii_compatible(data)
    doctype = _DOCTYPE.search(scanned)
    if doctype is not None:
        line = scanned[: doctype.start()].count(b"\n") + 1
        raise FormatError(
            "the file declares a DOCTYPE; DTDs and entities are refused for safety",
            code="doctype",
            source=source,
            line=line,
            hint="remove the <!DOCTYPE ...> declaration",
        )
    try:
        root = etree.fromstring(data, parser=make_parser())
    except etree.XMLSyntaxError as exc:
        lineno: int | None = exc.lineno or None
        msg = getattr(exc, "msg", None) or str(exc)
        raise FormatError(
            f"the file is not well-formed XML: {msg}",
            code="xml_syntax",
            params={"detail": msg},
            source=source,
            line=lineno,
        ) from None
    if root is None:
        raise FormatError("the file has no XML root element", code="xml_no_root", source=source)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # Belt and braces: an encoding the byte scan did not catch still has no DTD pass.
        raise FormatError(
            "the file declares a DOCTYPE; DTDs and entities are refused for safety",
            code="doctype",
            source=source,
            hint="remove the <!DOCTYPE ...> declaration",
        )
    return root


def local_name(tag: object) -> str:
    """Return the tag name without its namespace (``{ns}task`` -> ``task``)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
