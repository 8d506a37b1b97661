"""The diff's figures: components, packages and layers, reconciled to the byte."""

from __future__ import annotations

from dataclasses import replace

from tests.unit.compare.diff_images import BASE_LAYER, RUNTIME_SITE, SITE, image_a, image_b
from workbench.analysis import COMPONENTS
from workbench.analysis.packages import DebianPackage, PythonPackage
from workbench.compare.diff import (
    ComponentDelta,
    ImageSide,
    LayerDelta,
    PackageDelta,
    canonical_name,
    diff_analyses,
    dist_info_name,
    package_components,
    reconciles,
)


def test_the_component_deltas_sum_to_the_size_difference_and_name_every_component() -> None:
    diff = diff_analyses(image_a(), image_b(), a_ref="a:1", b_ref="b:1")
    assert diff.size_delta_bytes == image_b().size_bytes - image_a().size_bytes == -4_179_800
    assert [c.component for c in diff.components] == list(COMPONENTS)
    assert sum(c.delta for c in diff.components) == diff.size_delta_bytes
    assert reconciles(diff) == []
    assert diff.a == ImageSide("a:1", image_a().image_id, image_a().tags, image_a().size_bytes)


def test_each_component_is_its_packages_plus_the_bytes_outside_them() -> None:
    diff = diff_analyses(image_a(), image_b())
    assert diff.component("python_dependencies") == ComponentDelta(
        "python_dependencies", 5_830_000, 5_650_000, python_packages_delta=-200_000
    )
    deps = diff.component("python_dependencies")
    assert deps.non_package_delta == 20_000  # the venv's bin/tool, in no RECORD
    assert diff.component("build_caches").non_package_delta == -4_000_000
    for c in diff.components:
        assert c.python_packages_delta + c.debian_packages_delta + c.non_package_delta == c.delta


def test_packages_are_added_removed_version_changed_grown_or_shrunk_with_bytes() -> None:
    diff = diff_analyses(image_a(), image_b())
    assert diff.python_packages == (
        PackageDelta(
            "python", "pytest", "python_dependencies", "removed", "8.0.0", "", 700_000, 0, SITE
        ),
        PackageDelta(
            "python", "numpy", "python_dependencies", "version changed", "1.26.0", "2.0.0",
            5_100_000, 5_600_000, SITE,
        ),
        PackageDelta("python", "pip", "python_runtime", "unchanged", "24.0", "24.0", 300_000,
                     300_000, RUNTIME_SITE),
        PackageDelta("python", "six", "python_dependencies", "unchanged", "1.16.0", "1.16.0",
                     30_000, 30_000, SITE),
    )  # fmt: skip
    assert [p.name for p in diff.changed_packages()] == ["pytest", "numpy"]
    assert diff.debian_packages[0].change == "unchanged"


def test_grown_shrunk_and_added_packages() -> None:
    a = replace(image_a(), python_packages=(PythonPackage("six", "1.16.0", SITE, 30_000, 1),))
    b = replace(
        image_a(),
        python_packages=(
            PythonPackage("Six", "1.16.0", SITE, 40_000, 1),  # PEP 503: the same name
            PythonPackage("idna", "3.7", SITE, 9_000, 1),
        ),
        debian_packages=(DebianPackage("libc6", "2.36", "amd64", 1_500_000, 1),),
    )
    diff = diff_analyses(a, b)
    assert {(p.name, p.change, p.delta) for p in diff.python_packages} == {
        ("Six", "grown", 10_000),
        ("idna", "added", 9_000),
    }
    assert [(p.name, p.change, p.delta) for p in diff.debian_packages] == [
        ("libc6", "shrunk", -500_000)
    ]


