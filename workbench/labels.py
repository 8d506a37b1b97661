"""The labels the workbench puts on images and containers, each named once.

Builds label their images with the project and the Dockerfile they came from, so an
analysis, a smoke test or an audit can find the project again; stand-in base images say
which official image they replace; smoke-test containers say who started them.
"""

from __future__ import annotations

PREFIX = "org.workbench"

# images built by the workbench
PROJECT = f"{PREFIX}.project"
PROJECT_PATH = f"{PREFIX}.project-path"
VARIANT = f"{PREFIX}.variant"
DOCKERFILE_SHA256 = f"{PREFIX}.dockerfile-sha256"
VERSION = f"{PREFIX}.version"
REBUILD_PROBE = f"{PREFIX}.rebuild-probe"

# local stand-ins for base images that cannot be pulled (inherited by images built FROM them)
STAND_IN = f"{PREFIX}.stand-in"
STAND_IN_REPLACES = f"{PREFIX}.stand-in.replaces"
STAND_IN_RECIPE = f"{PREFIX}.stand-in.recipe"
STAND_IN_RECIPE_VERSION = f"{PREFIX}.stand-in.recipe-version"

# smoke-test containers
SMOKE = f"{PREFIX}.smoke"
SMOKE_OWNER = f"{PREFIX}.smoke.owner"
