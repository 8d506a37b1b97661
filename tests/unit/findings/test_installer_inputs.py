"""Wheels, sdists and .deb archives left behind, per layer."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.images import findings_of
from workbench.findings.installer_inputs import RULE


def test_wheels_copied_from_a_builder_are_named_with_their_bytes_and_line() -> None:
    found = findings_of(
        [
            [
                File("wheels/bottle-0.13-py3-none-any.whl", b"b" * 1038),
                File("wheels/markupsafe-3.0-cp311.whl", b"m" * 229),
            ],
            [File("usr/local/lib/python3.11/site-packages/bottle.py", b"x" * 500)],
        ],
        ["COPY --from=builder /wheels /wheels", "RUN pip install --no-cache /wheels/*"],
        rule=RULE,
    )
    assert [(f.bytes, f.layer, f.line, f.fix, f.title) for f in found] == [
        (1267, 1, 3, "multi-stage", "wheels left in the image (/wheels)")
    ]


def test_debs_and_sdists_count_too() -> None:
    [finding] = findings_of(
        [
            [
                File("opt/pkgs/tool_1.0_amd64.deb", b"d" * 50),
                File("src/dist/lib-1.2.tar.gz", b"s" * 8),
            ]
        ],
        ["COPY pkgs /opt/"],
        rule=RULE,
    )
    assert finding.bytes == 58
    assert finding.title == (
        ".deb archives and source distributions left in the image (/opt/pkgs, /src/dist)"
    )
