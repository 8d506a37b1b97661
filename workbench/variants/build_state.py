"""What the builder knows before each instruction: user, working directory, environment.

:func:`walk` goes through a parsed Dockerfile stage by stage (a ``FROM`` of an earlier stage
inherits its state) and tracks the users created by ``useradd``/``adduser`` and the settings
written by ``poetry config``, which the transforms need to place virtualenvs and cache mounts.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from workbench.variants.instructions import Dockerfile, Instruction
from workbench.variants.shell import Command, RunInstruction, command_argv, parse_run

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")
# fmt: off
_USERADD_VALUE_OPTIONS = frozenset({
    "-u", "--uid", "-g", "--gid", "-d", "--home-dir", "--home", "-h", "-s", "--shell", "-c",
    "--comment", "--gecos", "-G", "--groups", "-k", "--skel", "-e", "--expiredate", "-f",
    "--inactive", "-K", "--key", "-p", "--password", "-R", "--root", "-b", "--base-dir", "-Z",
    "--selinux-user", "--ingroup", "--firstuid", "--lastuid",
})
# fmt: on


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
        poetry_config: Settings written by ``poetry config NAME VALUE`` so far.
    """

    stage: int = 0
    user: str = "root"
    workdir: str = "/"
    env: Mapping[str, str] = field(default_factory=dict)
    users: Mapping[str, User] = field(default_factory=dict)
    next_uid: int = 1000
    poetry_config: Mapping[str, str] = field(default_factory=dict)

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
        run = parse_run(ins)
        state = _created_users(run, state)
        config = poetry_config(run.commands(), state.poetry_config)
        return replace(state, poetry_config=config) if config != state.poetry_config else state
    return state


def poetry_config(commands: Sequence[Command], base: Mapping[str, str]) -> dict[str, str]:
    """The Poetry settings after some commands: ``base`` with each ``poetry config NAME VALUE``.

    Args:
        commands: Simple commands, in order.
        base: The settings before them.
    """
    config = dict(base)
    for command in commands:
        argv = command_argv(command.argv)
        if len(argv) < 2 or posixpath.basename(argv[0]) != "poetry":
            continue
        words = [w for w in argv[1:] if not w.startswith("-")]
        if len(words) >= 3 and words[0] == "config":
            config[words[1]] = words[2]
    return config


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
