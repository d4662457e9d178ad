"""The HTML report: self-contained, every section present or said to be unavailable, escaped,
written atomically; its figures valid Plotly with labelled axes in a colour-blind-safe palette.

The report is also opened in a real browser (offline, every chart drawn) in test_browser.py.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pytest

import crossroads
from crossroads.cli import main
from crossroads.errors import CrossroadsError
from crossroads.report import build_report, write_report
from crossroads.report import figures as F
from crossroads.report.facts import citations
from crossroads.report.render import atomic_write, report_filename

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini.yaml"
XSS = ROOT / "tests" / "data" / "report-xss.yaml"

FIG_RE = re.compile(r'<script type="application/json" data-fig="([^"]+)">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def mini_report():
    return build_report(MINI, models=["mean", "median"], runs=256, seed=3)


@pytest.fixture(scope="module")
def builtin_report():
    # the whole built-in scenario with every model and every section (small ensembles)
    return build_report("kazakhstan-2010", runs=256, seed=1)


def figures_of(html: str) -> list[tuple[str, dict]]:
    return [(fid, json.loads(text)) for fid, text in FIG_RE.findall(html)]


# --- self-contained -------------------------------------------------------------------------


def test_plotly_embedded_once_and_nothing_fetched(mini_report):
    html = mini_report.html
    assert html.count("plotly.js v") == 1  # the bundle's licence header: one copy
    assert "<script src" not in html.lower()
    assert not re.search(r"<link[^>]+href=", html, re.I)
    assert "@import" not in html
    # a strict CSP forbids any fetch even if something tried
    assert "default-src 'none'" in html
    # every figure has a div to draw in, and the page counts them
    figs = figures_of(html)
    assert len(figs) == mini_report.figures > 5
    for fid, _ in figs:
        assert f'<div class="plot" id="{fid}"' in html
    assert f'data-plots-total="{len(figs)}"' in html


def test_builtin_report_has_every_section(builtin_report):
    html = builtin_report.html
    assert builtin_report.unavailable == []  # the built-in case has data for every section
    sc = crossroads.load()
    for sid in (
        "brief",
        "overview",
        "system",
        "relations",
        "dependence",
        "forecasts",
        "issues",
        "conditionality",
        "sources",
    ):
        assert f'id="{sid}"' in html
    for iss in sc.issues:
        assert f'id="issue-{iss.id}"' in html
    titles = html_lib.unescape(
        " ".join(fig["layout"]["title"]["text"] for _, fig in figures_of(html))
    )
    for what in (
        "Relations in 2010",
        "Stakes:",
        "Forecast by round",
        "each actor's position",
        "uncertain inputs",
        "Tornado",
        "What-ifs compared",
        "Forecast against observed",
    ):
        assert what in titles, what
    # one ensemble figure and one tornado per issue
    assert titles.count("Forecast under uncertain inputs") == len(sc.issues)
    assert titles.count("Tornado (eum)") == len(sc.issues)
    # the observed outcome and each model's error are in the issue's table
    obs = next(i for i in sc.issues if i.observed is not None)
    f = crossroads.forecast(sc, obs.id, "eum")
    assert f"{f.error:.2f}".rstrip("0").rstrip(".") in html
    assert "Benchmarks in 2010" in html and "What each incentive would change" in html
    # the built-in case records no dependence series over three or more years: listed, not drawn
    assert "Partners' shares" not in titles
    assert "Figures recorded for fewer than 3 years (listed, not charted)" in html
    # the same model as `crossroads benchmarks` (the CLI default), named in the caption
    assert "What each incentive would change (mean model)" in html


def test_every_figure_is_valid_plotly_with_labelled_axes(builtin_report):
    figs = figures_of(builtin_report.html)
    assert figs
    for fid, fig in figs:
        F.as_figure(fig)  # plotly validates every property; raises on a bad one
        lay = fig["layout"]
        assert lay["title"]["text"], fid
        if "network" in fid or lay["xaxis"].get("showticklabels") is False:
            continue
        assert lay["xaxis"]["title"]["text"], (fid, lay["title"]["text"])
        assert lay["yaxis"]["title"]["text"], (fid, lay["title"]["text"])
        if len([t for t in fig["data"] if t.get("showlegend", True)]) > 1:
            assert lay["showlegend"] is True, lay["title"]["text"]


def test_palette_is_okabe_ito():
    assert set(F.MODEL_COLOURS.values()) <= set(F.OKABE_ITO)
    # more series than colours: dashes tell them apart
    styles = [F.series_style(i) for i in range(14)]
    assert len({(s["color"], s["dash"]) for s in styles}) == 14


# --- sections that are not available ----------------------------------------------------------


def test_report_opens_with_the_brief(builtin_report):
    html = builtin_report.html
    sc = crossroads.load()
    start = html.index('<section id="brief">')
    end = html.index("</section>", start)
    assert start < html.index('<section id="overview">') < html.index('<section id="system">')
    brief = html_lib.unescape(html[start:end])
    for iss in sc.issues:
        assert f'<a href="#issue-{iss.id}">{iss.id}</a>' in brief
    assert "What would change these forecasts" in brief and "Aim pca-benchmarks" in brief
    assert "eum 90%" in brief and "biggest lever" in brief
    assert '<li><a href="#brief">Brief</a></li>' in html


def test_ensembles_turned_off_are_said_in_the_page():
    rep = build_report(MINI, models=["mean"], runs=0, sensitivity=None)
    names = [n for n, _ in rep.unavailable]
    assert any(n.endswith(": ensemble distribution") for n in names)
    assert "Ensemble distribution unavailable:" in rep.html  # runs=0
    assert "not computed (ensemble runs set to 0)" in rep.html
    assert ("brief", "not computed (ensemble runs set to 0)") in rep.unavailable
    assert "Brief unavailable:" in rep.html


# --- escaping ---------------------------------------------------------------------------------


def test_user_strings_are_escaped():
    rep = build_report(XSS, models=["mean", "median"], runs=128)
    html = rep.html
    sc = crossroads.load(XSS)
    # no user string reaches the page unescaped ...
    for raw in ("<script>window.__xss", "<img src=x", "<svg onload", "</script><script>"):
        assert raw not in html, raw
    # ... and each shows as text
    assert "&lt;script&gt;window.__xss=&#39;actor&#39;&lt;/script&gt;" in html
    assert sc.title.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;") in html
    # a javascript: URL is never a link
    assert 'href="javascript:' not in html
    # figure JSON: no raw '<' at all, and the labels are HTML-escaped for Plotly
    for _, text in FIG_RE.findall(html):
        assert "<" not in text
        assert "&lt;script" in json.dumps(json.loads(text)) or "window" not in text


def test_figure_json_cannot_close_the_script_element():
    fig = {
        "data": [{"type": "scatter", "name": "</script><script>alert(1)</script>"}],
        "layout": {},
    }
    text = F.figure_json(fig)
    assert "</" not in text and "<" not in text
    assert json.loads(text)["data"][0]["name"] == fig["data"][0]["name"]
    assert F.esc("<b>&") == "&lt;b&gt;&amp;"


# --- citations --------------------------------------------------------------------------------


def test_every_cited_fact_is_listed_under_its_source():
    sc = crossroads.load("kazakhstan-2010")
    by_source, uncited = citations(sc)
    cited = 0
    for coll in (
        sc.actors,
        sc.memberships,
        sc.agreements,
        sc.flows,
        sc.events,
        sc.issues,
        sc.interventions,
        sc.benchmarks,
        sc.observations,
        sc.incentives,
        sc.indicators,
    ):
        cited += sum(1 for x in coll if x.source)
    cited += sum(1 for i in sc.issues for s in i.stakes if s.source)
    cited += sum(1 for i in sc.issues if i.observed is not None and i.observed.source)
    assert sum(len(v) for v in by_source.values()) == cited
    assert set(by_source) >= {s.id for s in sc.sources}
    # the EU's 39.4% export share cites the paper with its footnote
    eu = [f for f in by_source["fpc-2010"] if f.kind == "flow" and "39.4%" in f.text]
    assert eu and eu[0].where


def test_report_lists_sources_with_facts(mini_report):
    html = mini_report.html
    assert 'id="src-paper"' in html
    assert "Kazakhstan (state)" in html  # the actor citing 'paper'
    assert "Facts without a source" in html


# --- writing ----------------------------------------------------------------------------------


def test_write_report_is_atomic(tmp_path, monkeypatch):
    out = tmp_path / "out"
    path = write_report(MINI, out, models=["mean"], runs=64, sensitivity=None)
    assert path == out / "mini-report.html"
    first = path.read_text()
    assert first.startswith("<!DOCTYPE html>") and first.rstrip().endswith("</html>")
    assert [p.name for p in out.iterdir()] == ["mini-report.html"]

    # a failure while writing leaves the old file as it was and no temporary file
    import crossroads.report.render as render

    def failing(fh_text_path, text):  # replaces os.replace's caller by failing mid-way
        raise OSError(28, "No space left on device")

    real_replace = render.os.replace
    monkeypatch.setattr(render.os, "replace", lambda *a: failing(*a))
    with pytest.raises(CrossroadsError, match="cannot write the report"):
        write_report(MINI, out, models=["median"], runs=64, sensitivity=None)
    monkeypatch.setattr(render.os, "replace", real_replace)
    assert path.read_text() == first
    assert [p.name for p in out.iterdir()] == ["mini-report.html"]


def test_atomic_write_never_leaves_partial_output(tmp_path):
    target = tmp_path / "x.html"

    class Boom(str):
        def __len__(self):  # pragma: no cover - not called
            return 0

    with pytest.raises(TypeError):
        atomic_write(target, 12345)  # type: ignore[arg-type]  # fails inside the write
    assert not target.exists() and list(tmp_path.iterdir()) == []
    atomic_write(target, "ok")
    assert target.read_text() == "ok"


def test_report_filename_is_safe():
    assert report_filename("kazakhstan-2010") == "kazakhstan-2010-report.html"
    assert "/" not in report_filename("../../etc/x")


def test_bad_options_are_clear_errors():
    with pytest.raises(CrossroadsError, match="unknown or unavailable model 'nope'"):
        build_report(MINI, models=["nope"])
    with pytest.raises(CrossroadsError, match="sensitivity must be"):
        build_report(MINI, sensitivity="magic")
    with pytest.raises(CrossroadsError, match="runs must be >= 0"):
        build_report(MINI, runs=-1)


def test_cli_report_prints_the_path(tmp_path, capsys):
    code = main(
        [
            "report",
            str(MINI),
            "-o",
            str(tmp_path),
            "--models",
            "mean,median",
            "--runs",
            "64",
            "--sensitivity",
            "none",
        ]
    )
    out = capsys.readouterr().out.strip()
    assert code == 0
    assert out == str(tmp_path / "mini-report.html")
    assert Path(out).stat().st_size > 1_000_000  # plotly.js is inside


def test_cli_report_errors_are_one_line(tmp_path, capsys):
    assert main(["report", str(MINI), "-o", str(tmp_path), "--preset", "eum"]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: --preset takes MODEL=NAME (e.g. eum=scholz), got 'eum'"
    )
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["report", str(MINI), "-o", str(blocker), "--runs", "0"]) == 1
    assert "exists and is not a folder" in capsys.readouterr().err


# --- Jupyter ----------------------------------------------------------------------------------


def test_ensemble_result_displays_in_a_notebook():
    r = crossroads.ensemble(MINI, "trade", "mean", runs=512, seed=0)
    html = r._repr_html_()
    assert "<table" in html and "mean" in html
    f = crossroads.forecast(MINI, "trade", "median")
    assert "<table" in f._repr_html_()


def test_multidimensional_issue_report(shared_data):
    path = shared_data("ktab", "SOE-Pol-Comp.csv")
    rep = build_report(path, runs=64)
    html = rep.html
    # the spatial model is added for multi-dimensional issues and forecasts both dimensions
    sc = crossroads.load(path)
    f = crossroads.forecast(sc, sc.issues[0].id, "smp")
    assert ", ".join(f"{v:,.2f}".rstrip("0").rstrip(".") for v in f.outcome) in html
    # the compromise model forecasts every dimension; the median and eum are one-dimensional
    assert "model &#39;median&#39; is one-dimensional" in html
    assert "model &#39;mean&#39; is one-dimensional" not in html
    reasons = dict(rep.unavailable)
    assert (
        "summarise one-dimensional issues only"
        in reasons[f"{sc.issues[0].id}: ensemble distribution"]
    )
    assert (
        reasons["relations network"] == "the scenario records no memberships, agreements or flows"
    )
    for _, fig in figures_of(html):
        F.as_figure(fig)


# --- linked issues and aims -------------------------------------------------------------------

LINKED_AIMS = ROOT / "tests" / "data" / "linked-aims.yaml"


@pytest.fixture(scope="module")
def linked_report():
    return build_report(LINKED_AIMS, models=["mean", "median"], runs=256, seed=0)


def test_linked_section_with_its_tables_and_figures(linked_report):
    html = linked_report.html
    assert 'id="linked"' in html and '<a href="#linked">Linked issues</a>' in html
    section = html[html.index('<section id="linked">') : html.index('<section id="aims">')]
    assert "trade + rights (proposed linkage)" in section
    for caption in (
        "The exchange forecast of the linked issues beside the single-issue models",
        "Realised trades, largest joint gain first",
        "Who gains: own exchanges",
        "With and without the link (exchange, 256 runs, common random numbers)",
    ):
        assert caption in section, caption
    figs = dict(figures_of(section))
    titles = [html_lib.unescape(f["layout"]["title"]["text"]) for f in figs.values()]
    assert "Who gave ground on what: trade + rights" in titles
    assert "With and without the link: trade + rights" in titles
    moved = next(f for f in figs.values() if f["data"][0]["type"] == "heatmap")
    assert moved["data"][0]["x"] == ["trade", "rights"]
    assert moved["data"][0]["y"] == ["Alpha", "Beta", "Gamma", "Delta"]
    ww = next(f for f in figs.values() if "With and without" in f["layout"]["title"]["text"])
    assert [t["name"] for t in ww["data"]] == ["baseline (not linked)",
                                              "Tie trade to rights (linked)"]  # fmt: skip
    for f in figs.values():
        F.as_figure(f)  # valid Plotly


def test_aims_section_with_the_frontier(linked_report):
    html = linked_report.html
    section = html[html.index('<section id="aims">') : html.index('<section id="conditionality">')]
    assert "Strict rights" in section and "rights: P(forecast &gt;=62) &gt;= 0.7" in section
    # planned under the models run and exchange (the scenario links issues)
    for m in ("mean", "median", "exchange"):
        assert f"Strict rights ({m}):" in section
    (fig,) = [f for _, f in figures_of(section)]
    F.as_figure(fig)
    names = [t["name"] for t in fig["data"]]
    assert "exchange: cheapest reaching it" in names and "exchange: frontier" in names
    assert any(s.get("name") == "required P = 0.7" for s in fig["layout"]["shapes"])
    best = next(t for t in fig["data"] if t["name"] == "exchange: cheapest reaching it")
    assert best["x"] == [3.0] and best["text"] == ["tie"]


def test_no_linked_or_aims_section_without_linkages(mini_report):
    html = mini_report.html
    assert 'id="linked"' not in html and 'id="aims"' not in html
    assert "Linked issues" not in html


# --- charts that stay readable ----------------------------------------------------------------


def test_one_step_models_are_flat_reference_lines():
    from crossroads.forecasting import forecast

    sc = crossroads.load("kazakhstan-2010")
    iss = sc.issues[0]
    fcs = [forecast(sc, iss.id, m) for m in ("mean", "median", "eum")]
    rounds = len(fcs[2].forecast)
    assert len(fcs[0].forecast) == len(fcs[1].forecast) == 1 < rounds
    fig = F.trajectory_figure(fcs, (0, 100))
    F.as_figure(fig)
    by_name = {t["name"]: t for t in fig["data"]}
    for k, m in enumerate(("mean", "median")):
        t = by_name[f"{m} (one step, no rounds)"]
        # across every round of eum, at the model's one forecast, labelled on the chart
        assert t["x"] == [0, rounds - 1]
        assert t["y"] == pytest.approx([float(fcs[k].forecast[0])] * 2)
        assert t["text"] == ["", m] and t["line"]["dash"] == "dot"
    # the higher line's label above it, the lower's below: two close lines keep theirs apart
    hi, lo = sorted(
        ("mean", "median"), key=lambda m: -by_name[f"{m} (one step, no rounds)"]["y"][0]
    )
    assert by_name[f"{hi} (one step, no rounds)"]["textposition"] == "top left"
    assert by_name[f"{lo} (one step, no rounds)"]["textposition"] == "bottom left"
    assert len(by_name["eum"]["x"]) == rounds
    # with only one-step models there are no rounds to span: each stays a single point
    alone = F.trajectory_figure(fcs[:2], (0, 100))
    assert [len(t["x"]) for t in alone["data"]] == [1, 1]


def test_short_dependence_series_become_a_table():
    from crossroads.report.build import FigureBag, chart

    rows = [{"year": 2000 + k, "series": "long", "value": 10.0 + k} for k in range(4)]
    rows += [
        {"year": 1992, "series": "two", "value": 1.0},
        {"year": 2007, "series": "two", "value": 2.0},
    ]
    rows += [
        {"year": 2009, "series": "one", "value": 39.4},
        {"year": 2010, "series": "gap", "value": None},
    ]
    bag, figures, sparse = FigureBag(keep=True), [], []
    chart(rows, bag, figures, sparse, title="t", y_title="Share, %", unit="%", caption="c")
    assert len(figures) == 1
    drawn = figures[0]["figure"]["data"]
    assert [t["name"] for t in drawn] == ["long"] and drawn[0]["x"] == [2000, 2001, 2002, 2003]
    assert [(r["series"], r["year"], r["value"]) for r in sparse] == [
        ("one", 2009, 39.4),
        ("two", 1992, 1.0),
        ("two", 2007, 2.0),
    ]
    # nothing long enough: no figure at all, every row in the table
    figures, sparse = [], []
    chart(rows[4:], FigureBag(), figures, sparse, title="t", y_title="%", unit="%", caption="c")
    assert figures == [] and len(sparse) == 3


def test_builtin_dependence_lists_its_few_figures_and_keeps_hhi_off_the_percent_axis():
    from crossroads.report.build import FigureBag, dependence_section

    sc = crossroads.load("kazakhstan-2010")
    bag = FigureBag(keep=True)
    sec = dependence_section(sc, 2010, bag)
    assert sec["available"] and sec["figures"] == []  # one or two years per series only
    listed = sec["tables"][0]
    assert listed.caption.startswith("Figures recorded for fewer than 3 years")
    assert ["European Union: exports (stated)", "2009", "39.4", "%"] in listed.rows
    assert ["China trade", "1992", "390", "USD million"] in listed.rows
    # a scenario with a long HHI series draws it on its own 0-1 axis
    from crossroads.report.build import chart

    rows = [{"year": 2000 + k, "series": "HHI", "value": 0.2 + 0.01 * k} for k in range(5)]
    figures: list = []
    chart(rows, FigureBag(keep=True), figures, [], title="c", y_title="Herfindahl-Hirschman "
          "index (0-1)", unit="index", caption="")  # fmt: skip
    assert "%" not in figures[0]["figure"]["layout"]["yaxis"]["title"]["text"]


def _boxes_overlapping(fig) -> int:
    """Pairs of node labels whose estimated boxes overlap (as label_spots estimates them)."""
    import numpy as np

    boxes = []
    for t in fig["data"]:
        if t.get("mode") != "markers+text":
            continue
        for x, y, text, spot in zip(t["x"], t["y"], t["text"], t["textposition"], strict=True):
            w = F._NET_CHAR * len(html_lib.unescape(text))
            dx = 1 if "right" in spot else -1 if "left" in spot else 0
            dy = 1 if "top" in spot else -1 if "bottom" in spot else 0
            boxes.append(
                F._box(x, y, w, F._NET_LINE, dx * (0.7 if dy else 1), dy * (0.7 if dx else 1))
            )
    b = np.array(boxes)
    ox = np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0])
    oy = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1])
    hit = (ox > 0) & (oy > 0)
    np.fill_diagonal(hit, False)
    return int(hit.sum() // 2)


def test_relations_network_labels_every_node_and_keeps_labels_apart():
    import numpy as np

    from crossroads.report.build import FigureBag, network_section

    sc = crossroads.load("kazakhstan-2010")
    fig = network_section(sc, 2010, FigureBag(keep=True))["figure"]["figure"]
    F.as_figure(fig)
    points = [t for t in fig["data"] if t.get("mode") == "markers+text"]
    kinds = {t["name"] for t in points}
    assert "agreement" in kinds and "state" in kinds
    assert all(t["mode"] != "markers" for t in fig["data"])  # no node kind left unlabelled
    for t in points:
        assert all(x for x in t["text"]), t["name"]
        assert len(t["textposition"]) == len(t["x"])
    stars = next(t for t in points if t["name"] == "agreement")
    assert "PCA" in stars["text"] and all(len(html_lib.unescape(x)) <= 18 for x in stars["text"])
    # nodes spread: no two closer than most of the layout's spacing
    xy = np.array([(x, y) for t in points for x, y in zip(t["x"], t["y"], strict=True)])
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    assert d.min() > 0.05
    # the placed labels overlap far less than every label above its node would
    placed = _boxes_overlapping(fig)
    naive = json.loads(json.dumps(fig))
    for t in naive["data"]:
        if t.get("mode") == "markers+text":
            t["textposition"] = ["top center"] * len(t["x"])
    assert placed < _boxes_overlapping(naive) / 3, (placed, _boxes_overlapping(naive))
    # deterministic
    again = network_section(sc, 2010, FigureBag(keep=True))["figure"]["figure"]
    assert again == fig


def test_report_css_prints_on_a4():
    css = (ROOT / "src" / "crossroads" / "report" / "templates" / "report.css").read_text()
    printing = css[css.index("@media print") :]
    assert "@page { size: A4" in css
    for rule in ("nav.toc { display: none; }", "break-before: page", "break-inside: avoid",
                 "thead { display: table-header-group; }", "--print-zoom"):  # fmt: skip
        assert rule in printing, rule
