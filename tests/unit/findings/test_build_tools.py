"""Build tools in the runtime: uv and Poetry (with what only it needs), compilers."""

from __future__ import annotations

from tests.unit.analysis.analysis_archives import File
from tests.unit.findings.images import BASE, findings_of
from workbench.findings.build_tools import RULE, exclusive_dependencies
from workbench.findings.model import Removal

SITE = "usr/local/lib/python3.11/site-packages"


def _dist(name: str, version: str, size: int, requires: tuple[str, ...] = ()) -> list:
    package = name.replace("-", "_")
    record = f"{package}/__init__.py,,\n{package}-{version}.dist-info/METADATA,,\n".encode()
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires) + "\n"
    return [
        File(f"{SITE}/{package}/__init__.py", b"x" * size),
        File(f"{SITE}/{package}-{version}.dist-info/METADATA", metadata.encode()),
        File(f"{SITE}/{package}-{version}.dist-info/RECORD", record),
    ]


def test_the_uv_binary_copied_in_is_named_with_its_bytes_and_line() -> None:
    [finding] = findings_of(
        [[File("usr/bin/uv", b"u" * 4400)]],
        ["COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv"],
        rule=RULE,
    )
    assert (finding.bytes, finding.line, finding.fix, finding.certainty) == (
        4400,
        3,
        "multi-stage",
        "certain",
    )
    assert finding.title == "uv left in the runtime (/usr/bin/uv)"


def test_uv_run_in_the_command_is_no_use_but_another_command_is() -> None:
    layers = [[File("usr/local/bin/uv", b"u" * 10)]]
    instructions = ["COPY --from=uv /uv /usr/local/bin/uv"]
    [wrapped] = findings_of(layers, instructions, rule=RULE, command=["uv", "run", "app"])
    assert wrapped.certainty == "certain" and "`uv run`" in wrapped.detail
    [used] = findings_of(layers, instructions, rule=RULE, command=["uv", "pip", "list"])
    assert used.certainty == "guess" and "runs uv" in used.reason


def test_uv_in_a_uv_base_image_is_the_from_line_and_multi_stage_fixes_it() -> None:
    base = [*BASE, File("usr/local/bin/uv", b"u" * 900), File("usr/local/bin/uvx", b"x" * 9)]
    found = findings_of([], [], rule=RULE, base=base)
    assert [(f.bytes, f.layer, f.line, f.fix) for f in found] == [(909, 0, 1, None)]
    found = findings_of(
        [], [], rule=RULE, base=base, head="WORKDIR /app\n".replace("WORKDIR", "WORKDIR")
    )
    assert found[0].instruction == "FROM python:3.11-slim-bookworm"


def test_poetry_counts_the_packages_only_it_needs() -> None:
    layer = [
        *_dist("poetry", "2.1", 500, ("dulwich", "requests")),
        *_dist("dulwich", "0.22", 300, ("urllib3",)),
        *_dist("urllib3", "2.2", 70),
        *_dist("requests", "2.32", 60, ("urllib3",)),
        *_dist("bottle", "0.13", 40),
        *_dist("app-needs", "1.0", 20, ("requests",)),
    ]
    [finding] = findings_of([layer], ['RUN pip install "poetry==2.1"'], rule=RULE)
    poetry_bytes = 500 + len(layer[1].data) + len(layer[2].data)
    dulwich_bytes = 300 + len(layer[4].data)  # the files its RECORD lists
    assert finding.bytes == poetry_bytes + dulwich_bytes
    assert finding.title.startswith("Poetry and 1 packages only it needs left in the runtime")
    assert finding.detail == "dulwich"
    assert finding.certainty == "guess"


def test_exclusive_dependencies_keep_what_others_need() -> None:
    from workbench.analysis import PythonPackage

    def package(name: str, *requires: str) -> PythonPackage:
        return PythonPackage(name, "1", "/site", 1, 1, requires)

    packages = [
        package("poetry", "cleo", "requests"),
        package("cleo", "rapidfuzz"),
        package("rapidfuzz"),
        package("requests", "urllib3"),
        package("urllib3"),
        package("app-lib", "requests"),
    ]
    names = [p.name for p in exclusive_dependencies(packages, ["poetry"], "/site")]
    assert names == ["cleo", "rapidfuzz"]


def test_a_tool_the_audit_already_names_is_left_to_the_audit() -> None:
    venv = "app/.venv/lib/python3.11/site-packages"
    layer = [File("app/.venv/pyvenv.cfg", b"h"), File(f"{venv}/poetry/__init__.py", b"p" * 80)]
    removal = Removal("poetry", "poetry>=1.8", "dev-tool", "certain", "a tool", 80)
    assert findings_of([layer], ["RUN uv sync"], rule=RULE, removals=(removal,)) == []
    [finding] = findings_of([layer], ["RUN uv sync"], rule=RULE)
    assert (finding.bytes, finding.fix, finding.certainty) == (80, None, "guess")


def test_compilers_and_dev_packages_are_build_tools() -> None:
    status = (
        b"Package: gcc-12\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12\n\n"
        b"Package: libpq-dev\nStatus: install ok installed\nArchitecture: amd64\nVersion: 15\n"
    )
    layer = [
        File("var/lib/dpkg/status", status),
        File("var/lib/dpkg/info/gcc-12:amd64.list", b"/usr/bin/gcc-12\n"),
        File("usr/bin/gcc-12", b"g" * 1200),
        File("var/lib/dpkg/info/libpq-dev:amd64.list", b"/usr/include/libpq-fe.h\n"),
        File("usr/include/libpq-fe.h", b"h" * 30),
    ]
    [finding] = findings_of(
        [layer], ["RUN apt-get install -y gcc libpq-dev"], rule=RULE, base=BASE[:4]
    )
    assert (finding.bytes, finding.fix) == (1230, "multi-stage")
    assert finding.detail == "gcc-12, libpq-dev"
    assert finding.title == "compilers and -dev packages left in the runtime"
