"""Unit tests of the Dockerfile variants: golden transforms, parsing, derivation, custom files."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from workbench.errors import CannotTransform, ProjectError, VariantError, WorkbenchError
from workbench.variants import transforms as variants
from workbench.variants.dockerfile import parse, parse_run, tokenize, walk
from workbench.variants.transforms import (
    PLAN_TASKS,
    VARIANT_NAMES,
    Variant,
    derive_variant,
    derive_variants,
    load_custom_dockerfile,
    needs_buildkit,
    project_key,
    save_custom_dockerfile,
    to_cache_mount,
    to_multi_stage,
    to_no_cache,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dockerfiles"
CASES = FIXTURES / "cases"
CONTEXT = FIXTURES / "context"
TRANSFORMS = {
    "no-cache": to_no_cache,
    "multi-stage": to_multi_stage,
    "cache-mount": to_cache_mount,
}
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "Dockerfile").is_file())
PARSEABLE = [c for c in CASE_NAMES if not (CASES / c / "no-cache.error").is_file()]


def _outputs(*transforms: str) -> list[tuple[str, str]]:
    """The (case, transform) pairs that have an expected output (not an expected error)."""
    return [
        (case, name)
        for case in CASE_NAMES
        for name in transforms
        if (CASES / case / f"{name}.Dockerfile").is_file()
    ]


def _input(case: str) -> str:
    return (CASES / case / "Dockerfile").read_text()


def _dockerfile(*lines: str) -> str:
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Golden files: input + expected output (or expected error) per transform


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden(case: str, transform: str) -> None:
    expected = CASES / case / f"{transform}.Dockerfile"
    error = CASES / case / f"{transform}.error"
    assert expected.is_file() != error.is_file(), "one expected output or one expected error"
    if expected.is_file():
        assert TRANSFORMS[transform](_input(case)) == expected.read_text()
    else:
        with pytest.raises(CannotTransform, match=re.escape(error.read_text().strip())):
            TRANSFORMS[transform](_input(case))


def test_the_golden_cases_cover_what_the_plan_needs() -> None:
    assert {
        "plan",
        "pip-system",
        "apt-comments",
        "multi-stage-input",
        "heredoc",
        "no-from",
    } <= set(CASE_NAMES)


@pytest.mark.parametrize("case", PARSEABLE)
def test_parse_renders_back_byte_for_byte(case: str) -> None:
    assert parse(_input(case)).render() == _input(case)


@pytest.mark.parametrize(("case", "transform"), _outputs("no-cache", "cache-mount"))
def test_transforms_are_idempotent(case: str, transform: str) -> None:
    once = (CASES / case / f"{transform}.Dockerfile").read_text()
    assert TRANSFORMS[transform](once) == once


@pytest.mark.parametrize(("case", "transform"), _outputs("multi-stage"))
def test_multi_stage_output_already_has_no_cache(case: str, transform: str) -> None:
    once = (CASES / case / f"{transform}.Dockerfile").read_text()
    assert to_no_cache(once) == once


def _instructions(text: str) -> list[tuple[str, str]]:
    return [(i.keyword, " ".join(i.value.split())) for i in parse(text).instructions]


def test_multi_stage_of_the_plans_dockerfile_is_the_plans_template() -> None:
    ours = _instructions(to_multi_stage(_input("plan")))
    template = _instructions((CASES / "plan" / "template.Dockerfile").read_text())
    link_mode = ("ENV", "UV_LINK_MODE=copy")
    assert [i for i in ours if i != link_mode] == template


def test_no_cache_of_the_plan_is_its_priority_1_change() -> None:
    out = to_no_cache(_input("plan"))
    assert "RUN uv sync --frozen --no-dev --no-install-project --no-cache\n" in out
    changed = [line for line in out.splitlines() if line not in _input("plan").splitlines()]
    assert changed == [
        "RUN apt-get update && apt-get install -y --no-install-recommends curl"
        " && rm -rf /var/lib/apt/lists/*",
        "RUN uv sync --frozen --no-dev --no-install-project --no-cache",
    ]


# ---------------------------------------------------------------------------------------------
# The shell scanner


def test_tokenize_handles_quotes_operators_and_redirections() -> None:
    text = 'RUN A=1 pip install \'a b\' "c\\"d" && echo x>y 2>&1 | tee z; ls'
    tokens = tokenize(text, 4)
    assert [t.value for t in tokens] == [
        "A=1", "pip", "install", "a b", 'c"d', "&&", "echo", "x>y", "2>&1", "|", "tee", "z",
        ";", "ls",
    ]  # fmt: skip
    assert [t.text for t in tokens if t.op] == ["&&", "|", ";"]
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_tokenize_skips_comment_lines_inside_continuations() -> None:
    text = "RUN apt-get update \\\n    # a comment && rm -rf /\n    && apt-get install -y curl\n"
    values = [t.value for t in tokenize(text, 4)]
    assert values == ["apt-get", "update", "&&", "apt-get", "install", "-y", "curl"]


def test_an_unterminated_quote_cannot_be_transformed() -> None:
    with pytest.raises(CannotTransform, match="line 2: RUN has an unterminated ' quote"):
        to_no_cache("FROM x\nRUN pip install 'six\nCMD x\n")


def test_tokenize_stops_at_a_shell_comment() -> None:
    assert [t.value for t in tokenize("RUN pip install six  # why\n", 4)] == [
        "pip",
        "install",
        "six",
    ]


def test_parse_run_splits_flags_and_exec_form() -> None:
    df = parse('FROM x\nRUN --mount=type=cache,dst=/c --network=none ["pip", "install", "a"]\n')
    run = parse_run(df.instructions[1])
    assert [f.value for f in run.flags] == ["--mount=type=cache,dst=/c", "--network=none"]
    assert run.exec_form == ("pip", "install", "a")
    assert run.cache_targets() == {"/c"}


def test_walk_tracks_user_workdir_env_and_created_users() -> None:
    df = parse(
        _dockerfile(
            "ARG BASE=/srv",
            "FROM python:3.11-slim",
            "ENV HOME_DIR=$BASE/home",
            "WORKDIR ${HOME_DIR}",
            "WORKDIR app",
            "RUN useradd -m -u 1234 bob && adduser --disabled-password --gecos '' alice",
            "USER alice",
            "RUN true",
        )
    )
    *_, (_, _, state) = walk(df)
    assert state.workdir == "/srv/home/app"
    assert state.user == "alice"
    assert state.users["bob"].uid == 1234
    assert state.users["alice"].uid == 1235
    assert state.users["alice"].uid_assumed
    assert state.home() == "/home/alice"


def test_a_named_stage_inherits_its_parents_state() -> None:
    df = parse(_dockerfile("FROM python AS base", "USER nobody", "FROM base", "RUN true"))
    *_, (_, _, state) = walk(df)
    assert state.stage == 1
    assert state.user == "nobody"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("RUN x\n", "before the first FROM"),
        ("# escape=`\nFROM x\n", "escape"),
        ("FROM x\nRUN a \\\n\n    b\n", "unknown instruction"),
    ],
)
def test_parse_refuses_what_it_cannot_edit(text: str, reason: str) -> None:
    with pytest.raises(CannotTransform, match=reason):
        parse(text)


# ---------------------------------------------------------------------------------------------
# no-cache


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("uv sync --frozen", "uv sync --frozen --no-cache"),
        ("uv pip install --system -r r.txt", "uv pip install --system -r r.txt --no-cache"),
        ("uv --directory /x sync", "uv --directory /x sync --no-cache"),
        ("/root/.local/bin/uv pip sync r.txt", "/root/.local/bin/uv pip sync r.txt --no-cache"),
        ("pip3 install six", "pip3 install six --no-cache-dir"),
        ("python3.11 -m pip install six", "python3.11 -m pip install six --no-cache-dir"),
        ("sudo -E pip install six", "sudo -E pip install six --no-cache-dir"),
        ("pip install six > /dev/null", "pip install six --no-cache-dir > /dev/null"),
        ("pip --no-cache-dir install six", "pip --no-cache-dir install six"),
        ("uv sync -n", "uv sync -n"),
        ("UV_NO_CACHE=1 uv sync", "UV_NO_CACHE=1 uv sync"),
        ("pip download six", "pip download six"),
        ("uv run app.py", "uv run app.py"),
        ("apt-get -y install curl;", "apt-get -y install curl; rm -rf /var/lib/apt/lists/*"),
        ("apt install -y curl", "apt install -y curl && rm -rf /var/lib/apt/lists/*"),
        ("apt-get install -y x && rm -rf /var/lib/apt/lists", "same"),
        ("apt-get update", "apt-get update"),
        (
            "apt-get install -y gcc && pip install x",
            "apt-get install -y gcc && pip install x --no-cache-dir && rm -rf /var/lib/apt/lists/*",
        ),
    ],
)
def test_no_cache_commands(run: str, expected: str) -> None:
    expected = run if expected == "same" else expected
    assert to_no_cache(f"FROM x\nRUN {run}\n") == f"FROM x\nRUN {expected}\n"


def test_no_cache_respects_environment_and_cache_mounts() -> None:
    text = _dockerfile(
        "FROM x",
        "ENV UV_NO_CACHE=1 PIP_NO_CACHE_DIR=off",
        "RUN uv sync && pip install six",
        "FROM y",
        "RUN --mount=type=cache,target=/root/.cache/uv uv sync",
        "RUN --mount=type=cache,target=/var/lib/apt apt-get install -y curl",
    )
    assert to_no_cache(text) == text


def test_no_cache_follows_the_style_of_leading_operators() -> None:
    text = "FROM x\nRUN apt-get update \\\n  && apt-get install -y curl\n"
    assert to_no_cache(text) == (
        "FROM x\nRUN apt-get update \\\n  && apt-get install -y curl \\\n"
        "  && rm -rf /var/lib/apt/lists/*\n"
    )


def test_no_cache_edits_only_the_changed_instruction() -> None:
    text = _dockerfile(
        "FROM x  ",
        "# keep   me",
        "RUN echo   hi \\",
        "  there",
        "",
        "RUN pip install six",
        'CMD  [ "a" ]',
    )
    out = to_no_cache(text)
    assert out == text.replace("pip install six", "pip install six --no-cache-dir")


# ---------------------------------------------------------------------------------------------
# cache-mount


def test_cache_mount_follows_uv_cache_dir_and_xdg() -> None:
    out = to_cache_mount(
        _dockerfile(
            "FROM x",
            "ENV XDG_CACHE_HOME=/cache UV_LINK_MODE=copy",
            "RUN pip install six",
            "RUN uv sync --cache-dir=.uvc",
            "WORKDIR /w",
            "RUN UV_CACHE_DIR=/u uv pip install six",
        )
    )
    assert "RUN --mount=type=cache,target=/cache/pip \\\n    pip install six\n" in out
    assert "--mount=type=cache,target=/.uvc \\\n    uv sync --cache-dir=.uvc\n" in out
    assert "--mount=type=cache,target=/u \\\n    UV_CACHE_DIR=/u uv pip install six\n" in out
    assert "ENV UV_LINK_MODE=copy\n" not in out.split("\n", 2)[2]


def test_cache_mount_adds_uv_link_mode_once_per_stage() -> None:
    out = to_cache_mount(_dockerfile("FROM x", "RUN uv sync", "RUN uv pip install six"))
    assert out.count("ENV UV_LINK_MODE=copy\n") == 1
    out = to_cache_mount(_dockerfile("FROM x", "RUN uv sync --link-mode=copy"))
    assert "UV_LINK_MODE" not in out


def test_cache_mount_for_a_non_root_user_owns_its_cache() -> None:
    out = to_cache_mount(
        _dockerfile("FROM x", "RUN useradd -m app", "USER app", "RUN pip install --user six")
    )
    assert out == _dockerfile(
        "FROM x",
        "RUN useradd -m app",
        "USER app",
        "RUN mkdir -p /home/app/.cache/pip",
        "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 \\",
        "    pip install --user six",
    )


def test_cache_mount_for_a_numeric_user() -> None:
    out = to_cache_mount(_dockerfile("FROM x", "ENV HOME=/h", "USER 5000:6000", "RUN uv sync"))
    assert "--mount=type=cache,target=/h/.cache/uv,uid=5000,gid=6000 \\\n" in out


def test_cache_mount_refuses_a_user_of_unknown_uid() -> None:
    with pytest.raises(CannotTransform, match="uid of user 'someone'"):
        to_cache_mount(_dockerfile("FROM x", "USER someone", "RUN uv sync"))


def test_cache_mount_keeps_existing_mounts() -> None:
    text = _dockerfile("FROM x", "RUN --mount=type=cache,target=/root/.cache/uv uv sync")
    assert to_cache_mount(text) == text


# ---------------------------------------------------------------------------------------------
# multi-stage


def test_multi_stage_copies_user_site_packages_to_the_users_home() -> None:
    out = to_multi_stage(
        _dockerfile(
            "FROM python:3.11",
            "RUN useradd -m app",
            "USER app",
            "RUN pip install --user six",
            "CMD python",
        )
    )
    assert "COPY --chown=app --from=builder /root/.local /home/app/.local\n" in out
    builder = out.split("AS runtime")[0]
    assert "USER" not in builder
    assert "useradd" not in builder


def test_multi_stage_keeps_uv_when_the_runtime_runs_it() -> None:
    text = _dockerfile(
        "FROM python:3.11",
        "COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv",
        "COPY pyproject.toml uv.lock ./",
        "RUN uv sync --frozen",
        'CMD ["uv", "run", "app.py"]',
    )
    runtime = to_multi_stage(text).split("AS runtime")[1]
    assert "COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv\n" in runtime
    assert "pyproject.toml" not in runtime
    runtime = to_multi_stage(text.replace('"uv", "run", ', '"python", ')).split("AS runtime")[1]
    assert "astral-sh/uv" not in runtime


def test_multi_stage_keeps_the_stage_name_and_global_args() -> None:
    out = to_multi_stage(
        _dockerfile("ARG V=3.11", "FROM python:${V} AS builder", "RUN pip install six")
    )
    assert out.startswith("ARG V=3.11\n")
    assert "FROM python:${V} AS deps\n" in out
    assert "FROM python:${V} AS builder\n" in out
    assert "COPY --from=deps /install/ /\n" in out


def test_multi_stage_follows_uv_project_environment() -> None:
    out = to_multi_stage(
        _dockerfile(
            "FROM python:3.11",
            "ENV UV_PROJECT_ENVIRONMENT=/opt/env",
            "WORKDIR /src",
            "RUN uv sync",
        )
    )
    assert "COPY --from=builder /opt/env /opt/env\n" in out


def test_multi_stage_refuses_pip_root() -> None:
    with pytest.raises(CannotTransform, match="--root"):
        to_multi_stage("FROM python\nRUN pip install --root /r six\n")


def test_multi_stage_refuses_an_already_multi_stage_file() -> None:
    with pytest.raises(CannotTransform, match="already has 2 stages"):
        to_multi_stage(_input("multi-stage-input"))


# ---------------------------------------------------------------------------------------------
# BuildKit detection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM x\nRUN pip install six\n", False),
        ("FROM x\nRUN --mount=type=cache,target=/c pip install six\n", True),
        ("FROM x\nCOPY --link a b\n", True),
        ("FROM x\nCOPY --chown=1 --chmod=644 a b\n", True),
        ("FROM x\nRUN <<EOF\necho\nEOF\n", True),
        ("FROM x\n# RUN --mount is only mentioned\n", False),
    ],
)
def test_needs_buildkit(text: str, expected: bool) -> None:
    assert needs_buildkit(text) is expected


# ---------------------------------------------------------------------------------------------
# Deriving variants from a project folder


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(path))
    return path


@pytest.fixture
def project(tmp_path: Path, home: Path) -> Path:
    folder = tmp_path / "My Project"
    shutil.copytree(CONTEXT, folder)
    return folder


@pytest.fixture
def fake_lock(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace ``uv lock`` (network) with a stub; record the pyproject texts it saw."""
    seen: list[str] = []

    def relock(project: Path, pyproject: str, timeout: float) -> bytes:
        seen.append(pyproject)
        lock = (project / "uv.lock").read_text()
        return re.sub(
            r'\[\[package\]\]\nname = "idna".*?(?=\n\[\[|\Z)', "", lock, flags=re.S
        ).encode()

    monkeypatch.setattr(variants, "_relock", relock)
    variants._prune_memo.cache_clear()
    return seen


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_derive_variants_gives_every_variant_in_order(project: Path, fake_lock: list) -> None:
    before = _hashes(project)
    found = derive_variants(project, drop=["IDNA"])
    assert [v.name for v in found] == list(VARIANT_NAMES)
    assert all(isinstance(v, Variant) for v in found)
    assert _hashes(project) == before, "the user's files never change"
    by_name = {v.name: v for v in found}
    assert by_name["custom"].error == "no custom Dockerfile saved for this project yet"
    for name in VARIANT_NAMES[:-1]:
        assert by_name[name].ok, (name, by_name[name].error)
        assert "\n" not in by_name[name].summary
    combined_task = by_name["combined"].plan_task
    assert [by_name[n].plan_task for n in VARIANT_NAMES if n != "combined"] == [
        PLAN_TASKS[n] for n in VARIANT_NAMES if n != "combined"
    ]
    assert combined_task == "priority 1+2+3"
    assert len(fake_lock) == 1, "the lock is regenerated once, shared by pruned and combined"


