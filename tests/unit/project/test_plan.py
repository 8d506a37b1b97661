from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PROJECT
from workbench.errors import PlanError
from workbench.project.plan import SizeRange, SmokeSettings, load_plan, parse_plan, parse_smoke


def test_the_sample_plan_carries_the_seed_estimates() -> None:
    plan = load_plan(SAMPLE_PROJECT / "plan.toml")
    assert [(t.priority, t.variant, t.saving) for t in plan.tasks] == [
        (1, "no-cache", SizeRange(20_000_000, 50_000_000)),
        (2, "pruned-deps", SizeRange(50_000_000, 150_000_000)),
        (3, "multi-stage", SizeRange(50_000_000, 100_000_000)),
    ]
    assert plan.current_size == 1_590_000_000
    assert plan.target_uncompressed == SizeRange(1_300_000_000, 1_400_000_000)
    assert plan.target_compressed == SizeRange(250_000_000, 300_000_000)
    assert sum(size for _, size in plan.breakdown) == 1_590_000_000
    assert plan.smoke.path == "/health"
    assert plan.smoke.port == 8080


def test_a_task_without_saving_is_named_in_the_error() -> None:
    with pytest.raises(PlanError, match=r"tasks\[1\] lacks `saving`"):
        parse_plan({"tasks": [{"name": "x", "variant": "no-cache"}]})


def test_a_range_with_min_above_max_is_refused() -> None:
    with pytest.raises(PlanError, match="min is larger than max"):
        parse_plan({"targets": {"uncompressed": {"min": "2 GB", "max": "1 GB"}}})


def test_a_bad_size_names_its_field() -> None:
    with pytest.raises(PlanError, match=r"current.size: not a size"):
        parse_plan({"current": {"size": "big"}})


def test_a_file_that_is_not_toml_is_a_plan_error(tmp_path: Path) -> None:
    bad = tmp_path / "plan.toml"
    bad.write_text("[plan\ntitle = 1")
    with pytest.raises(PlanError, match="not valid TOML"):
        load_plan(bad)


def test_smoke_command_may_be_a_string() -> None:
    plan = parse_plan({"smoke": {"command": "python -c 'print(1)'"}})
    assert plan.smoke.command == ("python", "-c", "print(1)")
    assert plan.smoke.port is None


def test_every_smoke_key_is_read() -> None:
    plan = parse_plan(
        {
            "smoke": {
                "path": "/ready",
                "port": 9000,
                "status": 204,
                "timeout_s": 12,
                "env": {"APP_MODE": "smoke", "TOKEN": "s3cret"},
                "env_file": "smoke.env",
                "command": ["python", "-m", "http.server", "9000"],
                "entrypoint": "",
                "check": "python -c 'import app'",
            }
        }
    )
    assert plan.smoke == SmokeSettings(
        path="/ready",
        port=9000,
        status=204,
        timeout_s=12.0,
        env={"TOKEN": "s3cret", "APP_MODE": "smoke"},
        env_file="smoke.env",
        command=("python", "-m", "http.server", "9000"),
        entrypoint=(),
        check=("python", "-c", "import app"),
    )
    assert plan.smoke.env["TOKEN"] == "s3cret" and list(plan.smoke.env) == ["APP_MODE", "TOKEN"]


def test_smoke_defaults_when_the_plan_has_no_smoke_table() -> None:
    smoke = parse_plan({}).smoke
    assert smoke == SmokeSettings()
    assert (smoke.path, smoke.port, smoke.status, smoke.timeout_s) == ("/health", None, None, 60.0)
    assert (smoke.env, smoke.env_file, smoke.command, smoke.entrypoint, smoke.check) == (
        {}, None, None, None, ()
    )  # fmt: skip


def test_smoke_settings_are_hashable_and_hide_env_values() -> None:
    one = SmokeSettings(env={"A": "1", "B": "two"}, command=["sleep", "1"])
    other = SmokeSettings(env={"B": "two", "A": "1"}, command=("sleep", "1"))
    assert one == other and hash(one) == hash(other) and len({one, other}) == 1
    assert one != SmokeSettings(env={"A": "1"})
    assert one.env == {"A": "1", "B": "two"}
    assert "two" not in repr(one) and "'B': '****'" in repr(one)
    assert SmokeSettings(command=()) == SmokeSettings()  # an empty CMD keeps the image's
    with pytest.raises(TypeError):
        one.env["A"] = "2"  # type: ignore[index]


