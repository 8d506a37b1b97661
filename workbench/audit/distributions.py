"""The Python distributions a built image holds: module names, console scripts, bytes.

The audit needs, per distribution in the image, what deptry would read from an
installed environment: the top-level modules it provides (``top_level.txt`` and
``RECORD``) and the console scripts it installs (``entry_points.txt``), so nothing has
to be installed locally.  Sizes come from the same measure as the image analysis
(:func:`workbench.analysis.packages.python_packages`: the files RECORD lists, each
inode once) plus the bytecode an installer compiled next to them (``__pycache__``
files RECORD does not list, e.g. with ``UV_COMPILE_BYTECODE=1``) and the copies an
installer's cache keeps in the image (uv's ``archive-v0`` holds each wheel unpacked when
``uv sync`` runs without ``--no-cache``), since removing a distribution removes those too.

Each distribution's ``METADATA`` gives its name, version and ``Requires-Dist`` lines,
from which :mod:`~workbench.audit.requires` builds the dependency graph when the project
has no uv.lock.

One streaming pass over the image export reads it all (the analysis's reader with a
capture rule that adds ``METADATA`` in full, ``top_level.txt``, ``entry_points.txt`` and
the scripts the image's command runs to what the analysis keeps); nothing is written to
disk.
"""

from __future__ import annotations

import configparser
import csv
import email.parser
import io
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from workbench.analysis.merge import merge_layers
from workbench.analysis.packages import SITE_DIRS, FinalView, capture_limit, python_packages
from workbench.analysis.reader import read_archive
from workbench.analysis.streams import ChunkReader
from workbench.errors import AnalysisError, AuditError
from workbench.project.manifests import normalize

NO_IMAGE_HINT = "build it (`workbench build`) or audit without --image"
SMALL_LIMIT = 1024 * 1024
SCRIPT_LIMIT = 256 * 1024
METADATA_LIMIT = 512 * 1024  # the headers, Requires-Dist among them, come first
FACTS_FORMAT = 2  # 2: distributions carry their Requires-Dist
PREFETCH_BYTES = 64 * 1024 * 1024
PROGRAMS = frozenset(
    {"sh", "bash", "dash", "ash", "zsh", "env", "tini", "dumb-init", "node", "exec", "nohup"}
)
_EXTENSION = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\.(?:[A-Za-z0-9_-]+\.)?(?:so|pyd)$")


@dataclass(frozen=True)
class Distribution:
    """A Python distribution installed in an image.

    Attributes:
        name: its name as METADATA spells it.
        version: its version.
        location: the ``site-packages`` folder holding its ``.dist-info``.
        bytes: the image bytes of the files its RECORD lists (the analysis's figure).
        bytecode_bytes: the bytes of compiled ``.pyc`` files beside those files that
            RECORD does not list.
        copies_bytes: the bytes of other copies of it outside any site folder that go
            with it (an installer's cache: uv's ``archive-v0`` unpacked wheels).
        modules: the top-level modules it provides.
        console_scripts: the commands it installs (``[console_scripts]``, ``[gui_scripts]``).
        requires: its METADATA's ``Requires-Dist`` lines, as written (markers included).
    """

    name: str
    version: str
    location: str
    bytes: int
    bytecode_bytes: int = 0
    copies_bytes: int = 0
    modules: tuple[str, ...] = ()
    console_scripts: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The normalized name."""
        return normalize(self.name)

    @property
    def total_bytes(self) -> int:
        """What removing it frees: its files, their bytecode and its cached copies."""
        return self.bytes + self.bytecode_bytes + self.copies_bytes


@dataclass(frozen=True)
class ImageFacts:
    """What the audit reads from a built image.

    Attributes:
        image_id: the image's id.
        tags: its references.
        command: the ``Entrypoint`` followed by the ``Cmd``, as the engine runs them.
        workdir: its working directory.
        python_version: ``"3.11"`` from the site-packages path, "" when unknown.
        distributions: the distributions installed, largest first.
        scripts: contents of the files the command runs (path -> text), when read.
    """

    image_id: str
    tags: tuple[str, ...]
    command: tuple[str, ...]
    workdir: str
    python_version: str
    distributions: tuple[Distribution, ...]
    scripts: Mapping[str, str] = field(default_factory=dict)

    def sizes(self) -> dict[str, int]:
        """Per normalized name, what removing the distribution frees (largest copy)."""
        out: dict[str, int] = {}
        for dist in self.distributions:
            out[dist.key] = max(out.get(dist.key, 0), dist.total_bytes)
        return out

    def copies(self) -> dict[str, int]:
        """Per normalized name, the part of :meth:`sizes` that is cached copies."""
        return {key: dist.copies_bytes for key, dist in self.by_name().items()}

    def by_name(self) -> dict[str, Distribution]:
        """The distributions by normalized name (the largest copy when several)."""
        out: dict[str, Distribution] = {}
        for dist in self.distributions:
            if dist.key not in out or dist.total_bytes > out[dist.key].total_bytes:
                out[dist.key] = dist
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "format": FACTS_FORMAT,
            "image_id": self.image_id,
            "tags": list(self.tags),
            "command": list(self.command),
            "workdir": self.workdir,
            "python_version": self.python_version,
            "distributions": [
                {
                    "name": d.name,
                    "version": d.version,
                    "location": d.location,
                    "bytes": d.bytes,
                    "bytecode_bytes": d.bytecode_bytes,
                    "copies_bytes": d.copies_bytes,
                    "modules": list(d.modules),
                    "console_scripts": list(d.console_scripts),
                    "requires": list(d.requires),
                }
                for d in self.distributions
            ],
            "scripts": dict(self.scripts),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImageFacts:
        """Read back what :meth:`to_dict` wrote."""
        return cls(
            image_id=data["image_id"],
            tags=tuple(data.get("tags") or ()),
            command=tuple(data.get("command") or ()),
            workdir=data.get("workdir", ""),
            python_version=data.get("python_version", ""),
            distributions=tuple(
                Distribution(
                    name=d["name"],
                    version=d.get("version", ""),
                    location=d.get("location", ""),
                    bytes=int(d.get("bytes", 0)),
                    bytecode_bytes=int(d.get("bytecode_bytes", 0)),
                    copies_bytes=int(d.get("copies_bytes", 0)),
                    modules=tuple(d.get("modules") or ()),
                    console_scripts=tuple(d.get("console_scripts") or ()),
                    requires=tuple(d.get("requires") or ()),
                )
                for d in data.get("distributions") or ()
            ),
            scripts=dict(data.get("scripts") or {}),
        )


def command_of(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The argv the engine runs: ``Entrypoint`` then ``Cmd`` (an image config's ``config``)."""
    entrypoint = config.get("Entrypoint") or []
    cmd = config.get("Cmd") or []
    return tuple(str(word) for word in [*entrypoint, *cmd])


