"""A registry to measure what an image really costs to store and pull.

Three parts:

* the workbench's own registry: Debian's ``docker-registry`` package (the distribution
  registry) run in the background on 127.0.0.1 with a config the workbench writes under
  its home: no auth, loopback only, data under ``<home>/registry/data``
  (:func:`up`, :func:`down`, :func:`status`);
* :func:`push_image`: tag an image into a registry, push it through the engine, read the
  manifest back from the registry's HTTP API and keep the layers' stored (compressed)
  sizes in the store;
* :func:`measured_push`: the newest measurement of an image, for the pages and the
  budget gate.

A user may name their own registry instead: ``WORKBENCH_REGISTRY`` or an address
argument (``HOST[:PORT]``, optionally with ``http://`` or ``https://``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import docker
import docker.auth
import docker.errors
import docker.utils
import requests

from workbench import engine
from workbench.errors import PushError, RegistryError
from workbench.home import workbench_home
from workbench.jobs import PUSH, Job, Jobs, process_jobs, short_id
from workbench.store import Store

DEFAULT_PORT = 5000
REGISTRY_ENV = "WORKBENCH_REGISTRY"
REGISTRY_BINARY = "/usr/bin/docker-registry"
REPOSITORY_PREFIX = "workbench"
START_TIMEOUT_S = 30.0
MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
)
INDEX_TYPES = (
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)
MEASURED_METHOD = "sum of the layer sizes in the registry's manifest (measured)"

# registries started by this process, so stopping one also reaps it
_CHILDREN: dict[int, subprocess.Popen] = {}


# -- where the workbench's registry keeps its files ---------------------------------


@dataclass(frozen=True)
class RegistryPaths:
    """The files of the workbench's own registry, under the workbench home."""

    root: Path
    config: Path
    data: Path
    log: Path
    pid: Path


def registry_paths() -> RegistryPaths:
    """The registry's folder (``<home>/registry``) and the files in it."""
    root = workbench_home() / "registry"
    return RegistryPaths(
        root=root,
        config=root / "config.yml",
        data=root / "data",
        log=root / "registry.log",
        pid=root / "registry.pid",
    )


def render_config(port: int, data_dir: Path, secret: str) -> str:
    """The distribution registry's config: no auth, loopback only, data in ``data_dir``.

    Args:
        port: the TCP port on 127.0.0.1.
        data_dir: where the registry stores blobs and manifests.
        secret: the HTTP secret that signs upload state.

    Returns:
        The YAML text (paths quoted as JSON strings, which YAML reads alike).
    """
    return "\n".join(
        [
            "# Written by the workbench (`workbench registry up`); rewritten on each start.",
            "version: 0.1",
            "log:",
            "  accesslog:",
            "    disabled: true",
            "  level: info",
            "  formatter: text",
            "  fields:",
            "    service: workbench-registry",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {json.dumps(str(data_dir))}",
            "  delete:",
            "    enabled: true",
            "  cache:",
            "    blobdescriptor: inmemory",
            "http:",
            f"  addr: 127.0.0.1:{port}",
            f"  secret: {secret}",
            "  headers:",
            "    X-Content-Type-Options: [nosniff]",
            "",
        ]
    )


def configured_port(paths: RegistryPaths | None = None) -> int | None:
    """The port in the config the workbench last wrote, ``None`` when there is none."""
    paths = paths or registry_paths()
    try:
        text = paths.config.read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^\s*addr:\s*127\.0\.0\.1:(\d+)\s*$", text, re.MULTILINE)
    return int(match.group(1)) if match else None


# -- addresses ----------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryAddress:
    """A registry as the engine and the workbench reach it.

    Attributes:
        host: ``HOST[:PORT]`` as image references carry it (``127.0.0.1:5000``).
        url: the base URL of its HTTP API (``http://127.0.0.1:5000``).
        local: it is the workbench's own registry (started on demand).
    """

    host: str
    url: str
    local: bool = False

    @property
    def loopback(self) -> bool:
        """The address is on this machine's loopback (127.0.0.0/8, ::1, localhost)."""
        return _is_loopback(self.host)


