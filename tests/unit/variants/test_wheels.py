"""Installs of a builder's wheels: from a bind mount with BuildKit, an install stage for classic."""

from __future__ import annotations

from tests.unit.variants.golden import CASES, case_input, dockerfile
from workbench.variants.instructions import parse
from workbench.variants.multi_stage import apply_multi_stage, to_multi_stage
from workbench.variants.syntax import needs_buildkit
from workbench.variants.wheels import copy_then_delete

TWO_STAGES = (
    "FROM python:3.11-slim AS builder",
    "RUN pip wheel --wheel-dir /wheels -r requirements.txt",
    "FROM python:3.11-slim",
)


def test_the_final_stage_reads_the_builders_wheels_from_a_bind_mount() -> None:
    result = apply_multi_stage(parse(case_input("pip-wheels")))
    assert "COPY --from=builder /wheels" not in result.text
    assert (
        "# The builder stage's wheels, from a bind mount: no wheel lands in a layer (workbench)\n"
        "RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels"
        " pip install --no-cache /wheels/*\n"
    ) in result.text
    assert needs_buildkit(result.text)
    assert result.changes[0] == (
        "already has 2 stages; line 19 installs the builder stage's wheels from a bind mount, so"
        " no wheel lands in a layer (no install stage needed)"
    )


def test_for_the_classic_builder_an_install_stage_installs_the_wheels() -> None:
    classic = apply_multi_stage(parse(case_input("pip-wheels")), buildkit=False).text
    assert classic == (CASES / "pip-wheels" / "multi-stage-classic.Dockerfile").read_text()
    assert not needs_buildkit(classic)


def test_a_removal_of_the_wheels_goes_the_mount_is_read_only() -> None:
    text = to_multi_stage(
        dockerfile(
            *TWO_STAGES,
            "COPY --from=builder /wheels /tmp/wheels",
            "RUN pip install --no-index --find-links /tmp/wheels -r requirements.txt"
            " && rm -rf /tmp/wheels",
        )
    )
    assert text.endswith(
        "RUN --mount=type=bind,from=builder,source=/wheels,target=/tmp/wheels pip install"
        " --no-index --find-links /tmp/wheels -r requirements.txt --no-cache-dir\n"
    )


def test_installs_that_read_more_than_the_wheels_get_an_install_stage() -> None:
    text = to_multi_stage(
        dockerfile(
            *TWO_STAGES,
            "COPY --from=builder /wheels /wheels",
            "RUN pip install /wheels/*",
            "RUN pip install gunicorn",
        )
    )
    assert "--mount=type=bind" not in text
    assert "COPY --from=deps /install/ /" in text


def test_copy_then_delete_is_the_classic_form_of_any_text_with_our_mounts() -> None:
    ours = to_multi_stage(case_input("pip-wheels"))
    classic = copy_then_delete(ours)
    assert (
        "COPY --from=builder /wheels /wheels\n"
        "RUN pip install --no-cache /wheels/* && rm -rf /wheels\n"
    ) in classic
    assert not needs_buildkit(classic)
    assert copy_then_delete(classic) == classic
    assert copy_then_delete(case_input("pip-wheels")) == case_input("pip-wheels")