def script_paths(command: Sequence[str], workdir: str) -> tuple[str, ...]:
    """Paths (relative to ``/``) of files the command may run: words that look like paths.

    ``./start.sh``, ``/app/run.sh``, ``scripts/serve`` (relative to the workdir); the
    words of a ``sh -c "..."`` string too.
    """
    words: list[str] = []
    for word in command:
        words.extend(word.split() if " " in word else [word])
    paths = []
    for word in words:
        if not is_script_word(word):
            continue
        base = workdir or "/"
        paths.append(posixpath.normpath(posixpath.join("/", base, word)).lstrip("/"))
    return tuple(dict.fromkeys(paths))


def is_script_word(word: str) -> bool:
    """Whether a command word may name a script to read: a path or ``*.sh``, not an
    option, an assignment, a URL or a file of another kind (``app.py``, ``conf.toml``)."""
    if "/" not in word and not word.endswith(".sh"):
        return False
    if word.startswith("-") or "=" in word or "://" in word or ":" in word:
        return False
    base = posixpath.basename(word)
    if base in PROGRAMS or re.fullmatch(r"python[\d.]*", base):
        return False  # an interpreter or init, not the image's own script
    return posixpath.splitext(base)[1] in ("", ".sh", ".bash")


def capture_rule(scripts: Iterable[str] = ()) -> Any:
    """What the pass keeps: the analysis's files, ``METADATA`` up to
    :data:`METADATA_LIMIT`, ``top_level.txt``, ``entry_points.txt`` and the given scripts
    (paths relative to ``/``)."""
    wanted = frozenset(scripts)

    def rule(path: str) -> int:
        if path.endswith(".dist-info/METADATA"):
            return METADATA_LIMIT
        limit = capture_limit(path)
        if limit:
            return limit
        if path.endswith((".dist-info/top_level.txt", ".dist-info/entry_points.txt")):
            return SMALL_LIMIT
        if path in wanted:
            return SCRIPT_LIMIT
        return 0

    return rule


def modules_from_record(record: str) -> set[str]:
    """Top-level modules from a RECORD: first folders and ``.py``/extension files at the top.

    Folders of metadata (``*.dist-info``, ``*.data``), ``__pycache__`` and paths that
    leave the site folder (``../../bin/x``) are not modules.
    """
    names: set[str] = set()
    for row in csv.reader(io.StringIO(record)):
        if not row or not row[0]:
            continue
        path = row[0].replace("\\", "/")
        if path.startswith(("../", "/")):
            continue
        head, sep, _ = path.partition("/")
        if sep:
            if head.endswith((".dist-info", ".data", ".egg-info")) or head == "__pycache__":
                continue
            if head.isidentifier():
                names.add(head)
            continue
        if path.endswith(".py") and path[:-3].isidentifier():
            names.add(path[:-3])
            continue
        match = _EXTENSION.match(path)
        if match:
            names.add(match.group(1))
    return names


