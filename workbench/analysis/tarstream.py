"""A lean, forward-only reader of tar headers, for the members of layer tars.

:mod:`tarfile` builds a full :class:`tarfile.TarInfo` per member (every field decoded,
the checksum summed, PAX headers matched with regular expressions): about 19 µs a
member here, 0.8 s for the 42,000 members of the sample baseline's largest layer.
This reader decodes only what the analysis needs (name, type, size, link target) in
about 3 µs a member, and still follows ustar prefixes, PAX extended headers (local
and global: ``path``, ``linkpath``, ``size``), GNU long names and links, and base-256
numbers.  The outer archive of an export (a handful of members) is still read with
:mod:`tarfile`.

Headers without the ustar magic are checked against their checksum; a bad one, or a
stream that ends inside a member, raises :class:`TarFormatError`.
"""

from __future__ import annotations

from typing import Any

from workbench.errors import TarFormatError

BLOCK = 512
ZERO_BLOCK = bytes(BLOCK)
USTAR_MAGIC = b"ustar\x0000"

AREGTYPE = 0  # b"\0"
REGTYPE = ord("0")
LNKTYPE = ord("1")
SYMTYPE = ord("2")
DIRTYPE = ord("5")
CONTTYPE = ord("7")
PAX_LOCAL = ord("x")
PAX_GLOBAL = ord("g")
GNU_LONGNAME = ord("L")
GNU_LONGLINK = ord("K")
REGULAR_TYPES = frozenset((AREGTYPE, REGTYPE, CONTTYPE))
HEADER_ONLY_TYPES = frozenset((LNKTYPE, SYMTYPE, ord("3"), ord("4"), DIRTYPE, ord("6")))
"""Types whose size field never announces data (as Go's archive/tar reads them)."""

Member = tuple[str, int, int, str]
"""``(name, typeflag, size, linkname)``; ``typeflag`` is the header's type byte."""


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _field(raw: bytes) -> bytes:
    end = raw.find(b"\0")
    return raw if end < 0 else raw[:end]


def _number(raw: bytes) -> int:
    if raw[0] & 0x80:  # base-256 (GNU), for values octal cannot hold
        value = int.from_bytes(raw[1:], "big")
        return value - (1 << (8 * len(raw) - 8)) if raw[0] == 0xFF else value
    digits = _field(raw).strip()
    try:
        return int(digits, 8) if digits else 0
    except ValueError:
        raise TarFormatError(f"bad number in a tar header: {raw!r}") from None


def _checksum_ok(header: bytes) -> bool:
    stored = _number(header[148:156])
    unsigned = sum(header[:148]) + 256 + sum(header[156:])
    return stored == unsigned


def _pax_records(body: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos, end = 0, len(body)
    while pos < end:
        space = body.find(b" ", pos)
        if space < 0:
            break
        try:
            length = int(body[pos:space])
        except ValueError:
            raise TarFormatError("bad PAX header record") from None
        if length <= 0:
            break
        key, _, value = body[space + 1 : pos + length - 1].partition(b"=")
        records[key.decode("utf-8", "replace")] = _text(value)
        pos += length
    return records


class TarReader:
    """Iterate over the members of a tar stream, forward only.

    Args:
        stream: a :class:`~workbench.analysis.streams.ForwardStream` (exact ``read``,
            ``skip``).
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._pending = 0  # bytes of the current member (with padding) not read yet
        self._data = 0  # bytes of the current member's data not read yet
        self._globals: dict[str, str] = {}

    def _block(self, size: int) -> bytes:
        padded = (size + BLOCK - 1) & ~(BLOCK - 1)
        data = self._stream.read(padded)
        if len(data) < padded:
            raise TarFormatError("the tar ends inside a member")
        return data[:size]

    def next(self) -> Member | None:
        """Return the next member, or ``None`` at the end of the archive."""
        stream = self._stream
        if self._pending:
            if stream.skip(self._pending) < self._pending:
                raise TarFormatError("the tar ends inside a member")
            self._pending = self._data = 0
        name = link = None
        pax: dict[str, str] | None = None
        while True:
            header = stream.read(BLOCK)
            if len(header) < BLOCK:
                if header or name is not None or pax is not None:
                    raise TarFormatError("the tar ends inside a header")
                return None
            if header == ZERO_BLOCK:
                return None
            ustar = header[257:265] == USTAR_MAGIC
            if not ustar and header[257:262] != b"ustar" and not _checksum_ok(header):
                raise TarFormatError("a tar header has a bad checksum")
            typeflag = header[156]
            size = _number(header[124:136])
            if typeflag in (PAX_LOCAL, PAX_GLOBAL):
                records = _pax_records(self._block(size))
                if typeflag == PAX_GLOBAL:
                    self._globals.update(records)
                else:
                    pax = records
                continue
            if typeflag == GNU_LONGNAME:
                name = _text(_field(self._block(size)))
                continue
            if typeflag == GNU_LONGLINK:
                link = _text(_field(self._block(size)))
                continue
            break
        if name is None:
            raw = _field(header[:100])
            if ustar and header[345]:
                raw = _field(header[345:500]) + b"/" + raw
            name = raw.decode("ascii") if raw.isascii() else _text(raw)
        if link is None:
            raw = _field(header[157:257])
            link = raw.decode("ascii") if raw.isascii() else _text(raw)
        if pax is not None or self._globals:
            values = {**self._globals, **(pax or {})}
            name = values.get("path", name)
            link = values.get("linkpath", link)
            if "size" in values:
                size = int(values["size"])
        data = 0 if typeflag in HEADER_ONLY_TYPES else size
        if typeflag == AREGTYPE and name.endswith("/"):
            typeflag = DIRTYPE
        if typeflag == DIRTYPE:
            name = name.rstrip("/")
        self._data = data
        self._pending = (data + BLOCK - 1) & ~(BLOCK - 1)
        return name, typeflag, size if typeflag in REGULAR_TYPES else 0, link

    def read_data(self, limit: int) -> bytes:
        """Read up to ``limit`` bytes of the current member's data."""
        want = min(limit, self._data)
        data = self._stream.read(want)
        if len(data) < want:
            raise TarFormatError("the tar ends inside a member")
        self._data -= len(data)
        self._pending -= len(data)
        return data