def test_baseline_is_the_dockerfile_untouched(project: Path) -> None:
    variant = derive_variant(project, "baseline")
    assert variant.dockerfile == (project / "Dockerfile").read_text()
    assert variant.diff == ""
    assert variant.plan_task is None
    assert variant.requires_buildkit is False
    assert variant.extra_files == {}


def test_no_cache_variant(project: Path) -> None:
    variant = derive_variant(project, "no-cache")
    assert variant.summary == "--no-cache on uv sync (line 11)"
    assert variant.plan_task == "priority 1"
    assert variant.diff.startswith("--- Dockerfile (baseline)\n+++ Dockerfile (no-cache)\n")
    assert "-RUN uv sync --frozen --no-dev --no-install-project\n" in variant.diff
    assert "+RUN uv sync --frozen --no-dev --no-install-project --no-cache\n" in variant.diff


def test_multi_stage_variant(project: Path) -> None:
    variant = derive_variant(project, "multi-stage")
    assert variant.plan_task == "priority 3"
    assert variant.summary == (
        "builder stage runs uv sync without caches; runtime copies /app/.venv"
        " and leaves out uv, pyproject.toml, uv.lock"
    )
    assert "COPY --from=builder /app/.venv /app/.venv\n" in variant.dockerfile


def test_cache_mount_variant_requires_buildkit(project: Path) -> None:
    variant = derive_variant(project, "cache-mount")
    assert variant.requires_buildkit is True
    assert variant.plan_task is None
    assert "RUN --mount=type=cache,target=/root/.cache/uv \\\n" in variant.dockerfile


