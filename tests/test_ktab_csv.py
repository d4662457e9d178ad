"""The KTAB SMP CSV reader: KTAB's own files and quirks load; every malformed file gets one
message naming the file, the line and the field."""

from __future__ import annotations

import numpy as np
import pytest

import crossroads
from crossroads import ScenarioError
from crossroads.scenario.peers.ktab_csv import looks_like_ktab, read_ktab_csv

from conftest import shared

GOOD = (
    'Demo ,"A demo, with a comma",3,2,\n'
    "Actor,Description,Power,Pstn1,Sal1,Pstn2,Sal2,\n"
    "A-1, First actor, 102.5, 75.79, 49.53,  6.37,  5.91,\n"
    "B-2, Second actor,  53.4, 82.72, 30.33, 73.50, 21.22,\n"
    "C-3, Third actor, 129.6, 82.45, 48.47, 90.89, 13.55,\n"
)


def _write(tmp_path, text: str, name: str = "scen.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


@pytest.mark.parametrize(
    ("csv", "actors", "dims"),
    [
        ("dummyData_3Dim.csv", 7, 3),
        ("dummyData_6Dim.csv", 27, 6),
        ("SOE-Pol-Comp.csv", 13, 2),
        ("SOE-Competitive.csv", 34, 1),
        ("SOE-Policy.csv", 26, 1),
        ("dummyData-a040.csv", 40, 1),
        ("dummyData-a080.csv", 80, 1),
        ("dummyData-a160.csv", 160, 1),
    ],
)
def test_ktab_files_load(csv, actors, dims):
    sc = crossroads.load(shared("ktab", csv))
    a = sc.arrays()
    assert len(a.actors) == actors
    if dims > 1:
        assert a.position.shape == a.salience.shape == (actors, dims)
        assert len(sc.issues[0].dimensions) == dims
    else:
        assert a.position.shape == a.salience.shape == (actors,)
    assert np.all(a.salience.reshape(actors, -1).sum(axis=1) <= 1 + 1e-9)


def test_values_and_names_of_dummy_3dim():
    sc = crossroads.load(shared("ktab", "dummyData_3Dim.csv"))
    iss = sc.issues[0]
    assert sc.title == "DummyData_3Dim"
    assert sc.description == "Dummy scenario to test reading format"
    assert [d.title for d in iss.dimensions] == ["Pstn1", "Pstn2", "Pstn3"]
    assert sc.actors[0].name == "SActor-00" and sc.actors[0].description == "Random Spatial Actor"
    s0 = iss.stakes[0]
    assert s0.capability == 102.543
    assert s0.positions == [75.79, 6.37, 70.45]
    np.testing.assert_allclose(s0.saliences, [0.4953, 0.0591, 0.2815])
    assert s0.where == "line 3"


def test_quirks_trailing_commas_padding_quotes_crlf_extra_row1_cells(tmp_path):
    text = GOOD.replace("3,2,\n", "3,2,0,,,,\n", 1).replace("\n", "\r\n")
    sc = crossroads.load(_write(tmp_path, text))
    assert sc.description == "A demo, with a comma"
    assert [s.actor for s in sc.issues[0].stakes] == ["a-1", "b-2", "c-3"]
    assert sc.arrays().position[2].tolist() == [82.45, 90.89]
    no_trailing = GOOD.replace(",\n", "\n")
    assert crossroads.load(_write(tmp_path, no_trailing, "b.csv")).arrays().position.shape == (3, 2)


def test_sniffing():
    assert looks_like_ktab(GOOD)
    assert not looks_like_ktab("Actor,Capability,Position,Salience\nA,1,2,3\n")
    assert not looks_like_ktab("Name\tx\tc\ts\nA\t1\t2\t3\n")


# (text replaced in GOOD, replacement, line, field, message)
BAD = [
    ("3,2,\n", "three,2,\n", 1, "nActors", "must be a number, got 'three'"),
    ("3,2,\n", "3,2.5,\n", 1, "nDims", "must be a whole number >= 1, got '2.5'"),
    ("3,2,\n", "4,2,\n", 5, "nActors", "3 actor rows, but row 1 gives nActors = 4"),
    ("3,2,\n", "2,2,\n", 5, "nActors", "3 actor rows, but row 1 gives nActors = 2"),
    ("3,2,\n", "3,3,\n", 2, None, "header has 7 columns; with nDims = 3 KTAB needs 9"),
    ("Pstn2,Sal2,\n", "Pstn2,\n", 2, None, "header has 6 columns; with nDims = 2 KTAB needs 7"),
    (" 102.5,", " lots,", 3, "Power", "must be a number, got 'lots'"),
    (" 102.5,", " nan,", 3, "Power", "must be a finite number, got 'nan'"),
    (" 102.5,", " -1,", 3, "Power", "influence must be >= 0, got -1"),
    (" 82.72,", " 100.5,", 4, "Pstn1", "position must lie in 0-100, got 100.5"),
    (" 82.72,", " ,", 4, "Pstn1", "must be a number, got ''"),
    (" 48.47,", " -3,", 5, "Sal1", "salience must lie in 0-100, got -3"),
    (" 13.55,", " 52.0,", 5, "Sal2", "saliences sum to 100.47 by this column"),
    (", 21.22,", ",", 4, "Sal2", "row has 6 cells; the header has 7 (missing Sal2)"),
    (" 21.22,", " 21.22, 9,", 4, None, "row has 8 cells; the header has 7"),
    ("B-2,", "A-1,", 4, "Actor", "actor 'A-1' appears twice (first on line 3)"),
    ("B-2,", " ,", 4, "Actor", "actor name is empty"),
]


@pytest.mark.parametrize(("old", "new", "line", "field", "message"), BAD)
def test_malformed_files(tmp_path, old, new, line, field, message):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as e:
        crossroads.load(path)
    err = e.value
    assert err.file == str(path)
    assert err.line == line
    assert err.field == field
    assert message in err.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "file is empty"),
        (" , ,\n", None, "file has no rows with values"),
        ("Demo,desc,3,2\n", 1, "no header row"),
        ("Demo,desc,3\nActor,Description,Power,Pstn1,Sal1\n", 1, "row 1 has 3 cells"),
    ],
)
def test_empty_and_truncated_files(tmp_path, text, line, message):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as e:
        read_ktab_csv(path)
    assert e.value.line == line and message in e.value.message


def test_errors_read_as_one_line(tmp_path):
    path = _write(tmp_path, GOOD.replace(" 102.5,", " -1,", 1))
    with pytest.raises(ScenarioError) as e:
        crossroads.load(path)
    assert str(e.value) == f"{path}, line 3, field 'Power': influence must be >= 0, got -1"
