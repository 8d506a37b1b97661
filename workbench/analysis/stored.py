"""Analyses kept in the store: analyse an image once, answer again from the store.

Results are keyed by image id and the options that change them (compression, rules),
so analysing the same image again answers without touching the engine's export.
The application paths come from the Dockerfile the image was built from: the
destinations of the final stage's COPY/ADD from the build context, dependency
manifests excepted.

Answering from the store is the quick path, so this module imports neither the docker
SDK nor the Dockerfile parser until a call needs them: ``workbench analyze`` a second
time asks a local engine for the image's id over its socket
(:mod:`workbench.analysis.engine_api`) and reads the store.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.analysis.compress import GZIP_LEVEL
from workbench.analysis.engine_api import BUILD_HINT, as_engine
from workbench.analysis.model import SCHEMA_VERSION, ImageAnalysis
from workbench.errors import AnalysisError
from workbench.labels import DOCKERFILE_SHA256, PROJECT_PATH
from workbench.store import Store

if TYPE_CHECKING:
    import docker

    from workbench.analysis.layer_cache import LayerEstimate
    from workbench.jobs import Job, Jobs


def application_paths(dockerfile_text: str) -> tuple[str, ...]:
    """Where the final stage copies the project's own files (manifests excepted).

    Args:
        dockerfile_text: the Dockerfile the image was built from.

    Returns:
        Absolute destination paths; empty when the Dockerfile cannot be read, so the
        analysis falls back to the WORKDIR.
    """
    from workbench.project.manifests import is_manifest
    from workbench.variants import dockerfile as df

    paths: list[str] = []
    for spec, dest in df.final_stage_context_copies(dockerfile_text):
        if all(is_manifest(source) for source in spec.sources):
            continue
        dest = posixpath.normpath(dest)
        if len(spec.sources) == 1 and not spec.dest.endswith("/") and spec.sources[0] != ".":
            paths.append(dest)  # a file copied to a file name, or a folder's content
        elif spec.sources == (".",) or spec.sources == ("./",):
            paths.append(dest)
        else:
            paths.extend(
                posixpath.join(dest, posixpath.basename(source.rstrip("/")))
                if not source.endswith("/")
                else dest
                for source in spec.sources
            )
    return tuple(dict.fromkeys(path for path in paths if path != "/"))


@functools.cache
def _shipped_rules() -> str:
    """The shipped rules' text: an analysis made under other rules is made again."""
    return resources.files("workbench.analysis").joinpath("rules.toml").read_text("utf-8")


def options_key(compress: bool, rules: str | Path | None, app_paths: Iterable[str]) -> str:
    """What, besides the image, decides an analysis's figures."""
    rules_text = Path(rules).read_text(encoding="utf-8") if rules else _shipped_rules()
    digest = hashlib.sha256(
        "\0".join(
            [str(SCHEMA_VERSION), str(compress and GZIP_LEVEL), rules_text, *app_paths]
        ).encode()
    ).hexdigest()[:16]
    return f"v{SCHEMA_VERSION}-{'gzip' if compress else 'plain'}-{digest}"


class StoredEstimates:
    """Layers' compressed-size estimates in the store, by diff id (an
    :class:`~workbench.analysis.layer_cache.EstimateCache`), per compression level."""

    def __init__(self, store: Store) -> None:
        from workbench.analysis.layer_cache import ESTIMATE_VERSION

        self.store = store
        self.kind = f"estimate-v{ESTIMATE_VERSION}-zlib{GZIP_LEVEL}"

    def get(self, diff_ids: Sequence[str]) -> dict[str, LayerEstimate]:
        known = {}
        for diff_id in dict.fromkeys(diff_ids):
            data = self.store.layer_result(diff_id, self.kind)
            try:
                known[diff_id] = _estimate(data)
            except TypeError:  # none stored, or written by another version: estimate again
                continue
        return known

    def put(self, estimates: Mapping[str, LayerEstimate]) -> None:
        for diff_id, estimate in estimates.items():
            self.store.save_layer_result(diff_id, self.kind, asdict(estimate))


def _estimate(data: Mapping[str, Any]) -> LayerEstimate:
    from workbench.analysis.layer_cache import LayerEstimate

    return LayerEstimate(**data)


