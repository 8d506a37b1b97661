"""The report as one self-contained HTML document: CSS inline, charts as SVG, no script.

:func:`report_html` lays out the first screen (what stakeholder mode in the app shows:
one sentence, plan vs measured per task, the before/after bar by component, the
targets), then the headline cards, the plan's tasks, the components, the savings, the
waterfall and the variants, each table rendered from its
:class:`workbench.report.tables.Table` by column name.
"""

from __future__ import annotations

import re
from html import escape

from workbench import __version__
from workbench.compare.story import target_sentence
from workbench.report.model import Report
from workbench.report.tables import (
    ZERO_TEXTS,
    Badge,
    Cell,
    Column,
    Show,
    Table,
    baseline_label,
    cell_text,
    components_table,
    pct,
    savings_table,
    size_text,
    target_kind,
    target_status,
    targets_table,
    tasks_table,
    variants_table,
    waterfall_table,
)
from workbench.units import human_bytes

CHART_SCALE = 1.2  # the HTML shows the SVG charts a little larger than their natural size

CSS = """
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#e3e8ee; --soft:#f5f7fa; --accent:#4C78A8;
        --good:#2f7d32; --warn:#b45309; --bad:#b42318; }
* { box-sizing: border-box; }
body { margin:0; background:#fff; color:var(--ink);
       font: 16px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 40px 40px 64px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 16px; margin-bottom: 28px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; color: var(--accent);
           font-weight: 600; font-size: 13px; margin: 0; }
h1 { font-size: 34px; margin: 4px 0 6px; }
h1.story { font-size: 29px; line-height: 1.3; margin: 6px 0 10px; }
.first { margin-bottom: 8px; }
.targets { font-size: 16px; margin: 6px 0; }
h2 { font-size: 24px; margin: 44px 0 6px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 18px; margin: 24px 0 8px; }
.meta { color: var(--muted); margin: 0; font-size: 14px; }
.lead { font-size: 19px; margin: 20px 0 8px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin: 8px 0 10px; }
.card { background: var(--soft); border-radius: 10px; padding: 16px 18px;
        border-top: 4px solid #c9d2dc; }
.card.best { border-top-color: var(--accent); }
.card.saved { border-top-color: var(--good); }
.card .label { color: var(--muted); font-size: 14px; font-weight: 600; }
.card .big { font-size: 38px; font-weight: 700; line-height: 1.15; margin: 6px 0 4px;
             font-variant-numeric: tabular-nums; }
.card.saved .big { color: var(--good); }
.card .sub { color: var(--muted); font-size: 14px; }
.note { background: #fff8e6; border-left: 4px solid #f0b429; padding: 10px 14px;
        border-radius: 4px; margin: 14px 0; font-size: 15px; }
.caption { color: var(--muted); font-size: 14px; margin: 4px 0 10px; }
figure.chart { margin: 16px 0; text-align: center; }
figure.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 10px 0 6px; font-size: 14.5px; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left;
         vertical-align: top; white-space: nowrap; }
td.wrap, th.wrap { white-space: normal; min-width: 150px; }
.scroll { overflow-x: auto; }
td .zero { color: #a0aab5; }
th { background: var(--soft); font-weight: 600; color: #344150; white-space: normal;
     vertical-align: bottom; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; border-top: 2px solid #c9d2dc; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12.5px;
         font-weight: 600; }
.badge.standin { background: #fff1d6; color: #8a5300; }
.badge.more { background: #e3efff; color: #1d4f91; }
.badge.ok { background: #e3f5e5; color: var(--good); }
.badge.less { background: #fff1d6; color: var(--warn); }
.badge.none { background: #eef1f4; color: var(--muted); }
.badge.met { background: #e3f5e5; color: var(--good); }
.badge.notmet { background: #fde7e4; color: var(--bad); }
footer { margin-top: 48px; padding-top: 14px; border-top: 1px solid var(--line);
         color: var(--muted); font-size: 13px; }
code { font-size: 13px; background: var(--soft); padding: 1px 4px; border-radius: 3px; }
@media (max-width: 820px) { .cards { grid-template-columns: repeat(2, 1fr); } }
@media print { main { padding: 0; } figure, table, .cards { break-inside: avoid; } }
"""

# --- pieces ---------------------------------------------------------------------------


