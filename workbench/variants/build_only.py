"""Debian packages that only building needs: compilers, headers, build systems.

The one rule for it, :func:`is_build_only`: the multi-stage transform leaves these packages in
the builder stage (the runtime's ``apt-get install`` keeps only the others), and Breakdown's
table of Debian packages marks them. A package counts as build-only by its name: a compiler
(``gcc``, ``g++-12``, ``clang``, ``gfortran``, ``rustc``), headers (``*-dev``, ``linux-headers-*``),
a build system or its helpers (``build-essential``, ``make``, ``cmake``, ``pkg-config``,
``autoconf``, ``libtool``...), binutils, and the libraries only compilers load (``libisl23``,
``libmpc3``, ``libasan8``...). Python itself, ``git``, and the libraries a program loads at run
time (``libpq5``, ``libgomp1``, ``libstdc++6``) are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_VERSIONED = r"(-\d+(\.\d+)*)?"
_TRIPLET = r"(-(x86-64|aarch64|arm|i686|powerpc64le|s390x|riscv64)-linux-gnu\w*)?"
BUILD_ONLY = re.compile(
    "|".join(
        [
            # compilers and their drivers
            rf"(gcc|g\+\+|cpp|gfortran|gccgo|gdc|gnat|clang|llvm|lld|rustc|cargo){_VERSIONED}"
            rf"{_TRIPLET}(-multilib|-plugin-dev)?",
            r"c\+\+-compiler|c-compiler|rust-all|golang(-\d+(\.\d+)*)?(-go)?",
            # headers and what only headers need
            r".+-dev(-bin)?",
            r"linux-headers-.+|linux-libc-dev|rpcsvc-proto|manpages-dev",
            # build systems and their helpers
            r"build-essential|dpkg-dev|libdpkg-perl|fakeroot|libfakeroot|make|make-guile|cmake"
            r"|cmake-data|ninja-build|meson|scons|autoconf|automake|autotools-dev|libtool"
            r"|libtool-bin|m4|bison|flex|swig\d*|nasm|yasm|patch|ccache",
            r"pkg-config|pkgconf|pkgconf-bin|libpkgconf\d+",
            rf"binutils{_TRIPLET}(-common)?|libbinutils|libctf(-nobfd)?\d+|libgprofng\d+"
            r"|libsframe\d+",
            # the libraries only compilers load, and sanitizer runtimes
            r"libisl\d+|libmpc\d+|libmpfr\d+|libcc1-\d+|lib(a|l|t|ub|hwa)san\d+|libitm\d+",
        ]
    )
)
"""What :func:`is_build_only` matches, against the package's bare name."""

_PROGRAMS: dict[str, tuple[str, ...]] = {
    "build-essential": ("make", "gcc", "cc", "g++", "c++"),
    "binutils": ("ld", "as", "ar", "nm", "objdump", "strip", "readelf", "ranlib"),
    "pkgconf": ("pkg-config", "pkgconf"),
    "pkgconf-bin": ("pkg-config", "pkgconf"),
    "gcc": ("gcc", "cc"),
    "g++": ("g++", "c++"),
    "clang": ("clang", "clang++", "cc"),
    "ninja-build": ("ninja",),
    "libtool-bin": ("libtool",),
    "rustc": ("rustc",),
    "cargo": ("cargo",),
    "dpkg-dev": ("dpkg-buildpackage", "dpkg-architecture", "dpkg-source"),
}


def package_name(word: str) -> str:
    """The bare name of a package as an ``apt-get install`` argument writes it.

    ``libpq-dev=15.8-0+deb12u1`` and ``libpq-dev:amd64`` and ``libpq-dev/bookworm`` are all
    ``libpq-dev``.
    """
    return re.split(r"[=:/]", word.strip(), maxsplit=1)[0].lower()


def is_build_only(package: str) -> bool:
    """Whether a Debian package is only needed to build: compilers, headers, build tools.

    Args:
        package: A package name, as ``dpkg`` lists it or as an ``apt-get install`` argument
            writes it (``gcc``, ``libpq-dev=15.*``, ``libpq-dev:amd64``).

    Returns:
        True for compilers, ``-dev`` headers, ``build-essential``, ``pkg-config``, ``make``,
        binutils and the like (:data:`BUILD_ONLY`); False for everything else, Python, git and
        the libraries programs load at run time included.
    """
    name = package_name(package)
    return bool(name) and BUILD_ONLY.fullmatch(name) is not None


def programs(package: str) -> tuple[str, ...]:
    """The commands a build-only package provides, to tell whether a runtime still runs it.

    Args:
        package: A package name.

    Returns:
        Its own name with any version suffix dropped (``gcc-12`` runs as ``gcc-12`` and
        ``gcc``), and the commands of the packages that name theirs differently
        (``build-essential`` -> ``make``, ``gcc``...).
    """
    name = package_name(package)
    plain = re.sub(r"-\d+(\.\d+)*$", "", name)
    found = [name, plain, *_PROGRAMS.get(plain, ())]
    return tuple(dict.fromkeys(found))


def run_by(package: str, texts: Iterable[str]) -> str:
    """Which of a package's commands some text runs, as a word (``make`` in ``make -C docs``).

    Args:
        package: A package name.
        texts: Commands, scripts, instructions.

    Returns:
        The first command of :func:`programs` one of the texts runs, "" when none does.
    """
    texts = list(texts)
    for name in programs(package):
        pattern = re.compile(rf"(?:^|[\s\"'\[;&|(=`/]){re.escape(name)}(?=$|[\s\"',\];&|)`])")
        if any(pattern.search(text) for text in texts):
            return name
    return ""
