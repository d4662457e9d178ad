"""Hostile input: one clear line naming file, line and field; bounded time and memory;
nothing written on failure.

Each hostile file is written here, in a temporary folder. The cases that could take long
or much memory run the real command line in a child process under a timeout; the child
reports its own peak memory (``resource.getrusage``), so the test checks both that it
finished and what it used.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import crossroads
from crossroads.cli import main
from crossroads.errors import CrossroadsError, ModelError, ScenarioError
from crossroads.models import eum, mean, median, smp
from crossroads.scenario.bounded_yaml import (
    MAX_ALIAS_NODES,
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_INT_DIGITS,
)
from crossroads.scenario.yaml_loader import validate_data

from conftest import ROOT

MINI = (ROOT / "tests" / "data" / "mini.yaml").read_text()

# A child that runs the command line and prints its exit status and peak memory (KiB) last.
# The peak is the child's own (VmHWM of its address space): getrusage's ru_maxrss is carried
# across exec on Linux, so a child of a large pytest process would report the parent's peak.
_CHILD = """
import sys
from crossroads.cli import main
rc = main(sys.argv[1:])
sys.stderr.flush()
with open("/proc/self/status") as f:
    peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
print(f"\\nrc={rc} maxrss_kib={peak}")
"""


def cli_child(*args: str, timeout: float = 120) -> tuple[int, str, int]:
    """(exit status, stderr, peak memory in MiB) of ``crossroads ARGS`` in a child process."""
    r = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        timeout=timeout,  # raises TimeoutExpired: the test fails when the child hangs
        cwd=ROOT,
    )
    assert "Traceback" not in r.stderr, r.stderr[-2000:]
    last = r.stdout.strip().splitlines()[-1]
    rc, rss = (int(part.split("=")[1]) for part in last.split())
    return rc, r.stderr, rss // 1024


def cli_here(capsys, *args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``crossroads ARGS`` in this process."""
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def one_error(capsys, path: str) -> str:
    """The single error line ``crossroads validate PATH`` prints (exit status 1)."""
    rc, out, err = cli_here(capsys, "validate", path)
    assert rc == 1, out
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err[len("error: ") : -1]


# --- aliases, nesting, parsing ------------------------------------------------------------
def test_alias_bomb_refused_fast_and_small(tmp_path):
    # six levels of mappings, each naming the previous one ten times: 10^6 copies of a leaf
    lines = ["base: &m0 {a: leaf, b: leaf, c: leaf}"]
    for k in range(1, 7):
        refs = ", ".join(f"k{j}: *m{k - 1}" for j in range(10))
        lines.append(f"level{k}: &m{k} {{{refs}}}")
    lines.append("crossroads: *m6")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert Path(path).stat().st_size < 1000
    rc, err, rss_mib = cli_child("validate", path)
    assert rc == 1
    # levels hold 7, 81, 821, 8,221, 82,221 values; the aliases of levels 1-4 stand for
    # 91,300, and the first alias of level 5 (line 6) takes them past 100,000
    assert err == (
        f"error: {path}, line 6: the aliases (*name) up to here stand for more than "
        "100,000 values; write the data out or use fewer aliases\n"
    )
    assert rss_mib < 400


def test_alias_count_limited(tmp_path, capsys):
    body = "crossroads: 1\nleaf: &v 1\nmany: [" + ", ".join(["*v"] * (MAX_ALIASES + 1)) + "]\n"
    msg = one_error(capsys, write(tmp_path, "aliases.yaml", body))
    assert msg.endswith(f"line 3: more than {MAX_ALIASES:,} aliases (*name) in one document")


def test_document_size_in_values_limited(tmp_path, capsys, monkeypatch):
    from crossroads.scenario import bounded_yaml

    assert bounded_yaml.MAX_NODES == 1_000_000
    monkeypatch.setattr(bounded_yaml, "MAX_NODES", 500)
    path = write(tmp_path, "many.yaml", "crossroads: 1\nid: x\nx:\n" + "  - 1\n" * 600)
    # the mapping, 5 scalars and the list are 7 values; value 501 is item 494, on line 497
    assert one_error(capsys, path) == (
        f"{path}, line 497: the document holds more than 500 values (aliases counted as "
        "copies); split it or leave out what no command reads"
    )


