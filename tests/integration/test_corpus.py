"""The corpus: real-world project shapes, every variant either refused with a reason or working.

For each project in ``tests/fixtures/projects/`` and the bundled sample, every variant of
:data:`~workbench.variants.table.VARIANT_NAMES` is derived as the CLI derives it. A variant
that cannot be made must say why in one non-empty line; one that can is built through the
build service (the CLI's code path) and smoke-tested with the project's own ``[smoke]``
settings. A saving counts only when the image still works, so a variant that builds but
does not answer fails the test just as one that does not build.

One test per project (a failure names the project); each prints a table of its variants
(size, smoke result or reason), and the module prints them all at the end. Builds run one
at a time; a project's variants share their base layers and, mostly, their installs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest

from tests.conftest import FIXTURES, SAMPLE_PROJECT
from workbench import variants
from workbench.build.service import BuildService, BuildSpec
from workbench.checks.smoke import run_smoke
from workbench.errors import WorkbenchError
from workbench.project import load_project
from workbench.store import Store

pytestmark = pytest.mark.docker

CORPUS = FIXTURES / "projects"
PROJECTS = sorted(path for path in CORPUS.iterdir() if (path / "Dockerfile").is_file())
# Dependencies a project declares and never imports: pruned-deps and combined drop them.
DROP: dict[str, tuple[str, ...]] = {"uv-guide": ("six",)}
# A Dockerfile a project ships beside its own: the custom variant builds it.
CUSTOM: dict[str, str] = {
    "uv-guide": "Dockerfile.guide-multistage",
    "psycopg2-source": "Dockerfile.expert-multistage",
}
BUILD_TIMEOUT_S = 840
LOG_LINES = 25


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    project: str
    variant: str
    size_bytes: int | None
    outcome: str
    ok: bool


ROWS: list[Row] = []
# Per project, the multi-stage variant as derived once its builds are done (a build reads the
# runtime's libraries from the builder, and a variant derived later shows them), and the
# Dockerfile its build recorded (the one actually built).
AFTER_BUILD: dict[str, tuple[str, str]] = {}


def _write(request: pytest.FixtureRequest, text: str) -> None:
    """Show text on the terminal even when pytest captures output."""
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(text)
        return
    with capture.global_and_fixture_disabled():
        reporter.ensure_newline()
        for line in text.splitlines():
            reporter.write_line(line)


def _table(rows: list[Row]) -> str:
    baseline = {row.project: row.size_bytes for row in rows if row.variant == "baseline"}
    lines = [f"{'project':<18} {'variant':<12} {'size MB':>8} {'vs base':>8}  result"]
    for row in rows:
        size = f"{row.size_bytes / 1e6:.1f}" if row.size_bytes is not None else "-"
        base = baseline.get(row.project)
        delta = (
            f"{(row.size_bytes - base) / 1e6:+.1f}"
            if row.size_bytes is not None and base is not None and row.variant != "baseline"
            else ""
        )
        mark = "" if row.ok else "FAIL "
        lines.append(
            f"{row.project:<18} {row.variant:<12} {size:>8} {delta:>8}  {mark}{row.outcome}"
        )
    return "\n".join(lines)


@pytest.fixture(scope="module", autouse=True)
def corpus_table(request: pytest.FixtureRequest) -> Iterator[None]:
    """At the end, the whole corpus in one table."""
    started = time.monotonic()
    yield
    if ROWS:
        seconds = time.monotonic() - started
        _write(request, f"\nThe corpus, every variant ({seconds:.0f} s):\n{_table(ROWS)}")


def _one_line(text: str | None) -> bool:
    return bool(text and text.strip()) and "\n" not in text and "\r" not in text


def _outcome_of_smoke(image_id: str, docker_client: docker.DockerClient) -> tuple[str, bool, str]:
    """The smoke result in a few words, whether it passed, and what to show when not."""
    try:
        result = run_smoke(image_id, client=docker_client)
    except WorkbenchError as exc:
        return f"smoke could not run: {exc}", False, ""
    if result.settings_from != "plan":
        return "smoke ran without the project's plan settings", False, ""
    if result.passed:
        return f"smoke passed: {result.check}, ready in {result.seconds_to_ready:.1f} s", True, ""
    return f"smoke failed: {result.error}", False, result.log_tail


@pytest.mark.parametrize(
    "project_dir",
    [*PROJECTS, SAMPLE_PROJECT],
    ids=[path.name for path in [*PROJECTS, SAMPLE_PROJECT]],
)
def test_every_variant_is_refused_with_a_reason_or_builds_and_still_works(
    project_dir: Path,
    docker_client: docker.DockerClient,
    stand_ins,
    request: pytest.FixtureRequest,
) -> None:
    started = time.monotonic()
    project = load_project(project_dir)
    assert project.plan() is not None, f"{project_dir} has no plan.toml with its smoke settings"
    custom = CUSTOM.get(project_dir.name)
    derived = variants.derive_variants(
        project.path,
        drop=DROP.get(project_dir.name, ()),
        custom_text=(project.path / custom).read_text("utf-8") if custom else None,
    )
    assert [variant.name for variant in derived] == list(variants.VARIANT_NAMES)

    service = BuildService(Store())
    build_ids = {}
    for variant in derived:
        if variant.error is None:
            spec = BuildSpec(project, variant.name, variant.dockerfile, dict(variant.extra_files))
            build_ids[variant.name] = service.submit(spec)
    records = {
        record.variant: record
        for record in service.wait(build_ids.values(), timeout=BUILD_TIMEOUT_S)
    }

    rows, failures = [], []
    for variant in derived:
        if variant.error is not None:
            ok = _one_line(variant.error)
            rows.append(
                Row(project.name, variant.name, None, f"cannot be made: {variant.error}", ok)
            )
            if not ok:
                failures.append(f"{variant.name}: its reason is not one line: {variant.error!r}")
            continue
        record = records.get(variant.name)
        if record is None or record.status != "succeeded" or not record.image_id:
            status = record.status if record else "never finished"
            error = (record.error if record else "") or status
            rows.append(Row(project.name, variant.name, None, f"build {status}: {error}", False))
            log = record.log_tail(LOG_LINES) if record else ""
            failures.append(f"{variant.name}: build {status}: {error}\n{log}")
            continue
        size = docker_client.images.get(record.image_id).attrs["Size"]
        outcome, passed, log = _outcome_of_smoke(record.image_id, docker_client)
        rows.append(Row(project.name, variant.name, size, outcome, passed))
        if not passed:
            failures.append(f"{variant.name}: {outcome}\n{log}".rstrip())

    ROWS.extend(rows)
    if "multi-stage" in records:
        again = variants.derive_variant(
            project.path, "multi-stage", drop=DROP.get(project.name, ())
        )
        AFTER_BUILD[project_dir.name] = (again.summary, records["multi-stage"].dockerfile)
    _write(request, f"\n{project.name} ({time.monotonic() - started:.0f} s):\n{_table(rows)}")
    assert not failures, f"{project.name}: " + "\n\n".join(failures)


def _size(project: str, variant: str) -> int:
    """A variant's image size as the corpus test measured it."""
    [row] = [r for r in ROWS if r.project == project and r.variant == variant]
    assert row.ok and row.size_bytes is not None, row
    return row.size_bytes


