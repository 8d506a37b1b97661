"""The audit's names: per distribution, its top-level modules and console scripts.

Read from the built image's ``dist-info`` (:mod:`workbench.audit.distributions`), so
nothing is installed locally; without an image (or for a distribution the image lacks)
they are guesses: a table of well-known names, else the distribution's own name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from workbench.audit.distributions import ImageFacts
from workbench.audit.graph import LockGraph
from workbench.audit.model import CERTAIN, GUESS
from workbench.project.manifests import Declared, normalize

# Module names of well-known distributions whose name differs from their module (used
# only when the image cannot say).
KNOWN_MODULES: Mapping[str, tuple[str, ...]] = {
    "attrs": ("attr", "attrs"),
    "beautifulsoup4": ("bs4",),
    "dnspython": ("dns",),
    "grpcio": ("grpc",),
    "hypothesis": ("hypothesis", "_hypothesis_globals"),
    "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",),
    "pillow": ("PIL",),
    "protobuf": ("google",),
    "psycopg2-binary": ("psycopg2",),
    "pycryptodome": ("Crypto",),
    "pyjwt": ("jwt",),
    "pytest": ("pytest", "_pytest", "py"),
    "python-dateutil": ("dateutil",),
    "python-dotenv": ("dotenv",),
    "python-multipart": ("multipart", "python_multipart"),
    "pyyaml": ("yaml", "_yaml"),
    "pyzmq": ("zmq",),
    "ruamel-yaml": ("ruamel",),
    "scikit-learn": ("sklearn",),
    "setuptools": ("setuptools", "pkg_resources", "_distutils_hack"),
}
NAMESPACE_PREFIXES = (
    ("google-", "google"),
    ("googleapis-", "google"),
    ("azure-", "azure"),
    ("backports-", "backports"),
    ("jaraco-", "jaraco"),
    ("zope-", "zope"),
    ("sphinxcontrib-", "sphinxcontrib"),
)


@dataclass(frozen=True)
class Names:
    """Per distribution (normalized), its modules and scripts, and where they came from.

    Attributes:
        modules: its top-level modules.
        scripts: the console scripts it installs.
        source: :data:`CERTAIN` (read from the image) or :data:`GUESS`.
        spelled: its name as its METADATA (or the lock) spells it.
    """

    modules: Mapping[str, tuple[str, ...]]
    scripts: Mapping[str, tuple[str, ...]]
    source: Mapping[str, str]
    spelled: Mapping[str, str]

    def certainty(self, name: str, from_image: bool) -> str:
        """Certain when the names were read from an image's dist-info, else a guess."""
        return CERTAIN if self.source.get(name) == CERTAIN and from_image else GUESS

    def module_map(self, declared: Iterable[Declared]) -> dict[str, tuple[str, ...]]:
        """deptry's ``package_module_name_map``: each declared name, as written."""
        return {d.spelled: self.modules[d.name] for d in declared}

    def installed(
        self, facts: ImageFacts | None, graph: LockGraph | None, runtime: Sequence[Declared]
    ) -> dict[str, tuple[str, ...]]:
        """Every distribution the image installs (else the lock and the runtime
        dependencies), with its modules."""
        if facts is not None:
            return {k: self.modules[k] for k in facts.by_name()}
        locked = set(graph.reachable()) if graph is not None else set()
        return {k: self.modules[k] for k in locked | {d.name for d in runtime}}


def audit_names(
    declared: Iterable[Declared], graph: LockGraph | None, facts: ImageFacts | None
) -> Names:
    """The names of the declared distributions, of all the lock installs and all the
    image holds."""
    locked = set(graph.reachable()) if graph is not None else set()
    return names_for([d.name for d in declared] + sorted(locked), facts)


def guess_modules(name: str) -> tuple[str, ...]:
    """The top-level modules of a distribution, guessed from its name."""
    key = normalize(name)
    if key in KNOWN_MODULES:
        return KNOWN_MODULES[key]
    for prefix, module in NAMESPACE_PREFIXES:
        if key.startswith(prefix):
            return (module,)
    return (key.replace("-", "_"),)


def names_for(distributions: Iterable[str], facts: ImageFacts | None) -> Names:
    """Module names and console scripts of these distributions (and all in the image)."""
    modules: dict[str, tuple[str, ...]] = {}
    scripts: dict[str, tuple[str, ...]] = {}
    source: dict[str, str] = {}
    spelled: dict[str, str] = {}
    if facts is not None:
        for key, dist in facts.by_name().items():
            modules[key] = dist.modules or guess_modules(key)
            scripts[key] = dist.console_scripts
            source[key] = CERTAIN if dist.modules else GUESS
            spelled[key] = dist.name
    for name in distributions:
        key = normalize(name)
        if key not in modules:
            modules[key] = guess_modules(key)
            scripts[key] = (key,)  # a guess: many tools install a command named like them
            source[key] = GUESS
            spelled[key] = name
    return Names(modules, scripts, source, spelled)
