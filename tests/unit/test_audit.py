"""Unit tests of the dependency audit: the lock graph, the image's dist-info, the scan
steps, the findings and their sizes, the stored result and the CLI's exit codes."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, SAMPLE_PROJECT
from tests.unit.analysis.analysis_archives import Dir, File, docker_archive, layer_tar
from workbench.audit import scan as audit_scan
from workbench.audit.core import Audit, is_dev_tool, latest_audit, run_audit
from workbench.audit.distributions import (
    Distribution,
    ImageFacts,
    console_scripts,
    is_script_word,
    modules_from_record,
    modules_from_top_level,
    read_image_facts,
    script_paths,
)
from workbench.audit.graph import LockGraph, load_lock, parse_lock
from workbench.audit.scan import (
    CopiedSource,
    command_uses,
    copied_sources,
    final_command,
    guess_modules,
    names_for,
)
from workbench.errors import AuditError
from workbench.project import load_project
from workbench.project.manifests import Declared, declared_dependencies, normalize
from workbench.store import Store

AUDIT = FIXTURES / "audit"
GRAPH_LOCK = AUDIT / "graph" / "uv.lock"
SHOP = AUDIT / "shop"
CLEAN = AUDIT / "clean"


# ---------------------------------------------------------------------------------------------
# The lock graph


@pytest.fixture(scope="module")
def graph() -> LockGraph:
    return load_lock(GRAPH_LOCK)


def test_the_roots_are_the_projects_runtime_dependencies_with_their_extras(graph) -> None:
    assert graph.project == "app"
    assert graph.roots == (("web", ()), ("tester", ()), ("linter", ()), ("cloud", ("fast",)))


def test_reachable_follows_extras_and_drops_other_platforms_and_dev_groups(graph) -> None:
    assert graph.reachable() == {
        "web", "web-only", "tester", "tester-plugin", "tester-deep", "linter", "cloud",
        "speedups", "shared-core",
    }  # fmt: skip
    # not: win-colors (Windows markers), old-backport (Python < 3.11), never-installed (an
    # extra nobody asks for), core-helper (the fork of shared-core for other platforms),
    # typer-checker (a dev group)


def test_a_removal_counts_exclusive_transitive_dependencies_and_not_shared_ones(graph) -> None:
    removal = graph.removal(["tester"])
    assert removal.packages == ("tester", "tester-deep", "tester-plugin")
    assert "shared-core" not in removal.packages  # web and linter still need it
    assert graph.removal(["web"]).packages == ("web",)  # web-only: cloud needs it too
    assert graph.removal(["web", "cloud"]).packages == ("cloud", "speedups", "web", "web-only")


def test_a_shared_dependency_goes_once_all_its_dependents_go(graph) -> None:
    assert "shared-core" not in graph.removal(["tester", "linter"]).packages
    everything = graph.removal(["tester", "linter", "web"]).packages
    assert "shared-core" in everything


def test_a_dropped_package_that_others_need_stays_and_says_who_needs_it() -> None:
    shop = load_lock(SHOP / "uv.lock")
    removal = shop.removal(["requests"])
    assert removal.packages == ()
    assert removal.kept == ("requests",)
    assert removal.needed_by["requests"] == ("google-api-core", "google-cloud-storage")


def test_removals_on_a_real_lock(graph) -> None:
    shop = load_lock(SHOP / "uv.lock")
    assert shop.root_names == (
        "black", "google-cloud-storage", "gunicorn", "httpx", "pytest", "pyyaml", "requests",
        "six",
    )  # fmt: skip
    # packaging is shared by pytest and black: it leaves only when both go
    assert "packaging" not in shop.removal(["pytest"]).packages
    assert "packaging" not in shop.removal(["black"]).packages
    assert "packaging" in shop.removal(["pytest", "black"]).packages
    # idna and certifi are shared by httpx and requests
    assert shop.removal(["httpx"]).packages == ("anyio", "h11", "httpcore", "httpx")


def test_bytes_of_a_removal_sum_the_sizes_of_its_packages(graph) -> None:
    sizes = {"tester": 100, "tester-plugin": 20, "tester-deep": 3, "shared-core": 1000}
    assert graph.removal(["Tester"]).bytes(sizes) == 123


def test_the_graph_round_trips_through_json(graph) -> None:
    again = LockGraph.from_dict(json.loads(json.dumps(graph.to_dict())))
    assert again == graph
    assert again.removal(["tester"]) == graph.removal(["tester"])


def test_markers_follow_the_python_version() -> None:
    older = load_lock(GRAPH_LOCK, python_version="3.10")
    assert "old-backport" in older.reachable()


def test_a_lock_that_is_not_toml_is_an_audit_error(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="uv lock"):
        parse_lock("[[package]\nname=")
    with pytest.raises(AuditError, match="cannot read"):
        load_lock(tmp_path / "uv.lock")


def test_without_a_project_entry_the_given_roots_are_used() -> None:
    text = '[[package]]\nname = "a"\nversion = "1"\ndependencies = [{ name = "b" }]\n'
    text += '[[package]]\nname = "b"\nversion = "1"\n'
    lock = parse_lock(text, roots=["A"])
    assert lock.project == ""
    assert lock.removal(["a"]).packages == ("a", "b")


def test_normalize_follows_pep_503() -> None:
    assert normalize("Foo_Bar.baz") == "foo-bar-baz"


# ---------------------------------------------------------------------------------------------
# The image's dist-info


def test_modules_from_record_take_folders_modules_and_extensions() -> None:
    record = "\n".join(
        [
            "foo/__init__.py,sha256=x,10",
            "foo/sub/x.py,,",
            "_foo_speedups.cpython-311-x86_64-linux-gnu.so,,",
            "single.py,,",
            "foo-1.0.dist-info/RECORD,,",
            "foo-1.0.data/scripts/x,,",
            "__pycache__/single.cpython-311.pyc,,",
            "../../../bin/foo,,",
            "foo.pth,,",
        ]
    )
    assert modules_from_record(record) == {"foo", "_foo_speedups", "single"}


def test_modules_from_top_level_and_console_scripts() -> None:
    assert modules_from_top_level("google\ngoogle/cloud/firestore\n\n") == {"google"}
    text = "[console_scripts]\nfoo = foo:main\npy.test = x:y\n\n[gui_scripts]\nbar = b:m\n"
    text += "[pytest11]\nplugin = p\n"
    assert console_scripts(text) == ("foo", "py.test", "bar")
    assert console_scripts("not an ini [") == ()


def test_script_paths_are_path_like_words_relative_to_the_workdir() -> None:
    assert script_paths(("./start.sh",), "/app") == ("app/start.sh",)
    assert script_paths(("/bin/sh", "-c", "exec /srv/run serve --x=1"), "/") == ("srv/run",)
    assert script_paths(("/usr/local/bin/python3.11", "-m", "app"), "/") == ()
    assert not is_script_word("streamlit_app/app.py")
    assert not is_script_word("backend.main:app")
    assert not is_script_word("--server.port")
    assert is_script_word("scripts/start.sh")


class _FakeAPI:
    def __init__(self, archive: bytes, inspect: dict) -> None:
        self.archive, self.inspect = archive, inspect

    def inspect_image(self, ref: str) -> dict:
        return self.inspect

    def get_image(self, ref: str):
        yield self.archive


class _FakeClient:
    def __init__(self, archive: bytes, inspect: dict) -> None:
        self.api = _FakeAPI(archive, inspect)


SITE = "app/.venv/lib/python3.11/site-packages"
CACHE = "root/.cache/uv/archive-v0/abc"
RECORD = (
    "foo/__init__.py,sha256=x,100\n"
    "_foo_speedups.cpython-311-x86_64-linux-gnu.so,,\n"
    "foo_bar-1.0.dist-info/METADATA,,\n"
    "foo_bar-1.0.dist-info/RECORD,,\n"
    "foo_bar-1.0.dist-info/entry_points.txt,,\n"
    "../../../bin/foo,,\n"
)
METADATA = "Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\n\nlong description"
ENTRY_POINTS = "[console_scripts]\nfoo = foo:main\n"


def _image() -> bytes:
    base = layer_tar([Dir("app"), File("app/start.sh", b"#!/bin/sh\nexec foo --serve\n")])
    venv = layer_tar(
        [
            File(f"{SITE}/foo/__init__.py", b"x" * 100),
            File(f"{SITE}/foo/__pycache__/__init__.cpython-311.pyc", b"c" * 50),
            File(f"{SITE}/_foo_speedups.cpython-311-x86_64-linux-gnu.so", b"s" * 200),
            File(f"{SITE}/foo_bar-1.0.dist-info/METADATA", METADATA.encode()),
            File(f"{SITE}/foo_bar-1.0.dist-info/RECORD", RECORD.encode()),
            File(f"{SITE}/foo_bar-1.0.dist-info/entry_points.txt", ENTRY_POINTS.encode()),
            File("app/.venv/bin/foo", b"b" * 30),
            File(f"{CACHE}/foo/__init__.py", b"x" * 100),
            File(f"{CACHE}/foo_bar-1.0.dist-info/RECORD", b"foo/__init__.py,,\n"),
        ]
    )
    return docker_archive([base, venv])


def test_the_image_facts_come_from_one_pass_over_the_export() -> None:
    inspect = {
        "Id": "sha256:feed",
        "RepoTags": ["test/foo:1"],
        "Config": {"Cmd": ["./start.sh"], "WorkingDir": "/app"},
    }
    facts = read_image_facts(_FakeClient(_image(), inspect), "test/foo:1")
    assert facts.command == ("./start.sh",)
    assert facts.scripts == {"/app/start.sh": "#!/bin/sh\nexec foo --serve\n"}
    assert facts.python_version == "3.11"
    [dist] = facts.distributions
    recorded = 100 + 200 + len(METADATA) + len(RECORD) + len(ENTRY_POINTS) + 30
    assert dist == Distribution(
        name="Foo_Bar",
        version="1.0",
        location=f"/{SITE}",
        bytes=recorded,
        bytecode_bytes=50,
        copies_bytes=100,
        modules=("_foo_speedups", "foo"),
        console_scripts=("foo",),
    )
    assert facts.sizes() == {"foo-bar": recorded + 150}
    assert ImageFacts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts


def test_a_missing_image_is_an_audit_error() -> None:
    import docker.errors

    class Missing:
        class api:  # noqa: N801
            @staticmethod
            def inspect_image(ref: str) -> dict:
                raise docker.errors.ImageNotFound("no")

    with pytest.raises(AuditError, match="has no image"):
        read_image_facts(Missing(), "nope:1")


# ---------------------------------------------------------------------------------------------
# The scan steps


def test_declared_dependencies_name_their_groups() -> None:
    pyproject = {
        "project": {
            "dependencies": ["Requests[socks]>=2", "six"],
            "optional-dependencies": {"fast": ["orjson"]},
        },
        "dependency-groups": {"dev": ["pytest", {"include-group": "x"}]},
        "tool": {"uv": {"dev-dependencies": ["mypy"]}},
    }
    assert declared_dependencies(pyproject) == [
        Declared("requests", "Requests", "Requests[socks]>=2", "runtime"),
        Declared("six", "six", "six", "runtime"),
        Declared("orjson", "orjson", "orjson", "optional:fast"),
        Declared("pytest", "pytest", "pytest", "dev:dev"),
        Declared("mypy", "mypy", "mypy", "uv-dev"),
    ]


def test_copied_sources_map_project_paths_to_image_paths() -> None:
    text = (SHOP / "Dockerfile").read_text()
    assert copied_sources(text, SHOP) == [
        CopiedSource("shop", "/srv/shop", True),
        CopiedSource("bin/run.sh", "/srv/run.sh", False),
    ]
    sample = copied_sources((SAMPLE_PROJECT / "Dockerfile").read_text(), SAMPLE_PROJECT)
    assert [c.source for c in sample] == ["backend", "streamlit_app", "scripts/start.sh"]
    assert sample[-1].dest == "/app/start.sh"


def test_final_command_reads_exec_and_shell_forms() -> None:
    assert final_command((SHOP / "Dockerfile").read_text()) == (("./run.sh",), "/srv")
    text = (
        'FROM x AS a\nCMD ["no"]\nFROM y\nWORKDIR /w\nENTRYPOINT ["tini", "--"]\nCMD gunicorn app\n'
    )
    assert final_command(text) == (("tini", "--", "/bin/sh", "-c", "gunicorn app"), "/w")


def test_dev_tools_are_recognised_by_name_and_prefix() -> None:
    assert all(is_dev_tool(n) for n in ("pytest", "Poetry", "pytest-cov", "types-requests"))
    assert not any(is_dev_tool(n) for n in ("requests", "uvicorn", "pyyaml"))


def test_module_names_are_guessed_without_an_image() -> None:
    assert guess_modules("google-cloud-firestore") == ("google",)
    assert guess_modules("PyYAML") == ("yaml", "_yaml")
    assert guess_modules("langchain-community") == ("langchain_community",)


def test_the_start_command_uses_console_scripts_in_nested_scripts_and_python_m() -> None:
    names = names_for(["gunicorn", "celery", "uvicorn"], None)
    scripts = {
        "/srv/run.sh": "#!/bin/sh\n# gunicorn in a comment does not count\n./bin/worker &&"
        " exec gunicorn app:app\n",
        "/srv/bin/worker": "celery -A tasks worker\npython -m uvicorn x:app\n",
    }
    uses, modules = command_uses(("./run.sh",), scripts, "/srv", names)
    assert {(u.name, u.where) for u in uses} == {
        ("gunicorn", "/srv/run.sh:3"),
        ("celery", "/srv/bin/worker:1"),
        ("uvicorn", "/srv/bin/worker:2"),
    }
    assert modules == [("uvicorn", "/srv/bin/worker:2")]
    uses, _ = command_uses(("/bin/sh", "-c", "exec uvicorn app:app"), {}, "/", names)
    assert [(u.name, u.where) for u in uses] == [("uvicorn", "CMD:1")]


# ---------------------------------------------------------------------------------------------
# The audit of a fixture project, without an image


@pytest.fixture
def shop():
    return load_project(SHOP)


def test_the_audit_without_an_image_names_guessed_findings(shop) -> None:
    audit = run_audit(shop, use_image=False)
    assert audit.names_from == "guesses" and audit.image is None
    assert audit.sources == ("shop", "bin/run.sh")
    assert [(c.name, c.kind, c.certainty, c.selected) for c in audit.candidates] == [
        ("black", "dev-tool", "guess", True),
        ("pytest", "dev-tool", "guess", True),
        ("six", "unused", "guess", False),
    ]
    assert all(c.bytes is None for c in audit.candidates) and audit.total_bytes is None
    [overlap] = audit.overlaps
    assert overlap.group == "HTTP clients"
    assert [(m.name, m.files) for m in overlap.members] == [
        ("httpx", ("shop/client.py",)),
        ("requests", ("shop/api.py",)),
    ]
    assert [(u.name, u.command, u.where) for u in audit.script_uses] == [
        ("gunicorn", "gunicorn", "/srv/run.sh:4")
    ]
    codes = {(w.code, w.name, w.files) for w in audit.warnings}
    assert codes == {
        ("DEP001", "missing_mod", ("shop/client.py:4",)),
        ("DEP003", "urllib3", ("shop/client.py:5",)),
    }
    assert '"pytest>=8",' in audit.dev_group and '"black>=24",' in audit.dev_group
    assert any("[tool.uv] dev-dependencies" in note for note in audit.notes)
    assert audit.exit_code == 1


def _facts_for(lock: LockGraph, extra: dict[str, Distribution] | None = None) -> ImageFacts:
    """An image holding every package of the lock, 1000 bytes each (+ given overrides)."""
    special = {
        "pytest": (("_pytest", "py", "pytest"), ("pytest", "py.test")),
        "black": (("black", "blackd", "blib2to3", "_black_version"), ("black", "blackd")),
        "gunicorn": (("gunicorn",), ("gunicorn",)),
        "pyyaml": (("_yaml", "yaml"), ()),
        "protobuf": (("google",), ()),
    }
    dists = []
    for name in sorted(lock.reachable()):
        modules, scripts = special.get(name, ((guess_modules(name)), ()))
        dists.append(
            Distribution(name, "1", "/srv/.venv/lib/python3.11/site-packages", 900, 100, 0,
                         tuple(modules), tuple(scripts))
        )  # fmt: skip
    for name, dist in (extra or {}).items():
        dists = [d for d in dists if d.key != name] + [dist]
    return ImageFacts("sha256:shop", ("shop:test",), ("./run.sh",), "/srv", "3.11", tuple(dists))


def test_the_audit_with_the_images_names_is_certain_and_sized(shop) -> None:
    lock = load_lock(SHOP / "uv.lock")
    facts = _facts_for(lock)
    audit = run_audit(shop, facts=facts)
    assert audit.names_from == "image" and audit.image == "shop:test"
    by_name = {c.name: c for c in audit.candidates}
    assert set(by_name) == {"black", "pytest", "six"}
    assert all(c.certainty == "certain" and c.selected for c in audit.candidates)
    for name, candidate in by_name.items():
        assert candidate.packages == lock.removal([name]).packages
        assert candidate.bytes == 1000 * len(candidate.packages)
    assert by_name["pytest"].packages == ("iniconfig", "pluggy", "pygments", "pytest")
    together = lock.removal(["black", "pytest", "six"]).packages
    assert "packaging" in together  # shared by black and pytest: freed with both
    assert audit.total_bytes == 1000 * len(together)
    assert audit.total_bytes > sum(c.bytes for c in audit.candidates)
    assert (audit.plan_min_bytes, audit.plan_max_bytes) == (1_000_000, 5_000_000)
    assert audit.plan_verdict() == "below"
    members = {m.name: m for m in audit.overlaps[0].members}
    assert members["httpx"].frees_bytes == 4000  # anyio, h11, httpcore, httpx
    assert members["requests"].frees_bytes == 0
    assert members["requests"].needed_by == ("google-api-core", "google-cloud-storage")
    assert members["httpx"].own_bytes == 1000
    assert [u.certainty for u in audit.script_uses] == ["certain"]
    assert {w.certainty for w in audit.warnings} == {"certain"}
    assert audit.removal_bytes(["pytest"]) == (4000, by_name["pytest"].packages)


def test_a_console_script_the_start_command_runs_keeps_a_distribution(shop, tmp_path) -> None:
    lock = load_lock(SHOP / "uv.lock")
    # six installs a command the start script runs: it is then used, not a candidate
    six = Distribution("six", "1", "/x/site-packages", 10, 0, 0, ("six",), ("six-tool",))
    facts = _facts_for(lock, {"six": six})
    facts = ImageFacts(
        facts.image_id, facts.tags, facts.command, facts.workdir, facts.python_version,
        facts.distributions, {"/srv/run.sh": "six-tool --check\nexec gunicorn shop.api:app\n"},
    )  # fmt: skip
    audit = run_audit(shop, facts=facts, save=False)
    assert "six" not in {c.name for c in audit.candidates}
    assert ("six", "six-tool", "/srv/run.sh:1") in {
        (u.name, u.command, u.where) for u in audit.script_uses
    }


def test_a_development_tool_the_app_imports_is_a_warning_not_a_candidate(tmp_path) -> None:
    project = tmp_path / "p"
    (project / "app").mkdir(parents=True)
    (project / "Dockerfile").write_text("FROM x\nCOPY app/ /app/app/\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["pytest", "six"]\n'
    )
    (project / "app" / "__init__.py").write_text("")
    (project / "app" / "checks.py").write_text("import pytest\nimport six\n")
    audit = run_audit(load_project(project), use_image=False, save=False)
    assert audit.candidates == ()
    assert [(w.code, w.name) for w in audit.warnings] == [("DEV-IMPORTED", "pytest")]
    assert audit.exit_code == 0


def test_the_audit_is_kept_in_the_store_and_reads_back_equal(shop) -> None:
    audit = run_audit(shop, facts=_facts_for(load_lock(SHOP / "uv.lock")))
    again = latest_audit(shop)
    assert again is not None
    assert abs(again.created_at - audit.created_at) < 5  # the store's own time
    assert replace(again, created_at=audit.created_at) == audit
    assert Store().latest_audit(shop.key)["image_id"] == "sha256:shop"
    assert Audit.from_dict(json.loads(json.dumps(audit.to_dict()))) == audit


def test_the_sample_without_an_image_has_none_of_deptrys_false_findings() -> None:
    audit = run_audit(load_project(SAMPLE_PROJECT), use_image=False, save=False)
    names = {c.name for c in audit.candidates}
    assert {"poetry", "pytest", "hypothesis", "ruff"} <= names
    # the false findings the issue measured with deptry alone
    assert "google-cloud-firestore" not in names
    assert "uvicorn" not in names
    assert not [w for w in audit.warnings if w.code == "DEP001"]
    assert {"uvicorn", "streamlit"} <= {u.name for u in audit.script_uses}
    [overlap] = audit.overlaps
    assert {m.name: m.files for m in overlap.members} == {
        "httpx": ("backend/main.py",),
        "requests": ("streamlit_app/app.py",),
    }
    poetry = next(c for c in audit.candidates if c.name == "poetry")
    assert poetry.action.startswith("remove")
    assert "deprecated" in audit.notes[0]


def test_configured_sources_replace_the_dockerfiles(shop) -> None:
    audit = run_audit(shop, use_image=False, sources=["shop"], save=False)
    assert audit.sources == ("shop",)
    # the start script is not among the sources any more: gunicorn looks unused
    assert "gunicorn" in {c.name for c in audit.candidates}
    with pytest.raises(AuditError, match="not in"):
        run_audit(shop, use_image=False, sources=["nowhere"], save=False)


def test_a_project_without_pyproject_is_an_audit_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    with pytest.raises(AuditError, match="no pyproject.toml"):
        run_audit(load_project(tmp_path), use_image=False)


def test_deptry_runs_without_consulting_the_workbenchs_environment(shop) -> None:
    # urllib3 is installed in the workbench's own environment, so deptry alone would call
    # it a transitive dependency (DEP003); against an image without it, it is missing
    copies = [CopiedSource("shop", "/srv/shop", True)]
    declared = declared_dependencies({"project": {"dependencies": [
        "requests", "httpx", "gunicorn", "pyyaml", "google-cloud-storage", "pytest", "black", "six",
    ]}})  # fmt: skip
    module_map = {d.spelled: guess_modules(d.name) for d in declared}
    scan = audit_scan.run_deptry(shop, copies, module_map, {}, {})
    codes = {(code, name) for code, name, _ in scan.violations}
    assert ("DEP001", "urllib3") in codes
    assert ("DEP003", "urllib3") not in codes
    assert ("DEP002", "six") in codes and ("DEP002", "requests") not in codes
    assert scan.imports["yaml"] == ("shop/api.py:4",)


# ---------------------------------------------------------------------------------------------
# The CLI


def _cli(*args: str):
    from workbench.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_exit_codes_nothing_found_candidates_and_errors(tmp_path) -> None:
    clean = _cli("audit", str(CLEAN), "--no-image")
    assert clean.exit_code == 0, clean.output
    assert "No dependency to drop." in clean.output
    found = _cli("audit", str(SHOP), "--no-image")
    assert found.exit_code == 1
    assert "pytest" in found.output and "HTTP clients" in found.output
    missing = _cli("audit", str(tmp_path / "nowhere"), "--no-image")
    assert missing.exit_code == 2
    both = _cli("audit", str(SHOP), "--no-image", "--image", "x:1")
    assert both.exit_code == 2


def test_cli_json_is_the_stored_shape_without_the_bulky_parts() -> None:
    result = _cli("audit", str(SHOP), "--no-image", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [c["name"] for c in data["candidates"]] == ["black", "pytest", "six"]
    assert "graph" not in data and "image_facts" not in data
    assert data["overlaps"][0]["members"][0]["files"] == ["shop/client.py"]


def test_a_background_audit_lands_in_the_store_or_says_why_not(shop, tmp_path) -> None:
    from workbench.audit.core import audit_error, audit_running, start_audit

    assert start_audit(shop, use_image=False)
    deadline = time.monotonic() + 60
    while audit_running(shop) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert audit_error(shop) is None
    assert latest_audit(shop) is not None
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    bare = load_project(tmp_path)
    start_audit(bare, use_image=False)
    while audit_running(bare):
        time.sleep(0.05)
    assert "no pyproject.toml" in audit_error(bare)


def test_copying_the_whole_project_scans_neither_tests_nor_the_virtualenv(tmp_path) -> None:
    import shutil

    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    (project / ".venv" / "lib").mkdir(parents=True)
    (project / ".venv" / "lib" / "x.py").write_text("import hypothesis\n")
    text = (project / "Dockerfile").read_text()
    (project / "Dockerfile").write_text(text.replace("COPY shop/ ./shop/", "COPY . ."))
    audit = run_audit(load_project(project), use_image=False, save=False)
    assert audit.sources[0] == "."
    assert audit.python_files == 4  # shop/*.py; not tests/ (imports pytest), not .venv/
    assert "pytest" in {c.name for c in audit.candidates}
    assert "hypothesis" not in {w.name for w in audit.warnings}


def test_the_default_excludes_are_deptrys() -> None:
    from deptry.cli import DEFAULT_EXCLUDE

    assert audit_scan.DEFAULT_EXCLUDE == DEFAULT_EXCLUDE


def test_malformed_dependency_sections_are_skipped_not_fatal() -> None:
    pyproject = {
        "project": {"dependencies": ["httpx>=0.27"], "optional-dependencies": ["not", "a table"]},
        "dependency-groups": "dev",
        "tool": {"uv": {"dev-dependencies": {"not": "a list"}}},
    }
    assert [d.name for d in declared_dependencies(pyproject)] == ["httpx"]
