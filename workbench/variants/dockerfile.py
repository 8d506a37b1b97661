"""Dockerfile parsing helpers for the variant transforms.

``dockerfile-parse`` finds the instructions and their line ranges; this module keeps each
instruction's verbatim text (line continuations and inner comments included) together with the
blank and comment lines just above it, so that a transform can rewrite one instruction and leave
every other line exactly as it was. On top of that it offers:

* a small shell scanner for ``RUN`` lines (words with their offsets, operators, commands), so
  a flag can be inserted or removed inside the original text;
* a walker that tracks, per stage, the user, working directory, environment and users created
  by ``useradd``/``adduser``, which the transforms need to place virtualenvs and cache mounts.

Nothing here talks to Docker or the file system.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from dockerfile_parse import DockerfileParser

from workbench.errors import CannotTransform, WorkbenchError

# fmt: off
KNOWN_INSTRUCTIONS = frozenset({
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
})
# fmt: on
_DIRECTIVE = re.compile(r"#\s*([A-Za-z]+)\s*=\s*(\S*)\s*$")
_HEREDOC = re.compile(r"<<-?\s*[\"']?[A-Za-z_][A-Za-z0-9_]*")
_KEYWORD = re.compile(r"\s*[A-Za-z]+[ \t]*")
_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")
_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")")
_WORD_END = set(" \t\r\n;|&()")


@dataclass(frozen=True)
class Instruction:
    """One instruction with its original text.

    Attributes:
        keyword: The instruction in upper case (``RUN``, ``COPY``...).
        start: First line, 0-based.
        end: Last line, 0-based and inclusive.
        text: The verbatim lines ``start..end``, inner comments and continuations included.
        value: The instruction's arguments with continuations joined (from dockerfile-parse).
        preamble: The blank and comment lines between the previous instruction and this one.
    """

    keyword: str
    start: int
    end: int
    text: str
    value: str
    preamble: str = ""

    @property
    def lineno(self) -> int:
        """The 1-based line number of the instruction, as editors show it."""
        return self.start + 1


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile that can be rendered back, byte for byte.

    Attributes:
        head: Parser directives (``# syntax=...``) at the very top.
        instructions: Every instruction, in order.
        tail: Lines after the last instruction.
        directives: The parser directives, lower-cased names.
    """

    head: str
    instructions: tuple[Instruction, ...]
    tail: str
    directives: Mapping[str, str] = field(default_factory=dict)

    def render(
        self,
        replacements: Mapping[int, str] | None = None,
        before: Mapping[int, str] | None = None,
    ) -> str:
        """Return the text, with some instructions' text (preamble excluded) replaced.

        Args:
            replacements: Index in :attr:`instructions` -> new text for that instruction.
            before: Index -> lines to insert above that instruction and its preamble.
        """
        replacements = replacements or {}
        before = before or {}
        body = "".join(
            before.get(i, "") + ins.preamble + replacements.get(i, ins.text)
            for i, ins in enumerate(self.instructions)
        )
        return self.head + body + self.tail

    def stages(self) -> list[list[int]]:
        """Return, per stage, the indexes of its instructions (its ``FROM`` first)."""
        stages: list[list[int]] = []
        for i, ins in enumerate(self.instructions):
            if ins.keyword == "FROM":
                stages.append([])
            if stages:
                stages[-1].append(i)
        return stages

    def global_args(self) -> list[int]:
        """Return the indexes of the ``ARG`` instructions before the first ``FROM``."""
        out = []
        for i, ins in enumerate(self.instructions):
            if ins.keyword == "FROM":
                break
            out.append(i)
        return out


