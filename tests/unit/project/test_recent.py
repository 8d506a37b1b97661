from __future__ import annotations

from workbench.project.recent import recent_projects, remember_project


def test_recent_projects_newest_first_without_duplicates() -> None:
    assert recent_projects() == []
    remember_project("/a")
    remember_project("/b")
    assert remember_project("/a") == ["/a", "/b"]
    assert recent_projects() == ["/a", "/b"]