def test_recursive_alias_refused(tmp_path, capsys):
    path = write(tmp_path, "loop.yaml", "crossroads: 1\nid: x\nloop: &me {again: [*me]}\n")
    assert one_error(capsys, path) == (
        f"{path}, line 3: alias *me refers to a list or mapping that contains it "
        "(a recursive structure); a scenario is a tree"
    )


def test_aliases_within_limits_still_work(tmp_path):
    text = MINI.replace("    capability: 50\n", "    capability: &big 50\n", 1)
    text = text.replace("capability: 70", "capability: *big")
    sc = crossroads.load(write(tmp_path, "ok.yaml", text))
    assert [s.capability for s in sc.issues[0].stakes] == [50, 80, 50]
    assert MAX_ALIAS_NODES == 100_000


@pytest.mark.parametrize(
    ("name", "nest"),
    [
        ("flow-lists", lambda d: "[" * d + "1" + "]" * d),
        ("flow-maps", lambda d: "{k: " * d + "1" + "}" * d),
        ("unclosed", lambda d: "[" * d),
        ("block", lambda d: "\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(d))),
    ],
)
def test_deep_nesting_refused_in_a_child(tmp_path, name, nest):
    depth = 300 if name == "block" else 50_000  # block style costs indentation: d^2 bytes
    path = write(tmp_path, f"{name}.yaml", "crossroads: 1\nid: deep\nnote: " + nest(depth) + "\n")
    rc, err, rss_mib = cli_child("validate", path)
    assert rc == 1
    line = 3 if name != "block" else 3 + MAX_DEPTH
    assert err == (
        f"error: {path}, line {line}: lists and mappings are nested more than "
        f"{MAX_DEPTH} levels deep\n"
    )
    assert rss_mib < 400


def test_nesting_up_to_the_limit_parses(tmp_path, capsys):
    # depth 1 is the document's mapping; the note holds MAX_DEPTH - 1 more lists
    d = MAX_DEPTH - 1
    path = write(tmp_path, "d.yaml", MINI + "\nx_deep: " + "[" * d + "]" * d + "\n")
    # parsing passes; the schema then refuses the unknown field by name
    assert one_error(capsys, path).endswith(
        "field 'x_deep': unknown field (check its spelling against the scenario format in "
        "docs/reference/scenario-fields.md)"
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "why"),
    [
        ("date: 1993-11-15", "date: 1993-02-29", 46, "events[0].date", "day is out of range"),
        ("date: 2015-11-30", "date: 2015-00-07", 73, "issues[0].observed.date", "month must"),
    ],
)
def test_impossible_dates_refused(tmp_path, old, new, line, field, why, capsys):
    path = write(tmp_path, "date.yaml", MINI.replace(old, new))
    value = new.split(": ")[1]
    msg = one_error(capsys, path)
    assert msg.startswith(f"{path}, line {line}, field '{field}': '{value}' is not a calendar ")
    assert why in msg and msg.endswith("write dates as YYYY-MM-DD")


def test_real_dates_and_years_still_read(tmp_path):
    path = write(tmp_path, "leap.yaml", MINI.replace("date: 1993-11-15", "date: 1992-02-29"))
    assert crossroads.load(path).events[0].date == "1992-02-29"


def test_integer_too_long_refused(tmp_path, capsys):
    digits = "7" * 4400  # past Python's own 4,300-digit limit for int()
    path = write(
        tmp_path,
        "int.yaml",
        MINI.replace("    kind: state\n", f"    cow: {digits}\n    kind: state\n", 1),
    )
    assert one_error(capsys, path) == (
        f"{path}, line 12, field 'actors[0].cow': an integer of 4,400 digits is too long "
        f"(at most {MAX_INT_DIGITS})"
    )


def test_duplicate_key_names_both_lines(tmp_path, capsys):
    text = MINI.replace(
        "        salience: 0.8\n", "        salience: 0.8\n        capability: 1\n", 1
    )
    path = write(tmp_path, "dup.yaml", text)
    assert one_error(capsys, path) == (
        f"{path}, line 67, field 'issues[0].stakes[1].capability': duplicate key 'capability' "
        "(first at line 64); each key may appear once in a mapping"
    )


def test_equal_numeric_keys_are_duplicates(tmp_path, capsys):
    path = write(tmp_path, "labels.yaml", MINI.replace("{0: WTO first,", "{0: WTO first, 0.0: x,"))
    assert "duplicate key '0.0' (first at line 56)" in one_error(capsys, path)


