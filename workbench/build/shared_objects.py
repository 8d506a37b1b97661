"""Which libraries a builder's shared objects load, and which Debian package ships each.

The ELF side is pyelftools': :func:`read_shared_object` reads a file's ``DT_NEEDED`` entries,
its ``DT_SONAME`` and its ``DT_RUNPATH``/``DT_RPATH``. The Debian side is dpkg's own records:
``/var/lib/dpkg/status`` (what is installed) and ``/var/lib/dpkg/info/*.list`` (the files each
package shipped). :func:`resolve` puts them together into a
:class:`~workbench.variants.libraries.LibraryPlan`. Nothing here talks to the engine:
:mod:`workbench.build.libraries` reads the files out of the built builder.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection, DynamicSegment
from elftools.elf.elffile import ELFFile

from workbench.variants.libraries import (
    LibraryCopy,
    LibraryPlan,
    MissingLibrary,
    RuntimePackage,
    needed_by,
)

SHARED_OBJECT = re.compile(r"\.so(\.\d+)*$")
"""The names of shared objects (``_psycopg.cpython-311-x86_64-linux-gnu.so``, ``libz.so.1``)."""
DEFAULT_LIBRARY_DIRS = (
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/lib",
    "/usr/lib",
    "/lib64",
    "/usr/lib64",
    "/usr/local/lib",
)
"""Where the dynamic linker of a Debian image looks, before ``ld.so.conf`` adds more."""
_SITE = re.compile(r"/(site|dist)-packages/")


@dataclass(frozen=True)
class SharedObject:
    """What the dynamic linker reads of one shared object.

    Attributes:
        path: Its path in the builder.
        shown: The name shown to people: under ``site-packages`` (``psycopg2/_psycopg….so``),
            else the path.
        needed: Its ``DT_NEEDED`` entries, in order.
        soname: Its ``DT_SONAME``, "" when it has none.
        search: Its ``DT_RUNPATH``/``DT_RPATH`` folders, ``$ORIGIN`` put in.
    """

    path: str
    shown: str
    needed: tuple[str, ...]
    soname: str = ""
    search: tuple[str, ...] = ()


@dataclass
class Builder:
    """What the probe read of the builder.

    Attributes:
        objects: The shared objects under the folders the runtime copies.
        provided: The names those folders provide (file and link names, sonames).
        owners: Library file name -> the installed package that ships it (in a library folder).
        library_dirs: The folders the dynamic linker searches (``ld.so.conf`` and defaults).
    """

    objects: list[SharedObject] = field(default_factory=list)
    provided: set[str] = field(default_factory=set)
    owners: dict[str, str] = field(default_factory=dict)
    library_dirs: tuple[str, ...] = DEFAULT_LIBRARY_DIRS


def shown_name(path: str, root: str) -> str:
    """How a shared object is named for people: its path under ``site-packages``, else the
    path under the folder the runtime copies (``psycopg2/_psycopg.cpython-311-….so``)."""
    matches = list(_SITE.finditer(path))
    if matches:
        return path[matches[-1].end() :]
    return posixpath.relpath(path, root) if path.startswith(root.rstrip("/") + "/") else path


def read_shared_object(path: str, shown: str, stream: IO[bytes]) -> SharedObject | None:
    """Read a file's dynamic section with pyelftools.

    Args:
        path: Its path in the builder (``$ORIGIN`` in its run paths is its folder).
        shown: Its name for people.
        stream: Its bytes, seekable.

    Returns:
        What it needs; None when it is not an ELF file with a dynamic section.
    """
    try:
        if stream.read(4) != b"\x7fELF":
            return None
        stream.seek(0)
        elf = ELFFile(stream)
        dynamic = next(
            (s for s in elf.iter_sections() if isinstance(s, DynamicSection)), None
        ) or next((s for s in elf.iter_segments() if isinstance(s, DynamicSegment)), None)
        if dynamic is None:
            return None
        needed, soname, search = [], "", []
        for tag in dynamic.iter_tags():
            kind = tag.entry.d_tag
            if kind == "DT_NEEDED":
                needed.append(tag.needed)
            elif kind == "DT_SONAME":
                soname = tag.soname
            elif kind in {"DT_RUNPATH", "DT_RPATH"}:
                value = tag.runpath if kind == "DT_RUNPATH" else tag.rpath
                search += [_origin(part, path) for part in value.split(":") if part]
    except (ELFError, ValueError, KeyError, OSError, AttributeError):
        return None
    return SharedObject(path, shown, tuple(needed), soname, tuple(search))


def _origin(part: str, path: str) -> str:
    folder = posixpath.dirname(path)
    expanded = part.replace("${ORIGIN}", folder).replace("$ORIGIN", folder)
    return posixpath.normpath(expanded)


def installed_packages(status: str) -> set[str]:
    """The packages dpkg's status file says are installed (``install ok installed``)."""
    found = set()
    for paragraph in status.split("\n\n"):
        fields = dict(
            line.split(":", 1) for line in paragraph.splitlines() if ":" in line and line[:1] != " "
        )
        if fields.get("Status", "").split()[-1:] == ["installed"] and "Package" in fields:
            found.add(fields["Package"].strip())
    return found


