"""Python distributions and Debian packages found in an image, with their bytes.

The export is read once and cannot be rewound, so the reader keeps the small
metadata files this module needs while they stream past (:func:`capture_limit`);
after the merge, only the copies a container would see are used.

* Python: every ``*.dist-info/RECORD`` visible in the image; its bytes are the real
  sizes in the image of the files RECORD lists (each inode once), wherever they are.
* Debian: every package ``/var/lib/dpkg/status`` says is installed; its bytes are
  the sizes of the files its ``/var/lib/dpkg/info/<name>[:<arch>].list`` names, with
  folder symlinks such as ``/lib -> usr/lib`` (merged ``/usr``) resolved.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence

from workbench.analysis.merge import Group, MergeResult
from workbench.analysis.model import DebianPackage, PythonPackage
from workbench.analysis.reader import EntryKind, LayerSummary

RECORD_LIMIT = 64 * 1024 * 1024
METADATA_LIMIT = 16 * 1024
STATUS_LIMIT = 64 * 1024 * 1024
LIST_LIMIT = 16 * 1024 * 1024
PYVENV_LIMIT = 64 * 1024
DPKG_STATUS = "var/lib/dpkg/status"
DPKG_INFO = "var/lib/dpkg/info/"
APT_EXTENDED_STATES = "var/lib/apt/extended_states"
MANUAL = "manual"
DEPENDENCY = "dependency"
RECOMMENDATION = "recommendation"
SITE_DIRS = ("site-packages", "dist-packages")


def capture_limit(path: str) -> int:
    """How many bytes of a layer member to keep for this module (0: none).

    Args:
        path: the member's path relative to ``/``.
    """
    last = path[-1:]
    if last == "D" and path.endswith(".dist-info/RECORD"):
        return RECORD_LIMIT
    if last == "A" and path.endswith(".dist-info/METADATA"):
        return METADATA_LIMIT
    if last == "t" and path.endswith(".list") and path.startswith(DPKG_INFO):
        return LIST_LIMIT
    if path in (DPKG_STATUS, APT_EXTENDED_STATES):
        return STATUS_LIMIT
    return 0


class FinalView:
    """What a container sees: visible paths, their bytes and captured contents."""

    def __init__(self, merged: MergeResult, layers: Sequence[LayerSummary]) -> None:
        self.merged = merged
        self.layers = layers
        self._aliases: dict[str, str] | None = None

    def group(self, path: str) -> Group | None:
        """The group a visible path belongs to, if the path is a visible non-directory."""
        index = self.merged.final.get(path)
        return None if index is None else self.merged.groups[index]

    def content(self, path: str) -> bytes | None:
        """The captured content of a visible file, as the container sees it."""
        group = self.group(path)
        if group is None or group.kind is not EntryKind.FILE:
            return None
        captured = self.layers[group.layer].captured
        content = captured.get(path)
        if content is None:  # a hardlink: the group's first path was captured
            content = captured.get(group.path)
        return content

    def resolve(self, path: str) -> str:
        """Resolve symlinked folders among the parents of ``path`` (not ``path`` itself)."""
        if path in self.merged.final:
            return path
        parts = path.split("/")
        for _ in range(8):
            changed = False
            for i in range(1, len(parts)):
                prefix = "/".join(parts[:i])
                group = self.group(prefix)
                if group is not None and group.kind is EntryKind.SYMLINK:
                    target = group.link
                    base = "" if target.startswith("/") else posixpath.dirname(prefix)
                    joined = posixpath.normpath(posixpath.join("/", base, target)).lstrip("/")
                    parts = [p for p in joined.split("/") if p] + parts[i:]
                    changed = True
                    break
            if not changed:
                break
        return "/".join(parts)


def _bytes_of(view: FinalView, paths: Iterable[str]) -> tuple[int, int]:
    seen: set[int] = set()
    total = files = 0
    final = view.merged.final
    groups = view.merged.groups
    for path in paths:
        index = final.get(path)
        if index is None:
            index = final.get(view.resolve(path))
            if index is None:
                continue
        files += 1
        if index not in seen:
            seen.add(index)
            total += groups[index].bytes
    return total, files


def normalize(name: str) -> str:
    """A distribution name as PEP 503 normalizes it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _metadata_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep and key in ("Name", "Version") and key not in fields:
            fields[key] = value.strip()
    return fields


def _requires(text: str) -> tuple[str, ...]:
    """The names a METADATA's ``Requires-Dist`` lines name, extras' requirements left out."""
    found = []
    for line in text.splitlines():
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if not sep or key != "Requires-Dist":
            continue
        requirement, _, marker = value.partition(";")
        if "extra" in marker:
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if match:
            found.append(normalize(match.group(1)))
    return tuple(dict.fromkeys(found))


def python_packages(view: FinalView) -> list[PythonPackage]:
    """List the Python distributions installed in the image, largest first.

    Only ``.dist-info`` folders directly in a ``site-packages`` or ``dist-packages``
    folder count: copies in installer caches (uv's ``archive-v0``, ...) do not.
    """
    found: list[PythonPackage] = []
    for path in view.merged.final:
        if not path.endswith(".dist-info/RECORD"):
            continue
        record = view.content(path)
        if record is None:
            continue
        dist_info = posixpath.dirname(path)
        site = posixpath.dirname(dist_info)
        if posixpath.basename(site) not in SITE_DIRS:
            continue  # an installer's cache or an unpacked wheel, not an installation
        stem = posixpath.basename(dist_info)[: -len(".dist-info")]
        name, _, version = stem.partition("-")
        metadata = view.content(dist_info + "/METADATA")
        requires: tuple[str, ...] = ()
        if metadata is not None:
            text = metadata.decode("utf-8", "replace")
            fields = _metadata_fields(text)
            name = fields.get("Name", name)
            version = fields.get("Version", version)
            requires = _requires(text)
        listed = []
        for row in csv.reader(io.StringIO(record.decode("utf-8", "replace"))):
            if not row or not row[0]:
                continue
            listed.append(posixpath.normpath(posixpath.join("/", site, row[0])).lstrip("/"))
        total, files = _bytes_of(view, listed)
        found.append(PythonPackage(name, version, "/" + site, total, files, requires))
    found.sort(key=lambda p: (-p.bytes, p.name.lower(), p.location))
    return found


