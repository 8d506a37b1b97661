"""The smoke container: its memory figure as the docker CLI computes it, its environment,
command and entrypoint, and the masking of environment values."""

from __future__ import annotations

import pytest

from workbench.checks.container import MemoryWatch, RunSpec, log_tail, mask, running_container
from workbench.errors import SmokeError


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        # cgroup v2: usage minus inactive file cache, as `docker stats` shows it
        (
            {"memory_stats": {"usage": 50_000_000, "stats": {"inactive_file": 10_000_000}}},
            40_000_000,
        ),
        # cgroup v1: the kernel's own peak counts
        (
            {
                "memory_stats": {
                    "usage": 30_000_000,
                    "max_usage": 70_000_000,
                    "stats": {"total_inactive_file": 5_000_000},
                }
            },
            65_000_000,
        ),
        ({"memory_stats": {}}, None),  # a stopped container
    ],
)
def test_memory_usage_of_a_stats_sample(sample, expected) -> None:
    assert MemoryWatch.usage(sample) == expected


def test_mask_hides_every_value_and_every_line_of_a_multiline_one() -> None:
    log = "token=abc123 again abc123\nkey: -----BEGIN-----\nPEM\nshort a1 1"
    secrets = ["abc123", "-----BEGIN-----\nPEM", "", "abc"]
    assert mask(log, secrets) == "token=**** again ****\nkey: ****\nshort a1 1"
    assert mask("PEM printed alone", secrets) == "**** printed alone"
    assert mask("port 8000", ["1"]) == "port 8000"
    assert mask("nothing", []) == "nothing"


class _Container:
    def __init__(self, logs: bytes = b"", fail_start: bool = False) -> None:
        self._logs, self.fail_start, self.removed = logs, fail_start, False
        self.id = "c1"

    def logs(self, tail: int) -> bytes:
        return self._logs

    def start(self) -> None:
        import docker.errors

        if self.fail_start:
            raise docker.errors.APIError("500 Server Error\nstarting: TOKEN=hunter2 refused")

    def remove(self, force: bool) -> None:
        self.removed = True


def test_the_log_tail_is_masked() -> None:
    container = _Container(b"starting with hunter2\nready\n")
    assert log_tail(container, ["hunter2"]) == "starting with ****\nready"
    assert log_tail(container) == "starting with hunter2\nready"


def test_the_container_gets_the_environment_command_and_entrypoint() -> None:
    created: dict = {}
    container = _Container()

    class Containers:
        def create(self, image_id, **kwargs):
            created.update(kwargs, image_id=image_id)
            return container

    class Client:
        containers = Containers()

    spec = RunSpec({"TOKEN": "hunter2"}, ("serve", "--fast"), ())
    with running_container(Client(), "x:1", "sha256:x", "smoke-1", 8000, spec) as started:
        assert started is container
    assert created["environment"] == {"TOKEN": "hunter2"}
    assert created["command"] == ["serve", "--fast"] and created["entrypoint"] == []
    assert created["ports"] == {"8000/tcp": ("127.0.0.1", None)}
    assert created["labels"]["org.workbench.smoke"] == "1"
    assert container.removed
    assert "hunter2" not in repr(spec)
    created.clear()
    with running_container(Client(), "x:1", "sha256:x", "smoke-2", None):
        pass
    assert "command" not in created and "entrypoint" not in created  # the image's own


def test_an_engine_refusal_is_one_line_without_env_values_and_removes_the_container() -> None:
    container = _Container(fail_start=True)

    class Containers:
        def create(self, image_id, **kwargs):
            return container

    class Client:
        containers = Containers()

    spec = RunSpec({"TOKEN": "hunter2"})
    with (
        pytest.raises(
            SmokeError, match=r"^the engine could not start x:1: starting: TOKEN=\*\*\*\*"
        ),
        running_container(Client(), "x:1", "sha256:x", "smoke-3", None, spec),
    ):
        pass
    assert container.removed
