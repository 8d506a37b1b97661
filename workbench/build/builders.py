"""The builders this machine can use with the current engine, and the choice of one.

* **BuildKit** through a docker CLI: ``docker buildx build`` where the buildx plugin
  exists, else the CLI's integrated BuildKit (``DOCKER_BUILDKIT=1 docker build``, docker
  CLIs before 23 such as Debian's 20.10 ``/usr/bin/docker``); see
  :mod:`workbench.build.buildkit`.  The default wherever it exists, because real
  Dockerfiles use its syntax (``RUN --mount``, heredocs, ``COPY --link``).
* **classic**: the engine's own builder through the docker SDK's streaming API, the
  fallback; see :mod:`workbench.build.classic`.

Both take the same build context (:mod:`workbench.build.context`) and report progress
the same way (:mod:`workbench.build.progress`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from workbench.errors import BuildError
from workbench.home import workbench_home


@dataclass(frozen=True)
class BuilderInfo:
    """A way to build images on the current engine."""

    name: str  # "buildkit" or "classic"
    description: str
    cli: str | None = None
    buildx: bool = False


def _cli_candidates() -> list[str]:
    found = [shutil.which("docker"), "/usr/bin/docker"]
    return list(dict.fromkeys(path for path in found if path and os.access(path, os.X_OK)))


def _quiet(cmd: list[str]) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


# Where docker CLIs look for plugins (buildx among them); see docker's cli/cli-plugins.
_PLUGIN_DIRS = (
    "~/.docker/cli-plugins",
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
)
PROBE_CACHE_VERSION = 2


def _probe_key(clis: list[str]) -> list[list[object]]:
    """What the probe's answer depends on: the CLIs and their plugin folders, as files."""
    key: list[list[object]] = [[PROBE_CACHE_VERSION]]
    folders = [os.path.expanduser(folder) for folder in _PLUGIN_DIRS]
    if os.environ.get("DOCKER_CONFIG"):
        folders.append(os.path.join(os.environ["DOCKER_CONFIG"], "cli-plugins"))
    for path in [*clis, *folders]:
        try:
            info = os.stat(path)
        except OSError:
            continue
        key.append([path, info.st_mtime_ns, info.st_size])
    return key


@functools.lru_cache(maxsize=8)
def _probe(docker_host: str) -> tuple[BuilderInfo, ...]:
    """The builders here, remembered on disk until a CLI or a plugin folder changes
    (asking the CLIs takes four processes, ~0.1 s, on every `workbench build`)."""
    clis = _cli_candidates()
    key = _probe_key(clis)
    cache = workbench_home() / "cache" / "builders.json"
    try:
        cached = json.loads(cache.read_text())
        if cached["key"] == key:
            return tuple(BuilderInfo(**item) for item in cached["builders"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    builders, complete = _ask_clis(clis)
    if not complete:  # a CLI did not answer: ask again next time rather than remember
        return builders
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        partial.write_text(
            json.dumps({"key": key, "builders": [dataclasses.asdict(b) for b in builders]})
        )
        partial.replace(cache)
    return builders


def _ask_clis(clis: list[str]) -> tuple[tuple[BuilderInfo, ...], bool]:
    """The builders the CLIs offer, and whether every CLI asked answered.

    Client-only questions (``buildx version``, ``--version``): the engine need not be up.
    """
    builders = []
    complete = True
    for cli in clis:
        buildx = _quiet([cli, "buildx", "version"])
        if buildx is not None and buildx.returncode == 0:
            builders.append(BuilderInfo("buildkit", f"BuildKit (docker buildx, {cli})", cli, True))
            break
        version = _quiet([cli, "--version"])
        complete = complete and buildx is not None and version is not None
        found = re.search(r"version (\d+)\.([\w.+~-]*)", version.stdout) if version else None
        if found and int(found.group(1)) < 23:
            number = f"{found.group(1)}.{found.group(2)}".rstrip(",")
            builders.append(
                BuilderInfo(
                    "buildkit",
                    f"BuildKit (DOCKER_BUILDKIT=1, docker CLI {number} at {cli})",
                    cli,
                )
            )
            break
    builders.append(BuilderInfo("classic", "classic builder (engine API through the SDK)"))
    return tuple(builders), complete


def available_builders() -> list[BuilderInfo]:
    """The builders this machine can use with the current engine, preferred first."""
    return list(_probe(os.environ.get("DOCKER_HOST", "")))


def choose_builder(name: str | None, dockerfile_text: str) -> BuilderInfo:
    """Pick a builder by name (None: the preferred one) and check it fits the Dockerfile.

    Raises:
        BuildError: the named builder does not exist here, or the Dockerfile needs
            BuildKit and none is available.
    """
    builders = available_builders()
    if name is None:
        chosen = builders[0]
    else:
        chosen = next((b for b in builders if b.name == name), None)
        if chosen is None:
            raise BuildError(
                f"no {name} builder here; available: {', '.join(b.name for b in builders)}"
            )
    from workbench.variants.syntax import buildkit_features  # only when a build is asked for

    features = buildkit_features(dockerfile_text) if chosen.name == "classic" else ()
    if features:
        hint = (
            "pick the buildkit builder"
            if any(b.name == "buildkit" for b in builders)
            else "install a docker CLI with BuildKit (Debian's docker.io ships one) or buildx"
        )
        more = f" and {len(features) - 2} more" if len(features) > 2 else ""
        raise BuildError(
            f"this Dockerfile needs BuildKit ({'; '.join(features[:2])}{more}), which the "
            f"classic builder rejects: {hint}"
        )
    return chosen
