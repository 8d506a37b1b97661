"""The library probe: build a variant's builder stage, read which libraries its extensions load.

A variant whose runtime leaves build-only packages in the builder carries a library block
(:mod:`workbench.variants.libraries`). Before it is built, :func:`resolve_libraries` builds the
builder stage alone (the Dockerfile up to its end, with the same builder: its steps are cached
for the real build right after), reads the built image's files through the engine's archive API
on a container that never starts (the shared objects under the folders the runtime copies,
dpkg's status and file lists, ``ld.so.conf``), and the runtime image's dpkg status the same way;
:mod:`workbench.build.shared_objects` resolves each ``DT_NEEDED`` entry to the package that
ships it. The block is rewritten from that plan, the plan kept for later derivations, and the
resolved Dockerfile is the one built.
"""

from __future__ import annotations

import contextlib
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO

import docker
import docker.errors
import requests.exceptions

from workbench.build.builders import BuilderInfo
from workbench.build.buildkit import run_buildkit
from workbench.build.classic import run_classic
from workbench.build.context import make_context
from workbench.build.progress import BuildOutcome, BuildProgress, OnOutput
from workbench.build.shared_objects import (
    SHARED_OBJECT,
    Builder,
    Resolution,
    external_needs,
    installed_packages,
    ld_so_conf_dirs,
    library_owners,
    read_shared_object,
    resolve,
    search_dirs,
    shown_name,
)
from workbench.errors import BuildError
from workbench.labels import PREFIX
from workbench.project import Project
from workbench.variants.build_only import run_by
from workbench.variants.libraries import (
    LibraryCopy,
    LibraryPlan,
    MissingLibrary,
    ProbeRequest,
    apply_plan,
    probe_request,
    save_plan,
)

LIBRARY_PROBE = f"{PREFIX}.library-probe"
"""The label on the containers the probe creates (never started) to read an image's files."""
SPOOL_BYTES = 64 * 1024 * 1024
_READ_ERRORS = (
    docker.errors.DockerException,
    requests.exceptions.RequestException,
    tarfile.TarError,
    OSError,
)
_LINK_HOPS = 8


def probe_tag(project: Project, variant: str) -> str:
    """The tag of a variant's built builder stage (its layers are the real build's cache)."""
    return f"workbench/{project.name}:{variant}-builder"


def resolve_libraries(
    client: docker.DockerClient,
    builder: BuilderInfo,
    project: Project,
    variant: str,
    text: str,
    extra_files: Mapping[str, bytes],
    on_output: OnOutput,
    cancel: threading.Event,
    build_args: Mapping[str, str] | None = None,
) -> tuple[str, BuildOutcome | None]:
    """Read a variant's runtime libraries from its built builder stage.

    Args:
        client: The engine.
        builder: The builder the variant is built with (the builder stage is built with it).
        project: The project.
        variant: The variant's name.
        text: Its Dockerfile, with a library block.
        extra_files: Files the variant overlays onto the build context.
        on_output: Where the probe's build output and its findings go (the build's log).
        cancel: Set to stop.
        build_args: The build's arguments.

    Returns:
        The Dockerfile to build (its block resolved) and None; or the text as it was and the
        outcome of a builder stage that failed or was cancelled (the build ends with it).
    """
    request = probe_request(text)
    if request is None:
        return text, None
    say = _sayer(on_output)
    say(f"building the {request.builder} stage to read the libraries its extensions load")
    started = time.monotonic()
    context = make_context(project.path, request.builder_text, extra_files)
    tag = probe_tag(project, variant)
    with context, _linked(cancel) as stop:
        if builder.name == "buildkit":
            outcome = run_buildkit(builder, context, tag, {}, on_output, stop, build_args)
        else:
            outcome = run_classic(client, context, tag, on_output, stop, build_args)
    if cancel.is_set():
        return text, BuildOutcome("cancelled", None, "cancelled by the user")
    if outcome.status != "succeeded" or not outcome.image_id:
        return text, outcome
    built = time.monotonic()
    plan = read_plan(client, outcome.image_id, request)
    plan = _with_scripts(plan, request, project.path, extra_files)
    save_plan(text, plan)
    say(
        f"runtime libraries: {plan.summary()} (builder stage ready in {built - started:.1f} s,"
        f" read in {time.monotonic() - built:.1f} s)"
    )
    return apply_plan(text, plan), None


