"""Finding the dependency installs of a RUN, and editing them in the original text."""

from __future__ import annotations

from workbench.variants.installs import (
    Install,
    append_args,
    find_installs,
    option_value,
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
