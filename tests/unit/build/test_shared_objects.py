"""ELF needs through pyelftools, dpkg's records, and libraries resolved to packages.

``elf/`` holds two small shared objects built from the C files beside them (``gcc -shared``,
stripped): ``_demo.cpython-311-x86_64-linux-gnu.so`` needs ``libfoo.so.1`` and ``libz.so.1``
and has the run path ``$ORIGIN/../demo.libs``; ``libfoo.so.1`` has that soname.
"""

from __future__ import annotations

import io
from pathlib import Path

from workbench.build.shared_objects import (
    Builder,
    SharedObject,
    external_needs,
    installed_packages,
    ld_so_conf_dirs,
    library_owners,
    read_shared_object,
    resolve,
    search_dirs,
    shown_name,
)
from workbench.variants.libraries import LibraryPlan, RuntimePackage

ELF = Path(__file__).parent / "elf"
DEMO = "_demo.cpython-311-x86_64-linux-gnu.so"
SITE = "/install/usr/local/lib/python3.11/dist-packages"
STATUS = """Package: zlib1g
Status: install ok installed
Architecture: amd64

Package: libold1
Status: deinstall ok config-files

Package: libc6
Status: install ok installed
"""


def test_read_shared_object_reads_needed_soname_and_run_path() -> None:
    path = f"{SITE}/demo/{DEMO}"
    with (ELF / DEMO).open("rb") as stream:
        found = read_shared_object(path, f"demo/{DEMO}", stream)
    assert found == SharedObject(
        path, f"demo/{DEMO}", ("libfoo.so.1", "libz.so.1"), "", (f"{SITE}/demo.libs",)
    )
    with (ELF / "libfoo.so.1").open("rb") as stream:
        assert read_shared_object("/usr/local/lib/libfoo.so.1", "x", stream).soname == "libfoo.so.1"


def test_anything_but_a_dynamic_elf_file_is_none() -> None:
    assert read_shared_object("/a.so", "a.so", io.BytesIO(b"not an ELF file")) is None
    assert read_shared_object("/a.so", "a.so", io.BytesIO(b"\x7fELF broken")) is None
    assert read_shared_object("/a.so", "a.so", io.BytesIO(b"")) is None


def test_shown_names_start_under_site_packages() -> None:
    assert shown_name(f"{SITE}/psycopg2/_psycopg.so", "/install") == "psycopg2/_psycopg.so"
    assert shown_name("/app/.venv/lib/libx.so", "/app/.venv") == "lib/libx.so"
    assert shown_name("/elsewhere/liby.so", "/app/.venv") == "/elsewhere/liby.so"


def test_dpkg_status_and_lists_give_the_installed_owner_of_each_library() -> None:
    installed = installed_packages(STATUS)
    assert installed == {"zlib1g", "libc6"}
    lists = {
        "info/zlib1g:amd64.list": "/.\n/usr/lib/x86_64-linux-gnu/libz.so.1\n/usr/share/doc/z\n",
        "info/libc6:amd64.list": "/lib/x86_64-linux-gnu/libc.so.6\n/lib/x86_64-linux-gnu/libm.so.6",
        "info/libold1.list": "/usr/lib/x86_64-linux-gnu/libold.so.1\n",
        "info/zlib1g-dev.list": "/usr/include/zlib.h\n",
    }
    dirs = ld_so_conf_dirs({"/etc/ld.so.conf.d/libc.conf": "# libc default\n/usr/local/lib\n"})
    assert dirs[0] == "/usr/local/lib"
    assert "/usr/lib/x86_64-linux-gnu" in dirs
    assert library_owners(lists, installed, dirs) == {
        "libz.so.1": "zlib1g",
        "libc.so.6": "libc6",
        "libm.so.6": "libc6",
    }


def test_resolve_names_packages_the_runtime_lacks_and_leaves_the_rest_unresolved() -> None:
    demo = SharedObject(
        f"{SITE}/demo/{DEMO}", f"demo/{DEMO}", ("libfoo.so.1", "libz.so.1", "libc.so.6")
    )
    bundled = SharedObject(f"{SITE}/np/_x.so", "np/_x.so", ("libopenblas-1a2b.so",))
    builder = Builder(objects=[demo, bundled], provided={"libopenblas-1a2b.so", "_x.so", DEMO})
    needs = external_needs(builder)
    assert sorted(needs) == ["libc.so.6", "libfoo.so.1", "libz.so.1"]
    owners = {"libz.so.1": "zlib1g", "libc.so.6": "libc6"}
    found = resolve(needs, owners, runtime_has={"libc6"})
    assert found.plan() == LibraryPlan(
        packages=(RuntimePackage("zlib1g", (f"needed by demo/{DEMO}",)),)
    )
    assert list(found.unresolved) == ["libfoo.so.1"]
    assert resolve(needs, owners, runtime_has={"libc6", "zlib1g"}).plan() == LibraryPlan()


def test_a_library_is_looked_for_in_the_run_paths_first() -> None:
    demo = SharedObject("/x/demo.so", "demo.so", ("libfoo.so.1",), search=("/x/demo.libs",))
    assert search_dirs([demo], ("/usr/local/lib", "/usr/lib")) == [
        "/x/demo.libs",
        "/usr/local/lib",
        "/usr/lib",
    ]
