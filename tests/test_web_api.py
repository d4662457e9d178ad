"""The dashboard's JSON API (in process, no browser): it mirrors the library and the CLI,
refuses bad input with one clear message, and keeps its limits.

The same pages in a real browser: test_browser.py.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

import crossroads
from crossroads.cli import main
from crossroads.errors import ScenarioError
from crossroads.scenario import apply_edits
from crossroads.scenario.schema import Edit
from crossroads.web import Settings, create_app
from crossroads.web.scenarios import safe_name

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini.yaml"
XSS = ROOT / "tests" / "data" / "report-xss.yaml"
BAD_YAML = b"crossroads: 1\nid: x\ntitle: t\nactors: []\n"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return tmp_path_factory.mktemp("store") / "runs.sqlite"


@pytest.fixture(scope="module")
def client(store_path):
    app = create_app(Settings(warm=False, store=store_path, max_upload_bytes=64 * 1024))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c


def upload(client, name: str, data: bytes):
    return client.post("/api/upload", files={"file": (name, data, "application/octet-stream")})


# --- reference --------------------------------------------------------------------------------


def test_health_and_index(client):
    assert client.get("/api/health").json() == {"status": "ok", "version": crossroads.__version__}
    paths = {e["path"] for e in client.get("/api").json()}
    for p in (
        "/api/forecast",
        "/api/ensemble",
        "/api/compare",
        "/api/sensitivity",
        "/api/relations?scenario=&year=",
        "/api/runs?limit=&kind=",
        "/api/upload",
    ):
        assert p in paths


def test_scenarios_and_show_mirror_the_cli(client, capsys):
    keys = [s["key"] for s in client.get("/api/scenarios").json()]
    assert "kazakhstan-2010" in keys
    got = client.get("/api/scenarios/kazakhstan-2010/memberships").json()
    assert main(["show", "kazakhstan-2010", "memberships", "--json"]) == 0
    assert got == json.loads(capsys.readouterr().out)
    r = client.get("/api/scenarios/kazakhstan-2010/nonsense")
    assert r.status_code == 400 and "cannot show 'nonsense'" in r.json()["error"]
    r = client.get("/api/scenarios/no-such/issues/x")
    assert r.status_code == 404 and r.json() == {
        "error": "no scenario 'no-such' (see /api/scenarios)"
    }


def test_issue_detail(client):
    d = client.get("/api/scenarios/kazakhstan-2010/issues/trade-regime").json()
    sc = crossroads.load()
    iss = sc.issue("trade-regime")
    assert [s["actor"] for s in d["stakes"]] == [s.actor for s in iss.stakes]
    assert {iv["id"] for iv in d["interventions"]} == {
        iv.id for iv in sc.interventions if any(e.issue == iss.id for e in iv.edits)
    }


# --- computations mirror the library ----------------------------------------------------------


def test_forecast_matches_the_library(client):
    body = {
        "scenario": "kazakhstan-2010",
        "issue": "trade-regime",
        "model": "eum",
        "interventions": ["trade-incentives"],
    }
    got = client.post("/api/forecast", json=body).json()
    want = crossroads.forecast(
        crossroads.load(), "trade-regime", "eum", interventions=["trade-incentives"]
    )
    np.testing.assert_allclose(got["forecast"], want.forecast)
    assert got["actors"] == want.names and got["interventions"] == ["trade-incentives"]


def test_ensemble_same_seed_same_numbers(client):
    body = {
        "scenario": "kazakhstan-2010",
        "issue": "pca-conditionality",
        "model": "median",
        "runs": 2048,
        "seed": 11,
    }
    a = client.post("/api/ensemble", json=body).json()
    b = client.post("/api/ensemble", json=body).json()
    lib = crossroads.ensemble(crossroads.load(), "pca-conditionality", "median", runs=2048, seed=11)
    assert a["distribution"] == b["distribution"]
    assert a["distribution"]["mean"] == pytest.approx(lib.distribution.mean, rel=0, abs=1e-12)
    assert a["run_id"] is None  # not saved unless asked


def test_compare_and_sensitivity(client):
    base = {
        "scenario": "kazakhstan-2010",
        "issue": "trade-regime",
        "model": "mean",
        "runs": 1024,
        "figures": True,
    }
    c = client.post("/api/compare", json=base | {"interventions": ["trade-incentives"]}).json()
    lib = crossroads.compare(
        crossroads.load(), "trade-regime", "mean", ["trade-incentives"], runs=1024
    )
    assert c["variants"][1]["shift"]["mean"] == pytest.approx(lib.variants[1].shift.mean)
    assert c["figure"]["data"]
    s = client.post("/api/sensitivity", json=base | {"method": "oat"}).json()
    assert s["method"] == "oat" and s["summary"].startswith("The 3 inputs that matter most")
    assert s["figure"]["layout"]["title"]["text"].startswith("Which inputs matter")


def test_system_endpoints_mirror_the_library(client):
    sc = crossroads.load()
    rel = client.get("/api/relations", params={"scenario": "kazakhstan-2010", "year": 2010}).json()
    assert rel["memberships"] == json.loads(
        json.dumps(crossroads.relations(sc, 2010).to_dict()["memberships"], default=str)
    )
    dep = client.get("/api/dependence", params={"scenario": "kazakhstan-2010"}).json()
    assert dep["years"] == crossroads.dependence(sc).years
    bm = client.get("/api/benchmarks", params={"scenario": "kazakhstan-2010", "year": 2010}).json()
    assert [b["benchmark"] for b in bm["benchmarks"]] == [b.id for b in sc.benchmarks]
    sysj = client.get("/api/system", params={"scenario": "kazakhstan-2010"}).json()
    titles = [s["title"] for s in sysj["sections"]]
    assert titles == ["Relations network", "Dependence over time", "Conditionality"]
    assert all(s["available"] for s in sysj["sections"])
    assert sysj["sections"][0]["figures"][0]["figure"]["data"]


# --- the dashboard's update ---------------------------------------------------------------------


def explore(client, **kw):
    body = {"scenario": "kazakhstan-2010", "issue": "trade-regime", "model": "eum", "runs": 1000}
    return client.post("/api/explore", json=body | kw)


def test_editing_a_stake_changes_the_forecast(client):
    a = explore(client).json()
    b = explore(client, stakes=[{"actor": "kazakhstan", "position": 10}]).json()
    assert b["edited"] and not a["edited"]
    assert b["baseline"]["outcome"] != a["baseline"]["outcome"]
    edited = apply_edits(
        crossroads.load(), [Edit(issue="trade-regime", actor="kazakhstan", set={"position": 10})]
    )
    want = crossroads.forecast(edited, "trade-regime", "eum")
    assert b["baseline"]["outcome"] == pytest.approx(want.outcome)
    assert set(b["figures"]) == {"trajectory", "stakes", "positions", "ensemble"}
    assert b["ensemble"]["baseline"]["runs"] == 1000


def test_toggling_an_intervention_shows_the_shift(client):
    r = explore(client, interventions=["trade-incentives"]).json()
    assert r["variant"]["interventions"] == ["trade-incentives"]
    assert r["shift"] == pytest.approx(r["variant"]["outcome"] - r["baseline"]["outcome"])
    assert r["shift"] != 0
    # both ensembles on the same draws: the mean shift equals compare's on common numbers
    cmp = crossroads.compare(
        crossroads.load(), "trade-regime", "eum", ["trade-incentives"], runs=1000
    )
    assert r["ensemble"]["mean_shift"] == pytest.approx(cmp.variants[1].shift.mean, abs=1e-9)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            {"actor": "russia", "salience": 1.5},
            "stakes[0] (Russia).salience: must be between 0 and 1, got 1.5",
        ),
        (
            {"actor": "russia", "position": 120},
            "stakes[0] (Russia).position: must lie on the scale 0-100, got 120",
        ),
        (
            {"actor": "russia", "capability": -1},
            "stakes[0] (Russia).capability: must be >= 0, got -1",
        ),
        (
            {"actor": "osce", "position": 5},
            "stakes[0]: actor 'osce' has no stake in 'trade-regime'",
        ),
    ],
)
def test_bad_stake_edits_are_refused(client, edit, message):
    r = explore(client, stakes=[edit])
    assert r.status_code == 400
    assert r.json() == {"error": message}


def test_malformed_requests(client):
    r = client.post("/api/explore", json={"scenario": "kazakhstan-2010", "runs": 10**9})
    assert r.status_code == 422 and r.json()["error"].startswith("runs: ")
    r = client.post("/api/forecast", json={"scenario": "kazakhstan-2010", "surprise": 1})
    assert r.status_code == 422 and "surprise" in r.json()["error"]
    r = client.post(
        "/api/forecast", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    r = explore(client, issue="nope")
    assert r.status_code == 400 and "no issue 'nope'" in r.json()["error"]


# --- uploads ---------------------------------------------------------------------------------


def test_upload_valid_files(client):
    r = upload(client, "mini.yaml", MINI.read_bytes())
    assert r.status_code == 200, r.text
    key = r.json()["key"]
    assert key.startswith("upload-") and r.json()["issues"] == [
        {"id": "trade", "title": "Trade regime"}
    ]
    assert key in [s["key"] for s in client.get("/api/scenarios").json()]
    f = client.post("/api/forecast", json={"scenario": key, "model": "mean"}).json()
    assert f["outcome"] == pytest.approx(crossroads.forecast(MINI, "trade", "mean").outcome)


def test_upload_peer_file(client, shared_data):
    path = shared_data("eum", "ec-emissions-1994.csv")
    r = upload(client, "ec-emissions-1994.csv", path.read_bytes())
    assert r.status_code == 200, r.text
    assert r.json()["id"] == crossroads.load(path).id


def test_bad_upload_gets_the_clis_message(client, tmp_path):
    r = upload(client, "bad.yaml", BAD_YAML)
    assert r.status_code == 400
    (tmp_path / "bad.yaml").write_bytes(BAD_YAML)
    with pytest.raises(ScenarioError) as e:
        crossroads.load(tmp_path / "bad.yaml")
    assert r.json()["error"] == str(e.value).replace(str(tmp_path / "bad.yaml"), "bad.yaml")
    assert r.json()["error"].startswith("bad.yaml, line 4, field 'actors': ")
    bad_csv = b"Actor,Capability,Position,Salience\nA,10,50,0.5\nB,big,40,0.3\n"
    r = upload(client, "t.csv", bad_csv)
    assert r.status_code == 400 and r.json()["error"].startswith(
        "t.csv, line 3, field 'Capability'"
    )


def test_upload_limits_and_names(client):
    r = upload(client, "big.yaml", b"#" * (64 * 1024 + 1))
    assert r.status_code == 400 and "uploads are limited to" in r.json()["error"]
    r = upload(client, "huge.yaml", b"#" * (300 * 1024))
    assert r.status_code == 413
    r = upload(client, "empty.yaml", b"  \n")
    assert r.status_code == 400 and r.json()["error"] == "empty.yaml: the file is empty"
    # a client path never reaches the filesystem: only its sanitised base name is used
    r = upload(client, "../../../etc/passwd.yaml", BAD_YAML)
    assert r.json()["error"].startswith("passwd.yaml, line 4")
    assert safe_name("..\\..\\x y.yaml") == "x-y.yaml" and safe_name("...") == "upload"
    leftovers = list(Path(tempfile.gettempdir()).glob("crossroads-upload-*"))
    assert leftovers == []


def test_uploaded_hostile_strings_are_escaped_in_the_report(client):
    r = upload(client, "hostile.yaml", XSS.read_bytes())
    assert r.status_code == 200, r.text
    key = r.json()["key"]
    assert r.json()["title"] == crossroads.load(XSS).title  # JSON carries the text as is
    rep = client.get(f"/api/report/{key}", params={"runs": 64, "sensitivity": "none"})
    assert rep.status_code == 200
    assert rep.headers["content-disposition"] == 'attachment; filename="xss-test-report.html"'
    assert "<script>window.__xss" not in rep.text and "<img src=x" not in rep.text
    assert "&lt;script&gt;window.__xss=&#39;actor&#39;&lt;/script&gt;" in rep.text


# --- run store ---------------------------------------------------------------------------------


def test_saved_runs_are_listed(client, store_path):
    body = {
        "scenario": "kazakhstan-2010",
        "issue": "trade-regime",
        "model": "mean",
        "runs": 1024,
        "seed": 5,
        "save": True,
    }
    saved = client.post("/api/ensemble", json=body).json()
    assert saved["run_id"] is not None
    listed = client.get("/api/runs").json()
    assert listed["store"] == str(store_path)
    assert listed["runs"][0]["id"] == saved["run_id"]
    one = client.get(f"/api/runs/{saved['run_id']}").json()
    assert one["summary"]["distribution"]["mean"] == pytest.approx(saved["distribution"]["mean"])
    assert client.get("/api/runs/999999").status_code == 404


def test_no_store(tmp_path):
    app = create_app(Settings(warm=False, store=None))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/runs").json() == {"store": None, "runs": []}
        r = c.post(
            "/api/ensemble",
            json={"scenario": "kazakhstan-2010", "issue": "trade-regime", "runs": 16, "save": True},
        )
        assert r.status_code == 400 and "no run store" in r.json()["error"]


# --- security ---------------------------------------------------------------------------------


def test_default_bind_is_loopback(monkeypatch):
    assert Settings().host == "127.0.0.1"
    seen = {}
    import crossroads.web as web

    monkeypatch.setattr(web, "serve", lambda settings, port: seen.update(s=settings, port=port))
    assert main(["serve", "--no-store"]) == 0
    assert seen["s"].host == "127.0.0.1" and seen["port"] == 8000 and seen["s"].store is None


def test_host_header_and_security_headers(client):
    r = client.get("/api/health", headers={"host": "attacker.example:8000"})
    assert r.status_code == 400
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
        assert client.get("/api/health", headers={"host": host}).status_code == 200
    page = client.get("/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp and "connect-src 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    js = client.get("/assets/plotly.min.js")
    assert js.status_code == 200 and js.text.count("plotly.js v") == 1


def test_body_limits(client):
    big = b'{"scenario": "' + b"x" * (300 * 1024) + b'"}'
    r = client.post("/api/forecast", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "exceeds the limit" in r.json()["error"]

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(40):
            yield b"x" * 10_000

    r = client.post("/api/forecast", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_static_files_stay_in_their_folder(client):
    assert client.get("/static/app.js").status_code == 200
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py"):
        assert client.get(path).status_code == 404


def test_multidimensional_issue_in_the_dashboard(client, shared_data):
    path = shared_data("ktab", "SOE-Pol-Comp.csv")
    up = upload(client, "SOE-Pol-Comp.csv", path.read_bytes()).json()
    key, issue = up["key"], up["issues"][0]["id"]
    d = client.get(f"/api/scenarios/{key}/issues/{issue}").json()
    assert d["dimensions"] == ["Policy Position", "Competitive Position"]
    assert len(d["stakes"][0]["position"]) == 2
    r = client.post("/api/explore", json={"scenario": key, "issue": issue, "model": "smp"}).json()
    want = crossroads.forecast(crossroads.load(path), issue, "smp").outcome
    np.testing.assert_allclose(r["baseline"]["outcome"], want)
    assert r["ensemble"]["note"] == "ensembles summarise one-dimensional issues only"
    bad = client.post(
        "/api/explore",
        json={
            "scenario": key,
            "issue": issue,
            "model": "smp",
            "stakes": [{"actor": "xj", "capability": 5}],
        },
    )
    assert bad.status_code == 400 and "edits one-dimensional issues only" in bad.json()["error"]