def test_the_uv_guide_multi_stage_is_as_small_as_the_guides_own_and_runs_its_command() -> None:
    """Shape (a): the workbench's multi-stage against the guide's own, built from the same
    project (the custom variant): at most 1.02 times its size, CMD rewritten, both working."""
    if not any(r.project == "uv-guide" for r in ROWS):
        pytest.fail("the corpus test of uv-guide did not run first")
    ours, guide = _size("uv-guide", "multi-stage"), _size("uv-guide", "custom")
    assert ours <= 1.02 * guide, (ours, guide)
    variant = variants.derive_variant(CORPUS / "uv-guide", "multi-stage")
    assert '-CMD ["uv", "run", "guide-app"]' in variant.diff
    assert '+CMD ["guide-app"]' in variant.diff
    assert "without uv" in variant.summary


def test_the_compiled_dependency_multi_stage_is_as_small_as_the_experts_and_still_works() -> None:
    """Shape (g): psycopg2 built from its source. The workbench's multi-stage leaves gcc and the
    headers in the builder and installs only the library the extension loads (libpq5): at most
    1.10 times the size of the expert's multi-stage Dockerfile (the custom variant), both
    passing their smoke test (``_size`` asserts it)."""
    if not any(r.project == "psycopg2-source" for r in ROWS):
        pytest.fail("the corpus test of psycopg2-source did not run first")
    ours, expert = _size("psycopg2-source", "multi-stage"), _size("psycopg2-source", "custom")
    assert ours <= 1.10 * expert, (ours, expert)
    assert ours < 0.5 * _size("psycopg2-source", "baseline")
    before = variants.derive_variant(CORPUS / "psycopg2-source", "multi-stage")
    assert "gcc, libpq-dev and python3-dev stay in the builder stage" in before.summary
    assert "runtime libraries the builder's extensions load are resolved when the" in before.summary
    summary, built = AFTER_BUILD["psycopg2-source"]
    assert "gcc, libpq-dev and python3-dev stay in the builder stage" in summary
    assert "the runtime installs libpq5 (needed by psycopg2/_psycopg" in summary
    assert "#   libpq5: needed by psycopg2/_psycopg" in built
    assert "apt-get install -y --no-install-recommends libpq5 &&" in built


def test_the_pip_requirements_audit_sizes_every_requirement(docker_client) -> None:
    """Shape (b): a requirements.txt project is audited against its built image, and every
    requirement says what dropping it frees."""
    from workbench.audit import run_audit
    from workbench.project.manifests import find_manifests, read_declared

    project = load_project(CORPUS / "pip-requirements")
    declared = [d.name for d in read_declared(find_manifests(project.path)) if d.group == "runtime"]
    audit = run_audit(project, image="workbench/pip-requirements:baseline", client=docker_client)
    data = audit.to_dict()
    assert data["names_from"] == "image"
    assert sorted(data["frees"]) == sorted(declared)
    assert all(isinstance(size, int) and size > 0 for size in data["frees"].values()), data["frees"]
