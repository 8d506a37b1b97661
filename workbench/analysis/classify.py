"""Component rules: which part of an image a path belongs to.

Rules are data (``rules.toml`` next to this module, or a file of the user's), tried
in order; the first that matches a path wins, and ``other`` catches the rest.  The
image-level component ``shadowed`` is not a rule: it is whatever later layers
deleted or overwrote (see :mod:`workbench.analysis.merge`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from workbench.errors import AnalysisError

PYTHON_DEPENDENCIES = "python_dependencies"
PYTHON_RUNTIME = "python_runtime"
SYSTEM_LIBRARIES = "system_libraries"
APPLICATION_CODE = "application_code"
BUILD_CACHES = "build_caches"
OTHER = "other"
SHADOWED = "shadowed"

COMPONENTS: tuple[str, ...] = (
    PYTHON_DEPENDENCIES,
    PYTHON_RUNTIME,
    SYSTEM_LIBRARIES,
    APPLICATION_CODE,
    BUILD_CACHES,
    OTHER,
    SHADOWED,
)
"""Every component, in the order charts and tables show them."""

RULE_COMPONENTS = COMPONENTS[:-1]

COMPONENT_LABELS: Mapping[str, str] = {
    PYTHON_DEPENDENCIES: "Python dependencies",
    PYTHON_RUNTIME: "Python runtime",
    SYSTEM_LIBRARIES: "System libraries",
    APPLICATION_CODE: "Application code",
    BUILD_CACHES: "Build caches",
    OTHER: "Other",
    SHADOWED: "Shadowed by later layers",
}
"""How people see the components."""

PLAN_ROWS: Mapping[str, tuple[str, ...]] = {
    "Python Dependencies (.venv/)": (PYTHON_DEPENDENCIES,),
    "Python Runtime (/usr/)": (PYTHON_RUNTIME,),
    "System Libraries": (SYSTEM_LIBRARIES,),
    "Application Code": (APPLICATION_CODE,),
    "Other/Overhead": (BUILD_CACHES, OTHER, SHADOWED),
}
"""The plan's five-row table, and the components each row folds together."""

UNDER_ROOTS = ("virtualenvs", "app")
OWNERS = ("dpkg",)
DEFAULT_RULES_PATH = "rules.toml"


@dataclass(frozen=True)
class Rule:
    """One component rule (see ``rules.toml`` for the meaning of each field).

    Attributes:
        name: what the rule is about, for people.
        component: the component of the paths it matches.
        globs: absolute path patterns; any may match (empty: no condition).
        under: named roots the path must lie under (empty: no condition).
        owner: ``"dpkg"`` to require a Debian package to list the path.
    """

    name: str
    component: str
    globs: tuple[str, ...] = ()
    under: tuple[str, ...] = ()
    owner: str = ""


@dataclass(frozen=True)
class RuleSet:
    """An ordered list of rules and where it came from."""

    rules: tuple[Rule, ...]
    source: str = ""


