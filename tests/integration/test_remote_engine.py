"""The workbench against a second engine it reaches over TCP and whose storage it cannot read.

A second ``dockerd`` starts for this module, listening only on
``tcp://127.0.0.1:<free port>``:

* in a mount namespace of its own (``unshare --mount --propagation private``), where a
  tmpfs holds its data root and exec root: from outside, the data root is an empty
  folder, so the overlay2 fast path cannot read its layers and must fall back to the
  export;
* with its own containerd (dockerd's supervised one, under its exec root): a tmpfs over
  ``/run/containerd`` in its namespace hides a system containerd's socket and keeps the
  shims' sockets in there; another over ``/etc/docker`` gives it its own key (engine id)
  and no ``daemon.json``; others over ``/var/lib/docker`` and ``/run/docker`` keep the
  first engine's folders out of its reach;
* with its own bridge, made for it (``wbre`` and 6 hex digits, a free 10.213.X.0/24),
  ``--iptables=false`` and ``--ip-forward=false``: the only firewall rules are the three
  added here, each naming that bridge (masquerade and forward, so builds reach PyPI);
* its own pidfile, and a ``daemon.json`` of its own (``{}``).

It shares this machine's network namespace, so a port it publishes on 127.0.0.1 (its
``docker-proxy``) is this machine's 127.0.0.1 and the smoke test's HTTP probe reaches it.
That is true of an engine reached at a loopback address only; for one on another machine
the workbench refuses the HTTP check and a command check (``check=...``), run inside the
container, is what works: both are tested here.

The stand-in base images the tiny fixture needs are loaded from the first engine
(``docker save | docker -H tcp://... load``, a few seconds; the engine itself answers
about 1.2 s after start).  The namespace stays pinned by an open descriptor until
teardown, so "the processes in it" are the engine's and nobody else's (a freed
namespace's number is soon another container's).  Teardown, however the tests went:
the engine's containers removed, SIGTERM to the engine's pid (SIGKILL after 30 s), then
SIGKILL through pidfds to whatever is left in its namespace and below (containerd,
shims, docker-proxy, a killed engine's containers, whose empty cgroups are removed), its
tmpfs unmounted in its namespace, the namespace let go, the firewall rules and the bridge
deleted, its folder removed; the last test checks that nothing is left, and so does the
fixture.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import docker
import docker.errors
import pytest

from tests.conftest import TINY_PROJECT
from workbench import engine
from workbench.analysis import analyze_image
from workbench.build.service import BuildService, BuildSpec
from workbench.checks.smoke import run_smoke
from workbench.engine.bootstrap import PYTHON_REF, UV_REF
from workbench.errors import AnalysisError, EngineUnavailable, SmokeError
from workbench.labels import SMOKE, VARIANT
from workbench.project import load_project
from workbench.store import Store

pytestmark = pytest.mark.docker

BASE_IMAGES = (PYTHON_REF, UV_REF)  # what tests/fixtures/tiny builds FROM
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
TMPFS_SIZE = "4g"  # a limit, not a reservation: the module uses about 0.7 GB
HEALTH_CHECK = [
    "python",
    "-c",
    "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)",
]

# Runs as: sh -c START_SCRIPT sh BASE DOCKERD PORT BRIDGE, in the new mount namespace.
START_SCRIPT = r"""
set -eu
base=$1 dockerd=$2 port=$3 bridge=$4
if grep -q ' shared:' /proc/self/mountinfo; then
    echo "mount propagation is not private here: refusing to mount anything" >&2
    exit 90
fi
mount -t tmpfs -o size=$TMPFS_SIZE,mode=0711 wbre-data "$base/ns"
mkdir "$base/ns/data" "$base/ns/exec"
for folder in /run/containerd /etc/docker /var/lib/docker /run/docker; do
    if [ -d "$folder" ]; then mount -t tmpfs -o mode=0711 wbre-hide "$folder"; fi
