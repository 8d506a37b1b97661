"""Local stand-ins for base images that cannot be pulled.

On machines that reach PyPI and Debian's archive but no container registry, the
sample's and the tests' Dockerfiles still build unchanged: for each reference they
use, a pull is tried first, and only when it fails a stand-in is made locally:

* ``debian:bookworm-slim``: a ``debootstrap --variant=minbase`` root file system,
  slimmed like the official image, imported with ``docker import``;
* ``python:3.11-slim-bookworm``: FROM that, Debian's ``python3``, ``python3-venv``,
  ``python3-pip``, a ``python`` link, ``/usr/local/lib/python3.11/site-packages`` read
  as the official image reads it, and the host's CA bundle as ``SSL_CERT_FILE``
  (HTTPS to PyPI may pass a proxy whose CA only the host's bundle has);
* ``ghcr.io/astral-sh/uv:latest``: FROM scratch with ``/uv`` and ``/uvx`` from the
  uv wheel installed beside the workbench;
* ``ghcr.io/astral-sh/uv:python3.11-bookworm-slim``: uv's image with Python, made as
  uv's own release workflow makes it: FROM the Python stand-in, ``/usr/local/bin/uv``
  and ``/usr/local/bin/uvx`` copied from the uv stand-in, ``ENTRYPOINT []`` and
  ``CMD ["/usr/local/bin/uv"]``.

Every stand-in carries the labels :data:`workbench.labels.STAND_IN` and
:data:`workbench.labels.STAND_IN_REPLACES`, so whatever is built FROM it says so too.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors

from workbench import __version__, labels
from workbench.engine.images import inspect_if_present
from workbench.errors import BootstrapError
from workbench.home import workbench_home

DEBIAN_REF = "debian:bookworm-slim"
PYTHON_REF = "python:3.11-slim-bookworm"
UV_REF = "ghcr.io/astral-sh/uv:latest"
UV_PYTHON_REF = "ghcr.io/astral-sh/uv:python3.11-bookworm-slim"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
PYPI_SIMPLE = "https://pypi.org/simple"
RECIPE_VERSION = "3"  # bump when a recipe changes: older stand-ins are made again
IMAGE_CA_BUNDLE = "/usr/local/share/workbench/ca-certificates.crt"

# What the official slim images configure, so apt inside builds behaves the same.
_DPKG_SLIM = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
"""
_APT_CLEAN = """\
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb \
/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb \
/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
"""
_APT_NO_LANGUAGES = 'Acquire::Languages "none";\n'
_APT_GZIP_INDEXES = 'Acquire::GzipIndexes "true";\n'

# The official image's third-party packages live in /usr/local/lib/python3.X/site-packages;
# Debian's Python reads dist-packages.  A .pth makes the official folder a site folder too,
# so an install made for the official image (``--prefix=/install`` copied onto /usr/local)
# is found here as it would be there.
_OFFICIAL_SITE_PTH = (
    "import site, sys; "
    "site.addsitedir('/usr/local/lib/python%d.%d/site-packages' % sys.version_info[:2])"
)
_PYTHON_DOCKERFILE = f"""\
FROM {DEBIAN_REF}
COPY ca-certificates.crt {IMAGE_CA_BUNDLE}
ENV LANG=C.UTF-8 \\
    SSL_CERT_FILE={IMAGE_CA_BUNDLE} \\
    PIP_CERT={IMAGE_CA_BUNDLE} \\
    REQUESTS_CA_BUNDLE={IMAGE_CA_BUNDLE}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip \\
 && rm -rf /var/lib/apt/lists/* \\
 && ln -s /usr/bin/python3 /usr/local/bin/python \\
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \\
 && rm -f /usr/lib/python3.*/EXTERNALLY-MANAGED \\
 && printf '%s\\n' "{_OFFICIAL_SITE_PTH}" \\
    > /usr/lib/python3/dist-packages/workbench-official-site-packages.pth
CMD ["python3"]
"""
_UV_DOCKERFILE = """\
FROM scratch
COPY uv uvx /
ENTRYPOINT ["/uv"]
"""
# As uv's release workflow (build-docker.yml) writes its images with Python.
_UV_PYTHON_DOCKERFILE = f"""\
FROM {PYTHON_REF}
COPY --from={UV_REF} /uv /usr/local/bin/uv
COPY --from={UV_REF} /uvx /usr/local/bin/uvx
ENTRYPOINT []
CMD ["/usr/local/bin/uv"]
"""


