"""What real peer files do: each quirk is read by its documented rule and reported with
its line, or refused with the file, the line and the column.

The DEU III rows are the header of ``deu3-dev.tsv`` and its first issue row (line 3,
``d00032i1``), copied here and altered one cell at a time.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import crossroads
from crossroads.cli import main
from crossroads.errors import ScenarioError
from crossroads.evaluation import issue_set, open_source
from crossroads.scenario.loading import load_with_quirks
from crossroads.scenario.peers.deu3 import capabilities, read_deu3, read_deu3_table
from crossroads.scenario.peers.eum_csv import read_eum_table
from crossroads.scenario.peers.ktab_csv import read_ktab_csv
from crossroads.scenario.peers.quirks import QuirkReport

from conftest import shared

# The header and line 3 of deu3-dev.tsv, as they are.
HEADER = (
    "prnrnmc\tisnrnmc\tprnr\tprname\tisnr\ttype\tcouncil\tproc\tcounvte\tproccde\tissues\tintro"
    "\tfinact\tpcom\tpep\tpat\tpbe\tpbu\tpcr\tpcy\tpcz\tpdk\tpee\tpfi\tpfr\tpde\tpel\tphu\tpie"
    "\tpit\tplv\tplt\tplu\tpmt\tpnl\tppl\tppt\tpro\tpsi\tpsk\tpes\tpse\tpuk\tscom\tsep\tsat\tsbe"
    "\tsbu\tscr\tscy\tscz\tsdk\tsee\tsfi\tsfr\tsde\tsel\tshu\tsie\tsit\tslv\tslt\tslu\tsmt\tsnl"
    "\tspl\tspt\tsro\tssi\tssk\tses\tsse\tsuk\trp\tout"
).split("\t")
REAL = (
    "1\t1\td00032\tdocuments\td00032i1\tReg\tGeneral\tCOD\tQMV\t3\t4\t26-01-00\t1930-05-01\t100"
    "\t100\t40\t40\t\t\t\t\t100\t\t100\t40\t0\t40\t\t40\t0\t\t\t40\t\t100\t\t40\t\t\t\t0\t100\t100"
    "\t50\t50\t40\t20\t0\t\t0\t0\t80\t0\t80\t20\t80\t20\t0\t20\t60\t0\t0\t20\t0\t20\t0\t20\t0\t0"
    "\t0\t80\t80\t60\t0\t100"
).split("\t")
assert len(HEADER) == len(REAL) == 75


# A GDP row (no prnr, no isnr): 1 for every actor.
GDP_ROW = ["1" if h.startswith("p") and h not in ("prnrnmc", "prnr", "prname", "proc", "proccde")
           else "" for h in HEADER]  # fmt: skip


def real_row(**changes: str) -> list[str]:
    """Line 3 of deu3-dev.tsv with some cells changed (by column name)."""
    cells = list(REAL)
    for name, value in changes.items():
        cells[HEADER.index(name)] = value
    return cells


def write_deu(tmp_path, *rows: list[str], name: str = "deu.tsv"):
    p = tmp_path / name
    p.write_text("\n".join("\t".join(r) for r in [HEADER, *rows]) + "\n")
    return p


def kinds_at(quirks: QuirkReport, kind: str) -> list[tuple[int | None, str | None]]:
    return [(q.line, q.field) for q in quirks if q.kind == kind]


def test_the_real_row_reads_with_its_one_quirk(tmp_path):
    t = read_deu3_table(write_deu(tmp_path, REAL))
    assert t.meta.loc["d00032i1", "finact"].isoformat() == "2001-05-30"
    assert [(q.kind, q.line, q.field) for q in t.quirks] == [("date-swapped", 2, "finact")]


# --- (a) a proposal introduced early in the year after its number's ------------------------


def test_intro_in_the_year_after_the_number(tmp_path):
    row = real_row(prnr="d95123", isnr="d95123i1", intro="14-02-96")
    t = read_deu3_table(write_deu(tmp_path, row))
    m = t.meta.loc["d95123i1"]
    assert m["intro"].isoformat() == "1996-02-14" and m["regime"] == "pre-nice-15"
    assert kinds_at(t.quirks, "intro-next-year") == [(2, "intro")]


def test_intro_two_years_after_the_number_is_refused(tmp_path):
    p = write_deu(tmp_path, real_row(prnr="d95123", isnr="d95123i1", intro="14-02-97"))
    with pytest.raises(ScenarioError) as e:
        read_deu3(p)
    assert str(e.value) == (
        f"{p}, line 2, field 'intro': date '14-02-97' (read as 1997-02-14) falls neither in "
        "1995, the year of proposal 'd95123', nor in 1996"
    )


# --- (b) QMV(10) ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell,vote", [("QMV(10)", "QMV"), ("qmv", "QMV"), ("Unan(2)", "Unan"),
                                       ("Unanimity", "Unan")])  # fmt: skip
def test_voting_rule_written_with_a_count(tmp_path, cell, vote):
    t = read_deu3_table(write_deu(tmp_path, real_row(counvte=cell)))
    assert t.meta.loc["d00032i1", "vote"] == vote
    assert kinds_at(t.quirks, "vote-form") == [(2, "counvte")]
    assert f"{cell!r} read as {vote}" in t.quirks.text()


def test_procedure_in_lower_case(tmp_path):
    t = read_deu3_table(write_deu(tmp_path, real_row(proc="cod")))
    assert t.meta.loc["d00032i1", "proc"] == "COD"
    assert kinds_at(t.quirks, "proc-form") == [(2, "proc")]


# --- (c) an issue id whose prefix differs from its proposal's number ----------------------


def test_issue_id_typo_is_kept_with_a_warning(tmp_path):
    rows = [real_row(isnr="d00023i1"), real_row(isnr="d00032i2")]
    p = write_deu(tmp_path, *rows)
    t = read_deu3_table(p)
    assert t.issues == ["d00023i1", "d00032i2"]
    assert list(t.meta["proposal"]) == ["d00032", "d00032"]  # prnr decides the proposal
    assert kinds_at(t.quirks, "isnr-prefix") == [(2, "isnr")]
    # both issues stay in one cross-validation group
    assert issue_set(open_source(p)).groups == ["d00032", "d00032"]
    sc = read_deu3(p)
    assert sc.issue("d00023i1").title == "documents (d00032), issue 1"


def test_issue_id_of_another_form_is_kept_with_a_warning(tmp_path):
    t = read_deu3_table(write_deu(tmp_path, real_row(isnr="doc32-1")))
    assert t.issues == ["doc32-1"] and kinds_at(t.quirks, "isnr-form") == [(2, "isnr")]


# --- (d) dates with day and year swapped, in both columns ---------------------------------


def test_swapped_dates_in_both_columns(tmp_path):
    # 14 July 2004 written 14-07-04, then read by a spreadsheet as 2014-07-04; final act
    # 31 July 2006 -> '2031-07-06'
    row = real_row(prnr="d04167", isnr="d04167i3", intro="2014-07-04", finact="2031-07-06")
    t = read_deu3_table(write_deu(tmp_path, row))
    m = t.meta.loc["d04167i3"]
    assert m["intro"].isoformat() == "2004-07-14" and m["finact"].isoformat() == "2006-07-31"
    assert kinds_at(t.quirks, "date-swapped") == [(2, "intro"), (2, "finact")]


def test_final_act_in_iso_form_whose_swapped_reading_is_out_of_range(tmp_path):
    # '2009-11-25' swapped would be 2025-11-09, after the period covered: the ISO reading
    # is taken (the reader used to refuse the row: no Council weights for 2025)
    row = real_row(prnr="d04167", isnr="d04167i3", intro="14-07-04", finact="2009-11-25")
    t = read_deu3_table(write_deu(tmp_path, row))
    m = t.meta.loc["d04167i3"]
    assert m["finact"].isoformat() == "2009-11-25" and m["regime_decision"] == "nice-27"
    assert kinds_at(t.quirks, "date-swapped") == []


def test_ambiguous_final_act_takes_the_swapped_reading_and_says_so(tmp_path):
    # '2019-03-01': swapped 19 March 2001, ISO 1 March 2019; both after the proposal
    t = read_deu3_table(write_deu(tmp_path, real_row(finact="2019-03-01")))
    assert t.meta.loc["d00032i1", "finact"].isoformat() == "2001-03-19"
    assert kinds_at(t.quirks, "date-ambiguous") == [(2, "finact")]
    assert "2019-03-01 would also fit" in t.quirks.text()


def test_date_with_no_possible_reading_is_refused(tmp_path):
    p = write_deu(tmp_path, real_row(intro="2031-02-30"))
    with pytest.raises(ScenarioError, match=r"line 2, field 'intro': must be a date"):
        read_deu3(p)


# --- (e) a state that joined after the decision -------------------------------------------


def test_not_yet_member_is_kept_at_zero_weight(tmp_path):
    # Bulgaria (joined 2007) on a 2000 proposal decided in 2001
    p = write_deu(tmp_path, GDP_ROW, real_row(pbu="50", sbu="40"))
    t = read_deu3_table(p)
    assert kinds_at(t.quirks, "not-a-member") == [(3, "pbu")]
    bu, de, com = (t.actors.index(a) for a in ("bu", "de", "com"))
    for scheme in ("council", "equal", "gdp"):
        assert capabilities(t, scheme)[0, bu] == 0
    council = capabilities(t, "council")
    assert council[0, de] == 10 and council[0, com] == 10  # largest member state: 10 votes
    stake = read_deu3(p).issue("d00032i1").stake("bu")
    assert (stake.capability, stake.position, stake.salience) == (0, 50, 0.4)


def test_member_by_the_decision_without_a_weight_at_the_proposal(tmp_path):
    # proposal August 2004 (pre-Nice, EU-25), final act 2008: Bulgaria was a member then
    row = real_row(prnr="d04200", isnr="d04200i1", intro="02-08-04", finact="15-03-08",
                   pbu="50", sbu="40")  # fmt: skip
    t = read_deu3_table(write_deu(tmp_path, row))
    assert kinds_at(t.quirks, "no-weight-at-proposal") == [(2, "pbu")]
    bu = t.actors.index("bu")
    assert capabilities(t, "council")[0, bu] == 0
    assert capabilities(t, "council", weights_at="decision")[0, bu] == 10  # Nice, EU-27
    assert capabilities(t, "equal")[0, bu] == 1


# --- truncated rows, decimal commas --------------------------------------------------------


def test_truncated_row_is_refused_naming_the_missing_column(tmp_path):
    p = write_deu(tmp_path, REAL, REAL[:60])
    with pytest.raises(ScenarioError) as e:
        read_deu3(p)
    assert str(e.value).startswith(
        f"{p}, line 3, field 'slv': row has 60 cells; the header has 75: a truncated row, "
        "missing 'slv' and every column after it"
    )


def test_row_with_trailing_tabs_reads(tmp_path):
    t = read_deu3_table(write_deu(tmp_path, [*REAL, "", ""]))
    assert t.issues == ["d00032i1"]


def test_decimal_comma(tmp_path):
    t = read_deu3_table(write_deu(tmp_path, real_row(pde="12,5")))
    assert t.position[0, t.actors.index("de")] == 12.5
    assert kinds_at(t.quirks, "decimal-comma") == [(2, "pde")]


# --- the report reaches the user ------------------------------------------------------------


def test_summary_on_stderr_and_in_json(tmp_path, capsys):
    rows = [
        real_row(counvte="QMV(10)"),
        real_row(isnr="d00032i2", counvte="QMV(10)", pbu="50", sbu="40"),
        real_row(prnr="d95123", isnr="d95123i1", intro="14-02-96", out="40"),
    ]
    p = write_deu(tmp_path, *rows)
    assert main(["evaluate", str(p), "--format", "deu3", "--model", "mean", "--json"]) == 0
    cap = capsys.readouterr()
    out = json.loads(cap.out)
    by_kind = {k["kind"]: k for k in out["quirks"]["kinds"]}
    assert by_kind["vote-form"]["count"] == 2 and by_kind["vote-form"]["lines"] == [2, 3]
    assert by_kind["not-a-member"]["lines"] == [3]
    assert by_kind["intro-next-year"]["lines"] == [4]
    assert by_kind["date-swapped"]["count"] == 3
    assert out["quirks"]["count"] == sum(k["count"] for k in by_kind.values())
    assert out["models"][0]["n"] == 3
    err = cap.err
    assert err.startswith(f"warning: {p}: read with {out['quirks']['count']} quirk(s):")
    assert "vote-form x2 (lines 2, 3): line 2, counvte: 'QMV(10)' read as QMV" in err
    assert "not-a-member x1 (line 3)" in err and "Traceback" not in err
    # the table output prints the same summary
    assert main(["evaluate", str(p), "--model", "mean"]) == 0
    assert "vote-form x2" in capsys.readouterr().err


def test_no_quirks_no_warning(tmp_path, capsys):
    p = write_deu(tmp_path, real_row(finact="30-05-01"))
    assert main(["evaluate", str(p), "--model", "mean", "--json"]) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["quirks"] == {"count": 0, "kinds": []}
    assert cap.err == ""


def test_load_with_quirks_and_load(tmp_path):
    p = write_deu(tmp_path, real_row(counvte="QMV(10)"))
    sc, quirks = load_with_quirks(str(p))
    assert sc.issues[0].decided_by == "COD, Council QMV"
    assert [q.kind for q in quirks] == ["vote-form", "date-swapped"]
    assert crossroads.load(str(p)).id == sc.id


def test_real_shared_half_reports_what_it_has():
    """deu3-dev.tsv: 173 dates written YYYY-MM-DD with day and year swapped, 42 of them
    readable both ways (the swapped reading is taken), 17 blank saliences; nothing else."""
    t = read_deu3_table(shared("deu", "deu3-dev.tsv"))
    assert t.quirks.kinds() == {"date-swapped": 173, "date-ambiguous": 42, "salience-blank": 17}
    assert not t.nonmember.any()


# --- EUM tables ------------------------------------------------------------------------------

EUM = "Actor,Capability,Position,Salience\nA,1,10,80\nB,2,50,60\nC,3,90,40\n"


def eum(tmp_path, text: str, name: str = "eum.csv", raw: bytes | None = None):
    p = tmp_path / name
    p.write_bytes(raw if raw is not None else text.encode())
    return p


def read_eum(p):
    quirks = QuirkReport()
    return read_eum_table(p, quirks=quirks), quirks


def test_eum_mixed_salience_scales_are_refused_naming_the_rows(tmp_path):
    p = eum(tmp_path, "Actor,Capability,Position,Salience\nA,1,10,80\nB,2,50,0.9\nC,3,90,0.3\n")
    with pytest.raises(ScenarioError) as e:
        crossroads.load(str(p))
    assert str(e.value) == (
        f"{p}, line 3, field 'Salience': saliences mix the 0-1 and 0-100 scales: line 3 (0.9), "
        "line 4 (0.3) lie between 0 and 1 while line 2 has 80; write every salience on one scale"
    )


def test_eum_salience_of_one_on_0_100_is_read_with_a_warning(tmp_path):
    sc, q = read_eum(eum(tmp_path, "Actor,Capability,Position,Salience\nA,1,10,80\nB,2,50,1\n"))
    assert sc.issues[0].stake("b").salience == pytest.approx(0.01)
    assert kinds_at(q, "salience-one") == [(3, "Salience")]


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf" + EUM.encode(),  # UTF-8 byte-order mark
        EUM.replace("\n", "\r\n").encode(),  # CRLF
        EUM.replace("\n", ",\n").encode(),  # trailing separators
        EUM.replace("\nB", "\n\n\nB").encode(),  # blank lines
        EUM.replace("10", '"10"').encode(),  # quoted numbers
        EUM.replace("A,", "  A  ,").encode(),  # padded cells
    ],
    ids=["bom", "crlf", "trailing-commas", "blank-lines", "quoted", "padded"],
)
def test_eum_harmless_habits_read_silently(tmp_path, raw):
    sc, q = read_eum(eum(tmp_path, "", raw=raw))
    a = sc.arrays()
    assert a.actors == ["a", "b", "c"]
    np.testing.assert_allclose(a.position, [10, 50, 90])
    np.testing.assert_allclose(a.salience, [0.8, 0.6, 0.4])
    assert len(q) == 0


def test_eum_decimal_commas_in_a_semicolon_file(tmp_path):
    text = "Actor;Capability;Position;Salience\nA;0,5;10;0,8\nB;0,25;50,5;0,6\n"
    p = eum(tmp_path, text)
    sc, q = load_with_quirks(str(p))
    a = sc.arrays()
    np.testing.assert_allclose(a.capability, [0.5, 0.25])
    np.testing.assert_allclose(a.position, [10, 50.5])
    np.testing.assert_allclose(a.salience, [0.8, 0.6])
    assert q.kinds() == {"decimal-comma": 5}
    assert kinds_at(q, "decimal-comma")[0] == (2, "Capability")
    # without a report to take the quirk, a decimal comma is refused
    with pytest.raises(ScenarioError, match=r"line 2, field 'Capability': must be a number"):
        read_eum_table(p)


def test_eum_unquoted_decimal_comma_in_a_csv_is_refused(tmp_path):
    p = eum(tmp_path, "Actor,Capability,Position,Salience\nA,0,5,10,80\n")
    with pytest.raises(ScenarioError) as e:
        crossroads.load(str(p))
    assert str(e.value) == (
        f"{p}, line 2: row has 5 cells; the header has 4 (an unquoted decimal comma or a "
        "stray separator?)"
    )


def test_eum_thousands_separator_is_refused(tmp_path):
    p = eum(tmp_path, 'Actor,Capability,Position,Salience\nA,"1,000",10,80\nB,2,50,60\n')
    with pytest.raises(ScenarioError) as e:
        crossroads.load(str(p))
    assert str(e.value) == (
        f"{p}, line 2, field 'Capability': '1,000' is ambiguous (a decimal comma or a "
        "thousands separator?); write 1000 or 1.000"
    )


def test_eum_latin1_file_is_refused(tmp_path):
    p = eum(
        tmp_path, "", raw="Actor,Capability,Position,Salience\nMüller,1,10,80\n".encode("cp1252")
    )
    with pytest.raises(ScenarioError, match=r"line 2: not UTF-8 text"):
        crossroads.load(str(p))


EUM_FILES = ["argentina.tsv", "china.csv", "ec-emissions-1994.csv", "honduras-crisis.csv",
             "iranian-election.tsv", "sultan.csv"]  # fmt: skip


@pytest.mark.parametrize("name", EUM_FILES)
def test_eum_shared_files_have_no_quirks(name):
    _, q = load_with_quirks(shared("eum", name))
    assert len(q) == 0


# --- KTAB CSV ------------------------------------------------------------------------------


KTAB = (
    "Demo,A demo,2,1,\n"
    "Actor,Description,Influence,XYZ Position,XYZ Salience\n"
    "A,First,10,20,50\n"
    "B,Second,5,80,40\n"
)


def test_ktab_ignored_row1_cells_are_reported():
    _, q = load_with_quirks(shared("ktab", "dummyData_6Dim.csv"))
    assert q.kinds() == {"row1-extra": 1}
    assert "1 extra cell(s) after nDims ('0') ignored" in q.text()


def test_ktab_quoted_decimal_comma(tmp_path):
    p = eum(tmp_path, KTAB.replace("A,First,10,20", 'A,First,"10,5",20'), name="k.csv")
    quirks = QuirkReport()
    sc = read_ktab_csv(p, quirks=quirks)
    assert sc.issues[0].stake("a").capability == 10.5
    assert kinds_at(quirks, "decimal-comma") == [(3, "Influence")]


def test_ktab_crlf_and_bom_read_silently(tmp_path):
    p = eum(tmp_path, "", name="k.csv", raw=b"\xef\xbb\xbf" + KTAB.replace("\n", "\r\n").encode())
    sc, q = load_with_quirks(str(p))
    assert [s.actor for s in sc.issues[0].stakes] == ["a", "b"] and len(q) == 0


# --- the report itself ---------------------------------------------------------------------


def test_report_summary_lists_first_lines_and_counts():
    r = QuirkReport()
    for line in range(2, 10):
        r.add("date-swapped", "f.tsv", line, "intro", f"cell {line}")
    r.add("vote-form", "f.tsv", 4, "counvte", "'QMV(10)' read as QMV")
    rows = r.summary()
    assert rows[0] == {"kind": "date-swapped", "count": 8, "lines": [2, 3, 4, 5, 6],
                       "first": "line 2, intro: cell 2"}  # fmt: skip
    assert r.text().splitlines() == [
        "f.tsv: read with 9 quirk(s):",
        "  date-swapped x8 (lines 2, 3, 4, 5, 6, ...): line 2, intro: cell 2",
        "  vote-form x1 (line 4): line 4, counvte: 'QMV(10)' read as QMV",
    ]
    assert r.to_dict()["count"] == 9 and not QuirkReport() and QuirkReport().text() == ""


def test_fit_and_validate_report_the_quirks(tmp_path, capsys):
    rows = [
        real_row(counvte="QMV(10)"),
        real_row(prnr="d00040", isnr="d00040i1", out="40"),
        real_row(prnr="d00050", isnr="d00050i1", out="60", pde="20"),
        real_row(prnr="d00060", isnr="d00060i1", out="20", pfr="90"),
    ]
    p = write_deu(tmp_path, GDP_ROW, *rows)  # the fit's input grid tries 'gdp' too
    argv = ["fit", str(p), "--model", "mean", "--folds", "2", "--inner-folds", "2", "--what",
            "inputs", "--json"]  # fmt: skip
    assert main(argv) == 0
    cap = capsys.readouterr()
    quirks = json.loads(cap.out)["quirks"]
    assert [k["kind"] for k in quirks["kinds"]] == ["vote-form", "date-swapped"]
    assert "vote-form x1 (line 3)" in cap.err
    assert main(["validate", str(p)]) == 0
    cap = capsys.readouterr()
    assert "valid crossroads scenario" in cap.out and "vote-form x1 (line 3)" in cap.err


def test_library_results_carry_the_quirks(tmp_path):
    p = write_deu(tmp_path, real_row(counvte="QMV(10)"))
    ev = crossroads.evaluation.evaluate(str(p), ["mean"])
    assert [q.kind for q in ev.quirks] == ["vote-form", "date-swapped"]
    assert ev.to_dict()["quirks"]["count"] == 2
    yaml_ev = crossroads.evaluation.evaluate("kazakhstan-2010", ["mean"])
    assert yaml_ev.to_dict()["quirks"] == {"count": 0, "kinds": []}