done
exec "$dockerd" -H "tcp://127.0.0.1:$port" \
    --data-root "$base/ns/data" --exec-root "$base/ns/exec" \
    --pidfile "$base/dockerd.pid" --config-file "$base/daemon.json" \
    --bridge "$bridge" --iptables=false --ip-forward=false --storage-driver overlay2 \
    --containerd-namespace wbre --containerd-plugins-namespace wbre-plugins
"""


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=check)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _free_subnet() -> ipaddress.IPv4Network:
    """A /24 in 10.213.0.0/16 that no route or address of this machine overlaps."""
    used = []
    for line in _run("ip", "-4", "-o", "route", "show", "table", "all").stdout.splitlines():
        for word in line.split()[:2]:  # "10.0.0.0/8 dev ...", "local 127.0.0.1 dev lo ..."
            with contextlib.suppress(ValueError):
                used.append(ipaddress.ip_network(word, strict=False))
                break
    for line in _run("ip", "-4", "-o", "addr").stdout.splitlines():
        words = line.split()
        if "inet" in words:
            used.append(ipaddress.ip_interface(words[words.index("inet") + 1]).network)
    start = secrets.randbelow(200)
    for offset in range(200):
        net = ipaddress.ip_network(f"10.213.{40 + (start + offset) % 200}.0/24")
        if not any(net.overlaps(other) for other in used):
            return net
    raise RuntimeError("no free 10.213.X.0/24 for the second engine's bridge")


def _mount_ns(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/mnt")
    except OSError:
        return None


def _parents() -> dict[int, int]:
    """Every process's parent: pid -> ppid."""
    parents = {}
    for entry in os.listdir("/proc"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
    return parents


def _processes_in(namespace: str) -> set[int]:
    """The processes in the mount namespace ``namespace``, and their descendants (the
    containers' processes have mount namespaces of their own, their shims are in it).

    Only meaningful while the namespace is pinned (see :class:`SecondEngine`): a freed
    namespace's number is soon given to another (a container of the first engine).
    """
    parents = _parents()
    ours = {pid for pid in parents if _mount_ns(pid) == namespace}
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in ours and pid not in ours}
        ours |= more
        grew = bool(more)
    return {pid for pid in ours if _alive(pid)}


def _kill_all(namespace: str) -> None:
    """SIGKILL every process of :func:`_processes_in`, through pidfds opened before any
    signal (a killed shim's container would otherwise be reparented, no longer "ours"),
    each checked to be ours once its pidfd holds it (no pid reuse in between)."""
    handles = {}
    for pid in _processes_in(namespace):
        with contextlib.suppress(ProcessLookupError):
            handles[pid] = os.pidfd_open(pid)
    try:
        ours = _processes_in(namespace)
        for pid, handle in handles.items():
            if pid in ours:
                with contextlib.suppress(ProcessLookupError):
                    signal.pidfd_send_signal(handle, signal.SIGKILL)
    finally:
        for handle in handles.values():
            os.close(handle)


