"""RUN chown -R / chmod duplicating what a COPY brought: the pair of lines, the bytes."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import Dir, File
from tests.unit.findings.images import findings_of
from workbench.findings.chown_duplicate import RULE, changes_ownership

APP = [
    Dir("home/app/web"),
    File("home/app/web/app.py", b"a" * 1464),
    File("home/app/web/x", b"x" * 9),
]


def test_a_chown_r_after_a_copy_is_named_with_both_lines_and_the_bytes() -> None:
    [finding] = findings_of(
        [APP, APP],
        ["COPY . /home/app/web", "RUN chown -R app:app /home/app/web"],
        rule=RULE,
        workdir="/home/app/web",
    )
    assert (finding.bytes, finding.layer, finding.line) == (1473, 1, 3)
    assert (finding.hidden_by_layer, finding.hidden_by_line) == (2, 4)
    assert finding.hidden_by == "RUN chown -R app:app /home/app/web"
    assert finding.fix == "copy-chown"
    assert finding.title == "line 4 copies again the files line 3 brought"


def test_a_chmod_of_one_script_is_one_too() -> None:
    script = [File("app/start.sh", b"#!/bin/sh\n" * 20)]
    [finding] = findings_of(
        [script, script], ["COPY scripts/start.sh ./start.sh", "RUN chmod +x ./start.sh"], rule=RULE
    )
    assert (finding.bytes, finding.fix, finding.certainty) == (200, "copy-chown", "certain")


def test_a_rewrite_with_other_content_is_not_a_duplicate() -> None:
    found = findings_of(
        [[File("app/conf", b"a" * 10)], [File("app/conf", b"b" * 12)]],
        ["COPY conf /app/conf", "RUN chown app /app/conf && sed -i s/a/b/ /app/conf"],
        rule=RULE,
    )
    assert found == []


def test_changes_ownership_says_whether_that_is_all() -> None:
    assert changes_ownership("RUN chown -R app:app /app") == (True, True)
    assert changes_ownership("RUN chmod +x a && chown b c") == (True, True)
    assert changes_ownership("RUN chown app /app && pip install x") == (True, False)
    assert changes_ownership("RUN pip install x") == (False, False)