def _paragraphs(text: str) -> Iterable[dict[str, str]]:
    fields: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if not line.strip():
            if fields:
                yield fields
            fields, key = {}, ""
        elif line[0] in " \t":
            if key:
                fields[key] += "\n" + line.strip()
        else:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    if fields:
        yield fields


def _listed_paths(view: FinalView, listing: bytes | None) -> list[str]:
    """The visible non-directory paths a dpkg ``.list`` names, symlinked folders resolved."""
    if listing is None:
        return []
    lines = [p.strip("/") for p in listing.decode("utf-8", "surrogateescape").splitlines()]
    folders = {p.rpartition("/")[0] for p in lines}  # dpkg lists folders too
    paths = []
    for line in lines:
        if line and line != "." and line not in folders:
            resolved = view.resolve(line)
            if resolved in view.merged.final:
                paths.append(resolved)
    return paths


def debian_packages(view: FinalView) -> tuple[list[DebianPackage], frozenset[str]]:
    """List the installed Debian packages, largest first, and every file they own.

    Returns:
        The packages, and the absolute paths (as the image holds them) they list.
    """
    packages, owners = debian_owners(view)
    return packages, frozenset(owners)


def debian_owners(view: FinalView) -> tuple[list[DebianPackage], dict[str, str]]:
    """List the installed Debian packages, largest first, and who owns each file.

    Returns:
        The packages, and the absolute paths (as the image holds them) they list, each
        with the name of the package that lists it.
    """
    status = view.content(DPKG_STATUS)
    if status is None:
        return [], {}
    installed = {
        fields["Package"]: fields
        for fields in _paragraphs(status.decode("utf-8", "replace"))
        if fields.get("Package") and fields.get("Status", "").split()[-1:] == ["installed"]
    }
    reasons = install_reasons(installed, view.content(APT_EXTENDED_STATES))
    found: list[DebianPackage] = []
    owned: dict[str, str] = {}
    for name, fields in installed.items():
        arch = fields.get("Architecture", "")
        list_path = f"{DPKG_INFO}{name}:{arch}.list"
        listing = view.content(list_path)
        if listing is None:
            list_path = f"{DPKG_INFO}{name}.list"
            listing = view.content(list_path)
        paths = _listed_paths(view, listing)
        for path in paths:
            owned.setdefault("/" + path, name)
        total, files = _bytes_of(view, paths)
        group = view.group(list_path)
        found.append(
            DebianPackage(
                name,
                fields.get("Version", ""),
                arch,
                total,
                files,
                group.layer if group is not None else None,
                reasons.get(name, ""),
            )
        )
    found.sort(key=lambda p: (-p.bytes, p.name))
    return found, owned


def _relation_names(value: str) -> list[list[str]]:
    """A ``Depends`` field as alternatives: ``a (>= 1) | b:any, c`` -> ``[[a, b], [c]]``."""
    groups = []
    for part in value.split(","):
        names = [alt.split("(")[0].split("[")[0].strip().split(":")[0] for alt in part.split("|")]
        names = [n for n in names if n]
        if names:
            groups.append(names)
    return groups


def install_reasons(
    installed: Mapping[str, Mapping[str, str]], extended_states: bytes | None
) -> dict[str, str]:
    """Why each installed package is there: manual, a dependency, or a recommendation.

    Args:
        installed: dpkg's status paragraph per installed package name.
        extended_states: apt's ``/var/lib/apt/extended_states`` (``None``: apt left none,
            and every reason is ``""``).

    Returns:
        Package name -> :data:`MANUAL`, :data:`DEPENDENCY` or :data:`RECOMMENDATION`.
    """
    if extended_states is None:
        return {}
    auto = {
        fields.get("Package", "")
        for fields in _paragraphs(extended_states.decode("utf-8", "replace"))
        if fields.get("Auto-Installed", "").strip() == "1"
    }
    providers: dict[str, list[str]] = {name: [name] for name in installed}
    for name, fields in installed.items():
        for group in _relation_names(fields.get("Provides", "")):
            for virtual in group:
                providers.setdefault(virtual, []).append(name)
    reasons = {name: MANUAL for name in installed if name not in auto}
    pending = list(reasons)
    while pending:
        fields = installed[pending.pop()]
        relations = fields.get("Pre-Depends", "") + "," + fields.get("Depends", "")
        for group in _relation_names(relations):
            for alternative in group:
                for provider in providers.get(alternative, ()):
                    if provider not in reasons:
                        reasons[provider] = DEPENDENCY
                        pending.append(provider)
    for name in installed:
        reasons.setdefault(name, RECOMMENDATION)
    return reasons


def virtualenvs(final: Mapping[str, int]) -> tuple[str, ...]:
    """Absolute paths of the folders holding a visible ``pyvenv.cfg``."""
    return tuple(
        sorted(
            "/" + posixpath.dirname(p)
            for p in final
            if p.endswith("/pyvenv.cfg") and p != "pyvenv.cfg"
        )
    )
