from __future__ import annotations

import io

from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Hardlink,
    Symlink,
    docker_archive,
    layer_tar,
)
from workbench.analysis.merge import merge_layers
from workbench.analysis.packages import (
    DebianPackage,
    FinalView,
    PythonPackage,
    capture_limit,
    debian_packages,
    install_reasons,
    python_packages,
    virtualenvs,
)
from workbench.analysis.reader import read_archive

SITE = "opt/venv/lib/python3.11/site-packages"
RECORD = (
    b"foo/__init__.py,sha256=abc,300\n"
    b"foo/same.py,sha256=abc,300\n"
    b'"foo/with,comma.py",sha256=x,1\n'
    b"foo/missing.py,,\n"
    b"../../../bin/foo,sha256=x,50\n"
    b"foo-1.0.dist-info/RECORD,,\n"
)
METADATA = b"Metadata-Version: 2.1\nName: Foo\nVersion: 1.0\n"
STATUS = b"""Package: zlib1g
Status: install ok installed
Architecture: amd64
Version: 1:1.2.13
Description: compression library
 runtime

Package: gone
Status: deinstall ok config-files
Architecture: all
Version: 1

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a
"""
ZLIB_LIST = b"""/.
/lib
/lib/x86_64-linux-gnu
/lib/x86_64-linux-gnu/libz.so.1.2.13
/lib/x86_64-linux-gnu/libz.so.1
/usr/share/doc/zlib1g/copyright
"""

LAYERS = [
    [
        Symlink("lib", "usr/lib"),
        Dir("usr/lib/x86_64-linux-gnu"),
        File("usr/lib/x86_64-linux-gnu/libz.so.1.2.13", b"z" * 1000),
        Symlink("usr/lib/x86_64-linux-gnu/libz.so.1", "libz.so.1.2.13"),
        File("usr/share/doc/zlib1g/copyright", b"c" * 10),
        File("var/lib/dpkg/status", STATUS),
        File("var/lib/dpkg/info/zlib1g:amd64.list", ZLIB_LIST),
        File("var/lib/dpkg/info/tzdata.list", b"/usr/share/zoneinfo/UTC\n"),
        File("usr/share/zoneinfo/UTC", b"u" * 100),
    ],
    [
        File("opt/venv/pyvenv.cfg", b"home = /usr/bin\n"),
        File("opt/venv/bin/foo", b"#" * 50),
        File(f"{SITE}/foo/__init__.py", b"i" * 300),
        Hardlink(f"{SITE}/foo/same.py", f"{SITE}/foo/__init__.py"),
        File(f"{SITE}/foo/with,comma.py", b"w"),
        File(
            f"{SITE}/foo-1.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: Foo\nVersion: 1.0\n",
        ),
        File(f"{SITE}/foo-1.0.dist-info/RECORD", RECORD),
        File("root/.cache/uv/archive-v0/abc/foo-1.0.dist-info/RECORD", RECORD),
    ],
    [
        # a later layer rewrites a file: the package's bytes follow what the image shows
        File(f"{SITE}/foo/with,comma.py", b"w" * 7),
        File("var/lib/dpkg/info/tzdata.list", b"/usr/share/zoneinfo/UTC\n/etc/timezone\n"),
        File("etc/timezone", b"Etc/UTC\n"),
    ],
]


def view() -> FinalView:
    archive = read_archive(
        io.BytesIO(docker_archive([layer_tar(m) for m in LAYERS])), capture=capture_limit
    )
    return FinalView(merge_layers([layer.entries for layer in archive.layers]), archive.layers)


def test_python_distributions_count_the_files_their_record_lists():
    # __init__.py and its hardlink once (300), the comma file as the image has it (7),
    # the script (50), RECORD itself; the missing file counts nothing
    record_size = len(RECORD)
    assert python_packages(view()) == [
        PythonPackage("Foo", "1.0", "/" + SITE, 300 + 7 + 50 + record_size, 5)
    ]


