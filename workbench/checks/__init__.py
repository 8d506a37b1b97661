"""Checks of a built image: does it still work, and is it within its size budget?

* :mod:`~workbench.checks.smoke`: run the image (its own command, or the project's
  smoke settings: environment, command, entrypoint) and check that it answers (an HTTP
  GET, or a command inside it); results kept in the store by image id, environment
  values never in them; the test's steps use :mod:`~workbench.checks.container`
  (start, memory watch, removal, leftovers) and :mod:`~workbench.checks.probes`
  (waiting until ready);
* :mod:`~workbench.checks.budget`: the size budget gate (size, compressed, efficiency,
  shadowed bytes) behind ``workbench check``.

No facade: callers import the module they need (``from workbench.checks import smoke``),
so a smoke test does not load the budget gate's analysis and registry, nor the reverse.
"""
