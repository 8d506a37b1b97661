"""The build-state walker: user, working directory, environment, created users, stages."""

from __future__ import annotations

from tests.unit.variants.golden import dockerfile
from workbench.variants.build_state import poetry_config, walk
from workbench.variants.instructions import parse


def test_walk_tracks_user_workdir_env_and_created_users() -> None:
    df = parse(
        dockerfile(
            "ARG BASE=/srv",
            "FROM python:3.11-slim",
            "ENV HOME_DIR=$BASE/home",
            "WORKDIR ${HOME_DIR}",
            "WORKDIR app",
            "RUN useradd -m -u 1234 bob && adduser --disabled-password --gecos '' alice",
            "USER alice",
            "RUN true",
        )
    )
    *_, (_, _, state) = walk(df)
    assert state.workdir == "/srv/home/app"
    assert state.user == "alice"
    assert state.users["bob"].uid == 1234
    assert state.users["alice"].uid == 1235
    assert state.users["alice"].uid_assumed
    assert state.home() == "/home/alice"


def test_a_named_stage_inherits_its_parents_state() -> None:
    df = parse(dockerfile("FROM python AS base", "USER nobody", "FROM base", "RUN true"))
    *_, (_, _, state) = walk(df)
    assert state.stage == 1
    assert state.user == "nobody"


def test_walk_tracks_poetry_config() -> None:
    text = dockerfile(
        "FROM x",
        "RUN poetry config virtualenvs.create false --local && poetry config --unset a",
        "RUN true",
        "FROM y",
    )
    states = [state for _, _, state in walk(parse(text))]
    assert [dict(s.poetry_config) for s in states] == [{}, {}, {"virtualenvs.create": "false"}, {}]
    assert poetry_config([], {"a": "1"}) == {"a": "1"}