def test_merge_keys_may_be_overridden(tmp_path):
    # a merged mapping's keys may be overridden by the mapping's own: that is no duplicate
    text = MINI.replace("      - actor: rus\n", "      - &rus\n        actor: rus\n")
    text = text.replace(
        "      - actor: chn\n        capability: 70\n        position: 20\n        salience: 0.4\n",
        "      - <<: *rus\n        actor: chn\n        capability: 70\n",
    )
    chn = crossroads.load(write(tmp_path, "merge.yaml", text)).issues[0].stakes[2]
    assert (chn.actor, chn.capability, chn.position, chn.salience) == ("chn", 70, 90, 0.8)


# --- values the schema refuses --------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ("position: 40\n", "position: true\n", 61, "issues[0].stakes[0].position",
         "must be a number, not true or false, got True"),
        ("salience: 0.9", "salience: yes", 62, "issues[0].stakes[0].salience",
         "must be a number, not true or false, got True"),
        ("    year: 2009\n", "    year: false\n", 41, "flows[0].year",
         "must be a number, not true or false, got False"),
        ("    met: false\n", "    met: 0\n", 89, "observations[0].met",
         "must be a valid boolean, got 0"),
        ("    qualitative: true\n", "    qualitative: 1\n", 85, "benchmarks[0].qualitative",
         "must be a valid boolean, got 1"),
    ],
)  # fmt: skip
def test_booleans_and_numbers_kept_apart(tmp_path, old, new, line, field, message, capsys):
    assert old in MINI
    path = write(tmp_path, "b.yaml", MINI.replace(old, new, 1))
    assert one_error(capsys, path) == f"{path}, line {line}, field '{field}': {message}"


def test_format_version_true_is_not_one(tmp_path, capsys):
    path = write(tmp_path, "v.yaml", MINI.replace("crossroads: 1", "crossroads: true"))
    assert one_error(capsys, path) == (
        f"{path}, line 1, field 'crossroads': format version True is not supported; "
        "this crossroads reads 1"
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("capability: 80", "capability: 1.0e+308", 64, "issues[0].stakes[1].capability"),
        ("max: 100", "max: 2.0e+15", 55, "issues[0].scale.max"),
        ("position: 90", "position: -1.5e+15", 65, "issues[0].stakes[1].position"),
    ],
)
def test_magnitudes_beyond_1e15_refused(tmp_path, old, new, line, field, capsys):
    path = write(tmp_path, "m.yaml", MINI.replace(old, new, 1))
    got = new.split(": ")[1]
    assert one_error(capsys, path) == (
        f"{path}, line {line}, field '{field}': must lie within +-1e+15, the largest "
        "magnitude of a scenario number (rescale: only ratios of capabilities matter), got "
        f"{float(got)!r}"
    )


def test_kernels_refuse_overflowing_inputs():
    big = np.array([1e300, 1e300, 2e300])
    for model in (mean, median, eum):
        with pytest.raises(ModelError, match=r"^capability beyond \+-1e\+15 \(sums of"):
            model.run(big, [0.5, 0.5, 0.5], [0.0, 50.0, 100.0])
    with pytest.raises(ModelError, match=r"^position beyond \+-1e\+15"):
        mean.run([1.0, 1.0], [1.0, 1.0], [0.0, 1e200])


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ({"kaz": "kaz"}, 12, "actor 'kaz' is part_of itself"),
        ({"kaz": "rus", "rus": "chn", "chn": "kaz"}, 12,
         "part_of goes round in a circle: kaz -> rus -> chn -> kaz"),
        ({"rus": "chn", "chn": "rus"}, 17, "part_of goes round in a circle: rus -> chn -> rus"),
    ],
)  # fmt: skip
def test_part_of_cycles_refused(tmp_path, extra, line, message, capsys):
    text = MINI
    names = {"kaz": "Kazakhstan", "rus": "Russia", "chn": "China"}
    for actor, parent in extra.items():
        text = text.replace(
            f"    name: {names[actor]}\n", f"    name: {names[actor]}\n    part_of: {parent}\n"
        )
    first = min(extra, key=list(names).index)
    i = list(names).index(first)
    path = write(tmp_path, "p.yaml", text)
    assert one_error(capsys, path) == f"{path}, line {line}, field 'actors[{i}].part_of': {message}"


