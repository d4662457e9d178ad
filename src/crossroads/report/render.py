"""Render the report context into one self-contained HTML file, and write it atomically."""

from __future__ import annotations

import functools
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from crossroads.errors import CrossroadsError
from crossroads.scenario import Scenario, load

__all__ = ["Report", "build_report", "jinja_env", "plotly_js", "render_report", "write_report"]


@functools.cache
def plotly_js() -> str:
    """Plotly's bundled ``plotly.min.js`` (from the installed plotly package, no network)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@functools.cache
def jinja_env() -> jinja2.Environment:
    """The report's Jinja environment: package templates, autoescape on, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crossroads.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.tests["long_token"] = _long_token
    return env


#: a word longer than this (a URL, a long id) may break anywhere in a narrow cell; shorter
#: words never break, so a column is at least as wide as its longest ordinary word
LONG_TOKEN = 30


def _long_token(v: Any) -> bool:
    """Whether the text of ``v`` holds a word longer than :data:`LONG_TOKEN` characters."""
    return isinstance(v, str) and any(len(w) > LONG_TOKEN for w in v.split())


def _num(v: Any, digits: int = 2) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return ", ".join(_num(x, digits) for x in v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if x != x:  # NaN
        return ""
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:,.0f}"


@dataclass(frozen=True)
class Report:
    """A rendered report.

    Attributes
    ----------
    html : str
        The whole self-contained document.
    scenario : str
        The scenario id.
    figures : int
        Number of Plotly figures in it.
    unavailable : list of (str, str)
        Sections that could not be shown, with the reason (also stated in the page).
    """

    html: str
    scenario: str
    figures: int
    unavailable: list[tuple[str, str]]


def build_report(
    scenario: Scenario | str | Path,
    *,
    models: Sequence[str] | None = None,
    presets: Mapping[str, str] | None = None,
    runs: int = 1000,
    seed: int = 0,
    sensitivity: str | None = "oat",
    focus_model: str | None = None,
    year: int | None = None,
) -> Report:
    """Compute and render the HTML report of ``scenario``.

    Parameters
    ----------
    scenario : Scenario, str or Path
        A scenario or anything :func:`crossroads.load` accepts.
    models : sequence of str, optional
        Models to run on every issue (default ``mean``, ``median``, ``eum``: those present).
    presets : mapping, optional
        Model name -> preset name.
    runs : int
        Ensemble runs per issue and model; 0 leaves ensembles out.
    seed : int
        Seed of ensembles, sensitivity studies and comparisons.
    sensitivity : {'oat', 'sobol'} or None
        Sensitivity study per issue with ``focus_model``; None leaves it out.
    focus_model : str, optional
        Model of the sensitivity study and of the what-if comparison with
        uncertainty (default ``eum`` if run, else the first model).
    year : int, optional
        Year of the relations network and conditionality status (default: the
        scenario's ``year``).

    Returns
    -------
    Report
    """
    from crossroads.models import model_names
    from crossroads.report.build import ReportOptions, build_context

    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    if runs < 0:
        raise CrossroadsError(f"runs must be >= 0, got {runs}")
    if sensitivity not in (None, "oat", "sobol"):
        raise CrossroadsError(f"sensitivity must be 'oat', 'sobol' or none, got {sensitivity!r}")
    have = model_names()
    for m in list(models or []) + ([focus_model] if focus_model else []):
        if m not in have:
            raise CrossroadsError(
                f"unknown or unavailable model '{m}'; available: {', '.join(have)}"
            )
    if models is not None and not models:
        raise CrossroadsError("choose at least one model")
    opts = ReportOptions(
        models=list(models) if models is not None else None,
        presets=dict(presets or {}),
        runs=runs,
        seed=seed,
        sensitivity=sensitivity,
        focus_model=focus_model,
        year=year,
    )
    ctx = build_context(sc, opts)
    html = render_report(ctx)
    return Report(html, sc.id, len(ctx["figures"]), list(ctx["unavailable"]))


def render_report(ctx: dict[str, Any]) -> str:
    """The HTML of a context from :func:`crossroads.report.build.build_context`."""
    template = jinja_env().get_template("report.html.j2")
    css = jinja_env().loader.get_source(jinja_env(), "report.css")[0]  # type: ignore[union-attr]
    return template.render(**ctx, plotly_js=plotly_js(), css=css)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def report_filename(scenario_id: str) -> str:
    """``<scenario>-report.html`` with anything but letters, digits, ``._-`` replaced."""
    return f"{_SAFE.sub('-', scenario_id).strip('.-') or 'scenario'}-report.html"


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    A reader never sees a half-written file; on any error the temporary file is removed
    and ``path`` is left as it was.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_report(
    scenario: Scenario | str | Path,
    out_dir: str | Path,
    *,
    models: Sequence[str] | None = None,
    presets: Mapping[str, str] | None = None,
    runs: int = 1000,
    seed: int = 0,
    sensitivity: str | None = "oat",
    focus_model: str | None = None,
    year: int | None = None,
) -> Path:
    """Build the report of ``scenario`` and write ``out_dir/<scenario>-report.html`` atomically.

    Parameters
    ----------
    scenario : Scenario, str or Path
    out_dir : str or Path
        Created if missing.
    models, presets, runs, seed, sensitivity, focus_model, year
        As for :func:`build_report`.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    CrossroadsError
        When ``out_dir`` is not a folder or cannot be written.
    """
    out = Path(out_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise CrossroadsError(f"{out} exists and is not a folder")
    report = build_report(
        scenario,
        models=models,
        presets=presets,
        runs=runs,
        seed=seed,
        sensitivity=sensitivity,
        focus_model=focus_model,
        year=year,
    )
    try:
        out.mkdir(parents=True, exist_ok=True)
        path = out / report_filename(report.scenario)
        atomic_write(path, report.html)
    except OSError as e:
        raise CrossroadsError(f"cannot write the report in {out}: {e.strerror or e}") from None
    return path
