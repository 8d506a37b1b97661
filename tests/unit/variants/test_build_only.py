"""The one rule for build-only Debian packages, and the commands they provide."""

from __future__ import annotations

import pytest

from workbench.variants.build_only import is_build_only, package_name, programs, run_by


@pytest.mark.parametrize(
    "package",
    [
        "gcc",
        "gcc-12",
        "g++",
        "g++-12",
        "cpp-12",
        "clang-14",
        "gfortran",
        "build-essential",
        "make",
        "cmake",
        "pkg-config",
        "pkgconf",
        "autoconf",
        "libtool",
        "binutils",
        "binutils-x86-64-linux-gnu",
        "libpq-dev",
        "python3-dev",
        "python3.11-dev",
        "libpython3.11-dev",
        "libc6-dev",
        "linux-libc-dev",
        "libc-dev-bin",
        "zlib1g-dev",
        "libgcc-12-dev",
        "libisl23",
        "libmpc3",
        "libasan8",
        "rustc",
        "cargo",
        "libpq-dev=15.8-0+deb12u1",
        "libpq-dev:amd64",
        "LIBPQ-DEV",
    ],
)
def test_compilers_headers_and_build_tools_are_build_only(package: str) -> None:
    assert is_build_only(package)


@pytest.mark.parametrize(
    "package",
    [
        "libpq5",
        "libxml2",
        "libgomp1",
        "libstdc++6",
        "libgcc-s1",
        "gcc-12-base",
        "libquadmath0",
        "libllvm14",
        "python3",
        "python3-pip",
        "python3-venv",
        "git",
        "curl",
        "ca-certificates",
        "udev",
        "tini",
        "",
    ],
)
def test_runtime_libraries_python_and_tools_are_not(package: str) -> None:
    assert not is_build_only(package)


def test_package_name_drops_versions_architectures_and_releases() -> None:
    assert package_name("libpq-dev=15.*") == "libpq-dev"
    assert package_name("libpq-dev:amd64") == "libpq-dev"
    assert package_name("gcc/bookworm-backports") == "gcc"


def test_programs_name_the_commands_a_package_gives() -> None:
    assert programs("gcc-12") == ("gcc-12", "gcc", "cc")
    assert "make" in programs("build-essential")
    assert programs("libpq-dev") == ("libpq-dev",)


def test_run_by_finds_a_command_as_a_word() -> None:
    assert run_by("make", ["make -C docs", "curl -fsS http://x"]) == "make"
    assert run_by("make", ["cmake --build .", "remake"]) == ""
    assert run_by("gcc-12", ['["/usr/bin/gcc", "-v"]']) == "gcc"
    assert run_by("build-essential", ["python app.py"]) == ""
