"""Unit tests of ``workbench.checks``, one file per module."""
