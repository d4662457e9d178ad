"""Rich display in Jupyter: tables and small inline SVG charts for forecasts and ensembles.

The charts are plain SVG written here (no JavaScript), so they show in any
notebook front end, offline, and in rendered notebooks (e.g. on GitHub) that
strip scripts. Every string is HTML-escaped. The result classes call these from
their ``_repr_html_``. This module needs only NumPy and :mod:`crossroads.palette`, so the
core can use it without importing the report or the dashboard.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from crossroads.palette import OKABE_ITO, model_colour, series_style

__all__ = ["ensemble_html", "forecast_html", "svg_bars", "svg_lines"]

_W, _H = 560, 250
_L, _R, _T, _B = 56, 175, 14, 40
_FONT = "font-family:system-ui,Segoe UI,Arial,sans-serif;font-size:11px"
_DASH = {
    "solid": "",
    "dash": "6,4",
    "dot": "2,3",
    "dashdot": "6,3,2,3",
    "longdash": "10,4",
    "longdashdot": "10,3,2,3",
}


def _e(s: Any) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def _short(text: str, n: int = 25) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if raw <= m * mag)
    start = math.ceil(lo / step) * step
    return [round(start + k * step, 10) for k in range(int((hi - start) / step + 1e-9) + 1)]


def _frame(x_range, y_range, x_label, y_label, x_ticks=None) -> tuple[list[str], Any, Any]:
    (x0, x1), (y0, y1) = x_range, y_range
    if x1 <= x0:
        x1 = x0 + 1
    if y1 <= y0:
        y1 = y0 + 1
    pw, ph = _W - _L - _R, _H - _T - _B

    def sx(x: float) -> float:
        return _L + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return _T + ph - (y - y0) / (y1 - y0) * ph

    out = [f'<rect x="{_L}" y="{_T}" width="{pw}" height="{ph}" fill="white" stroke="#999"/>']
    for t in _ticks(y0, y1):
        out.append(
            f'<line x1="{_L}" x2="{_L + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#e6e6e6"/>'
        )
        out.append(f'<text x="{_L - 5}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    for t in x_ticks if x_ticks is not None else _ticks(x0, x1):
        out.append(f'<text x="{sx(t):.1f}" y="{_T + ph + 14}" text-anchor="middle">{t:g}</text>')
    out.append(f'<text x="{_L + pw / 2}" y="{_H - 6}" text-anchor="middle">{_e(x_label)}</text>')
    out.append(
        f'<text transform="translate(13,{_T + ph / 2}) rotate(-90)" '
        f'text-anchor="middle">{_e(y_label)}</text>'
    )
    return out, sx, sy


def _svg(parts: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" role="img" style="{_FONT}"><title>{_e(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def svg_lines(
    series: Sequence[dict[str, Any]],
    x_label: str,
    y_label: str,
    y_range: tuple[float, float],
    title: str = "",
    hlines: Sequence[tuple[float, str]] = (),
) -> str:
    """A line chart; series are dicts: ``label``, ``x``, ``y``, ``colour``, ``dash``, ``width``."""
    xs = [float(v) for s in series for v in s["x"]] or [0.0, 1.0]
    x0, x1 = min(xs), max(max(xs), min(xs) + 1)
    parts, sx, sy = _frame(
        (x0, x1),
        y_range,
        x_label,
        y_label,
        x_ticks=_ticks(x0, x1) if x1 - x0 > 10 else [float(v) for v in range(int(x0), int(x1) + 1)],
    )
    for y, label in hlines:
        if y is None or not math.isfinite(y):
            continue
        parts.append(
            f'<line x1="{_L}" x2="{_W - _R}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" '
            'stroke="#000" stroke-dasharray="5,4"/>'
        )
        parts.append(
            f'<text x="{_W - _R - 3}" y="{sy(y) - 3:.1f}" text-anchor="end">{_e(label)}</text>'
        )
    for k, s in enumerate(series):
        pts = " ".join(
            f"{sx(float(x)):.1f},{sy(float(y)):.1f}"
            for x, y in zip(s["x"], s["y"], strict=True)
            if math.isfinite(float(y))
        )
        dash = _DASH.get(s.get("dash", "solid"), "")
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{s["colour"]}" '
            f'stroke-width="{s.get("width", 1.5)}"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        ly = _T + 6 + 14 * k
        if ly < _H - _B:
            parts.append(
                f'<line x1="{_W - _R + 8}" x2="{_W - _R + 26}" y1="{ly}" y2="{ly}" '
                f'stroke="{s["colour"]}" stroke-width="{s.get("width", 1.5)}"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
            )
            parts.append(
                f'<text x="{_W - _R + 30}" y="{ly + 4}">{_e(_short(str(s["label"])))}</text>'
            )
    return _svg(parts, title)


def svg_bars(
    edges: np.ndarray,
    heights: np.ndarray,
    x_label: str,
    y_label: str,
    colour: str = OKABE_ITO[0],
    title: str = "",
    marks: Sequence[tuple[float, str]] = (),
) -> str:
    """A histogram: bars between ``edges`` with ``heights``; ``marks`` are labelled verticals."""
    top = float(np.max(heights)) if len(heights) else 1.0
    parts, sx, sy = _frame(
        (float(edges[0]), float(edges[-1])), (0.0, top * 1.1 or 1.0), x_label, y_label
    )
    for a, b, h in zip(edges[:-1], edges[1:], heights, strict=True):
        if h <= 0:
            continue
        parts.append(
            f'<rect x="{sx(a):.1f}" y="{sy(h):.1f}" width="{max(sx(b) - sx(a) - 1, 1):.1f}" '
            f'height="{sy(0) - sy(h):.1f}" fill="{colour}" fill-opacity="0.7"/>'
        )
    for k, (x, label) in enumerate(marks):
        if x is None or not math.isfinite(x):
            continue
        parts.append(
            f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{_T}" y2="{sy(0):.1f}" '
            'stroke="#000" stroke-dasharray="4,3"/>'
        )
        parts.append(f'<text x="{sx(x) + 3:.1f}" y="{_T + 10 + 12 * k}">{_e(label)}</text>')
    return _svg(parts, title)


def _table(df: Any) -> str:
    # pandas escapes cell text by default (escape=True)
    return df.to_html(float_format=lambda v: f"{v:.3g}", border=0)


def forecast_html(f: Any) -> str:
    """A forecast: headline, its trajectory chart (the forecast bold, each actor thin), table."""
    head = (
        f"<p><b>{_e(f.model)}</b> forecast of <b>{_e(f.issue)}</b> ({_e(f.scenario)}): "
        f"{_e(np.round(f.outcome, 2))} after {f.rounds} round{'' if f.rounds == 1 else 's'}"
        + (f"; observed {f.observed:g}, error {f.error:.2f}" if f.error is not None else "")
        + "</p>"
    )
    chart = ""
    traj = np.asarray(f.trajectory, dtype=float)
    if traj.ndim == 2:
        rounds = list(range(traj.shape[0]))
        series = []
        for i, name in enumerate(f.names[:12]):
            st = series_style(i)
            series.append(
                {
                    "label": name,
                    "x": rounds,
                    "y": traj[:, i],
                    "colour": st["color"],
                    "dash": st["dash"],
                    "width": 1,
                }
            )
        series.append(
            {
                "label": "forecast",
                "x": rounds,
                "y": np.asarray(f.forecast, float),
                "colour": "#000",
                "width": 3,
            }
        )
        chart = svg_lines(
            series,
            "Bargaining round",
            "Position",
            f.scale,
            title=f"{f.model}: positions by round",
            hlines=[(f.observed, "observed")] if f.observed is not None else (),
        )
    return head + chart + _table(f.to_df().round(2))


def ensemble_html(r: Any) -> str:
    """An ensemble: headline, a histogram (of per-run values, else the quantiles), a table."""
    d = r.distribution
    head = (
        f"<p><b>{_e(r.model)}</b> ensemble of <b>{_e(r.issue)}</b> ({_e(r.scenario)}), "
        f"{r.runs:,} runs, seed {r.seed}: {_e(r.headline())}</p>"
    )
    lo, hi = r.scale
    marks = [(d.median, "median")]
    if d.observed is not None:
        marks.append((d.observed, "observed"))
    per_run = getattr(r, "per_run", None)
    if per_run is not None and len(per_run):
        vals = per_run["forecast"].to_numpy(dtype=float)
        vals = vals[np.isfinite(vals)]
        edges = np.linspace(lo, hi, 41)
        counts, _ = np.histogram(np.clip(vals, lo, hi), bins=edges)
        heights = 100 * counts / max(len(vals), 1)
        ylab = "Share of runs, %"
    else:
        # without per-run values: the density implied by the quantiles (flat between them)
        qs = sorted(d.quantiles.items())
        edges = np.array([lo] + [v for _, v in qs] + [hi], dtype=float)
        probs = np.diff([0.0] + [p for p, _ in qs] + [1.0])
        widths = np.diff(edges)
        ok = widths > (hi - lo) * 1e-6
        heights = np.where(ok, 100 * probs / np.where(ok, widths, 1.0), 0.0)
        ylab = "Density, % per point"
    chart = svg_bars(
        edges,
        heights,
        "Forecast (scale points)",
        ylab,
        colour=model_colour(r.model),
        title=f"{r.model}: forecast distribution",
        marks=marks,
    )
    return head + chart + _table(r.to_df())
