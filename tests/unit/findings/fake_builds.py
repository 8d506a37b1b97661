"""A build service and an engine that answer at once, for the optimizer's tests.

Each Dockerfile "builds" into an image whose id is its digest and whose size follows
what it says: 1,000,000 bytes, less 300,000 with ``--no-cache``, less 200,000 with a
builder stage.  Every build is recorded in the store like a real one, and its smoke
test passes unless the Dockerfile holds one of ``breaks``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

from workbench.build.service import BuildSpec
from workbench.store import BuildRecord, Store


def image_of(text: str, files: dict | None = None) -> str:
    digest = hashlib.sha256(text.encode())
    for name in sorted(files or {}):
        digest.update(name.encode() + files[name])
    return "sha256:" + digest.hexdigest()


def size_of(text: str) -> int:
    size = 1_000_000
    if "--no-cache" in text:
        size -= 300_000
    if " AS builder" in text:
        size -= 200_000
    return size


@dataclass
class FakeBuilds:
    """Builds recorded in the store; smoke tests that fail on the words in ``breaks``."""

    store: Store
    breaks: tuple[str, ...] = ()
    specs: list[BuildSpec] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    cancelled: list[int] = field(default_factory=list)
    _smoked: dict[int, tuple[bool, str]] = field(default_factory=dict)

    def submit(self, spec: BuildSpec) -> int:
        self.specs.append(spec)
        image_id = image_of(spec.dockerfile_text, dict(spec.extra_files))
        self.sizes[image_id] = size_of(spec.dockerfile_text)
        build_id = self.store.add_build(
            project_key=spec.project.key, project_path=str(spec.project.path),
            variant=spec.variant, tag=spec.tag, builder="buildkit", request_key="k",
            dockerfile_sha256=spec.dockerfile_sha256, dockerfile=spec.dockerfile_text,
        )  # fmt: skip
        self.store.update_build(
            build_id, status="succeeded", image_id=image_id, duration_s=1.5, log="Step 1/1\n"
        )
        broken = next((word for word in self.breaks if word in spec.dockerfile_text), None)
        line = f"failed: the app exited ({broken})" if broken else "passed: GET /health"
        self.store.save_smoke_result(
            image_id, not broken, {"seconds": 0.5, "log_tail": "Traceback: boom" if broken else ""}
        )
        self._smoked[build_id] = (not broken, f"smoke test {line}")
        return build_id

    def wait(self, build_ids: Iterable[int], timeout: float | None = None) -> list[BuildRecord]:
        return [self.store.build(build_id) for build_id in build_ids]

    def smoke_outcome(self, build_id: int) -> tuple[bool, str] | None:
        return self._smoked.get(build_id)

    def cancel(self, build_id: int) -> bool:
        self.cancelled.append(build_id)
        return True

    def client(self) -> SimpleNamespace:
        """An engine client whose images have the sizes built."""
        return SimpleNamespace(api=SimpleNamespace(inspect_image=lambda i: {"Size": self.sizes[i]}))
