"""A store with two analysed images and their file tables, and no engine: what the
command-line tests of ``diff`` and ``check --against`` run on."""

from __future__ import annotations

import pytest

from tests.unit.compare.diff_images import A_FILES, B_FILES, image_a, image_b, table
from workbench.compare import file_lists
from workbench.store import Store

BIG = "w/p:aaaa"  # 13.1 MB
SMALL = "w/p:cccc"  # 9.0 MB, 4.2 MB less


def fill(monkeypatch: pytest.MonkeyPatch) -> Store:
    """Both images analysed, their file tables kept; the engine unreachable."""
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    store = Store()
    for analysis, files in ((image_a(), A_FILES), (image_b(), B_FILES)):
        store.save_analysis(analysis.image_id, "test", analysis.to_dict())
        blob = file_lists._encode(table(analysis, files))
        store.save_file_table(analysis.image_id, file_lists.table_key(analysis), blob)
    return store