def split_lines(text: str) -> list[str]:
    """Split on ``\\n`` only, keeping line ends (as dockerfile-parse does)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _directives(lines: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        match = _DIRECTIVE.match(line.strip())
        if not match or match.group(1).lower() not in {"syntax", "escape", "check"}:
            break
        found[match.group(1).lower()] = match.group(2)
    return found


def parse(text: str) -> Dockerfile:
    """Parse Dockerfile text.

    Args:
        text: The Dockerfile's content.

    Returns:
        The parsed Dockerfile; ``parse(text).render() == text``.

    Raises:
        CannotTransform: The text has no ``FROM``, uses heredocs or a non-default escape
            character, or has something the parser does not understand.
    """
    lines = split_lines(text)
    directives = _directives(lines)
    if directives.get("escape", "\\") != "\\":
        raise CannotTransform("uses the escape directive '# escape=`'; only '\\' is supported")
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    items = sorted(
        (s for s in parser.structure if s["instruction"] != "COMMENT"), key=lambda s: s["startline"]
    )
    instructions = _instructions(lines, items, len(directives))
    _check(instructions)
    tail_start = instructions[-1].end + 1
    return Dockerfile(
        head="".join(lines[: len(directives)]),
        instructions=tuple(instructions),
        tail="".join(lines[tail_start:]),
        directives=directives,
    )


def _instructions(lines: list[str], items: list[dict], first: int) -> list[Instruction]:
    out: list[Instruction] = []
    previous_end = first - 1
    for item in items:
        start, end = item["startline"], item["endline"]
        out.append(
            Instruction(
                keyword=item["instruction"].upper(),
                start=start,
                end=end,
                text="".join(lines[start : end + 1]),
                value=item["value"],
                preamble="".join(lines[previous_end + 1 : start]),
            )
        )
        previous_end = end
    return out


def _check(instructions: Sequence[Instruction]) -> None:
    if not instructions:
        raise CannotTransform("has no instructions: an empty Dockerfile")
    for ins in instructions:
        if ins.keyword in {"RUN", "COPY", "ADD"} and _HEREDOC.search(ins.value):
            raise CannotTransform(
                f"line {ins.lineno}: uses a heredoc (<<EOF), which the transforms can't edit yet"
            )
        if ins.keyword not in KNOWN_INSTRUCTIONS:
            raise CannotTransform(
                f"line {ins.lineno}: unknown instruction {ins.keyword!r}"
                " (a blank line inside a continuation, or a heredoc?)"
            )
    for ins in instructions:
        if ins.keyword == "FROM":
            return
        if ins.keyword != "ARG":
            raise CannotTransform(f"line {ins.lineno}: {ins.keyword} comes before the first FROM")
    raise CannotTransform("has no FROM instruction")


# ---------------------------------------------------------------------------------------------
# Shell words of RUN instructions


@dataclass(frozen=True)
class Word:
    """A shell word or operator, with its offsets in the instruction's text.

    Attributes:
        text: As written (quotes kept).
        value: With quotes and backslash escapes removed.
        start: Offset of its first character in :attr:`Instruction.text`.
        end: Offset just after its last character.
        op: True for operators (``&&``, ``;``, ``|``...).
    """

    text: str
    value: str
    start: int
    end: int
    op: bool = False


@dataclass(frozen=True)
class Command:
    """A simple command: the words between two operators."""

    words: tuple[Word, ...]

    @property
    def argv(self) -> list[str]:
        """The unquoted words."""
        return [w.value for w in self.words]

    @property
    def start(self) -> int:
        """Offset of the first word."""
        return self.words[0].start

    @property
    def end(self) -> int:
        """Offset just after the last word that is not a redirection."""
        last = self.words[-1]
        for i, word in enumerate(self.words):
            if i and re.match(r"\d*[<>]", word.text):
                last = self.words[i - 1]
                break
        return last.end


@dataclass(frozen=True)
class RunInstruction:
    """A ``RUN`` instruction split into its flags and its command.

    Attributes:
        instruction: The instruction.
        body_start: Offset just after the ``RUN`` keyword and its spaces.
        flags: The ``--mount=...``/``--network=...`` flags, in order.
        tokens: The shell words and operators after the flags (shell form).
        exec_form: The argv of an exec-form ``RUN ["..."]``, else None.
    """

    instruction: Instruction
    body_start: int
    flags: tuple[Word, ...]
    tokens: tuple[Word, ...]
    exec_form: tuple[str, ...] | None

    def commands(self) -> list[Command]:
        """Return the simple commands of a shell-form RUN (none for the exec form)."""
        if self.exec_form is not None:
            return []
        commands: list[Command] = []
        current: list[Word] = []
        for token in self.tokens:
            if token.op:
                if current:
                    commands.append(Command(tuple(current)))
                current = []
            else:
                current.append(token)
        if current:
            commands.append(Command(tuple(current)))
        return commands

    def mounts(self) -> list[dict[str, str]]:
        """Return the ``--mount`` flags as dictionaries (``target`` normalised)."""
        mounts = []
        for flag in self.flags:
            if not flag.value.startswith("--mount="):
                continue
            options = dict(
                part.split("=", 1) if "=" in part else (part, "")
                for part in flag.value[len("--mount=") :].split(",")
            )
            for alias in ("dst", "destination"):
                if alias in options:
                    options["target"] = options.pop(alias)
            mounts.append(options)
        return mounts

    def cache_targets(self) -> set[str]:
        """Return the targets of the RUN's cache mounts, without trailing slashes."""
        return {m.get("target", "").rstrip("/") for m in self.mounts() if m.get("type") == "cache"}


