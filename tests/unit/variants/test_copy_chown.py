"""The copy-chown fix: owner and mode on the COPY, the later RUN dropped or without -R."""

from __future__ import annotations

from pathlib import Path

from workbench.variants.copy_chown import (
    apply_copy_chown,
    symbolic_mode,
    to_copy_chown,
    unchanged_reason,
)
from workbench.variants.instructions import parse

WHEELS = """\
FROM python:3.11-slim-bookworm
ENV APP_HOME=/home/app/web
RUN mkdir $APP_HOME
WORKDIR $APP_HOME
COPY . $APP_HOME
RUN chown -R app:app $APP_HOME
USER app
"""


def test_a_chown_r_of_the_copys_folder_moves_onto_the_copy() -> None:
    result = apply_copy_chown(parse(WHEELS))
    assert result.text == WHEELS.replace(
        "COPY . $APP_HOME", "COPY --chown=app:app . $APP_HOME"
    ).replace("RUN chown -R app:app $APP_HOME", "RUN chown app:app $APP_HOME")
    assert result.changes == ("--chown=app:app on line 5", "line 6 kept without -R")


def test_a_chmod_plus_x_of_a_copied_script_uses_the_files_mode(tmp_path: Path) -> None:
    script = tmp_path / "start.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o640)
    text = "FROM x\nWORKDIR /app\nCOPY --chown=u:u start.sh ./start.sh\nRUN chmod +x ./start.sh\n"
    assert to_copy_chown(text, tmp_path) == (
        "FROM x\nWORKDIR /app\nCOPY --chmod=751 --chown=u:u start.sh ./start.sh\n"  # +x: a+x
    )


def test_an_octal_mode_and_an_existing_owner_flag() -> None:
    text = (
        "FROM x\nCOPY --chown=a:a conf /etc/conf\nRUN chown b:b /etc/conf && chmod 600 /etc/conf\n"
    )
    assert to_copy_chown(text) == "FROM x\nCOPY --chmod=600 --chown=b:b conf /etc/conf\n"


def test_runs_that_do_more_or_touch_other_paths_stay() -> None:
    text = "FROM x\nCOPY . /app\nRUN chown -R app /app && pip install .\nRUN chown -R app /srv\n"
    assert to_copy_chown(text) == text
    assert unchanged_reason(parse(text)) == (
        "its chown/chmod (line 3, line 4) does more than change the files one COPY wrote"
    )
    assert unchanged_reason(parse("FROM x\nRUN true\n")) is None


def test_symbolic_modes() -> None:
    assert symbolic_mode(0o644, "+x") == 0o755
    assert symbolic_mode(0o644, "u+x,g-r") == 0o704
    assert symbolic_mode(0o777, "o=") == 0o770
    assert symbolic_mode(0o644, "+s") is None
