"""The one image lookup: a missing image, or an engine that fails, in one line."""

from __future__ import annotations

from types import SimpleNamespace

import docker.errors
import pytest

from workbench.engine.images import find_image, inspect_if_present, inspect_image, short_id
from workbench.errors import AuditError, SmokeError


def fake_client(answer):
    def inspect(ref: str):
        if isinstance(answer, Exception):
            raise answer
        return answer

    return SimpleNamespace(
        api=SimpleNamespace(inspect_image=inspect),
        images=SimpleNamespace(get=lambda ref: SimpleNamespace(id=inspect(ref)["Id"])),
    )


def test_a_missing_image_says_what_to_do_in_the_callers_error() -> None:
    client = fake_client(docker.errors.ImageNotFound("No such image: app:x"))
    with pytest.raises(SmokeError) as caught:
        inspect_image(client, "app:x", SmokeError, "build it first (`workbench build`)")
    assert str(caught.value) == (
        "the engine has no image 'app:x'; build it first (`workbench build`)"
    )
    with pytest.raises(AuditError, match="has no image 'app:x'; build it first"):
        find_image(client, "app:x", AuditError)


def test_an_engine_that_fails_is_one_line() -> None:
    client = fake_client(docker.errors.APIError("500 Server Error:\n  the disk\n  is full"))
    with pytest.raises(SmokeError) as caught:
        inspect_image(client, "app:x", SmokeError)
    message = str(caught.value)
    assert message.startswith("the engine could not describe 'app:x': ")
    assert "\n" not in message and "the disk is full" in message


def test_present_or_not() -> None:
    assert inspect_if_present(fake_client({"Id": "sha256:1"}), "app:x") == {"Id": "sha256:1"}
    assert inspect_if_present(fake_client(docker.errors.ImageNotFound("gone")), "app:x") is None
    with pytest.raises(AuditError, match="could not describe"):
        inspect_if_present(fake_client(docker.errors.APIError("boom")), "app:x", AuditError)


def test_short_ids_are_the_docker_clis_twelve_digits_and_tags_stay_whole() -> None:
    assert short_id("sha256:0123456789abcdef0123") == "0123456789ab"
    assert short_id("0123456789abcdef0123") == "0123456789ab"
    assert short_id("workbench/app:baseline") == "workbench/app:baseline"
