"""The dashboard and the report in a real browser: Debian's chromium driven by Playwright.

A uvicorn server is started on 127.0.0.1 and a free port for this module and stopped after
it. Screenshots of each step are kept in test-output/screenshots/. Under CI=true a missing
chromium is a failure, never a skip.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

import crossroads
from crossroads.model_registry import DEFAULT_MODEL
from crossroads.report import write_report
from crossroads.scenario import apply_edits
from crossroads.scenario.schema import Edit
from crossroads.web import Settings, create_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
XSS = ROOT / "tests" / "data" / "report-xss.yaml"
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI") == "true"
BAD_YAML = b"crossroads: 1\nid: x\ntitle: t\nactors: []\n"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        msg = f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"browser tests need chromium under CI: {msg}")
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    store = tmp_path_factory.mktemp("store") / "runs.sqlite"
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(Settings(store=store, warm=True))
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 180
        while not srv.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the dashboard server did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)
        sock.close()
    assert not thread.is_alive(), "the server thread did not stop"


class Watched:
    """A page with its console errors, uncaught page errors and requests recorded."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.page_errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def shot(self, name: str, full_page: bool = True) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)

    def clean(self, refused: int = 0) -> None:
        """No uncaught error, and no console error but the ``refused`` expected 400 answers
        (the browser logs every failed request, including ones the page handles)."""
        assert self.page_errors == []
        bad_request = "Failed to load resource: the server responded with a status of 400"
        assert [e for e in self.errors if not e.startswith(bad_request)] == []
        assert len(self.errors) == refused, self.errors


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    w = Watched(ctx.new_page())
    yield w
    ctx.close()


def open_dashboard(w: Watched, url: str) -> None:
    from playwright.sync_api import expect

    w.page.goto(url + "/")
    expect(w.page.locator("#forecast-value")).not_to_have_text("–", timeout=120_000)
    w.page.locator("body[data-ready='true']").wait_for(state="attached", timeout=60_000)


def updates(w: Watched) -> str:
    """How many updates the page has finished (it counts them in body[data-updates])."""
    return w.page.get_attribute("body", "data-updates") or "0"


def wait_update(w: Watched, before: str) -> None:
    """Wait until an update after ``before`` has finished."""
    w.page.locator(f"body[data-ready='true']:not([data-updates='{before}'])").wait_for(
        state="attached", timeout=60_000
    )


# --- the dashboard ----------------------------------------------------------------------------


def test_dashboard_loads_with_no_console_errors(page, server):
    from playwright.sync_api import expect

    open_dashboard(page, server)
    p = page.page
    sc = crossroads.load()
    first = sc.issues[0]
    expect(p.locator("#issue-title")).to_have_text(first.title)
    want = crossroads.forecast(sc, first.id, DEFAULT_MODEL)
    expect(p.locator("#forecast-value")).to_have_text(f"{want.outcome:.1f}")
    expect(p.locator("#ensemble-sub")).to_contain_text("over 1,000 runs")
    for fig in ("trajectory", "ensemble", "stakes"):
        expect(p.locator(f"#fig-{fig} svg.main-svg").first).to_be_visible()
    expect(p.locator("#fig-tornado svg.main-svg").first).to_be_visible(timeout=60_000)
    status = p.locator("#status").inner_text()
    assert re.match(r"Updated in \d+ ms \(server \d+ ms, 1,000 ensemble runs\)\.", status), status
    page.shot("01-dashboard")
    # the default model (mean) has no rounds; a bargaining model draws each actor's moves
    n = updates(page)
    p.select_option("#model", "eum")
    wait_update(page, n)
    expect(p.locator("#fig-positions svg.main-svg").first).to_be_visible()
    expect(p.locator("#forecast-value")).to_have_text(
        f"{crossroads.forecast(sc, first.id, 'eum').outcome:.1f}"
    )
    p.click("nav.tabs button[data-tab='system']")
    expect(p.locator("#system .section h2").first).to_have_text("Relations network", timeout=60_000)
    expect(p.locator("#system svg.main-svg").first).to_be_visible()
    page.shot("02-system")
    p.click("nav.tabs button[data-tab='runs']")
    expect(p.locator("#runs-store")).to_contain_text("Run store:")
    page.clean()


