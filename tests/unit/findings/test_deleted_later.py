"""Files a later RUN deletes or replaces: the pair of lines and the bytes kept."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import File, Whiteout
from tests.unit.findings.images import findings_of
from workbench.findings.deleted_later import RULE, WHY_BASE, WHY_OWN


def test_files_a_later_run_deletes_are_named_with_both_lines() -> None:
    [finding] = findings_of(
        [
            [File("opt/src/big.tar", b"t" * 40_000), File("opt/src/keep", b"k")],
            [Whiteout("opt/src/big.tar")],
        ],
        ["RUN curl -o /opt/src/big.tar https://x", "RUN rm /opt/src/big.tar"],
        rule=RULE,
    )
    assert (finding.bytes, finding.layer, finding.line) == (40_000, 1, 3)
    assert (finding.hidden_by_layer, finding.hidden_by_line) == (2, 4)
    assert finding.title == "line 4 deletes files line 3 added"
    assert (finding.why, finding.fix) == (WHY_OWN, None)


def test_deleting_the_base_images_files_is_named_too() -> None:
    base_doc = [File("usr/share/doc/big/manual.pdf", b"d" * 30_000)]
    [finding] = findings_of(
        [[Whiteout("usr/share/doc")]],
        ["RUN rm -rf /usr/share/doc"],
        rule=RULE,
        base=base_doc,
    )
    assert (finding.bytes, finding.line, finding.hidden_by_line) == (30_000, 1, 3)
    assert finding.why == WHY_BASE


def test_the_systems_own_state_and_small_changes_are_left_out() -> None:
    found = findings_of(
        [
            [File("var/lib/dpkg/status", b"s" * 50_000), File("etc/passwd", b"p" * 20_000)],
            [File("var/lib/dpkg/status", b"S" * 50_001), File("etc/passwd", b"P" * 20_001)],
            [Whiteout("etc/tiny")],
        ],
        ["RUN apt-get install -y a", "RUN apt-get install -y b && useradd x", "RUN rm /etc/tiny"],
        rule=RULE,
        base=[File("etc/tiny", b"t" * 9_999)],
    )
    assert found == []
