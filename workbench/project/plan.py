"""An optimization plan as data: tasks with estimated savings, targets, smoke settings.

The plan file is TOML (``plan.toml`` in the project folder).  Sizes are strings with
units (``"50 MB"``), parsed with :func:`workbench.units.parse_size`.  The ``[smoke]``
table says how the project's images are smoke-tested (:class:`SmokeSettings`,
:func:`parse_smoke`); a malformed one is a one-line :class:`PlanError` naming the key.
"""

from __future__ import annotations

import math
import shlex
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
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


class Env(Mapping[str, str]):
    """Environment variables: names to values, immutable and hashable.

    Equal to any mapping with the same items (order aside); its ``repr`` shows the
    names only, since values are often secrets.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, str] = dict(items)

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return "Env({" + ", ".join(f"{key!r}: '****'" for key in self._items) + "})"


NO_ENV = Env()


@dataclass(frozen=True)
class SmokeSettings:
    """How a project's images are smoke-tested (the ``[smoke]`` table of its plan).

    Attributes:
        path: the HTTP path to GET.
        port: the container port to probe, ``None`` for the first one the image exposes.
        status: the HTTP status expected, ``None`` for any 2xx or 3xx answer.
        timeout_s: how long the container has to be ready, in seconds.
        env: environment variables for the container (a mapping given is kept as an
            :class:`Env`).
        env_file: a file of ``KEY=VALUE`` lines (``#`` comments and blank lines
            allowed), relative to the project folder; ``env`` wins over it.
        command: replaces the image's CMD, ``None`` to keep it.
        entrypoint: replaces the image's ENTRYPOINT (``()`` for none), ``None`` to keep it.
        check: a command run inside the container instead of the HTTP probe (ready
            when it exits 0); ``()`` for the HTTP probe.
    """

    path: str = "/health"
    port: int | None = None
    status: int | None = None
    timeout_s: float = 60.0
    env: Mapping[str, str] = NO_ENV
    env_file: str | None = None
    command: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    check: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.env, Env):
            object.__setattr__(self, "env", Env(self.env))
        for name in ("command", "entrypoint", "check"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        if self.command == ():  # the engine keeps the image's CMD for an empty one
            object.__setattr__(self, "command", None)


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


SMOKE_KEYS = (
    "path",
    "port",
    "status",
    "timeout_s",
    "env",
    "env_file",
    "command",
    "entrypoint",
    "check",
)


def _kind(value: Any) -> str:
    """A TOML value's kind, for messages that must not show the value itself."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return names.get(type(value), type(value).__name__)


def _path(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PlanError(f'{where}: expected an HTTP path such as "/health", got {value!r}')
    return value


def _number(value: Any, where: str, low: int, high: int, what: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise PlanError(f"{where}: expected {what} from {low} to {high}, got {value!r}")
    return value


def _port(value: Any, where: str) -> int:
    return _number(value, where, 1, 65535, "a port number")


def _status(value: Any, where: str) -> int:
    return _number(value, where, 100, 599, "an HTTP status")


def _timeout(value: Any, where: str) -> float:
    if type(value) not in (int, float) or not math.isfinite(value) or value <= 0:
        raise PlanError(f"{where}: expected a number of seconds above 0, got {value!r}")
    return float(value)


def _env(value: Any, where: str) -> Env:
    """Environment variables; messages name a wrong one but never show its value."""
    if not isinstance(value, Mapping):
        raise PlanError(
            f'{where}: expected a table such as {{ NAME = "value" }}, got {_kind(value)}'
        )
    for key, item in value.items():
        if not isinstance(key, str) or not key or "=" in key or "\0" in key:
            raise PlanError(f"{where}: {key!r} is not a variable name (not empty, no `=`)")
        if not isinstance(item, str):
            raise PlanError(f"{where}.{key}: expected a string, got {_kind(item)} (quote it)")
        if "\0" in item:
            raise PlanError(f"{where}.{key}: a value cannot hold a NUL character")
    return Env(value)


def _env_file(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PlanError(f'{where}: expected a file name such as ".env.smoke", got {value!r}')
    return value


def _words(value: Any, where: str) -> tuple[str, ...]:
    """A command: a list of strings, or one string split as a shell splits words."""
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            raise PlanError(f"{where}: {exc} in {value!r}") from exc
    if isinstance(value, list | tuple) and all(isinstance(word, str) for word in value):
        return tuple(value)
    raise PlanError(f"{where}: expected a list of strings or a string of words, got {value!r}")


def _command(value: Any, where: str) -> tuple[str, ...]:
    words = _words(value, where)
    if not words:
        raise PlanError(f"{where}: empty; leave it out to keep the image's CMD")
    return words


SMOKE_PARSERS: dict[str, Any] = {
    "path": _path,
    "port": _port,
    "status": _status,
    "timeout_s": _timeout,
    "env": _env,
    "env_file": _env_file,
    "command": _command,
    "entrypoint": _words,  # () clears the image's ENTRYPOINT
    "check": _words,
}


def parse_smoke(raw: Any, where: str = "smoke", base: SmokeSettings | None = None) -> SmokeSettings:
    """Validate a ``[smoke]`` table, its keys on top of ``base`` (default: the defaults).

    ``env`` is a table; ``command``, ``entrypoint`` and ``check`` a list of strings or
    one string split as a shell splits words.

    Args:
        raw: the decoded table.
        where: how messages name the table (``plan.toml: smoke``); ``""`` names the
            keys alone.
        base: the settings the keys replace.

    Raises:
        PlanError: one line naming the first key that is unknown or wrong.
    """
    label = f"{where}." if where else ""
    if not isinstance(raw, Mapping):
        raise PlanError(f"{where or 'smoke'}: expected a table of smoke settings, got {_kind(raw)}")
    for key in raw:
        if key not in SMOKE_PARSERS:
            raise PlanError(
                f"{label}{key} is not a smoke setting; use one of {', '.join(SMOKE_KEYS)}"
            )
    values = {key: SMOKE_PARSERS[key](value, f"{label}{key}") for key, value in raw.items()}
    return replace(base or SmokeSettings(), **values)


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
    smoke = parse_smoke(data.get("smoke", {}), f"{source}: smoke")
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
