"""The shell words of ``RUN`` instructions: words with their offsets, operators, commands.

A small scanner, enough to find a command inside a ``RUN`` and insert or remove a flag in the
instruction's original text (:func:`apply_edits`), leaving every other character as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.errors import CannotTransform
from workbench.variants.instructions import Instruction

_KEYWORD = re.compile(r"\s*[A-Za-z]+[ \t]*")
_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")")
_WORD_END = set(" \t\r\n;|&()")
_WRAPPERS = frozenset({"sudo", "env", "exec", "time", "nice", "command", "nohup"})


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
        exec_form = exec_argv(ins.text, words[0].start, words[-1].end)
    return RunInstruction(ins, body_start, tuple(flags), tuple(words), exec_form)


def exec_argv(text: str, start: int, end: int) -> tuple[str, ...] | None:
    """The argv of an exec form (``["a", "b"]``) written at ``text[start:end]``, None if it is
    not one (continuations and comment lines inside it are dropped)."""
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
