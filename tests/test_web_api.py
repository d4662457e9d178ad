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
from crossroads.evaluation import evaluate, fit
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
            "stake of Russia, salience: must be between 0 and 1, got 1.5",
        ),
        (
            {"actor": "russia", "position": 120},
            "stake of Russia, position: must lie on the scale 0-100, got 120",
        ),
        (
            {"actor": "russia", "capability": -1},
            "stake of Russia, capability: must be >= 0, got -1",
        ),
        (
            {"actor": "osce", "position": 5},
            "stake table, row 1: actor 'osce' has no stake in 'trade-regime'",
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


# --- validate, evaluate, fit, check, import: the rest of the CLI -------------------------------


def cli_json(capsys, argv: list[str]):
    assert main(argv + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


def cli_error(capsys, argv: list[str]) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    return err[len("error: ") :].strip()


def no_leftovers() -> None:
    assert list(Path(tempfile.gettempdir()).glob("crossroads-upload-*")) == []


def test_index_lists_the_cli_mirrors(client):
    paths = {e["path"] for e in client.get("/api").json()}
    assert {"/api/validate", "/api/evaluate", "/api/fit", "/api/check", "/api/import"} <= paths


def test_validate_says_what_the_cli_says(client, capsys, tmp_path):
    before = len(client.get("/api/scenarios").json())
    r = client.post("/api/validate", files={"file": ("mini.yaml", MINI.read_bytes())})
    assert r.status_code == 200, r.text
    (tmp_path / "mini.yaml").write_bytes(MINI.read_bytes())
    assert main(["validate", str(tmp_path / "mini.yaml")]) == 0
    cli = capsys.readouterr().out.strip().replace(str(tmp_path / "mini.yaml"), "mini.yaml")
    assert r.json()["message"] == cli
    assert r.json()["valid"] and r.json()["id"] == crossroads.load(MINI).id
    assert len(client.get("/api/scenarios").json()) == before  # validating keeps nothing
    # a broken file: the CLI's message, with the client's file name
    r = client.post("/api/validate", files={"file": ("dir/bad.yaml", BAD_YAML)})
    (tmp_path / "bad.yaml").write_bytes(BAD_YAML)
    want = cli_error(capsys, ["validate", str(tmp_path / "bad.yaml")])
    assert r.status_code == 400
    assert r.json() == {"error": want.replace(str(tmp_path / "bad.yaml"), "bad.yaml")}
    r = client.post("/api/validate", files={"file": ("e.yaml", b"\n")})
    assert r.status_code == 400 and r.json() == {"error": "e.yaml: the file is empty"}
    r = client.post("/api/validate", files={"file": ("big.yaml", b"#" * (64 * 1024 + 1))})
    assert r.status_code == 400 and "uploads are limited to" in r.json()["error"]
    assert client.post("/api/validate").status_code == 422  # no file
    r = client.post("/api/validate", files={"file": ("huge.yaml", b"#" * (300 * 1024))})
    assert r.status_code == 413  # the body limit of one file
    no_leftovers()


def test_evaluate_mirrors_the_cli(client, capsys):
    body = {"scenario": "kazakhstan-2010", "models": ["mean", "median", "eum"], "per_issue": True}
    r = client.post("/api/evaluate", json=body)
    assert r.status_code == 200, r.text
    want = cli_json(capsys, ["evaluate", "kazakhstan-2010", "-m", "mean,median,eum", "--per-issue"])
    assert r.json() == want
    assert [m["label"] for m in r.json()["models"]] == ["mean", "median", "eum"]
    # an uploaded scenario with observed outcomes
    key = upload(client, "mini.yaml", MINI.read_bytes()).json()["key"]
    got = client.post("/api/evaluate", json={"scenario": key, "models": ["mean"]}).json()
    lib = evaluate(crossroads.load(MINI), ["mean"])
    assert got["source"] == "mini.yaml"
    assert got["models"][0]["mae"] == pytest.approx(lib.summary.loc[0, "mae"])


def test_evaluate_refuses_bad_requests(client, capsys):
    def post(**kw):
        return client.post("/api/evaluate", json={"scenario": "kazakhstan-2010"} | kw)

    r = post(capability=["equal"])
    want = cli_error(capsys, ["evaluate", "kazakhstan-2010", "--capability", "equal"])
    assert r.status_code == 400 and r.json() == {"error": want}
    r = post(models=["nope"])
    assert r.status_code == 400 and r.json()["error"] == cli_error(
        capsys, ["evaluate", "kazakhstan-2010", "-m", "nope"]
    )
    assert post(models=[]).status_code == 422
    assert post(models=["mean"] * 9).status_code == 422
    assert post(salience_exponent=-1).status_code == 422
    r = client.post("/api/evaluate", json={"scenario": "no-such"})
    assert r.status_code == 404


def test_evaluate_and_fit_an_uploaded_deu3_file(client, capsys, shared_data):
    path = shared_data("deu", "deu3-dev.tsv")
    key = upload(client, "deu3-dev.tsv", path.read_bytes()).json()["key"]
    r = client.post(
        "/api/evaluate",
        json={"scenario": key, "models": ["mean", "median"], "capability": ["council", "equal"]},
    )
    assert r.status_code == 200, r.text
    want = cli_json(
        capsys, ["evaluate", str(path), "-m", "mean,median", "--capability", "council,equal"]
    )
    assert r.json()["source"] == "deu3-dev.tsv"
    assert r.json()["models"] == want["models"]  # capability schemes apply, as to the file
    f = client.post("/api/fit", json={"scenario": key, "model": "mean", "what": "inputs"})
    assert f.status_code == 200, f.text
    lib = fit(path, "mean", what="inputs")
    assert f.json()["best"] == lib.best.to_dict() and f.json()["search"] == "grid"
    assert f.json()["out_of_fold"]["mae"] == pytest.approx(lib.out_of_fold["mae"])


def test_fit_mirrors_the_cli(client, capsys):
    body = {"scenario": "kazakhstan-2010", "model": "mean", "outer_folds": 2, "inner_folds": 2,
            "seed": 3}  # fmt: skip
    r = client.post("/api/fit", json=body)
    assert r.status_code == 200, r.text
    args = ["fit", "kazakhstan-2010", "-m", "mean", "--outer-folds", "2", "--inner-folds", "2"]
    want = cli_json(capsys, [*args, "--seed", "3"])
    got = r.json()
    assert got.pop("seconds") >= 0 and want.pop("seconds") >= 0
    assert got == want
    assert {"nested", "out_of_fold", "in_sample", "default", "difference", "verdict"} <= set(got)
    assert got["verdict"] in ("beats_default", "no_better")
    # "force" offers the preset a --save-preset would write, whatever the verdict
    forced = client.post("/api/fit", json=body | {"force": True}).json()
    assert forced["preset"] is not None and forced["preset"]["model"] == "mean"
    assert forced["saved_preset"] is None  # the server writes no preset file
    if got["verdict"] == "no_better":
        assert got["preset"] is None


def test_fit_refuses_bad_requests(client, capsys):
    def post(**kw):
        return client.post("/api/fit", json={"scenario": "kazakhstan-2010"} | kw)

    for bad in ({"outer_folds": 1}, {"outer_folds": 11}, {"inner_folds": 1}, {"inner_folds": 11},
                {"force": "maybe"}, {"search": "random"}, {"what": "x"}, {"seed": -1},
                {"folds": 5}):  # fmt: skip
        r = post(**bad)
        assert r.status_code == 422 and r.json()["error"].startswith(next(iter(bad))), bad
    r = post(outer_folds=6)
    assert r.status_code == 400 and r.json()["error"] == cli_error(
        capsys, ["fit", "kazakhstan-2010", "--outer-folds", "6"]
    )
    r = post(outer_folds=2, inner_folds=3)  # 5 issues: an outer training set of 2
    assert r.status_code == 400 and r.json()["error"] == cli_error(
        capsys, ["fit", "kazakhstan-2010", "--outer-folds", "2", "--inner-folds", "3"]
    )
    assert "too few for 3 inner folds" in r.json()["error"]
    r = post(model="nope")
    assert r.status_code == 400 and "nope" in r.json()["error"]
    r = post(model="median", what="params")
    assert r.status_code == 400 and r.json()["error"] == cli_error(
        capsys, ["fit", "kazakhstan-2010", "-m", "median", "--what", "params"]
    )


def test_fit_is_time_limited_and_runs_one_at_a_time():
    app = create_app(Settings(warm=False, fit_seconds=0))
    body = {"scenario": "kazakhstan-2010", "model": "mean", "outer_folds": 2, "inner_folds": 2}
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        r = c.post("/api/fit", json=body)
        assert r.status_code == 503  # the child is killed at the limit, whatever it is doing
        assert r.json()["error"].startswith(
            "this fit stopped at this server's time limit of 0 s; ask for less"
        )
        lock = app.app_fastapi.state.fit_lock
        assert lock.acquire(blocking=False)  # the failed fit released it
        try:
            r = c.post("/api/fit", json=body)
            assert r.status_code == 429 and "another fit is running" in r.json()["error"]
        finally:
            lock.release()


def kz(shared_data, name: str) -> tuple[str, bytes]:
    return name, shared_data("kazakhstan", name).read_bytes()


def test_check_mirrors_the_cli(client, capsys, shared_data):
    totals = "cow_trade_v4_kazakhstan_partner_summary.csv"
    fh = "freedomhouse_pkg_rating_status_kazakhstan.csv"
    r = client.post(
        "/api/check",
        data={"scenario": "kazakhstan-2010", "tolerance": "0.1"},
        files=[("file", kz(shared_data, totals)), ("file", kz(shared_data, fh))],
    )
    assert r.status_code == 200, r.text
    paths = [str(shared_data("kazakhstan", n)) for n in (totals, fh)]
    want = cli_json(
        capsys,
        ["check", "kazakhstan-2010", "--against", paths[0], "--against", paths[1],
         "--tolerance", "0.1"],
    )  # fmt: skip
    for d in want["datasets"]:
        d["file"] = Path(d["file"]).name
    assert r.json() == want
    assert r.json()["compared"] > 0 and "crossroads-upload" not in r.text
    # the kind given per file, as KIND:FILE does ("": read from the header)
    r2 = client.post(
        "/api/check",
        data={"kind": ["cow-trade", ""], "tolerance": "0.1"},
        files=[("file", kz(shared_data, totals)), ("file", kz(shared_data, fh))],
    )
    assert r2.status_code == 200 and r2.json() == want
    no_leftovers()


def test_check_refuses_bad_requests(client, capsys, shared_data, tmp_path):
    totals = kz(shared_data, "cow_trade_v4_kazakhstan_partner_summary.csv")
    r = client.post("/api/check", data={"kind": ["a", "b"]}, files=[("file", totals)])
    assert r.status_code == 400 and "2 kind(s) for 1 file(s)" in r.json()["error"]
    r = client.post("/api/check", data={"kind": ["nope"]}, files=[("file", totals)])
    assert r.status_code == 400 and "unknown import kind 'nope'" in r.json()["error"]
    r = client.post("/api/check", files=[("file", ("big.csv", b"x" * (600 * 1024)))])
    assert r.status_code == 413  # eight files' worth at most
    r = client.post("/api/check", files=[("file", totals)] * 9)
    assert r.status_code == 400 and "at most 8" in r.json()["error"]
    r = client.post("/api/check", data={"tolerance": "-1"}, files=[("file", totals)])
    assert r.status_code == 400 and "tolerance must be a number >= 0" in r.json()["error"]
    r = client.post("/api/check", data={"scenario": "no-such"}, files=[("file", totals)])
    assert r.status_code == 404
    assert client.post("/api/check", data={"scenario": "kazakhstan-2010"}).status_code == 422
    # a file no importer recognises: the CLI's message, naming the file and line
    odd = b"a,b\n1,2\n"
    r = client.post("/api/check", files=[("file", ("odd.csv", odd))])
    (tmp_path / "odd.csv").write_bytes(odd)
    want = cli_error(capsys, ["check", "kazakhstan-2010", "--against", str(tmp_path / "odd.csv")])
    assert r.status_code == 400
    assert r.json() == {"error": want.replace(str(tmp_path / "odd.csv"), "odd.csv")}
    assert r.json()["error"].startswith("odd.csv, line 1: cannot tell which dataset")
    no_leftovers()


def test_import_returns_the_yaml_the_cli_writes(client, capsys, shared_data, tmp_path):
    name = "freedomhouse_pkg_rating_status_kazakhstan.csv"
    r = client.post(
        "/api/import", data={"kind": "freedom-house"}, files={"file": kz(shared_data, name)}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/yaml")
    assert r.headers["content-disposition"] == (
        'attachment; filename="kazakhstan-2010-freedomhouse.yaml"'
    )
    out = tmp_path / "out.yaml"
    src = shared_data("kazakhstan", name)
    assert main(["import", "freedom-house", str(src), "-o", str(out)]) == 0
    capsys.readouterr()
    assert r.text == out.read_text(encoding="utf-8")
    assert "x-crossroads-key" not in r.headers
    # as JSON, kept as a scenario of this server
    j = client.post(
        "/api/import",
        data={"kind": "freedom-house", "format": "json", "keep": "true"},
        files={"file": kz(shared_data, name)},
    ).json()
    assert j["yaml"] == r.text and j["added"] == {"indicators": 66}
    assert j["source"]["note"].startswith(f"imported from {name}")
    kept = client.get(f"/api/scenarios/{j['key']}/sources").json()
    assert "freedomhouse" in [s["id"] for s in kept]
    no_leftovers()


def test_import_refuses_bad_requests(client, capsys, shared_data, tmp_path):
    fh = kz(shared_data, "freedomhouse_pkg_rating_status_kazakhstan.csv")
    r = client.post("/api/import", data={"kind": "nope"}, files={"file": fh})
    assert r.status_code == 400 and "unknown import kind 'nope'" in r.json()["error"]
    r = client.post("/api/import", data={"kind": "wdi", "eu_composition": "x"}, files={"file": fh})
    assert r.status_code == 400 and "eu_composition must be one of" in r.json()["error"]
    r = client.post("/api/import", data={"kind": "vdem", "into": "no-such"}, files={"file": fh})
    assert r.status_code == 404
    r = client.post("/api/import", data={"kind": "vdem", "format": "xml"}, files={"file": fh})
    assert r.status_code == 422
    assert client.post("/api/import", files={"file": fh}).status_code == 422  # no kind
    # a malformed data file: the CLI's message with the client's file name
    bad = b"country,year,political_rights,civil_liberties\nKazakhstan,1999,six,5\n"
    r = client.post(
        "/api/import", data={"kind": "freedom-house"}, files={"file": ("../fh.csv", bad)}
    )
    (tmp_path / "fh.csv").write_bytes(bad)
    want = cli_error(
        capsys,
        ["import", "freedom-house", str(tmp_path / "fh.csv"), "-o", str(tmp_path / "o.yaml")],
    )
    assert r.status_code == 400
    assert r.json() == {"error": want.replace(str(tmp_path / "fh.csv"), "fh.csv")}
    assert r.json()["error"].startswith("fh.csv")
    r = client.post(
        "/api/import", data={"kind": "vdem"}, files={"file": ("big.csv", b"x" * 70_000)}
    )
    assert r.status_code == 400 and "uploads are limited to" in r.json()["error"]
    no_leftovers()


# --- linked issues and plans ------------------------------------------------------------------

LINKED_AIMS = ROOT / "tests" / "data" / "linked-aims.yaml"


@pytest.fixture(scope="module")
def linked_key(client):
    r = upload(client, "linked-aims.yaml", LINKED_AIMS.read_bytes())
    assert r.status_code == 200, r.text
    return r.json()["key"]


def test_linked_forecast_is_the_libraries_json(client, linked_key):
    r = client.post("/api/linked", json={"scenario": linked_key, "issues": ["trade", "rights"],
                                         "rounds": 4})  # fmt: skip
    assert r.status_code == 200, r.text
    lf = crossroads.forecast_issues(LINKED_AIMS, ["trade", "rights"], rounds=4)
    assert r.json() == json.loads(json.dumps(lf.to_dict()))
    # no active linkage and no issues named: the library's message, as a 400
    r = client.post("/api/linked", json={"scenario": linked_key})
    assert r.status_code == 400 and "has no active linkage" in r.json()["error"]
    assert "'tie' links package" in r.json()["error"]
    r = client.post("/api/linked", json={"scenario": linked_key, "issue": "trade",
                                         "interventions": ["tie"]})  # fmt: skip
    assert r.status_code == 200 and r.json()["linkages"] == ["package"]


def test_linked_summary_with_charts_and_aims(client, linked_key):
    from crossroads.aims import answer_aims
    from crossroads.linked_summary import summarise_linked_sets

    body = {"scenario": linked_key, "runs": 128, "seed": 4, "models": ["mean"]}
    r = client.post("/api/linked/summary", json=body)
    assert r.status_code == 200, r.text
    d = r.json()
    sc = crossroads.load(LINKED_AIMS)
    (want,) = summarise_linked_sets(sc, runs=128, seed=4)
    (s,) = d["sets"]
    assert s["issues"] == ["trade", "rights"] and s["switched_by"] == ["tie"]
    assert s["comparison"] == json.loads(json.dumps(want.comparison.to_dict(orient="records")))
    assert s["figures"]["moved"]["data"][0]["type"] == "heatmap"
    assert len(s["figures"]["with_without"]["data"]) == 2
    (aim,) = d["aims"]
    assert [a["model"] for a in aim["answers"]] == ["mean", "exchange"]
    lib = answer_aims(sc, ["mean", "exchange"], runs=128, seed=4)
    assert [a["headline"] for a in aim["answers"]] == [a.headline() for a in lib]
    assert aim["figure"]["layout"]["shapes"][0]["name"] == "required P = 0.7"
    r = client.post("/api/linked/summary", json={**body, "figures": False, "aims": False})
    assert "figures" not in r.json()["sets"][0] and r.json()["aims"] == []


def test_plan_by_aim_or_target(client, linked_key):
    body = {"scenario": linked_key, "aim": "strict-rights", "model": "exchange", "runs": 256}
    r = client.post("/api/plan", json={**body, "figures": True})
    assert r.status_code == 200, r.text
    d = r.json()
    lib = crossroads.plan(LINKED_AIMS, "rights", "exchange", ">=62", 0.7, runs=256)
    assert d["best"] == lib.best.to_dict() and d["frontier"] == [p.to_dict() for p in lib.frontier]
    assert d["figure"]["data"]
    same = client.post("/api/plan", json={"scenario": linked_key, "issue": "rights",
                                          "model": "exchange", "target": ">=62",
                                          "probability": 0.7, "runs": 256})  # fmt: skip
    assert same.json()["best"] == d["best"]
    for body, message in (
        ({"aim": "nope"}, "no aim 'nope' in scenario 'linked-aims'; aims: strict-rights"),
        ({"aim": "strict-rights", "target": ">=1"}, "give an aim or issue, target and"),
        ({"issue": "rights"}, "give an aim of the scenario, or a target"),
        ({"issue": "rights", "target": "75", "probability": 0.5},
         "target must be '>=X' or '<=X'"),
    ):  # fmt: skip
        r = client.post("/api/plan", json={"scenario": linked_key, "runs": 8, **body})
        assert r.status_code == 400 and message in r.json()["error"], r.text
    r = client.post("/api/plan", json={"scenario": linked_key, "runs": 10**6, "aim": "x"})
    assert r.status_code == 422
