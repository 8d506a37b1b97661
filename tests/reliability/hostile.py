"""Hostile image exports, built in memory: absurd layer members and mutated bytes.

Shared by ``bench/fuzz_reader.py`` (a timed fuzzing run) and the reliability tests.
Every archive starts valid (the synthetic exports of
``tests/unit/analysis/analysis_archives.py``) and is then made hostile: members with
``../`` or absolute names, NUL bytes, very long names, very deep trees, links to
missing targets, hardlink loops, whiteouts of nothing, huge declared sizes, many tiny
files; or its bytes flipped or truncated.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Hardlink,
    Member,
    Symlink,
    Whiteout,
    docker_archive,
    layer_tar,
    oci_archive,
)

BLOCK = 512


@dataclass(frozen=True)
class Case:
    """One hostile input: what was done to it, and its bytes."""

    name: str
    data: bytes


def _base_members(rng: random.Random) -> list[Member]:
    members: list[Member] = [Dir("usr"), Dir("usr/lib"), Dir("app")]
    for i in range(rng.randint(1, 6)):
        members.append(File(f"usr/lib/f{i}.so", rng.randbytes(rng.randint(0, 300))))
    members.append(File("app/main.py", b"print('hi')\n"))
    members.append(Symlink("usr/lib/link", "f0.so"))
    return members


def raw_member(name: str, *, size: int = 0, typeflag: bytes = b"0", link: str = "") -> bytes:
    """One hand-made ustar header (no data), with fields tarfile would refuse to write.

    Args:
        name: the member name (truncated to 100 bytes, may hold NUL bytes).
        size: the declared size, written base-256 when it does not fit in octal.
        typeflag: the type byte.
        link: the link name.

    Returns:
        The 512-byte header.
    """
    header = bytearray(BLOCK)
    raw = name.encode("utf-8", "surrogateescape")[:100]
    header[0 : len(raw)] = raw
    header[100:108] = b"0000644\0"
    header[108:116] = b"0000000\0"
    header[116:124] = b"0000000\0"
    if size < 8**11:
        header[124:136] = f"{size:011o}\0".encode()
    else:
        header[124:136] = b"\x80" + size.to_bytes(11, "big")
    header[136:148] = b"00000000000\0"
    header[156:157] = typeflag
    link_raw = link.encode()[:100]
    header[157 : 157 + len(link_raw)] = link_raw
    header[257:263] = b"ustar\0"
    header[263:265] = b"00"
    header[148:156] = b" " * 8
    checksum = sum(header)
    header[148:156] = f"{checksum:06o}\0 ".encode()
    return bytes(header)


def _pax_layer(names: list[tuple[str, bytes]]) -> bytes:
    """A layer whose member names go through PAX records (any length, any bytes)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in names:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


# -- hostile layers -------------------------------------------------------------


def dotdot_layer(rng: random.Random) -> bytes:
    return layer_tar(
        [
            *_base_members(rng),
            File("../../../etc/evil", b"x" * 10),
            File("/abs/olute", b"y"),
            File("a/../../b", b"z"),
            Symlink("usr/escape", "../../../../etc/shadow"),
            Hardlink("usr/hl", "../../etc/passwd"),
        ]
    )


def nul_layer(rng: random.Random) -> bytes:
    head = raw_member("usr/nul\0hidden", size=0) + raw_member("\0\0\0", size=0)
    pax = _pax_layer([("bin/a\0b", b"abc"), ("x", b"")])
    return head + pax


def long_names_layer(rng: random.Random) -> bytes:
    long = "n" * rng.choice([255, 4096, 65_536])
    return _pax_layer([(long, b"1"), ("d/" + long + "/f", b"22")])


def deep_layer(rng: random.Random) -> bytes:
    depth = rng.choice([500, 2000, 5000])
    deep = "/".join(["d"] * depth)
    return layer_tar([File(deep + "/leaf", b"x"), Dir(deep), Whiteout(deep + "/gone")])


def missing_links_layer(rng: random.Random) -> bytes:
    return layer_tar(
        [
            Symlink("a", "does/not/exist"),
            Hardlink("b", "no/such/file"),
            Symlink("loop1", "loop2"),
            Symlink("loop2", "loop1"),
        ]
    )


