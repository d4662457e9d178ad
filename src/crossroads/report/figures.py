"""Plotly figures of a scenario and its forecasts, shared by the HTML report and the dashboard.

Every function takes plain data (or crossroads' own result objects) and returns a
Plotly figure as a plain ``dict`` with ``data`` and ``layout`` -- the JSON that
plotly.js draws. Building the dict directly is some forty times faster than
growing a :class:`plotly.graph_objects.Figure` trace by trace, which keeps the
dashboard's updates well under a second; :func:`as_figure` turns a dict into a
validated ``Figure`` (for ``fig.show()`` in a notebook), and the tests validate
every figure that way.

The figures follow one style:

* the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), which stays
  distinguishable under the common colour-vision deficiencies; where more series
  than colours are drawn, line dashes and marker symbols tell them apart too;
  salience is coloured with the perceptually uniform ``cividis`` scale;
* every axis carries a title with its unit, categorical axes show actor names,
  every figure with more than one series has a legend;
* every string that comes from a scenario (actor names, issue titles, labels) is
  HTML-escaped before it reaches Plotly, which would otherwise interpret tags
  such as ``<b>`` or ``<a>`` in text: a name like ``<script>`` shows as text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from crossroads.palette import (  # noqa: F401  (MODEL_COLOURS re-exported for figures' users)
    DASHES,
    MODEL_COLOURS,
    OKABE_ITO,
    SYMBOLS,
    model_colour,
    series_style,
)
from crossroads.serialisation import dumps

__all__ = [
    "MODEL_COLOURS",
    "OKABE_ITO",
    "Figure",
    "as_figure",
    "dependence_figure",
    "ensemble_figure",
    "errors_figure",
    "esc",
    "figure_json",
    "frontier_figure",
    "moved_figure",
    "interventions_figure",
    "label_spots",
    "network_figure",
    "network_layout",
    "positions_figure",
    "sobol_figure",
    "spatial_stakes_figure",
    "spatial_trajectory_figure",
    "stakes_figure",
    "status_figure",
    "tornado_figure",
    "trajectory_figure",
    "with_without_figure",
]

#: A Plotly figure as plain data: ``{"data": [trace, ...], "layout": {...}}``.
Figure = dict[str, Any]

_GREY = "#6b6b6b"
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_MAX_LABEL = 40


def esc(text: Any, limit: int | None = None) -> str:
    """``text`` as a string safe for Plotly: HTML-escaped, optionally shortened."""
    s = "" if text is None else str(text)
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "…"
    # quotes need no escaping: with '<' escaped no tag (and so no attribute) can form
    return html.escape(s, quote=False)


def _colours(models: Sequence[str]) -> list[str]:
    """A colour per series: the model's own, or (when already taken, e.g. a what-if of the
    same model) the next unused palette colour."""
    used: set[str] = set()
    out = []
    for i, m in enumerate(models):
        c = model_colour(m, i)
        if c in used:
            c = next((x for x in OKABE_ITO[:7] if x not in used), OKABE_ITO[i % 7])
        used.add(c)
        out.append(c)
    return out


def _floats(a: Any) -> list[float | None]:
    """A list of floats for JSON, NaN and infinities as None (a gap in a line)."""
    out: list[float | None] = []
    for v in np.asarray(a, dtype=float).ravel().tolist():
        out.append(v if math.isfinite(v) else None)
    return out


def _axis(title: str, **extra: Any) -> dict[str, Any]:
    axis = {
        "title": {"text": title},
        "showline": True,
        "linecolor": "#888",
        "gridcolor": "#e8e8e8",
        "showgrid": True,
        "zeroline": False,
        "ticks": "outside",
        "tickcolor": "#888",
        "automargin": True,
    }
    axis.update(extra)
    return axis


def _figure(
    data: list[dict[str, Any]],
    title: str,
    x_title: str,
    y_title: str,
    height: int = 380,
    legend: bool = True,
    legend_box: dict[str, Any] | None = None,
    xaxis: dict[str, Any] | None = None,
    yaxis: dict[str, Any] | None = None,
    shapes: list[dict[str, Any]] | None = None,
    annotations: list[dict[str, Any]] | None = None,
    **layout: Any,
) -> Figure:
    lay: dict[str, Any] = {
        "template": {},
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": _FONT, "size": 12, "color": "#222"},
        "height": height,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "showlegend": legend,
        "legend": {"bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#ddd", "borderwidth": 1}
        | (legend_box or {}),
        "hoverlabel": {"font": {"family": _FONT}},
        "xaxis": _axis(x_title, **(xaxis or {})),
        "yaxis": _axis(y_title, **(yaxis or {})),
        "shapes": shapes or [],
        "annotations": annotations or [],
    }
    lay.update(layout)
    return {"data": data, "layout": lay}


def _vline(x: float | None, label: str, colour: str, dash: str, top: bool = True) -> tuple:
    """A vertical reference line across the plot, with its label; () when x is missing."""
    if x is None or not math.isfinite(float(x)):
        return ()
    shape = {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": float(x),
        "x1": float(x),
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "dash": dash, "width": 1.5},
    }
    note = {
        "text": label,
        "xref": "x",
        "yref": "paper",
        "x": float(x),
        "y": 1 if top else 0,
        "yanchor": "bottom" if top else "top",
        "xanchor": "left",
        "showarrow": False,
        "font": {"color": colour, "size": 11},
    }
    return shape, note


def _hline(y: float | None, label: str, colour: str, dash: str) -> tuple:
    """A horizontal reference line across the plot, with its label; () when y is missing."""
    if y is None or not math.isfinite(float(y)):
        return ()
    shape = {
        "type": "line",
        "xref": "paper",
        "yref": "y",
        "x0": 0,
        "x1": 1,
        "y0": float(y),
        "y1": float(y),
        "line": {"color": colour, "dash": dash, "width": 1.5},
    }
    note = {
        "text": label,
        "xref": "paper",
        "yref": "y",
        "x": 1,
        "y": float(y),
        "xanchor": "right",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"color": colour, "size": 11},
        "bgcolor": "rgba(255,255,255,0.7)",
    }
    return shape, note


def _refs(*lines: tuple) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Reference lines as shapes named in the legend (labels on the plot would cover data)."""
    shapes = []
    for ln in lines:
        if ln:
            shape, note = ln
            shapes.append(shape | {"showlegend": True, "name": note["text"]})
    return shapes, []


def _key(labels: Mapping[float, str], v: float) -> Any:
    for k in labels:
        if float(k) == v:
            return k
    return v