def _is_loopback(host: str) -> bool:
    name = re.sub(r":\d+$", "", host).strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def parse_address(text: str) -> RegistryAddress:
    """Read ``HOST[:PORT]``, ``http://HOST[:PORT]`` or ``https://HOST[:PORT]``.

    Without a scheme, loopback addresses are spoken to over plain HTTP (as the engine
    does: it treats 127.0.0.0/8 as insecure) and every other over HTTPS.

    Raises:
        RegistryError: the text is not a registry address.
    """
    value = text.strip().rstrip("/")
    scheme = ""
    if "://" in value:
        scheme, value = value.split("://", 1)
        scheme = scheme.lower()
    valid_host = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*)(:\d{1,5})?", value)
    if scheme not in ("", "http", "https") or not valid_host:
        raise RegistryError(
            f"not a registry address: {text!r}; write HOST[:PORT], e.g. 127.0.0.1:5000 "
            "or registry.example.com (optionally with http:// or https://)"
        )
    scheme = scheme or ("http" if _is_loopback(value) else "https")
    return RegistryAddress(host=value, url=f"{scheme}://{value}")


def local_address(port: int | None = None) -> RegistryAddress:
    """The workbench's own registry: ``port``, else the port it was last configured with."""
    port = port or configured_port() or DEFAULT_PORT
    host = f"127.0.0.1:{port}"
    return RegistryAddress(host=host, url=f"http://{host}", local=True)


def resolve_address(address: str | None = None) -> RegistryAddress:
    """The registry to use: ``address``, else ``WORKBENCH_REGISTRY``, else the local one."""
    named = address or os.environ.get(REGISTRY_ENV, "").strip()
    return parse_address(named) if named else local_address()


# -- the workbench's own registry ---------------------------------------------------


@dataclass(frozen=True)
class RegistryStatus:
    """Whether a registry answers, and for the workbench's own: where its files are.

    Attributes:
        address: ``HOST:PORT``.
        url: base URL of its HTTP API.
        answers: ``GET /v2/`` answered as a registry does (200, or 401 asking for auth).
        managed: the workbench started it (its pid file names a live ``docker-registry``).
        pid: the process id when managed.
        data_dir: where it stores blobs (managed only).
        log_path: its log (managed only).
        config_path: its config (managed only).
        error: why it does not answer, when it does not.
    """

    address: str
    url: str
    answers: bool
    managed: bool = False
    pid: int | None = None
    data_dir: str = ""
    log_path: str = ""
    config_path: str = ""
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ping(url: str, timeout: float = 2.0) -> tuple[bool, str]:
    """Ask ``GET /v2/`` whether a registry answers at ``url``.

    Returns:
        ``(True, "")`` when it answers as a registry (200, or 401 asking for
        credentials); ``(False, reason)`` otherwise.
    """
    try:
        response = requests.get(f"{url}/v2/", timeout=timeout)
    except requests.exceptions.RequestException as exc:
        return False, f"no registry answers at {url}: {type(exc).__name__}"
    if response.status_code in (200, 401):
        return True, ""
    return False, f"{url}/v2/ answered HTTP {response.status_code}, not as a registry"