def hardlink_loop_layer(rng: random.Random) -> bytes:
    return layer_tar(
        [
            Hardlink("h1", "h2"),
            Hardlink("h2", "h1"),
            Hardlink("h3", "h3"),
            File("f", b"data"),
            Hardlink("g", "f"),
            Hardlink("f", "g"),
        ]
    )


def whiteout_layer(rng: random.Random) -> bytes:
    return layer_tar(
        [Whiteout("nothing/here"), Whiteout("x"), Whiteout(""), Whiteout("../up")]
        + [File(".wh..wh..opq", b""), File("dir/.wh..wh.plnk", b"")]
    )


def huge_size_layer(rng: random.Random) -> bytes:
    size = rng.choice([2**33, 2**62, 8**11 - 1, 2**40])
    return raw_member("huge.bin", size=size) + b"tail" * rng.randint(0, 200)


def pax_size_layer(rng: random.Random) -> bytes:
    value = rng.choice(["-1", "99999999999999999999", "abc", "1e9", "", " 12"])
    body = f"size={value}\n"
    record = f"{len(body) + len(str(len(body))) + 1} {body}".encode()
    header = raw_member("pax", size=len(record), typeflag=b"x")
    padded = record + b"\0" * (-len(record) % BLOCK)
    return header + padded + raw_member("f", size=0) + b"\0" * 1024


def tiny_files_layer(rng: random.Random, count: int | None = None) -> bytes:
    count = count or rng.choice([1_000, 10_000, 50_000])
    out = io.BytesIO()
    for i in range(count):
        out.write(raw_member(f"t/{i % 97}/{i}", size=0))
    out.write(b"\0" * 1024)
    return out.getvalue()


LAYER_MAKERS: dict[str, Callable[[random.Random], bytes]] = {
    "dotdot": dotdot_layer,
    "nul": nul_layer,
    "long-names": long_names_layer,
    "deep": deep_layer,
    "missing-links": missing_links_layer,
    "hardlink-loop": hardlink_loop_layer,
    "whiteout-nothing": whiteout_layer,
    "huge-size": huge_size_layer,
    "pax-size": pax_size_layer,
    "tiny-files": tiny_files_layer,
}


# -- byte mutations ----------------------------------------------------------------


def bit_flips(data: bytes, rng: random.Random, count: int | None = None) -> bytes:
    mutated = bytearray(data)
    for _ in range(count or rng.randint(1, 20)):
        position = rng.randrange(len(mutated))
        mutated[position] ^= 1 << rng.randrange(8)
    return bytes(mutated)