def _wrap(text: str, width: int = 18, lines: int = 2) -> str:
    """``text`` escaped and wrapped on words into at most ``lines`` lines of ``width``."""
    words, out, cur = str(text).split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        out.append(cur)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return "<br>".join(esc(x[: width + 6]) for x in out)


def scale_axis(
    lo: float, hi: float, labels: Mapping[float, str] | None, pad: float = 0.03
) -> dict[str, Any]:
    """Axis settings for an issue scale: its range, with ticks at the labelled points."""
    width = hi - lo if hi > lo else 1.0
    out: dict[str, Any] = {"range": [lo - pad * width, hi + pad * width]}
    if labels:
        vals = sorted(float(k) for k in labels)
        text = [f"{v:g}<br>{_wrap(labels[_key(labels, v)])}" for v in vals]
        out.update(tickvals=vals, ticktext=text, tickmode="array", tickangle=0)
    return out


def scale_title(lo: float, hi: float, labels: Mapping[float, str] | None) -> str:
    """The axis title of an issue scale (the labelled points are on the ticks)."""
    return f"Position on the issue scale ({lo:g}-{hi:g}), points"


# --- issues ---------------------------------------------------------------------------------


def stakes_figure(
    names: Sequence[str],
    position: Sequence[float],
    salience: Sequence[float],
    capability: Sequence[float],
    scale: tuple[float, float],
    labels: Mapping[float, str] | None = None,
    status_quo: float | None = None,
    observed: float | None = None,
    title: str = "Stakes",
) -> Figure:
    """Each actor's position on the scale; marker area ~ capability, colour ~ salience.

    Actors are sorted by position; the hover shows every input.
    """
    x = np.asarray(position, dtype=float)
    s = np.asarray(salience, dtype=float)
    c = np.asarray(capability, dtype=float)
    order = np.argsort(x, kind="stable")
    cmax = float(c.max()) if len(c) and c.max() > 0 else 1.0
    size = 10 + 34 * np.sqrt(c / cmax)
    names_e = [esc(n, _MAX_LABEL) for n in names]
    trace = {
        "type": "scatter",
        "x": _floats(x[order]),
        "y": [names_e[i] for i in order],
        "mode": "markers",
        "name": "stake",
        "showlegend": False,
        "marker": {
            "size": _floats(size[order]),
            "color": _floats(s[order]),
            "cmin": 0,
            "cmax": 1,
            "colorscale": "Cividis",
            "reversescale": True,
            "line": {"color": "#333", "width": 0.8},
            "colorbar": {"title": {"text": "salience<br>(0-1)"}, "thickness": 12, "len": 0.8},
        },
        "customdata": [[float(s[i]), float(c[i])] for i in order],
        "hovertemplate": "<b>%{y}</b><br>position %{x:.1f}<br>salience %{customdata[0]:.2f}"
        "<br>capability %{customdata[1]:.3g}<extra></extra>",
    }
    shapes, notes = _refs(
        _vline(status_quo, "status quo", _GREY, "dot", top=False),
        _vline(observed, "observed", "#000", "dash"),
    )
    return _figure(
        [trace],
        esc(title),
        scale_title(*scale, labels),
        "Actor",
        height=max(300, 150 + 30 * len(names)),
        legend=status_quo is not None or observed is not None,
        xaxis=scale_axis(*scale, labels),
        yaxis={
            "gridcolor": "#f0f0f0",
            "categoryorder": "array",
            "tickmode": "linear",
            "dtick": 1,
            "categoryarray": [names_e[i] for i in order],
        },
        shapes=shapes,
        annotations=notes,
        margin={"l": 70, "r": 20, "t": 50, "b": 80},
        legend_box={
            "orientation": "h",
            "x": 1,
            "xanchor": "right",
            "y": 1.0,
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0)",
            "borderwidth": 0,
        },
    )