@dataclass(frozen=True)
class BaseImageResult:
    """What :func:`ensure_base_images` did for one reference."""

    reference: str
    action: str  # "present", "pulled" or "stand-in built"
    stand_in: bool
    image_id: str
    seconds: float


def _labels(reference: str, recipe: str) -> dict[str, str]:
    return {
        labels.STAND_IN: "true",
        labels.STAND_IN_REPLACES: reference,
        labels.STAND_IN_RECIPE: recipe,
        labels.STAND_IN_RECIPE_VERSION: RECIPE_VERSION,
        labels.VERSION: __version__,
    }


def _split(reference: str) -> tuple[str, str]:
    repository, _, tag = reference.rpartition(":")
    if not repository or "/" in tag:
        return reference, "latest"
    return repository, tag


def _try_pull(client: docker.DockerClient, reference: str) -> bool:
    repository, tag = _split(reference)
    try:
        client.images.pull(repository, tag=tag)
    except docker.errors.APIError:
        return False
    return True


def _existing(client: docker.DockerClient, reference: str):
    inspected = inspect_if_present(client, reference, BootstrapError)
    return client.images.prepare_model(inspected) if inspected is not None else None


def _outdated(image, reference: str) -> bool:
    """A stand-in made by an older recipe (pulled images are never outdated)."""
    found = image.labels or {}
    return (
        found.get(labels.STAND_IN_REPLACES) == reference
        and found.get(labels.STAND_IN_RECIPE_VERSION) != RECIPE_VERSION
    )


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BootstrapError(f"{what} failed (exit {done.returncode}): {' | '.join(tail)}")


def _slim_rootfs(root: Path) -> None:
    for pattern in ("var/cache/apt/archives/*.deb", "var/cache/apt/*.bin", "var/lib/apt/lists/*"):
        for path in root.glob(pattern):
            if path.is_file() or path.is_symlink():
                path.unlink()
    for folder in ("usr/share/man", "usr/share/info", "usr/share/locale", "usr/share/groff"):
        target = root / folder
        if target.is_dir():
            shutil.rmtree(target)
            target.mkdir()
    for doc in (root / "usr/share/doc").glob("*"):
        if doc.is_dir():
            for item in doc.iterdir():
                if item.name == "copyright":
                    continue
                if item.is_dir() and not item.is_symlink():
                    shutil.rmtree(item)
                else:
                    item.unlink()
    (root / "etc/dpkg/dpkg.cfg.d/docker").write_text(_DPKG_SLIM)
    apt_conf = root / "etc/apt/apt.conf.d"
    (apt_conf / "docker-clean").write_text(_APT_CLEAN)
    (apt_conf / "docker-no-languages").write_text(_APT_NO_LANGUAGES)
    (apt_conf / "docker-gzip-indexes").write_text(_APT_GZIP_INDEXES)