@pytest.mark.parametrize(
    ("smoke", "message"),
    [
        ({"cmd": "true"}, r"plan.toml: smoke.cmd is not a smoke setting; use one of path,"),
        ({"path": 8}, r"plan.toml: smoke.path: expected an HTTP path"),
        ({"port": "8080"}, r"plan.toml: smoke.port: expected a port number from 1 to 65535"),
        ({"port": 70000}, r"plan.toml: smoke.port: expected a port number"),
        ({"status": 99}, r"plan.toml: smoke.status: expected an HTTP status from 100 to 599"),
        ({"status": 600}, r"plan.toml: smoke.status: expected an HTTP status"),
        ({"status": True}, r"plan.toml: smoke.status: expected an HTTP status"),
        ({"timeout_s": -1}, r"plan.toml: smoke.timeout_s: expected a number of seconds above 0"),
        ({"timeout_s": 0}, r"plan.toml: smoke.timeout_s: expected a number of seconds"),
        ({"timeout_s": "60"}, r"plan.toml: smoke.timeout_s: expected a number of seconds"),
        ({"timeout_s": float("inf")}, r"plan.toml: smoke.timeout_s: expected a number"),
        ({"env": ["A=1"]}, r"plan.toml: smoke.env: expected a table"),
        ({"env": {"A=B": "1"}}, r"plan.toml: smoke.env: 'A=B' is not a variable name"),
        ({"env": {"": "1"}}, r"plan.toml: smoke.env: '' is not a variable name"),
        ({"env": {"PORT": 8000}}, r"plan.toml: smoke.env.PORT: expected a string, got an integer"),
        ({"env_file": ""}, r"plan.toml: smoke.env_file: expected a file name"),
        ({"env_file": ["a"]}, r"plan.toml: smoke.env_file: expected a file name"),
        ({"command": ""}, r"plan.toml: smoke.command: empty; leave it out"),
        ({"command": []}, r"plan.toml: smoke.command: empty"),
        ({"command": 'python -c "x'}, r"plan.toml: smoke.command: No closing quotation"),
        ({"entrypoint": [1]}, r"plan.toml: smoke.entrypoint: expected a list of strings"),
        ({"check": {"a": "b"}}, r"plan.toml: smoke.check: expected a list of strings"),
    ],
)
def test_a_malformed_smoke_table_names_its_key_in_one_line(smoke, message) -> None:
    with pytest.raises(PlanError, match=message) as caught:
        parse_plan({"smoke": smoke})
    assert "\n" not in str(caught.value)


def test_a_smoke_error_never_shows_an_env_value() -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan({"smoke": {"env": {"TOKEN": 123456789}}})
    assert "123456789" not in str(caught.value)


def test_a_smoke_table_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(PlanError, match="plan.toml: smoke: expected a table of smoke settings"):
        parse_plan({"smoke": "fast"})


def test_parse_smoke_puts_keys_on_top_of_a_base() -> None:
    base = SmokeSettings(port=8000, env={"A": "1"}, check=("true",))
    assert parse_smoke({"status": 404}, base=base) == replace(base, status=404)
    with pytest.raises(PlanError, match=r"^status: expected an HTTP status"):
        parse_smoke({"status": 1}, "", base)


def test_smoke_from_a_plan_file_on_disk(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(
        '[smoke]\nport = 8000\nstatus = 200\nenv = { MODE = "smoke" }\n'
        'command = "python -m http.server 8000"\n'
    )
    smoke = load_plan(plan_file).smoke
    assert smoke == SmokeSettings(
        port=8000,
        status=200,
        env={"MODE": "smoke"},
        command=("python", "-m", "http.server", "8000"),
    )
    plan_file.write_text("[smoke]\nport = 8000\ntimeout = 5\n")
    with pytest.raises(PlanError, match=rf"^{plan_file}: smoke.timeout is not a smoke setting"):
        load_plan(plan_file)
