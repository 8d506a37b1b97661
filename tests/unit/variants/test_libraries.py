"""The library plan: the runtime's block, pending and resolved, what a probe needs, kept plans."""

from __future__ import annotations

from tests.unit.variants.golden import case_input
from workbench.variants.libraries import (
    LibraryCopy,
    LibraryPlan,
    MissingLibrary,
    RuntimePackage,
    apply_plan,
    has_block,
    probe_request,
    save_plan,
    saved_plan,
)
from workbench.variants.multi_stage import to_multi_stage

PSYCOPG = "psycopg2/_psycopg.cpython-311-x86_64-linux-gnu.so"
PLAN = LibraryPlan(packages=(RuntimePackage("libpq5", (f"needed by {PSYCOPG}",)),))
PENDING = (
    "# Build-only, left in the builder stage (workbench): build-essential libpq-dev\n"
    "# Runtime libraries, read from the builder stage when the variant is built (workbench)\n"
)


def _variant() -> str:
    return to_multi_stage(case_input("pip-system"))


def test_the_variant_carries_the_pending_block() -> None:
    text = _variant()
    assert PENDING + "\n" in text
    assert has_block(text)
    assert not has_block(case_input("pip-system"))


def test_a_plan_turns_the_block_into_the_runtimes_apt_line_with_its_reasons() -> None:
    resolved = apply_plan(_variant(), PLAN)
    assert (
        "# Build-only, left in the builder stage (workbench): build-essential libpq-dev\n"
        "# Runtime libraries, read from the builder stage (workbench):\n"
        f"#   libpq5: needed by {PSYCOPG}\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends libpq5"
        " && rm -rf /var/lib/apt/lists/*\n\n"
        "# The dependencies, installed in the builder stage\n"
    ) in resolved
    assert apply_plan(resolved, PLAN) == resolved
    assert apply_plan(resolved, None) == _variant()


def test_copies_missing_libraries_and_errors_are_written_down() -> None:
    plan = LibraryPlan(
        copies=(
            LibraryCopy(
                "/usr/local/lib/libfoo.so.1.2", "/usr/local/lib/libfoo.so.1", ("foo/_foo.so",)
            ),
        ),
        missing=(MissingLibrary("libbar.so.2", ("bar/_bar.so",)),),
    )
    block = apply_plan(_variant(), plan)
    assert (
        "# Runtime libraries, read from the builder stage (workbench):\n"
        "#   libbar.so.2: needed by bar/_bar.so, and no package or library folder of the builder"
        " has it\n"
        "#   /usr/local/lib/libfoo.so.1: no package ships it; needed by foo/_foo.so\n"
        "COPY --from=builder /usr/local/lib/libfoo.so.1.2 /usr/local/lib/libfoo.so.1\n"
        "#   ldconfig: so that the copied libraries are found\n"
        "RUN ldconfig\n\n"
    ) in block
    assert plan.summary() == (
        "the runtime copies /usr/local/lib/libfoo.so.1 (needed by foo/_foo.so; no package ships"
        " it) from the builder; libbar.so.2 (needed by bar/_bar.so) is in no package or library"
        " folder of the builder"
    )
    failed = apply_plan(_variant(), LibraryPlan(error="no image x"))
    assert "(workbench): could not be read (no image x)\n\n" in failed
    nothing = apply_plan(_variant(), LibraryPlan())
    assert "(workbench): none the runtime image lacks\n\n" in nothing
    assert LibraryPlan().summary() == "the extensions load no library the runtime image lacks"


def test_a_non_root_user_installs_with_sudo() -> None:
    text = to_multi_stage(
        "FROM python:3.11-slim\nUSER app\n"
        "RUN sudo apt-get update && sudo apt-get install -y gcc libpq-dev\n"
        "RUN pip install --user psycopg2\n"
    )
    assert "RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends libpq5" in (
        apply_plan(text, PLAN)
    )


def test_many_objects_are_counted_not_listed() -> None:
    plan = LibraryPlan(
        packages=(RuntimePackage("libz1", ("needed by a.so, b.so, c.so and 2 more",)),)
    )
    assert (
        plan.summary()
        == "the runtime installs libz1 (needed by a.so, b.so, c.so and 2 more) instead"
    )


def test_the_probe_request_names_the_builder_its_folders_and_the_runtime() -> None:
    text = _variant()
    request = probe_request(text)
    assert request is not None
    assert request.builder == "builder"
    assert request.roots == ("/install",)
    assert request.runtime_image == "python:3.11-slim"
    assert request.left == ("build-essential", "libpq-dev")
    assert request.runtime_packages == frozenset()
    assert request.builder_text.endswith("--no-cache-dir 2>&1 | tee /tmp/pip.log\n")
    assert "AS runtime" not in request.builder_text
    assert text.startswith(request.builder_text)
    assert probe_request(case_input("pip-system")) is None


def test_the_probe_request_finds_the_start_scripts_and_the_runtimes_own_packages() -> None:
    text = to_multi_stage(
        "ARG PY=3.11\n"
        "FROM python:${PY}-slim\n"
        "RUN apt-get update && apt-get install -y curl gcc\n"
        "RUN pip install -r requirements.txt\n"
        "COPY docker-entrypoint.sh /usr/local/bin/\n"
        "COPY start.sh ./\n"
        'ENTRYPOINT ["docker-entrypoint.sh"]\n'
        'CMD ["./start.sh"]\n'
    )
    request = probe_request(text)
    assert request is not None
    assert request.runtime_image == "python:3.11-slim"
    assert request.runtime_packages == frozenset({"curl"})
    assert request.scripts == ("docker-entrypoint.sh", "start.sh")


def test_a_plan_survives_the_home() -> None:
    text = _variant()
    assert saved_plan(text) is None
    save_plan(text, PLAN)
    assert saved_plan(text) == PLAN
    assert saved_plan(apply_plan(text, PLAN)) == PLAN
    assert LibraryPlan.from_json(PLAN.to_json()) == PLAN


def test_other_packages_of_an_install_run_are_installed_with_the_libraries() -> None:
    text = to_multi_stage(
        "FROM python:3.11-slim\n"
        "RUN apt-get update && apt-get install -y gcc libpq-dev curl && pip install psycopg2\n"
        'HEALTHCHECK CMD curl -fsS http://localhost:8000/ || exit 1\nCMD ["python", "app.py"]\n'
    )
    assert (
        "# Build-only, left in the builder stage (workbench): gcc libpq-dev\n"
        "# Installed with the dependencies in the builder, and here, with their recommends"
        " (workbench): curl\n"
        f"{PENDING.splitlines()[1]}\n"
        "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n\n"
    ) in text
    resolved = apply_plan(text, PLAN)
    assert "RUN apt-get update && apt-get install -y curl libpq5 && rm -rf" in resolved
    assert apply_plan(resolved, None) == text
    request = probe_request(resolved)
    assert request is not None and request.runtime_packages == frozenset()