def trajectory_figure(
    forecasts: Sequence[Any],
    scale: tuple[float, float],
    labels: Mapping[float, str] | None = None,
    status_quo: float | None = None,
    observed: float | None = None,
    title: str = "Forecast by bargaining round",
) -> Figure:
    """Each model's forecast after each round (one line per model or model variant).

    A model with no rounds (mean, median: one step) is drawn as a flat dotted reference
    line across the rounds of the others, labelled with its name, rather than one dot at
    round 0 hidden under the others' starting points.

    Parameters
    ----------
    forecasts : sequence of :class:`crossroads.Forecast`
        One-dimensional forecasts of one issue; a forecast with interventions is
        labelled with them and drawn dashed.
    """
    data = []
    colours = _colours([f.model for f in forecasts])
    paths = [np.asarray(f.forecast, dtype=float) for f in forecasts]
    longest = max([len(y) for y in paths if y.ndim == 1] + [1])
    for i, f in enumerate(forecasts):
        y = paths[i]
        if y.ndim != 1:
            continue
        label = esc(f.model) + (f" + {esc(', '.join(f.interventions))}" if f.interventions else "")
        if len(y) == 1 and longest > 1:
            # a one-step model (mean, median) has no rounds: its forecast as a flat
            # reference line across the others' rounds, labelled at its right end
            data.append(
                {
                    "type": "scatter",
                    "x": [0, longest - 1],
                    "y": _floats([y[0], y[0]]),
                    "mode": "lines+text",
                    "name": f"{label} (one step, no rounds)",
                    "text": ["", label],
                    "textposition": "top left",
                    "textfont": {"color": colours[i], "size": 11},
                    "line": {"color": colours[i], "width": 2, "dash": "dot"},
                    "hovertemplate": f"{label} (one step): %{{y:.2f}}<extra></extra>",
                }
            )
            continue
        data.append(
            {
                "type": "scatter",
                "x": list(range(len(y))),
                "y": _floats(y),
                "mode": "lines+markers",
                "name": label,
                "line": {
                    "color": colours[i],
                    "width": 2.5,
                    "dash": "dash" if f.interventions else "solid",
                },
                "marker": {"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 7},
                "hovertemplate": f"{label}<br>round %{{x}}: %{{y:.2f}}<extra></extra>",
            }
        )
    # labels of flat lines: the highest above its line, the others below theirs, so two
    # close one-step forecasts (mean and median often are) keep their labels apart
    flat = [t for t in data if t.get("mode") == "lines+text"]
    flat.sort(key=lambda t: -(t["y"][0] if t["y"][0] is not None else -math.inf))
    for k, t in enumerate(flat):
        t["textposition"] = "top left" if k == 0 else "bottom left"
    shapes, notes = _refs(
        _hline(status_quo, "status quo", _GREY, "dot"),
        _hline(observed, "observed outcome", "#000", "dash"),
    )
    return _figure(
        data,
        esc(title),
        "Bargaining round",
        scale_title(*scale, labels),
        xaxis={"range": [-0.3, max(longest - 1, 1) + 0.3], "dtick": 1 if longest <= 20 else None},
        yaxis=scale_axis(*scale, labels),
        shapes=shapes,
        annotations=notes,
    )


def positions_figure(
    f: Any,
    scale: tuple[float, float],
    labels: Mapping[float, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Every actor's position after each round of one model, with the forecast in bold."""
    traj = np.asarray(f.trajectory, dtype=float)
    rounds = list(range(traj.shape[0]))
    data = []
    for i, name in enumerate(f.names):
        st = series_style(i)
        data.append(
            {
                "type": "scatter",
                "x": rounds,
                "y": _floats(traj[:, i]),
                "mode": "lines+markers",
                "name": esc(name, _MAX_LABEL),
                "line": {"color": st["color"], "dash": st["dash"], "width": 1.5},
                "marker": {"symbol": st["symbol"], "size": 5},
                "hovertemplate": f"{esc(name)}<br>round %{{x}}: %{{y:.2f}}<extra></extra>",
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": rounds,
            "y": _floats(f.forecast),
            "mode": "lines",
            "name": "forecast",
            "line": {"color": "#000", "width": 4},
            "hovertemplate": "forecast<br>round %{x}: %{y:.2f}<extra></extra>",
        }
    )
    return _figure(
        data,
        esc(title or f"{f.model}: each actor's position by round"),
        "Bargaining round",
        scale_title(*scale, labels),
        height=440,
        xaxis={"dtick": 1 if len(rounds) <= 20 else None},
        yaxis=scale_axis(*scale, labels),
    )


def _nice_step(top: float) -> float:
    """A round tick step giving about five ticks from 0 to ``top``."""
    raw = max(top, 1e-9) / 5
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def spatial_stakes_figure(
    names: Sequence[str],
    position: Any,
    salience: Any,
    capability: Sequence[float],
    dimensions: Sequence[str],
    title: str = "Stakes",
) -> Figure:
    """A multi-dimensional issue's stakes: each actor's position on every dimension.

    ``position`` and ``salience`` have shape (actors, dims); one marker series per
    dimension, marker area ~ capability, opacity ~ the salience on that dimension.
    """
    x = np.asarray(position, dtype=float)
    sal = np.asarray(salience, dtype=float)
    c = np.asarray(capability, dtype=float)
    cmax = float(c.max()) if len(c) and c.max() > 0 else 1.0
    size = _floats(8 + 26 * np.sqrt(c / cmax))
    ylab = [esc(n, _MAX_LABEL) for n in names]
    data = []
    for d, dim in enumerate(dimensions):
        st = series_style(d)
        data.append(
            {
                "type": "scatter",
                "x": _floats(x[:, d]),
                "y": ylab,
                "mode": "markers",
                "name": esc(dim, 30),
                "marker": {
                    "color": st["color"],
                    "symbol": st["symbol"],
                    "size": size,
                    "opacity": 0.8,
                    "line": {"color": "#222", "width": 0.6},
                },
                "customdata": _floats(sal[:, d]),
                "hovertemplate": f"%{{y}}<br>{esc(dim)}: %{{x:.1f}}<br>salience "
                "%{customdata:.2f}<extra></extra>",
            }
        )
    return _figure(
        data,
        esc(title),
        "Position on each dimension's scale, points",
        "Actor",
        height=max(300, 150 + 26 * len(names)),
        yaxis={
            "categoryorder": "array",
            "categoryarray": ylab[::-1],
            "tickmode": "linear",
            "dtick": 1,
        },
    )


def spatial_trajectory_figure(
    forecasts: Sequence[Any], dimensions: Sequence[str], title: str = "Forecast by round"
) -> Figure:
    """Each model's forecast on every dimension after each round (colour: dimension,
    dash: model)."""
    data = []
    longest = 1
    for k, f in enumerate(forecasts):
        y = np.asarray(f.forecast, dtype=float)
        if y.ndim != 2:
            continue
        longest = max(longest, y.shape[0])
        for d, dim in enumerate(dimensions):
            data.append(
                {
                    "type": "scatter",
                    "x": list(range(y.shape[0])),
                    "y": _floats(y[:, d]),
                    "mode": "lines+markers",
                    "name": f"{esc(f.model)}: {esc(dim, 30)}",
                    "line": {
                        "color": OKABE_ITO[d % 7],
                        "dash": DASHES[k % len(DASHES)],
                        "width": 2,
                    },
                    "marker": {"symbol": SYMBOLS[k % len(SYMBOLS)], "size": 6},
                    "hovertemplate": f"{esc(f.model)}, {esc(dim)}<br>round %{{x}}: %{{y:.2f}}"
                    "<extra></extra>",
                }
            )
    return _figure(
        data,
        esc(title),
        "Bargaining round",
        "Forecast position, points",
        xaxis={"dtick": 1 if longest <= 20 else None},
    )


def ensemble_figure(
    results: Sequence[Any],
    scale: tuple[float, float],
    labels: Mapping[float, str] | None = None,
    observed: float | None = None,
    title: str = "Distribution of the forecast under uncertain inputs",
    bins: int = 40,
    calibrated: Mapping[str, tuple[float, float, float]] | None = None,
) -> Figure:
    """Histogram of each model's ensemble forecasts (share of runs), with the 5-95% range.

    The 5-95% whiskers (diamonds) are the spread under input noise only. With
    ``calibrated`` (model -> (point forecast, lower, upper)), each model also gets a
    dotted line with an open circle: the interval calibrated on real outcomes
    (:mod:`crossroads.evaluation.calibrated_display`), named in the legend as such.

    Parameters
    ----------
    results : sequence of ensemble results
        Objects with ``model``, ``runs``, ``interventions``, ``distribution``
        (``quantiles``) and, for the histogram, ``per_run`` (a DataFrame with a
        ``forecast`` column); without ``per_run`` only the median and the 5-95%
        range are drawn.
    """
    lo, hi = scale
    edges = np.linspace(lo, hi, bins + 1)
    centres = _floats((edges[:-1] + edges[1:]) / 2)
    data = []
    top = 1.0
    colours = _colours([r.model for r in results])
    for i, r in enumerate(results):
        colour = colours[i]
        ivs = list(getattr(r, "interventions", []) or [])
        label = esc(r.model) + (f" + {esc(', '.join(ivs))}" if ivs else "")
        per_run = getattr(r, "per_run", None)
        if per_run is not None and len(per_run):
            vals = per_run["forecast"].to_numpy(dtype=float)
            vals = vals[np.isfinite(vals)]
            counts, _ = np.histogram(np.clip(vals, lo, hi), bins=edges)
            share = 100 * counts / max(len(vals), 1)
            top = max(top, float(share.max()) if len(share) else 1.0)
            data.append(
                {
                    "type": "bar",
                    "x": centres,
                    "y": _floats(share),
                    "width": _floats(np.diff(edges)),
                    "name": f"{label} ({r.runs:,} runs)",
                    "marker": {
                        "color": colour,
                        "opacity": 0.55,
                        "line": {"color": colour, "width": 1},
                    },
                    "hovertemplate": f"{label}<br>%{{x:.1f}}: %{{y:.1f}}% of runs<extra></extra>",
                }
            )
    for i, r in enumerate(results):
        colour = colours[i]
        ivs = list(getattr(r, "interventions", []) or [])
        label = esc(r.model) + (f" + {esc(', '.join(ivs))}" if ivs else "")
        q = r.distribution.quantiles
        q05, q50, q95 = (float(q.get(p, math.nan)) for p in (0.05, 0.5, 0.95))
        y = -top * (0.06 + 0.07 * i)
        data.append(
            {
                "type": "scatter",
                "x": [q50],
                "y": [y],
                "mode": "markers",
                "showlegend": False,
                "name": f"{label} median",
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [q95 - q50],
                    "arrayminus": [q50 - q05],
                    "color": colour,
                    "thickness": 2,
                    "width": 6,
                },
                "marker": {
                    "color": colour,
                    "size": 11,
                    "symbol": "diamond",
                    "line": {"color": "#222", "width": 0.6},
                },
                "hovertemplate": f"{label}<br>median %{{x:.2f}}<br>input noise only: 90% of "
                f"runs in {q05:.2f} … {q95:.2f}<extra></extra>",
            }
        )
    rows = len(results)
    by_model = {r.model: colours[i] for i, r in enumerate(results)}
    for model, (point, c_lo, c_hi) in (calibrated or {}).items():
        colour = by_model.get(model, "#555")
        y = -top * (0.06 + 0.07 * rows)
        rows += 1
        name = f"{esc(model)}: calibrated 90% (DEU III residuals)"
        data.append(
            {
                "type": "scatter",
                "x": _floats([c_lo, point, c_hi]),
                "y": [y, y, y],
                "mode": "lines+markers",
                "name": name,
                "line": {"color": colour, "dash": "dot", "width": 2},
                "marker": {
                    "color": colour,
                    "size": [6, 10, 6],
                    "symbol": ["line-ns-open", "circle-open", "line-ns-open"],
                },
                "hovertemplate": f"{name}<br>point forecast {float(point):.2f}<br>interval "
                f"{float(c_lo):.2f} … {float(c_hi):.2f} (not input noise)<extra></extra>",
            }
        )
    shapes, notes = _refs(_vline(observed, "observed", "#000", "dash"))
    step = _nice_step(top)
    ticks = [round(step * k, 6) for k in range(int(top // step) + 2)]
    return _figure(
        data,
        esc(title),
        scale_title(lo, hi, labels),
        "Share of runs, %",
        yaxis={
            "range": [-top * (0.1 + 0.07 * rows), top * 1.08],
            "tickvals": ticks,
            "tickmode": "array",
        },
        xaxis=scale_axis(lo, hi, labels),
        shapes=shapes,
        annotations=notes,
        barmode="overlay",
        bargap=0,
        height=400,
        margin={"l": 70, "r": 20, "t": 50, "b": 80},
    )


def tornado_figure(
    rows: Sequence[Mapping[str, Any]],
    base: float,
    title: str = "One-at-a-time sensitivity",
    x_title: str = "Forecast, scale points",
    top: int = 15,
) -> Figure:
    """Tornado chart: the forecast at the low and at the high value of each input.

    Parameters
    ----------
    rows : sequence of mappings
        Each with ``label`` (e.g. "Russia: position"), ``low`` and ``high`` (the
        forecast with that input at its low / high value). Sorted by swing, the
        ``top`` largest shown, the largest at the top.
    base : float
        The forecast at the nominal inputs.
    """
    items = sorted(rows, key=lambda r: abs(float(r["high"]) - float(r["low"])), reverse=True)
    items = list(items[:top])[::-1]
    ylab = [esc(r["label"], 48) for r in items]
    lows = np.array([float(r["low"]) for r in items])
    highs = np.array([float(r["high"]) for r in items])
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": ylab,
            "x": _floats(lows - base),
            "base": base,
            "name": "input at its low value",
            "marker": {"color": OKABE_ITO[0]},
            "customdata": _floats(lows),
            "hovertemplate": "%{y}<br>low input: forecast %{customdata:.2f}<extra></extra>",
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": ylab,
            "x": _floats(highs - base),
            "base": base,
            "name": "input at its high value",
            "marker": {"color": OKABE_ITO[1]},
            "customdata": _floats(highs),
            "hovertemplate": "%{y}<br>high input: forecast %{customdata:.2f}<extra></extra>",
        },
    ]
    shapes, notes = _refs(_vline(base, f"nominal {base:.2f}", "#000", "solid"))
    return _figure(
        data,
        esc(title),
        x_title,
        "Input",
        height=max(260, 100 + 24 * len(items)),
        barmode="overlay",
        shapes=shapes,
        annotations=notes,
        yaxis={"categoryorder": "array", "categoryarray": ylab},
    )


def interventions_figure(
    rows: Sequence[Mapping[str, Any]],
    scale: tuple[float, float],
    labels: Mapping[float, str] | None = None,
    title: str = "Interventions compared",
) -> Figure:
    """Forecast under each what-if, per model, with the baseline first.

    Parameters
    ----------
    rows : sequence of mappings
        Each with ``variant`` (display name; e.g. "baseline"), ``model``,
        ``forecast`` and optionally ``low`` / ``high`` (an uncertainty interval,
        drawn as a whisker).
    """
    variants: list[str] = []
    models: list[str] = []
    for r in rows:
        if r["variant"] not in variants:
            variants.append(r["variant"])
        if r["model"] not in models:
            models.append(r["model"])
    ylab = {v: esc(v, 48) for v in variants}
    data = []
    for i, m in enumerate(models):
        mine = [r for r in rows if r["model"] == m]
        trace: dict[str, Any] = {
            "type": "scatter",
            "x": [float(r["forecast"]) for r in mine],
            "y": [ylab[r["variant"]] for r in mine],
            "mode": "markers",
            "name": esc(m),
            "marker": {
                "color": model_colour(m, i),
                "size": 12,
                "symbol": SYMBOLS[i % len(SYMBOLS)],
                "line": {"color": "#222", "width": 0.6},
            },
            "hovertemplate": f"{esc(m)}<br>%{{y}}: %{{x:.2f}}<extra></extra>",
        }
        if all(r.get("low") is not None and r.get("high") is not None for r in mine):
            trace["error_x"] = {
                "type": "data",
                "symmetric": False,
                "thickness": 1.5,
                "color": model_colour(m, i),
                "array": [float(r["high"]) - float(r["forecast"]) for r in mine],
                "arrayminus": [float(r["forecast"]) - float(r["low"]) for r in mine],
            }
        data.append(trace)
    return _figure(
        data,
        esc(title),
        scale_title(*scale, labels),
        "What-if",
        height=max(260, 120 + 36 * len(variants)),
        xaxis=scale_axis(*scale, labels),
        yaxis={"categoryorder": "array", "categoryarray": [ylab[v] for v in variants][::-1]},
        margin={"l": 70, "r": 20, "t": 50, "b": 80},
    )


def errors_figure(
    table: Any, models: Sequence[str], title: str = "Forecast against observed outcome"
) -> Figure:
    """Per issue with a known outcome: each model's final forecast and the observed value.

    ``table`` is a DataFrame with ``issue``, ``observed`` and a column per model (as
    the first value of :func:`crossroads.summary.forecast_table`).
    """
    df = table[table["observed"].notna()]
    issues = [esc(i) for i in df["issue"]]
    data = []
    for i, m in enumerate(models):
        if m not in df:
            continue
        err = (df[m].astype(float) - df["observed"].astype(float)).abs()
        data.append(
            {
                "type": "scatter",
                "x": _floats(df[m]),
                "y": issues,
                "mode": "markers",
                "name": esc(m),
                "customdata": _floats(err),
                "marker": {
                    "color": model_colour(m, i),
                    "size": 11,
                    "symbol": SYMBOLS[i % len(SYMBOLS)],
                },
                "hovertemplate": f"{esc(m)}<br>%{{y}}: %{{x:.1f}} (error %{{customdata:.1f}})"
                "<extra></extra>",
            }
        )
    data.append(
        {
            "type": "scatter",
            "x": _floats(df["observed"]),
            "y": issues,
            "mode": "markers",
            "name": "observed",
            "marker": {"color": "#000", "size": 16, "symbol": "line-ns", "line": {"width": 3}},
            "hovertemplate": "observed<br>%{y}: %{x:.1f}<extra></extra>",
        }
    )
    return _figure(
        data,
        esc(title),
        "Position on each issue's scale, points",
        "Issue",
        height=max(260, 110 + 40 * len(df)),
    )


def sobol_figure(table: Any, title: str = "Sobol indices", top: int = 15) -> Figure:
    """First-order and total Sobol indices of the most important inputs, with intervals.

    ``table`` has columns ``input``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` and is
    ranked (as :attr:`crossroads.SensitivityResult.table` for ``method='sobol'``).
    """
    t = table.head(top).iloc[::-1]
    ylab = [esc(x, 48) for x in t["input"]]
    data = []
    for col, conf, name, colour in (
        ("S1", "S1_conf", "first order (alone)", OKABE_ITO[0]),
        ("ST", "ST_conf", "total (with interactions)", OKABE_ITO[1]),
    ):
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": ylab,
                "x": _floats(t[col]),
                "name": name,
                "marker": {"color": colour},
                "error_x": {
                    "type": "data",
                    "array": _floats(t[conf]),
                    "color": "#333",
                    "thickness": 1,
                },
                "hovertemplate": f"%{{y}}<br>{name}: %{{x:.3f}}<extra></extra>",
            }
        )
    return _figure(
        data,
        esc(title),
        "Sobol index (share of the forecast's variance, 0-1)",
        "Input",
        height=max(260, 100 + 30 * len(t)),
        barmode="group",
        yaxis={"categoryorder": "array", "categoryarray": ylab},
    )


_STATUS_COLOURS = {"met": OKABE_ITO[2], "not met": OKABE_ITO[3], "unknown": "#c8c8c8"}


def status_figure(
    rows: Sequence[str],
    years: Sequence[int],
    status: Sequence[Sequence[str]],
    title: str = "Status by year",
) -> Figure:
    """A grid of met / not met / unknown per benchmark (row) and year (column).

    Colours: bluish green met, vermillion not met, grey unknown; the cell text
    says the status too, so colour is never the only cue.
    """
    code = {"not met": 0, "unknown": 1, "met": 2}
    z = [[code.get(v, 1) for v in r] for r in status]
    ylab = [esc(r, 48) for r in rows]
    colours = [_STATUS_COLOURS["not met"], _STATUS_COLOURS["unknown"], _STATUS_COLOURS["met"]]
    data = [
        {
            "type": "heatmap",
            "z": z,
            "x": [str(y) for y in years],
            "y": ylab,
            "zmin": 0,
            "zmax": 2,
            "colorscale": [
                [0, colours[0]],
                [1 / 3, colours[0]],
                [1 / 3, colours[1]],
                [2 / 3, colours[1]],
                [2 / 3, colours[2]],
                [1, colours[2]],
            ],
            "showscale": False,
            "xgap": 2,
            "ygap": 2,
            "text": [list(r) for r in status],
            "texttemplate": "%{text}",
            "hovertemplate": "%{y}<br>%{x}: %{text}<extra></extra>",
        }
    ]
    return _figure(
        data,
        esc(title),
        "Year",
        "Benchmark",
        legend=False,
        height=max(240, 100 + 32 * len(rows)),
        xaxis={"type": "category", "showgrid": False},
        yaxis={"showgrid": False, "autorange": "reversed"},
    )


# --- the system -----------------------------------------------------------------------------

_KIND_STYLE = {
    "state": (OKABE_ITO[0], "circle"),
    "bloc": (OKABE_ITO[4], "hexagon"),
    "organisation": (OKABE_ITO[1], "square"),
    "company": (OKABE_ITO[3], "diamond"),
    "ngo": (OKABE_ITO[2], "triangle-up"),
    "group": (OKABE_ITO[5], "circle"),
    "agreement": ("#9a9a9a", "star"),
}
_EDGE_STYLE = {
    "membership": ("#8c8c8c", "solid"),
    "party": ("#c9a15b", "dot"),
    "flow": (OKABE_ITO[0], "dash"),
    "part of": (OKABE_ITO[4], "solid"),
    "led by": (OKABE_ITO[3], "dashdot"),
}


#: The relations chart's plot area in layout units: width (height is 1); about the plot's
#: aspect on a report page, so distances and label boxes are in proportion on screen.
_NET_ASPECT = 1.45
#: Label box estimates in layout units for the chart at about 880 x 600 px: a character
#: of 10 px text is ~5.6 px wide, a line 13 px high, a marker ~12 px across.
_NET_CHAR, _NET_LINE, _NET_GAP = 0.0093, 0.022, 0.012
#: Where a label can sit around its node, as Plotly's textposition and a unit direction.
_NET_SPOTS = (
    ("middle right", 1.0, 0.0),
    ("middle left", -1.0, 0.0),
    ("top center", 0.0, 1.0),
    ("bottom center", 0.0, -1.0),
    ("top right", 0.7, 0.7),
    ("top left", -0.7, 0.7),
    ("bottom right", 0.7, -0.7),
    ("bottom left", -0.7, -0.7),
)


def network_layout(g: Any, seed: int = 7, spacing: float = 0.075) -> dict[Any, tuple[float, float]]:
    """Node positions of a relations graph: Kamada-Kawai, then nodes pushed apart.

    Kamada & Kawai (1989), "An algorithm for drawing general undirected graphs",
    *Information Processing Letters* 31(1): nodes placed so that distances on the page
    follow path lengths in the graph, which spaces them more evenly than a spring
    layout. Unconnected pairs count as one step further apart than the longest path.
    Positions are then scaled to ``[0, _NET_ASPECT] x [0, 1]`` and any two nodes closer
    than ``spacing`` are pushed apart (vectorised over all pairs), leaving room for labels.
    Deterministic: the same graph and ``seed`` always give the same positions.
    """
    import networkx as nx

    nodes = list(g.nodes)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (_NET_ASPECT / 2, 0.5)}
    paths = dict(nx.all_pairs_shortest_path_length(g))
    far = 1 + max((d for row in paths.values() for d in row.values()), default=1)
    dist = {u: {v: paths.get(u, {}).get(v, far) for v in nodes} for u in nodes}
    start = nx.spring_layout(g, seed=seed)
    pos = nx.kamada_kawai_layout(g, dist=dist, pos=start)
    xy = np.array([pos[n] for n in nodes], dtype=float)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    xy = (xy - lo) / span * np.array([_NET_ASPECT, 1.0])
    for _ in range(200):
        d = xy[:, None, :] - xy[None, :, :]
        r = np.hypot(d[..., 0], d[..., 1])
        np.fill_diagonal(r, np.inf)
        short = np.clip(spacing - r, 0.0, None)
        if not short.any():
            break
        r = np.where(r == 0, 1e-9, r)
        xy += 0.5 * (d / r[..., None] * short[..., None]).sum(axis=1)
        xy = np.clip(xy, [0.0, 0.0], [_NET_ASPECT, 1.0])
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, xy, strict=True)}


