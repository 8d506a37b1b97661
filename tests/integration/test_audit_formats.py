"""The audit of a pip + requirements.txt project against a real image, without a lock.

The project (``tests/fixtures/audit/pip-image``) installs three small pure-Python
distributions with pip: ``idna`` and ``click``, which the app imports, and
``python-dateutil``, which nothing imports and which pulls in ``six``.  With no uv.lock,
what leaves with ``python-dateutil`` comes from the image's own METADATA (its
``Requires-Dist: six >=1.5``), and the bytes from the image export; a container of the
same image measures them again with ``os.lstat``.
"""

from __future__ import annotations

import contextlib
import json
import shutil

import docker
import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from workbench.audit import run_audit
from workbench.build.service import BuildService, BuildSpec
from workbench.project import load_project
from workbench.store import Store

pytestmark = pytest.mark.docker

PROJECT = FIXTURES / "audit" / "pip-image"
# What removing each distribution frees, measured inside a container: the files its
# RECORD lists (each inode once) and compiled bytecode beside them that RECORD omits.
MEASURE = """
import importlib.metadata as metadata, json, os, sys
out = {}
for name in sys.argv[1:]:
    dist = metadata.distribution(name)
    paths = [os.path.realpath(dist.locate_file(f)) for f in dist.files or ()]
    listed = set(paths)
    for path in [p for p in paths if p.endswith(".py")]:
        folder, base = os.path.split(path)
        cache = os.path.join(folder, "__pycache__")
        if os.path.isdir(cache):
            stem = base[:-3] + "."
            paths += [os.path.join(cache, f) for f in os.listdir(cache)
                      if f.startswith(stem) and f.endswith(".pyc")
                      and os.path.join(cache, f) not in listed]
    seen, total = set(), 0
    for path in paths:
        if os.path.lexists(path):
            st = os.lstat(path)
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    out[name] = total
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def pip_image(docker_client: docker.DockerClient, stand_ins, tmp_path_factory):
    """The fixture project built as it is (pip install -r requirements.txt)."""
    folder = tmp_path_factory.mktemp("formats") / "audit-formats-pip"
    shutil.copytree(PROJECT, folder)
    project = load_project(folder)
    service = BuildService(Store(tmp_path_factory.mktemp("formats-home") / "workbench.db"))
    spec = BuildSpec(project, "baseline", project.dockerfile_text())
    [record] = service.wait([service.submit(spec)], timeout=900)
    assert record.status == "succeeded", f"{record.error}\n{record.log_tail(30)}"
    yield project, spec.tag
    with contextlib.suppress(docker.errors.APIError):
        docker_client.images.remove(spec.tag)


def test_the_unused_requirement_frees_its_exclusive_dependency_measured_in_the_image(
    pip_image, docker_client
) -> None:
    project, tag = pip_image
    audit = run_audit(project, image=tag, client=docker_client, save=False)
    assert audit.names_from == "image" and audit.image == tag
    assert audit.declared == ("idna", "click", "python-dateutil")
    assert audit.graph is not None and audit.graph.source == "image"
    [candidate] = audit.candidates
    assert (candidate.name, candidate.kind, candidate.certainty, candidate.selected) == (
        "python-dateutil",
        "unused",
        "certain",
        True,
    )
    assert candidate.requirement == "python-dateutil==2.9.0.post0"
    assert candidate.packages == ("python-dateutil", "six")  # from the image's Requires-Dist
    dateutil, six = audit.sizes["python-dateutil"], audit.sizes["six"]
    assert dateutil > 100_000 and six > 10_000
    assert candidate.bytes == dateutil + six == audit.total_bytes
    # the same bytes, measured by the image itself
    out = docker_client.containers.run(
        tag, ["python", "-c", MEASURE, "python-dateutil", "six", "idna", "click"], remove=True
    )
    measured = json.loads(out)
    assert measured["python-dateutil"] == dateutil and measured["six"] == six
    # the used ones: listed with what dropping them alone would free
    assert audit.frees == {
        "idna": measured["idna"],
        "click": measured["click"],  # colorama is Windows-only: nothing else leaves
        "python-dateutil": dateutil + six,
    }
    assert not audit.warnings


def test_the_cli_audit_of_a_requirements_project_prints_json(pip_image) -> None:
    from workbench.cli import app

    project, tag = pip_image
    result = CliRunner().invoke(app, ["audit", str(project.path), "--image", tag, "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["declared"] == ["idna", "click", "python-dateutil"]
    assert [(c["name"], c["packages"]) for c in data["candidates"]] == [
        ("python-dateutil", ["python-dateutil", "six"])
    ]
    assert data["candidates"][0]["bytes"] == data["frees"]["python-dateutil"] > 0
    assert data["frees"]["idna"] > 0 and data["frees"]["click"] > 0
