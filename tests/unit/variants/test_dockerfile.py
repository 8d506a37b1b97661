"""The reading API other stages use: COPY/ADD parsing and the final stage's context copies."""

from __future__ import annotations

from tests.unit.variants.golden import dockerfile
from workbench.variants import build_state, instructions
from workbench.variants import dockerfile as df
from workbench.variants.dockerfile import CopySpec, final_stage_context_copies, parse_copy


def test_it_offers_the_parser_and_the_walker() -> None:
    assert df.parse is instructions.parse
    assert df.walk is build_state.walk


def test_parse_copy_splits_flags_sources_and_destination() -> None:
    text = dockerfile(
        "FROM x",
        "COPY --chown=app --link a.py b.py /app/",
        'ADD ["with space.txt", "/data/"]',
    )
    copy, add = df.parse(text).instructions[1:]
    assert parse_copy(copy) == CopySpec({"chown": "app", "link": ""}, ("a.py", "b.py"), "/app/")
    assert parse_copy(add) == CopySpec({}, ("with space.txt",), "/data/")


def test_final_stage_context_copies_are_absolute_and_skip_other_stages() -> None:
    text = dockerfile(
        "FROM python AS build",
        "COPY setup.py /build/",
        "FROM python",
        "ENV APP=/srv/app",
        "WORKDIR $APP",
        "COPY --from=build /build /build",
        "COPY src ./src",
        "ADD data.csv /data/",
    )
    found = [(spec.sources, dest) for spec, dest in final_stage_context_copies(text)]
    assert found == [(("src",), "/srv/app/./src"), (("data.csv",), "/data/")]


def test_final_stage_context_copies_of_an_unparseable_dockerfile_are_none() -> None:
    assert final_stage_context_copies("RUN <<EOF\necho\nEOF\n") == []