def _box(x: float, y: float, w: float, h: float, dx: float, dy: float) -> np.ndarray:
    """The box (x0, y0, x1, y1) of a ``w`` x ``h`` label placed in direction (dx, dy)."""
    cx = x + dx * (_NET_GAP + w / 2) if dx else x
    cy = y + dy * (_NET_GAP + h / 2) if dy else y
    if dx and dy:  # a corner: the box touches the node's diagonal
        cx, cy = (
            x + np.sign(dx) * (_NET_GAP * 0.7 + w / 2),
            y + np.sign(dy) * (_NET_GAP * 0.7 + h / 2),
        )
    return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])


def label_spots(
    xy: np.ndarray, labels: Sequence[str], order: Sequence[int] | None = None
) -> list[str]:
    """A Plotly ``textposition`` per node that keeps labels off each other and off nodes.

    Greedy placement (Christensen, Marks & Shieber 1995, "An empirical study of
    algorithms for point-feature label placement", *ACM Trans. Graphics* 14(3)): in
    ``order`` (default: as given), each label takes the one of eight spots around its
    node whose box overlaps least with the labels already placed, the other nodes and
    the edge of the chart; ties go to the right, left, top, bottom in that order.
    """
    n = len(labels)
    sizes = [(_NET_CHAR * max(len(t), 1), _NET_LINE) for t in labels]
    r = _NET_GAP * 0.8
    nodes = (
        np.column_stack([xy[:, 0] - r, xy[:, 1] - r, xy[:, 0] + r, xy[:, 1] + r])
        if n
        else np.zeros((0, 4))
    )
    placed: list[np.ndarray] = []
    out = [""] * n
    for i in order if order is not None else range(n):
        w, h = sizes[i]
        best, best_cost = _NET_SPOTS[0][0], math.inf
        for name, dx, dy in _NET_SPOTS:
            b = _box(float(xy[i, 0]), float(xy[i, 1]), w, h, dx, dy)
            others = (
                np.vstack([nodes[np.arange(n) != i]] + placed)
                if n > 1 or placed
                else np.zeros((0, 4))
            )
            ox = np.clip(np.minimum(b[2], others[:, 2]) - np.maximum(b[0], others[:, 0]), 0, None)
            oy = np.clip(np.minimum(b[3], others[:, 3]) - np.maximum(b[1], others[:, 1]), 0, None)
            outside = max(0.0, -0.1 - b[0]) + max(0.0, b[2] - _NET_ASPECT - 0.1)
            outside += max(0.0, -0.06 - b[1]) + max(0.0, b[3] - 1.06)
            cost = float((ox * oy).sum()) + outside * h
            if cost < best_cost - 1e-12:
                best, best_cost = name, cost
                best_box = b
        out[i] = best
        placed.append(best_box[None, :])
    return out