def truncated(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def byte_splice(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + rng.randbytes(rng.randint(1, 64)) + data[start + rng.randint(0, 64) :]


BYTE_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "bit-flips": bit_flips,
    "truncated": truncated,
    "splice": byte_splice,
}


def wrap(layers: list[bytes], rng: random.Random) -> tuple[str, bytes]:
    """Put layers in a docker-archive or an OCI export (plain, gzip or zstd layers)."""
    if rng.random() < 0.5:
        return "docker", docker_archive(layers, manifest_last=rng.random() < 0.5)
    media = rng.choice(["tar", "gzip", "zstd"])
    return f"oci-{media}", oci_archive(layers, media=media, index_last=rng.random() < 0.5)


def make_case(rng: random.Random) -> Case:
    """One random hostile case: hostile layers, then maybe mutated bytes."""
    layers = [layer_tar(_base_members(rng))]
    names = []
    for _ in range(rng.randint(0, 2)):
        name, maker = rng.choice(list(LAYER_MAKERS.items()))
        names.append(name)
        layers.append(maker(rng))
    layout, data = wrap(layers, rng)
    names.append(layout)
    roll = rng.random()
    if roll < 0.5:
        name, mutate = rng.choice(list(BYTE_MUTATIONS.items()))
        data = mutate(data, rng)
        names.append(name)
    elif roll < 0.6:
        return odd_metadata_case(rng)
    elif roll < 0.7:
        name, mutate = rng.choice(list(BYTE_MUTATIONS.items()))
        index = rng.randrange(len(layers))
        layers[index] = mutate(layers[index], rng)
        _, data = wrap(layers, rng)
        names.append(f"layer-{name}")
    return Case("+".join(names), data)


# -- odd metadata ------------------------------------------------------------------

ODD_MANIFESTS: tuple[object, ...] = (
    [{}],
    [1],
    {"Config": "x"},
    [{"Config": 5, "Layers": "abc"}],
    [{"Config": "cfg.json", "Layers": [None, 3]}],
    [{"Config": "cfg.json", "Layers": ["l/layer.tar"], "RepoTags": "notalist"}],
    [{"Config": "../../cfg.json", "Layers": ["/l/layer.tar"]}],
    "text",
    None,
)
ODD_CONFIGS: tuple[object, ...] = (
    [],
    "x",
    {"rootfs": None, "history": "abc", "config": []},
    {"config": {"Labels": ["a"], "WorkingDir": 7}, "history": [1, None, "s"]},
    {"rootfs": {"diff_ids": "nope"}, "history": [{"created_by": 3}]},
)


def tar(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def odd_metadata_case(rng: random.Random) -> Case:
    """A docker-archive whose manifest or config has the wrong shape."""
    layer = layer_tar(_base_members(rng))
    manifest: object = [{"Config": "cfg.json", "Layers": ["l/layer.tar"], "RepoTags": ["a:b"]}]
    config: object = {"rootfs": {"diff_ids": ["sha256:0"]}, "history": [{}]}
    if rng.random() < 0.5:
        manifest = rng.choice(ODD_MANIFESTS)
        which = "manifest"
    else:
        config = rng.choice(ODD_CONFIGS)
        which = "config"
    files = [
        ("l/layer.tar", layer),
        ("cfg.json", json.dumps(config).encode()),
        ("manifest.json", json.dumps(manifest).encode()),
    ]
    return Case(f"odd-{which}", tar(files))


# -- streamed: many tiny files -------------------------------------------------------


def _header(name: str, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def tiny_files_chunks(count: int, batch: int = 2_000) -> Iterator[bytes]:
    """A docker-archive of one layer holding ``count`` empty files, generated lazily.

    Nothing of size proportional to ``count`` is held in memory by the generator, so a
    reader's memory use can be measured on its own.
    """
    layer_size = count * BLOCK + 2 * BLOCK

    def layer_chunks() -> Iterator[bytes]:
        for start in range(0, count, batch):
            stop = min(count, start + batch)
            yield b"".join(raw_member(f"t/{i % 251}/{i}", size=0) for i in range(start, stop))
        yield b"\0" * (2 * BLOCK)

    yield _header("l/layer.tar", layer_size)
    yield from layer_chunks()
    yield b"\0" * (-layer_size % BLOCK)
    config = json.dumps(
        {"rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]}, "history": [{}]}
    ).encode()
    manifest = json.dumps([{"Config": "cfg.json", "Layers": ["l/layer.tar"]}]).encode()
    yield tar([("cfg.json", config), ("manifest.json", manifest)])


# -- a decompression bomb ------------------------------------------------------------


def gzip_bomb_archive(size: int, chunk: int = 1 << 20) -> bytes:
    """An OCI export of one gzip layer holding one file of ``size`` zero bytes.

    The layer is compressed as it is generated, so neither it nor the file is ever
    held whole: the export is about a thousandth of ``size``.
    """
    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", compresslevel=6, mtime=0) as layer:
        layer.write(_header("zeros.bin", size))
        zeros = bytes(chunk)
        for start in range(0, size, chunk):
            layer.write(zeros[: min(chunk, size - start)])
        layer.write(bytes(-size % BLOCK + 2 * BLOCK))
    blob = compressed.getvalue()

    def digest(data: bytes) -> str:
        return "sha256:" + hashlib.sha256(data).hexdigest()

    config = json.dumps({"rootfs": {"type": "layers", "diff_ids": [digest(b"")]}}).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "config": {"digest": digest(config), "size": len(config)},
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": digest(blob),
                    "size": len(blob),
                }
            ],
        }
    ).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [{"digest": digest(manifest)}]})
    files = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')]
    for data in (config, blob, manifest):
        files.append((f"blobs/sha256/{digest(data)[7:]}", data))
    return tar([*files, ("index.json", index.encode())])
