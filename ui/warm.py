"""Once per process: load the modules the pages need in the background, then take the
objects they made out of the garbage collector's way.

A page's first run in a process would otherwise import pandas and Altair itself (a second
or more each; several where Python cannot keep compiled bytecode).  And Streamlit collects
garbage after every script run, fragment runs too (``runner.postScriptGC``): with pandas,
Altair and the docker SDK loaded, a full collection walks some 150,000 long-lived objects
with the GIL held, 0.1–0.3 s per run, and the run's last messages wait for it.  Once the
modules are loaded, :func:`gc.freeze` moves every object alive to the permanent
generation, which collections skip; what pages make afterwards is still collected.
The first chart vl-convert draws in a process takes it most of a second, with the GIL held:
one is drawn here, so the report's first preview does not hold up the pages.

The thread only imports modules: it calls no ``st.*``.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import threading

# What the pages import, heaviest first (each pulls in pandas, Altair or the docker SDK).
MODULES = (
    "pandas",
    "altair",
    "workbench.compare.figures",
    "workbench.compare.charts",
    "workbench.compare.diff_charts",
    "workbench.compare.story",
    "workbench.findings",
    "workbench.findings.ladder",
    "workbench.findings.optimize",
    "workbench.report",
    "workbench.audit",
    "workbench.checks.smoke",
)

_lock = threading.Lock()
_started = False


TINY_CHART = '{"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}}'


def _load() -> None:
    for name in MODULES:
        with contextlib.suppress(Exception):  # the page that needs it will say why
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        importlib.import_module("vl_convert").vegalite_to_svg(TINY_CHART)
    gc.collect()
    gc.freeze()


def warm_up() -> None:
    """Start loading :data:`MODULES` in a background thread, once per process."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_load, name="workbench-warm-up", daemon=True).start()