def _short_label(label: str, limit: int = 22) -> str:
    """A short chart label: the label itself, its acronym in brackets, or cut with '…'."""
    s = str(label)
    if len(s) <= limit:
        return s
    if s.endswith(")") and "(" in s:
        acronym = s[s.rindex("(") + 1 : -1]
        if 0 < len(acronym) <= limit and acronym.isalnum() and acronym[0].isupper():
            return acronym
    return s[: limit - 1] + "…"


def network_figure(
    nodes: Sequence[Mapping[str, Any]],
    edges: Sequence[Mapping[str, Any]],
    title: str = "Relations: actors, organisations and agreements",
    seed: int = 7,
) -> Figure:
    """The relations graph, every node labelled (agreements by a short name).

    Nodes are placed by :func:`network_layout` and labels by :func:`label_spots`, the
    best-connected nodes first; the hover gives each node's full name.

    Parameters
    ----------
    nodes : sequence of mappings
        ``id``, ``label``, ``kind`` (actor kind or ``agreement``), optional ``hover``.
    edges : sequence of mappings
        ``source``, ``target``, ``kind`` (membership, party, flow, ...).
    seed : int
        Seed of the layout's starting point, so the same scenario is always drawn the
        same way.
    """
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(n["id"] for n in nodes)
    for e in edges:
        if e["source"] in g and e["target"] in g and e["source"] != e["target"]:
            g.add_edge(e["source"], e["target"])
    pos = network_layout(g, seed=seed)
    degree = dict(g.degree())
    shown = [n for n in nodes if n["id"] in pos]
    texts = [_short_label(n["label"], 18 if n["kind"] == "agreement" else 26) for n in shown]
    xy = np.array([pos[n["id"]] for n in shown], dtype=float).reshape(-1, 2)
    order = sorted(range(len(shown)), key=lambda k: (-degree.get(shown[k]["id"], 0), k))
    spots = dict(zip((n["id"] for n in shown), label_spots(xy, texts, order), strict=True))
    text_of = dict(zip((n["id"] for n in shown), texts, strict=True))
    data = []
    edge_kinds: list[str] = []
    for e in edges:
        if e.get("kind", "tie") not in edge_kinds:
            edge_kinds.append(e.get("kind", "tie"))
    for kind in edge_kinds:
        colour, dash = _EDGE_STYLE.get(kind, ("#bbbbbb", "solid"))
        xs: list[float | None] = []
        ys: list[float | None] = []
        for e in edges:
            if e.get("kind", "tie") != kind or e["source"] not in pos or e["target"] not in pos:
                continue
            (x0, y0), (x1, y1) = pos[e["source"]], pos[e["target"]]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "name": f"{esc(kind)} tie",
                "line": {"color": colour, "width": 1, "dash": dash},
                "opacity": 0.7,
                "hoverinfo": "skip",
            }
        )
    node_kinds: list[str] = []
    for n in shown:
        if n["kind"] not in node_kinds:
            node_kinds.append(n["kind"])
    for kind in node_kinds:
        mine = [n for n in shown if n["kind"] == kind]
        colour, symbol = _KIND_STYLE.get(kind, ("#444444", "circle"))
        agreement = kind == "agreement"
        data.append(
            {
                "type": "scatter",
                "x": [pos[n["id"]][0] for n in mine],
                "y": [pos[n["id"]][1] for n in mine],
                "mode": "markers+text",
                "name": esc(kind),
                "text": [esc(text_of[n["id"]]) for n in mine],
                "textposition": [spots[n["id"]] for n in mine],
                "textfont": {
                    "size": 9 if agreement else 10,
                    "color": "#555" if agreement else "#222",
                },
                "hovertext": [esc(n.get("hover") or n["label"]) for n in mine],
                "hoverinfo": "text",
                "cliponaxis": False,
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "line": {"color": "#222", "width": 0.7},
                    "size": [8 + 2.4 * math.sqrt(degree.get(n["id"], 0)) for n in mine],
                },
            }
        )
    hidden = {"showticklabels": False, "showgrid": False, "showline": False, "ticks": ""}
    return _figure(
        data,
        esc(title),
        "",
        "",
        height=680,
        xaxis=hidden | {"range": [-0.12, _NET_ASPECT + 0.12]},
        yaxis=hidden | {"range": [-0.07, 1.07]},
        legend_box={"orientation": "h", "x": 0, "y": -0.02, "yanchor": "top"},
        margin={"l": 20, "r": 20, "t": 50, "b": 40},
    )