def _make_debian(client: docker.DockerClient, reference: str, log: Callable[[str], None]) -> None:
    if shutil.which("debootstrap") is None:
        raise BootstrapError(
            f"cannot make a stand-in for {reference}: debootstrap is missing "
            "(apt-get install debootstrap, as root)"
        )
    with tempfile.TemporaryDirectory(prefix="workbench-rootfs-") as scratch:
        root = Path(scratch) / "rootfs"
        log(f"debootstrap --variant=minbase bookworm ({DEBIAN_MIRROR})")
        _run(
            ["debootstrap", "--variant=minbase", "bookworm", str(root), DEBIAN_MIRROR],
            "debootstrap",
        )
        _slim_rootfs(root)
        archive = Path(scratch) / "rootfs.tar"
        _run(
            ["tar", "--numeric-owner", "--xattrs", "-C", str(root), "-cf", str(archive), "."],
            "tar of the root file system",
        )
        repository, tag = _split(reference)
        stand_in = _labels(reference, "debootstrap --variant=minbase bookworm + docker import")
        changes = [f'LABEL "{key}"="{value}"' for key, value in stand_in.items()]
        changes += ['CMD ["bash"]']
        log(f"docker import as {reference}")
        try:
            client.api.import_image_from_file(
                str(archive), repository=repository, tag=tag, changes=changes
            )
        except docker.errors.APIError as exc:
            raise BootstrapError(f"docker import of {reference} failed: {exc.explanation}") from exc


