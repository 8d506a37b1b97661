from __future__ import annotations

import io
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analysis.streams import ForwardStream
from workbench.analysis.tarstream import REGULAR_TYPES, TarReader
from workbench.errors import TarFormatError

FORMATS = {"gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT, "ustar": tarfile.USTAR_FORMAT}
SEGMENT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\0"),
    min_size=1,
    max_size=40,
)
NAMES = st.lists(SEGMENT, min_size=1, max_size=6).map("/".join)
KINDS = st.sampled_from(
    [tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.FIFOTYPE]
)


def build(members, tar_format) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tar_format) as tar:
        for name, kind, size, link in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = link
            if kind == tarfile.REGTYPE:
                info.size = size
                tar.addfile(info, io.BytesIO(b"d" * size))
            else:
                tar.addfile(info)
    return out.getvalue()


def with_tarfile(data: bytes) -> list[tuple[str, int, int, str]]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return [
            (m.name, m.type[0], m.size if m.type in tarfile.REGULAR_TYPES else 0, m.linkname)
            for m in tar
        ]


def with_reader(data: bytes) -> list[tuple[str, int, int, str]]:
    reader = TarReader(ForwardStream(io.BytesIO(data)))
    members = []
    while (member := reader.next()) is not None:
        members.append(member)
    return members


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(NAMES, KINDS, st.integers(0, 3000), NAMES), max_size=6),
    st.sampled_from(sorted(FORMATS)),
)
def test_the_reader_agrees_with_tarfile(members, tar_format):
    try:
        data = build(members, FORMATS[tar_format])
    except ValueError:
        return  # a name the format cannot hold (ustar): nothing to compare
    assert with_reader(data) == with_tarfile(data)


def test_large_sizes_and_base_256_numbers():
    info = tarfile.TarInfo("big")
    info.size = 0
    info.uid = 1 << 40  # needs base-256 in GNU format
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        tar.addfile(info, io.BytesIO(b""))
    assert with_reader(out.getvalue()) == [("big", ord("0"), 0, "")]


def test_a_global_pax_header_applies_to_later_members():
    out = io.BytesIO()
    with tarfile.open(
        fileobj=out, mode="w", format=tarfile.PAX_FORMAT, pax_headers={"comment": "x"}
    ) as tar:
        tar.addfile(tarfile.TarInfo("a"))
    assert with_reader(out.getvalue()) == [("a", ord("0"), 0, "")]


def test_partial_data_reads_then_the_next_member():
    data = build([("a", tarfile.REGTYPE, 1000, ""), ("b", tarfile.REGTYPE, 5, "")], 0)
    reader = TarReader(ForwardStream(io.BytesIO(data)))
    assert reader.next() == ("a", ord("0"), 1000, "")
    assert reader.read_data(10) == b"d" * 10
    assert reader.next() == ("b", ord("0"), 5, "")
    assert reader.read_data(100) == b"d" * 5
    assert reader.next() is None
    assert ord("0") in REGULAR_TYPES


def test_a_truncated_tar_is_an_error():
    data = build([("a", tarfile.REGTYPE, 1000, "")], tarfile.PAX_FORMAT)
    reader = TarReader(ForwardStream(io.BytesIO(data[:700])))
    reader.next()
    with pytest.raises(TarFormatError, match="inside a member"):
        reader.read_data(1000)
    reader = TarReader(ForwardStream(io.BytesIO(data[:700])))
    reader.next()
    with pytest.raises(TarFormatError, match="inside a member"):
        reader.next()
    with pytest.raises(TarFormatError, match="inside a header"):
        TarReader(ForwardStream(io.BytesIO(data[:300]))).next()


def test_garbage_is_an_error():
    with pytest.raises(TarFormatError):
        TarReader(ForwardStream(io.BytesIO(b"x" * 1024))).next()


def test_the_end_of_the_stream_ends_the_archive():
    assert with_reader(b"") == []
    assert with_reader(bytes(1024)) == []