def parse_run(ins: Instruction) -> RunInstruction:
    """Split a ``RUN`` instruction into flags and shell words.

    Args:
        ins: A ``RUN`` instruction.

    Returns:
        Its flags and tokens, with offsets into ``ins.text``.
    """
    body_start = _KEYWORD.match(ins.text).end()
    try:
        words = tokenize(ins.text, body_start)
    except CannotTransform as exc:
        raise CannotTransform(f"line {ins.lineno}: RUN {exc}") from None
    flags: list[Word] = []
    while words and not words[0].op and words[0].text.startswith("--"):
        flags.append(words.pop(0))
    exec_form = None
    if words and words[0].text.startswith("["):
        exec_form = _exec_form(ins.text, words[0].start, words[-1].end)
    return RunInstruction(ins, body_start, tuple(flags), tuple(words), exec_form)


def _exec_form(text: str, start: int, end: int) -> tuple[str, ...] | None:
    joined = "".join(
        line
        for line in re.sub(r"\\\r?\n", "\n", text[start:end]).split("\n")
        if not line.strip().startswith("#")
    )
    try:
        argv = json.loads(joined)
    except ValueError:
        return None
    if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
        return tuple(argv)
    return None


def tokenize(text: str, pos: int = 0) -> list[Word]:
    """Split shell text into words and operators, as Docker and ``sh`` would see them.

    Line continuations are whitespace, comment lines inside a continuation are skipped (Docker
    drops them), quotes and backslashes are honoured, and a ``#`` starting a word ends the scan.

    Args:
        text: The instruction's text.
        pos: Where to start scanning.

    Returns:
        Words and operators with offsets into ``text``.
    """
    tokens: list[Word] = []
    i, n = pos, len(text)
    line_start = False
    while i < n:
        if line_start:
            i, line_start = _skip_comment_lines(text, i)
            if i >= n:
                break
        c = text[i]
        if c == "\\" and text.startswith("\n", i + 1) or text.startswith("\\\r\n", i):
            i += 2 if text[i + 1] == "\n" else 3
            line_start = True
        elif c in " \t\r":
            i += 1
        elif c == "\n" or c == "#":
            break
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op:
                tokens.append(Word(op, op, i, i + len(op), op=True))
                i += len(op)
            else:
                word = _read_word(text, i)
                tokens.append(word)
                i = word.end
    return tokens


def _skip_comment_lines(text: str, i: int) -> tuple[int, bool]:
    """Skip blank and comment lines at the start of a continued line."""
    while i < len(text):
        j = i
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] in "#\n":
            newline = text.find("\n", j)
            i = len(text) if newline < 0 else newline + 1
            continue
        return i, False
    return i, False


def _read_word(text: str, i: int) -> Word:
    start, n = i, len(text)
    value: list[str] = []
    while i < n and text[i] not in _WORD_END:
        c = text[i]
        if c == "\\" and i + 1 < n:
            if text[i + 1] == "\n":
                i += 2
                continue
            value.append(text[i + 1])
            i += 2
        elif c in "'\"":
            i = _read_quoted(text, i, value)
        else:
            value.append(c)
            i += 1
            if c in "<>" and i < n and text[i] == "&":
                value.append("&")
                i += 1
    return Word(text[start:i], "".join(value), start, i)