def modules_from_top_level(text: str) -> set[str]:
    """Top-level modules named by a ``top_level.txt`` (``a/b`` counts as ``a``)."""
    names = set()
    for line in text.splitlines():
        head = line.strip().replace("\\", "/").split("/")[0]
        if head and head.isidentifier():
            names.add(head)
    return names


def console_scripts(text: str) -> tuple[str, ...]:
    """The commands an ``entry_points.txt`` installs."""
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error:
        return ()
    found: list[str] = []
    for section in ("console_scripts", "gui_scripts"):
        if parser.has_section(section):
            found.extend(name.strip() for name in parser.options(section))
    return tuple(dict.fromkeys(found))


def _bytecode_index(view: FinalView) -> dict[tuple[str, str], list[int]]:
    """Visible ``.pyc`` files in ``__pycache__`` folders: (source folder, stem) -> groups."""
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for path, group in view.merged.final.items():
        if not path.endswith(".pyc") or "/__pycache__/" not in path:
            continue
        cache_dir, _, name = path.rpartition("/")
        folder = cache_dir[: -len("/__pycache__")]
        index[(folder, name.split(".", 1)[0])].append(group)
    return index


def _listed_groups(view: FinalView, root: str, record: str) -> set[int]:
    """The visible groups of the files a RECORD lists (paths relative to ``root``)."""
    found = set()
    for row in csv.reader(io.StringIO(record)):
        if row and row[0]:
            full = posixpath.normpath(posixpath.join("/", root, row[0])).lstrip("/")
            group = view.merged.final.get(full)
            if group is None:
                group = view.merged.final.get(view.resolve(full))
            if group is not None:
                found.add(group)
    return found


def _cached_copies(view: FinalView) -> dict[str, int]:
    """Per normalized name, the bytes of copies outside site folders (installer caches)."""
    copies: dict[str, int] = defaultdict(int)
    groups = view.merged.groups
    for path in view.merged.final:
        if not path.endswith(".dist-info/RECORD"):
            continue
        dist_info = posixpath.dirname(path)
        root = posixpath.dirname(dist_info)
        if posixpath.basename(root) in SITE_DIRS:
            continue
        record = view.content(path)
        if record is None:
            continue
        stem = posixpath.basename(dist_info)[: -len(".dist-info")]
        name = stem.partition("-")[0]
        listed = _listed_groups(view, root, record.decode("utf-8", "replace"))
        copies[normalize(name)] += sum(groups[g].bytes for g in listed)
    return copies


def distributions(view: FinalView) -> list[Distribution]:
    """Every distribution the image shows in a site folder, with modules and scripts."""
    index = _bytecode_index(view)
    sized = {(normalize(p.name), p.location): p for p in python_packages(view)}
    copies = _cached_copies(view)
    found = []
    for path in view.merged.final:
        if not path.endswith(".dist-info/RECORD"):
            continue
        dist_info = posixpath.dirname(path)
        site = posixpath.dirname(dist_info)
        if posixpath.basename(site) not in SITE_DIRS:
            continue
        record = view.content(path)
        if record is None:
            continue
        found.append(
            _distribution(view, dist_info, record.decode("utf-8", "replace"), index, sized)
        )
    return _with_copies(found, copies)


def _distribution(
    view: FinalView,
    dist_info: str,
    record: str,
    index: Mapping[tuple[str, str], list[int]],
    sized: Mapping[tuple[str, str], Any],
) -> Distribution:
    """One installed distribution, from its ``.dist-info`` folder and its RECORD."""
    site = posixpath.dirname(dist_info)
    name, version, requires = metadata_fields(view, dist_info)
    package = sized.get((normalize(name), "/" + site))
    modules = modules_from_record(record)
    top_level = view.content(dist_info + "/top_level.txt")
    if top_level is not None:
        modules |= modules_from_top_level(top_level.decode("utf-8", "replace"))
    entry_points = view.content(dist_info + "/entry_points.txt")
    scripts = console_scripts(entry_points.decode("utf-8", "replace")) if entry_points else ()
    return Distribution(
        name=name,
        version=version,
        location="/" + site,
        bytes=package.bytes if package is not None else 0,
        bytecode_bytes=_bytecode_bytes(view, site, record, index),
        modules=tuple(sorted(modules)),
        console_scripts=scripts,
        requires=requires,
    )


