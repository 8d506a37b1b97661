from __future__ import annotations

import re

import pytest

from workbench.analysis.classify import (
    COMPONENT_LABELS,
    COMPONENTS,
    PLAN_ROWS,
    Classifier,
    Rule,
    RuleSet,
    glob_to_regex,
    load_rules,
    parse_rules,
)
from workbench.errors import AnalysisError


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/usr/lib/**", "/usr/lib", True),
        ("/usr/lib/**", "/usr/lib/x/y.so", True),
        ("/usr/lib/**", "/usr/lib64/x", False),
        ("/**/site-packages/**", "/app/.venv/lib/python3.11/site-packages/a.py", True),
        ("/**/site-packages/**", "/site-packages", True),
        ("/home/*/.cache/**", "/home/app/.cache/uv/x", True),
        ("/home/*/.cache/**", "/home/a/b/.cache/x", False),
        ("/usr/local/bin/python*", "/usr/local/bin/python3.11", True),
        ("/usr/local/bin/python*", "/usr/local/bin/python3/x", False),
        ("requirements*.txt", "/app/requirements-dev.txt", True),
        ("/a/?.txt", "/a/b.txt", True),
        ("/a/[!b].txt", "/a/b.txt", False),
        ("/a/[!b].txt", "/a/c.txt", True),
        ("/usr/local/lib/**.so", "/usr/local/lib/x/y.so", True),
    ],
)
def test_glob_to_regex(pattern, path, matches):
    assert (re.fullmatch(glob_to_regex(pattern), path) is not None) is matches


def rules(*items: Rule) -> RuleSet:
    return RuleSet(items, "test")


def test_the_first_matching_rule_wins_and_other_catches_the_rest():
    classifier = Classifier(
        rules(
            Rule("caches", "build_caches", ("/root/.cache/**",)),
            Rule("everything under root", "application_code", ("/root/**",)),
        )
    )
    assert classifier.component("/root/.cache/uv/x") == "build_caches"
    assert classifier.component("/root/code.py") == "application_code"
    assert classifier.component("/etc/passwd") == "other"


def test_under_roots_and_owner_conditions():
    classifier = Classifier(
        rules(
            Rule("venvs", "python_dependencies", under=("virtualenvs",)),
            Rule("manifests", "other", ("/**/pyproject.toml",), under=("app",)),
            Rule("app", "application_code", under=("app",)),
            Rule("dpkg", "system_libraries", owner="dpkg"),
        ),
        app_paths=["/app", "/srv/main.py"],
        virtualenvs=["/app/.venv"],
        dpkg_files={"/usr/bin/ls"},
    )
    assert classifier.component("/app/.venv/bin/python") == "python_dependencies"
    assert classifier.component("/app/pyproject.toml") == "other"
    assert classifier.component("/app/src/main.py") == "application_code"
    assert classifier.component("/srv/main.py") == "application_code"
    assert classifier.component("/srv/main.pyc") == "other"
    assert classifier.component("/application") == "other"
    assert classifier.component("/usr/bin/ls") == "system_libraries"
    assert classifier.component("/usr/bin/cat") == "other"


def test_rules_under_roots_the_image_lacks_never_match():
    classifier = Classifier(rules(Rule("app", "application_code", under=("app",))))
    assert classifier.component("/anything") == "other"


def test_the_shipped_rules_load_and_name_only_known_components():
    shipped = load_rules()
    assert shipped.rules and shipped.source == "the shipped rules.toml"
    assert {r.component for r in shipped.rules} <= set(COMPONENTS)
    classifier = Classifier(
        shipped,
        app_paths=["/app"],
        virtualenvs=["/app/.venv"],
        dpkg_files={"/usr/share/doc/libc6/copyright"},
    )
    expected = {
        "/root/.cache/uv/archive-v0/x/numpy/core.so": "build_caches",
        "/var/lib/apt/lists/deb.debian.org_dists": "build_caches",
        "/tmp/x": "build_caches",
        "/app/.venv/lib/python3.11/site-packages/numpy/core.so": "python_dependencies",
        "/usr/local/lib/python3.11/site-packages/pip/__init__.py": "python_runtime",
        "/usr/local/lib/python3.11/site-packages/numpy/core.py": "python_dependencies",
        "/usr/lib/python3/dist-packages/setuptools/dist.py": "python_runtime",
        "/app/uv.lock": "other",
        "/app/src/main.py": "application_code",
        "/usr/local/lib/python3.11/os.py": "python_runtime",
        "/usr/local/bin/python3.11": "python_runtime",
        "/usr/lib/python3.11/os.py": "python_runtime",
        "/usr/local/lib/libpython3.11.so.1.0": "python_runtime",
        "/usr/share/doc/libc6/copyright": "system_libraries",
        "/usr/lib/x86_64-linux-gnu/libssl.so.3": "system_libraries",
        "/var/lib/dpkg/status": "system_libraries",
        "/etc/hostname": "other",
        "/usr/bin/uv": "build_tools",
        "/usr/local/bin/uvx": "build_tools",
        "/usr/local/lib/python3.11/site-packages/poetry/console/application.py": "build_tools",
        "/wheels/numpy-2.0-cp311-cp311-manylinux.whl": "installer_inputs",
        "/opt/pkgs/curl_8.0_amd64.deb": "installer_inputs",
        "/usr/share/python-wheels/pip-23.0.1-py3-none-any.whl": "python_runtime",
        "/var/cache/apt/archives/curl_8.0_amd64.deb": "build_caches",
        "/usr/include/zlib.h": "build_tools",
    }
    assert {path: classifier.component(path) for path in expected} == expected


