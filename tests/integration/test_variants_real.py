"""The variant transforms against the real tools: ``uv lock`` and BuildKit builds that run.

The build context is tiny (``tests/fixtures/dockerfiles/context``: uv, six and idna), so the
builds take seconds; each image is run once to show it still works.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import docker
import pytest

from tests.conftest import FIXTURES
from workbench.variants import derive_variants, prune_dependencies

CONTEXT = FIXTURES / "dockerfiles" / "context"
BUILDKIT_CLI = "/usr/bin/docker"  # Debian's 20.10 CLI: integrated BuildKit, no buildx needed
TAG = "workbench-test/variants-context"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "context"
    shutil.copytree(CONTEXT, folder)
    return folder


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _lock_names(lock: bytes) -> set[str]:
    return {p["name"] for p in tomllib.loads(lock.decode())["package"]}


def test_pruning_regenerates_the_lock_with_uv(project: Path) -> None:
    before = _hashes(project)
    pruned = prune_dependencies(project, ["idna"])
    assert pruned.dropped == ("idna",)
    assert pruned.removed_packages == ("idna",)
    assert _lock_names(pruned.lock) == {"six", "variants-context"}
    assert '"six>=1.16",  # used by app.py' in pruned.pyproject
    assert _hashes(project) == before, "uv lock ran in a scratch copy"


def _build(folder: Path, name: str, dockerfile: str, extra: dict[str, bytes]) -> str:
    context = folder.parent / f"build-{name}"
    shutil.copytree(folder, context)
    for relative, data in extra.items():
        (context / relative).write_bytes(data)
    (context / "variant.Dockerfile").write_text(dockerfile)
    tag = f"{TAG}:{name}"
    result = subprocess.run(
        [BUILDKIT_CLI, "build", "-q", "-f", "variant.Dockerfile", "-t", tag, "."],
        cwd=context,
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{name}: {result.stderr[-3000:]}"
    return tag


@pytest.mark.docker
def test_variants_build_with_buildkit_and_run(
    project: Path, docker_client: docker.DockerClient, stand_ins
) -> None:
    if not Path(BUILDKIT_CLI).is_file():
        pytest.fail(f"{BUILDKIT_CLI} (a docker CLI with integrated BuildKit) is missing")
    found = {v.name: v for v in derive_variants(project, drop=["idna"])}
    names = ["baseline", "no-cache", "multi-stage", "cache-mount", "combined"]
    sizes: dict[str, int] = {}
    try:
        for name in names:
            variant = found[name]
            assert variant.ok, variant.error
            tag = _build(project, name, variant.dockerfile, dict(variant.extra_files))
            output = docker_client.containers.run(tag, remove=True).decode()
            assert output.strip() == "six 1.17.0", name
            sizes[name] = docker_client.images.get(tag).attrs["Size"]
    finally:
        for name in names:
            with contextlib.suppress(docker.errors.ImageNotFound):
                docker_client.images.remove(f"{TAG}:{name}", force=True)
    assert sizes["no-cache"] < sizes["baseline"], sizes
    assert sizes["cache-mount"] < sizes["baseline"], sizes
    assert abs(sizes["cache-mount"] - sizes["no-cache"]) < 10_000, "no cache in the image"
    assert sizes["multi-stage"] < sizes["no-cache"] - 10_000_000, "uv left in the builder"
    assert sizes["combined"] < sizes["multi-stage"], "idna pruned"
