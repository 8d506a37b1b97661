"""Where each install puts what it installs, and the wheel folders the runtime can leave out."""

from __future__ import annotations

import pytest

from tests.unit.variants.golden import dockerfile
from workbench.errors import CannotTransform
from workbench.variants.build_state import walk
from workbench.variants.installs import find_installs
from workbench.variants.instructions import parse
from workbench.variants.shell import apply_edits, parse_run
from workbench.variants.targets import (
    Target,
    install_target,
    managed_python,
    poetry_in_project,
    wheel_dirs,
)


def _target(*lines: str) -> tuple[Target, list[str]]:
    *_, (_, ins, state) = walk(parse(dockerfile("FROM python:3.12", *lines)))
    run = parse_run(ins)
    install = [i for i in find_installs(run) if i.python][-1]
    return install_target(install, state, set(), ins, run)


@pytest.mark.parametrize(
    ("lines", "target", "extra"),
    [
        (["RUN pip install six"], Target("/install/", "/"), ["--root=/install"]),
        (["RUN pip install --root /r six"], Target("/r", "/r"), []),
        (["WORKDIR /w", "RUN pip install --prefix=deps six"], Target("/w/deps", "/w/deps"), []),
        (["ENV T=/opt/t", "RUN pip install -t $T six"], Target("/opt/t", "/opt/t"), []),
        (
            ["RUN uv pip install --system six"],
            Target("/install", "/usr/local"),
            ["--prefix=/install"],
        ),
        (["WORKDIR /app", "RUN uv sync"], Target("/app/.venv", "/app/.venv", venv=True), []),
        (
            ["WORKDIR /app", "ENV POETRY_VIRTUALENVS_IN_PROJECT=true", "RUN poetry install"],
            Target("/app/.venv", "/app/.venv", venv=True),
            [],
        ),
        (
            ["WORKDIR /app", "RUN poetry config virtualenvs.in-project true && poetry install"],
            Target("/app/.venv", "/app/.venv", venv=True),
            [],
        ),
        (
            [
                "ENV VIRTUAL_ENV=/venv",
                "RUN poetry config virtualenvs.create false",
                "RUN poetry install",
            ],
            Target("/venv", "/venv", venv=True),
            [],
        ),
        (
            ["WORKDIR /srv", "ENV PIPENV_VENV_IN_PROJECT=1", "RUN pipenv sync"],
            Target("/srv/.venv", "/srv/.venv", venv=True),
            [],
        ),
        (
            ["RUN useradd -m app", "USER app", "RUN pip install --user six"],
            Target("/root/.local", "/home/app/.local", "app"),
            [],
        ),
    ],
)
def test_install_targets(lines: list[str], target: Target, extra: list[str]) -> None:
    assert _target(*lines) == (target, extra)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("RUN pip install --root / six", "--root / writes into the system Python"),
        ("RUN pip install --target $NOWHERE six", "can't tell which folder that is"),
        ("RUN poetry install", "virtualenv under /root/.cache/pypoetry/virtualenvs with a hashed"),
        ("RUN POETRY_VIRTUALENVS_CREATE=false poetry install", "into the system Python"),
        ("RUN pipenv install --system --deploy", "pipenv install into the system Python"),
    ],
)
def test_installs_a_builder_cannot_hand_over(line: str, message: str) -> None:
    with pytest.raises(CannotTransform, match=message):
        _target(line)


def test_wheel_dirs_and_the_python_uv_downloads() -> None:
    steps = list(walk(parse(dockerfile("FROM x", "WORKDIR /b", "RUN pip wheel -w w -r r.txt"))))
    (install,) = find_installs(parse_run(steps[-1][1]))
    assert wheel_dirs(install, steps[-1][2]) == {"/b/w"}
    text = dockerfile("FROM x", "RUN pip install --no-index -f /wheels /wheels/*.whl other/x.whl")
    steps = list(walk(parse(text)))
    (install,) = find_installs(parse_run(steps[-1][1]))
    assert wheel_dirs(install, steps[-1][2]) == {"/wheels", "/other"}
    assert managed_python(steps[-1][2]) == Target(
        "/root/.local/share/uv/python", "/root/.local/share/uv/python"
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["RUN poetry config virtualenvs.create false && poetry install --no-root"],
            "RUN poetry config virtualenvs.in-project true && poetry install --no-root\n",
        ),
        (
            [
                "RUN pip install poetry && poetry config virtualenvs.create 0 --local",
                "RUN poetry install",
            ],
            "RUN pip install poetry && poetry config virtualenvs.in-project true --local\n",
        ),
        (
            ["ENV POETRY_VIRTUALENVS_CREATE=false", "RUN poetry install"],
            "RUN POETRY_VIRTUALENVS_CREATE=true POETRY_VIRTUALENVS_IN_PROJECT=true"
            " poetry install\n",
        ),
    ],
)
def test_a_poetry_install_into_the_system_fills_an_in_project_venv_instead(
    lines: list[str], expected: str
) -> None:
    steps = list(walk(parse(dockerfile("FROM python:3.12", "WORKDIR /code", *lines))))
    _, ins, state = steps[-1]
    run = parse_run(ins)
    (install,) = [i for i in find_installs(run) if i.tool == "poetry"]
    target, edits = poetry_in_project(install, state, run, steps)
    assert target == Target("/code/.venv", "/code/.venv", venv=True)
    ((index, found),) = edits.items()
    assert apply_edits(steps[index][1].text, found) == expected
