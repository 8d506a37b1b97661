"""``apt-get install`` without ``--no-install-recommends``: packages only recommendations
pulled in.

apt installs a package's *Recommends* too unless told not to.  Which packages came that
way is written in the image: apt marks every package it installed for another one as
automatic (``/var/lib/apt/extended_states``), and dpkg's status says what each package
*depends* on; an automatic package that no manually installed package depends on (even
through others) is there for a recommendation only.  Their bytes are the files their
dpkg lists name.
"""

from __future__ import annotations

import re
from collections import defaultdict

from workbench.analysis import DebianPackage
from workbench.findings.model import GUESS, Context, Finding, located

RULE = "apt-recommends"
WHY = (
    "a recommendation is what the package's maintainer suggests for a desktop system; "
    "the app rarely needs it, and it comes with its own dependencies"
)
SEE = "DL3015"
_APT_INSTALL = re.compile(r"\bapt(?:-get)?\b[^;&|]*\binstall\b")
_NO_RECOMMENDS = re.compile(
    r"--no-install-recommends|Install-Recommends[\"']?[=\s]+[\"']?(?:false|0)"
)


def installs_recommends(instruction: str) -> bool:
    """Whether a RUN installs with apt and lets it install recommendations."""
    return bool(_APT_INSTALL.search(instruction)) and not _NO_RECOMMENDS.search(instruction)


def find(context: Context) -> list[Finding]:
    """One finding per layer whose recommendations-only packages take bytes."""
    per_layer: dict[int, list[DebianPackage]] = defaultdict(list)
    for package in context.analysis.debian_packages:
        if package.reason == "recommendation" and package.layer is not None and package.bytes:
            per_layer[package.layer].append(package)
    found = []
    for layer, packages in sorted(per_layer.items()):
        source = context.source(layer)
        own = context.own(layer)
        flagless = (
            source is not None and source.keyword == "RUN" and installs_recommends(source.text)
        )
        names = ", ".join(p.name for p in sorted(packages, key=lambda p: -p.bytes))
        extra = {}
        if not flagless:
            extra = {
                "certainty": GUESS,
                "reason": "the layer's RUN is not an apt install without "
                "--no-install-recommends: they may be left over from a removal",
            }
        where = f"line {source.line}" if source and source.line else f"layer {layer}"
        found.append(
            located(
                context,
                RULE,
                f"{len(packages)} packages only recommendations pulled in ({where})",
                sum(p.bytes for p in packages),
                layer,
                WHY,
                "no-recommends" if own and flagless else None,
                detail=names,
                see=SEE,
                **extra,
            )
        )
    return found
