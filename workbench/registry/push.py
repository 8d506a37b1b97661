"""Pushes that measure what a registry stores for an image.

:func:`push_image` is a chain of named steps: find a registry that answers (starting the
workbench's own when it is the target), push the image through the engine under
``<registry>/workbench/<name>:<tag>``, read the manifest back from the registry, and
keep the layers' stored (compressed) sizes in the store.  :func:`measured_push` reads
the newest measurement back (for the pages and the budget gate); :func:`start_push`
runs a push on the process's jobs.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

import docker
import docker.auth
import docker.errors
import docker.utils
import requests

from workbench import engine
from workbench.engine.images import short_id
from workbench.errors import PushError, RegistryError
from workbench.jobs import PUSH, Job, Jobs, process_jobs
from workbench.registry.address import REGISTRY_ENV, RegistryAddress, resolve_address
from workbench.registry.manifest import fetch_manifest, one_line
from workbench.registry.server import ping, up
from workbench.store import Store

REPOSITORY_PREFIX = "workbench"
MEASURED_METHOD = "sum of the layer sizes in the registry's manifest (measured)"


@dataclass(frozen=True)
class PushedLayer:
    """One layer as the registry stores it.

    Attributes:
        index: position in the image, 0 = lowest (the manifest's order).
        digest: digest of the compressed blob.
        size: its stored (compressed) size in bytes, from the manifest.
        media_type: the blob's media type (gzip, zstd, ...).
        diff_id: digest of the uncompressed tar (the image's rootfs), when known.
        reused: the registry already had it, so the push sent nothing for it.
    """

    index: int
    digest: str
    size: int
    media_type: str
    diff_id: str = ""
    reused: bool = False


@dataclass(frozen=True)
class PushResult:
    """What a push measured.

    Attributes:
        image_id: the engine's id of the image pushed.
        source: the reference the user named.
        registry: the registry's ``HOST[:PORT]``.
        reference: where it was pushed (``127.0.0.1:5000/workbench/app:baseline``).
        manifest_digest: digest of the image's manifest in the registry.
        manifest_media_type: docker v2 schema 2 or OCI.
        layers: per layer, as stored.
        config_bytes: size of the image's config blob (not counted in
            :attr:`total_bytes`); ``None`` when read back from the store, which does
            not keep it.
        seconds: how long the push took (tag and push; not the manifest read).
        layers_reused: layers the registry already had (the push skipped them), so
            ``seconds`` is a cold push only when this is 0.
        pushed_at: when (Unix time).
        push_id: its row in the store.
    """

    image_id: str
    source: str
    registry: str
    reference: str
    manifest_digest: str
    manifest_media_type: str
    layers: tuple[PushedLayer, ...]
    config_bytes: int | None
    seconds: float
    layers_reused: int = 0
    pushed_at: float = 0.0
    push_id: int | None = None

    @property
    def total_bytes(self) -> int:
        """The measured compressed size: the sum of the manifest's layer sizes."""
        return sum(layer.size for layer in self.layers)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (``workbench push --json``), with the total and its method."""
        data = asdict(self)
        data["total_bytes"] = self.total_bytes
        data["method"] = MEASURED_METHOD
        return data


def target_reference(ref: str, image_id: str, registry_host: str) -> tuple[str, str]:
    """Where an image goes in the registry: ``(HOST/workbench/NAME, TAG)``.

    The repository keeps the image's own path (registry host and ``library/`` dropped)
    under ``workbench/``; the tag is the image's tag, ``latest`` when it has none, and
    ``id-<12 hex>`` for an image named by id or digest.
    """
    hex_id = image_id.split(":", 1)[-1]
    bare = ref.split(":", 1)[1] if ref.startswith("sha256:") else ref
    if "@" in ref or (re.fullmatch(r"[0-9a-f]{6,64}", bare) and hex_id.startswith(bare)):
        return f"{registry_host}/{REPOSITORY_PREFIX}/image", f"id-{hex_id[:12]}"
    name, tag = docker.utils.parse_repository_tag(ref)
    _, path = docker.auth.split_repo_name(name)
    path = path.removeprefix("library/")
    if not path.startswith(f"{REPOSITORY_PREFIX}/"):
        path = f"{REPOSITORY_PREFIX}/{path}"
    return f"{registry_host}/{path}", tag or "latest"


def _short(digest: str) -> str:
    """The 12 hex digits the engine's progress messages name a layer by."""
    return digest.split(":", 1)[-1][:12]


def _push_hint(message: str, address: RegistryAddress) -> str:
    """What to do about an engine's push error, as ``"; ..."``; ``""`` when we cannot say."""
    lowered = message.lower()
    if "server gave http response to https client" in lowered:
        return (
            f"; the engine speaks HTTPS to {address.host}: add it to insecure-registries in "
            "/etc/docker/daemon.json, or use a 127.0.0.1 address"
        )
    if "unauthorized" in lowered or "authentication required" in lowered or "denied" in lowered:
        return f"; log the engine in first (`docker login {address.host}`)"
    if "connection refused" in lowered or "no such host" in lowered:
        return (
            f"; the engine cannot reach {address.host}: start the registry "
            "(`workbench registry up`) or name one the engine reaches"
        )
    return ""


def push_image(
    client: docker.DockerClient,
    ref: str,
    registry: str | None = None,
    *,
    store: Store | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    start_local: bool = True,
    log: Callable[[str], None] = lambda line: None,
) -> PushResult:
    """Push an image to a registry and measure what the registry stores.

    Tags the image as ``<registry>/workbench/<name>:<tag>``, pushes it through the
    engine (the SDK's streaming API), reads the manifest back from the registry and
    keeps the per-layer stored sizes and their total in the store.  The extra tag is
    removed afterwards (unless the image has no other tag, which removing would delete).

    Args:
        client: a connected docker client.
        ref: the image: a tag or an id.
        registry: ``HOST[:PORT]`` (default: ``WORKBENCH_REGISTRY``, else the
            workbench's own registry).
        store: where to keep the measurement (default: the workbench's store).
        progress: called with each decoded progress message of the engine.
        start_local: start the workbench's own registry when it is the target and
            does not answer.
        log: called with one line per step taken (starting the registry).

    Returns:
        The measurement, with its id in the store.

    Raises:
        RegistryError: no registry answers there, or the engine cannot reach it.
        PushError: the image is missing, the push failed or the manifest cannot be read.
    """
    address = _reachable_registry(registry, start_local, log)
    image = engine.find_image(client, ref, PushError)
    repository, tag = target_reference(ref, image.id, address.host)
    pushed = _push_through_engine(client, image, ref, repository, tag, address, progress)
    path = repository.split("/", 1)[1]
    digest, media_type, manifest = fetch_manifest(address, path, pushed.digest or tag, image.attrs)
    result = PushResult(
        image_id=image.id,
        source=ref,
        registry=address.host,
        reference=f"{repository}:{tag}",
        manifest_digest=digest,
        manifest_media_type=media_type,
        layers=_stored_layers(manifest, image.attrs, pushed.reused),
        config_bytes=int((manifest.get("config") or {}).get("size", 0)),
        seconds=round(pushed.seconds, 3),
        layers_reused=len(pushed.reused),
        pushed_at=time.time(),
    )
    return _keep(result, store or Store())


def _reachable_registry(
    registry: str | None, start_local: bool, log: Callable[[str], None]
) -> RegistryAddress:
    """The registry to push to, answering and within the engine's reach.

    Starts the workbench's own registry when it is the target, does not answer and
    ``start_local`` allows it.

    Raises:
        RegistryError: no registry answers there, or the engine cannot reach it.
    """
    address = resolve_address(registry)
    answers, reason = ping(address.url)
    if not answers and address.local and start_local:
        up(port=int(address.host.rsplit(":", 1)[1]), log=log)
        answers = True
    if not answers:
        raise RegistryError(
            f"{reason}; start the workbench's registry (`workbench registry up`) or name a "
            f"running one with --registry / {REGISTRY_ENV}"
        )
    if address.loopback and not engine.on_this_machine(engine.engine_host()):
        raise RegistryError(
            f"the engine at {engine.engine_host()} cannot reach {address.host} on this "
            f"machine's loopback; name a registry both reach with --registry / {REGISTRY_ENV}"
        )
    return address


@dataclass(frozen=True)
class _EnginePush:
    """What the engine's push stream said.

    Attributes:
        seconds: how long tagging and pushing took.
        reused: short diff ids of the layers the registry already had.
        digest: the manifest digest the engine reported, ``""`` when it reported none.
    """

    seconds: float
    reused: frozenset[str]
    digest: str


def _push_through_engine(
    client: docker.DockerClient,
    image: docker.models.images.Image,
    ref: str,
    repository: str,
    tag: str,
    address: RegistryAddress,
    progress: Callable[[dict[str, Any]], None] | None,
) -> _EnginePush:
    """Tag the image as ``repository:tag`` and push it; the extra tag is removed after.

    The tag stays when the image had it already, or has no other tag (removing it
    would delete the image).

    Raises:
        PushError: the engine refused the tag or the push, or the push stream reported
            an error.
    """
    target = f"{repository}:{tag}"
    had_target = target in image.tags
    started = time.monotonic()
    reused: set[str] = set()  # short diff ids the registry already had
    pushed_digest = ""
    try:
        client.api.tag(image.id, repository, tag)
        stream = client.api.push(repository, tag=tag, stream=True, decode=True)
        for message in stream:
            if progress is not None:
                progress(message)
            if "error" in message or "errorDetail" in message:
                detail = message.get("error") or (message.get("errorDetail") or {}).get("message")
                text = one_line(detail or "unknown error")
                raise PushError(
                    f"push of {ref} to {address.host} failed: {text}{_push_hint(text, address)}"
                )
            state = str(message.get("status", ""))
            if state == "Layer already exists" or state.startswith("Mounted from"):
                reused.add(str(message.get("id", "")))
            aux = message.get("aux") or {}
            pushed_digest = aux.get("Digest", pushed_digest)
        seconds = time.monotonic() - started
    except docker.errors.APIError as exc:
        text = one_line(exc.explanation or exc)
        raise PushError(
            f"push of {ref} to {address.host} failed: {text}{_push_hint(text, address)}"
        ) from exc
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise PushError(f"push of {ref} to {address.host} failed: {one_line(exc)}") from exc
    finally:
        if not had_target and image.tags:
            with contextlib.suppress(docker.errors.DockerException):
                client.api.remove_image(target, noprune=True)
    return _EnginePush(seconds=seconds, reused=frozenset(reused), digest=pushed_digest)


def _stored_layers(
    manifest: dict[str, Any], image_attrs: dict[str, Any], reused: frozenset[str]
) -> tuple[PushedLayer, ...]:
    """The manifest's layers, lowest first, matched to the image's diff ids.

    Diff ids (and whether the registry already had a layer) are known only when the
    manifest has as many layers as the image's rootfs.
    """
    diff_ids = list((image_attrs.get("RootFS") or {}).get("Layers") or [])
    blobs = manifest["layers"]
    return tuple(
        PushedLayer(
            index=index,
            digest=str(blob.get("digest", "")),
            size=int(blob["size"]),
            media_type=str(blob.get("mediaType", "")),
            diff_id=diff_ids[index] if len(diff_ids) == len(blobs) else "",
            reused=len(diff_ids) == len(blobs) and _short(diff_ids[index]) in reused,
        )
        for index, blob in enumerate(blobs)
    )


def _keep(result: PushResult, store: Store) -> PushResult:
    """Save a push's measurement in the store; the result with its ``push_id``."""
    push_id = store.save_push(
        image_id=result.image_id,
        registry=result.registry,
        reference=result.reference,
        manifest_digest=result.manifest_digest,
        total_bytes=result.total_bytes,
        layers=[asdict(layer) for layer in result.layers],
        seconds=result.seconds,
        pushed_at=result.pushed_at,
    )
    return replace(result, push_id=push_id)


def measured_push(image_id: str, store: Store | None = None) -> PushResult | None:
    """The newest push of an image from the store (works with the engine down).

    Args:
        image_id: the engine's ``sha256:`` id of the image.
        store: the store (default: the workbench's).

    Returns:
        The measurement, or ``None`` when the image was never pushed.  Its
        ``config_bytes`` is ``None``: the store keeps the layers and their total.
    """
    row = (store or Store()).latest_push(image_id)
    if row is None:
        return None
    layers = tuple(
        PushedLayer(
            index=int(layer.get("index", position)),
            digest=str(layer.get("digest", "")),
            size=int(layer["size"]),
            media_type=str(layer.get("media_type", "")),
            diff_id=str(layer.get("diff_id", "")),
            reused=bool(layer.get("reused", False)),
        )
        for position, layer in enumerate(row["layers"])
    )
    return PushResult(
        image_id=row["image_id"],
        source=row["reference"],
        registry=row["registry"],
        reference=row["reference"],
        manifest_digest=row.get("manifest_digest") or "",
        manifest_media_type="",
        layers=layers,
        config_bytes=None,
        seconds=float(row["seconds"]),
        layers_reused=sum(layer.reused for layer in layers),
        pushed_at=float(row["pushed_at"]),
        push_id=int(row["id"]),
    )


def start_push(
    image_id: str,
    *,
    store: Store | None = None,
    jobs: Jobs | None = None,
    client_factory: Callable[[], docker.DockerClient] = engine.connect,
) -> Job:
    """Push an image in the background (:func:`push_image`, to the default registry).

    Returns:
        The job: new, or the one already queued or running for this image.
    """
    store = store or Store()

    def work() -> None:
        push_image(client_factory(), image_id, store=store, log=lambda line: None)

    return (jobs or process_jobs()).submit(PUSH, image_id, work, short_id(image_id))
