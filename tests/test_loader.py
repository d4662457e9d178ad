"""The loader: valid files load; a malformed file gets one exact message (file, line, field)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crossroads
from crossroads import ScenarioError
from crossroads.scenario import yaml_loader

from conftest import ROOT, shared

MINI = ROOT / "tests" / "data" / "mini.yaml"

# (text to replace in mini.yaml, replacement, expected line, field, message)
YAML_CASES = [
    (
        "salience: 0.9",
        "salience: -0.2",
        62,
        "issues[0].stakes[0].salience",
        "must be >= 0, got -0.2",
    ),
    ("salience: 0.9", "salience: 1.5", 62, "issues[0].stakes[0].salience", "must be <= 1, got 1.5"),
    (
        "salience: 0.9",
        "salience: .nan",
        62,
        "issues[0].stakes[0].salience",
        "must be a finite number, got nan",
    ),
    (
        "capability: 50",
        "capability: -5",
        60,
        "issues[0].stakes[0].capability",
        "must be >= 0, got -5",
    ),
    (
        "capability: 50",
        "capability: .inf",
        60,
        "issues[0].stakes[0].capability",
        "must be a finite number, got inf",
    ),
    (
        "capability: 50",
        "capability: lots",
        60,
        "issues[0].stakes[0].capability",
        "must be a number, got 'lots'",
    ),
    (
        "position: 40\n",
        "position: 140\n",
        61,
        "issues[0].stakes[0].position",
        "140 lies outside the issue's scale 0-100",
    ),
    (
        "- actor: chn\n        capability: 70",
        "- actor: usa\n        capability: 70",
        67,
        "issues[0].stakes[2].actor",
        "unknown actor 'usa'; every actor used must be listed under 'actors'",
    ),
    (
        "crossroads: 1",
        "crossroads: 2",
        1,
        "crossroads",
        "format version 2 is not supported; this crossroads reads 1",
    ),
    (
        "crossroads: 1\n",
        "",
        1,
        "crossroads",
        "missing 'crossroads: 1' (the format version) at the top",
    ),
    (
        "source: paper",
        "source: nowhere",
        13,
        "actors[0].source",
        "unknown source 'nowhere'; every source cited must be listed under 'sources'",
    ),
    (
        "kind: state\n    source",
        "kind: empire\n    source",
        12,
        "actors[0].kind",
        "must be 'state', 'bloc', 'organisation', 'company', 'ngo' or 'group', got 'empire'",
    ),
    (
        "role: member",
        "role: boss",
        28,
        "memberships[0].role",
        "must be 'member', 'founder', 'observer', 'partner', 'chair', 'applicant' or 'host', "
        "got 'boss'",
    ),
    (
        "organisation: sco",
        "organisation: rus",
        27,
        "memberships[0].organisation",
        "'rus' is a state; memberships are in an actor of kind organisation or bloc",
    ),
    (
        "parties: [kaz, chn]",
        "parties: [kaz, mongolia]",
        34,
        "agreements[0].parties[1]",
        "unknown actor 'mongolia'; every actor used must be listed under 'actors'",
    ),
    ("share: 0.1", "share: 10", 42, "flows[0].share", "must be <= 1, got 10"),
    ("    share: 0.1\n", "", 38, "flows[0]", "a flow needs a value (with unit) or a share"),
    (
        "date: 1993-11-15",
        "date: 15/11/1993",
        46,
        "events[0].date",
        "a date must be YYYY, YYYY-MM or YYYY-MM-DD, got '15/11/1993'",
    ),
    (
        "status_quo: 40",
        "status_quo: 400",
        57,
        "issues[0].status_quo",
        "400 lies outside the scale 0-100",
    ),
    ("max: 100\n", "max: -5\n", 55, "issues[0].scale.max", "scale max (-5) must exceed min (0)"),
    ("    title: Trade regime\n", "", 50, "issues[0].title", "required field is missing"),
    (
        "title: A small test system",
        "title: A small test system\nplanet: earth",
        4,
        "planet",
        "unknown field (check its spelling against the scenario format in "
        "docs/reference/scenario-fields.md)",
    ),
    (
        "shift: {position: -10}",
        "shift: {mood: -10}",
        80,
        "interventions[0].edits[0].shift.mood",
        "must be 'position', 'salience' or 'capability', got 'mood'",
    ),
    (
        "actor: kaz\n        shift",
        "actor: chn\n        remove: true\n        shift",
        78,
        "interventions[0].edits[0]",
        "an edit does exactly one of: set, shift, add, remove",
    ),
    (
        "actor: kaz\n        shift",
        "actor: zimbabwe\n        shift",
        79,
        "interventions[0].edits[0].actor",
        "unknown actor 'zimbabwe'; every actor used must be listed under 'actors'",
    ),
    (
        "requires: [multiparty]",
        "requires: [freeelections]",
        94,
        "incentives[0].requires[0]",
        "unknown benchmark 'freeelections'",
    ),
    (
        "triggers: [carrot]",
        "triggers: [stick]",
        95,
        "incentives[0].triggers[0]",
        "unknown intervention 'stick'",
    ),
    ("value: 60", "value: 160", 72, "issues[0].observed.value", "160 lies outside the scale 0-100"),
    (
        "    title: Tenge introduced\n",
        "    title: [Tenge\n",
        48,
        None,
        "not valid YAML: expected ',' or ']', but got ':'",
    ),
    (
        "- actor: rus\n        capability: 80",
        "- actor: kaz\n        capability: 80",
        63,
        "issues[0].stakes[1].actor",
        "actor 'kaz' has two stakes in issue 'trade'; one stake per actor",
    ),
    (
        "focus: kaz",
        "focus: kzk",
        4,
        "focus",
        "unknown actor 'kzk'; every actor used must be listed under 'actors'",
    ),
]

# (file name, content, expected line, field, message)
PEER_CASES = [
    (
        "neg_sal.csv",
        "Actor,Capability,Position,Salience\nA,1,10,50\nB,2,20,-5\n",
        3,
        "Salience",
        "salience must lie in 0-1 or 0-100, got -5",
    ),
    (
        "nan_pos.csv",
        "Actor,Capability,Position,Salience\nA,1,nan,50\nB,2,20,5\n",
        2,
        "Position",
        "must be a finite number, got 'nan'",
    ),
    (
        "text_cap.tsv",
        "Name\tx\tc\ts\nA\t10\tbig\t0.5\nB\t20\t1\t0.5\n",
        2,
        "c",
        "must be a number, got 'big'",
    ),
    (
        "no_sal.csv",
        "Actor,Capability,Position\nA,1,10\nB,2,20\n",
        1,
        "salience",
        "no salience column; expected one of: Salience, s",
    ),
    (
        "short_row.csv",
        "Actor,Capability,Position,Salience\nA,1,10,50\nB,2\n",
        3,
        None,
        "row has 2 cells; the header has 4",
    ),
    (
        "dup.csv",
        "Stakeholder,Resources,Position,Salience\nA,1,10,50\nA,2,20,50\n",
        3,
        "Stakeholder",
        "actor 'A' appears twice (first on line 2)",
    ),
    (
        "header_only.csv",
        "Actor,Capability,Position,Salience\n",
        1,
        None,
        "no actor rows after the header",
    ),
    ("empty.csv", "", None, None, "file is empty"),
    ("blank.csv", "\n\n  \n", None, None, "file is empty"),
    (
        "sal_big.csv",
        "Actor,Capability,Position,Salience\nA,1,10,50\nB,2,20,150\n",
        3,
        "Salience",
        "salience must lie in 0-1 or 0-100, got 150",
    ),
    (
        "noname.csv",
        "Actor,Capability,Position,Salience\nA,1,10,50\n,2,20,10\n",
        3,
        "Actor",
        "actor name is empty",
    ),
    (
        "neg_cap.csv",
        "Actor,Capability,Position,Salience\nA,-1,10,50\nB,2,20,10\n",
        2,
        "Capability",
        "capability must be >= 0, got -1",
    ),
    (
        "unknown.csv",
        "foo,bar\n1,2\n",
        1,
        None,
        "not a scenario (YAML with 'crossroads: 1') nor a known peer format (EUM table with "
        "Actor/Stakeholder/Name and Position/x columns, KTAB CSV, DEU III TSV, decide file of "
        "#A/#P/#D rows)",
    ),
    (
        "bad.yaml",
        "crossroads: 1\nid: x\n",
        1,
        "title",
        "required field is missing (and 1 more problem: line 1, field 'actors': required field "
        "is missing)",
    ),
    (
        "list.yaml",
        "- a\n- b\n",
        1,
        None,
        "a scenario is a YAML mapping starting with 'crossroads: 1'",
    ),
    (
        "nonutf8.csv",
        b"Actor,Capability,Position,Salience\nA\xff,1,10,50\n",
        2,
        None,
        "not UTF-8 text",
    ),
    ("empty.yaml", "", None, None, "file is empty"),
]


def _expect(path: Path, line, field, message):
    with pytest.raises(ScenarioError) as info:
        crossroads.load(str(path))
    e = info.value
    assert (e.line, e.field, e.message) == (line, field, message)
    assert str(e).startswith(str(path))
    assert "Traceback" not in str(e)


def test_mini_loads():
    sc = crossroads.load(str(MINI))
    assert sc.id == "mini" and len(sc.actors) == 4
    arr = sc.arrays("trade")
    np.testing.assert_array_equal(arr.position, [40, 90, 20])
    np.testing.assert_array_equal(arr.salience, [0.9, 0.8, 0.4])
    assert sc.events[0].date == "1993-11-15"
    assert sc.flows[0].origin == "kaz"


@pytest.mark.parametrize(
    "old,new,line,field,message", YAML_CASES, ids=[f"yaml-{i}" for i in range(len(YAML_CASES))]
)
def test_malformed_yaml(tmp_path, old, new, line, field, message):
    text = MINI.read_text()
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1))
    _expect(path, line, field, message)


@pytest.mark.parametrize(
    "name,content,line,field,message", PEER_CASES, ids=[c[0] for c in PEER_CASES]
)
def test_malformed_peer_files(tmp_path, name, content, line, field, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    _expect(path, line, field, message)


def test_huge_file_refused(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(yaml_loader.MAX_BYTES + 1)
    with pytest.raises(
        ScenarioError,
        match=r"file is 20.0 MB \(20,000,001 bytes\); the limit is 20 MB \(20,000,000 bytes\)",
    ):
        crossroads.load(str(path))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError, match="no such file or built-in scenario"):
        crossroads.load(str(tmp_path / "nope.yaml"))
    with pytest.raises(ScenarioError, match="is a directory"):
        crossroads.load(str(tmp_path))


@pytest.mark.parametrize(
    "name",
    [
        "ec-emissions-1994.csv",
        "sultan.csv",
        "china.csv",
        "honduras-crisis.csv",
        "argentina.tsv",
        "iranian-election.tsv",
    ],
)
def test_every_eum_peer_file_reads(name):
    sc = crossroads.load(str(shared("eum", name)))
    arr = sc.arrays()
    assert len(arr.actors) >= 5
    assert np.all((arr.salience >= 0) & (arr.salience <= 1))
    assert arr.scale_min == arr.position.min() and arr.scale_max == arr.position.max()


def test_ec_emissions_values():
    arr = crossroads.load(str(shared("eum", "ec-emissions-1994.csv"))).arrays()
    assert arr.names[0] == "Netherlands"
    # salience 0-100 in the file, 0-1 in the scenario
    np.testing.assert_allclose(arr.salience[:3], [0.8, 0.4, 0.2])
    w = arr.capability * arr.salience
    assert np.dot(w, arr.position) / w.sum() == pytest.approx(7.38996, abs=1e-5)


# --- generated stake tables ---------------------------------------------------------

stake_rows = st.lists(
    st.tuples(
        st.floats(0, 1e6, allow_nan=False, allow_infinity=False),  # capability
        st.floats(0, 100, allow_nan=False, allow_infinity=False),  # position
        st.floats(0, 1, allow_nan=False, allow_infinity=False),  # salience
    ),
    min_size=1,
    max_size=25,
)


def _doc(rows):
    return {
        "crossroads": 1,
        "id": "gen",
        "title": "generated",
        "actors": [
            {"id": f"a{i}", "name": f"Actor {i}", "kind": "state"} for i in range(len(rows))
        ],
        "issues": [
            {
                "id": "q",
                "title": "Q",
                "question": "?",
                "stakes": [
                    {"actor": f"a{i}", "capability": c, "position": x, "salience": s}
                    for i, (c, x, s) in enumerate(rows)
                ],
            }
        ],
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=stake_rows)
def test_generated_tables_round_trip(tmp_path, rows):
    path = tmp_path / "gen.yaml"
    path.write_text(yaml.safe_dump(_doc(rows)))
    arr = crossroads.load(str(path)).arrays("q")
    np.testing.assert_allclose(arr.capability, [r[0] for r in rows])
    np.testing.assert_allclose(arr.position, [r[1] for r in rows])
    np.testing.assert_allclose(arr.salience, [r[2] for r in rows])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=stake_rows, bad=st.data())
def test_generated_bad_salience_names_its_line(tmp_path, rows, bad):
    k = bad.draw(st.integers(0, len(rows) - 1))
    value = bad.draw(st.one_of(st.floats(1.0001, 1e9), st.floats(-1e9, -1e-4)))
    doc = _doc(rows)
    doc["issues"][0]["stakes"][k]["salience"] = value
    text = yaml.safe_dump(doc, sort_keys=False)
    path = tmp_path / "gen.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        crossroads.load(str(path))
    e = info.value
    assert e.field == f"issues[0].stakes[{k}].salience"
    assert text.splitlines()[e.line - 1].strip().startswith("salience:")
