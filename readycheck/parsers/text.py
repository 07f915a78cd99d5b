"""Turning bytes into text, honouring Python encoding cookies and refusing binary junk."""

from __future__ import annotations

import codecs
import io
import tokenize

from readycheck.parsers import ParseError

_BINARY_SNIFF = 8192

#: Byte-order marks of the wide encodings, longest first (UTF-32's little-endian mark
#: begins with UTF-16's): Windows PowerShell writes `pip freeze > requirements.txt` as
#: UTF-16 with a mark, and pip reads it.
_WIDE_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _wide_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding and mark length of text that starts with a UTF-16 or UTF-32 mark."""
    for mark, encoding in _WIDE_MARKS:
        if data.startswith(mark):
            return encoding, len(mark)
    return None


def looks_binary(data: bytes) -> bool:
    """A NUL byte near the start is git's own test for a binary file; text in a wide
    encoding that says so with its byte-order mark is text."""
    return b"\x00" in data[:_BINARY_SNIFF] and _wide_encoding(data) is None


def decode_text(data: bytes) -> str:
    """Decode a text file as UTF-8 (with or without BOM), or as UTF-16 or UTF-32 when
    it starts with their byte-order mark, replacing bad bytes.

    Replacing rather than failing keeps a file with one stray Latin-1 byte
    scannable; only files that look binary are refused.
    """
    if looks_binary(data):
        raise ParseError("looks like a binary file, not text")
    wide = _wide_encoding(data)
    if wide is not None:
        encoding, mark = wide
        return data[mark:].decode(encoding, errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data.decode("utf-8", errors="replace")


def decode_python(data: bytes) -> str:
    """Decode Python source the way the interpreter would (PEP 263 coding cookie)."""
    if looks_binary(data):
        raise ParseError("looks like a binary file, not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        codecs.lookup(encoding)
    except (SyntaxError, LookupError) as error:
        if "invalid or missing" in str(error):  # tokenize's words for undecodable first lines
            raise ParseError(
                "not valid UTF-8, and no encoding declaration says otherwise"
            ) from None
        raise ParseError(f"invalid encoding declaration: {error}") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ParseError(f"not valid {encoding} text at byte {error.start}") from None
    except LookupError:  # rot13, base64, zlib: codecs Python knows, but not text encodings
        raise ParseError(
            f"invalid encoding declaration: {encoding!r} is not a text encoding"
        ) from None
