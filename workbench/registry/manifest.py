"""Just enough of the registry HTTP API to read an image's manifest back.

:func:`fetch_manifest` asks ``GET /v2/<repository>/manifests/<reference>`` for a docker
v2 schema 2 or OCI manifest (an index is followed to the image's platform), with the
registry's token auth when it asks for it (credentials from the docker client config).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import docker.auth
import docker.errors
import requests

from workbench.errors import PushError
from workbench.registry.address import RegistryAddress

MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
)
INDEX_TYPES = (
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)


def one_line(text: str, limit: int = 300) -> str:
    """``text`` (an exception, a response body) on one line of at most ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _credentials(host: str) -> tuple[str, str] | None:
    """Username and password for ``host`` from the docker client config, if any."""
    try:
        conf = docker.auth.load_config().resolve_authconfig(host) or {}
    except (docker.errors.DockerException, OSError, ValueError):
        return None
    user = conf.get("Username") or conf.get("username")
    password = conf.get("Password") or conf.get("password")
    return (user, password) if user and password else None


def _challenge_params(header: str) -> dict[str, str]:
    """The ``key="value"`` pairs of a ``WWW-Authenticate`` challenge."""
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


class _RegistryClient:
    """Just enough of the registry HTTP API to read manifests (token auth included)."""

    def __init__(self, address: RegistryAddress, repository: str) -> None:
        self.address = address
        self.repository = repository
        self.session = requests.Session()
        self.token: str | None = None

    def get(self, path: str, accept: str) -> requests.Response:
        """``GET /v2/<repository>/<path>``, authenticating once when the registry asks.

        Raises:
            PushError: the registry cannot be reached or did not answer 200.
        """
        url = f"{self.address.url}/v2/{self.repository}/{path}"
        headers = {"Accept": accept}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.session.get(url, headers=headers, timeout=60)
            if response.status_code == 401 and self.token is None:
                self._authenticate(response.headers.get("WWW-Authenticate", ""))
                if self.token:
                    headers["Authorization"] = f"Bearer {self.token}"
                response = self.session.get(url, headers=headers, timeout=60)
        except requests.exceptions.RequestException as exc:
            raise PushError(
                f"could not read {url}: {one_line(exc)}; check that the registry answers "
                "(`workbench registry status`)"
            ) from exc
        if response.status_code != 200:
            raise PushError(
                f"the registry answered HTTP {response.status_code} for {url}: "
                f"{one_line(response.text, 160)}"
            )
        return response

    def _authenticate(self, challenge: str) -> None:
        """Meet a 401's challenge: basic credentials, or a pull token from its realm."""
        creds = _credentials(self.address.host)
        scheme = challenge.split(" ", 1)[0].lower()
        if scheme == "basic" and creds:
            self.session.auth = creds
            return
        if scheme != "bearer":
            raise PushError(
                f"the registry at {self.address.host} wants credentials to read manifests; "
                f"`docker login {self.address.host}` first"
            )
        params = _challenge_params(challenge)
        query = {"scope": f"repository:{self.repository}:pull"}
        if params.get("service"):
            query["service"] = params["service"]
        try:
            response = requests.get(params.get("realm", ""), params=query, auth=creds, timeout=30)
            response.raise_for_status()
            body = response.json()
        except (requests.exceptions.RequestException, ValueError) as exc:
            raise PushError(
                f"could not get a pull token from {self.address.host}: {one_line(exc)}; "
                f"`docker login {self.address.host}` first"
            ) from exc
        self.token = body.get("token") or body.get("access_token")


def _pick_platform(index: dict[str, Any], image_attrs: dict[str, Any]) -> dict[str, Any]:
    """The index entry for the image's platform (attestation entries skipped)."""
    wanted = (image_attrs.get("Os", "linux"), image_attrs.get("Architecture", ""))
    entries = [
        entry
        for entry in index.get("manifests") or []
        if (entry.get("platform") or {}).get("os") not in (None, "unknown")
    ]
    for entry in entries:
        platform = entry.get("platform") or {}
        if (platform.get("os"), platform.get("architecture")) == wanted:
            return entry
    if len(entries) == 1:
        return entries[0]
    raise PushError(
        f"the registry holds an index without a {wanted[0]}/{wanted[1]} manifest; "
        "push a single-platform image"
    )


def fetch_manifest(
    address: RegistryAddress,
    repository: str,
    reference: str,
    image_attrs: dict[str, Any] | None = None,
) -> tuple[str, str, dict[str, Any]]:
    """Read an image manifest (docker v2 schema 2 or OCI) from a registry.

    Args:
        address: the registry.
        repository: the repository path (``workbench/app``), without the host.
        reference: a tag or a manifest digest.
        image_attrs: the engine's ``inspect`` of the image, to pick its platform when
            the registry answers with an index.

    Returns:
        ``(digest, media_type, manifest)``.

    Raises:
        PushError: it cannot be read, or is not a manifest with layer sizes.
    """
    client = _RegistryClient(address, repository)
    accept = ", ".join(MANIFEST_TYPES + INDEX_TYPES)
    for _ in range(2):  # an index, then the platform's manifest
        response = client.get(f"manifests/{reference}", accept)
        try:
            manifest = response.json()
        except ValueError as exc:
            raise PushError(f"the registry's manifest for {repository} is not JSON") from exc
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip() or manifest.get(
            "mediaType", ""
        )
        digest = response.headers.get("Docker-Content-Digest") or (
            "sha256:" + hashlib.sha256(response.content).hexdigest()
        )
        if media_type in INDEX_TYPES or "manifests" in manifest:
            reference = _pick_platform(manifest, image_attrs or {})["digest"]
            continue
        if "layers" not in manifest or "config" not in manifest:
            raise PushError(
                f"the registry served a {media_type or 'schema 1'} manifest for {repository} "
                "without layer sizes; use a registry that speaks docker v2 schema 2 or OCI"
            )
        return digest, media_type, manifest
    raise PushError(f"the registry's index for {repository} points at another index")