def dependence_figure(
    rows: Iterable[Mapping[str, Any]],
    title: str = "Dependence over time",
    y_title: str = "Share, %",
    height: int = 420,
) -> Figure:
    """Lines over years: one per series, e.g. each partner's share of exports.

    Parameters
    ----------
    rows : iterable of mappings
        ``year``, ``series`` (legend label) and ``value`` (already in the unit of
        ``y_title``); rows with a missing value are left out.
    """
    series: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        v = r.get("value")
        if v is None:
            continue
        try:
            v = float(v)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(v):
            continue
        series.setdefault(str(r["series"]), []).append((float(r["year"]), v))
    data = []
    for i, (label, pts) in enumerate(series.items()):
        pts.sort()
        st = series_style(i)
        data.append(
            {
                "type": "scatter",
                "x": [p[0] for p in pts],
                "y": [p[1] for p in pts],
                "mode": "lines+markers",
                "name": esc(label, 48),
                "line": {"color": st["color"], "dash": st["dash"], "width": 2},
                "marker": {"symbol": st["symbol"], "size": 6},
                "hovertemplate": f"{esc(label)}<br>%{{x}}: %{{y:.1f}}<extra></extra>",
            }
        )
    years = sorted({p[0] for pts in series.values() for p in pts})
    span = (years[-1] - years[0]) if years else 0
    xaxis: dict[str, Any] = {"tickformat": "d"}
    if span <= 12:
        xaxis.update(
            dtick=1, range=[(years[0] if years else 0) - 0.5, (years[-1] if years else 1) + 0.5]
        )
    return _figure(
        data,
        esc(title),
        "Year",
        esc(y_title),
        height=height,
        xaxis=xaxis,
        yaxis={"rangemode": "tozero"},
    )