def test_plan_rows_fold_every_component_once():
    folded = [c for parts in PLAN_ROWS.values() for c in parts]
    assert sorted(folded) == sorted(COMPONENTS)


def test_a_user_rules_file(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[rule]]\nname = "models"\ncomponent = "application_code"\nglobs = "/models/**"\n'
    )
    loaded = load_rules(path)
    assert loaded == RuleSet((Rule("models", "application_code", ("/models/**",)),), str(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml [", "not valid TOML"),
        ("x = 1", r"no \[\[rule\]\] tables"),
        ('[[rule]]\ncomponent = "shadowed"\nglobs = ["/x"]', "component must be one of"),
        ('[[rule]]\ncomponent = "other"\nglob = ["/x"]', "unknown keys: glob"),
        ('[[rule]]\ncomponent = "other"', "states no condition"),
        ('[[rule]]\ncomponent = "other"\nunder = ["home"]', "under must name"),
        ('[[rule]]\ncomponent = "other"\nowner = "rpm"', "owner must be"),
        ('[[rule]]\ncomponent = "other"\nglobs = [1]', "globs` must be"),
    ],
)
def test_malformed_rules_say_what_to_fix(text, message):
    with pytest.raises(AnalysisError, match=message):
        parse_rules(text, "my.toml")


def test_a_missing_rules_file_is_an_analysis_error(tmp_path):
    with pytest.raises(AnalysisError, match="cannot read the rules file"):
        load_rules(tmp_path / "nope.toml")


def test_classify_names_the_rule_id_and_tags_are_kept_apart() -> None:
    rules = parse_rules(
        '[[rule]]\nid = "uv-cache"\ncomponent = "build_caches"\nglobs = ["/root/.cache/uv/**"]\n'
        '[[rule]]\ncomponent = "application_code"\nunder = ["app"]\n'
        '[[tag]]\nid = "bytecode"\nglobs = ["/**/*.pyc"]\n'
        '[[tag]]\nid = "tests"\nunder = ["app"]\nglobs = ["/**/tests/**"]\n'
    )
    classifier = Classifier(rules, app_paths=["/app"])
    assert classifier.classify("/root/.cache/uv/x.pyc") == ("build_caches", "uv-cache")
    assert classifier.classify("/app/main.py") == ("application_code", "")
    assert classifier.classify("/etc/x") == ("other", "")
    assert classifier.tags("/root/.cache/uv/x.pyc") == ("bytecode",)
    assert classifier.tags("/app/tests/__pycache__/t.pyc") == ("bytecode", "tests")
    assert classifier.tags("/srv/tests/t.py") == ()


def test_packages_match_the_owning_debian_package_by_name() -> None:
    rules = parse_rules(
        '[[rule]]\ncomponent = "build_tools"\npackages = ["gcc-[0-9][0-9]", "*-dev"]\n'
        '[[rule]]\ncomponent = "system_libraries"\nowner = "dpkg"\n'
    )
    owners = {"/usr/bin/gcc-12": "gcc-12", "/usr/include/pq.h": "libpq-dev", "/x": "gcc-12-base"}
    classifier = Classifier(rules, dpkg_files=owners)
    assert rules.rules[0].owner == "dpkg"
    assert classifier.component("/usr/bin/gcc-12") == "build_tools"
    assert classifier.component("/usr/include/pq.h") == "build_tools"
    assert classifier.component("/x") == "system_libraries"
    assert Classifier(rules, dpkg_files=set(owners)).component("/usr/bin/gcc-12") == (
        "system_libraries"
    )


def test_the_shipped_rules_give_the_findings_their_ids_and_tags() -> None:
    shipped = load_rules()
    ids = {r.id for r in shipped.rules if r.id}
    wanted = {"uv-cache", "pip-cache", "poetry-cache", "pdm-cache", "apt-lists", "apt-archives"}
    assert ids >= wanted | {"tool-uv", "tool-poetry", "compilers", "wheels", "debs"}
    assert {t.id for t in shipped.tags} == {"bytecode", "context-extras"}
    assert COMPONENT_LABELS["build_tools"] == "Build tools"
    assert COMPONENT_LABELS["installer_inputs"] == "Installer inputs"
    assert PLAN_ROWS["Other/Overhead"] == (
        "build_caches", "build_tools", "installer_inputs", "other", "shadowed",
    )  # fmt: skip


def test_a_tag_needs_an_id() -> None:
    with pytest.raises(AnalysisError, match="tag 1 needs an id"):
        parse_rules('[[rule]]\ncomponent = "other"\nglobs = ["/x"]\n[[tag]]\nglobs = ["/y"]\n')
