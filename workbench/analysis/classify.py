"""Component rules: which part of an image a path belongs to.

Rules are data (``rules.toml`` next to this module, or a file of the user's), tried
in order; the first that matches a path wins, and ``other`` catches the rest.  The
image-level component ``shadowed`` is not a rule: it is whatever later layers
deleted or overwrote (see :mod:`workbench.analysis.merge`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
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
BUILD_TOOLS = "build_tools"
INSTALLER_INPUTS = "installer_inputs"
OTHER = "other"
SHADOWED = "shadowed"

COMPONENTS: tuple[str, ...] = (
    PYTHON_DEPENDENCIES,
    PYTHON_RUNTIME,
    SYSTEM_LIBRARIES,
    APPLICATION_CODE,
    BUILD_CACHES,
    BUILD_TOOLS,
    INSTALLER_INPUTS,
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
    BUILD_TOOLS: "Build tools",
    INSTALLER_INPUTS: "Installer inputs",
    OTHER: "Other",
    SHADOWED: "Shadowed by later layers",
}
"""How people see the components."""

PLAN_ROWS: Mapping[str, tuple[str, ...]] = {
    "Python Dependencies (.venv/)": (PYTHON_DEPENDENCIES,),
    "Python Runtime (/usr/)": (PYTHON_RUNTIME,),
    "System Libraries": (SYSTEM_LIBRARIES,),
    "Application Code": (APPLICATION_CODE,),
    "Other/Overhead": (BUILD_CACHES, BUILD_TOOLS, INSTALLER_INPUTS, OTHER, SHADOWED),
}
"""The plan's five-row table, and the components each row folds together."""

UNDER_ROOTS = ("virtualenvs", "app")
OWNERS = ("dpkg",)
DEFAULT_RULES_PATH = "rules.toml"
_RULE_KEYS = frozenset({"id", "name", "component", "globs", "under", "owner", "packages"})
_TAG_KEYS = frozenset({"id", "name", "globs", "under", "owner", "packages"})


@dataclass(frozen=True)
class Rule:
    """One component rule (see ``rules.toml`` for the meaning of each field).

    Attributes:
        name: what the rule is about, for people.
        component: the component of the paths it matches.
        globs: absolute path patterns; any may match (empty: no condition).
        under: named roots the path must lie under (empty: no condition).
        owner: ``"dpkg"`` to require a Debian package to list the path.
        id: a short name the analysis keeps the rule's bytes under, per layer (the
            findings read them); ``""`` keeps none.
        packages: names (globs) of the Debian packages that must own the path; implies
            ``owner = "dpkg"``.
    """

    name: str
    component: str
    globs: tuple[str, ...] = ()
    under: tuple[str, ...] = ()
    owner: str = ""
    id: str = ""
    packages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tag:
    """A group of paths the analysis keeps bytes of, per layer, whatever their component.

    A path can carry several tags; the conditions are those of a :class:`Rule`.

    Attributes:
        id: the name the bytes are kept under (``"bytecode"``).
        name: what the tag is about, for people.
        globs: absolute path patterns; any may match (empty: no condition).
        under: named roots the path must lie under (empty: no condition).
        owner: ``"dpkg"`` to require a Debian package to list the path.
        packages: names (globs) of the Debian packages that must own the path.
    """

    id: str
    name: str
    globs: tuple[str, ...] = ()
    under: tuple[str, ...] = ()
    owner: str = ""
    packages: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """An ordered list of rules, the tags, and where they came from."""

    rules: tuple[Rule, ...]
    source: str = ""
    tags: tuple[Tag, ...] = ()


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


def _conditions(item: dict, label: str) -> dict[str, Any]:
    """The matching conditions of a rule or tag table, checked.

    Raises:
        AnalysisError: a condition is malformed, or none is stated.
    """
    globs = _as_tuple(item.get("globs"), "globs", label)
    under = _as_tuple(item.get("under"), "under", label)
    packages = _as_tuple(item.get("packages"), "packages", label)
    bad = [u for u in under if u not in UNDER_ROOTS]
    if bad:
        raise AnalysisError(f"{label}: under must name {' or '.join(UNDER_ROOTS)}")
    owner = item.get("owner", "")
    if owner and owner not in OWNERS:
        raise AnalysisError(f"{label}: owner must be {' or '.join(OWNERS)}")
    if packages:
        owner = "dpkg"
    if not (globs or under or owner):
        raise AnalysisError(f"{label} states no condition (globs, under, owner or packages)")
    return {"globs": globs, "under": under, "owner": owner, "packages": packages}


def _parse_rule(item: object, label: str, number: int) -> Rule:
    if not isinstance(item, dict):
        raise AnalysisError(f"{label} is not a table")
    unknown = set(item) - _RULE_KEYS
    if unknown:
        raise AnalysisError(f"{label} has unknown keys: {', '.join(sorted(unknown))}")
    component = item.get("component")
    if component not in RULE_COMPONENTS:
        raise AnalysisError(
            f"{label}: component must be one of {', '.join(RULE_COMPONENTS)}, not {component!r}"
        )
    conditions = _conditions(item, label)
    name = str(item.get("name") or f"rule {number}")
    return Rule(name, component, id=str(item.get("id") or ""), **conditions)


