"""The annual report as a printable HTML page: tables, and inline SVG charts of each indicator's
trend against its target, with the institution's rank among its peers. No scripts, no external
resources. A withheld figure (fewer than k persons) is shown as "—"."""

from __future__ import annotations

from html import escape

from api.measures.schemas import MeasuredEffect
from api.reports.schemas import AnnualReport, IndicatorTrend

W, H, PAD = 520, 180, 36
WITHHELD = "—"
WITHHELD_NOTE = "neskelbiama: mažiau nei k asmenų / withheld: fewer than k persons"

STATUS_LT = {"done": "atlikta", "overdue": "vėluoja", "upcoming": "laukiama", "not_applicable": "netaikoma"}


def _chart(trend: IndicatorTrend) -> str:
    values = [p.value for p in trend.points if p.value is not None]
    targets = [p.target for p in trend.points if p.target is not None]
    scale = values + targets
    if not scale:
        return "<p>—</p>"
    low, high = min(scale), max(scale)
    if high == low:
        low, high = low - 1, high + 1
    n = len(trend.points)

    def x(i: int) -> float:
        return PAD + (W - 2 * PAD) * (i / max(1, n - 1))

    def y(v: float) -> float:
        return H - PAD - (H - 2 * PAD) * ((v - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" '
        f'aria-label="{escape(trend.name_lt)}">',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#999"/>',
    ]
    line = [f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(trend.points) if p.value is not None]
    if line:
        parts.append(
            f'<polyline class="value" fill="none" stroke="#1f5fa8" stroke-width="2" points="{" ".join(line)}"/>'
        )
    for i, p in enumerate(trend.points):
        parts.append(
            f'<text x="{x(i):.1f}" y="{H - PAD + 16}" font-size="10" text-anchor="middle">{escape(p.period)}</text>'
        )
        if p.value is not None:
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="3" fill="#1f5fa8">'
                f"<title>{escape(p.period)}: {p.value:g}</title></circle>"
            )
        if p.target is not None:
            parts.append(
                f'<line class="target" x1="{x(i) - 8:.1f}" y1="{y(p.target):.1f}" x2="{x(i) + 8:.1f}" '
                f'y2="{y(p.target):.1f}" stroke="#c0392b" stroke-width="2" stroke-dasharray="3,2">'
                f"<title>tikslas / target {p.target:g}</title></line>"
            )
    parts.append(
        f'<text x="4" y="{PAD - 8}" font-size="10">{high:g}</text>'
        f'<text x="4" y="{H - PAD}" font-size="10">{low:g}</text></svg>'
    )
    return "".join(parts)


def _num(value: float | int | None) -> str:
    return WITHHELD if value is None else f"{value:g}"


def _peers(trend: IndicatorTrend) -> str:
    p = trend.peer_statistics
    if p is None:
        return ""
    if p.suppressed:
        return (
            f"<p>Panašios įstaigos / peers: {p.peers} — palyginimas neskelbiamas / no comparison "
            f"({escape(p.reason or '')}).</p>"
        )
    rank = (
        f"{p.percentile_rank:g} % panašių įstaigų žemiau / of peers below"
        if p.percentile_rank is not None
        else f"vieta neskelbiama / rank withheld ({escape(p.percentile_rank_reason or '')})"
    )
    return f"<p>Panašios įstaigos / peers: {p.peers}; {rank}.</p>"