# --- output ---------------------------------------------------------------------------------


# --- linked issues and plans ---------------------------------------------------------------


def moved_figure(moved: Any, title: str = "Who gave ground on what") -> Figure:
    """Actors (rows) x issues (columns): how far each actor moved its position over the
    exchanges, as a share of the issue's scale (:meth:`LinkedSetSummary.moved`).

    A diverging heatmap (blue: towards the scale's low end, orange: towards its high end,
    white: no move), the value written in every cell so colour is never the only cue.
    """
    z = moved.to_numpy(dtype=float)
    top = float(np.nanmax(np.abs(z))) if z.size and np.isfinite(z).any() else 1.0
    top = top or 1.0
    text = [[f"{v:+.1f}" if abs(v) > 1e-9 else "0" for v in row] for row in z]
    data = [
        {
            "type": "heatmap",
            "z": [_floats(r) for r in z],
            "x": [esc(c) for c in moved.columns],
            "y": [esc(a, 40) for a in moved.index],
            "zmin": -top,
            "zmax": top,
            "colorscale": [[0, OKABE_ITO[0]], [0.5, "#ffffff"], [1, OKABE_ITO[1]]],
            "colorbar": {"title": {"text": "move, % of scale"}},
            "xgap": 2,
            "ygap": 2,
            "text": text,
            "texttemplate": "%{text}",
            "hovertemplate": "%{y} on %{x}: %{z:+.1f}% of the scale<extra></extra>",
        }
    ]
    return _figure(
        data,
        esc(title),
        "Issue",
        "Actor",
        legend=False,
        height=max(240, 110 + 30 * len(moved)),
        xaxis={"type": "category", "showgrid": False},
        yaxis={"showgrid": False, "autorange": "reversed", "type": "category"},
    )


