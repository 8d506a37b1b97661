"""Finding the dependency installs of a RUN, and editing them in the original text."""

from __future__ import annotations

from workbench.variants.build_state import walk
from workbench.variants.installs import (
    MOUNTED,
    OFF,
    Install,
    append_args,
    cache_kept_out,
    find_installs,
    option_value,
    pip_no_cache_flags,
    poetry_setting,
    remove_args,
)
from workbench.variants.instructions import parse
from workbench.variants.shell import apply_edits, parse_run


def _run(line: str):
    return parse_run(parse(f"FROM x\n{line}\n").instructions[1])


def test_find_installs_names_tool_action_program_args_and_env() -> None:
    run = _run("RUN apt-get install -y gcc && UV_X=1 sudo uv pip install six; python -m venv /v")
    found = [(i.tool, i.action, i.program, i.args, dict(i.env)) for i in find_installs(run)]
    assert found == [
        ("apt", "apt-get install", "apt-get", ("-y", "gcc"), {}),
        ("uv", "uv pip install", "uv", ("six",), {"UV_X": "1"}),
        ("venv", "python -m venv", "python", ("/v",), {}),
    ]
    assert all(isinstance(i, Install) for i in find_installs(run))


def test_an_exec_form_install_has_no_command() -> None:
    (install,) = find_installs(_run('RUN ["pip", "install", "six"]'))
    assert (install.tool, install.args, install.command) == ("pip", ("six",), None)


def test_edits_add_and_remove_arguments_in_the_original_text() -> None:
    run = _run("RUN pip install --no-cache-dir six > /dev/null")
    (install,) = find_installs(run)
    text = run.instruction.text
    assert apply_edits(text, [append_args(run, install, ["-q"])]) == (
        "RUN pip install --no-cache-dir six -q > /dev/null\n"
    )
    assert apply_edits(text, remove_args(run, install, {"--no-cache-dir"})) == (
        "RUN pip install six > /dev/null\n"
    )
    assert option_value(["--cache-dir=/c"], "--cache-dir") == "/c"
    assert option_value(["--cache-dir", "/d"], "--cache-dir") == "/d"


def test_find_installs_knows_pip_wheel_poetry_and_pipenv() -> None:
    run = _run(
        "RUN pip wheel -w /w six && poetry -C src install --no-root"
        " && python -m poetry sync && pipenv install --deploy && pipenv sync"
    )
    found = [(i.tool, i.action, i.args) for i in find_installs(run)]
    assert found == [
        ("pip", "pip wheel", ("-w", "/w", "six")),
        ("poetry", "poetry install", ("-C", "src", "--no-root")),
        ("poetry", "poetry sync", ()),
        ("pipenv", "pipenv install", ("--deploy",)),
        ("pipenv", "pipenv sync", ()),
    ]
    assert all(i.python for i in find_installs(run))
    assert find_installs(_run("RUN poetry run app && poetry config x y && pipenv run app")) == []


def test_pip_takes_prefixes_of_no_cache_dir() -> None:
    assert pip_no_cache_flags(["--no-cache", "six", "--no-ca", "--no-c", "--no-cache-dir"]) == [
        "--no-cache",
        "--no-ca",
        "--no-cache-dir",
    ]


def test_poetry_settings_come_from_variables_then_poetry_config() -> None:
    text = "\n".join(
        [
            "FROM x",
            "RUN poetry config virtualenvs.in-project true",
            "ENV POETRY_VIRTUALENVS_CREATE=false",
            "RUN poetry config virtualenvs.path /v && poetry install",
            "",
        ]
    )
    *_, (_, ins, state) = walk(parse(text))
    run = parse_run(ins)
    (install,) = find_installs(run)
    assert poetry_setting("virtualenvs.in-project", install, state, run) == "true"
    assert poetry_setting("virtualenvs.create", install, state, run) == "false"
    assert poetry_setting("virtualenvs.path", install, state, run) == "/v"
    assert poetry_setting("cache-dir", install, state, run) == ""


def test_cache_kept_out_tells_a_mount_from_a_flag() -> None:
    def how(line: str) -> str | None:
        *_, (_, ins, state) = walk(parse(f"FROM x\n{line}\n"))
        run = parse_run(ins)
        return cache_kept_out(run, find_installs(run)[0], state)

    assert how("RUN --mount=type=cache,target=/root/.cache/pip pip install six") == MOUNTED
    assert how("RUN pip install --no-cache six") == OFF
    assert how("RUN apt-get install -y x && rm -rf /var/lib/apt/lists/*") == OFF
    assert how("RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install") == MOUNTED
    assert how("RUN uv sync") is None