def _effect(effect: MeasuredEffect, suppressed: bool) -> str:
    if effect.state != "measured":
        return WITHHELD
    if suppressed:
        return f"{WITHHELD} ({WITHHELD_NOTE})"
    reached = "tikslas pasiektas / target reached" if effect.target_reached else "tikslas nepasiektas"
    return f"{_num(effect.baseline_value)} → {_num(effect.measured_value)} ({reached})"


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if c is None else str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(report: AnnualReport, published: str | None = None) -> str:
    """The printable page; `published` is the line saying which published revision this is."""
    c = report.cycle
    sections = [
        f"<h1>{escape(report.institution_name)} — metinė ataskaita / annual report {report.year}</h1>",
        *([f'<p class="published">{escape(published)}</p>'] if published else []),
        f"<p>Etapas / stage: <b>{escape(c.stage_lt)}</b> ({escape(c.stage)}); vėluojančių prievolių / overdue "
        f"obligations: <b>{c.overdue}</b>. Parengta / generated {report.generated_at:%Y-%m-%d %H:%M} UTC.</p>",
        "<h2>Prievolių kalendorius / Compliance calendar</h2>",
        _table(
            ["Terminas / due", "Prievolė / obligation", "Būsena / status"],
            [
                [o.due_date, f"{o.title_lt} / {o.title_en}", f"{STATUS_LT.get(o.status, o.status)} / {o.status}"]
                for o in c.calendar
            ],
        ),
        "<h2>Rodikliai / Indicators</h2>",
    ]
    for trend in report.indicators:
        withheld = [p.period for p in trend.points if p.suppressed]
        note = f"<p>{escape(', '.join(withheld))}: {WITHHELD_NOTE}.</p>" if withheld else ""
        sections.append(
            f"<h3>{escape(trend.name_lt)} / {escape(trend.name_en)} ({escape(trend.code)})</h3>"
            f"<figure>{_chart(trend)}<figcaption>Mėlyna — reikšmė, raudona — tikslas / blue: value, "
            f"red: target</figcaption></figure>{note}{_peers(trend)}"
        )
    if not report.indicators:
        sections.append("<p>Paskelbtų reikšmių nėra / no published values.</p>")
    pe = report.plan_execution
    sections += [
        "<h2>Planų vykdymas / Plan execution</h2>",
        _table(["Planas / plan", "Būsena / status"], [[k, v] for k, v in pe.plans.items()]),
        _table(["Priemonių būsena / item status", "Kiek / count"], [[k, v] for k, v in pe.items_by_status.items()]),
        f"<p>Laiku įvykdyta / done on time: {pe.items_done_on_time} iš / of {pe.items_counted_for_on_time}.</p>",
        "<h2>Apklausos / Surveys</h2>",
        _table(
            [
                "Apklausa / campaign",
                "Rūšis / kind",
                "Atsakymai / responses",
                "Atsakė % / response rate",
                "Dimensijos / dimensions",
            ],
            [
                [
                    s.name,
                    s.questionnaire_kind,
                    _num(s.responses),
                    _num(s.response_rate_percent),
                    ", ".join(f"{k}: {_num(v)}" for k, v in s.dimensions.items())
                    + (f" ({WITHHELD_NOTE})" if s.suppressed else ""),
                ]
                for s in report.surveys
            ],
        ),
        "<h2>Tobulinimo priemonės / Improvement measures</h2>",
        _table(
            ["Priemonė / measure", "Sritis / area", "Būsena / status", "Poveikis / effect"],
            [[m.title, m.area, m.status, _effect(m.effect, m.effect_suppressed)] for m in report.measures],
        ),
        "<h2>SSGG / SWOT</h2>",
        _table(
            ["Stiprybės / strengths", "Silpnybės / weaknesses", "Galimybės / opportunities", "Grėsmės / threats"],
            [["; ".join(report.swot.get(q, [])) for q in ("strength", "weakness", "opportunity", "threat")]],
        ),
    ]
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #bbb;padding:.25em .5em;"
        "text-align:left;vertical-align:top}@media print{h2{page-break-before:auto}figure{break-inside:avoid}}"
    )
    return (
        f'<!DOCTYPE html><html lang="lt"><head><meta charset="utf-8"><title>{escape(report.institution_name)} '
        f"{report.year}</title><style>{style}</style></head><body>{''.join(sections)}</body></html>"
    )