def test_dashboard_starts_on_the_cli_model_with_whole_actor_names(browser, server):
    """The model picker starts on the command line's default; at a laptop's width no actor
    name in the stakes table is cut (no ellipsis, no hidden overflow, no word split)."""
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    w = Watched(ctx.new_page())
    try:
        open_dashboard(w, server)
        p = w.page
        expect(p.locator("#model")).to_have_value(DEFAULT_MODEL)
        sc = crossroads.load()
        # the issue with the longest actor names
        issue = max(sc.issues, key=lambda i: max(len(sc.actor(s.actor).name) for s in i.stakes))
        if p.locator("#issue").input_value() != issue.id:
            n = updates(w)
            p.select_option("#issue", issue.id)
            wait_update(w, n)
        cells = p.locator("#stakes td.name")
        expect(cells.first).to_be_visible()
        names = cells.evaluate_all(
            """cs => cs.map(c => {
                const r = document.createRange(); r.selectNodeContents(c);
                const lines = Array.from(r.getClientRects()).length;
                const words = c.textContent.split(/\\s+/).length;
                return {text: c.textContent, cut: c.scrollWidth > c.clientWidth,
                        overflow: getComputedStyle(c).textOverflow,
                        split: lines > words};
            })"""
        )
        assert {n["text"] for n in names} == {sc.actor(s.actor).name for s in issue.stakes}
        for n in names:
            assert not n["cut"] and n["overflow"] != "ellipsis" and not n["split"], n
        w.shot("03a-stakes-names")
        w.clean()
    finally:
        ctx.close()


def test_editing_a_stake_changes_the_forecast(page, server):
    from playwright.sync_api import expect

    open_dashboard(page, server)
    p = page.page
    sc = crossroads.load()
    issue = sc.issues[0]
    actor = issue.stakes[0].actor
    before = p.locator("#forecast-value").inner_text()
    cell = p.locator(f"#stakes input[data-actor='{actor}'][data-field='position']")
    new = 10 if issue.stakes[0].position > 50 else 90
    n = updates(page)
    cell.fill(str(new))
    cell.press("Enter")
    wait_update(page, n)
    edited = apply_edits(sc, [Edit(issue=issue.id, actor=actor, set={"position": new})])
    want = crossroads.forecast(edited, issue.id, DEFAULT_MODEL).outcome
    expect(p.locator("#forecast-value")).to_have_text(f"{want:.1f}")
    assert p.locator("#forecast-value").inner_text() != before
    expect(p.locator("#forecast-sub")).to_contain_text("your stake edits")
    expect(cell).to_have_class(re.compile("edited"))
    page.shot("03-stake-edited")
    # an illegal value is refused with the server's message, the cell marked
    n = updates(page)
    cell.fill("150")
    cell.press("Enter")
    wait_update(page, n)
    expect(p.locator("#status")).to_have_text(
        re.compile(r"stake of .+, position: must lie on the scale 0-100, got 150")
    )
    expect(cell).to_have_class(re.compile("invalid"))
    page.shot("04-stake-refused")
    page.clean(refused=1)


def test_toggling_an_intervention_shows_the_shift(page, server):
    from playwright.sync_api import expect

    open_dashboard(page, server)
    p = page.page
    sc = crossroads.load()
    issue = sc.issues[0]
    iv = next(i for i in sc.interventions if any(e.issue == issue.id for e in i.edits))
    expect(p.locator("#variant-value")).to_have_text("–")
    n = updates(page)
    p.check(f"#interventions input[data-intervention='{iv.id}']")
    wait_update(page, n)
    base = crossroads.forecast(sc, issue.id, DEFAULT_MODEL).outcome
    var = crossroads.forecast(sc, issue.id, DEFAULT_MODEL, interventions=[iv.id]).outcome
    expect(p.locator("#variant-value")).to_have_text(f"{var:.1f}")
    shift = var - base
    sign = "+" if shift > 0 else "−"
    expect(p.locator("#shift-value")).to_have_text(f"shift {sign}{abs(shift):.1f} points")
    expect(p.locator("#compare-words")).to_contain_text(iv.id, timeout=60_000)
    expect(p.locator("#fig-compare svg.main-svg").first).to_be_visible()
    # the trajectory chart draws both lines
    legend = p.locator("#fig-trajectory .legendtext").all_text_contents()
    assert DEFAULT_MODEL in legend and f"{DEFAULT_MODEL} + {iv.id}" in legend
    page.shot("05-intervention")
    n = updates(page)
    p.uncheck(f"#interventions input[data-intervention='{iv.id}']")
    wait_update(page, n)
    expect(p.locator("#variant-value")).to_have_text("–")
    page.clean()