def test_debian_packages_resolve_merged_usr_and_skip_removed_ones():
    packages, owned = debian_packages(view())
    assert packages == [
        DebianPackage("zlib1g", "1:1.2.13", "amd64", 1000 + 14 + 10, 3, layer=0),
        DebianPackage("tzdata", "2024a", "all", 108, 2, layer=2),  # its list rewritten there
    ]
    assert owned == {
        "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13",
        "/usr/lib/x86_64-linux-gnu/libz.so.1",
        "/usr/share/doc/zlib1g/copyright",
        "/usr/share/zoneinfo/UTC",
        "/etc/timezone",
    }


def test_virtualenvs_are_the_folders_holding_pyvenv_cfg():
    assert virtualenvs(view().merged.final) == ("/opt/venv",)


def test_capture_asks_for_metadata_only():
    assert capture_limit(f"{SITE}/foo-1.0.dist-info/RECORD") > 0
    assert capture_limit(f"{SITE}/foo-1.0.dist-info/METADATA") > 0
    assert capture_limit("var/lib/dpkg/status") > 0
    assert capture_limit("var/lib/dpkg/info/libc6:amd64.list") > 0
    assert capture_limit("var/lib/dpkg/info/libc6:amd64.md5sums") == 0
    assert capture_limit(f"{SITE}/foo/RECORD") == 0
    assert capture_limit("usr/lib/libz.so") == 0


def test_an_image_without_dpkg_has_no_debian_packages():
    archive = read_archive(io.BytesIO(docker_archive([layer_tar([File("a", b"1")])])))
    merged = merge_layers([layer.entries for layer in archive.layers])
    assert debian_packages(FinalView(merged, archive.layers)) == ([], frozenset())


STATUS_REASONS = {
    "libc6": {"Package": "libc6"},
    "curl": {
        "Package": "curl",
        "Depends": "libcurl4 (= 7.88), libc6",
        "Recommends": "publicsuffix",
    },
    "libcurl4": {"Package": "libcurl4", "Depends": "libc6 | libc6.1, mail-transport-agent"},
    "postfix": {"Package": "postfix", "Provides": "mail-transport-agent"},
    "publicsuffix": {"Package": "publicsuffix"},
}


def test_install_reasons_follow_depends_alternatives_and_provides() -> None:
    extended = (
        b"Package: libcurl4\nArchitecture: amd64\nAuto-Installed: 1\n\n"
        b"Package: postfix\nAuto-Installed: 1\n\nPackage: publicsuffix\nAuto-Installed: 1\n"
    )
    assert install_reasons(STATUS_REASONS, extended) == {
        "libc6": "manual",
        "curl": "manual",
        "libcurl4": "dependency",
        "postfix": "dependency",  # provides what libcurl4 depends on
        "publicsuffix": "recommendation",
    }
    assert install_reasons(STATUS_REASONS, None) == {}


def test_requires_dist_without_extras_is_kept_normalized() -> None:
    metadata = (
        b"Metadata-Version: 2.1\nName: Foo\nVersion: 1.0\nRequires-Dist: Requests_OAuthlib>=1\n"
        b'Requires-Dist: pytest; extra == "test"\nRequires-Dist: tomli; python_version < "3.11"\n\n'
        b"Requires-Dist: not-metadata\n"
    )
    layers = [
        [
            File(f"{SITE}/foo-1.0.dist-info/METADATA", metadata),
            File(f"{SITE}/foo-1.0.dist-info/RECORD", b"foo-1.0.dist-info/METADATA,,\n"),
        ]
    ]
    archive = read_archive(
        io.BytesIO(docker_archive([layer_tar(m) for m in layers])), capture=capture_limit
    )
    found = python_packages(
        FinalView(merge_layers([la.entries for la in archive.layers]), archive.layers)
    )
    assert found[0].requires == ("requests-oauthlib", "tomli")
    assert capture_limit("var/lib/apt/extended_states") > 0
