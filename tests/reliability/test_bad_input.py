"""Bad input: one line naming the fix, exit code 2, no traceback; the core raises errors.

The CLI runs in a subprocess (``python -m workbench.cli``) with ``DOCKER_HOST``
pointing at a closed port, so no test here needs an engine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import TINY_PROJECT
from workbench.analysis import load_rules
from workbench.build.context import DOCKERFILE_NAME, make_context
from workbench.build.progress import (
    BuildProgress,
    describe_failure,
    parse_buildkit_line,
    parse_classic_event,
)
from workbench.errors import AnalysisError, PlanError, ProjectError, VariantError
from workbench.project import load_project
from workbench.project.plan import load_plan
from workbench.variants import derive_variant


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would, with no engine reachable."""
    env = {
        **os.environ,
        "WORKBENCH_HOME": str(home),
        "DOCKER_HOST": f"tcp://127.0.0.1:{_closed_port()}",
    }
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Check a CLI run failed with exit 2 and one line on stderr; return that line."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    for needle in needles:
        assert needle in done.stderr
    return done.stderr


@pytest.fixture
def odd_project(tmp_path: Path) -> Path:
    """The tiny project, in a folder whose path has spaces and non-ASCII letters."""
    folder = tmp_path / "dossier à espaces" / "projet ünïcode"
    shutil.copytree(TINY_PROJECT, folder)
    return folder


def test_a_missing_project_folder(faults, tmp_path: Path) -> None:
    faults.inject("a missing project folder")
    for command in ("build", "variants", "audit"):
        one_line_error(
            cli(command, tmp_path / "nowhere", home=tmp_path),
            "no project folder at",
            "pick a folder that holds a Dockerfile",
        )
    with pytest.raises(ProjectError, match="pick a folder"):
        load_project(tmp_path / "nowhere")


def test_a_folder_without_a_dockerfile(faults, tmp_path: Path) -> None:
    faults.inject("a project folder without a Dockerfile")
    empty = tmp_path / "empty folder é"
    empty.mkdir()
    one_line_error(cli("build", empty, home=tmp_path), "has no Dockerfile", "pick a folder")
    with pytest.raises(ProjectError, match="has no Dockerfile"):
        load_project(empty)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("this is not a Dockerfile\n", "unknown instruction 'THIS'"),
        ("RUN echo hi\nCOPY . .\n", "RUN comes before the first FROM"),
    ],
)
def test_a_dockerfile_that_does_not_parse(faults, tmp_path: Path, text: str, said: str) -> None:
    faults.inject(f"a Dockerfile that does not parse: {text!r}")
    project = tmp_path / "p"
    project.mkdir()
    (project / "Dockerfile").write_text(text, encoding="utf-8")
    variant = derive_variant(project, "no-cache")
    assert variant.error and said in variant.error
    listed = cli("variants", project, home=tmp_path)
    assert listed.returncode == 0 and f"cannot be made: Dockerfile line 1: {said}" in listed.stdout
    one_line_error(
        cli("build", project, "-v", "no-cache", home=tmp_path), "variant no-cache cannot be built"
    )


def test_a_dockerfile_that_is_not_utf8(faults, tmp_path: Path) -> None:
    faults.inject("a Dockerfile that is not UTF-8")
    project = tmp_path / "p"
    project.mkdir()
    (project / "Dockerfile").write_bytes(b"FROM scratch\n# caf\xe9\n")
    one_line_error(cli("variants", project, home=tmp_path), "Dockerfile")


def test_an_unknown_variant(faults, odd_project: Path, tmp_path: Path) -> None:
    faults.inject("an unknown variant")
    for args in (("build", odd_project, "-v", "nosuch"), ("variants", odd_project, "--show", "x")):
        one_line_error(cli(*args, home=tmp_path), "unknown variant", "known variants: baseline")
    with pytest.raises(VariantError, match="known variants"):
        derive_variant(odd_project, "nosuch")


def test_a_malformed_plan_file(faults, odd_project: Path, tmp_path: Path) -> None:
    faults.inject("a malformed plan file")
    (odd_project / "plan.toml").write_text("budget = = [\n", encoding="utf-8")
    with pytest.raises(PlanError, match="is not valid TOML"):
        load_plan(odd_project / "plan.toml")
    one_line_error(
        cli("report", odd_project, "--out", tmp_path / "report", home=tmp_path),
        "plan.toml is not valid TOML",
    )


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("[[rule]\nname = \n", "is not valid TOML"),
        ("[[rules]]\nname = 3\n", "has no [[rule]] tables"),
        (None, "cannot read the rules file"),
    ],
)
def test_a_malformed_rules_file(faults, tmp_path: Path, content: str | None, said: str) -> None:
    faults.inject(f"a malformed rules file ({said})")
    rules = tmp_path / "bad rules é.toml"
    if content is not None:
        rules.write_text(content, encoding="utf-8")
    with pytest.raises(AnalysisError, match=said.replace("[", r"\[").replace("]", r"\]")):
        load_rules(rules)
    one_line_error(cli("analyze", "some/image:tag", "--rules", rules, home=tmp_path), said)


