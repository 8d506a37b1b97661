"""apt's lists, its package cache and .deb archives, per layer, with the fix."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.images import findings_of
from workbench.findings.apt_cache import RULE

LISTS = "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"


def test_apt_lists_left_by_an_install_are_named_with_their_bytes() -> None:
    [finding] = findings_of(
        [[File(LISTS, b"l" * 18_000), File("usr/bin/curl", b"c" * 300)]],
        ["RUN apt-get update && apt-get install -y curl"],
        rule=RULE,
    )
    assert (finding.bytes, finding.layer, finding.line, finding.fix) == (18_000, 1, 3, "no-cache")
    assert finding.title == "apt's package lists left in the image (line 3)"
    assert finding.see == "DL3009"


def test_archives_and_pkgcache_ask_for_apt_clean() -> None:
    [finding] = findings_of(
        [
            [
                File(LISTS, b"l" * 100),
                File("var/cache/apt/pkgcache.bin", b"p" * 40),
                File("var/cache/apt/archives/curl_8_amd64.deb", b"d" * 7),
            ]
        ],
        ["RUN apt-get update && apt-get install -y curl"],
        rule=RULE,
    )
    assert finding.bytes == 147
    assert finding.fix == "apt-clean"
    assert finding.title == "apt's package lists, cache and archives left in the image (line 3)"
