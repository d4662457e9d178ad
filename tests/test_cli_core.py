"""The core commands end to end, in a subprocess: output, exit status, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, shared

MINI = str(ROOT / "tests" / "data" / "mini.yaml")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crossroads", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        # PYTHONPATH passed on, so that `PYTHONPATH=src pytest` in a worktree runs that
        # worktree's package, not the one the virtualenv's .pth file points to
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
        | {k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
    )


def test_validate_ok():
    r = cli("validate", MINI)
    assert r.returncode == 0, r.stderr
    assert "valid crossroads scenario 'mini' (4 actors, 1 membership" in r.stdout


def test_validate_error_is_one_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(
        (ROOT / "tests/data/mini.yaml").read_text().replace("salience: 0.9", "salience: 2")
    )
    r = cli("validate", str(p))
    assert r.returncode == 1
    assert (
        r.stderr
        == f"error: {p}, line 62, field 'issues[0].stakes[0].salience': must be <= 1, got 2\n"
    )
    assert r.stdout == ""


@pytest.mark.parametrize(
    "args,message",
    [
        (("forecast", MINI, "--model", "oracle"), "error: unknown model 'oracle'"),
        (("forecast", MINI, "--issue", "nothing"), "error: no issue 'nothing' in scenario 'mini'"),
        (("forecast", MINI, "--intervention", "stick"), "error: no intervention 'stick'"),
        (
            ("forecast", MINI, "--model", "mean", "--rounds", "3"),
            "error: model 'mean' has no parameter 'rounds'",
        ),
        (("show", MINI, "planets"), "error: cannot show 'planets'"),
        (("run", "no-such-scenario"), "error: no-such-scenario: no such file or built-in scenario"),
    ],
)
def test_errors_are_clean(args, message):
    r = cli(*args)
    assert r.returncode == 1
    assert r.stderr.startswith(message), r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1


def test_usage_error_exit_2():
    r = cli("forecast", MINI, "--rounds", "many")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_forecast_json_schema():
    r = cli("forecast", MINI, "--issue", "trade", "--model", "median", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["scenario"] == "mini" and d["issue"] == "trade" and d["model"] == "median"
    assert d["actors"] == ["Kazakhstan", "Russia", "China"]
    assert d["trajectory"] == [[40.0, 90.0, 20.0]]
    assert d["forecast"] == [40.0]
    assert d["weighted_mean"][0] == pytest.approx(8120 / 137)
    assert d["observed"] == 60 and d["error"] == 20


def test_forecast_table_and_show():
    r = cli("forecast", MINI, "--model", "mean")
    assert r.returncode == 0, r.stderr
    assert "Forecast after 0 rounds: 59.27; observed 60 (error 0.73)" in r.stdout
    r = cli("show", MINI, "memberships")
    assert r.returncode == 0 and "sco" in r.stdout
    r = cli("show", MINI, "flows", "--json")
    assert json.loads(r.stdout)[0]["from"] == "kaz"


def test_run_on_peer_file():
    r = cli(
        "run", str(shared("eum", "ec-emissions-1994.csv")), "--models", "mean,median", "--no-report"
    )
    assert r.returncode == 0, r.stderr
    assert "7.39" in r.stdout and "ec-emissions-1994" in r.stdout


def test_run_mini_scores_errors():
    r = cli("run", MINI, "--models", "mean,median", "--no-report")
    assert r.returncode == 0, r.stderr
    assert "Error against observed outcomes" in r.stdout
    assert "Shanghai Cooperation Organisation" in r.stdout


def test_run_prints_the_brief_first():
    r = cli("run", str(ROOT / "tests" / "data" / "plan-small.yaml"), "--models", "mean,median",
            "--no-report")  # fmt: skip
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Brief: Plan fixture (lead model mean)")
    brief = r.stdout[: r.stdout.index("System")]  # everything before the system panel
    assert "What would change these forecasts" in brief
    for text in ("trade ", "rights ", "0–50 (", "no labelled bands", "aid + pressure + envoy"):
        assert text in brief, text
    assert max(len(line) for line in brief.splitlines()) <= 120
    # the detail follows, with the same intervention table as before
    assert r.stdout.index("System") < r.stdout.index("Interventions against the baseline")


def test_run_builtin_writes_the_report(tmp_path):
    r = cli("run", "--report-dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Brief: Kazakhstan at a crossroads")
    head = r.stdout[: r.stdout.index("System")]
    for issue in ("trade-regime", "pca-conditionality", "energy-export-direction",
                  "sco-economic-scope"):  # fmt: skip
        assert f"│ {issue} " in head, issue
    assert "aim pca-benchmarks" in " ".join(head.split()).lower()
    for text in (
        "Kazakhstan",
        "trade-regime",
        "Error against observed outcomes",
        "Interventions against the baseline",
        "association-prospect",
    ):
        assert text in r.stdout
    report = tmp_path / "kazakhstan-2010-report.html"
    assert f"Report: {report}" in r.stdout
    html = report.read_text()
    assert html.rstrip().endswith("</html>") and "Plotly" in html
    assert [p.name for p in tmp_path.iterdir()] == [report.name]  # no temporary left behind


def test_run_multidimensional_peer_file(tmp_path):
    r = cli("run", str(shared("ktab", "dummyData_3Dim.csv")), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "dummydata-3dim" in r.stdout and (tmp_path / "dummydata-3dim-report.html").exists()


def test_forecast_multidimensional_tables():
    r = cli("forecast", str(shared("ktab", "dummyData_3Dim.csv")), "--model", "smp")
    assert r.returncode == 0, r.stderr
    assert "Stakes (xK position and sK salience on dimension K)" in r.stdout
    assert r.stdout.count("by round") == 3  # one round table per dimension
    assert "Forecast after 10 rounds: pstn1 78.07, pstn2 35.63, pstn3 72.17" in r.stdout


def test_run_shows_linked_sets_and_aims(capsys):
    # in process (the library on sys.path), a wide console so titles are not wrapped
    from crossroads.cli import main
    from crossroads.cli.application import console

    width = console.width
    console.width = 250
    try:
        code = main(["run", str(ROOT / "tests" / "data" / "linked-aims.yaml"), "--no-report"])
    finally:
        console.width = width
    stdout = capsys.readouterr().out
    assert code == 0
    out = " ".join(stdout.split())
    for text in (
        "Linked issues (proposed linkage): trade + rights (linked by package if tie is applied)",
        "exchange, linked",
        "Top trades of trade + rights",
        "Who gains in trade + rights",
        "trade + rights with and without the link",
        "Aims: the cheapest package of costed interventions reaching each",
        "1,024 runs per package",
    ):
        assert text in out, text
    aims = stdout[stdout.index("Aims:") :]
    assert "exchange" in aims and "tie" in aims and "nudge" in aims


# --- issue 12, part 5: the small things -------------------------------------------------------


def test_run_report_keeps_every_model_asked_for(tmp_path):
    r = cli("run", MINI, "--models", "mean,smp", "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "mini-report.html").read_text()
    assert "models: mean, smp" in html  # the report ran smp too, not only the terminal


@pytest.mark.parametrize("command", ["forecast", "ensemble", "compare", "plan", "run", "report"])
def test_model_help_names_every_registered_model(command):
    from crossroads.models import MODELS

    r = cli(command, "--help")
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.replace("│", " ").split())
    assert "mean, median, eum, smp or exchange" in text and len(MODELS) == 5, text


def test_help_texts_speak_of_the_scenario():
    text = " ".join(cli("run", "--help").stdout.replace("│", " ").split())
    assert "the scenario's interventions" in text and "paper's" not in text
    text = " ".join(cli("forecast", "--help").stdout.replace("│", " ").split())
    assert "README" not in text and "Print the forecast as JSON" in text


def test_compare_without_intervention_lists_them():
    r = cli("compare", "kazakhstan-2010", "--issue", "trade-regime")
    assert r.returncode == 1
    assert "Interventions of kazakhstan-2010" in r.stdout
    for iv in ("association-prospect", "trade-incentives", "offer-for-conditionality"):
        assert iv in r.stdout  # whole: the id column is as wide as its longest id
    assert r.stderr.startswith("error: give at least one --intervention ID to compare")
    assert "-i association-prospect" in r.stderr and r.stderr.count("\n") == 1


def test_panels_wrap_words_and_tables_keep_words_whole():
    env = {"COLUMNS": "80"}
    r = subprocess.run(
        [sys.executable, "-m", "crossroads", "forecast", "--issue", "trade-regime"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT), **env}
        | {k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    panel = " ".join(
        line.strip("│ ") for line in r.stdout.splitlines() if line.startswith("│")
    ).split()
    text = " ".join(panel)
    # the whole scale text is there, wrapped between words (no "50 = Both: cu" cut)
    assert "50 = Both: customs union and WTO membership" in text
    assert "Deepest Eurasian integration: economic union, WTO accession abandoned" in text
    assert max(len(line) for line in r.stdout.splitlines()) <= 80


def test_wording_counts_and_possessives():
    from crossroads.scenario import load
    from crossroads.summary import scenario_summary
    from crossroads.wording import count, possessive

    assert possessive("United States") == "United States'" and possessive("Russia") == "Russia's"
    assert count(1, "agreement") == "1 agreement" and count(2, "source") == "2 sources"
    head = scenario_summary(load(MINI))["headline"]
    assert "1 agreements" not in head and "1 sources" not in head and "1 events" not in head
    for n, word in [(len(load(MINI).agreements), "agreement"), (len(load(MINI).sources), "source")]:
        assert count(n, word) in head
