from __future__ import annotations

from workbench.analysis.efficiency import Efficiency, efficiency
from workbench.analysis.reader import Entry, EntryKind

F, D, S, WH = EntryKind.FILE, EntryKind.DIR, EntryKind.SYMLINK, EntryKind.WHITEOUT


def test_an_image_without_repeats_is_fully_efficient():
    assert efficiency([[Entry("a", F, 10)], [Entry("b", F, 5)]]) == Efficiency(1.0, 0, 0)
    assert efficiency([]) == Efficiency(1.0, 0, 0)


def test_a_rewritten_file_is_waste_weighted_by_its_sizes():
    result = efficiency([[Entry("a", F, 100), Entry("b", F, 60)], [Entry("a", F, 40)]])
    assert result == Efficiency((40 + 60) / (140 + 60), 140, 1)


def test_a_deleted_file_counts_its_size_as_waste():
    result = efficiency([[Entry("f", F, 50), Entry("g", F, 50)], [Entry("f", WH)]])
    assert result == Efficiency(50 / 100, 50, 1)


def test_a_deleted_folder_adds_its_subtree_under_its_own_path():
    layers = [
        [Entry("d", D), Entry("d/x", F, 10), Entry("d/y", F, 20)],
        [Entry("d", WH)],
    ]
    # "d" is not a leaf of the first layer, so dive sees it once: no waste
    assert efficiency(layers) == Efficiency(1.0, 0, 0)
    layers.append([Entry("d", D)])
    layers.append([Entry("d", WH)])
    assert efficiency(layers).wasted_bytes == 30


def test_symlinks_and_folders_weigh_nothing_for_dive():
    layers = [
        [Entry("s", S, 7, "target!"), Entry("e", D)],
        [Entry("s", S, 3, "new"), Entry("e", D)],
    ]
    assert efficiency(layers) == Efficiency(1.0, 0, 2)


def test_a_whiteout_of_a_missing_path_stops_that_layer_like_dive():
    base = [Entry("a", F, 10)]
    # ".wh.missing" sorts before "b": dive errors out of the layer and never sees "b"
    assert efficiency([base, [Entry("missing", WH), Entry("b", F, 5)]]) == Efficiency(1.0, 0, 0)
    # with a target that exists, the rest of the layer is seen
    result = efficiency([base + [Entry("m", F, 1)], [Entry("m", WH), Entry("a", F, 5)]])
    assert result == Efficiency(5 / 16, 16, 2)


def test_the_stack_below_a_whiteout_includes_every_lower_layer():
    layers = [
        [Entry("d", D), Entry("d/x", F, 10)],
        [Entry("d/y", F, 20)],
        [Entry("d", D)],  # "d" is a leaf here: seen once, size 0
        [Entry("d", WH)],  # seen again: the stack's d/x + d/y
    ]
    assert efficiency(layers) == Efficiency(30 / 60, 30, 1)