def test_bad_upload_shows_the_clear_message(page, server):
    from playwright.sync_api import expect

    open_dashboard(page, server)
    p = page.page
    p.set_input_files(
        "#upload", files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": BAD_YAML}]
    )
    msg = p.locator("#upload-message")
    expect(msg).to_have_text(
        re.compile(
            r"^Upload refused — bad\.yaml, line 4, field 'actors': List should have at least 1 item"
        )
    )
    expect(msg).to_have_class(re.compile("error"))
    page.shot("06-bad-upload")
    page.clean(refused=1)


def test_script_upload_renders_as_text(page, server):
    from playwright.sync_api import expect

    open_dashboard(page, server)
    p = page.page
    sc = crossroads.load(XSS)
    p.set_input_files(
        "#upload",
        files=[{"name": "hostile.yaml", "mimeType": "text/yaml", "buffer": XSS.read_bytes()}],
    )
    expect(p.locator("#upload-message")).to_have_text(
        f"Loaded “{sc.title}” from hostile.yaml (1 issue)."
    )
    iss = sc.issues[0]
    expect(p.locator("#issue-title")).to_have_text(iss.title, timeout=60_000)
    expect(p.locator("#issue-question")).to_have_text(iss.question)
    p.locator("body[data-ready='true']").wait_for(state="attached", timeout=60_000)
    names = [a.name for a in sc.actors]
    expect(p.locator("#stakes td.name")).to_have_text(names)
    expect(p.locator("#interventions b")).to_have_text([sc.interventions[0].name])
    # Plotly draws the names as SVG text, literally
    ticks = p.locator("#fig-stakes .ytick text").all_text_contents()
    assert names[0] in ticks
    p.click("nav.tabs button[data-tab='system']")
    expect(p.locator("#system .section h2").first).to_be_visible(timeout=60_000)
    page.shot("07-script-upload-system")
    p.click("nav.tabs button[data-tab='forecast']")
    page.shot("08-script-upload")
    assert p.evaluate("typeof window.__xss") == "undefined"
    page.clean()


# --- the report -------------------------------------------------------------------------------


def open_offline(w: Watched, path: Path) -> list[str]:
    """Open a file with every non-file:// request blocked and recorded."""
    attempted: list[str] = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            attempted.append(r.request.url)
            r.abort()

    w.page.route("**/*", route)
    w.page.goto(path.as_uri())
    w.page.locator("body[data-plots-done='true']").wait_for(state="attached", timeout=240_000)
    return attempted


def test_report_opens_offline_with_every_chart(page, tmp_path):
    path = write_report("kazakhstan-2010", tmp_path, runs=256, seed=0)
    attempted = open_offline(page, path)
    p = page.page
    total = int(p.get_attribute("body", "data-plots-total"))
    assert total >= 40
    assert p.get_attribute("body", "data-plots-rendered") == str(total)
    assert p.get_attribute("body", "data-plots-failed") == "0"
    plots = p.locator("div.plot")
    assert plots.count() == total
    assert p.locator("div.plot svg.main-svg").count() >= total
    # every chart drew every trace: Plotly's full data matches the figure, and SVG traces exist
    without = p.evaluate(
        "Array.from(document.querySelectorAll('div.plot')).filter(d => !(d._fullData"
        " && d._fullData.length === d.data.length && d.data.length > 0"
        " && d.querySelectorAll('svg.main-svg .trace, svg.main-svg .hm').length > 0))"
        ".map(d => d.id)"
    )
    assert without == []
    assert attempted == []
    page.shot("09-report-top", full_page=False)
    p.locator("#issue-trade-regime").scroll_into_view_if_needed()
    page.shot("10-report-issue", full_page=False)
    page.clean()


