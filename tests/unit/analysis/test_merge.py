from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.analysis.analysis_archives import (
    Dir,
    File,
    Hardlink,
    Opaque,
    Symlink,
    Whiteout,
    docker_archive,
    layer_tar,
)
from workbench.analysis.merge import Group, LayerStats, merge_layers
from workbench.analysis.reader import Entry, EntryKind, read_archive

F, D, S, H, WH, OPQ = (
    EntryKind.FILE,
    EntryKind.DIR,
    EntryKind.SYMLINK,
    EntryKind.HARDLINK,
    EntryKind.WHITEOUT,
    EntryKind.OPAQUE,
)


def merge_tars(*layers):
    """Merge layers given as member lists, through a real export and the reader."""
    archive = read_archive(io.BytesIO(docker_archive([layer_tar(m) for m in layers])))
    return merge_layers([layer.entries for layer in archive.layers])


def visible(merged) -> dict[str, int]:
    """Visible path -> bytes of its group."""
    return {path: merged.groups[g].bytes for path, g in merged.final.items()}


def test_overwrite_shadows_the_lower_file():
    merged = merge_tars(
        [Dir("app"), File("app/a", b"x" * 100), File("app/b", b"y" * 10)],
        [Dir("app"), File("app/a", b"z" * 30)],
    )
    assert merged.groups == (
        Group(0, "app/a", 100, F),
        Group(0, "app/b", 10, F),
        Group(1, "app/a", 30, F),
    )
    assert merged.visible_path == (None, "app/b", "app/a")
    assert merged.layers == (LayerStats(110, 2, 0, 0), LayerStats(30, 0, 1, 0))
    assert (merged.size_bytes, merged.final_bytes, merged.shadowed_bytes) == (140, 40, 100)


def test_a_deleted_directory_takes_its_subtree():
    merged = merge_tars(
        [Dir("d"), Dir("d/e"), File("d/e/f", b"1" * 5), File("d/g", b"2" * 7), File("h", b"3")],
        [Whiteout("d")],
    )
    assert visible(merged) == {"h": 1}
    assert merged.shadowed_bytes == 12
    assert merged.layers[1] == LayerStats(0, 0, 0, 2)


def test_a_whiteout_never_deletes_its_own_layer():
    merged = merge_tars([File("a", b"old")], [File("a", b"new!"), Whiteout("a")])
    assert visible(merged) == {"a": 4}
    assert merged.groups[0].bytes == 3 and merged.visible_path[0] is None


LOWER = [Dir("o"), File("o/x", b"x" * 11), Dir("o/sub"), File("o/sub/y", b"y" * 13)]


def test_opaque_directory_marker_before_its_siblings():
    merged = merge_tars(LOWER, [Dir("o"), Opaque("o"), File("o/new", b"n" * 2)])
    assert visible(merged) == {"o/new": 2}
    assert merged.shadowed_bytes == 24
    assert merged.layers[1] == LayerStats(2, 1, 0, 2)


def test_opaque_directory_marker_after_its_siblings():
    before = merge_tars(LOWER, [Dir("o"), Opaque("o"), File("o/new", b"n" * 2)])
    after = merge_tars(LOWER, [Dir("o"), File("o/new", b"n" * 2), Opaque("o")])
    assert visible(after) == visible(before) == {"o/new": 2}
    assert after.layers == before.layers
    assert after.visible_path == before.visible_path


def test_opaque_only_hides_lower_children_not_the_directory_elsewhere():
    merged = merge_tars(
        [Dir("o"), File("o/x", b"1"), Dir("p"), File("p/y", b"22")], [Dir("o"), Opaque("o")]
    )
    assert visible(merged) == {"p/y": 2}


def test_markers_are_never_files():
    merged = merge_tars([File("keep", b"k")], [Whiteout("gone"), Dir("o"), Opaque("o")])
    assert [g.path for g in merged.groups] == ["keep"]
    assert merged.layers[1] == LayerStats(0, 0, 0, 0)


def test_hardlinks_count_once_per_group():
    merged = merge_tars(
        [Dir("b"), File("b/one", b"z" * 1000), Hardlink("b/two", "b/one"), Hardlink("b/3", "b/two")]
    )
    assert merged.groups == (Group(0, "b/one", 1000, F),)
    assert merged.final == {"b/one": 0, "b/two": 0, "b/3": 0}
    assert merged.size_bytes == merged.final_bytes == 1000
    assert merged.layers[0] == LayerStats(1000, 3, 0, 0)


def test_a_hardlink_keeps_its_group_visible_when_its_first_path_is_deleted():
    merged = merge_tars(
        [Dir("b"), File("b/one", b"z" * 1000), Hardlink("b/two", "b/one")], [Whiteout("b/one")]
    )
    assert merged.final == {"b/two": 0}
    assert merged.visible_path == ("b/two",)
    assert (merged.final_bytes, merged.shadowed_bytes) == (1000, 0)


def test_a_hardlink_group_is_shadowed_once_all_its_paths_are_gone():
    merged = merge_tars(
        [Dir("b"), File("b/one", b"z" * 1000), Hardlink("b/two", "b/one")],
        [Whiteout("b/one")],
        [File("b/two", b"new")],
    )
    assert (merged.size_bytes, merged.final_bytes, merged.shadowed_bytes) == (1003, 3, 1000)