def glob_to_regex(pattern: str) -> str:
    """Translate a path glob into a regular expression (without anchors).

    ``*`` and ``?`` stay within one folder, ``**`` spans folders, a trailing ``/**``
    also matches the folder itself, ``[...]`` is a character class.  A pattern that
    does not start with ``/`` matches at any depth.
    """
    if not pattern.startswith("/"):
        pattern = "/**/" + pattern
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("/**/", i):
            out.append("(?:/.*)?/")
            i += 4
        elif pattern.startswith("/**", i) and i + 3 == n:
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _as_tuple(value: object, what: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise AnalysisError(f"{where}: `{what}` must be a string or a list of strings")


def parse_rules(text: str, source: str = "") -> RuleSet:
    """Parse rules from TOML text.

    Raises:
        AnalysisError: when the text is not TOML or a rule is malformed; the message
            names the rule and what to fix.
    """
    where = source or "rules"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AnalysisError(f"{where} is not valid TOML: {exc}") from exc
    raw = data.get("rule")
    if not isinstance(raw, list) or not raw:
        raise AnalysisError(f"{where} has no [[rule]] tables; see the shipped rules.toml")
    rules = []
    for number, item in enumerate(raw, start=1):
        label = f"{where}, rule {number}"
        if not isinstance(item, dict):
            raise AnalysisError(f"{label} is not a table")
        unknown = set(item) - {"name", "component", "globs", "under", "owner"}
        if unknown:
            raise AnalysisError(f"{label} has unknown keys: {', '.join(sorted(unknown))}")
        component = item.get("component")
        if component not in RULE_COMPONENTS:
            raise AnalysisError(
                f"{label}: component must be one of {', '.join(RULE_COMPONENTS)}, not {component!r}"
            )
        globs = _as_tuple(item.get("globs"), "globs", label)
        under = _as_tuple(item.get("under"), "under", label)
        bad = [u for u in under if u not in UNDER_ROOTS]
        if bad:
            raise AnalysisError(f"{label}: under must name {' or '.join(UNDER_ROOTS)}")
        owner = item.get("owner", "")
        if owner and owner not in OWNERS:
            raise AnalysisError(f"{label}: owner must be {' or '.join(OWNERS)}")
        if not (globs or under or owner):
            raise AnalysisError(f"{label} states no condition (globs, under or owner)")
        name = str(item.get("name") or f"rule {number}")
        rules.append(Rule(name, component, globs, under, owner))
    return RuleSet(tuple(rules), source)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Load rules from a TOML file, or the shipped defaults when ``path`` is ``None``.

    Raises:
        AnalysisError: when the file cannot be read or is malformed.
    """
    if path is None:
        text = resources.files(__package__).joinpath(DEFAULT_RULES_PATH).read_text("utf-8")
        return parse_rules(text, "the shipped rules.toml")
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise AnalysisError(f"cannot read the rules file {path}: {exc.strerror}") from exc
    return parse_rules(text, str(path))


def _roots_regex(roots: Iterable[str]) -> re.Pattern[str] | None:
    cleaned = sorted({"/" + r.strip("/") for r in roots if r.strip("/")})
    if not cleaned:
        return None
    return re.compile("(?:" + "|".join(re.escape(r) for r in cleaned) + ")(?:/|$)")


class Classifier:
    """Give each absolute path its component, per a rule set and what the image holds.

    Args:
        rules: the rule set (first match wins).
        app_paths: absolute path prefixes of the application code.
        virtualenvs: absolute paths of folders holding a ``pyvenv.cfg``.
        dpkg_files: absolute paths listed by installed Debian packages.
    """

    def __init__(
        self,
        rules: RuleSet,
        *,
        app_paths: Iterable[str] = (),
        virtualenvs: Iterable[str] = (),
        dpkg_files: Collection[str] = frozenset(),
    ) -> None:
        roots = {"app": _roots_regex(app_paths), "virtualenvs": _roots_regex(virtualenvs)}
        self._dpkg = dpkg_files
        self._compiled: list[tuple[str, Any, Any, list[re.Pattern[str]], bool]] = []
        for rule in rules.rules:
            under = [roots[u] for u in rule.under]
            if rule.under and not any(under):
                continue  # no such roots in this image: the rule cannot match
            anchored, anywhere = _split_globs(rule.globs)
            self._compiled.append(
                (
                    rule.component,
                    anchored,
                    anywhere,
                    [u for u in under if u is not None],
                    bool(rule.owner),
                )
            )

    def component(self, path: str) -> str:
        """Return the component of an absolute path (``"/usr/lib/libc.so.6"``)."""
        for component, anchored, anywhere, under, owner in self._compiled:
            if under and not any(u.match(path) for u in under):
                continue
            if owner and path not in self._dpkg:
                continue
            if anchored is None and anywhere is None:
                return component
            if anchored is not None and anchored(path) is not None:
                return component
            if anywhere is not None and anywhere(path) is not None:
                return component
        return OTHER


def _split_globs(globs: Iterable[str]) -> tuple[Any, Any]:
    """Compile globs into a full-match function and a search function (or ``None``s).

    A glob that starts with ``/**/`` (or is relative) matches wherever its tail does,
    so it is searched for as ``/TAIL`` up to the end of the path: the same matches as
    a full match of ``(?:/.*)?/TAIL``, without the backtracking.
    """
    anchored, anywhere = [], []
    for glob in globs:
        if not glob.startswith("/"):
            glob = "/**/" + glob
        if glob.startswith("/**/"):
            anywhere.append(glob_to_regex(glob[3:]))
        else:
            anchored.append(glob_to_regex(glob))
    return (
        re.compile("(?:" + "|".join(anchored) + ")").fullmatch if anchored else None,
        re.compile("(?:" + "|".join(anywhere) + r")\Z").search if anywhere else None,
    )
