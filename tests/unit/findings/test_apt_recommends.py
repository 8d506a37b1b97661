"""Packages only recommendations pulled in: apt's extended_states and dpkg's Depends."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.images import BASE, findings_of
from workbench.findings.apt_recommends import RULE, installs_recommends

STATUS = b"""Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9

Package: curl
Status: install ok installed
Architecture: amd64
Version: 7.88
Depends: libcurl4 (= 7.88), libc6
Recommends: ca-certificates

Package: libcurl4
Status: install ok installed
Architecture: amd64
Version: 7.88
Depends: libc6
Recommends: publicsuffix

Package: publicsuffix
Status: install ok installed
Architecture: all
Version: 2023

Package: ca-certificates
Status: install ok installed
Architecture: all
Version: 2023
"""
EXTENDED = b"""Package: libcurl4
Architecture: amd64
Auto-Installed: 1

Package: publicsuffix
Architecture: all
Auto-Installed: 1

Package: ca-certificates
Architecture: all
Auto-Installed: 1
"""


def _layer() -> list:
    return [
        File("var/lib/dpkg/status", STATUS),
        File("var/lib/apt/extended_states", EXTENDED),
        File("var/lib/dpkg/info/curl:amd64.list", b"/usr/bin/curl\n"),
        File("usr/bin/curl", b"c" * 300),
        File("var/lib/dpkg/info/libcurl4:amd64.list", b"/usr/lib/libcurl.so.4\n"),
        File("usr/lib/libcurl.so.4", b"l" * 900),
        File("var/lib/dpkg/info/publicsuffix.list", b"/usr/share/publicsuffix/list.dat\n"),
        File("usr/share/publicsuffix/list.dat", b"s" * 250),
        File("var/lib/dpkg/info/ca-certificates.list", b"/usr/share/ca-certificates/x.crt\n"),
        File("usr/share/ca-certificates/x.crt", b"k" * 120),
    ]


def test_the_bytes_of_recommended_only_packages_are_named_with_the_install_line() -> None:
    [finding] = findings_of(
        [_layer()], ["RUN apt-get update && apt-get install -y curl"], rule=RULE, base=BASE[:4]
    )
    assert finding.bytes == 250 + 120
    assert finding.detail == "publicsuffix, ca-certificates"
    assert (finding.layer, finding.line, finding.fix, finding.certainty) == (
        1,
        3,
        "no-recommends",
        "certain",
    )
    assert finding.see == "DL3015"


def test_with_the_flag_already_there_they_are_a_guess_without_a_fix() -> None:
    [finding] = findings_of(
        [_layer()],
        ["RUN apt-get install -y --no-install-recommends curl"],
        rule=RULE,
        base=BASE[:4],
    )
    assert (finding.bytes, finding.fix, finding.certainty) == (370, None, "guess")


def test_the_flag_check_reads_the_run() -> None:
    assert installs_recommends("RUN apt-get update && apt-get install -y curl")
    assert not installs_recommends("RUN apt-get install --no-install-recommends -y curl")
    assert not installs_recommends("RUN apt-get install -o APT::Install-Recommends=false x")
    assert not installs_recommends("RUN pip install requests")
