"""The decide (exchange model) reader: the shipped files load as multi-issue scenarios,
quoting and other quirks do not change what is read, and every malformed file gets one
message naming the file, the line and the field."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import crossroads
from crossroads import ScenarioError
from crossroads.scenario.peers.decide import decide_rows, looks_like_decide, read_decide
from crossroads.scenario.peers.deu3 import looks_like_deu3
from crossroads.scenario.peers.eum_csv import looks_like_eum
from crossroads.scenario.peers.ktab_csv import looks_like_ktab

from conftest import ROOT

EXCHANGE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "exchange"
SHARED = EXCHANGE.parent


def exchange(name: str) -> Path:
    """A file of ../shared/data/exchange; skips when it is missing, except under CI=true."""
    path = EXCHANGE / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"reference data missing under CI: {path}")
        pytest.skip(f"reference data not present: {path}")
    return path


# line numbers:  1 title, 2 comment, 3-5 actors, 6 issue, 7-8 its scale, 9 issue,
# 10 comment, 11-15 stakes (East has none on 'free')
GOOD = (
    "#O\tA demo of linked issues\n"
    "#/\tactors\n"
    "#A\tNorth\tThe North\tnorthern states\n"
    "#A\tSouth\tThe South\n"
    "#A\tEast\tEast\n"
    "#P\ttax\tTax rate\tHow high is the tax?\n"
    "#M\ttax\t0\tnone\n"
    "#M\ttax\t10\tten percent\n"
    "#P\tfree\tFree trade\n"
    "#/\tstakes\n"
    "#D\tNorth\ttax\t2\t0.5\t1.5\n"
    "#D\tSouth\ttax\t8\t0.9\t1\n"
    "#D\tEast\ttax\t5\t0.2\t0.5\n"
    "#D\tNorth\tfree\t80\t0.4\t1.5\n"
    "#D\tSouth\tfree\t20\t1\t1\n"
)


def _quoted(text: str) -> str:
    """Every cell of ``text`` in single quotes, as cop21.csv and copenhagen.csv write them."""
    return "".join(
        "\t".join(f"'{c}'" for c in line.split("\t")) + "\n" for line in text.splitlines()
    )


def _write(tmp_path: Path, text: str | bytes, name: str = "demo.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


# --- the shipped files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "actors", "issues", "stakes"),
    [("cop21.csv", 15, 13, 181), ("copenhagen.csv", 11, 7, 75)],
)
def test_shipped_files_load(name, actors, issues, stakes):
    sc = crossroads.load(exchange(name))
    assert sc.id == Path(name).stem and sc.title == Path(name).stem  # no #O row
    assert len(sc.actors) == actors and len(sc.issues) == issues
    assert sum(len(i.stakes) for i in sc.issues) == stakes
    assert sc.sources[0].title == name and "decide-format" in sc.sources[0].note
    assert "bargained together" in sc.description
    assert [lk.id for lk in sc.linkages] == ["all"] and sc.linkages[0].active
    assert sc.linkages[0].issues == [i.id for i in sc.issues]
    for issue in sc.issues:
        assert (issue.scale.min, issue.scale.max) == (0, 100)  # from the #M rows
        a = sc.arrays(issue.id)
        assert np.all((a.salience >= 0) & (a.salience <= 1)) and np.all(a.capability >= 0)


def test_copenhagen_values():
    sc = crossroads.load(exchange("copenhagen.csv"))
    usa = sc.issue("newtreaty").stake("usa")
    assert (usa.position, usa.salience, usa.capability) == (10, 0.9, 0.26)
    assert usa.where == "line 33"
    assert sc.actor("eu-incl-norway").name == "EU (incl Norway)"
    # Russia has no #D row on Commitments and Extra: no stake there
    assert "russia" not in sc.arrays("commitments").actors
    assert len(sc.issue("extra").stakes) == 10
    china = sc.issue("extra").stake("china-india")
    assert (china.position, china.salience, china.capability) == (90, 0.85, 0.247)


def test_cop21_values():
    sc = crossroads.load(exchange("cop21.csv"))
    a = sc.arrays("differentiation")
    assert a.actors[0] == "african-grp" and a.names[0] == "African_grp"
    assert (a.position[0], a.salience[0], a.capability[0]) == (70, 0.75, 0.25)
    assert [i.id for i in sc.issues][:3] == ["differentiation", "mrv", "legal"]


def test_copenhagen_with_errors_is_refused_in_one_line(tmp_path):
    path = exchange("copenhagen-with-errors.csv")
    with pytest.raises(ScenarioError) as e:
        crossroads.load(path)
    assert str(e.value) == (
        f"{path}, line 86, field 'position': position must lie in 0-100, the scale of issue "
        "'Control' (the default: it has no #M rows), got 160"
    )
    # its second error, once the first is mended
    text = path.read_text().replace("Control\t160\t", "Control\t60\t")
    fixed = _write(tmp_path, text, "copenhagen-with-errors.csv")
    with pytest.raises(ScenarioError) as e:
        crossroads.load(fixed)
    assert str(e.value) == f"{fixed}, line 87, field 'power': power must be >= 0, got -0.247"
    # mended twice, it loads, with its #O title and its long issue names
    fixed.write_text(text.replace("\t-0.247", "\t0.247"))
    sc = crossroads.load(fixed)
    assert sc.title == "Copenhagen negotiations"
    assert sc.issue("newtreaty").title == "Copenhagen new treaty vs extension of Kyoto"
    assert sum(len(i.stakes) for i in sc.issues) == 75


# --- a small file and its variants ----------------------------------------------------------


def test_small_file_reads(tmp_path):
    sc = crossroads.load(_write(tmp_path, GOOD))
    assert sc.id == "demo" and sc.title == "A demo of linked issues"
    assert [a.id for a in sc.actors] == ["north", "south", "east"]
    assert sc.actor("north").name == "The North"
    assert sc.actor("north").description == "northern states"
    tax = sc.issue("tax")
    assert (tax.title, tax.question) == ("Tax rate", "How high is the tax?")
    assert (tax.scale.min, tax.scale.max) == (0, 10)
    assert tax.scale.labels == {0: "none", 10: "ten percent"}
    free = sc.issue("free")
    assert (free.scale.min, free.scale.max, free.scale.labels) == (0, 100, {})
    assert free.question == "Free trade"
    assert [s.actor for s in free.stakes] == ["north", "south"]  # East has no stake
    np.testing.assert_array_equal(sc.arrays("tax").capability, [1.5, 1, 0.5])
    np.testing.assert_array_equal(sc.arrays("tax").position, [2, 8, 5])
    np.testing.assert_array_equal(sc.arrays("free").salience, [0.4, 1])


def test_quoted_and_unquoted_give_the_same_scenario(tmp_path):
    (tmp_path / "q").mkdir()
    plain = crossroads.load(_write(tmp_path, GOOD))
    quoted = crossroads.load(_write(tmp_path / "q", _quoted(GOOD)))
    assert "'#A'\t'North'" in _quoted(GOOD)
    assert quoted == plain


def test_quirks_change_nothing(tmp_path):
    """CRLF, a BOM, padding, trailing empty cells, lower-case row types, blank lines,
    comment rows anywhere, rows in any order, double quotes."""
    plain = crossroads.load(_write(tmp_path, GOOD))
    lines = GOOD.splitlines()
    lines[3] = "#a\t 'South' \t\"The South\"\t''\t"  # lower case, padding, quotes, empties
    lines[12] += "\t\t"
    lines[1] = '#0\tcomment written #0, with an "unmatched quote'
    lines[6] += "\n#M\ttax\t0"  # a point repeated without a description
    text = "\ufeff" + "\r\n".join(lines) + "\r\n\r\n#/\ta trailing comment\r\n"
    (tmp_path / "b").mkdir()
    other = crossroads.load(_write(tmp_path / "b", text))
    assert other.model_dump(exclude={"issues"}) == plain.model_dump(exclude={"issues"})
    assert other.issues[0].scale == plain.issues[0].scale
    for issue in ("tax", "free"):
        a, b = other.arrays(issue), plain.arrays(issue)
        assert a.actors == b.actors
        for f in ("position", "salience", "capability"):
            assert getattr(a, f).tolist() == getattr(b, f).tolist()
    # a stake and a scale point before the issue they name: same stakes, other lines
    moved = GOOD.replace("#P\tfree\tFree trade\n", "") + "#P\tfree\tFree trade\n"
    moved = moved.replace("#M\ttax\t10\tten percent\n", "") + "#M\ttax\t10\tten percent\n"
    sc = crossroads.load(_write(tmp_path, moved, "moved.csv"))
    assert sc.issue("tax").scale.labels == {0: "none", 10: "ten percent"}
    for issue in ("tax", "free"):
        a, b = sc.arrays(issue), plain.arrays(issue)
        assert a.actors == b.actors and a.position.tolist() == b.position.tolist()


def test_rows_and_sniffing(tmp_path):
    assert decide_rows("'#A'\t'X Y'\t'X'\t''\r\n\n#/\n") == [(1, "#A", ["X Y", "X"]), (3, "#/", [])]
    assert looks_like_decide(GOOD) and looks_like_decide(_quoted(GOOD))
    assert looks_like_decide("\ufeff\n#/\tcomments first\n#A\tx\n")
    assert not looks_like_decide("# a YAML comment\ncrossroads: 1\n")
    assert not looks_like_decide("Actor,Capability,Position,Salience\nA,1,2,3\n")
    assert not looks_like_decide("")


def _peer_files() -> list[Path]:
    return [p for d in ("eum", "ktab", "deu") for p in sorted((SHARED / d).glob("*"))]


def test_sniffers_keep_to_their_formats():
    exchange("cop21.csv")  # skip without ../shared
    others = _peer_files()
    assert len(others) >= 15
    for path in others:
        head = path.read_text(encoding="utf-8-sig")[:4096]
        assert not looks_like_decide(head), path
    for path in sorted(EXCHANGE.glob("*.csv")):
        head = path.read_text(encoding="utf-8-sig")[:4096]
        assert looks_like_decide(head), path
        assert not (looks_like_eum(head) or looks_like_ktab(head) or looks_like_deu3(head)), path


# --- malformed files ---------------------------------------------------------------------------

# (text replaced in GOOD, replacement, line, field, message)
BAD = [
    (
        "#D\tSouth\ttax",
        "#D\tSouht\ttax",
        12,
        "actor",
        "unknown actor 'Souht': no #A row has this key (did you mean 'South'?)",
    ),
    (
        "#D\tSouth\ttax",
        "#D\tMars\ttax",
        12,
        "actor",
        "unknown actor 'Mars': no #A row has this key; actors: North, South, East",
    ),
    (
        "#D\tNorth\tfree",
        "#D\tNorth\tfre",
        14,
        "issue",
        "unknown issue 'fre': no #P row has this key (did you mean 'free'?)",
    ),
    (
        "#M\ttax\t10",
        "#M\tvat\t10",
        8,
        "issue",
        "unknown issue 'vat': no #P row has this key; issues: tax, free",
    ),
    (
        "#A\tEast\tEast",
        "#A\tNorth\tEast",
        5,
        "key",
        "actor 'North' appears twice (first on line 3); keys must be unique",
    ),
    (
        "#P\tfree\tFree trade",
        "#P\ttax\tFree trade",
        9,
        "key",
        "issue 'tax' appears twice (first on line 6); keys must be unique",
    ),
    ("#A\tEast\tEast", "#A\t \tEast", 5, "key", "actor key is empty"),
    ("#D\tSouth\ttax", "#D\t\ttax", 12, "actor", "actor key is empty"),
    (
        "#D\tSouth\tfree\t20",
        "#D\tNorth\tfree\t20",
        15,
        "issue",
        "actor 'North' has two #D rows on issue 'free' (first on line 14); "
        "one stake per actor and issue",
    ),
    (
        "\t0.2\t0.5\n",
        "\t0.2\n",
        13,
        "power",
        "#D row has 4 fields; it needs 5: actor, issue, position, salience, power (missing power)",
    ),
    (
        "#D\tEast\ttax\t5\t0.2\t0.5\n",
        "#D\tEast\n",
        13,
        "issue",
        "#D row has 1 field; it needs 5: actor, issue, position, salience, power (missing issue)",
    ),
    (
        "\t0.2\t0.5\n",
        "\t0.2\t0.5\t7\n",
        13,
        None,
        "#D row has 6 fields; a #D row has at most 5: actor, issue, position, salience, power",
    ),
    (
        "#M\ttax\t10\tten percent",
        "#M\ttax",
        8,
        "position",
        "#M row has 1 field; it needs at least 2: issue, position, then optionally "
        "description (missing position)",
    ),
    (
        "#A\tEast\tEast",
        "#A\tEast\tEast\teast\tmore",
        5,
        None,
        "#A row has 4 fields; a #A row has at most 3: key, name, comment",
    ),
    (
        "#A\tEast\tEast",
        "#A",
        5,
        "key",
        "#A row has 0 fields; it needs at least 1: key, then optionally name, comment "
        "(missing key)",
    ),
    ("\t8\t0.9\t1\n", "\tlots\t0.9\t1\n", 12, "position", "must be a number, got 'lots'"),
    ("\t8\t0.9\t1\n", "\t\t0.9\t1\n", 12, "position", "must be a number, got ''"),
    ("\t8\t0.9\t1\n", "\t8\t0.9\tinf\n", 12, "power", "must be a finite number, got 'inf'"),
    ("\t8\t0.9\t1\n", "\t8\tnan\t1\n", 12, "salience", "must be a finite number, got 'nan'"),
    ("\t8\t0.9\t1\n", "\t8\thigh\t1\n", 12, "salience", "must be a number, got 'high'"),
    (
        "\t8\t0.9\t1\n",
        "\t8\t90\t1\n",
        12,
        "salience",
        "salience must lie in 0-1, got 90 (the decide format gives salience on 0-1, not 0-100)",
    ),
    ("\t8\t0.9\t1\n", "\t8\t-0.1\t1\n", 12, "salience", "salience must lie in 0-1, got -0.1"),
    ("\t8\t0.9\t1\n", "\t8\t0.9\t-1\n", 12, "power", "power must be >= 0, got -1"),
    (
        "\t8\t0.9\t1\n",
        "\t12\t0.9\t1\n",
        12,
        "position",
        "position must lie in 0-10, the scale of issue 'tax' (set by its #M rows, lines 7-8), "
        "got 12",
    ),
    (
        "\tfree\t20\t",
        "\tfree\t120\t",
        15,
        "position",
        "position must lie in 0-100, the scale of issue 'free' (the default: it has no #M "
        "rows), got 120",
    ),
    (  # the first field in error is the one reported
        "\t8\t0.9\t1\n",
        "\t12\t0.9\tbig\n",
        12,
        "position",
        "position must lie in 0-10, the scale of issue 'tax' (set by its #M rows, lines 7-8), "
        "got 12",
    ),
    (
        "#D\tSouth\tfree\t20\t1\t1",
        "#D\tNorth\tfree\t200\t1\t1",
        15,
        "issue",
        "actor 'North' has two #D rows on issue 'free' (first on line 14); "
        "one stake per actor and issue",
    ),
    ("#M\ttax\t10\t", "#M\ttax\tten\t", 8, "position", "must be a number, got 'ten'"),
    (
        "#M\ttax\t10\tten percent",
        "#/\tten percent",
        7,
        "position",
        "issue 'tax' has one #M position (0); its #M rows set the scale's min and max, so give "
        "at least two different positions (or none, for 0-100)",
    ),
    (
        "#M\ttax\t10\tten percent",
        "#M\ttax\t0\tzero",
        8,
        "description",
        "issue 'tax' already has position 0 described as 'none' (line 7); "
        "one description per position",
    ),
    (
        "#/\tstakes",
        "#X\tstakes",
        10,
        "row type",
        "unknown row type '#X'; a row starts with one of: #A (actor), #P (issue), "
        "#M (scale point), #D (stake), #O (title), #/ (comment), #0 (comment)",
    ),
    (
        "#/\tstakes",
        "\tstakes",
        10,
        "row type",
        "unknown row type ''; a row starts with one of: #A (actor), #P (issue), "
        "#M (scale point), #D (stake), #O (title), #/ (comment), #0 (comment)",
    ),
    (
        "#P\tfree\tFree trade\n",
        "#P\tfree\tFree trade\n#P\tspare\tSpare\n",
        10,
        "key",
        "issue 'spare' has no #D rows; every issue needs at least one stake "
        "(#D, actor, issue, position, salience, power)",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "field", "message"), BAD)
def test_malformed_files(tmp_path, old, new, line, field, message):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    for variant, name in ((text, "plain.csv"), (_quoted(text), "quoted.csv")):
        path = _write(tmp_path, variant, name)
        with pytest.raises(ScenarioError) as e:
            crossroads.load(path)
        err = e.value
        assert (err.file, err.line, err.field) == (str(path), line, field), name
        assert err.message == message, name
        assert "\n" not in str(err)


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("", None, None, "file is empty"),
        (" \n\t\n", None, None, "file is empty"),
        ("''\t''\n", None, None, "file has no rows with values"),
        (
            "#O\tOnly a title\n#/\tand a comment\n",
            None,
            None,
            "no #A, #P or #D rows; a decide file lists actors (#A), issues (#P) and their "
            "stakes (#D)",
        ),
        (
            "#O\tNo actors\n#D\tNorth\ttax\t2\t0.5\t1\n",
            2,
            "actor",
            "the file has no #A rows, so actor 'North' is not defined; each actor needs a #A "
            "row (#A, key, name, comment)",
        ),
        (
            "#A\tNorth\n#D\tNorth\ttax\t2\t0.5\t1\n",
            2,
            "issue",
            "the file has no #P rows, so issue 'tax' is not defined; each issue needs a #P "
            "row (#P, key, name, comment)",
        ),
        (
            "#A\tNorth\n#A\tSouth\n",
            None,
            None,
            "no #P rows; a decide file lists issues (#P, key, name, comment) and the actors' "
            "stakes in them (#D)",
        ),
        (
            "#P\ttax\n",
            None,
            None,
            "no #A rows; a decide file lists actors (#A, key, name, comment) and their stakes (#D)",
        ),
        (
            "#A\tNorth\n#P\ttax\n",
            2,
            "key",
            "issue 'tax' has no #D rows; every issue needs at least one stake "
            "(#D, actor, issue, position, salience, power)",
        ),
    ],
)
def test_empty_and_incomplete_files(tmp_path, text, line, field, message):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as e:
        read_decide(path)
    err = e.value
    assert (err.line, err.field) == (line, field)
    assert err.message == message


def test_error_reads_as_one_line(tmp_path):
    path = _write(tmp_path, GOOD.replace("\t8\t0.9\t1\n", "\t8\t0.9\t-1\n"))
    with pytest.raises(ScenarioError) as e:
        crossroads.load(path)
    assert str(e.value) == f"{path}, line 12, field 'power': power must be >= 0, got -1"


# --- the command line ----------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crossroads", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )


def test_cli_validate_and_show_cop21():
    path = str(exchange("cop21.csv"))
    r = cli("validate", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{path}: valid crossroads scenario 'cop21' (15 actors, 13 issues)"
    r = cli("show", path, "issues")
    assert r.returncode == 0, r.stderr
    for issue in ("differentiation", "adapt_finance", "amb2100", "eaa"):
        assert issue.replace("_", "-") in r.stdout
    assert r.stdout.count("0-100") == 13


def test_cli_validate_erroneous_file():
    path = str(exchange("copenhagen-with-errors.csv"))
    r = cli("validate", path)
    assert r.returncode == 1
    assert r.stderr == (
        f"error: {path}, line 86, field 'position': position must lie in 0-100, the scale of "
        "issue 'Control' (the default: it has no #M rows), got 160\n"
    )
    assert r.stdout == "" and "Traceback" not in r.stderr
