"""File tables: every file with the component the analysis gave it, kept by image id."""

from __future__ import annotations

import io

import pytest

from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Hardlink,
    Symlink,
    Whiteout,
    docker_archive,
    image_config,
    layer_tar,
)
from workbench.analysis.image import analyze_archive
from workbench.analysis.packages import capture_limit
from workbench.analysis.reader import read_archive
from workbench.compare import file_lists
from workbench.compare.diff_files import FileTable
from workbench.errors import DiffError
from workbench.store import Store

STATUS = b"Package: tool\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n\n"


def _archive():
    base = layer_tar(
        [
            Dir("usr"), Dir("usr/lib"), File("usr/lib/libtool.so.1", b"L" * 4000),
            File("usr/bin/tool", b"T" * 300), Dir("var/lib/dpkg/info"),
            File("var/lib/dpkg/status", STATUS),
            File("var/lib/dpkg/info/tool.list", b"/usr\n/usr/bin\n/usr/bin/tool\n"),
            File("etc/old.conf", b"o" * 70),
        ]
    )  # fmt: skip
    venv = layer_tar(
        [
            File("app/.venv/pyvenv.cfg", b"home = /usr/bin\n"),
            File("app/.venv/lib/python3.11/site-packages/six.py", b"s" * 900),
            Hardlink("app/.venv/lib/python3.11/site-packages/six2.py",
                     "app/.venv/lib/python3.11/site-packages/six.py"),
            Symlink("app/.venv/bin/python", "/usr/bin/python3"),
            File("root/.cache/uv/wheel.whl", b"w" * 2000),
            Whiteout("etc/old.conf"),
            File("app/main.py", b"print()\n"),
        ]
    )  # fmt: skip
    layers = [base, venv]
    data = docker_archive(layers, config=image_config(layers, workdir="/app"))
    return read_archive(io.BytesIO(data), capture=capture_limit)


def _analysed():
    archive = _archive()
    return archive, analyze_archive(archive, app_paths=["/app/main.py"])


def test_the_table_gives_every_file_the_analysis_s_component_and_adds_up() -> None:
    archive, analysis = _analysed()
    table = file_lists.table_of_layers(analysis, archive.layers)
    assert file_lists.mismatch(table, analysis) == []
    assert table.totals() == {c: analysis.components.get(c, 0) for c in table.files}
    assert table.files["shadowed"] == {"/etc/old.conf": 70}
    assert table.files["application_code"] == {"/app/main.py": 8}
    assert (
        table.files["python_dependencies"]["/app/.venv/lib/python3.11/site-packages/six.py"] == 900
    )
    assert (
        "/app/.venv/lib/python3.11/site-packages/six2.py" not in table.files["python_dependencies"]
    )


def test_the_quick_steps_give_the_same_table_as_the_whole_analysis() -> None:
    archive, analysis = _analysed()
    quick = file_lists._lean_table(analysis, archive.layers)
    whole = file_lists._full_table(analysis, archive.layers)
    assert {c: p for c, p in quick.files.items() if p} == {
        c: p for c, p in whole.files.items() if p
    }


def test_files_that_do_not_add_up_to_the_stored_analysis_are_refused() -> None:
    archive, analysis = _analysed()
    stale = analysis.__class__.from_dict(
        {**analysis.to_dict(), "components": {**analysis.components, "other": 1}}
    )
    with pytest.raises(DiffError, match="do not add up to its stored analysis"):
        file_lists.table_of_layers(stale, archive.layers)


def test_a_table_is_kept_by_image_id_and_read_back_without_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive, analysis = _analysed()
    store = Store()
    reads = []

    def read_tables(client, analyses):
        reads.append([a.image_id for a in analyses])
        return [file_lists._encode(file_lists.table_of_layers(a, archive.layers)) for a in analyses]

    def no_engine():
        raise AssertionError("the engine is not asked when the store has the table")

    monkeypatch.setattr(file_lists, "read_tables", read_tables)
    table = file_lists.file_table(analysis, store=store, client_factory=lambda: None)
    again = file_lists.file_table(analysis, store=store, client_factory=no_engine)
    assert reads == [[analysis.image_id]]
    assert again == table
    assert file_lists.stored_table(analysis, store) == table


def test_a_stored_table_that_no_longer_adds_up_is_read_again() -> None:
    archive, analysis = _analysed()
    store = Store()
    wrong = FileTable(analysis.image_id, {"other": {"/x": 1}})
    store.save_file_table(
        analysis.image_id, file_lists.table_key(analysis), file_lists._encode(wrong)
    )
    assert file_lists.stored_table(analysis, store) is None
    store.save_file_table(analysis.image_id, file_lists.table_key(analysis), b"not zlib")
    assert file_lists.stored_table(analysis, store) is None


def test_without_an_engine_the_diff_says_why_in_one_line() -> None:
    _, analysis = _analysed()

    def down():
        from workbench.errors import EngineUnavailable

        raise EngineUnavailable("no Docker engine answers at unix:///nowhere; start one")

    tables, note = file_lists.file_tables([analysis], store=Store(), client_factory=down)
    assert tables is None
    assert note == "no Docker engine answers at unix:///nowhere; start one"


def test_only_dpkg_records_are_read_for_the_quick_steps() -> None:
    assert file_lists.dpkg_capture("var/lib/dpkg/status") > 0
    assert file_lists.dpkg_capture("var/lib/dpkg/info/tool.list") > 0
    assert file_lists.dpkg_capture("app/.venv/lib/python3.11/site-packages/x.dist-info/RECORD") == 0