def _read_quoted(text: str, i: int, value: list[str]) -> int:
    """Read a quoted string.

    Raises:
        CannotTransform: The quote is not closed before the instruction ends.
    """
    quote, i = text[i], i + 1
    while text[i : i + 1] != quote:
        if i >= len(text) or text[i] == "\n" and text[i - 1] != "\\":
            raise CannotTransform(f"has an unterminated {quote} quote")
        if quote == '"' and text[i] == "\\" and i + 1 < len(text):
            if text[i + 1] != "\n":
                value.append(text[i + 1] if text[i + 1] in '"\\$`' else text[i : i + 2])
            i += 2
            continue
        value.append(text[i])
        i += 1
    return i + 1


def apply_edits(text: str, edits: Sequence[tuple[int, int, str]]) -> str:
    """Replace spans of ``text``; spans must not overlap.

    Args:
        text: The original text.
        edits: ``(start, end, replacement)`` triples; an insertion has ``start == end``.
            Insertions at the same offset land in the order given.
    """
    ordered = sorted(enumerate(edits), key=lambda e: (e[1][0], e[1][1], e[0]), reverse=True)
    for _, (start, end, new) in ordered:
        text = text[:start] + new + text[end:]
    return text


# ---------------------------------------------------------------------------------------------
# Build state: user, workdir, environment


@dataclass(frozen=True)
class User:
    """A user created in the Dockerfile by ``useradd`` or ``adduser``.

    Attributes:
        name: The login name.
        uid: The numeric uid, None when it can't be told (a system user without ``-u``).
        gid: The numeric gid of the primary group, None when unknown.
        home: The home directory.
        uid_assumed: True when the uid is the distribution's default, not written down.
    """

    name: str
    uid: int | None
    gid: int | None
    home: str
    uid_assumed: bool = False


WELL_KNOWN_USERS = {
    "root": User("root", 0, 0, "/root"),
    "daemon": User("daemon", 1, 1, "/usr/sbin"),
    "www-data": User("www-data", 33, 33, "/var/www"),
    "nobody": User("nobody", 65534, 65534, "/nonexistent"),
}


