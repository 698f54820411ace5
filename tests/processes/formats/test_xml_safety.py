"""The shared safe XML parser refuses DTDs in every encoding."""

from __future__ import annotations

import pytest

from processes.exceptions import FormatError, InputTooLargeError
from processes.formats._xml import parse_xml

LAUGHS = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    "<definitions>&lol2;</definitions>"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<definitions>&x;</definitions>'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
@pytest.mark.parametrize("text", [LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_doctype_is_refused_in_every_encoding(text: str, encoding: str) -> None:
    data = text.replace('version="1.0"', f'version="1.0" encoding="{encoding.split("-l")[0].split("-b")[0]}"')
    with pytest.raises(FormatError, match="DOCTYPE"):
        parse_xml(data.encode(encoding), source="evil.bpmn")


def test_plain_xml_parses() -> None:
    assert parse_xml(b"<a><b/></a>").tag == "a"


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(FormatError) as info:
        parse_xml(b"<a>\n<b>\n</a>", source="x.xml")
    assert info.value.line is not None and "x.xml" in str(info.value)


def test_size_limit() -> None:
    with pytest.raises(InputTooLargeError, match="limit"):
        parse_xml(b"<a/>" * 100, max_bytes=10)