def metadata_fields(view: FinalView, dist_info: str) -> tuple[str, str, tuple[str, ...]]:
    """A distribution's name, version and ``Requires-Dist`` lines: its METADATA's (its
    folder's name and version when it has none)."""
    stem = posixpath.basename(dist_info)[: -len(".dist-info")]
    name, _, version = stem.partition("-")
    metadata = view.content(dist_info + "/METADATA")
    if metadata is None:
        return name, version, ()
    return parse_metadata(metadata.decode("utf-8", "replace"), name, version)


def parse_metadata(
    text: str, name: str = "", version: str = ""
) -> tuple[str, str, tuple[str, ...]]:
    """The name, version and ``Requires-Dist`` lines of a METADATA text (its headers,
    an email message's; the defaults when it lacks a name or a version)."""
    headers, blank, _ = text.partition("\n\n")
    if not blank and len(text.encode("utf-8", "replace")) >= METADATA_LIMIT:
        headers = headers.rsplit("\n", 1)[0]  # the capture cut its last line
    message = email.parser.HeaderParser().parsestr(headers + "\n\n")
    requires = tuple(" ".join(str(r).split()) for r in message.get_all("Requires-Dist") or ())
    return (
        str(message.get("Name") or name).strip(),
        str(message.get("Version") or version).strip(),
        requires,
    )


def _bytecode_bytes(
    view: FinalView, site: str, record: str, index: Mapping[tuple[str, str], list[int]]
) -> int:
    """The bytes of compiled ``.pyc`` files beside a RECORD's sources that it does not list."""
    listed = _listed_groups(view, site, record)
    sources = [
        posixpath.normpath(posixpath.join("/", site, row[0])).lstrip("/")
        for row in csv.reader(io.StringIO(record))
        if row and row[0].endswith(".py")
    ]
    groups = view.merged.groups
    bytecode = 0
    counted: set[int] = set()
    for source in sources:
        folder, _, base = source.rpartition("/")
        for group in index.get((folder, base[:-3]), ()):
            if group not in listed and group not in counted:
                counted.add(group)
                bytecode += groups[group].bytes
    return bytecode


def _with_copies(found: list[Distribution], copies: Mapping[str, int]) -> list[Distribution]:
    """The distributions, largest first; a cached copy goes with the largest installed
    copy of the same name."""
    largest: dict[str, int] = {}
    for i, dist in enumerate(found):
        if dist.key not in largest or dist.bytes > found[largest[dist.key]].bytes:
            largest[dist.key] = i
    for key, i in largest.items():
        if copies.get(key):
            found[i] = replace(found[i], copies_bytes=copies[key])
    found.sort(key=lambda d: (-d.total_bytes, d.key, d.location))
    return found


def _python_version(dists: Sequence[Distribution]) -> str:
    for dist in dists:
        match = re.search(r"/python(\d+\.\d+)/", dist.location + "/")
        if match:
            return match.group(1)
    return ""


def read_image_facts(client: Any, ref: str) -> ImageFacts:
    """Read an image's distributions, command and start scripts in one export pass.

    Args:
        client: a connected ``docker.DockerClient``.
        ref: a tag or an image id.

    Returns:
        The facts.

    Raises:
        AuditError: the engine lacks the image or cannot export it.
    """
    from workbench.engine.images import ENGINE_ERRORS, inspect_image

    inspect = inspect_image(client, ref, AuditError, NO_IMAGE_HINT)
    config = inspect.get("Config") or {}
    command = command_of(config)
    workdir = config.get("WorkingDir") or "/"
    wanted = script_paths(command, workdir)
    stream = None
    try:
        stream = ChunkReader(client.api.get_image(inspect["Id"]), prefetch=PREFETCH_BYTES)
        archive = read_archive(stream, capture=capture_rule(wanted), ref=inspect["Id"])
    except ENGINE_ERRORS as exc:
        raise AuditError(f"the engine could not export {ref!r}: {exc}") from exc
    except AnalysisError as exc:
        raise AuditError(str(exc)) from exc
    finally:
        if stream is not None:
            stream.close()
    merged = merge_layers([layer.entries for layer in archive.layers])
    view = FinalView(merged, archive.layers)
    dists = distributions(view)
    scripts = {}
    for path in wanted:
        content = view.content(view.resolve(path))
        if content is not None:
            scripts["/" + path] = content.decode("utf-8", "replace")
    return ImageFacts(
        image_id=inspect["Id"],
        tags=tuple(inspect.get("RepoTags") or ()),
        command=command,
        workdir=workdir,
        python_version=_python_version(dists),
        distributions=tuple(dists),
        scripts=scripts,
    )
