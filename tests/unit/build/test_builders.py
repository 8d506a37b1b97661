from __future__ import annotations

from pathlib import Path

import pytest

from workbench import variants
from workbench.build.builders import BuilderInfo, available_builders, choose_builder
from workbench.errors import BuildError


def test_classic_refuses_a_cache_mount_with_a_clear_message() -> None:
    with pytest.raises(BuildError, match="needs BuildKit"):
        choose_builder("classic", "FROM x\nRUN --mount=type=cache,target=/c true\n")


def test_an_unknown_builder_lists_the_known_ones() -> None:
    with pytest.raises(BuildError, match="available: .*classic"):
        choose_builder("kaniko", "FROM x\n")


def test_the_builder_probe_is_remembered_until_a_cli_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.build import builders

    cli = tmp_path / "docker"
    cli.write_text("#!/bin/sh\n")
    asked: list[list[str]] = []
    answered = [True]

    def ask(clis: list[str]) -> tuple[tuple[BuilderInfo, ...], bool]:
        asked.append(clis)
        found = (BuilderInfo("buildkit", "BuildKit (test)", clis[0]), BuilderInfo("classic", "c"))
        return found, answered[0]

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(builders, "_cli_candidates", lambda: [str(cli)])
    monkeypatch.setattr(builders, "_ask_clis", ask)
    builders._probe.cache_clear()
    first = builders._probe("")
    builders._probe.cache_clear()
    assert builders._probe("") == first  # from the disk this time
    assert len(asked) == 1
    cli.write_text("#!/bin/sh\n# a new version\n")
    builders._probe.cache_clear()
    assert builders._probe("") == first
    assert len(asked) == 2
    (tmp_path / "home" / "cache" / "builders.json").write_text("{not json")
    builders._probe.cache_clear()
    assert builders._probe("") == first
    assert len(asked) == 3
    # a CLI that did not answer (timed out) is asked again, not remembered
    cli.write_text("#!/bin/sh\n# slow today\n")
    answered[0] = False
    for expected in (4, 5):
        builders._probe.cache_clear()
        builders._probe("")
        assert len(asked) == expected
    builders._probe.cache_clear()


BUILDKIT_ONLY = [
    ("RUN --mount=type=cache,target=/root/.cache/uv uv sync", "RUN --mount"),
    ("RUN --network=none make", "RUN --network"),
    ("RUN --security=insecure ls", "RUN --security"),
    ("COPY --link a b", "COPY --link"),
    ("COPY --chmod=755 a b", "COPY --chmod"),
    ("COPY --parents a/b c", "COPY --parents"),
    ("COPY --exclude=*.pyc . /app", "COPY --exclude"),
    ("ADD --link a b", "ADD --link"),
    ("ADD --chmod=644 a b", "ADD --chmod"),
    ("ADD --checksum=sha256:0123 https://example.com/a.tar.gz /a", "ADD --checksum"),
    ("ADD --keep-git-dir=true https://github.com/a/b.git /b", "ADD --keep-git-dir"),
    ("RUN <<EOF\necho hi\nEOF", "RUN heredoc (<<EOF)"),
    ("COPY <<EOF /app/run.sh\necho hi\nEOF", "COPY heredoc (<<EOF)"),
]


@pytest.mark.parametrize(("line", "feature"), BUILDKIT_ONLY)
def test_what_the_variants_page_calls_buildkit_only_the_classic_builder_refuses(
    tmp_path: Path, line: str, feature: str
) -> None:
    text = f"FROM python:3.11-slim\nWORKDIR /app\n{line}\n"
    (tmp_path / "Dockerfile").write_text(text)
    [custom] = [
        v for v in variants.derive_variants(tmp_path, custom_text=text) if v.name == "custom"
    ]
    assert custom.requires_buildkit  # the Variants page says "Needs BuildKit: yes"
    with pytest.raises(BuildError) as refused:
        choose_builder("classic", text)
    assert f"needs BuildKit (line 3: {feature})" in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "line", ["COPY --chown=1:1 a b", "COPY --from=base a b", "RUN echo --mount=x", "RUN true"]
)
def test_what_the_variants_page_calls_classic_the_classic_builder_takes(
    tmp_path: Path, line: str
) -> None:
    text = f"FROM python:3.11-slim AS base\n{line}\n"
    (tmp_path / "Dockerfile").write_text(text)
    [custom] = [
        v for v in variants.derive_variants(tmp_path, custom_text=text) if v.name == "custom"
    ]
    assert not custom.requires_buildkit
    assert choose_builder("classic", text).name == "classic"
    assert any(b.name == "classic" for b in available_builders())
