"""The shell scanner of RUN instructions: words, operators, flags, the exec form."""

from __future__ import annotations

import pytest

from workbench.errors import CannotTransform
from workbench.variants.instructions import parse
from workbench.variants.no_cache import to_no_cache
from workbench.variants.shell import parse_run, tokenize


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