def test_pruned_variant_overlays_new_manifests(project: Path, fake_lock: list) -> None:
    variant = derive_variant(project, "pruned-deps", drop=["idna", "not-a-dep"])
    assert variant.dockerfile == (project / "Dockerfile").read_text()
    assert set(variant.extra_files) == {"pyproject.toml", "uv.lock"}
    pyproject = variant.extra_files["pyproject.toml"].decode()
    assert '"six>=1.16",  # used by app.py\n' in pyproject, "formatting and comments survive"
    assert "idna" not in pyproject.split("# not used")[1]
    assert b'[[package]]\nname = "idna"' not in variant.extra_files["uv.lock"]
    assert variant.summary == (
        "drops idna from pyproject.toml; uv.lock regenerated (1 packages fewer);"
        " not dependencies: not-a-dep"
    )
    assert '-    "idna>=3.7",\n' in variant.diff


@pytest.mark.parametrize(
    ("drop", "error"),
    [
        ([], "no dependencies chosen to drop"),
        (["requests"], "none of requests is in the [project] dependencies"),
    ],
)
def test_pruned_variant_says_when_there_is_nothing_to_drop(
    project: Path, fake_lock: list, drop: list[str], error: str
) -> None:
    variant = derive_variant(project, "pruned-deps", drop=drop)
    assert variant.error == error
    assert variant.dockerfile is None
    assert not variant.ok
    assert fake_lock == []