def test_long_values_are_cut_in_messages(tmp_path, capsys):
    path = write(tmp_path, "k.yaml", MINI.replace("kind: state", "kind: " + "x" * 5000, 1))
    msg = one_error(capsys, path)
    assert len(msg) < 300 and msg.endswith(", got '" + "x" * 56 + "...")
    path = write(
        tmp_path, "v.yaml", MINI.replace("crossroads: 1", "crossroads: [" + "1, " * 9999 + "1]")
    )
    assert one_error(capsys, path) == (
        f"{path}, line 1, field 'crossroads': format version a list of 10,000 items is not "
        "supported; this crossroads reads 1"
    )


# --- models: zero weights, actor limits -------------------------------------------------------
def _zero_weights(tmp_path) -> str:
    text = MINI
    for s in ("0.9", "0.8", "0.4"):
        text = text.replace(f"salience: {s}", "salience: 0")
    return write(tmp_path, "zero.yaml", text)


@pytest.mark.parametrize("model", ["eum", "mean"])
def test_ensemble_refuses_zero_weights_as_forecast_does(tmp_path, model):
    path = _zero_weights(tmp_path)
    message = "issue 'trade': every actor has zero capability x salience; nothing to weight"
    with pytest.raises(ModelError) as e:
        crossroads.forecast(path, "trade", model)
    assert str(e.value) == message
    with pytest.raises(ModelError) as e:
        crossroads.ensemble(path, "trade", model, runs=16)
    assert str(e.value) == message


def _many(n: int) -> dict:
    rng = np.random.default_rng(n)
    return {
        "crossroads": 1,
        "id": "many",
        "title": "Many actors",
        "actors": [{"id": f"a{i}", "name": f"A{i}", "kind": "state"} for i in range(n)],
        "issues": [
            {
                "id": "big",
                "title": "Big",
                "question": "Where?",
                "stakes": [
                    {
                        "actor": f"a{i}",
                        "capability": float(c),
                        "position": float(x),
                        "salience": float(s),
                    }
                    for i, (c, x, s) in enumerate(
                        zip(
                            rng.uniform(1, 100, n),
                            rng.uniform(0, 100, n),
                            rng.uniform(0.1, 1, n),
                            strict=True,
                        )
                    )
                ],
            }  # fmt: skip
        ],
    }


def test_mean_and_median_run_on_5000_actors():
    sc = validate_data(_many(5000), "many.yaml")
    for model in ("mean", "median"):
        f = crossroads.forecast(sc, "big", model)
        assert len(f.actors) == 5000 and 0 <= f.outcome <= 100


def test_eum_and_smp_limits_named_with_the_file(tmp_path, capsys):
    import yaml

    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(_many(eum.MAX_ACTORS + 1)))
    rc, out, err = cli_here(capsys, "forecast", str(path), "--model", "eum")
    assert rc == 1
    assert err == (
        f"error: {path}: issue 'big': 2,001 actors exceed the limit of 2,000 actors of model "
        "'eum' for one issue (see docs/security.md, \"Security and limits\")\n"
    )
    rc, out, err = cli_here(capsys, "ensemble", str(path), "--model", "smp", "--no-store")
    assert rc == 1
    assert err == (
        f"error: {path}: issue 'big': 2,001 actors exceed the limit of 200 actors of model "
        "'smp' for one issue (see docs/security.md, \"Security and limits\")\n"
    )
    rc, out, err = cli_here(capsys, "run", str(path), "--models", "mean,smp", "--no-report")
    assert (rc, out) == (1, "")  # refused before anything is printed
    assert err.startswith(f"error: {path}: issue 'big': 2,001 actors exceed the limit of 200 ")
    # the mean answers on the same file
    rc, out, err = cli_here(capsys, "forecast", str(path), "--model", "mean", "--json")
    assert rc == 0 and json.loads(out)["model"] == "mean"


def test_smp_kernel_refuses_above_its_limit_before_working():
    n = smp.MAX_ACTORS + 1
    with pytest.raises(
        ModelError, match="201 actors exceed the limit of 200 actors of model 'smp'"
    ):
        smp.run(np.ones(n), np.full(n, 0.5), np.linspace(0, 100, n))