def test_a_package_counts_where_the_rules_put_its_metadata() -> None:
    analysis = replace(
        image_a(),
        python_packages=(
            PythonPackage("pip", "24.0", RUNTIME_SITE, 1, 1),  # the runtime's installer
            PythonPackage("poetry-core", "2.0", SITE, 1, 1),  # an installer in the venv
            PythonPackage("numpy", "2.0", SITE, 1, 1),
            PythonPackage("requests", "2.0", RUNTIME_SITE, 1, 1),  # pip install --system
        ),
        debian_packages=(
            DebianPackage("libc6", "2.36", "amd64", 1, 1),
            DebianPackage("gcc-12", "12.2", "amd64", 1, 1),
            DebianPackage("python3.11-minimal", "3.11.2", "amd64", 1, 1),
        ),
    )
    python, debian = package_components(analysis)
    assert python[0] == "python_runtime" and python[2] == "python_dependencies"
    assert python[3] == "python_dependencies"
    assert debian[0] == "system_libraries" and debian[2] == "python_runtime"
    if "build_tools" in COMPONENTS:  # the rules name compilers by their Debian package
        assert debian[1] == "build_tools"


def test_a_package_whose_component_changes_is_gone_from_one_and_new_in_the_other() -> None:
    a = replace(image_a(), python_packages=(PythonPackage("pip", "24.0", RUNTIME_SITE, 9, 1),))
    b = replace(image_a(), python_packages=(PythonPackage("pip", "24.0", SITE, 9, 1),))
    diff = diff_analyses(a, b)
    assert {(p.component, p.change) for p in diff.python_packages} == {
        ("python_runtime", "removed"),
        ("python_dependencies", "added"),
    }


def test_two_copies_of_a_package_pair_by_location() -> None:
    other = "/opt/venv/lib/python3.11/site-packages"
    venvs = ("/app/.venv", "/opt/venv")
    a = replace(
        image_a(),
        virtualenvs=venvs,
        python_packages=(
            PythonPackage("six", "1.0", SITE, 10, 1),
            PythonPackage("six", "1.0", other, 20, 1),
        ),
    )
    b = replace(a, python_packages=(PythonPackage("six", "1.0", other, 25, 1),))
    diff = diff_analyses(a, b)
    assert {(p.where, p.change, p.delta) for p in diff.python_packages} == {
        (other, "grown", 5),
        (SITE, "removed", -10),
    }


def test_layers_are_shared_by_diff_id_new_or_gone_and_sum_to_the_difference() -> None:
    diff = diff_analyses(image_a(), image_b())
    assert [(layer.status, layer.a_index, layer.b_index) for layer in diff.layers] == [
        ("shared", 0, 0),
        ("new", None, 1),
        ("new", None, 2),
        ("gone", 1, None),
        ("gone", 2, None),
    ]
    assert sum(layer.delta for layer in diff.layers) == diff.size_delta_bytes
    shared = diff.layers[0]
    assert shared == LayerDelta(
        "shared", BASE_LAYER, "RUN step 0", 0, 0, shared.a_bytes, shared.a_bytes,
        dict.fromkeys(COMPONENTS, 0),
    )  # fmt: skip


def test_a_diff_id_held_twice_pairs_in_order() -> None:
    a = image_a()
    doubled = replace(a, layers=(*a.layers, replace(a.layers[0], index=len(a.layers))))
    diff = diff_analyses(doubled, a)
    gone = [layer for layer in diff.layers if layer.status == "gone"]
    assert [(layer.diff_id, layer.a_index) for layer in gone] == [(BASE_LAYER, 3)]


def test_the_json_shape() -> None:
    data = diff_analyses(image_a(), image_b(), a_ref="a", b_ref="b").to_dict()
    assert set(data) >= {
        "size_delta_bytes", "components", "layers", "python_packages", "debian_packages",
        "files", "reconciliation", "a", "b",
    }  # fmt: skip
    assert data["components"] == {c: data["reconciliation"][c]["delta_bytes"] for c in COMPONENTS}
    assert sum(data["components"].values()) == data["size_delta_bytes"]
    assert data["python_packages"][0] == {
        "name": "pytest",
        "component": "python_dependencies",
        "change": "removed",
        "a_version": "8.0.0",
        "b_version": "",
        "a_bytes": 700_000,
        "b_bytes": 0,
        "delta_bytes": -700_000,
        "location": SITE,
    }
    assert data["debian_packages"][0]["architecture"] == "amd64"
    assert data["files"] is None
    assert data["unreconciled"] == []


def test_names() -> None:
    assert canonical_name("Poetry_Core.x") == "poetry-core-x"
    assert dist_info_name("poetry-core") == "poetry_core"