def test_pruned_variant_reports_uv_lock_failures(project: Path, monkeypatch) -> None:
    def fail(project: Path, pyproject: str, timeout: float) -> bytes:
        raise CannotTransform("uv lock failed after dropping the dependencies: no network")

    monkeypatch.setattr(variants, "_relock", fail)
    variants._prune_memo.cache_clear()
    variant = derive_variant(project, "pruned-deps", drop=["idna"])
    assert variant.error == "uv lock failed after dropping the dependencies: no network"


def test_combined_variant_says_what_it_chose(project: Path, fake_lock: list) -> None:
    variant = derive_variant(project, "combined", drop=["idna"])
    assert variant.summary.startswith(
        "multi-stage with no-cache installs; cache-mount not used (it is the alternative to"
        " no-cache); drops idna"
    )
    assert variant.dockerfile == derive_variant(project, "multi-stage").dockerfile
    assert set(variant.extra_files) == {"pyproject.toml", "uv.lock"}
    without = derive_variant(project, "combined")
    assert without.plan_task == "priority 1+3"
    assert "no pruning (no dependencies chosen to drop)" in without.summary


def test_combined_falls_back_to_no_cache_for_multi_stage_input(tmp_path: Path, home) -> None:
    (tmp_path / "Dockerfile").write_text(_input("multi-stage-input"))
    variant = derive_variant(tmp_path, "combined")
    assert variant.ok
    assert variant.summary.startswith("no-cache (multi-stage skipped: already has 2 stages")
    assert variant.plan_task == "priority 1"


