"""The audit's names: module names and console scripts per distribution."""

from __future__ import annotations

from workbench.audit.distributions import Distribution, ImageFacts
from workbench.audit.names import Names, audit_names, guess_modules, names_for
from workbench.project.manifests import declared_dependencies


def test_module_names_are_guessed_without_an_image() -> None:
    assert guess_modules("google-cloud-firestore") == ("google",)
    assert guess_modules("PyYAML") == ("yaml", "_yaml")
    assert guess_modules("langchain-community") == ("langchain_community",)


def test_names_read_from_the_image_are_certain_and_the_rest_guessed() -> None:
    facts = ImageFacts("sha256:x", (), (), "/", "3.11", (
        Distribution("PyYAML", "6", "/site-packages", 10, 0, 0, ("_yaml", "yaml"), ()),
        Distribution("bare", "1", "/site-packages", 10, 0, 0, (), ("bare-run",)),
    ))  # fmt: skip
    names = names_for(["six", "pyyaml"], facts)
    assert names == Names(
        modules={"pyyaml": ("_yaml", "yaml"), "bare": ("bare",), "six": ("six",)},
        scripts={"pyyaml": (), "bare": ("bare-run",), "six": ("six",)},
        source={"pyyaml": "certain", "bare": "guess", "six": "guess"},
        spelled={"pyyaml": "PyYAML", "bare": "bare", "six": "six"},
    )
    assert names.certainty("pyyaml", from_image=True) == "certain"
    assert names.certainty("pyyaml", from_image=False) == "guess"
    assert names.certainty("six", from_image=True) == "guess"


def test_deptrys_module_map_and_the_installed_distributions() -> None:
    declared = declared_dependencies({"project": {"dependencies": ["PyYAML", "six"]}})
    names = audit_names(declared, None, None)
    assert names.module_map(declared) == {"PyYAML": ("yaml", "_yaml"), "six": ("six",)}
    assert names.installed(None, None, declared) == {"pyyaml": ("yaml", "_yaml"), "six": ("six",)}
