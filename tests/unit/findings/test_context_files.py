"""Build-context files the app does not need, copied by a COPY from the context."""

from __future__ import annotations

from pathlib import Path

from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.images import findings_of
from workbench.findings.context_files import RULE


def test_git_tests_and_docs_copied_by_copy_dot_are_named(tmp_path: Path) -> None:
    layer = [
        File("usr/src/app/run.py", b"r" * 100),
        File("usr/src/app/.git/objects/ab/cd", b"g" * 3000),
        File("usr/src/app/tests/test_x.py", b"t" * 400),
        File("usr/src/app/docs/index.md", b"d" * 250),
    ]
    [finding] = findings_of(
        [layer],
        ["COPY . ."],
        rule=RULE,
        project_dir=tmp_path,
        head="WORKDIR /usr/src/app\n",
        workdir="/usr/src/app",
        app_paths=("/usr/src/app",),
    )
    assert (finding.bytes, finding.line, finding.fix, finding.certainty) == (
        3650,
        3,
        "dockerignore",
        "guess",
    )
    assert finding.detail == ".git, tests, docs (3 files); the project has no .dockerignore"


def test_a_copy_from_another_stage_and_small_bytes_are_left_out() -> None:
    layer = [File("app/tests/test_x.py", b"t" * 4000)]
    assert findings_of([layer], ["COPY --from=builder /app /app"], rule=RULE) == []
    small = [File("app/Dockerfile", b"F" * 300)]
    assert findings_of([small], ["COPY . /app"], rule=RULE, app_paths=("/app",)) == []
