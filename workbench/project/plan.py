"""An optimization plan as data: tasks with estimated savings, targets, smoke settings.

The plan file is TOML (``plan.toml`` in the project folder).  Sizes are strings with
units (``"50 MB"``), parsed with :func:`workbench.units.parse_size`.
"""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import PlanError
from workbench.units import parse_size

PLAN_FILE = "plan.toml"


@dataclass(frozen=True)
class SizeRange:
    """An estimated range in bytes, inclusive."""

    min_bytes: int
    max_bytes: int

    def contains(self, value: int) -> bool:
        return self.min_bytes <= value <= self.max_bytes


@dataclass(frozen=True)
class PlanTask:
    priority: int
    name: str
    variant: str
    saving: SizeRange
    risk: str = ""
    time: str = ""


@dataclass(frozen=True)
class SmokeSettings:
    path: str = "/health"
    port: int | None = None
    command: tuple[str, ...] = ()
    timeout_s: float = 60.0


@dataclass(frozen=True)
class Plan:
    title: str
    created: str
    baseline_variant: str
    current_size: int | None
    current_compressed: SizeRange | None
    target_uncompressed: SizeRange | None
    target_compressed: SizeRange | None
    breakdown: tuple[tuple[str, int], ...]
    tasks: tuple[PlanTask, ...]
    smoke: SmokeSettings = field(default_factory=SmokeSettings)


def _size(value: Any, where: str) -> int:
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        raise PlanError(f'{where}: expected a size such as "50 MB", got {value!r}')
    try:
        return parse_size(value)
    except ValueError as exc:
        raise PlanError(f"{where}: {exc}") from exc


def _range(value: Any, where: str) -> SizeRange | None:
    if value is None:
        return None
    if isinstance(value, dict):
        if "min" not in value or "max" not in value:
            raise PlanError(
                f'{where}: a range needs both min and max, e.g. {{ min = "20 MB", max = "50 MB" }}'
            )
        low, high = _size(value["min"], f"{where}.min"), _size(value["max"], f"{where}.max")
    else:
        low = high = _size(value, where)
    if low > high:
        raise PlanError(f"{where}: min is larger than max")
    return SizeRange(low, high)


def parse_plan(data: dict[str, Any], source: str = PLAN_FILE) -> Plan:
    """Validate a decoded plan document.

    Raises:
        PlanError: naming the first field that is wrong and how to fix it.
    """
    head = data.get("plan", {})
    current = data.get("current", {})
    targets = data.get("targets", {})
    tasks = []
    for index, raw in enumerate(data.get("tasks", []), start=1):
        where = f"{source}: tasks[{index}]"
        for key in ("name", "variant", "saving"):
            if key not in raw:
                raise PlanError(f"{where} lacks `{key}`")
        saving = _range(raw["saving"], f"{where}.saving")
        assert saving is not None
        tasks.append(
            PlanTask(
                priority=int(raw.get("priority", index)),
                name=str(raw["name"]),
                variant=str(raw["variant"]),
                saving=saving,
                risk=str(raw.get("risk", "")),
                time=str(raw.get("time", "")),
            )
        )
    breakdown = tuple(
        (str(row["component"]), _size(row["size"], f"{source}: breakdown.{row['component']}"))
        for row in data.get("breakdown", [])
    )
    smoke_raw = data.get("smoke", {})
    command = smoke_raw.get("command", [])
    smoke = SmokeSettings(
        path=str(smoke_raw.get("path", "/health")),
        port=int(smoke_raw["port"]) if "port" in smoke_raw else None,
        command=tuple(map(str, command))
        if isinstance(command, list)
        else tuple(shlex.split(str(command))),
        timeout_s=float(smoke_raw.get("timeout_s", 60)),
    )
    size = current.get("size")
    return Plan(
        title=str(head.get("title", "Optimization plan")),
        created=str(head.get("created", "")),
        baseline_variant=str(head.get("baseline_variant", "baseline")),
        current_size=_size(size, f"{source}: current.size") if size is not None else None,
        current_compressed=_range(current.get("compressed"), f"{source}: current.compressed"),
        target_uncompressed=_range(targets.get("uncompressed"), f"{source}: targets.uncompressed"),
        target_compressed=_range(targets.get("compressed"), f"{source}: targets.compressed"),
        breakdown=breakdown,
        tasks=tuple(sorted(tasks, key=lambda task: task.priority)),
        smoke=smoke,
    )


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file.

    Raises:
        PlanError: when the file is not TOML or a field is wrong.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path} is not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read the plan {path}: {exc}") from exc
    return parse_plan(data, source=str(path))