def _parse_tag(item: object, label: str) -> Tag:
    if not isinstance(item, dict):
        raise AnalysisError(f"{label} is not a table")
    unknown = set(item) - _TAG_KEYS
    if unknown:
        raise AnalysisError(f"{label} has unknown keys: {', '.join(sorted(unknown))}")
    tag_id = item.get("id")
    if not isinstance(tag_id, str) or not tag_id:
        raise AnalysisError(f"{label} needs an id (the name its bytes are kept under)")
    return Tag(tag_id, str(item.get("name") or tag_id), **_conditions(item, label))


def parse_rules(text: str, source: str = "") -> RuleSet:
    """Parse rules (``[[rule]]``) and tags (``[[tag]]``) from TOML text.

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
    rules = tuple(
        _parse_rule(item, f"{where}, rule {number}", number)
        for number, item in enumerate(raw, start=1)
    )
    raw_tags = data.get("tag") or []
    if not isinstance(raw_tags, list):
        raise AnalysisError(f"{where}: `tag` must be [[tag]] tables")
    tags = tuple(
        _parse_tag(item, f"{where}, tag {number}") for number, item in enumerate(raw_tags, start=1)
    )
    return RuleSet(rules, source, tags)


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


@dataclass(frozen=True)
class _Compiled:
    """A rule or tag, compiled: what :meth:`Classifier.component` tries in order.

    ``pattern`` is the rule's whole condition as one regular expression for a full
    match (its roots as a look-ahead, then its globs), when it has no ``owner``
    condition; ``""`` otherwise.
    """

    component: str
    id: str
    anchored: Any
    anywhere: Any
    under: tuple[re.Pattern[str], ...]
    owner: bool
    packages: Any
    pattern: str = ""

    def matches(self, path: str, owners: Mapping[str, str] | Collection[str]) -> bool:
        if self.under and not any(u.match(path) for u in self.under):
            return False
        if self.owner:
            if path not in owners:
                return False
            if self.packages is not None:
                name = owners.get(path) if isinstance(owners, Mapping) else None
                if name is None or self.packages(name) is None:
                    return False
        if self.anchored is None and self.anywhere is None:
            return True
        if self.anchored is not None and self.anchored(path) is not None:
            return True
        return self.anywhere is not None and self.anywhere(path) is not None


class Classifier:
    """Give each absolute path its component, per a rule set and what the image holds.

    Args:
        rules: the rule set (first match wins) and its tags.
        app_paths: absolute path prefixes of the application code.
        virtualenvs: absolute paths of folders holding a ``pyvenv.cfg``.
        dpkg_files: absolute paths listed by installed Debian packages; a mapping to
            the owning package's name lets ``packages`` conditions match.
    """

    def __init__(
        self,
        rules: RuleSet,
        *,
        app_paths: Iterable[str] = (),
        virtualenvs: Iterable[str] = (),
        dpkg_files: Collection[str] | Mapping[str, str] = frozenset(),
    ) -> None:
        self._roots = {"app": _roots_regex(app_paths), "virtualenvs": _roots_regex(virtualenvs)}
        self._dpkg = dpkg_files
        self._compiled = [
            c for r in rules.rules if (c := self._compile(r, r.component, r.id)) is not None
        ]
        self._steps = _first_match_steps(self._compiled)
        self._tags = [c for t in rules.tags if (c := self._compile(t, "", t.id)) is not None]
        self._tag_checks = [
            (re.compile(t.pattern).fullmatch if t.pattern else None, t) for t in self._tags
        ]
        if self._tags and all(check for check, _ in self._tag_checks):
            self._any_tag = re.compile("|".join(f"(?:{t.pattern})" for t in self._tags)).fullmatch
        else:
            self._any_tag = _any_of([t.globs for t in rules.tags])

    def _compile(self, rule: Rule | Tag, component: str, rule_id: str) -> _Compiled | None:
        under = [self._roots[u] for u in rule.under]
        if rule.under and not any(under):
            return None  # no such roots in this image: the rule cannot match
        anchored_texts, anywhere_texts = _glob_texts(rule.globs)
        anchored, anywhere = _split_globs(rule.globs)
        roots = tuple(u for u in under if u is not None)
        packages = (
            re.compile("(?:" + "|".join(glob_to_regex("/" + p)[1:] for p in rule.packages) + ")")
            if rule.packages
            else None
        )
        return _Compiled(
            component,
            rule_id,
            anchored,
            anywhere,
            roots,
            bool(rule.owner),
            packages.fullmatch if packages is not None else None,
            "" if rule.owner else _rule_pattern(anchored_texts, anywhere_texts, roots),
        )

    def component(self, path: str) -> str:
        """Return the component of an absolute path (``"/usr/lib/libc.so.6"``)."""
        return self.classify(path)[0]

    def classify(self, path: str) -> tuple[str, str]:
        """Return the component of an absolute path and the id of the rule that gave it
        (``""`` when the rule has none, or none matched).

        The rules are tried in order, as steps: each run of rules without an ``owner``
        condition is one full match of their patterns side by side (the first
        alternative that matches is the first rule that does), each rule with one
        is tried alone.
        """
        for fullmatch, rules in self._steps:
            if fullmatch is None:
                rule = rules[0]
                if rule.matches(path, self._dpkg):
                    return rule.component, rule.id
            else:
                found = fullmatch(path)
                if found is not None:
                    rule = rules[found.lastindex - 1]
                    return rule.component, rule.id
        return OTHER, ""

    def labels(self, paths: Sequence[str]) -> list[tuple[str, str, tuple[str, ...]]]:
        """Each path's component, rule id (:meth:`classify`) and tags (:meth:`tags`)."""
        classify, tags = self.classify, self.tags
        return [(*classify(path), tags(path)) for path in paths]

    def tags(self, path: str) -> tuple[str, ...]:
        """Return the ids of the tags an absolute path carries (often none)."""
        if not self._tags or (self._any_tag is not None and self._any_tag(path) is None):
            return ()
        return tuple(
            tag.id
            for check, tag in self._tag_checks
            if (check(path) is not None if check is not None else tag.matches(path, self._dpkg))
        )