def _classes(column: Column) -> str:
    """The class attribute of a column's cells: ``num`` right-aligns, ``wrap`` breaks lines."""
    names = ["num" if column.numeric else "", "wrap" if column.wrap else ""]
    joined = " ".join(n for n in names if n)
    return f' class="{joined}"' if joined else ""


def _cell(column: Column, cell: Cell) -> str:
    """A cell's markup: its text escaped, as its column shows it."""
    text = cell_text(cell)
    if column.show is Show.BADGE and isinstance(cell, Badge):
        return _badge(text, cell.kind) if text else ""
    if column.show is Show.ZERO_MUTED and text in ZERO_TEXTS:
        return f'<span class="zero">{escape(text)}</span>'  # a saving of nothing, greyed out
    return escape(text)


def _table(table: Table) -> str:
    """A table in a horizontally scrolling box; every cell's text is escaped."""
    head = "".join(f"<th{_classes(c)}>{escape(c.header)}</th>" for c in table.columns)
    body = []
    for r, row in enumerate(table.rows):
        total = ' class="total"' if table.total_last and r == len(table.rows) - 1 else ""
        cells = "".join(f"<td{_classes(c)}>{_cell(c, row[c.key])}</td>" for c in table.columns)
        body.append(f"<tr{total}>{cells}</tr>")
    markup = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return f'<div class="scroll">{markup}</div>'


def _figure(report: Report, name: str) -> str:
    """The chart of that name inlined as SVG, a little larger; empty when there is none."""
    chart = next((c for c in report.charts if c.name == name), None)
    if chart is None:
        return ""
    match = re.search(r'width="([0-9.]+)"', chart.svg[:400])
    width = float(match.group(1)) * CHART_SCALE if match else None
    style = f' style="width: {width:.0f}px"' if width else ""
    svg = chart.svg.replace("<svg ", f"<svg{style} ", 1)
    return f'<figure class="chart" aria-label="{escape(chart.title)}">{svg}</figure>'


def _card(label: str, big: str, sub: str, kind: str = "") -> str:
    return (
        f'<div class="card {kind}"><div class="label">{escape(label)}</div>'
        f'<div class="big">{escape(big)}</div><div class="sub">{escape(sub)}</div></div>'
    )


def _badge(text: str, kind: str) -> str:
    return f'<span class="badge {kind}">{escape(text)}</span>'


# --- sections -------------------------------------------------------------------------


def _first_screen(report: Report) -> str:
    """What a stakeholder reads first, as stakeholder mode in the app shows it: plan vs
    measured per task, the before/after bar by component, whether the targets are met
    (the sentence is the page's heading)."""
    targets = "".join(
        f'<p class="targets">{_badge(target_status(t), target_kind(t))} '
        f"{escape(target_sentence(t))}</p>"
        for t in report.targets
    )
    return (
        '<section class="first">'
        + _figure(report, "plan_vs_measured")
        + _figure(report, "before_after")
        + targets
        + _stand_in_note(report)
        + "</section>"
    )


def _headline_html(report: Report) -> str:
    """The lead sentence and four cards."""
    h = report.headline
    base_c = size_text(h.baseline_compressed_bytes)
    best_c = size_text(h.best_compressed_bytes)
    cards = [
        _card(baseline_label(h), human_bytes(h.baseline_bytes), f"compressed {base_c}"),
        _card(f"Best variant: {h.best}", human_bytes(h.best_bytes), f"compressed {best_c}", "best"),
        _card("Saved", human_bytes(h.saved_bytes), f"{pct(h.saved_pct)} of the baseline", "saved"),
    ]
    if h.compressed_saved_bytes is not None:
        cards.append(
            _card(
                "Saved, compressed",
                human_bytes(h.compressed_saved_bytes),
                f"{pct(h.compressed_saved_pct)} · {h.compressed_short}",
                "saved",
            )
        )
    else:
        cards.append(_card("Saved, compressed", "—", "no compressed figures yet", "saved"))
    lead = (
        f"The <strong>{escape(h.best)}</strong> variant is "
        f"<strong>{escape(human_bytes(h.saved_bytes))}</strong> ({escape(pct(h.saved_pct))}) "
        f"smaller than the {escape(h.baseline)}: {escape(human_bytes(h.baseline_bytes))} → "
        f"{escape(human_bytes(h.best_bytes))}"
        + (" (not smoke-tested yet)." if h.best_smoke == "not checked" else ".")
    )
    if not h.found_one:
        lead = (
            f"No variant that passed its smoke test is smaller than the {escape(h.baseline)} "
            f"({escape(human_bytes(h.baseline_bytes))})."
        )
    elif h.compressed_saved_bytes is not None:
        lead += (
            f" Compressed, as a registry stores it: {escape(base_c)} → {escape(best_c)} "
            f"({escape(h.compressed_kind)})."
        )
    return f'<p class="lead">{lead}</p><section class="cards">{"".join(cards)}</section>'


