"""The smoke container's memory figure, as the docker CLI computes it."""

from __future__ import annotations

import pytest

from workbench.checks.container import MemoryWatch


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        # cgroup v2: usage minus inactive file cache, as `docker stats` shows it
        (
            {"memory_stats": {"usage": 50_000_000, "stats": {"inactive_file": 10_000_000}}},
            40_000_000,
        ),
        # cgroup v1: the kernel's own peak counts
        (
            {
                "memory_stats": {
                    "usage": 30_000_000,
                    "max_usage": 70_000_000,
                    "stats": {"total_inactive_file": 5_000_000},
                }
            },
            65_000_000,
        ),
        ({"memory_stats": {}}, None),  # a stopped container
    ],
)
def test_memory_usage_of_a_stats_sample(sample, expected) -> None:
    assert MemoryWatch.usage(sample) == expected
