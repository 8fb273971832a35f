"""A run's learning curves as an SVG picture, drawn with the standard library alone.

Every run folder gets `curves.svg`, written by the command line as well as
the GUI, so the curves are there to look at on a machine without Qt (a
training server) and in any browser. One panel per quantity — loss, then each
metric — with the training values as a solid line and the validation values
as a dashed one; epochs that were not measured (NaN) leave a gap.
"""

from __future__ import annotations

import math
from html import escape

PANEL_W, PANEL_H, COLUMNS = 420, 260, 2
LEFT, RIGHT, TOP, BOTTOM = 62, 16, 40, 42
TRAIN_COLOUR, VAL_COLOUR = "#1f77b4", "#e8710a"
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"


def curves_svg(history: dict[str, list[float]], title: str) -> str:
    """The SVG text: one panel per history key that is not a `val_` twin (`epoch` gives the x axis)."""
    keys = [k for k in history if k != "epoch" and not k.startswith("val_")]
    keys.sort(key=lambda k: k != "loss")
    n = max((len(v) for k, v in history.items() if k != "epoch"), default=0)
    epochs = list(history.get("epoch") or range(1, n + 1))
    cols = min(COLUMNS, max(1, len(keys)))
    rows = max(1, math.ceil(len(keys) / cols))
    width, height = cols * PANEL_W, rows * PANEL_H + 30
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}'>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
        f"<text x='{width / 2:.0f}' y='21' text-anchor='middle' font-size='15' font-weight='bold' {FONT}>"
        f"{escape(title)}</text>",
    ]
    if not keys:
        parts.append(f"<text x='{width / 2:.0f}' y='{height / 2:.0f}' text-anchor='middle' font-size='13' "
                     f"fill='#666' {FONT}>No epoch finished, so there are no curves.</text>")
    for i, key in enumerate(keys):
        x0, y0 = (i % cols) * PANEL_W, 30 + (i // cols) * PANEL_H
        series = [(key, history[key], TRAIN_COLOUR, "")]
        if f"val_{key}" in history:
            series.append((f"val_{key}", history[f"val_{key}"], VAL_COLOUR, " stroke-dasharray='6 4'"))
        parts += _panel(x0, y0, key, [float(e) for e in epochs[:n]], series)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _panel(x0: float, y0: float, name: str, epochs: list[float],
           series: list[tuple[str, list[float], str, str]]) -> list[str]:
    left, top = x0 + LEFT, y0 + TOP
    w, h = PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM
    values = [v for _, vs, _, _ in series for v in vs if math.isfinite(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - 0.5 * max(1.0, abs(lo)), hi + 0.5 * max(1.0, abs(hi))
    y_ticks = _ticks(lo, hi)
    lo, hi = min(lo, y_ticks[0]), max(hi, y_ticks[-1])
    x_lo, x_hi = (epochs[0], epochs[-1]) if epochs else (1.0, 2.0)
    if x_hi <= x_lo:
        x_lo, x_hi = x_lo - 1, x_hi + 1

    def px(e: float) -> float:
        return left + (e - x_lo) / (x_hi - x_lo) * w

    def py(v: float) -> float:
        return top + h - (v - lo) / (hi - lo) * h

    out = [f"<g><text x='{x0 + PANEL_W / 2:.0f}' y='{y0 + 24:.0f}' text-anchor='middle' font-size='13' "
           f"font-weight='bold' {FONT}>{escape(name)}</text>",
           f"<rect x='{left}' y='{top}' width='{w}' height='{h}' fill='none' stroke='#999'/>"]
    for t in y_ticks:
        out.append(f"<line x1='{left}' x2='{left + w}' y1='{py(t):.1f}' y2='{py(t):.1f}' stroke='#e4e4e4'/>")
        out.append(f"<text x='{left - 6}' y='{py(t) + 4:.1f}' text-anchor='end' font-size='10' {FONT}>"
                   f"{_label(t)}</text>")
    for t in _ticks(x_lo, x_hi, whole=True):
        if x_lo <= t <= x_hi:
            out.append(f"<text x='{px(t):.1f}' y='{top + h + 15}' text-anchor='middle' font-size='10' {FONT}>"
                       f"{t:g}</text>")
    out.append(f"<text x='{left + w / 2:.0f}' y='{top + h + 32}' text-anchor='middle' font-size='11' "
               f"fill='#444' {FONT}>epoch</text>")
    # The legend is drawn last, on a light box, so no curve runs through its labels.
    lw = 36 + int(6.5 * max(len(label) for label, *_ in series))  # about 6.5 px per character at 11 px
    lx = left + w - lw - 4
    legend = [f"<rect x='{lx}' y='{top + 3}' width='{lw}' height='{16 * len(series) + 5}' fill='white' "
              "fill-opacity='0.85' stroke='#ccc'/>"]
    for row, (label, vs, colour, dash) in enumerate(series):
        points = [(px(e), py(v)) if math.isfinite(v) else None for e, v in zip(epochs, vs)]
        for run in _runs(points):
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                out.append(f"<polyline points='{path}' fill='none' stroke='{colour}' stroke-width='2'{dash}/>")
            if len(run) == 1 or len(points) <= 30:
                out += [f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2.5' fill='{colour}'/>" for x, y in run]
        ly = top + 17 + 16 * row
        legend.append(f"<line x1='{lx + 6}' x2='{lx + 28}' y1='{ly - 4}' y2='{ly - 4}' "
                      f"stroke='{colour}' stroke-width='2'{dash}/>")
        legend.append(f"<text x='{lx + 34}' y='{ly}' font-size='11' {FONT}>{escape(label)}</text>")
    out += legend
    out.append("</g>")
    return out


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Consecutive measured points; a NaN starts a new piece of line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for p in points:
        if p is None:
            runs.append([])
        else:
            runs[-1].append(p)
    return [r for r in runs if r]


def _ticks(lo: float, hi: float, whole: bool = False) -> list[float]:
    """About five round tick values (steps of 1, 2 or 5 × 10ⁿ) covering lo..hi."""
    raw = (hi - lo) / 5
    step = 10 ** math.floor(math.log10(raw))
    step = next(s * step for s in (1, 2, 5, 10) if s * step >= raw)
    if whole:
        step = max(1.0, round(step))
    first = math.floor(lo / step) * step
    ticks = [first + i * step for i in range(int(math.ceil((hi - first) / step)) + 1)]
    return ticks


def _label(value: float) -> str:
    return f"{value:.4g}" if value != 0 else "0"
