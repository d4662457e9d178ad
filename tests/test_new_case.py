"""A case of one's own (issue 12, part 3): new, export, show stakes, --version, doc examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from crossroads.cli import main
from crossroads.errors import CrossroadsError
from crossroads.scenario import load
from crossroads.scenario.case_template import new_case_text
from crossroads.scenario.safe_write import write_whole
from crossroads.scenario.yaml_export import scenario_yaml
from crossroads.version import __version__

from conftest import ROOT, shared


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- crossroads new ---------------------------------------------------------------------


def test_new_writes_a_valid_case_named_by_its_id(tmp_path, capsys):
    path = tmp_path / "my-case.yaml"
    code, out, err = _run(capsys, "new", "my-case", "-o", str(path))
    assert code == 0, err
    assert "new scenario 'my-case'" in out
    sc = load(path)
    assert sc.id == "my-case"
    # everything the brief lists is there
    assert sc.actors and sc.memberships and sc.flows and sc.sources and sc.linkages
    assert sc.benchmarks and sc.incentives and sc.aims and sc.observations
    issue = sc.issues[0]
    assert any(s.uncertainty for s in issue.stakes)
    assert any(i.cost is not None for i in sc.interventions)
    assert any(m.organisation == "customs-union" for m in sc.memberships)
    code, out, err = _run(capsys, "validate", str(path))
    assert code == 0 and "valid crossroads scenario 'my-case'" in out, err


def test_new_default_file_is_name_yaml(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _run(capsys, "new", "abc")[0] == 0
    assert load(tmp_path / "abc.yaml").id == "abc"


def test_new_case_runs(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    assert _run(capsys, "new", "case", "-o", str(path))[0] == 0
    code, out, err = _run(capsys, "run", str(path), "--no-report", "--models", "mean,eum")
    assert code == 0, err
    assert "alignment" in out and "transit-fees" in out
    assert "Interventions against the baseline" in out and "western-offer" in out
    assert "Traceback" not in out + err


def test_new_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = tmp_path / "case.yaml"
    path.write_text("keep me\n")
    code, _, err = _run(capsys, "new", "case", "-o", str(path))
    assert code == 1
    assert err.strip() == f"error: {path}: exists; use --force to overwrite it"
    assert path.read_text() == "keep me\n"
    assert _run(capsys, "new", "case", "-o", str(path), "--force")[0] == 0
    assert load(path).id == "case"
    assert [p.name for p in tmp_path.iterdir()] == ["case.yaml"]  # no temporary file left


@pytest.mark.parametrize("name", ["_bad", ".x", "has space", "x" * 81, "a/b", "ünï"])
def test_new_refuses_a_bad_id(tmp_path, capsys, name):
    code, _, err = _run(capsys, "new", name, "-o", str(tmp_path / "x.yaml"))
    assert code == 1
    assert "is not a valid scenario id" in err and err.count("\n") == 1
    assert not (tmp_path / "x.yaml").exists()


def test_new_title_is_quoted(tmp_path):
    text = new_case_text("t1", title='A: "tricky" # title')
    path = tmp_path / "t1.yaml"
    path.write_text(text)
    assert load(path).title == 'A: "tricky" # title'


def test_every_field_of_the_template_is_commented():
    """Each field name the template uses has a comment on a line where it appears."""
    text = new_case_text("c")
    keys: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(k, str):
                    keys.add(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(yaml.safe_load(text))
    lines = text.splitlines()
    uncommented = [
        k
        for k in sorted(keys)
        if not any(re.search(rf"(^|[\s{{,]){re.escape(k)}:", ln) and "#" in ln for ln in lines)
    ]
    assert uncommented == []


# --- crossroads export --------------------------------------------------------------------

ROUND_TRIP = [
    "kazakhstan-2010",
    str(ROOT / "tests" / "data" / "mini.yaml"),
    str(ROOT / "tests" / "data" / "linked.yaml"),
    str(ROOT / "examples" / "armenia-2013.yaml"),
    str(ROOT / "examples" / "mongolia-sco.yaml"),
]


@pytest.mark.parametrize("source", ROUND_TRIP, ids=lambda s: Path(s).stem)
def test_export_round_trips(tmp_path, capsys, source):
    out = tmp_path / "copy.yaml"
    code, text, err = _run(capsys, "export", source, "-o", str(out))
    assert code == 0, err
    code, text, err = _run(capsys, "validate", str(out))
    assert code == 0, err
    assert load(out) == load(source)


def test_export_round_trips_the_new_case(tmp_path):
    src = tmp_path / "n.yaml"
    src.write_text(new_case_text("n"))
    out = tmp_path / "out.yaml"
    out.write_text(scenario_yaml(load(src)))
    assert load(out) == load(src)


def test_export_of_a_peer_file(tmp_path, capsys):
    peer = shared("eum", "ec-emissions-1994.csv")
    out = tmp_path / "peer.yaml"
    assert _run(capsys, "export", str(peer), "-o", str(out))[0] == 0
    assert load(out) == load(peer)


def test_export_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "k.yaml"
    out.write_text("old\n")
    code, _, err = _run(capsys, "export", "kazakhstan-2010", "-o", str(out))
    assert code == 1 and "exists; use --force" in err
    assert out.read_text() == "old\n"
    assert _run(capsys, "export", "kazakhstan-2010", "-o", str(out), "--force")[0] == 0
    assert load(out).id == "kazakhstan-2010"


def test_export_needs_an_output(capsys):
    code, _, err = _run(capsys, "export", "kazakhstan-2010")
    assert code == 1 and "-o FILE" in err


def test_write_whole_keeps_the_old_file_when_the_write_fails(tmp_path, monkeypatch):
    path = tmp_path / "f.yaml"
    path.write_text("old\n")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("crossroads.scenario.safe_write.os.replace", boom)
    with pytest.raises(CrossroadsError, match="No space left"):
        write_whole(path, "new\n", force=True)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.yaml"]


def test_write_whole_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CrossroadsError, match="does not exist"):
        write_whole(tmp_path / "no" / "f.yaml", "x")


# --- crossroads show SCENARIO stakes ------------------------------------------------------


def test_show_stakes_json(capsys):
    code, out, err = _run(
        capsys, "show", "kazakhstan-2010", "stakes", "--issue", "trade-regime", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    sc = load("kazakhstan-2010")
    iss = sc.issue("trade-regime")
    assert data["issue"] == "trade-regime"
    rows = data["stakes"]
    assert [r["actor"] for r in rows] == [s.actor for s in iss.stakes]
    first = rows[0]
    assert set(first) == {
        "actor", "name", "capability", "position", "salience", "uncertainty", "source", "note",
    }  # fmt: skip
    s0 = iss.stakes[0]
    assert (first["capability"], first["position"], first["salience"]) == (
        s0.capability,
        s0.position,
        s0.salience,
    )
    assert first["source"].startswith(s0.source)


def test_show_stakes_uncertainty_text(tmp_path, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(new_case_text("c"))
    code, out, _ = _run(capsys, "show", str(path), "stakes", "--issue", "alignment", "--json")
    assert code == 0
    unc = {r["actor"]: r["uncertainty"] for r in json.loads(out)["stakes"]}
    assert unc["home"] == "position sd 10; salience 0.7..1; capability: built-in default"
    assert unc["east"].startswith("position sd 5 (scenario default); capability × (1 ± 0.2)")
    assert (
        unc["exporters"]
        == "position sd 5 (scenario default); salience, capability: built-in default"
    )


def test_show_stakes_table(capsys):
    code, out, err = _run(capsys, "show", "kazakhstan-2010", "stakes", "--issue", "eu-offer")
    assert code == 0, err
    for column in ("actor", "name", "capability", "position", "salience", "uncertainty"):
        assert column in out
    assert "kazakhstan" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stakes"], "has several issues; choose one of"),
        (["stakes", "--issue", "nope"], "no issue 'nope'"),
        (["actors", "--issue", "eu-offer"], "--issue applies to 'show SCENARIO stakes'"),
    ],
)
def test_show_stakes_errors(capsys, args, message):
    code, _, err = _run(capsys, "show", "kazakhstan-2010", *args)
    assert code == 1 and message in err and err.count("\n") == 1


# --- crossroads --version -----------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(capsys, flag):
    code, out, _ = _run(capsys, flag)
    assert code == 0
    assert out == f"crossroads {__version__}\n"
    assert re.fullmatch(r"crossroads \d+\.\d+\.\d+\n", out)


# --- scenario examples in the docs --------------------------------------------------------

#: Pages whose YAML scenario examples must validate. docs/reference.md's example is fixed by
#: the docs helper, who owns that file; add its page here once it is.
DOC_PAGES = [
    "README.md",
    "docs/new-case.md",
    "docs/examples.md",
    "docs/scenario-format.md",
    "docs/tutorial.md",
]


def _scenario_blocks() -> list[tuple[str, int, str]]:
    found = []
    for page in DOC_PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for m in re.finditer(r"```ya?ml\n(.*?)```", text, re.S):
            if re.search(r"^crossroads: 1", m.group(1), re.M):
                found.append((page, text[: m.start()].count("\n") + 1, m.group(1)))
    return found


def test_docs_hold_a_scenario_example():
    assert _scenario_blocks(), f"no ```yaml scenario block in {DOC_PAGES}"


@pytest.mark.parametrize("page,line,block", _scenario_blocks(), ids=lambda v: str(v)[:40])
def test_doc_scenario_examples_validate(tmp_path, capsys, page, line, block):
    path = tmp_path / "example.yaml"
    path.write_text(block)
    code, _, err = _run(capsys, "validate", str(path))
    assert code == 0, f"{page}, the YAML block at line {line}: {err}"
