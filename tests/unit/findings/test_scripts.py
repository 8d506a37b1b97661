"""The scripts a start command runs, read from the project through the COPY lines."""

from __future__ import annotations

from pathlib import Path

from workbench.findings.scripts import script_words, start_scripts


def test_a_start_script_and_the_script_it_runs(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "start.sh").write_text("#!/bin/sh\nexec ./bin/serve --port 80\n")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "serve").write_text("uv run app\n")
    dockerfile = "FROM x\nWORKDIR /app\nCOPY scripts/start.sh ./start.sh\nCOPY bin/ ./bin/\n"
    found = start_scripts(("./start.sh",), "/app", dockerfile, tmp_path)
    assert found == {
        "/app/start.sh": "#!/bin/sh\nexec ./bin/serve --port 80\n",
        "/app/bin/serve": "uv run app\n",
    }


def test_script_words_split_operators() -> None:
    assert list(script_words("# c\nset -e\na && b; c|d\n")) == [["set", "-e"], ["a", "b", "c", "d"]]
    assert list(script_words("\0binary")) == []
