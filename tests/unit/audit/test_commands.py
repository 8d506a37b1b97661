"""The audit's commands: the console scripts the image's start command runs."""

from __future__ import annotations

from tests.unit.audit.audit_fixtures import SHOP, facts_for
from workbench.audit.commands import StartCommand, command_uses, final_command, start_command
from workbench.audit.core import run_audit
from workbench.audit.distributions import Distribution, ImageFacts
from workbench.audit.graph import load_lock
from workbench.audit.names import names_for
from workbench.audit.sources import copied_sources


def test_final_command_reads_exec_and_shell_forms() -> None:
    assert final_command((SHOP / "Dockerfile").read_text()) == (("./run.sh",), "/srv")
    text = (
        'FROM x AS a\nCMD ["no"]\nFROM y\nWORKDIR /w\nENTRYPOINT ["tini", "--"]\nCMD gunicorn app\n'
    )
    assert final_command(text) == (("tini", "--", "/bin/sh", "-c", "gunicorn app"), "/w")


def test_the_start_command_uses_console_scripts_in_nested_scripts_and_python_m() -> None:
    names = names_for(["gunicorn", "celery", "uvicorn"], None)
    scripts = {
        "/srv/run.sh": "#!/bin/sh\n# gunicorn in a comment does not count\n./bin/worker &&"
        " exec gunicorn app:app\n",
        "/srv/bin/worker": "celery -A tasks worker\npython -m uvicorn x:app\n",
    }
    uses, modules = command_uses(("./run.sh",), scripts, "/srv", names)
    assert {(u.name, u.where) for u in uses} == {
        ("gunicorn", "/srv/run.sh:3"),
        ("celery", "/srv/bin/worker:1"),
        ("uvicorn", "/srv/bin/worker:2"),
    }
    assert modules == [("uvicorn", "/srv/bin/worker:2")]
    uses, _ = command_uses(("/bin/sh", "-c", "exec uvicorn app:app"), {}, "/", names)
    assert [(u.name, u.where) for u in uses] == [("uvicorn", "CMD:1")]


def test_a_console_script_the_start_command_runs_keeps_a_distribution(shop, tmp_path) -> None:
    lock = load_lock(SHOP / "uv.lock")
    # six installs a command the start script runs: it is then used, not a candidate
    six = Distribution("six", "1", "/x/site-packages", 10, 0, 0, ("six",), ("six-tool",))
    facts = facts_for(lock, {"six": six})
    facts = ImageFacts(
        facts.image_id, facts.tags, facts.command, facts.workdir, facts.python_version,
        facts.distributions, {"/srv/run.sh": "six-tool --check\nexec gunicorn shop.api:app\n"},
    )  # fmt: skip
    audit = run_audit(shop, facts=facts, save=False)
    assert "six" not in {c.name for c in audit.candidates}
    assert ("six", "six-tool", "/srv/run.sh:1") in {
        (u.name, u.command, u.where) for u in audit.script_uses
    }


def test_the_start_command_comes_from_the_image_else_from_the_dockerfile() -> None:
    text = (SHOP / "Dockerfile").read_text()
    copies = copied_sources(text, SHOP)
    from_dockerfile = start_command(text, None, copies, SHOP)
    assert from_dockerfile == StartCommand(
        ("./run.sh",), "/srv", {"/srv/run.sh": (SHOP / "bin" / "run.sh").read_text()}
    )
    facts = ImageFacts("sha256:x", (), ("./run.sh",), "/srv", "", (), {"/srv/run.sh": "uvicorn"})
    assert start_command(text, facts, copies, SHOP).scripts == {"/srv/run.sh": "uvicorn"}
