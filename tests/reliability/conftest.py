"""The reliability suite's tally: faults injected and builds lost, printed at the end.

Tests take the ``faults`` fixture and call :meth:`Tally.inject` once per fault they
inject.  Tests that run builds hand the store to :meth:`Tally.check_builds` with the
ids whose records must survive: a build counts as lost when its record disappeared,
or when it should have finished and did not (still queued or running), or when a
finished record changed.  The counts are computed, never assumed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

from workbench.store import FINISHED, BuildRecord, Store


@dataclass
class Tally:
    """What the suite did to the workbench, and what the workbench lost."""

    faults: list[str] = field(default_factory=list)
    builds_checked: int = 0
    lost: list[str] = field(default_factory=list)

    def inject(self, what: str) -> None:
        """Count one injected fault."""
        self.faults.append(what)

    def check_builds(
        self,
        store: Store,
        expected: Iterable[BuildRecord] = (),
        must_finish: Iterable[int] = (),
    ) -> list[str]:
        """Compare the store with what must be in it; count and return what was lost.

        Args:
            store: the store after the fault.
            expected: records taken before the fault that must be unchanged
                (finished records) or present (active ones).
            must_finish: ids of builds that must have reached a final state.

        Returns:
            One line per lost build (empty when nothing was lost).
        """
        lost = []
        for before in expected:
            after = store.build(before.id)
            self.builds_checked += 1
            if after is None:
                lost.append(f"build {before.id} disappeared")
            elif before.finished and after != before:
                lost.append(f"finished build {before.id} changed")
        for build_id in must_finish:
            after = store.build(build_id)
            self.builds_checked += 1
            if after is None:
                lost.append(f"build {build_id} disappeared")
            elif after.status not in FINISHED:
                lost.append(f"build {build_id} stuck {after.status}")
        self.lost.extend(lost)
        return lost


_TALLY = Tally()


@pytest.fixture
def faults() -> Tally:
    """The session's tally of injected faults and lost builds."""
    return _TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _TALLY.faults and not _TALLY.builds_checked:
        return
    terminalreporter.write_line(
        f"reliability: {len(_TALLY.faults)} faults injected, {len(_TALLY.lost)} builds lost "
        f"({_TALLY.builds_checked} build records checked)"
    )
    for line in _TALLY.lost:
        terminalreporter.write_line(f"reliability: lost: {line}")