@pytest.mark.parametrize("case", ["heredoc", "no-from"])
def test_untransformable_dockerfiles_give_variants_that_say_why(
    tmp_path: Path, home: Path, case: str
) -> None:
    (tmp_path / "Dockerfile").write_text(_input(case))
    found = {v.name: v for v in derive_variants(tmp_path, drop=["six"])}
    assert found["baseline"].ok
    expected = (CASES / case / "no-cache.error").read_text().strip()
    for name in ("no-cache", "multi-stage", "cache-mount", "combined"):
        assert found[name].error == f"Dockerfile {expected}", name
        assert found[name].dockerfile is None
    assert found["pruned-deps"].error == f"no pyproject.toml in {tmp_path}"


def test_a_transform_that_changes_nothing_is_not_offered(tmp_path: Path, home: Path) -> None:
    (tmp_path / "Dockerfile").write_text(_input("no-install"))
    found = {v.name: v for v in derive_variants(tmp_path)}
    assert found["no-cache"].error == (
        "nothing to change: every dependency install already runs without a cache"
    )
    assert found["multi-stage"].error.startswith("Dockerfile has no Python dependency install")
    assert found["cache-mount"].error.startswith("nothing to change")


def test_the_dockerfile_name_is_configurable(project: Path) -> None:
    (project / "Dockerfile").rename(project / "Dockerfile.prod")
    variant = derive_variant(project, "no-cache", dockerfile="Dockerfile.prod")
    assert variant.diff.startswith("--- Dockerfile.prod (baseline)\n")