def _read_pid(paths: RegistryPaths) -> int | None:
    try:
        return int(paths.pid.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    """The process runs and is a ``docker-registry`` (not a reused pid, not a zombie)."""
    proc = Path("/proc") / str(pid)
    if Path("/proc/self").exists():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return b"docker-registry" in cmdline and state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _locked(paths: RegistryPaths) -> Iterator[None]:
    """Serialise up/down between processes sharing a workbench home."""
    paths.root.mkdir(parents=True, exist_ok=True)
    with (paths.root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def status(port: int | None = None) -> RegistryStatus:
    """Say whether the workbench's registry answers; never raises.

    Args:
        port: the port to ask (default: the port of the workbench's registry's config,
            else 5000).
    """
    paths = registry_paths()
    pid = _read_pid(paths)
    running = pid is not None and _alive(pid)
    own_port = configured_port(paths)
    address = local_address(port)
    managed = running and (port is None or port == own_port)
    answers, error = ping(address.url)
    return RegistryStatus(
        address=address.host,
        url=address.url,
        answers=answers,
        managed=managed,
        pid=pid if managed else None,
        data_dir=str(paths.data) if managed else "",
        log_path=str(paths.log) if managed else "",
        config_path=str(paths.config) if managed else "",
        error=error,
    )


def _binary() -> str | None:
    return shutil.which("docker-registry") or (
        REGISTRY_BINARY if Path(REGISTRY_BINARY).exists() else None
    )


def _install(paths: RegistryPaths, log: Callable[[str], None]) -> str:
    """Install Debian's ``docker-registry`` when we are root with apt-get."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        raise RegistryError(
            "docker-registry is not installed; install Debian's docker-registry package "
            "(`apt-get install docker-registry` as root) or name your own registry with "
            f"--registry / {REGISTRY_ENV}"
        )
    log("installing Debian's docker-registry package")
    apt_log = paths.root / "apt.log"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with apt_log.open("ab") as out:
        for cmd in (
            ["apt-get", "update", "-q"],
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "docker-registry"],
        ):
            done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
            if done.returncode != 0:
                raise RegistryError(
                    f"`{' '.join(cmd)}` failed (exit {done.returncode}); see {apt_log}"
                )
    binary = _binary()
    if binary is None:
        raise RegistryError("docker-registry installed but not found; reinstall the package")
    return binary


def _last_log_message(log_path: Path) -> str:
    """The last line of the registry's log, its ``msg="..."`` when it has one."""
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    if not lines:
        return ""
    match = re.search(r'msg="((?:[^"\\]|\\.)*)"', lines[-1])
    return match.group(1) if match else lines[-1][-200:]


def up(
    port: int | None = None,
    timeout_s: float = START_TIMEOUT_S,
    log: Callable[[str], None] = lambda line: None,
) -> RegistryStatus:
    """Start the workbench's registry on 127.0.0.1 unless one answers there already.

    Writes the config under ``<home>/registry``, installs Debian's ``docker-registry``
    when it is missing and we are root, starts it in its own session (log and pid file
    beside the config) and waits until ``/v2/`` answers.  Idempotent: when the
    workbench's registry runs, or any registry answers on that port, nothing is started.

    Args:
        port: the TCP port (default 5000).
        timeout_s: how long to wait for ``/v2/`` to answer.
        log: called with one line per step taken.

    Returns:
        The registry's status; it answers.

    Raises:
        RegistryError: it cannot be installed or started, or did not answer in time.
    """
    paths = registry_paths()
    with _locked(paths):
        pid = _read_pid(paths)
        own_port = configured_port(paths)
        if pid is not None and _alive(pid):
            if port is not None and own_port is not None and port != own_port:
                raise RegistryError(
                    f"the workbench's registry already runs on port {own_port}; stop it "
                    f"first (`workbench registry down`) or use --port {own_port}"
                )
            return _wait_until_answers(local_address(own_port), None, paths, timeout_s)
        port = port or DEFAULT_PORT
        address = local_address(port)
        answers, _ = ping(address.url)
        if answers:
            log(f"a registry already answers at {address.host} (not started by the workbench)")
            return status(port)
        binary = _binary() or _install(paths, log)
        paths.data.mkdir(parents=True, exist_ok=True)
        paths.config.write_text(
            render_config(port, paths.data, secrets.token_hex(16)), encoding="utf-8"
        )
        # REGISTRY_* variables would override the config we just wrote
        env = {key: value for key, value in os.environ.items() if not key.startswith("REGISTRY_")}
        log(f"starting {binary} on {address.host} (log: {paths.log})")
        with paths.log.open("ab") as out:
            process = subprocess.Popen(
                [binary, "serve", str(paths.config)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=paths.root,
                env=env,
                start_new_session=True,
            )
        _CHILDREN[process.pid] = process
        paths.pid.write_text(f"{process.pid}\n", encoding="ascii")
        try:
            return _wait_until_answers(address, process, paths, timeout_s)
        except RegistryError:
            _stop(process.pid, paths)
            raise


def _wait_until_answers(
    address: RegistryAddress,
    process: subprocess.Popen | None,
    paths: RegistryPaths,
    timeout_s: float,
) -> RegistryStatus:
    deadline = time.monotonic() + timeout_s
    while True:
        answers, _ = ping(address.url, timeout=1.0)
        if answers:
            return status(int(address.host.rsplit(":", 1)[1]))
        if process is not None and process.poll() is not None:
            message = _last_log_message(paths.log)
            raise RegistryError(
                f"docker-registry exited with code {process.returncode}"
                f"{': ' + message if message else ''}; see {paths.log}"
            )
        if time.monotonic() > deadline:
            raise RegistryError(
                f"docker-registry did not answer at {address.url} within {timeout_s:.0f} s; "
                f"see {paths.log}"
            )
        time.sleep(0.2)


def _stop(pid: int, paths: RegistryPaths, timeout_s: float = 10.0) -> None:
    """Stop a registry process: SIGTERM, then SIGKILL; reap it; drop the pid file."""
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait_s
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not _alive(pid):
            break
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
    paths.pid.unlink(missing_ok=True)


def down(log: Callable[[str], None] = lambda line: None) -> bool:
    """Stop the workbench's registry; its data stays.  Idempotent.

    Returns:
        True when a running registry was stopped, False when none ran.

    Raises:
        RegistryError: it would not stop.
    """
    paths = registry_paths()
    with _locked(paths):
        pid = _read_pid(paths)
        if pid is None or not _alive(pid):
            paths.pid.unlink(missing_ok=True)
            return False
        log(f"stopping docker-registry (pid {pid})")
        _stop(pid, paths)
        if _alive(pid):
            raise RegistryError(f"docker-registry (pid {pid}) would not stop; kill it by hand")
        return True


# -- pushes -------------------------------------------------------------------------


@dataclass(frozen=True)
class PushedLayer:
    """One layer as the registry stores it.

    Attributes:
        index: position in the image, 0 = lowest (the manifest's order).
        digest: digest of the compressed blob.
        size: its stored (compressed) size in bytes, from the manifest.
        media_type: the blob's media type (gzip, zstd, ...).
        diff_id: digest of the uncompressed tar (the image's rootfs), when known.
        reused: the registry already had it, so the push sent nothing for it.
    """

    index: int
    digest: str
    size: int
    media_type: str
    diff_id: str = ""
    reused: bool = False


@dataclass(frozen=True)
class PushResult:
    """What a push measured.

    Attributes:
        image_id: the engine's id of the image pushed.
        source: the reference the user named.
        registry: the registry's ``HOST[:PORT]``.
        reference: where it was pushed (``127.0.0.1:5000/workbench/app:baseline``).
        manifest_digest: digest of the image's manifest in the registry.
        manifest_media_type: docker v2 schema 2 or OCI.
        layers: per layer, as stored.
        config_bytes: size of the image's config blob (not counted in
            :attr:`total_bytes`); ``None`` when read back from the store, which does
            not keep it.
        seconds: how long the push took (tag and push; not the manifest read).
        layers_reused: layers the registry already had (the push skipped them), so
            ``seconds`` is a cold push only when this is 0.
        pushed_at: when (Unix time).
        push_id: its row in the store.
    """

    image_id: str
    source: str
    registry: str
    reference: str
    manifest_digest: str
    manifest_media_type: str
    layers: tuple[PushedLayer, ...]
    config_bytes: int | None
    seconds: float
    layers_reused: int = 0
    pushed_at: float = 0.0
    push_id: int | None = None

    @property
    def total_bytes(self) -> int:
        """The measured compressed size: the sum of the manifest's layer sizes."""
        return sum(layer.size for layer in self.layers)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["total_bytes"] = self.total_bytes
        data["method"] = MEASURED_METHOD
        return data


def target_reference(ref: str, image_id: str, registry_host: str) -> tuple[str, str]:
    """Where an image goes in the registry: ``(HOST/workbench/NAME, TAG)``.

    The repository keeps the image's own path (registry host and ``library/`` dropped)
    under ``workbench/``; the tag is the image's tag, ``latest`` when it has none, and
    ``id-<12 hex>`` for an image named by id or digest.
    """
    hex_id = image_id.split(":", 1)[-1]
    bare = ref.split(":", 1)[1] if ref.startswith("sha256:") else ref
    if "@" in ref or (re.fullmatch(r"[0-9a-f]{6,64}", bare) and hex_id.startswith(bare)):
        return f"{registry_host}/{REPOSITORY_PREFIX}/image", f"id-{hex_id[:12]}"
    name, tag = docker.utils.parse_repository_tag(ref)
    _, path = docker.auth.split_repo_name(name)
    path = path.removeprefix("library/")
    if not path.startswith(f"{REPOSITORY_PREFIX}/"):
        path = f"{REPOSITORY_PREFIX}/{path}"
    return f"{registry_host}/{path}", tag or "latest"


def _short(digest: str) -> str:
    """The 12 hex digits the engine's progress messages name a layer by."""
    return digest.split(":", 1)[-1][:12]


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _push_hint(message: str, address: RegistryAddress) -> str:
    lowered = message.lower()
    if "server gave http response to https client" in lowered:
        return (
            f"; the engine speaks HTTPS to {address.host}: add it to insecure-registries in "
            "/etc/docker/daemon.json, or use a 127.0.0.1 address"
        )
    if "unauthorized" in lowered or "authentication required" in lowered or "denied" in lowered:
        return f"; log the engine in first (`docker login {address.host}`)"
    if "connection refused" in lowered or "no such host" in lowered:
        return (
            f"; the engine cannot reach {address.host}: start the registry "
            "(`workbench registry up`) or name one the engine reaches"
        )
    return ""


def _engine_is_local() -> bool:
    host = engine.engine_host()
    if host.startswith(("unix://", "npipe://")):
        return True
    match = re.match(r"tcp://([^/]+)", host)
    return bool(match) and _is_loopback(match.group(1))


def _credentials(host: str) -> tuple[str, str] | None:
    """Username and password for ``host`` from the docker client config, if any."""
    try:
        conf = docker.auth.load_config().resolve_authconfig(host) or {}
    except (docker.errors.DockerException, OSError, ValueError):
        return None
    user = conf.get("Username") or conf.get("username")
    password = conf.get("Password") or conf.get("password")
    return (user, password) if user and password else None


def _challenge_params(header: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


class _RegistryClient:
    """Just enough of the registry HTTP API to read manifests (token auth included)."""

    def __init__(self, address: RegistryAddress, repository: str) -> None:
        self.address = address
        self.repository = repository
        self.session = requests.Session()
        self.token: str | None = None

    def get(self, path: str, accept: str) -> requests.Response:
        url = f"{self.address.url}/v2/{self.repository}/{path}"
        headers = {"Accept": accept}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.session.get(url, headers=headers, timeout=60)
            if response.status_code == 401 and self.token is None:
                self._authenticate(response.headers.get("WWW-Authenticate", ""))
                if self.token:
                    headers["Authorization"] = f"Bearer {self.token}"
                response = self.session.get(url, headers=headers, timeout=60)
        except requests.exceptions.RequestException as exc:
            raise PushError(
                f"could not read {url}: {_one_line(exc)}; check that the registry answers "
                "(`workbench registry status`)"
            ) from exc
        if response.status_code != 200:
            raise PushError(
                f"the registry answered HTTP {response.status_code} for {url}: "
                f"{_one_line(response.text, 160)}"
            )
        return response

    def _authenticate(self, challenge: str) -> None:
        creds = _credentials(self.address.host)
        scheme = challenge.split(" ", 1)[0].lower()
        if scheme == "basic" and creds:
            self.session.auth = creds
            return
        if scheme != "bearer":
            raise PushError(
                f"the registry at {self.address.host} wants credentials to read manifests; "
                f"`docker login {self.address.host}` first"
            )
        params = _challenge_params(challenge)
        query = {"scope": f"repository:{self.repository}:pull"}
        if params.get("service"):
            query["service"] = params["service"]
        try:
            response = requests.get(params.get("realm", ""), params=query, auth=creds, timeout=30)
            response.raise_for_status()
            body = response.json()
        except (requests.exceptions.RequestException, ValueError) as exc:
            raise PushError(
                f"could not get a pull token from {self.address.host}: {_one_line(exc)}; "
                f"`docker login {self.address.host}` first"
            ) from exc
        self.token = body.get("token") or body.get("access_token")


def _pick_platform(index: dict[str, Any], image_attrs: dict[str, Any]) -> dict[str, Any]:
    """The index entry for the image's platform (attestation entries skipped)."""
    wanted = (image_attrs.get("Os", "linux"), image_attrs.get("Architecture", ""))
    entries = [
        entry
        for entry in index.get("manifests") or []
        if (entry.get("platform") or {}).get("os") not in (None, "unknown")
    ]
    for entry in entries:
        platform = entry.get("platform") or {}
        if (platform.get("os"), platform.get("architecture")) == wanted:
            return entry
    if len(entries) == 1:
        return entries[0]
    raise PushError(
        f"the registry holds an index without a {wanted[0]}/{wanted[1]} manifest; "
        "push a single-platform image"
    )


def fetch_manifest(
    address: RegistryAddress,
    repository: str,
    reference: str,
    image_attrs: dict[str, Any] | None = None,
) -> tuple[str, str, dict[str, Any]]:
    """Read an image manifest (docker v2 schema 2 or OCI) from a registry.

    Args:
        address: the registry.
        repository: the repository path (``workbench/app``), without the host.
        reference: a tag or a manifest digest.
        image_attrs: the engine's ``inspect`` of the image, to pick its platform when
            the registry answers with an index.

    Returns:
        ``(digest, media_type, manifest)``.

    Raises:
        PushError: it cannot be read, or is not a manifest with layer sizes.
    """
    client = _RegistryClient(address, repository)
    accept = ", ".join(MANIFEST_TYPES + INDEX_TYPES)
    for _ in range(2):  # an index, then the platform's manifest
        response = client.get(f"manifests/{reference}", accept)
        try:
            manifest = response.json()
        except ValueError as exc:
            raise PushError(f"the registry's manifest for {repository} is not JSON") from exc
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip() or manifest.get(
            "mediaType", ""
        )
        digest = response.headers.get("Docker-Content-Digest") or (
            "sha256:" + hashlib.sha256(response.content).hexdigest()
        )
        if media_type in INDEX_TYPES or "manifests" in manifest:
            reference = _pick_platform(manifest, image_attrs or {})["digest"]
            continue
        if "layers" not in manifest or "config" not in manifest:
            raise PushError(
                f"the registry served a {media_type or 'schema 1'} manifest for {repository} "
                "without layer sizes; use a registry that speaks docker v2 schema 2 or OCI"
            )
        return digest, media_type, manifest
    raise PushError(f"the registry's index for {repository} points at another index")


def push_image(
    client: docker.DockerClient,
    ref: str,
    registry: str | None = None,
    *,
    store: Store | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    start_local: bool = True,
    log: Callable[[str], None] = lambda line: None,
) -> PushResult:
    """Push an image to a registry and measure what the registry stores.

    Tags the image as ``<registry>/workbench/<name>:<tag>``, pushes it through the
    engine (the SDK's streaming API), reads the manifest back from the registry and
    keeps the per-layer stored sizes and their total in the store.  The extra tag is
    removed afterwards (unless the image has no other tag, which removing would delete).

    Args:
        client: a connected docker client.
        ref: the image: a tag or an id.
        registry: ``HOST[:PORT]`` (default: ``WORKBENCH_REGISTRY``, else the
            workbench's own registry).
        store: where to keep the measurement (default: the workbench's store).
        progress: called with each decoded progress message of the engine.
        start_local: start the workbench's own registry when it is the target and
            does not answer.
        log: called with one line per step taken (starting the registry).

    Returns:
        The measurement, with its id in the store.

    Raises:
        RegistryError: no registry answers there, or the engine cannot reach it.
        PushError: the image is missing, the push failed or the manifest cannot be read.
    """
    address = resolve_address(registry)
    answers, reason = ping(address.url)
    if not answers and address.local and start_local:
        up(port=int(address.host.rsplit(":", 1)[1]), log=log)
        answers = True
    if not answers:
        raise RegistryError(
            f"{reason}; start the workbench's registry (`workbench registry up`) or name a "
            f"running one with --registry / {REGISTRY_ENV}"
        )
    if address.loopback and not _engine_is_local():
        raise RegistryError(
            f"the engine at {engine.engine_host()} cannot reach {address.host} on this "
            f"machine's loopback; name a registry both reach with --registry / {REGISTRY_ENV}"
        )
    image = engine.find_image(client, ref, PushError)
    repository, tag = target_reference(ref, image.id, address.host)
    target = f"{repository}:{tag}"
    had_target = target in image.tags
    started = time.monotonic()
    reused: set[str] = set()  # short diff ids the registry already had
    pushed_digest = ""
    try:
        client.api.tag(image.id, repository, tag)
        stream = client.api.push(repository, tag=tag, stream=True, decode=True)
        for message in stream:
            if progress is not None:
                progress(message)
            if "error" in message or "errorDetail" in message:
                detail = message.get("error") or (message.get("errorDetail") or {}).get("message")
                text = _one_line(detail or "unknown error")
                raise PushError(
                    f"push of {ref} to {address.host} failed: {text}{_push_hint(text, address)}"
                )
            state = str(message.get("status", ""))
            if state == "Layer already exists" or state.startswith("Mounted from"):
                reused.add(str(message.get("id", "")))
            aux = message.get("aux") or {}
            pushed_digest = aux.get("Digest", pushed_digest)
        seconds = time.monotonic() - started
    except docker.errors.APIError as exc:
        text = _one_line(exc.explanation or exc)
        raise PushError(
            f"push of {ref} to {address.host} failed: {text}{_push_hint(text, address)}"
        ) from exc
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise PushError(f"push of {ref} to {address.host} failed: {_one_line(exc)}") from exc
    finally:
        if not had_target and image.tags:
            with contextlib.suppress(docker.errors.DockerException):
                client.api.remove_image(target, noprune=True)
    path = repository.split("/", 1)[1]
    digest, media_type, manifest = fetch_manifest(address, path, pushed_digest or tag, image.attrs)
    diff_ids = list((image.attrs.get("RootFS") or {}).get("Layers") or [])
    blobs = manifest["layers"]
    layers = tuple(
        PushedLayer(
            index=index,
            digest=str(blob.get("digest", "")),
            size=int(blob["size"]),
            media_type=str(blob.get("mediaType", "")),
            diff_id=diff_ids[index] if len(diff_ids) == len(blobs) else "",
            reused=len(diff_ids) == len(blobs) and _short(diff_ids[index]) in reused,
        )
        for index, blob in enumerate(blobs)
    )
    result = PushResult(
        image_id=image.id,
        source=ref,
        registry=address.host,
        reference=target,
        manifest_digest=digest,
        manifest_media_type=media_type,
        layers=layers,
        config_bytes=int((manifest.get("config") or {}).get("size", 0)),
        seconds=round(seconds, 3),
        layers_reused=len(reused),
        pushed_at=time.time(),
    )
    push_id = (store or Store()).save_push(
        image_id=result.image_id,
        registry=result.registry,
        reference=result.reference,
        manifest_digest=result.manifest_digest,
        total_bytes=result.total_bytes,
        layers=[asdict(layer) for layer in result.layers],
        seconds=result.seconds,
        pushed_at=result.pushed_at,
    )
    return replace(result, push_id=push_id)


def measured_push(image_id: str, store: Store | None = None) -> PushResult | None:
    """The newest push of an image from the store (works with the engine down).

    Args:
        image_id: the engine's ``sha256:`` id of the image.
        store: the store (default: the workbench's).

    Returns:
        The measurement, or ``None`` when the image was never pushed.  Its
        ``config_bytes`` is ``None``: the store keeps the layers and their total.
    """
    row = (store or Store()).latest_push(image_id)
    if row is None:
        return None
    layers = tuple(
        PushedLayer(
            index=int(layer.get("index", position)),
            digest=str(layer.get("digest", "")),
            size=int(layer["size"]),
            media_type=str(layer.get("media_type", "")),
            diff_id=str(layer.get("diff_id", "")),
            reused=bool(layer.get("reused", False)),
        )
        for position, layer in enumerate(row["layers"])
    )
    return PushResult(
        image_id=row["image_id"],
        source=row["reference"],
        registry=row["registry"],
        reference=row["reference"],
        manifest_digest=row.get("manifest_digest") or "",
        manifest_media_type="",
        layers=layers,
        config_bytes=None,
        seconds=float(row["seconds"]),
        layers_reused=sum(layer.reused for layer in layers),
        pushed_at=float(row["pushed_at"]),
        push_id=int(row["id"]),
    )


def start_push(
    image_id: str,
    *,
    store: Store | None = None,
    jobs: Jobs | None = None,
    client_factory: Callable[[], docker.DockerClient] = engine.connect,
) -> Job:
    """Push an image in the background (:func:`push_image`, to the default registry).

    Returns:
        The job: new, or the one already queued or running for this image.
    """
    store = store or Store()

    def work() -> None:
        push_image(client_factory(), image_id, store=store, log=lambda line: None)

    return (jobs or process_jobs()).submit(PUSH, image_id, work, short_id(image_id))
