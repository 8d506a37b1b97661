from __future__ import annotations

from tests.conftest import SAMPLE_PROJECT, TINY_PROJECT
from workbench.analysis.stored import application_paths, options_key


def test_the_sample_copies_three_application_paths() -> None:
    text = (SAMPLE_PROJECT / "Dockerfile").read_text()
    assert application_paths(text) == ("/app/backend", "/app/streamlit_app", "/app/start.sh")


def test_the_tiny_fixture_copies_its_app_folder() -> None:
    assert application_paths((TINY_PROJECT / "Dockerfile").read_text()) == ("/app/app",)


def test_only_the_final_stage_and_only_the_context_count() -> None:
    text = (
        "FROM python:3.11-slim AS builder\nWORKDIR /src\nCOPY . .\n"
        "FROM python:3.11-slim\nWORKDIR /srv\n"
        "COPY --from=builder /src/.venv /srv/.venv\n"
        "COPY requirements.txt pyproject.toml ./\n"
        "COPY main.py lib/ ./\n"
        "COPY config /etc/app\n"
        "ADD . /opt/whole\n"
    )
    # a folder's content lands in the destination itself, as COPY does
    assert application_paths(text) == ("/srv/main.py", "/srv", "/etc/app", "/opt/whole")


def test_an_unreadable_dockerfile_falls_back_to_nothing() -> None:
    assert application_paths("RUN echo no FROM here\n") == ()


def test_options_key_changes_with_what_changes_the_figures() -> None:
    keys = {
        options_key(True, None, ()),
        options_key(False, None, ()),
        options_key(True, None, ("/app",)),
    }
    assert len(keys) == 3


def test_an_analysis_made_under_other_shipped_rules_is_made_again(monkeypatch) -> None:
    from workbench.analysis import stored as stored_module

    before = stored_module.options_key(True, None, ["/app"])
    monkeypatch.setattr(stored_module, "_shipped_rules", lambda: "[[rule]] # edited")
    assert stored_module.options_key(True, None, ["/app"]) != before
    assert before.startswith(f"v{stored_module.SCHEMA_VERSION}-gzip-")