def test_report_opens_with_the_brief(page, tmp_path):
    path = write_report("kazakhstan-2010", tmp_path, runs=128, seed=0)
    attempted = open_offline(page, path)
    p = page.page
    sc = crossroads.load()
    brief = p.locator("section#brief")
    assert brief.locator("h2").inner_text() == "Brief"
    # the brief is drawn above the system's tables and the forecasts at a glance
    top = {
        sel: p.locator(sel).first.bounding_box()["y"]
        for sel in (
            "section#brief",
            "section#overview",
            "section#system table",
            "section#forecasts",
        )  # fmt: skip
    }
    assert top["section#brief"] < top["section#overview"] < top["section#system table"]
    assert top["section#system table"] < top["section#forecasts"]
    rows = brief.locator("table.brief tbody tr")
    assert rows.count() == len(sc.issues)
    ids = [rows.nth(k).locator("td").first.inner_text() for k in range(rows.count())]
    assert ids == [i.id for i in sc.issues]
    changes = brief.locator("ul.brief-change li")
    assert changes.count() == len(sc.issues)
    text = brief.inner_text()
    for iss in sc.issues:
        assert iss.id in text
    assert "What would change these forecasts" in text and "Aim pca-benchmarks" in text
    # ids and numbers are never broken inside a word: every cell but the lever is one line
    heights = p.evaluate(
        "Array.from(document.querySelectorAll('table.brief tbody td:not(:nth-child(5))'))"
        ".map(td => td.getBoundingClientRect().height)"
    )
    line = p.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('table.brief td')).lineHeight)"
    )
    assert max(heights) < 2 * line + 12
    assert attempted == []
    page.shot("14-report-brief", full_page=False)
    page.clean()


def test_hostile_report_renders_as_text_offline(page, tmp_path):
    path = write_report(XSS, tmp_path, models=["mean", "median"], runs=128)
    attempted = open_offline(page, path)
    p = page.page
    sc = crossroads.load(XSS)
    assert p.locator("h1").inner_text() == sc.title
    assert p.evaluate("typeof window.__xss") == "undefined"
    assert attempted == []
    assert p.get_attribute("body", "data-plots-failed") == "0"
    page.shot("11-report-hostile", full_page=False)
    page.clean()


LINKED_AIMS = ROOT / "tests" / "data" / "linked-aims.yaml"


def test_report_linked_section_draws_its_charts(page, tmp_path):
    path = write_report(LINKED_AIMS, tmp_path, models=["mean", "eum"], runs=256)
    attempted = open_offline(page, path)
    p = page.page
    assert p.get_attribute("body", "data-plots-failed") == "0"
    sec = p.locator("section#linked")
    assert "trade + rights (proposed linkage)" in sec.locator("h3").first.inner_text()
    # the moves heatmap and the with/without chart, both drawn
    assert sec.locator("div.plot svg.main-svg .hm").count() == 1
    assert sec.locator("div.plot svg.main-svg .scatterlayer .trace").count() >= 2
    assert sec.locator("table").count() >= 4
    aims = p.locator("section#aims")
    assert "Strict rights" in aims.locator("h3").first.inner_text()
    assert "exchange" in aims.locator("table").first.inner_text()
    assert aims.locator("div.plot svg.main-svg .scatterlayer .trace").count() >= 3
    assert attempted == []
    sec.scroll_into_view_if_needed()
    page.shot("12-report-linked", full_page=False)
    aims.scroll_into_view_if_needed()
    page.shot("13-report-aims", full_page=False)
    page.clean()


def test_dashboard_linked_view(page, server):
    from playwright.sync_api import expect

    open_dashboard(page, server)
    p = page.page
    p.set_input_files(
        "#upload",
        files=[{"name": "linked-aims.yaml", "mimeType": "text/yaml",
                "buffer": LINKED_AIMS.read_bytes()}],
    )  # fmt: skip
    expect(p.locator("#upload-message")).to_have_text(re.compile("^Loaded"))
    p.locator("nav.tabs button[data-tab='linked']").click()
    p.locator("body[data-linked-ready='true']").wait_for(state="attached", timeout=120_000)
    box = p.locator("#linked")
    assert "trade + rights (proposed linkage)" in box.locator("h2").first.inner_text()
    assert box.locator(".fig-moved svg.main-svg .hm").count() == 1
    assert box.locator(".fig-with-without svg.main-svg .scatterlayer .trace").count() == 2
    assert box.locator(".fig-frontier svg.main-svg .scatterlayer .trace").count() >= 6
    text = box.inner_text()
    assert "Alpha" in text and "rights" in text
    assert "Strict rights (exchange): cheapest package reaching" in text
    page.shot("14-dashboard-linked")
    page.clean()


# --- charts keep their size; the report prints ------------------------------------------------

HEIGHTS = (
    "Array.from(document.querySelectorAll('div.plot.js-plotly-plot'))"
    ".filter(d => d.offsetParent !== null)"
    ".map(d => [d.id || d.className, Math.round(d.getBoundingClientRect().height),"
    " d._fullLayout ? d._fullLayout.height : null])"
)
# axis titles and tick labels that stick out of their chart (clipped when drawn)
CLIPPED = (
    "Array.from(document.querySelectorAll('div.plot.js-plotly-plot'))"
    ".filter(d => d.offsetParent !== null).flatMap(d => {"
    " const r = d.getBoundingClientRect();"
    " return Array.from(d.querySelectorAll('.xtitle, .ytitle, .xtick text, .ytick text'))"
    "  .filter(t => { const b = t.getBoundingClientRect();"
    "   return b.width > 0 && (b.left < r.left - 2 || b.right > r.right + 2"
    "    || b.top < r.top - 2 || b.bottom > r.bottom + 2); })"
    "  .map(t => (d.id || d.className) + ': ' + t.textContent); })"
)