# --- command-line options -----------------------------------------------------------------
ENS = str(ROOT / "tests" / "data" / "ensemble-small.yaml")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[" * 600 + "]" * 600, "the value has 1,200 characters; at most 1,000"),
        ("[" * 499 + "]" * 499, None),  # parses; the model then names what it wants
        ("9" * 999, None),
    ],
)
def test_param_values_bounded(capsys, value, message):
    rc, out, err = cli_here(
        capsys, "ensemble", ENS, "--issue", "trade", "--model", "eum", "--runs", "16",
        "--no-store", "--param", f"rounds={value}",
    )  # fmt: skip
    assert rc == 1 and err.count("\n") == 1
    if message:
        assert err == f"error: --param rounds: {message}\n"
    else:
        assert err.startswith(
            "error: model 'eum' parameter 'rounds' must be an integer in 0-10000; got "
        )
        assert len(err) < 200


def test_param_json_too_deep_for_the_parser(capsys):
    # json's own recursion limit below the 1,000 characters allowed: a clear line too
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        rc, out, err = cli_here(
            capsys, "ensemble", ENS, "--issue", "trade", "--runs", "16", "--no-store",
            "--param", "rounds=" + "[" * 450 + "]" * 450,
        )  # fmt: skip
    finally:
        sys.setrecursionlimit(old)
    assert rc == 1
    assert err == (
        "error: --param rounds: the value is not a number, text or simple JSON "
        "(nested too deep or a number too long)\n"
    )


def test_per_run_into_a_missing_folder_fails_before_the_work(tmp_path, capsys):
    target = tmp_path / "missing" / "runs.csv"
    rc, out, err = cli_here(
        capsys, "ensemble", ENS, "--issue", "trade", "--runs", "16", "--no-store",
        "--per-run", str(target),
    )  # fmt: skip
    assert rc == 1 and out == ""
    assert err == f"error: cannot write {target}: folder {target.parent} does not exist\n"
    rc, out, err = cli_here(
        capsys, "ensemble", ENS, "--issue", "trade", "--runs", "16", "--no-store",
        "--per-run", str(tmp_path),
    )  # fmt: skip
    assert err == f"error: cannot write {tmp_path}: it is a folder\n"
    assert list(tmp_path.iterdir()) == []


def test_nothing_written_when_the_scenario_is_bad(tmp_path, capsys):
    path = write(tmp_path, "bad.yaml", MINI.replace("name: Russia", "name: Russia\n    name: R"))
    out_csv = tmp_path / "runs.csv"
    rc, out, err = cli_here(
        capsys, "ensemble", path, "--runs", "16", "--no-store", "--per-run", str(out_csv)
    )
    assert rc == 1 and "duplicate key 'name'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_check_against_a_folder_or_an_unknown_kind(tmp_path, capsys):
    mini = str(ROOT / "tests" / "data" / "mini.yaml")
    rc, out, err = cli_here(capsys, "check", mini, "--against", str(tmp_path))
    assert rc == 1
    assert err == f"error: {tmp_path}: is a folder; give a dataset file (CSV)\n"
    data = tmp_path / "trade.csv"
    data.write_text("a,b\n1,2\n")
    rc, out, err = cli_here(capsys, "check", mini, "--against", f"tariffs:{data}")
    assert rc == 1
    assert err == (
        f"error: tariffs:{data}: unknown kind 'tariffs' in KIND:FILE; kinds: cow-trade, "
        "cow-igo, freedom-house, vdem, atop, wdi\n"
    )


def test_user_preset_too_deep(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSROADS_PRESETS", str(tmp_path))
    params = "[" * 100_000 + "]" * 100_000
    (tmp_path / "deep.json").write_text(
        '{"crossroads_preset": 1, "model": "eum", "params": {"rounds": ' + params + "}}"
    )
    with pytest.raises(CrossroadsError) as e:
        crossroads.forecast(
            str(ROOT / "tests" / "data" / "mini.yaml"), "trade", "eum", preset="deep"
        )
    assert (
        str(e.value)
        == f"{tmp_path / 'deep.json'}: not a preset (nested too deep or a number too long)"
    )


def test_scenario_error_is_the_single_error_type_for_files(tmp_path):
    path = write(tmp_path, "d.yaml", MINI.replace("date: 1993-11-15", "date: 1993-13-01"))
    with pytest.raises(ScenarioError) as e:
        crossroads.load(path)
    assert (e.value.file, e.value.line, e.value.field) == (path, 46, "events[0].date")