def _stand_in_note(report: Report) -> str:
    if not report.stand_ins:
        return ""
    bases = sorted(set(report.stand_ins.values()))
    variants = ", ".join(report.stand_ins)
    return (
        f'<div class="note">{_badge("local stand-in base", "standin")} '
        f"{escape(variants)} {'was' if len(report.stand_ins) == 1 else 'were'} built on a "
        f"local stand-in for {escape(', '.join(bases))} (the registry was out of reach). "
        "Sizes measured on a stand-in differ from the real base image; the savings between "
        "variants come from the Dockerfile changes.</div>"
    )


def _plan_html(report: Report) -> str:
    """Each plan task beside its measured saving, then the targets."""
    if report.plan_title is None:
        return (
            '<p class="caption">This project has no plan file (plan.toml), '
            "so there is nothing to compare against.</p>"
        )
    targets = (
        "<h3>Targets</h3>"
        + _table(targets_table(report))
        + '<p class="caption">A target is met when the best image is at or below the top of '
        "the plan's range.</p>"
        if report.targets
        else ""
    )
    created = f" ({escape(report.plan_created)})" if report.plan_created else ""
    return (
        f'<p class="caption">Each task of <em>{escape(report.plan_title)}</em>{created}: its '
        "estimated saving beside the measured one. A task's own saving is measured against "
        "the variant it builds on, so tasks that include one another are not counted "
        "twice. The chart is on the first screen.</p>" + _table(tasks_table(report)) + targets
    )


def _footer(report: Report) -> str:
    images = ", ".join(
        f"{escape(v.variant)} <code>{escape(v.image_id[:19])}</code>" for v in report.variants
    )
    return f"""<footer>
<p>{escape(report.units_note)}</p>
<p>Made by the Docker image optimization workbench {escape(__version__)} on
{escape(report.date)} from the stored analyses of each variant's newest image:
{images}.
</p>
</footer>
"""


def report_html(report: Report) -> str:
    """The report as one self-contained HTML document (no script, nothing fetched).

    Args:
        report: the report to lay out.

    Returns:
        The document; user strings (names, paths, the plan's words) are escaped.
    """
    plan_meta = (
        f" · Plan: {escape(report.plan_title)}"
        + (f" ({escape(report.plan_created)})" if report.plan_created else "")
        if report.plan_title
        else ""
    )
    story = report.story.sentence() if report.story else report.project_name
    body = f"""
<header>
<p class="eyebrow">Docker image optimization report · {escape(report.project_name)}</p>
<h1 class="story">{escape(story)}</h1>
<p class="meta">Generated {escape(report.date)}{plan_meta}</p>
<p class="meta"><code>{escape(report.project_path)}</code></p>
</header>
{_first_screen(report)}
<h2>The figures</h2>
{_headline_html(report)}
<h2>Plan vs measured</h2>
{_plan_html(report)}
<h2>Where the bytes go</h2>
<p class="caption">Each variant's newest image, split by component; the components add up
to the image's size exactly.</p>
{_figure(report, "components")}
{_table(components_table(report))}
<h2>Savings against the {escape(report.baseline)}</h2>
<p class="caption">Bytes saved per component, and the share of the {escape(report.baseline)}'s
bytes of that component (of its whole size for the total).</p>
{_table(savings_table(report))}
{_figure(report, "savings")}
<h2>From the {escape(report.baseline)} to the best variant</h2>
{_figure(report, "waterfall")}
{_table(waterfall_table(report))}
<h2>Compressed size and build time</h2>
<p class="caption">The compressed size is what a registry stores and a server downloads:
measured by pushing to a registry where that was done, otherwise estimated by
compressing each layer with gzip.</p>
{_figure(report, "compressed")}
{_figure(report, "durations")}
{_table(variants_table(report))}
{_footer(report)}"""
    title = f"Image optimization report: {report.project_name}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>{body}</main>\n</body>\n</html>\n"
    )