def _image_dockerfile(labels: Mapping[str, str], store: Store) -> str | None:
    """The Dockerfile a workbench build recorded for an image (by its labels), if known."""
    path = labels.get(PROJECT_PATH)
    sha = labels.get(DOCKERFILE_SHA256)
    if not path or not sha:
        return None
    for candidate in store.dockerfiles_by_sha(sha):
        return candidate
    dockerfile = Path(path) / "Dockerfile"
    if dockerfile.is_file():
        text = dockerfile.read_text(encoding="utf-8", errors="replace")
        if hashlib.sha256(text.encode()).hexdigest() == sha:
            return text
    return None


def get_image(client: docker.DockerClient, ref: str) -> docker.models.images.Image:
    """The engine's image for a tag or id.

    Raises:
        AnalysisError: the engine has no such image, or cannot describe it.
    """
    from workbench import engine

    return engine.find_image(client, ref, AnalysisError)


def analyze(
    client: Any,
    ref: str,
    *,
    compress: bool = True,
    rules: str | Path | None = None,
    dockerfile_text: str | None = None,
    store: Store | None = None,
    use_cache: bool = True,
) -> ImageAnalysis:
    """Analyse an image, or answer from the store when it was analysed before.

    Args:
        client: a connected docker client, or an engine of
            :mod:`workbench.analysis.engine_api` (see its ``local_engine``).
        ref: a tag or an image id.
        compress: estimate the compressed size (a second look at each layer's bytes).
        rules: a component rules file (default: the shipped rules).
        dockerfile_text: the Dockerfile the image came from, for the application
            paths; by default the one a workbench build recorded, else none (the
            analysis then counts the WORKDIR as application code).
        store: the store (default: the workbench's).
        use_cache: answer from the store when it holds this analysis.

    Returns:
        The analysis.

    Raises:
        AnalysisError: the image is missing or cannot be read.
    """
    store = store or Store()
    engine = as_engine(client)
    inspect = engine.inspect_image(ref, BUILD_HINT)
    image_id = inspect["Id"]
    labels = (inspect.get("Config") or {}).get("Labels") or {}
    text = dockerfile_text if dockerfile_text is not None else _image_dockerfile(labels, store)
    app_paths = application_paths(text) if text else ()
    key = options_key(compress, rules, app_paths)
    if use_cache:
        cached = store.analysis(image_id, key)
        if cached is not None:
            return ImageAnalysis.from_dict(cached)
    from workbench.analysis.image import analyze_image  # the analysis loads only here

    result = analyze_image(
        engine,
        image_id,
        compress=compress,
        app_paths=app_paths,
        rules=rules,
        estimates=StoredEstimates(store),
    )
    if not result.tags:
        tags = [tag for tag in inspect.get("RepoTags") or () if tag != "<none>:<none>"]
        result = ImageAnalysis.from_dict({**result.to_dict(), "tags": tags})
    store.save_analysis(image_id, key, result.to_dict())
    return result


def stored_analyses(store: Store | None = None) -> list[ImageAnalysis]:
    """Every analysis in the store, newest first (works with the engine down)."""
    return [
        ImageAnalysis.from_dict(data)
        for data in (store or Store()).all_analyses(schema=SCHEMA_VERSION)
    ]


def start_analysis(
    image_id: str,
    *,
    store: Store | None = None,
    jobs: Jobs | None = None,
    client_factory: Callable[[], docker.DockerClient] | None = None,
) -> Job:
    """Analyse an image in the background (:func:`analyze`); the result lands in the store.

    Args:
        image_id: the image.
        store: where the analysis goes (default: the workbench's).
        jobs: the jobs to queue it on (default: the process's).
        client_factory: how the job gets its engine client (default:
            :func:`workbench.engine.connect`).

    Returns:
        The job: new, or the one already queued or running for this image.
    """
    from workbench import engine
    from workbench.engine.images import short_id
    from workbench.jobs import ANALYSIS, process_jobs

    store = store or Store()
    connect = client_factory or engine.connect

    def work() -> None:
        analyze(connect(), image_id, store=store)

    return (jobs or process_jobs()).submit(ANALYSIS, image_id, work, short_id(image_id))