def library_owners(
    lists: Mapping[str, str], installed: Iterable[str], library_dirs: Sequence[str]
) -> dict[str, str]:
    """Library file name -> the installed package whose file list has it in a library folder.

    Args:
        lists: dpkg's ``info/<package>[:arch].list`` file names -> their text.
        installed: The installed packages (:func:`installed_packages`).
        library_dirs: The folders the dynamic linker searches.
    """
    installed = set(installed)
    folders = {posixpath.normpath(d) for d in library_dirs}
    owners: dict[str, str] = {}
    for name, text in sorted(lists.items()):
        package = posixpath.basename(name).removesuffix(".list").split(":")[0]
        if package not in installed:
            continue
        for line in text.splitlines():
            path = line.strip()
            if posixpath.dirname(path) in folders and SHARED_OBJECT.search(path):
                owners.setdefault(posixpath.basename(path), package)
    return owners


def ld_so_conf_dirs(files: Mapping[str, str]) -> tuple[str, ...]:
    """The folders ``/etc/ld.so.conf`` and ``/etc/ld.so.conf.d/*.conf`` add, then the defaults."""
    dirs = []
    for _, text in sorted(files.items()):
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("/"):
                dirs.append(posixpath.normpath(line))
    return tuple(dict.fromkeys([*dirs, *DEFAULT_LIBRARY_DIRS]))


def external_needs(builder: Builder) -> dict[str, list[SharedObject]]:
    """Library name -> the shared objects that load it, for libraries the copied folders
    don't provide themselves (as ``auditwheel``'s ``*.libs`` folders do)."""
    needs: dict[str, list[SharedObject]] = {}
    for obj in builder.objects:
        for name in obj.needed:
            if name not in builder.provided and not name.startswith("/"):
                needs.setdefault(name, []).append(obj)
    return needs


@dataclass
class Resolution:
    """A library plan being put together (:func:`resolve`, then copies and misses)."""

    needed: dict[str, list[str]] = field(default_factory=dict)
    other: dict[str, list[str]] = field(default_factory=dict)
    copies: list[LibraryCopy] = field(default_factory=list)
    missing: list[MissingLibrary] = field(default_factory=list)
    unresolved: dict[str, list[SharedObject]] = field(default_factory=dict)

    def plan(self) -> LibraryPlan:
        """The plan: packages by name, with the objects that need each and other reasons."""
        packages = []
        for name in sorted({*self.needed, *self.other}):
            shown = list(dict.fromkeys(self.needed.get(name, [])))
            reasons = [needed_by(shown)] if shown else []
            packages.append(RuntimePackage(name, (*reasons, *self.other.get(name, []))))
        return LibraryPlan(tuple(packages), tuple(self.copies), tuple(self.missing))


def resolve(
    needs: Mapping[str, Sequence[SharedObject]],
    owners: Mapping[str, str],
    runtime_has: Iterable[str],
    resolution: Resolution | None = None,
) -> Resolution:
    """Resolve libraries to the packages that ship them in the builder.

    Args:
        needs: Library name -> the shared objects that load it (:func:`external_needs`).
        owners: Library file name -> package (:func:`library_owners`).
        runtime_has: Packages the runtime has without being told (its base image's, and those
            its own apt lines install): not listed again.
        resolution: One to add to, None for a new one.

    Returns:
        The packages to install with their reasons; what no package ships is left in
        ``unresolved`` for the caller to look for in the builder's folders.
    """
    found = resolution or Resolution()
    has = set(runtime_has)
    for library, objects in sorted(needs.items()):
        package = owners.get(library)
        if package is None:
            found.unresolved.setdefault(library, []).extend(objects)
            continue
        if package in has:
            continue
        found.needed.setdefault(package, []).extend(obj.shown for obj in objects)
    return found


def search_dirs(objects: Sequence[SharedObject], library_dirs: Sequence[str]) -> list[str]:
    """Where the dynamic linker looks for a library these objects load: their run paths, then
    the library folders."""
    paths = [d for obj in objects for d in obj.search]
    return list(dict.fromkeys([*paths, *library_dirs]))