def _processes_naming(text: str) -> list[int]:
    """The pids whose command line mentions ``text`` (the engine's folder)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if text.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                pids.append(int(entry))
    return pids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _elapsed(started: float) -> float:
    return round(time.monotonic() - started, 2)


@dataclass
class SecondEngine:
    """A second dockerd on tcp://127.0.0.1:PORT, its storage in a mount namespace of its own.

    The namespace is pinned by an open file descriptor from start to the end of
    :meth:`stop`: while it is open the namespace (and its number) cannot go, so "the
    processes in it" are ours and no one else's; closing it ends the namespace.
    """

    base: Path
    bridge: str
    subnet: ipaddress.IPv4Network
    port: int
    process: subprocess.Popen | None = None
    namespace: str | None = None
    namespace_fd: int | None = None
    rules: list[tuple[str, ...]] = field(default_factory=list)
    bridge_made: bool = False
    container_ids: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def data_root(self) -> Path:
        return self.base / "ns" / "data"

    @property
    def pidfile(self) -> Path:
        return self.base / "dockerd.pid"

    @property
    def log(self) -> Path:
        return self.base / "dockerd.log"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    # start -----------------------------------------------------------------------------

    def start(self) -> None:
        started = time.monotonic()
        gateway = next(self.subnet.hosts())
        _run("ip", "link", "add", self.bridge, "type", "bridge")
        self.bridge_made = True
        _run("ip", "addr", "add", f"{gateway}/{self.subnet.prefixlen}", "dev", self.bridge)
        _run("ip", "link", "set", self.bridge, "up")
        if shutil.which("iptables"):  # builds reach PyPI through here; each rule names the bridge
            for table, chain, *rule in (
                ("nat", "POSTROUTING", "-s", str(self.subnet), "!", "-o", self.bridge,
                 "-j", "MASQUERADE"),
                ("filter", "FORWARD", "-i", self.bridge, "!", "-o", self.bridge, "-j", "ACCEPT"),
                ("filter", "FORWARD", "-o", self.bridge, "-m", "conntrack",
                 "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
            ):  # fmt: skip
                _run("iptables", "-w", "-t", table, "-A", chain, *rule)
                self.rules.append((table, chain, *rule))
        (self.base / "ns").mkdir()
        (self.base / "daemon.json").write_text("{}\n")
        dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["unshare", "--mount", "--propagation", "private", "--",
                 "sh", "-c", START_SCRIPT, "sh", str(self.base), dockerd, str(self.port),
                 self.bridge],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "TMPFS_SIZE": TMPFS_SIZE},
                start_new_session=True,
            )  # fmt: skip
        self._pin_namespace()
        client = docker.DockerClient(base_url=self.host, version="1.41", timeout=10)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if not self.running:
                    raise RuntimeError(
                        f"the second engine exited with code {self.process.returncode}:\n"
                        + self.log_tail()
                    )
                with contextlib.suppress(docker.errors.DockerException, OSError):
                    if client.ping():
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the second engine did not answer within {START_TIMEOUT_S} s:\n"
                        + self.log_tail()
                    )
                time.sleep(0.05)
        finally:
            client.close()
        self.timings["start_s"] = _elapsed(started)

    def _pin_namespace(self) -> None:
        """Open the engine's mount namespace as soon as unshare has made it."""
        assert self.process is not None
        own = _mount_ns(os.getpid())
        deadline = time.monotonic() + 10
        while self.running and time.monotonic() < deadline:
            namespace = _mount_ns(self.process.pid)
            if namespace is not None and namespace != own:
                handle = os.open(f"/proc/{self.process.pid}/ns/mnt", os.O_RDONLY)
                if os.readlink(f"/proc/self/fd/{handle}") == namespace:
                    self.namespace, self.namespace_fd = namespace, handle
                    return
                os.close(handle)
            time.sleep(0.005)
        raise RuntimeError("unshare made no mount namespace:\n" + self.log_tail())

    def load(self, images: tuple[str, ...], first_engine_env: dict[str, str]) -> None:
        """``docker save`` from the first engine piped into ``docker load`` on this one."""
        started = time.monotonic()
        cli = shutil.which("docker") or "/usr/bin/docker"
        save = subprocess.Popen(
            [cli, "save", *images], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=first_engine_env,
        )  # fmt: skip
        load = subprocess.run(
            [cli, "-H", self.host, "load", "-q"], stdin=save.stdout, capture_output=True,
            env=first_engine_env,
        )  # fmt: skip
        assert save.stdout is not None
        save.stdout.close()
        save_err = save.communicate()[1]
        assert save.returncode == 0 and load.returncode == 0, save_err.decode(
            errors="replace"
        ) + load.stderr.decode(errors="replace")
        self.timings["load_s"] = _elapsed(started)

    # stop ------------------------------------------------------------------------------

    def stop(self) -> list[str]:
        """Stop the engine by its pid and remove all it had; idempotent.

        Returns:
            What could not be cleaned up (empty when all went).
        """
        problems: list[str] = []
        started = time.monotonic()
        if self.running:
            assert self.process is not None
            with contextlib.suppress(Exception):  # a smoke test killed mid-way left one
                client = docker.DockerClient(base_url=self.host, version="1.41", timeout=20)
                for container in client.containers.list(all=True):
                    container.remove(force=True)
                client.close()
            self.process.send_signal(signal.SIGTERM)  # our child: its pid is dockerd's
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                problems.append(f"dockerd {self.process.pid} ignored SIGTERM for 30 s: killed")
                self.process.kill()
                self.process.wait(timeout=10)
        if self.namespace_fd is not None:
            problems += self._empty_namespace()
        for table, chain, *rule in reversed(self.rules):
            done = _run("iptables", "-w", "-t", table, "-D", chain, *rule, check=False)
            if done.returncode != 0:
                problems.append(f"iptables -t {table} -D {chain} {' '.join(rule)}: {done.stderr}")
        self.rules.clear()
        if self.bridge_made:
            done = _run("ip", "link", "del", self.bridge, check=False)
            if done.returncode != 0 and _bridge_exists(self.bridge):
                problems.append(f"ip link del {self.bridge}: {done.stderr.strip()}")
            self.bridge_made = False
        # the tmpfs was mounted only in the engine's namespace; were it mounted here,
        # removing the folder would empty a live engine's storage: refuse then
        if _mounts_under(self.base):
            problems.append(f"still mounted here: {_mounts_under(self.base)}")
        elif self.base.exists():
            shutil.rmtree(self.base, ignore_errors=True)
        self.timings.setdefault("stop_s", _elapsed(started))
        return problems

    def _empty_namespace(self) -> list[str]:
        """SIGKILL what is left in the pinned namespace (containerd, shims, docker-proxy),
        unmount the data root in it, and let it go."""
        assert self.namespace is not None and self.namespace_fd is not None
        problems = []
        deadline = time.monotonic() + 10
        while left := _processes_in(self.namespace):
            if time.monotonic() > deadline:
                problems.append(f"processes left in {self.namespace}: {sorted(left)}")
                break
            _kill_all(self.namespace)
            time.sleep(0.05)
        in_namespace = ["nsenter", f"--mount=/proc/{os.getpid()}/fd/{self.namespace_fd}", "--"]
        containers = self.data_root / "containers"
        listed = _run(*in_namespace, "ls", str(containers), check=False).stdout.split()
        self.container_ids += [name for name in listed if len(name) == 64]
        for folder in _cgroups_of(self.container_ids):  # a killed engine's, left empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        # the tmpfs, and what a killed engine left mounted on it (overlays, netns files)
        if _run(*in_namespace, "umount", "-R", str(self.base / "ns"), check=False).returncode:
            _run(*in_namespace, "umount", "-R", "-l", str(self.base / "ns"), check=False)
        mounts = _run(*in_namespace, "cat", "/proc/self/mountinfo", check=False).stdout
        mounted = [line.split()[4] for line in mounts.splitlines() if str(self.base) in line]
        if mounted:
            problems.append(f"still mounted in its namespace: {mounted}")
        os.close(self.namespace_fd)  # the namespace ends with it, and its tmpfs mounts
        self.namespace_fd = None
        return problems

    def leftovers(self) -> list[str]:
        """Whatever of this engine is still there: processes, bridge, rules, mounts, folders."""
        left = []
        if self.running:
            left.append(f"dockerd pid {self.pid} is running")
        if self.namespace_fd is not None:
            left.append(f"its mount namespace {self.namespace} is still open")
        naming = _processes_naming(str(self.base))
        if naming:  # dockerd (--pidfile), containerd (its config), shims (their address)
            left.append(f"processes naming {self.base}: {naming}")
        if _bridge_exists(self.bridge):
            left.append(f"bridge {self.bridge}")
        for table in ("filter", "nat"):
            rules = _run("iptables", "-w", "-t", table, "-S", check=False).stdout
            left += [f"iptables: {line}" for line in rules.splitlines() if self.bridge in line]
        mounted = _mounts_under(self.base)
        if mounted:
            left.append(f"mounts: {mounted}")
        left += [f"cgroup {folder}" for folder in _cgroups_of(self.container_ids)]
        if self.base.exists():
            left.append(f"folder {self.base}")
        return left


