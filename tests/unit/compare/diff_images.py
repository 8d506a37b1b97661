"""Two small analysed images for the diff tests: A (a base, a venv with three packages
and a uv cache) and B (one package dropped, one upgraded, the cache gone, a new file),
with their file tables, consistent to the byte."""

from __future__ import annotations

from collections import defaultdict

from workbench.analysis import COMPONENTS, ImageAnalysis, LayerAnalysis
from workbench.analysis.packages import DebianPackage, PythonPackage
from workbench.compare.diff_files import FileTable

VENV = "/app/.venv"
SITE = f"{VENV}/lib/python3.11/site-packages"
RUNTIME_SITE = "/usr/local/lib/python3.11/site-packages"
BASE_LAYER = "sha256:" + "b" * 64

# per image: path -> (component, bytes, layer diff id); shadowed paths are in "shadowed"
A_FILES = {
    "/usr/lib/x86_64-linux-gnu/libc.so.6": ("system_libraries", 2_000_000, BASE_LAYER),
    "/usr/local/bin/python3.11": ("python_runtime", 1_000_000, BASE_LAYER),
    f"{RUNTIME_SITE}/pip/__init__.py": ("python_runtime", 300_000, BASE_LAYER),
    f"{SITE}/numpy/core.so": ("python_dependencies", 5_000_000, "sha256:" + "a1" * 32),
    f"{SITE}/numpy/__pycache__/x.pyc": ("python_dependencies", 100_000, "sha256:" + "a1" * 32),
    f"{SITE}/pytest/main.py": ("python_dependencies", 700_000, "sha256:" + "a1" * 32),
    f"{SITE}/six.py": ("python_dependencies", 30_000, "sha256:" + "a1" * 32),
    "/root/.cache/uv/archive/numpy.so": ("build_caches", 4_000_000, "sha256:" + "a1" * 32),
    "/app/main.py": ("application_code", 1_000, "sha256:" + "a2" * 32),
    "/etc/old.conf": ("shadowed", 500, BASE_LAYER),
}
B_FILES = {
    "/usr/lib/x86_64-linux-gnu/libc.so.6": ("system_libraries", 2_000_000, BASE_LAYER),
    "/usr/local/bin/python3.11": ("python_runtime", 1_000_000, BASE_LAYER),
    f"{RUNTIME_SITE}/pip/__init__.py": ("python_runtime", 300_000, BASE_LAYER),
    f"{SITE}/numpy/core.so": ("python_dependencies", 5_500_000, "sha256:" + "b1" * 32),
    f"{SITE}/numpy/__pycache__/x.pyc": ("python_dependencies", 100_000, "sha256:" + "b1" * 32),
    f"{SITE}/six.py": ("python_dependencies", 30_000, "sha256:" + "b1" * 32),
    f"{VENV}/bin/tool": ("python_dependencies", 20_000, "sha256:" + "b1" * 32),
    "/app/main.py": ("application_code", 1_200, "sha256:" + "b2" * 32),
    "/etc/old.conf": ("shadowed", 500, BASE_LAYER),
}


def _components(files: dict) -> dict[str, int]:
    totals = dict.fromkeys(COMPONENTS, 0)
    for component, size, _ in files.values():
        totals[component] += size
    return totals


def _layers(files: dict) -> tuple[LayerAnalysis, ...]:
    per_layer: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COMPONENTS, 0))
    for component, size, diff_id in files.values():
        per_layer[diff_id][component] += size
    return tuple(
        LayerAnalysis(
            index=index,
            diff_id=diff_id,
            created_by=f"RUN step {index}",
            bytes=sum(components.values()),
            components=components,
            files_added=1,
            files_changed=0,
            files_deleted=0,
        )
        for index, (diff_id, components) in enumerate(per_layer.items())
    )


def analysis(image_id: str, files: dict, python: tuple, debian: tuple) -> ImageAnalysis:
    components = _components(files)
    size = sum(components.values())
    return ImageAnalysis(
        image_id=image_id,
        tags=(f"w/p:{image_id[7:11]}",),
        size_bytes=size,
        final_bytes=size - components["shadowed"],
        components=components,
        plan_view={"all": size},
        layers=_layers(files),
        python_packages=python,
        debian_packages=debian,
        workdir="/app",
        app_paths=("/app",),
        virtualenvs=(VENV,),
        rules="the shipped rules.toml",
    )


def image_a() -> ImageAnalysis:
    return analysis(
        "sha256:" + "a" * 64,
        A_FILES,
        (
            PythonPackage("numpy", "1.26.0", SITE, 5_100_000, 2),
            PythonPackage("pytest", "8.0.0", SITE, 700_000, 1),
            PythonPackage("six", "1.16.0", SITE, 30_000, 1),
            PythonPackage("pip", "24.0", RUNTIME_SITE, 300_000, 1),
        ),
        (DebianPackage("libc6", "2.36", "amd64", 2_000_000, 1),),
    )


def image_b() -> ImageAnalysis:
    return analysis(
        "sha256:" + "c" * 64,
        B_FILES,
        (
            PythonPackage("numpy", "2.0.0", SITE, 5_600_000, 2),
            PythonPackage("six", "1.16.0", SITE, 30_000, 1),
            PythonPackage("pip", "24.0", RUNTIME_SITE, 300_000, 1),
        ),
        (DebianPackage("libc6", "2.36", "amd64", 2_000_000, 1),),
    )


def table(image: ImageAnalysis, files: dict) -> FileTable:
    by_component: dict[str, dict[str, int]] = {c: {} for c in COMPONENTS}
    for path, (component, size, _) in files.items():
        by_component[component][path] = size
    return FileTable(image.image_id, by_component)