def check_resizes(w: Watched, widths: tuple[int, ...], name: str, least: int = 4) -> None:
    """Every drawn chart (at least ``least``) keeps its height (within 3 px) and its labels
    inside it at every viewport width, including after a full-page screenshot."""
    p = w.page
    before = p.evaluate(HEIGHTS)
    assert len(before) >= least
    # each chart is as tall as its figure says, none collapsed to the container's minimum
    for fid, h, want in before:
        assert want and abs(h - want) <= 3, (fid, h, want)
    for width in widths:
        p.set_viewport_size({"width": width, "height": 1000})
        p.wait_for_timeout(900)  # plotly's resize is debounced by 100 ms, then redraws
        after = dict((fid, h) for fid, h, _ in p.evaluate(HEIGHTS))
        moved = [
            (fid, h, after.get(fid)) for fid, h, _ in before if abs(after.get(fid, -99) - h) > 3
        ]
        assert moved == [], (width, moved[:5])
        assert p.evaluate(CLIPPED) == [], width
    w.shot(f"{name}-after-resize")  # full-page screenshots used to collapse charts too
    p.wait_for_timeout(600)
    after = dict((fid, h) for fid, h, _ in p.evaluate(HEIGHTS))
    assert [f for f, h, _ in before if abs(after.get(f, -99) - h) > 3] == []


def test_report_charts_keep_their_height_on_resize(page, tmp_path):
    path = write_report("kazakhstan-2010", tmp_path, models=["mean", "median", "eum"], runs=64,
                        sensitivity=None)  # fmt: skip
    open_offline(page, path)
    check_resizes(page, (1480, 1100, 760, 1440), "15-report")
    page.clean()


def test_dashboard_charts_keep_their_height_on_resize(page, server):
    open_dashboard(page, server)
    # the default model (mean) shows the trajectory, ensemble and stakes charts
    check_resizes(page, (1480, 1100, 900, 1440), "16-dashboard", least=3)
    page.clean()


def test_report_prints_to_a_legible_pdf(page, tmp_path):
    import io
    import unicodedata

    from pypdf import PdfReader

    path = write_report("kazakhstan-2010", tmp_path, models=["mean", "median", "eum"], runs=64,
                        sensitivity=None)  # fmt: skip
    open_offline(page, path)
    p = page.page
    total = int(p.get_attribute("body", "data-plots-total"))
    # what a print dialog does: print media, then beforeprint redraws charts at page width
    p.emulate_media(media="print")
    p.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    p.wait_for_timeout(1500)
    widths = p.evaluate("Array.from(document.querySelectorAll('div.plot.js-plotly-plot'))"
                        ".map(d => d._fullLayout.width)")  # fmt: skip
    assert len(widths) == total and max(widths) <= 703  # A4 less the page margins, CSS px
    assert p.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") == "none"
    pdf = p.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pdf.count(b"/Type /Page") >= pages
    assert 15 <= pages <= 120, pages
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "17-report-print.pdf").write_bytes(pdf)
    # NFKC: the PDF's text has the font's ligatures (ﬀ, ﬁ) as single characters
    text = unicodedata.normalize("NFKC", "\n".join(pg.extract_text() or "" for pg in reader.pages))
    sc = crossroads.load()
    assert sc.title.split()[0] in text
    for iss in sc.issues:  # every issue's heading is printed as text
        assert iss.title.split(":")[0][:30] in text.replace("\n", " "), iss.title
    assert "Sources and citations" in text
    # every chart printed: Plotly's SVG text (axis titles) comes through as text too
    assert "Bargaining round" in text
    # afterprint restores the screen layout
    p.emulate_media(media="screen")
    p.evaluate("window.dispatchEvent(new Event('afterprint'))")
    p.wait_for_timeout(1500)
    assert min(p.evaluate("Array.from(document.querySelectorAll('div.plot.js-plotly-plot'))"
                          ".map(d => d._fullLayout.width)")) > 703  # fmt: skip
    page.clean()