def test_unknown_variant_names_the_known_ones(project: Path) -> None:
    with pytest.raises(VariantError) as caught:
        derive_variant(project, "smaller")
    message = str(caught.value)
    assert isinstance(caught.value, WorkbenchError)
    assert "\n" not in message
    assert message == (
        "unknown variant 'smaller'; known variants: baseline, no-cache, multi-stage,"
        " cache-mount, pruned-deps, combined, custom"
    )


def test_missing_project_or_dockerfile_is_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="is not a folder"):
        derive_variants(tmp_path / "nope")
    with pytest.raises(ProjectError, match=r"^no Dockerfile in "):
        derive_variants(tmp_path)


# ---------------------------------------------------------------------------------------------
# custom


def test_project_key_is_a_slug_and_a_hash(tmp_path: Path) -> None:
    key = project_key(tmp_path / "My Project!")
    assert re.fullmatch(r"my-project-[0-9a-f]{8}", key)
    assert key == project_key(tmp_path / "x" / ".." / "My Project!")
    assert key != project_key(tmp_path / "other" / "My Project!")


def test_custom_dockerfile_is_saved_under_the_workbench_home(project: Path, home: Path) -> None:
    assert load_custom_dockerfile(project) is None
    path = save_custom_dockerfile(project, "FROM scratch\n")
    assert path == home / "projects" / project_key(project) / "custom.Dockerfile"
    assert load_custom_dockerfile(project) == "FROM scratch\n"
    variant = derive_variant(project, "custom")
    assert variant.ok
    assert variant.dockerfile == "FROM scratch\n"
    assert variant.summary == f"your own Dockerfile (saved in {path})"
    assert "+FROM scratch\n" in variant.diff
    assert variants.delete_custom_dockerfile(project) is True
    assert load_custom_dockerfile(project) is None


def test_custom_text_overrides_the_saved_one(project: Path) -> None:
    save_custom_dockerfile(project, "FROM scratch\n")
    text = "FROM x\nRUN --mount=type=cache,target=/c true\n"
    variant = derive_variant(project, "custom", custom_text=text)
    assert variant.dockerfile == text
    assert variant.requires_buildkit is True
    assert variant.summary == "your own Dockerfile (edited, not saved)"
    bad = derive_variant(project, "custom", custom_text="RUN true\n")
    assert bad.error == "the custom Dockerfile has no FROM instruction"
