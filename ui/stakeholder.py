"""Stakeholder mode: headline figures in large type, no logs or controls."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from workbench.compare import BASELINE, VariantFigures, best_variant
from workbench.units import human_bytes

LARGE_TYPE = """
<style>
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.25rem; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.3rem; }
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] div,
[data-testid="stMain"] [data-testid="stMetricValue"] p { font-size: 3.4rem; line-height: 1.15; }
[data-testid="stMain"] [data-testid="stMetricDelta"] div,
[data-testid="stMain"] [data-testid="stMetricDelta"] p { font-size: 1.3rem; }
</style>
"""


def stakeholder_mode() -> bool:
    """Whether the sidebar's stakeholder toggle is on."""
    return bool(st.session_state.get("stakeholder_mode", False))


def apply_large_type() -> None:
    if stakeholder_mode():
        st.markdown(LARGE_TYPE, unsafe_allow_html=True)


def headline_metrics(figures: Sequence[VariantFigures]) -> None:
    """Baseline against the best variant: size, compressed size, savings."""
    base = next((f for f in figures if f.variant == BASELINE), None)
    if base is None or len(figures) < 2:
        return
    best = best_variant(figures)
    if best is None:
        st.metric("Baseline", human_bytes(base.size_bytes))
        st.warning("Every variant failed its smoke test: none of them saves anything yet.")
        return
    saved = base.size_bytes - best.size_bytes
    cols = st.columns(3)
    cols[0].metric("Baseline", human_bytes(base.size_bytes))
    cols[1].metric(
        f"Best: {best.variant}",
        human_bytes(best.size_bytes),
        delta=f"{human_bytes(-saved)} ({-saved / base.size_bytes:.0%})",
        delta_color="inverse",
        help="The smallest variant whose image did not fail its smoke test; its smoke test: "
        f"{best.smoke}.",
    )
    if base.compressed_bytes and best.compressed_bytes:
        kind = "measured" if best.compressed_is_measured else "estimated"
        cols[2].metric(
            f"Compressed ({kind})",
            human_bytes(best.compressed_bytes),
            delta=f"{human_bytes(best.compressed_bytes - base.compressed_bytes)}",
            delta_color="inverse",
            help=f"Baseline compressed: {human_bytes(base.compressed_bytes)}",
        )