@dataclass(frozen=True)
class BuildState:
    """What the builder knows before an instruction runs, within one stage.

    Attributes:
        stage: Index of the stage.
        user: The ``USER`` as written (``root`` by default).
        workdir: The absolute working directory.
        env: Variables set by ``ENV`` and ``ARG`` (values expanded where known).
        users: Users created so far, by name.
        next_uid: The uid ``useradd`` would give the next regular user.
    """

    stage: int = 0
    user: str = "root"
    workdir: str = "/"
    env: Mapping[str, str] = field(default_factory=dict)
    users: Mapping[str, User] = field(default_factory=dict)
    next_uid: int = 1000

    def expand(self, value: str, extra: Mapping[str, str] | None = None) -> str:
        """Expand ``$VAR`` and ``${VAR}`` where the variable is known; leave others."""
        env = {**self.env, **(extra or {})}

        def sub(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            return env.get(name, match.group(0))

        return _VAR.sub(sub, value)

    def account(self) -> User | None:
        """Return the current user's account (uid, gid, home), None when unknown."""
        name, _, group = self.user.partition(":")
        user = self.users.get(name) or WELL_KNOWN_USERS.get(name)
        if user is None and name.isdigit():
            uid = int(name)
            user = next((u for u in self.users.values() if u.uid == uid), None)
            user = user or User(name, uid, uid, "/root" if uid == 0 else "/")
        if user is not None and group.isdigit():
            user = replace(user, gid=int(group))
        return user

    def is_root(self) -> bool:
        """Whether the current user is root."""
        return self.user.partition(":")[0] in {"root", "0"}

    def home(self) -> str:
        """The current user's ``HOME``: the ``HOME`` variable, else from the account."""
        if "HOME" in self.env:
            return self.env["HOME"]
        account = self.account()
        if account is not None:
            return account.home
        return f"/home/{self.user.partition(':')[0]}"

    def cache_home(self) -> str:
        """The current user's cache folder (``XDG_CACHE_HOME`` or ``~/.cache``)."""
        return self.env.get("XDG_CACHE_HOME") or posixpath.join(self.home(), ".cache")


def walk(dockerfile: Dockerfile) -> Iterator[tuple[int, Instruction, BuildState]]:
    """Yield each instruction with the state before it.

    Args:
        dockerfile: A parsed Dockerfile.

    Yields:
        ``(index, instruction, state)`` for every instruction, global ARGs included.
    """
    state = BuildState(stage=-1)
    finals: dict[str, BuildState] = {}
    names: tuple[str, ...] = ()
    stage = -1
    for i, ins in enumerate(dockerfile.instructions):
        if ins.keyword == "FROM":
            stage += 1
            state = _from(ins, stage, state, finals)
            names = (str(stage), _stage_name(ins) or str(stage))
        yield i, ins, state
        state = _step(ins, state)
        for name in names:
            finals[name] = state


def _stage_name(ins: Instruction) -> str | None:
    if ins.keyword != "FROM":
        return None
    words = ins.value.split()
    if len(words) >= 3 and words[-2].lower() == "as":
        return words[-1].lower()
    return None


def _from(ins: Instruction, stage: int, state: BuildState, finals: dict) -> BuildState:
    image = from_image(ins).lower()
    parent = finals.get(image)
    if parent is not None:
        return replace(parent, stage=stage)
    global_env = state.env if state.stage == -1 else {}
    return BuildState(stage=stage, env=dict(global_env))


def from_image(ins: Instruction) -> str:
    """Return the image (or stage) a ``FROM`` starts from."""
    words = [w for w in ins.value.split() if not w.startswith("--")]
    return words[0] if words else ""


def _step(ins: Instruction, state: BuildState) -> BuildState:
    if ins.keyword in {"ENV", "ARG"}:
        return replace(state, env={**state.env, **parse_env(ins, state)})
    if ins.keyword == "WORKDIR":
        path = state.expand(ins.value.strip().strip("\"'"))
        return replace(state, workdir=posixpath.normpath(posixpath.join(state.workdir, path)))
    if ins.keyword == "USER":
        return replace(state, user=state.expand(ins.value.strip()))
    if ins.keyword == "RUN":
        return _created_users(parse_run(ins), state)
    return state


def parse_env(ins: Instruction, state: BuildState | None = None) -> dict[str, str]:
    """Return the variables an ``ENV`` or ``ARG`` sets (ARGs only with a default).

    Args:
        ins: The instruction.
        state: When given, values are expanded with the variables known so far.
    """
    try:
        words = shlex.split(ins.value, posix=True)
    except ValueError:
        return {}
    if ins.keyword == "ENV" and words and "=" not in words[0]:
        pairs = [(words[0], " ".join(words[1:]))]
    else:
        pairs = [tuple(w.split("=", 1)) for w in words if "=" in w]
    out: dict[str, str] = {}
    for name, value in pairs:
        out[name] = state.expand(value, out) if state else value
    return out


# fmt: off
_USERADD_VALUE_OPTIONS = frozenset({
    "-u", "--uid", "-g", "--gid", "-d", "--home-dir", "--home", "-h", "-s", "--shell", "-c",
    "--comment", "--gecos", "-G", "--groups", "-k", "--skel", "-e", "--expiredate", "-f",
    "--inactive", "-K", "--key", "-p", "--password", "-R", "--root", "-b", "--base-dir", "-Z",
    "--selinux-user", "--ingroup", "--firstuid", "--lastuid",
})
# fmt: on


def _created_users(run: RunInstruction, state: BuildState) -> BuildState:
    for command in run.commands():
        argv = command_argv(command.argv)
        if argv and posixpath.basename(argv[0]) in {"useradd", "adduser"}:
            user = _useradd(argv, state.next_uid)
            if user is not None:
                next_uid = state.next_uid
                if user.uid is not None and user.uid >= next_uid and user.uid < 60000:
                    next_uid = user.uid + 1
                state = replace(state, users={**state.users, user.name: user}, next_uid=next_uid)
    return state


def _useradd(argv: Sequence[str], next_uid: int) -> User | None:
    options: dict[str, str] = {}
    positional: list[str] = []
    system = False
    args = iter(argv[1:])
    for arg in args:
        if arg in _USERADD_VALUE_OPTIONS:
            options[arg] = next(args, "")
        elif "=" in arg and arg.startswith("--"):
            key, value = arg.split("=", 1)
            options[key] = value
        elif arg in {"-r", "--system", "-S"}:
            system = True
        elif not arg.startswith("-"):
            positional.append(arg)
    if not positional:
        return None
    name = positional[0]
    uid_text = options.get("-u") or options.get("--uid")
    gid_text = options.get("-g") or options.get("--gid")
    home = options.get("-d") or options.get("--home-dir") or options.get("--home")
    home = home or options.get("-h") or f"/home/{name}"
    if uid_text and uid_text.isdigit():
        uid, assumed = int(uid_text), False
    else:
        uid, assumed = (None, False) if system else (next_uid, True)
    gid = int(gid_text) if gid_text and gid_text.isdigit() else uid
    return User(name, uid, gid, home, uid_assumed=assumed)


_WRAPPERS = frozenset({"sudo", "env", "exec", "time", "nice", "command", "nohup"})


def command_argv(argv: Sequence[str]) -> list[str]:
    """Drop leading ``VAR=value`` assignments and wrappers (``sudo``, ``env``...) from argv."""
    return list(argv[program_index(argv) :])


def assignments(argv: Sequence[str]) -> dict[str, str]:
    """Return the ``VAR=value`` assignments before the program (wrappers skipped)."""
    return _prefix(argv)[0]


def program_index(argv: Sequence[str]) -> int:
    """Return the index of the program word, after assignments and wrappers."""
    return _prefix(argv)[1]


def _prefix(argv: Sequence[str]) -> tuple[dict[str, str], int]:
    found: dict[str, str] = {}
    i = 0
    while i < len(argv):
        word = argv[i]
        if re.match(r"[A-Za-z_][A-Za-z0-9_]*=", word):
            name, value = word.split("=", 1)
            found[name] = value
        elif word in _WRAPPERS or (i and argv[i - 1] in _WRAPPERS and word.startswith("-")):
            pass
        else:
            break
        i += 1
    return found, i


@dataclass(frozen=True)
class CopySpec:
    """The parts of a ``COPY`` or ``ADD``.

    Attributes:
        flags: ``--from``, ``--chown``... without the dashes (``--link`` maps to ``""``).
        sources: The source paths.
        dest: The destination path.
    """

    flags: Mapping[str, str]
    sources: tuple[str, ...]
    dest: str


def parse_copy(ins: Instruction) -> CopySpec:
    """Split a ``COPY``/``ADD`` into flags, sources and destination (both forms)."""
    rest = ins.value.strip()
    flags: dict[str, str] = {}
    while rest.startswith("--"):
        word, _, rest = rest.partition(" ")
        name, _, value = word[2:].partition("=")
        flags[name.lower()] = value
        rest = rest.strip()
    paths: list[str] = []
    if rest.startswith("["):
        try:
            paths = [str(p) for p in json.loads(rest)]
        except ValueError:
            paths = []
    if not paths:
        try:
            paths = shlex.split(rest)
        except ValueError:
            paths = rest.split()
    return CopySpec(flags, tuple(paths[:-1]), paths[-1] if paths else "")


def final_stage_context_copies(text: str) -> list[tuple[CopySpec, str]]:
    """The final stage's ``COPY``/``ADD`` from the build context (not ``--from``).

    Args:
        text: the Dockerfile.

    Returns:
        Each copy with its destination made absolute against the WORKDIR in force
        (variables expanded where known); empty when the Dockerfile does not parse.
    """
    try:
        parsed = parse(text)
    except WorkbenchError:
        return []
    stages = parsed.stages()
    final = set(stages[-1]) if stages else set()
    copies = []
    for index, instruction, state in walk(parsed):
        if index not in final or instruction.keyword not in ("COPY", "ADD"):
            continue
        spec = parse_copy(instruction)
        if "from" in spec.flags or not spec.sources or not spec.dest:
            continue
        dest = state.expand(spec.dest)
        copies.append((spec, dest if dest.startswith("/") else posixpath.join(state.workdir, dest)))
    return copies
