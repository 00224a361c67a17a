"""Server-drawn SVG of the journey map: the emotion curve's geometry, the curve alone, and the poster.

The page draws the curve inline from :func:`curve_geometry` (Jinja escapes every label);
:func:`curve_svg` and :func:`poster_svg` write standalone SVG documents for ``<img>`` and
download, escaping every text with :func:`html.escape`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from centric.maps.schemas import JourneyMap, TouchpointCard

WIDTH_PER_POINT = 140
CURVE_HEIGHT = 180
PAD_X, PAD_TOP, PAD_BOTTOM = 56, 16, 56
COLOURS = ("#1f6feb", "#b3421b")  # measured (first persona), measured (compared persona)
VERDICT_FILL = {"good": "#e6f4ea", "bad": "#fde7e7", "neutral": "#f3f4f6", "unknown": "#ffffff"}
VERDICT_STROKE = {"good": "#1e7e34", "bad": "#b42318", "neutral": "#6b7280", "unknown": "#c7ccd1"}


@dataclass
class Series:
    label: str
    colour: str
    points: str  # "x,y x,y …" for a polyline
    band: str  # "x,y …" polygon of the 95% interval ("" when none)
    dots: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, title


@dataclass
class Geometry:
    width: int
    height: int
    labels: list[tuple[float, str]]  # x, touchpoint name
    grid: list[tuple[float, str]]  # y, "−2" … "+2"
    designed: str
    designed_dots: list[tuple[float, float, str]]
    series: list[Series]


def touchpoints(m: JourneyMap) -> list[TouchpointCard]:
    return [t for stage in m.stages for t in stage.touchpoints]


def _y(value: float) -> float:
    return round(PAD_TOP + (2.0 - value) / 4.0 * CURVE_HEIGHT, 1)


def _x(i: int) -> float:
    return float(PAD_X + i * WIDTH_PER_POINT + WIDTH_PER_POINT // 2)


def curve_geometry(maps: list[tuple[str, JourneyMap]]) -> Geometry:
    """The designed line of the first map and one measured line (with its interval band) per map."""
    first = touchpoints(maps[0][1])
    width = PAD_X + max(1, len(first)) * WIDTH_PER_POINT + 16
    height = PAD_TOP + CURVE_HEIGHT + PAD_BOTTOM
    designed = [(_x(i), _y(t.designed_emotion), f"{t.name}: designed {t.designed_emotion:+d}")
                for i, t in enumerate(first) if t.designed_emotion is not None]
    series = []
    for n, (label, m) in enumerate(maps):
        cards = {t.key: t for t in touchpoints(m)}
        dots, upper, lower = [], [], []
        for i, t in enumerate(first):
            card = cards.get(t.key)
            if card is None or card.measured.value is None:
                continue
            dots.append((_x(i), _y(card.measured.value), f"{t.name}: measured {card.measured.value:+.2f}"))
            if card.measured.low is not None and card.measured.high is not None:
                upper.append(f"{_x(i)},{_y(card.measured.high)}")
                lower.append(f"{_x(i)},{_y(card.measured.low)}")
        series.append(Series(label=label, colour=COLOURS[n % len(COLOURS)],
                             points=" ".join(f"{x},{y}" for x, y, _ in dots),
                             band=" ".join(upper + lower[::-1]) if len(upper) > 1 else "", dots=dots))
    return Geometry(width=width, height=height, labels=[(_x(i), t.name) for i, t in enumerate(first)],
                    grid=[(_y(v), f"{v:+d}" if v else "0") for v in (2, 1, 0, -1, -2)],
                    designed=" ".join(f"{x},{y}" for x, y, _ in designed), designed_dots=designed, series=series)


def _curve_body(g: Geometry, dy: float = 0.0) -> list[str]:
    e = escape
    out = [f'<g transform="translate(0,{dy})">']
    for y, label in g.grid:
        out.append(f'<line x1="{PAD_X}" y1="{y}" x2="{g.width - 16}" y2="{y}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{PAD_X - 8}" y="{y + 4}" text-anchor="end" font-size="11" '
                   f'fill="#6b7280">{e(label)}</text>')
    for s in g.series:
        if s.band:
            out.append(f'<polygon points="{s.band}" fill="{s.colour}" fill-opacity="0.15" stroke="none"/>')
    if g.designed:
        out.append(f'<polyline points="{g.designed}" fill="none" stroke="#111827" stroke-width="2" '
                   f'stroke-dasharray="6 4"/>')
        for x, y, title in g.designed_dots:
            out.append(f'<circle cx="{x}" cy="{y}" r="4" fill="#111827"><title>{e(title)}</title></circle>')
    for s in g.series:
        if s.points:
            out.append(f'<polyline points="{s.points}" fill="none" stroke="{s.colour}" stroke-width="2.5"/>')
        for x, y, title in s.dots:
            out.append(f'<circle cx="{x}" cy="{y}" r="4" fill="{s.colour}"><title>{e(title)}</title></circle>')
    for x, label in g.labels:
        short = label if len(label) <= 20 else label[:19] + "…"
        out.append(f'<text x="{x}" y="{PAD_TOP + CURVE_HEIGHT + 18}" text-anchor="middle" font-size="11" '
                   f'fill="#374151">{e(short)}</text>')
    legend_y = PAD_TOP + CURVE_HEIGHT + 40
    out.append(f'<line x1="{PAD_X}" y1="{legend_y}" x2="{PAD_X + 24}" y2="{legend_y}" stroke="#111827" '
               f'stroke-width="2" stroke-dasharray="6 4"/>')
    out.append(f'<text x="{PAD_X + 30}" y="{legend_y + 4}" font-size="11">designed</text>')
    for n, s in enumerate(g.series):
        x = PAD_X + 110 + n * 220
        out.append(f'<line x1="{x}" y1="{legend_y}" x2="{x + 24}" y2="{legend_y}" stroke="{s.colour}" '
                   f'stroke-width="2.5"/>')
        out.append(f'<text x="{x + 30}" y="{legend_y + 4}" font-size="11">{e(s.label)} (95% band)</text>')
    out.append("</g>")
    return out


def _document(width: float, height: float, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" role="img">'
            f'<title>{escape(title)}</title><rect width="100%" height="100%" fill="#ffffff"/>'
            + "".join(body) + "</svg>")


def curve_svg(maps: list[tuple[str, JourneyMap]]) -> str:
    """The emotion curve alone: designed line, measured line(s) with 95% band (embeddable with ``<img>``)."""
    g = curve_geometry(maps)
    return _document(g.width, g.height, f"Emotion curve: {maps[0][1].name}", _curve_body(g))


CARD_W, CARD_H, GAP = 200, 118, 12


def _score_line(t: TouchpointCard) -> str:
    if t.score is None or t.score.value is None:
        return "no answers"
    digits = 2 if t.score.metric == "ces" else 1
    low = "–" if t.score.low is None else f"{t.score.low:.{digits}f}"
    high = "–" if t.score.high is None else f"{t.score.high:.{digits}f}"
    return f"{t.score.metric.upper()} {t.score.value:.{digits}f} [{low}, {high}] n={t.score.n}"


def poster_svg(m: JourneyMap, label: str = "") -> str:
    """A poster of the whole map: stage columns of touchpoint cards above the emotion curve."""
    e = escape
    columns = max(1, len(m.stages))
    column_w = max(CARD_W + 2 * GAP, 0)
    tallest = max([len(s.touchpoints) for s in m.stages] or [0])
    top = 64
    grid_h = 36 + max(1, tallest) * (CARD_H + GAP)
    g = curve_geometry([(label or "measured", m)])
    width = max(columns * column_w + 2 * GAP, g.width)
    height = top + grid_h + g.height + 24
    body = [f'<text x="{GAP}" y="30" font-size="20" font-weight="600">{e(m.name)}</text>']
    subtitle = " · ".join(x for x in (
        f"segment {m.segment}" if m.segment else "", f"channel {m.channel}" if m.channel else "",
        f"from {m.start}" if m.start else "", f"until {m.end}" if m.end else "") if x) or "all customers, all time"
    body.append(f'<text x="{GAP}" y="50" font-size="12" fill="#6b7280">{e(subtitle)}</text>')
    for c, stage in enumerate(m.stages):
        x0 = GAP + c * column_w
        body.append(f'<rect x="{x0}" y="{top}" width="{column_w - GAP}" height="28" rx="4" fill="#eef2ff"/>')
        body.append(f'<text x="{x0 + 8}" y="{top + 19}" font-size="13" font-weight="600">{e(stage.name)}</text>')
        for r, t in enumerate(stage.touchpoints):
            y0 = top + 36 + r * (CARD_H + GAP)
            body.append(f'<rect x="{x0}" y="{y0}" width="{CARD_W}" height="{CARD_H}" rx="6" '
                        f'fill="{VERDICT_FILL[t.verdict]}" stroke="{VERDICT_STROKE[t.verdict]}" stroke-width="1.5"/>')
            owner = " · ".join(x for x in (t.owner_team, t.owner_user) if x) or "no owner"
            designed = "–" if t.designed_emotion is None else f"{t.designed_emotion:+d}"
            measured = "–" if t.measured.value is None else f"{t.measured.value:+.2f}"
            lines = [(13, "600", t.name), (11, "400", f"{t.channel} · {owner}"),
                     (11, "400", f"designed {designed} · measured {measured} · {t.verdict}"),
                     (11, "400", _score_line(t)),
                     (11, "400", f"{t.volume} events · {t.open_cases} open cases ({t.breached_cases} breached)"),
                     (11, "400", ", ".join(th.name for th in t.themes) or "no themes")]
            for i, (size, weight, text) in enumerate(lines):
                short = text if len(text) <= 34 else text[:33] + "…"
                body.append(f'<text x="{x0 + 8}" y="{y0 + 18 + i * 17}" font-size="{size}" '
                            f'font-weight="{weight}">{e(short)}</text>')
    body.extend(_curve_body(g, dy=top + grid_h))
    return _document(width, height, f"Journey map: {m.name}", body)