@contextlib.contextmanager
def _linked(cancel: threading.Event) -> Iterator[threading.Event]:
    """An event of the probe's own, set when ``cancel`` is (the builders set the event they
    are given once they finish, which must not cancel the real build)."""
    stop = threading.Event()
    done = threading.Event()

    def relay() -> None:
        while not done.is_set():
            if cancel.wait(0.2):
                stop.set()
                return

    thread = threading.Thread(target=relay, daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        done.set()
        thread.join()


def _sayer(on_output: OnOutput) -> Callable[[str], None]:
    def say(line: str) -> None:
        on_output(f"[workbench] {line}\n", BuildProgress())

    return say


def read_plan(client: docker.DockerClient, image: str, request: ProbeRequest) -> LibraryPlan:
    """The library plan of a built builder stage; an empty plan saying why when it can't be
    read.

    The packages the runtime's base image has are not listed again; when that image can't be
    read, every package found is (installing one already there changes nothing).
    """
    runtime_has = set(request.runtime_packages)
    if request.runtime_image:
        with (
            contextlib.suppress(BuildError, *_READ_ERRORS),
            _files(client, request.runtime_image) as runtime,
        ):
            runtime_has |= installed_packages(runtime.text("/var/lib/dpkg/status"))
    try:
        with _files(client, image) as files:
            found = _read_builder(files, request.roots, request.library_path)
            resolution = resolve(external_needs(found), found.owners, runtime_has)
            _look_in_folders(files, found, resolution, runtime_has)
    except (BuildError, *_READ_ERRORS) as exc:
        return LibraryPlan(error=_one_line(exc))
    return resolution.plan()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def _read_builder(files: _Files, roots: tuple[str, ...], library_path: tuple[str, ...]) -> Builder:
    """The shared objects under the roots, dpkg's file owners and the linker's folders
    (``LD_LIBRARY_PATH``'s first)."""
    found = Builder()
    conf = {name: files.text(name) for name in ("/etc/ld.so.conf",)}
    conf |= files.texts("/etc/ld.so.conf.d", suffix=".conf")
    found.library_dirs = (*library_path, *ld_so_conf_dirs(conf))
    installed = installed_packages(files.text("/var/lib/dpkg/status"))
    lists = files.texts("/var/lib/dpkg/info", suffix=".list")
    found.owners = library_owners(lists, installed, found.library_dirs)
    for root in roots:
        for path, _, stream in files.walk(root):
            name = path.rsplit("/", 1)[-1]
            if not SHARED_OBJECT.search(name):
                continue
            found.provided.add(name)
            if stream is None:
                continue
            obj = read_shared_object(path, shown_name(path, root), stream)
            if obj is not None:
                found.objects.append(obj)
                if obj.soname:
                    found.provided.add(obj.soname)
    return found


def _look_in_folders(
    files: _Files, found: Builder, resolution: Resolution, runtime_has: set[str]
) -> None:
    """Libraries no package ships: copied from the builder's folders when there, else missing.

    The libraries a copied one loads are resolved too, one level down.
    """
    pending = dict(resolution.unresolved)
    resolution.unresolved.clear()
    seen: set[str] = set()
    for depth in range(2):
        added = []
        for library, objects in sorted(pending.items()):
            seen.add(library)
            shown = tuple(dict.fromkeys(obj.shown for obj in objects))
            hit = _find(files, library, search_dirs(objects, found.library_dirs))
            if hit is None:
                resolution.missing.append(MissingLibrary(library, shown))
                continue
            source, dest, stream = hit
            resolution.copies.append(LibraryCopy(source, dest, shown))
            obj = read_shared_object(source, dest, stream)
            if obj is not None:
                added.append(obj)
        if depth or not added:
            return
        provided = found.provided | seen
        needs: dict[str, list] = {}
        for obj in added:
            for name in obj.needed:
                if name not in provided:
                    needs.setdefault(name, []).append(obj)
        resolve(needs, found.owners, runtime_has, resolution)
        pending = dict(resolution.unresolved)
        resolution.unresolved.clear()


def _find(files: _Files, library: str, dirs: list[str]) -> tuple[str, str, IO[bytes]] | None:
    """The first of ``dirs`` that has ``library``: (its real file, the name asked for, bytes)."""
    for folder in dirs:
        asked = f"{folder.rstrip('/')}/{library}"
        path = asked
        for _ in range(_LINK_HOPS):
            entry = files.entry(path)
            if entry is None:
                break
            member, stream = entry
            if member.issym():
                target = member.linkname
                path = target if target.startswith("/") else f"{path.rsplit('/', 1)[0]}/{target}"
                continue
            if member.isfile() and stream is not None:
                return path, asked, stream
            break
    return None


def _with_scripts(
    plan: LibraryPlan, request: ProbeRequest, root: Path, extra_files: Mapping[str, bytes]
) -> LibraryPlan:
    """Add the build-only packages the runtime's start scripts run (``make`` in an
    entrypoint script): the runtime keeps them."""
    if plan.error or not request.scripts:
        return plan
    texts = {}
    for source in request.scripts:
        name = source.lstrip("./")
        data = extra_files.get(name)
        if data is None:
            with contextlib.suppress(OSError):
                data = (root / name).read_bytes()
        if data is not None:
            texts[name] = data.decode("utf-8", errors="replace")
    resolution = Resolution(copies=list(plan.copies), missing=list(plan.missing))
    for package in plan.packages:
        resolution.other[package.name] = list(package.reasons)
    for package in request.left:
        for name, script in texts.items():
            program = run_by(package, [script])
            if program:
                resolution.other.setdefault(package, []).append(f"{name} runs {program}")
    return resolution.plan()


class _Files:
    """An image's files, read through the engine's archive API from a container that is
    created, never started, and removed."""

    def __init__(self, container, scratch: tempfile.TemporaryDirectory) -> None:
        self.container = container
        self.scratch = scratch
        self._open: list[tarfile.TarFile] = []

    def _archive(self, path: str) -> tarfile.TarFile | None:
        try:
            chunks, _ = self.container.get_archive(path)
        except docker.errors.NotFound:
            return None
        spool = tempfile.SpooledTemporaryFile(SPOOL_BYTES, dir=self.scratch.name)  # noqa: SIM115
        for chunk in chunks:
            spool.write(chunk)
        spool.seek(0)
        tar = tarfile.open(fileobj=spool, mode="r:")  # noqa: SIM115 (closed with the files)
        self._open.append(tar)
        return tar

    def text(self, path: str) -> str:
        """A file's text, "" when it is missing."""
        entry = self.entry(path)
        if entry is None or entry[1] is None:
            return ""
        return entry[1].read().decode("utf-8", errors="replace")

    def texts(self, folder: str, suffix: str) -> dict[str, str]:
        """The texts of a folder's files whose names end with ``suffix``."""
        tar = self._archive(folder)
        if tar is None:
            return {}
        found = {}
        for member in tar:
            if member.isfile() and member.name.endswith(suffix):
                stream = tar.extractfile(member)
                if stream is not None:
                    found[member.name] = stream.read().decode("utf-8", errors="replace")
        return found

    def entry(self, path: str) -> tuple[tarfile.TarInfo, IO[bytes] | None] | None:
        """One path's tar entry (a link is not followed) and its bytes, None when missing."""
        tar = self._archive(path)
        if tar is None:
            return None
        member = tar.next()
        if member is None:
            return None
        return member, tar.extractfile(member) if member.isfile() else None

    def walk(self, root: str) -> Iterator[tuple[str, tarfile.TarInfo, IO[bytes] | None]]:
        """Every entry under a folder: its path in the image, the entry, a file's bytes."""
        tar = self._archive(root)
        if tar is None:
            return
        parent = root.rstrip("/").rsplit("/", 1)[0]
        for member in tar:
            path = f"{parent}/{member.name}"
            yield path, member, tar.extractfile(member) if member.isfile() else None

    def close(self) -> None:
        for tar in self._open:
            with contextlib.suppress(OSError):
                tar.fileobj.close()
        with contextlib.suppress(_READ_ERRORS):
            self.container.remove(force=True)
        self.scratch.cleanup()


@contextlib.contextmanager
def _files(client: docker.DockerClient, image: str) -> Iterator[_Files]:
    """An image's files, through a created (never started) container."""
    try:
        container = client.containers.create(
            image, command=["/probe"], entrypoint=[], labels={LIBRARY_PROBE: "1"},
            network_disabled=True,
        )  # fmt: skip
    except docker.errors.ImageNotFound as exc:
        raise BuildError(f"no image {image} to read the libraries of") from exc
    files = _Files(container, tempfile.TemporaryDirectory(prefix="workbench-libraries-"))
    try:
        yield files
    finally:
        files.close()
