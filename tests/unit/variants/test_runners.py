"""Rewriting the runtime's ``uv run``/``poetry run``/``pipenv run`` to the venv's own commands."""

from __future__ import annotations

import pytest

from tests.unit.variants.golden import dockerfile
from workbench.variants.build_state import walk
from workbench.variants.instructions import parse
from workbench.variants.runners import RunnerPlan, plan_runners

VENVS = {"uv": "/app/.venv", "poetry": "/app/.venv", "pipenv": "/app/.venv"}


def _plan(*lines: str, venvs: dict[str, str] | None = None, ready: int = 0) -> RunnerPlan:
    steps = list(walk(parse(dockerfile("FROM python:3.12", *lines))))
    return plan_runners(steps[1:], VENVS if venvs is None else venvs, ready)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('CMD ["uv", "run", "hello"]', 'CMD ["hello"]'),
        ('CMD ["uv", "run", "python", "-m", "app"]', 'CMD ["python", "-m", "app"]'),
        ('CMD ["uv", "run", "--no-dev", "x"]', 'CMD ["x"]'),
        ('CMD ["uv", "run", "--frozen", "--no-sync", "--", "x", "-y"]', 'CMD ["x", "-y"]'),
        ('CMD ["uv", "--quiet", "run", "--color", "never", "x"]', 'CMD ["x"]'),
        ('ENTRYPOINT ["uv", "run", "-m", "app"]', 'ENTRYPOINT ["python", "-m", "app"]'),
        ('CMD ["/bin/uv", "run", "hello"]', 'CMD ["hello"]'),
        ("CMD uv run hello --port 80", "CMD hello --port 80"),
        ("CMD exec uv run --no-dev gunicorn app:app", "CMD exec gunicorn app:app"),
        ("RUN uv run python manage.py collectstatic", "RUN python manage.py collectstatic"),
        ("RUN uv run -m compileall . && echo done", "RUN python -m compileall . && echo done"),
        (
            "HEALTHCHECK --interval=30s CMD uv run --no-sync python check.py",
            "HEALTHCHECK --interval=30s CMD python check.py",
        ),
        ('HEALTHCHECK CMD ["uv", "run", "probe"]', 'HEALTHCHECK CMD ["probe"]'),
        ('CMD ["poetry", "run", "python", "-m", "app"]', 'CMD ["python", "-m", "app"]'),
        ("CMD poetry run -q uvicorn app:app", "CMD uvicorn app:app"),
        ('CMD ["pipenv", "run", "gunicorn", "app:app"]', 'CMD ["gunicorn", "app:app"]'),
    ],
)
def test_runner_commands_become_the_venvs_own(line: str, expected: str) -> None:
    plan = _plan(line)
    assert plan.stays == {}
    assert plan.texts == {1: expected + "\n"}
    assert plan.path_dirs == ["/app/.venv/bin"]


def test_a_rewrite_names_the_command_before_and_after() -> None:
    plan = _plan("RUN true", 'CMD ["uv", "run", "--no-dev", "hello", "--port", "80"]')
    assert plan.notes == ["CMD runs hello from the venv (was uv run --no-dev hello, line 3)"]


def test_no_path_is_added_when_the_baseline_has_the_venv_on_it() -> None:
    plan = _plan('ENV PATH="/app/.venv/bin:$PATH"', 'CMD ["uv", "run", "hello"]')
    assert plan.texts == {2: 'CMD ["hello"]\n'}
    assert plan.path_dirs == []


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('CMD ["uv", "run", "--with", "rich", "x"]', "uv run --with installs more packages"),
        ('CMD ["uv", "run", "--extra", "web", "x"]', "uv run --extra picks dependencies"),
        ('CMD ["uv", "run", "--isolated", "x"]', "uv run --isolated has no equivalent without uv"),
        ('CMD ["uv", "run", "app.py"]', "uv run app.py may read the script's own dependencies"),
        ('CMD ["uv", "run"]', "uv run without a command"),
        ('CMD ["uvx", "ruff"]', "uvx installs the tool it runs when it starts"),
        ("RUN uv pip list", "uv pip needs uv itself"),
        (
            'CMD ["sh", "-c", "uv run alembic upgrade head && uv run app"]',
            "calls uv in a way that can't be rewritten",
        ),
        ("CMD ./start.sh && uv --version", "uv --version needs uv itself"),
        ("CMD uv", "uv without run needs uv itself"),
        ('CMD ["poetry", "run", "-C", "src", "app"]', "poetry run -C has no equivalent"),
    ],
)
def test_an_installer_stays_where_a_command_cannot_be_rewritten(line: str, reason: str) -> None:
    plan = _plan(line)
    assert plan.texts == {}
    assert plan.stays["uv" if "uv" in line else "poetry"].startswith(f"line 2: {reason}")


def test_an_installer_that_stays_keeps_all_of_its_commands() -> None:
    plan = _plan(
        "RUN uv run python -m compileall .",
        'CMD ["uv", "run", "--with", "rich", "app"]',
        'HEALTHCHECK CMD ["poetry", "run", "probe"]',
    )
    assert set(plan.stays) == {"uv"}
    assert plan.texts == {3: 'HEALTHCHECK CMD ["probe"]\n'}


def test_a_run_without_a_venv_or_before_the_dependencies_keeps_the_installer() -> None:
    plan = _plan('CMD ["poetry", "run", "app"]', venvs={"uv": "/app/.venv"})
    assert plan.stays == {
        "poetry": "line 2: poetry run has no virtualenv from the builder to run in"
    }
    plan = _plan("RUN uv run python -m compileall .", "RUN true", ready=2)
    assert plan.stays["uv"].startswith("line 2: uv run comes before the dependencies")