def _context_tar(files: dict[str, tuple[bytes, int]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, int(time.time())
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def _build(
    client: docker.DockerClient,
    reference: str,
    files: dict[str, tuple[bytes, int]],
    recipe: str,
    log: Callable[[str], None],
) -> None:
    stream = client.api.build(
        fileobj=_context_tar(files),
        custom_context=True,
        tag=reference,
        labels=_labels(reference, recipe),
        rm=True,
        forcerm=True,
        decode=True,
    )
    last = ""
    for event in stream:
        if "error" in event:
            raise BootstrapError(f"building the stand-in {reference} failed: {event['error']}")
        line = str(event.get("stream", "")).strip()
        if line.startswith("Step "):
            log(line)
        last = line or last


def _make_python(client: docker.DockerClient, reference: str, log: Callable[[str], None]) -> None:
    if not HOST_CA_BUNDLE.exists():
        raise BootstrapError(f"{HOST_CA_BUNDLE} is missing; install ca-certificates")
    files = {
        "Dockerfile": (_PYTHON_DOCKERFILE.encode(), 0o644),
        "ca-certificates.crt": (HOST_CA_BUNDLE.read_bytes(), 0o644),
    }
    _build(client, reference, files, f"FROM {DEBIAN_REF} + Debian python3", log)


def _uv_wheel_binaries(version: str, architecture: str) -> dict[str, bytes]:
    """``uv`` and ``uvx`` from the static (musllinux) uv wheel on PyPI, cached.

    The manylinux wheel's binaries need glibc's loader, which a FROM scratch image
    lacks; the official image carries the static musl build, and so do we.
    """
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(architecture, architecture)
    cache = workbench_home() / "cache" / f"uv-{version}-{arch}"
    if all((cache / name).is_file() for name in ("uv", "uvx")):
        return {name: (cache / name).read_bytes() for name in ("uv", "uvx")}
    index = os.environ.get("PIP_INDEX_URL", PYPI_SIMPLE).rstrip("/")
    wanted = f"uv-{version}-py3-none-musllinux_1_1_{arch}.whl"
    try:
        request = urllib.request.Request(
            f"{index}/uv/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            files = json.load(response)["files"]
        entry = next((item for item in files if item["filename"] == wanted), None)
        if entry is None:
            raise BootstrapError(f"{index} has no {wanted}; cannot make the uv stand-in")
        with urllib.request.urlopen(
            urllib.parse.urljoin(f"{index}/uv/", entry["url"]), timeout=300
        ) as response:
            wheel = response.read()
    except (OSError, ValueError, KeyError) as exc:
        raise BootstrapError(f"cannot fetch {wanted} from {index}: {exc}") from exc
    expected = entry.get("hashes", {}).get("sha256")
    if expected and hashlib.sha256(wheel).hexdigest() != expected:
        raise BootstrapError(f"{wanted} from {index} does not match its sha256")
    binaries = {}
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        for name in ("uv", "uvx"):
            binaries[name] = archive.read(f"uv-{version}.data/scripts/{name}")
    cache.mkdir(parents=True, exist_ok=True)
    for name, data in binaries.items():
        (cache / name).write_bytes(data)
    return binaries


def _make_uv(client: docker.DockerClient, reference: str, log: Callable[[str], None]) -> None:
    version = importlib.metadata.version("uv")  # the uv beside the workbench, from uv.lock
    architecture = str(client.info().get("Architecture", "x86_64"))
    log(f"uv {version} ({architecture}) from its static wheel on PyPI")
    binaries = _uv_wheel_binaries(version, architecture)
    files = {
        "Dockerfile": (_UV_DOCKERFILE.encode(), 0o644),
        "uv": (binaries["uv"], 0o755),
        "uvx": (binaries["uvx"], 0o755),
    }
    _build(client, reference, files, f"FROM scratch + /uv, /uvx from the uv {version} wheel", log)


def _make_uv_python(
    client: docker.DockerClient, reference: str, log: Callable[[str], None]
) -> None:
    files = {"Dockerfile": (_UV_PYTHON_DOCKERFILE.encode(), 0o644)}
    _build(
        client, reference, files, f"FROM {PYTHON_REF} + /usr/local/bin/uv, uvx from {UV_REF}", log
    )


# Order matters: each stand-in comes after the images it is built FROM (or copies from).
STAND_INS: dict[str, Callable[[docker.DockerClient, str, Callable[[str], None]], None]] = {
    DEBIAN_REF: _make_debian,
    PYTHON_REF: _make_python,
    UV_REF: _make_uv,
    UV_PYTHON_REF: _make_uv_python,
}
# What each stand-in is made from: asking for one ensures these first.
_MADE_FROM: dict[str, tuple[str, ...]] = {
    PYTHON_REF: (DEBIAN_REF,),
    UV_PYTHON_REF: (PYTHON_REF, UV_REF),
}


def ensure_base_images(
    client: docker.DockerClient,
    references: Iterable[str] | None = None,
    *,
    pull: bool = True,
    log: Callable[[str], None] = print,
) -> list[BaseImageResult]:
    """Make every reference available on the engine: present, pulled, or a stand-in.

    Idempotent: a reference that exists is left alone.

    Args:
        client: a connected docker client.
        references: which references to ensure (default: all known stand-ins, in
            dependency order).
        pull: try a pull before making a stand-in.
        log: called with one line per step taken.

    Returns:
        One :class:`BaseImageResult` per reference.

    Raises:
        BootstrapError: when a reference can be neither pulled nor made.
    """
    wanted = list(references) if references is not None else list(STAND_INS)
    unknown = [ref for ref in wanted if ref not in STAND_INS]
    if unknown:
        raise BootstrapError(
            f"no stand-in recipe for {', '.join(unknown)}; known: {', '.join(STAND_INS)}"
        )
    for reference in reversed(STAND_INS):  # dependents first, so chains close
        if reference in wanted:
            wanted += [base for base in _MADE_FROM.get(reference, ()) if base not in wanted]
    results = []
    for reference in (ref for ref in STAND_INS if ref in wanted):
        started = time.monotonic()
        image = _existing(client, reference)
        action = "present"
        if image is not None and _outdated(image, reference):
            log(f"{reference}: the stand-in's recipe changed, making it again")
            image = None
        if image is None and pull and _try_pull(client, reference):
            action = "pulled"
        elif image is None:
            log(f"{reference}: cannot be pulled, making a local stand-in")
            STAND_INS[reference](client, reference, log)
            action = "stand-in built"
        image = _existing(client, reference)
        if image is None:
            raise BootstrapError(f"{reference} is still missing after {action}")
        results.append(
            BaseImageResult(
                reference=reference,
                action=action,
                stand_in=image.labels.get(labels.STAND_IN) == "true",
                image_id=image.id,
                seconds=time.monotonic() - started,
            )
        )
    return results