def _any_of(glob_lists: Iterable[tuple[str, ...]]) -> Any:
    """A quick search that every path some glob list may match passes (``None``: any
    path may pass, as a list without globs matches on its other conditions)."""
    tails = []
    for globs in glob_lists:
        if not globs:
            return None
        for glob in globs:
            glob = glob if glob.startswith("/") else "/**/" + glob
            tails.append(glob_to_regex(glob[3:]) if glob.startswith("/**/") else None)
            if tails[-1] is None:
                return None
    return re.compile("(?:" + "|".join(tails) + r")\Z").search if tails else None


def _glob_texts(globs: Iterable[str]) -> tuple[list[str], list[str]]:
    """The regular expressions of globs: those to match whole paths, and the tails of
    those that start with ``/**/`` (or are relative), to find at the end of a path."""
    anchored, anywhere = [], []
    for glob in globs:
        if not glob.startswith("/"):
            glob = "/**/" + glob
        if glob.startswith("/**/"):
            anywhere.append(glob_to_regex(glob[3:]))
        else:
            anchored.append(glob_to_regex(glob))
    return anchored, anywhere


def _rule_pattern(
    anchored: Sequence[str], anywhere: Sequence[str], roots: Sequence[re.Pattern[str]]
) -> str:
    """One rule's condition as a regular expression for a full match of the path.

    Its roots (any of them) are a look-ahead at the start, as ``root.match`` tries
    them; a tail is found after any prefix, ``(?s:.*)`` (newlines too), as
    ``search(TAIL\\Z)`` finds it; no glob at all matches any path.
    """
    ahead = "(?=" + "|".join(f"(?:{r.pattern})" for r in roots) + ")" if roots else ""
    parts = []
    if anchored:
        parts.append("(?:" + "|".join(anchored) + ")")
    if anywhere and all(tail.startswith("/") for tail in anywhere):
        # ``.*`` before a literal only stops where that literal is: the "/" goes first
        parts.append("(?s:.*)/(?:" + "|".join(tail[1:] for tail in anywhere) + ")")
    elif anywhere:
        parts.append("(?s:.*)(?:" + "|".join(anywhere) + ")")
    return ahead + "(?:" + ("|".join(parts) or "(?s:.*)") + ")"


def _first_match_steps(compiled: Sequence[_Compiled]) -> list[tuple[Any, tuple[_Compiled, ...]]]:
    """The rules as :meth:`Classifier.classify` tries them: runs of rules without an
    ``owner`` condition joined into one full match (its ``lastindex`` names the rule),
    and each rule with one alone (``None`` for a match function)."""
    steps: list[tuple[Any, tuple[_Compiled, ...]]] = []
    run: list[_Compiled] = []

    def flush() -> None:
        if run:
            try:
                joined = re.compile("|".join(f"(?:{rule.pattern})()" for rule in run))
            except re.error:
                joined = None
            if joined is not None and joined.groups == len(run):
                steps.append((joined.fullmatch, tuple(run)))
            else:  # a glob's odd class body ran into its neighbours: one by one, then
                steps.extend((None, (rule,)) for rule in run)
            run.clear()

    for rule in compiled:
        if rule.pattern:
            run.append(rule)
        else:
            flush()
            steps.append((None, (rule,)))
    flush()
    return steps


def _split_globs(globs: Iterable[str]) -> tuple[Any, Any]:
    """Compile globs into a full-match function and a search function (or ``None``s).

    A glob that starts with ``/**/`` (or is relative) matches wherever its tail does,
    so it is searched for as ``/TAIL`` up to the end of the path: the same matches as
    a full match of ``(?:/.*)?/TAIL``, without the backtracking.
    """
    anchored, anywhere = _glob_texts(globs)
    return (
        re.compile("(?:" + "|".join(anchored) + ")").fullmatch if anchored else None,
        re.compile("(?:" + "|".join(anywhere) + r")\Z").search if anywhere else None,
    )