def _bridge_exists(name: str) -> bool:
    return _run("ip", "link", "show", name, check=False).returncode == 0


def _cgroups_of(container_ids: list[str]) -> list[Path]:
    """The cgroup folders (cgroupfs driver, v1 or v2) of these containers, if any are left."""
    root = Path("/sys/fs/cgroup")
    found = []
    for container_id in container_ids:
        found += [*root.glob(f"*/docker/{container_id}"), *root.glob(f"docker/{container_id}")]
    return found


def _mounts_under(base: Path) -> list[str]:
    """Mount points under ``base`` in this process's mount namespace."""
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4]
        if point == str(base) or point.startswith(f"{base}/"):
            points.append(point)
    return points


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_engine(docker_client: docker.DockerClient, stand_ins) -> docker.DockerClient:
    """The first engine (made before DOCKER_HOST moves), with the stand-ins on it."""
    return docker_client


@pytest.fixture(scope="module")
def second_engine(first_engine: docker.DockerClient):
    """A second engine on tcp://127.0.0.1:PORT, DOCKER_HOST pointing at it; gone afterwards."""
    first_env = dict(os.environ)
    base = Path(tempfile.mkdtemp(prefix="wbre-", dir="/tmp"))
    second = SecondEngine(base, f"wbre{secrets.token_hex(3)}", _free_subnet(), _free_port())
    try:
        second.start()
        second.load(BASE_IMAGES, first_env)
    except BaseException as exc:
        problems = second.stop()
        if problems:
            exc.add_note(f"and its teardown left: {problems}")
        raise
    print(
        f"\n[remote] second engine {second.host} (pid {second.pid}, bridge {second.bridge} "
        f"{second.subnet}, namespace {second.namespace}): up in {second.timings['start_s']} s, "
        f"{', '.join(BASE_IMAGES)} loaded from the first engine in {second.timings['load_s']} s"
    )
    with pytest.MonkeyPatch.context() as patch:  # the SDK and the docker CLI (subprocesses)
        patch.setenv("DOCKER_HOST", second.host)
        for name in ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
            patch.delenv(name, raising=False)
        try:
            yield second
        finally:
            problems = second.stop()
            print(f"[remote] second engine stopped in {second.timings['stop_s']} s")
            assert not problems, problems
            assert not second.leftovers(), second.leftovers()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store(tmp_path_factory.mktemp("remote-home") / "workbench.db")