def with_without_figure(
    comparison: Any,
    scales: Mapping[str, tuple[float, float]],
    names: Mapping[str, str] | None = None,
    title: str = "With and without the link",
) -> Figure:
    """Each issue's mean forecast with its 5-95% range, per variant (the baseline and each
    intervention that switches the link), on common random numbers.

    ``comparison`` is :attr:`LinkedSetSummary.comparison`; positions are drawn as a
    share of each issue's scale (``scales``: issue -> (min, max)) so issues on different
    scales share the axis; the hover gives the value on the issue's own scale.
    """
    names = names or {}
    variants = list(dict.fromkeys(comparison["variant"]))
    issues = list(dict.fromkeys(comparison["issue"]))
    data = []
    for k, v in enumerate(variants):
        rows = comparison[comparison["variant"] == v].set_index("issue").reindex(issues)
        lo = np.array([scales[i][0] for i in issues], dtype=float)
        span = np.array([scales[i][1] - scales[i][0] for i in issues], dtype=float)
        span[span == 0] = 1.0

        def pct(col: str, rows=rows, lo=lo, span=span) -> np.ndarray:
            return (rows[col].to_numpy(dtype=float) - lo) / span * 100.0

        mean, q05, q95 = pct("mean"), pct("q05"), pct("q95")
        linked = bool(rows["linked"].iloc[0])
        label = "baseline" if v == "baseline" else names.get(v, v)
        label = f"{label} ({'linked' if linked else 'not linked'})"
        short = v
        colour = OKABE_ITO[k % 7]
        data.append(
            {
                "type": "scatter",
                "x": _floats(mean),
                "y": [f"{esc(i)} · {esc(short, 24)}" for i in issues],
                "mode": "markers",
                "name": esc(label, 60),
                "marker": {"color": colour, "size": 12, "symbol": SYMBOLS[k % len(SYMBOLS)],
                           "line": {"color": "#222", "width": 0.6}},
                "error_x": {"type": "data", "symmetric": False, "thickness": 1.5,
                            "color": colour, "array": _floats(q95 - mean),
                            "arrayminus": _floats(mean - q05)},
                "customdata": [
                    [float(a), float(b), float(c)]
                    for a, b, c in zip(rows["mean"], rows["q05"], rows["q95"], strict=True)
                ],
                "hovertemplate": f"{esc(label, 60)}<br>%{{y}}: mean %{{customdata[0]:.2f}} "
                "(5-95%: %{customdata[1]:.2f} to %{customdata[2]:.2f})<extra></extra>",
            }
        )  # fmt: skip
    return _figure(
        data,
        esc(title),
        "Forecast, % of scale (mean; whiskers 5-95%)",
        "Issue · variant",
        height=max(260, 140 + 30 * len(issues) * len(variants)),
        xaxis={"range": [-3, 103]},
        yaxis={
            "type": "category",
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": [f"{esc(i)} · {esc(v, 24)}" for i in issues for v in variants][::-1],
        },
        legend_box={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        margin={"l": 70, "r": 20, "t": 80, "b": 60},
    )


def frontier_figure(
    plans: Sequence[Any], required: float, title: str = "Cost against probability"
) -> Figure:
    """The cost-probability frontier of one aim under each model (each a
    :class:`~crossroads.planning.PlanResult`): every evaluated package as a small dot, the
    frontier as a step line, the best package ringed, the required probability a line."""
    data: list[dict[str, Any]] = []
    unit = next((p.unit for p in plans if p.unit), None)
    colours = _colours([p.model for p in plans])
    for k, p in enumerate(plans):
        colour = colours[k]
        front = p.frontier
        data.append(
            {
                "type": "scatter",
                "x": [q.cost for q in p.packages],
                "y": [q.probability for q in p.packages],
                "mode": "markers",
                "name": esc(f"{p.model}: every package"),
                "legendgroup": esc(p.model),
                "marker": {"color": colour, "size": 6, "opacity": 0.45,
                           "symbol": SYMBOLS[k % len(SYMBOLS)]},
                "text": [esc(q.label, 80) for q in p.packages],
                "hovertemplate": f"{esc(p.model)}<br>%{{text}}<br>cost %{{x:g}}, "
                "P = %{y:.3f}<extra></extra>",
            }
        )  # fmt: skip
        data.append(
            {
                "type": "scatter",
                "x": [q.cost for q in front],
                "y": [q.probability for q in front],
                "mode": "lines+markers",
                "line": {"shape": "hv", "color": colour, "width": 2},
                "marker": {"color": colour, "size": 9, "symbol": SYMBOLS[k % len(SYMBOLS)]},
                "name": esc(f"{p.model}: frontier"),
                "legendgroup": esc(p.model),
                "text": [esc(q.label, 80) for q in front],
                "hovertemplate": f"{esc(p.model)} frontier<br>%{{text}}<br>cost %{{x:g}}, "
                "P = %{y:.3f}<extra></extra>",
            }
        )
        if p.best is not None:
            b = p.best
            data.append(
                {
                    "type": "scatter",
                    "x": [b.cost],
                    "y": [b.probability],
                    "mode": "markers+text",
                    "name": esc(f"{p.model}: cheapest reaching it"),
                    "legendgroup": esc(p.model),
                    "marker": {"color": "rgba(0,0,0,0)", "size": 20,
                               "line": {"color": colour, "width": 3}},
                    "text": [esc(b.label, 40)],
                    "textposition": "top center",
                    "hovertemplate": f"{esc(p.model)} best: {esc(b.label, 80)}<br>cost "
                    "%{x:g}, P = %{y:.3f}<extra></extra>",
                }
            )  # fmt: skip
    shapes, notes = _refs(_hline(required, f"required P = {required:g}", "#222", "dash"))
    return _figure(
        data,
        esc(title),
        f"Cost of the package{f' ({esc(unit)})' if unit else ''}",
        "Probability of reaching the target",
        height=420,
        yaxis={"range": [-0.03, 1.05]},
        shapes=shapes,
        annotations=notes,
    )


def figure_json(fig: Figure) -> str:
    """The figure as compact JSON, safe to embed inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` only occur inside JSON strings; written as ``\\u003c`` etc.
    they can never close the element, and JSON.parse restores them.
    """
    text = dumps(fig, compact=True, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def as_figure(fig: Figure) -> Any:
    """A validated :class:`plotly.graph_objects.Figure` of ``fig`` (raises on a bad property)."""
    import plotly.graph_objects as go

    return go.Figure(fig)