def test_a_missing_dockerfile_for_analyze(faults, tmp_path: Path) -> None:
    faults.inject("analyze --dockerfile naming no file")
    one_line_error(
        cli("analyze", "img", "--dockerfile", tmp_path / "nope", home=tmp_path),
        "No such file or directory",
        "pass the Dockerfile the image came from",
    )


def test_commands_needing_the_engine_say_so_and_history_works(faults, odd_project, tmp_path):
    faults.inject("the engine unreachable (DOCKER_HOST at a closed port)")
    one_line_error(cli("analyze", "img", home=tmp_path), "No Docker engine answers")
    one_line_error(cli("build", odd_project, home=tmp_path), "No Docker engine answers")
    history = cli("history", home=tmp_path)
    assert history.returncode == 0 and history.stdout.strip() == "no builds yet"


def test_paths_with_spaces_and_non_ascii_letters(faults, odd_project: Path, tmp_path) -> None:
    faults.inject("a project path with spaces and non-ASCII letters")
    (odd_project / "app" / "données été.txt").write_text("ok\n", encoding="utf-8")
    listed = cli("variants", odd_project, home=tmp_path)
    assert listed.returncode == 0 and "baseline" in listed.stdout
    with (
        make_context(odd_project, "FROM scratch\n") as context,
        tarfile.open(fileobj=context) as tar,
    ):
        names = tar.getnames()
    assert "app/données été.txt" in names and DOCKERFILE_NAME in names


def test_a_symlink_out_of_the_project_is_sent_as_a_link_not_followed(faults, tmp_path) -> None:
    faults.inject("symlinks in the project pointing outside it")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP-SECRET-CONTENT\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "Dockerfile").write_text("FROM scratch\nCOPY . /app\n", encoding="utf-8")
    (project / "link-to-file").symlink_to(outside / "secret.txt")
    (project / "link-to-dir").symlink_to(outside)
    (project / "dangling").symlink_to(tmp_path / "missing")
    with make_context(project, "FROM scratch\n") as context:
        raw = context.read()
        context.seek(0)
        with tarfile.open(fileobj=context) as tar:
            members = {member.name: member for member in tar.getmembers()}
    assert b"TOP-SECRET-CONTENT" not in raw
    for name, target in (
        ("link-to-file", outside / "secret.txt"),
        ("link-to-dir", outside),
        ("dangling", tmp_path / "missing"),
    ):
        assert members[name].issym() and members[name].linkname == str(target)
    assert not any(name.startswith("link-to-dir/") for name in members)


UNPULLABLE_BUILDKIT = """\
#3 [internal] load metadata for nonexistent.invalid/nothing:1
#3 sha256:f8e22bcad3fda280b345cf5f8b46e4d9447fbcda1e28e3879de812df7051d169
#3 ERROR: failed to do request: Head "https://nonexistent.invalid/v2/nothing/manifests/1": \
dial tcp: lookup nonexistent.invalid on 10.255.255.53:53: no such host
------
 > [internal] load metadata for nonexistent.invalid/nothing:1:
------
failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request
"""


def test_a_base_image_that_cannot_be_pulled_points_to_bootstrap(faults) -> None:
    """Both builders' output, as the engine gives it (recorded from Docker 20.10)."""
    faults.inject("a base image that cannot be pulled (BuildKit output)")
    progress = BuildProgress()
    for line in UNPULLABLE_BUILDKIT.splitlines():
        parse_buildkit_line(line, progress)
    message = describe_failure(progress, "docker build exited with code 1")
    assert message.startswith("the base image nonexistent.invalid/nothing:1 cannot be pulled (")
    assert "no such host" in message and "run `workbench bootstrap`" in message

    faults.inject("a base image that cannot be pulled (classic builder events)")
    progress = BuildProgress()
    parse_classic_event({"stream": "Step 1/2 : FROM nonexistent.invalid/nothing:1\n"}, progress)
    error = (
        'Get "https://nonexistent.invalid/v2/": dial tcp: lookup nonexistent.invalid: no such host'
    )
    parse_classic_event({"error": error, "errorDetail": {"message": error}}, progress)
    message = describe_failure(progress, progress.error or "")
    assert message.startswith("the base image nonexistent.invalid/nothing:1 cannot be pulled (")
    assert "run `workbench bootstrap`" in message and "\n" not in message