def _build(store: Store, builder: str) -> tuple[str, str, float]:
    """The tiny fixture built by ``builder`` on the engine DOCKER_HOST names: (tag, id, s)."""
    project = load_project(TINY_PROJECT)
    spec = BuildSpec(project, f"remote-{builder}", project.dockerfile_text(), builder=builder)
    service = BuildService(store)
    started = time.monotonic()
    build_id = service.submit(spec)
    (record,) = service.wait([build_id], timeout=600)
    seconds = _elapsed(started)
    assert record.status == "succeeded", f"{record.error}\n{record.log_tail(30)}"
    assert record.builder == builder
    print(f"\n[remote] {builder} build of tests/fixtures/tiny on the second engine: {seconds} s")
    return spec.tag, record.image_id, seconds


@pytest.fixture(scope="module")
def buildkit_image(second_engine: SecondEngine, store: Store) -> tuple[str, str]:
    tag, image_id, _ = _build(store, "buildkit")
    return tag, image_id


@pytest.fixture(scope="module")
def classic_image(second_engine: SecondEngine, store: Store) -> tuple[str, str]:
    tag, image_id, _ = _build(store, "classic")
    return tag, image_id


# -- tests ------------------------------------------------------------------------------


def test_the_workbench_reaches_the_second_engine_and_cannot_read_its_storage(
    second_engine: SecondEngine, first_engine: docker.DockerClient
) -> None:
    assert engine.engine_host() == second_engine.host
    client = engine.connect()
    info = client.info()
    assert info["DockerRootDir"] == str(second_engine.data_root)
    assert info["ID"] != first_engine.info()["ID"]  # its own key, not /etc/docker's
    assert Path(second_engine.pidfile).read_text().strip() == str(second_engine.pid)
    assert second_engine.namespace == _mount_ns(second_engine.pid) != _mount_ns(os.getpid())
    python = client.api.inspect_image(PYTHON_REF)
    assert python["Id"] == first_engine.api.inspect_image(PYTHON_REF)["Id"]  # loaded, not made
    upper = Path(python["GraphDriver"]["Data"]["UpperDir"])
    assert upper.is_relative_to(second_engine.data_root) and not upper.exists()
    assert list(second_engine.data_root.parent.iterdir()) == []  # an empty folder from here
    assert engine.engine_on_this_machine(client)  # TCP at a loopback address