def test_symlinks_count_their_target_length_and_can_be_replaced():
    merged = merge_tars(
        [Symlink("bin", "usr/bin"), Symlink("x", "/a/long/target")],
        [Symlink("x", "short")],
    )
    assert merged.groups == (
        Group(0, "bin", 7, S, "usr/bin"),
        Group(0, "x", 14, S, "/a/long/target"),
        Group(1, "x", 5, S, "short"),
    )
    assert (merged.final_bytes, merged.shadowed_bytes) == (12, 14)
    assert merged.layers[0].symlink_bytes == 21


def test_a_file_over_a_directory_hides_the_directory():
    merged = merge_tars(LOWER, [File("o", b"f")])
    assert visible(merged) == {"o": 1}
    assert merged.layers[1] == LayerStats(1, 0, 1, 2)


def test_a_directory_over_a_file_replaces_it_and_directories_merge():
    merged = merge_tars(
        [File("p", b"123"), Dir("q"), File("q/old", b"o")],
        [Dir("p"), File("p/in", b"i"), Dir("q"), File("q/new", b"nn")],
    )
    assert visible(merged) == {"p/in": 1, "q/old": 1, "q/new": 2}
    assert merged.shadowed_bytes == 3


def test_an_entry_below_a_lower_file_replaces_the_file():
    merged = merge_tars([File("p", b"123")], [File("p/in", b"i")])
    assert visible(merged) == {"p/in": 1}
    assert merged.layers[1] == LayerStats(1, 1, 0, 1)


# --- property: the merge agrees with a naive reference merge ---------------------


def naive_merge(layers):
    """Flat-dict merge, straight from the rules, slow and obvious."""
    state: dict[str, tuple] = {}
    sizes: list[int] = []

    def drop_under(prefix: str) -> None:
        for path in [p for p in state if prefix == "" or p.startswith(prefix + "/")]:
            del state[path]

    for entries in layers:
        for e in entries:
            if e.kind is WH:
                state.pop(e.path, None)
                drop_under(e.path)
            elif e.kind is OPQ:
                drop_under(e.path)
        own: dict[str, int] = {}
        for e in entries:
            if e.kind in (WH, OPQ):
                continue
            parts = e.path.split("/")
            for i in range(1, len(parts)):
                ancestor = "/".join(parts[:i])
                if state.get(ancestor, ("dir",)) != ("dir",):
                    del state[ancestor]
                state[ancestor] = ("dir",)
            current = state.get(e.path)
            if e.kind is D:
                if current != ("dir",):
                    state[e.path] = ("dir",)
                continue
            if current == ("dir",):
                drop_under(e.path)
            if e.kind is H and e.link in own:
                group = own[e.link]
            else:
                group = len(sizes)
                sizes.append(0 if e.kind is H else e.size)
            own[e.path] = group
            state[e.path] = ("group", group)
    final = {p: v[1] for p, v in state.items() if v[0] == "group"}
    return final, sizes


NAMES = st.sampled_from(["a", "b", "c"])
PATHS = st.lists(NAMES, min_size=1, max_size=3).map("/".join)


@st.composite
def layer_entries(draw):
    entries = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from([F, F, F, D, D, S, H, WH, OPQ]))
        path = draw(PATHS)
        if kind is F:
            entries.append(Entry(path, F, draw(st.integers(0, 50))))
        elif kind is S:
            target = draw(st.text("xyz/", min_size=1, max_size=6))
            entries.append(Entry(path, S, len(target), target))
        elif kind is H:
            targets = [e.path for e in entries if e.kind in (F, H)]
            target = draw(st.sampled_from(targets)) if targets else draw(PATHS)
            entries.append(Entry(path, H, 0, target))
        elif kind is OPQ:
            entries.append(Entry(draw(st.sampled_from(["", "a", "b", "a/b"])), OPQ))
        else:
            entries.append(Entry(path, kind))
    return entries


@settings(max_examples=400, deadline=None)
@given(st.lists(layer_entries(), min_size=1, max_size=4))
def test_merge_agrees_with_a_naive_reference(layers):
    merged = merge_layers(layers)
    final, sizes = naive_merge(layers)
    assert dict(merged.final) == final
    assert [g.bytes for g in merged.groups] == sizes
    seen = set(final.values())
    assert merged.final_bytes == sum(sizes[g] for g in seen)
    assert merged.shadowed_bytes == sum(s for g, s in enumerate(sizes) if g not in seen)
    assert merged.size_bytes == sum(stats.bytes for stats in merged.layers)
    for index, path in enumerate(merged.visible_path):
        assert (path is None) == (index not in seen)
        assert path is None or merged.final[path] == index


def test_the_merge_tells_who_hid_each_shadowed_group_and_how() -> None:
    merged = merge_tars(
        [Dir("a"), File("a/x", b"1" * 5), File("a/y", b"2" * 7), File("z", b"3")],
        [Dir("a"), File("a/x", b"9" * 5), Opaque("a")],
        [Whiteout("z")],
    )
    groups = merged.groups
    hidden = {groups[g].path + f"@{groups[g].layer}": how for g, how in merged.hidden_by.items()}
    assert hidden == {
        "a/x@0": (1, "deleted", -1),  # the opaque folder hides the lower children
        "a/y@0": (1, "deleted", -1),
        "z@0": (2, "deleted", -1),
    }
    replaced = merge_tars([File("f", b"1")], [File("f", b"2")])
    assert replaced.hidden_by == {0: (1, "replaced", 1)}