def test_buildkit_builds_the_tiny_fixture_there(
    buildkit_image: tuple[str, str], first_engine: docker.DockerClient
) -> None:
    tag, image_id = buildkit_image
    image = engine.connect().images.get(tag)
    assert image.id == image_id
    assert image.labels[VARIANT] == "remote-buildkit"
    with pytest.raises(docker.errors.ImageNotFound):
        first_engine.images.get(image_id)  # built on the second engine, not the first


def test_the_classic_builder_builds_the_tiny_fixture_there(
    classic_image: tuple[str, str], first_engine: docker.DockerClient
) -> None:
    tag, image_id = classic_image
    image = engine.connect().images.get(tag)
    assert image.id == image_id
    assert image.labels[VARIANT] == "remote-classic"
    with pytest.raises(docker.errors.ImageNotFound):
        first_engine.images.get(image_id)


@pytest.mark.parametrize("built", ["buildkit_image", "classic_image"])
def test_the_analysis_falls_back_to_the_export_and_matches_the_engines_size(
    built: str, request: pytest.FixtureRequest
) -> None:
    tag, image_id = request.getfixturevalue(built)
    client = engine.connect()
    started = time.monotonic()
    subprocess.run(  # the baseline: the engine's own export of the image, through the CLI
        [shutil.which("docker") or "/usr/bin/docker", "save", tag],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    saved_s = time.monotonic() - started
    started = time.monotonic()
    result = analyze_image(client, tag, compress=False)  # source="auto"
    analysed_s = time.monotonic() - started
    print(
        f"\n[remote] {built}: analysis through the export {analysed_s:.2f} s, "
        f"docker save {saved_s:.2f} s, ratio {analysed_s / saved_s:.2f}"
    )
    assert result.layout == "docker-archive"  # the export, not "overlay2"
    inspect = client.api.inspect_image(tag)
    assert result.image_id == image_id == inspect["Id"]
    assert result.size_bytes == inspect["Size"] == result.engine_size_bytes
    assert sum(result.components.values()) == result.size_bytes
    assert [layer.bytes for layer in result.layers] == [
        layer.engine_bytes for layer in result.layers
    ]
    with pytest.raises(AnalysisError, match="not readable here"):
        analyze_image(client, tag, compress=False, source="overlay2")


def test_workbench_analyze_asks_the_engine_docker_host_names(
    buildkit_image: tuple[str, str],
) -> None:
    """The command line (a subprocess, as people run it) takes DOCKER_HOST too: the
    image is on the second engine only, so any shortcut to the local socket would fail."""
    tag, image_id = buildkit_image
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "analyze", tag, "--json", "--no-compress"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    inspect = engine.connect().api.inspect_image(tag)
    assert (figures["image_id"], figures["layout"]) == (image_id, "docker-archive")
    assert figures["size_bytes"] == inspect["Size"] == sum(figures["components"].values())


def test_the_smoke_test_passes_over_http_and_with_a_command_check(
    classic_image: tuple[str, str], store: Store
) -> None:
    tag, image_id = classic_image
    client = engine.connect()
    # HTTP: the engine's docker-proxy listens on this machine's 127.0.0.1, since the second
    # engine shares this machine's network namespace (as any engine on a loopback address)
    result = run_smoke(tag, client=client, store=store)
    assert result.passed, result.error + "\n" + result.log_tail
    assert (result.mode, result.http_status, result.image_id) == ("http", 200, image_id)
    assert result.host_port
    # a command run inside the container: works with any engine, wherever it runs
    result = run_smoke(tag, check=HEALTH_CHECK, client=client, store=store)
    assert result.passed, result.error + "\n" + result.log_tail
    assert result.mode == "command"
    assert not client.containers.list(all=True, filters={"label": SMOKE})


class _Elsewhere:
    """The second engine's client, saying it reached the engine at a build host's address
    (what a client for ``DOCKER_HOST=tcp://build-host:2376`` says); every call goes to
    the second engine."""

    class _API:
        base_url = "https://build-host.example:2376"

        def __init__(self, api) -> None:
            self._api = api

        def __getattr__(self, name: str):
            return getattr(self._api, name)

    def __init__(self, client: docker.DockerClient) -> None:
        self._client, self.api = client, self._API(client.api)

    def __getattr__(self, name: str):
        return getattr(self._client, name)


def test_an_engine_elsewhere_gets_the_command_check_and_no_http_probe(
    classic_image: tuple[str, str], store: Store
) -> None:
    tag, _ = classic_image
    client = engine.connect()
    elsewhere = _Elsewhere(client)
    assert not engine.engine_on_this_machine(elsewhere)
    with pytest.raises(SmokeError, match="publishes the container's port on its own loopback"):
        run_smoke(tag, client=elsewhere, store=store)  # refused before any container starts
    assert not client.containers.list(all=True, filters={"label": SMOKE})
    result = run_smoke(tag, check=HEALTH_CHECK, client=elsewhere, store=store)
    assert result.passed, result.error + "\n" + result.log_tail
    assert result.mode == "command"


@pytest.mark.parametrize(
    ("address", "here"),
    [
        ("unix:///var/run/docker.sock", True),
        ("http+docker://localhost", True),  # the SDK's base_url for a socket
        ("tcp://127.0.0.1:2375", True),
        ("tcp://alice:secret@localhost:2375", True),
        ("http://[::1]:2375", True),
        ("tcp://build-host.example:2376", False),
        ("https://192.0.2.10:2376", False),
        ("ssh://me@build-host", False),
        ("http+docker://ssh", False),  # the SDK's base_url for ssh://
    ],
)
def test_only_an_engine_on_this_machine_gets_the_http_check(address: str, here: bool) -> None:
    assert engine.on_this_machine(address) is here


def test_the_second_engine_stops_and_leaves_nothing_behind(second_engine: SecondEngine) -> None:
    pid, bridge, base = second_engine.pid, second_engine.bridge, second_engine.base
    problems = second_engine.stop()
    assert not problems, problems
    print(f"\n[remote] stopped by pid {pid} in {second_engine.timings['stop_s']} s")
    assert second_engine.leftovers() == []
    assert second_engine.process is not None and second_engine.process.returncode is not None
    assert not _bridge_exists(bridge)
    assert not base.exists() and not _mounts_under(base)
    with pytest.raises(EngineUnavailable):  # DOCKER_HOST still names it: nothing answers
        engine.connect(timeout=2)
    assert _bridge_exists("docker0")  # the first engine's bridge is untouched
