"""DEU III reader: the real file, Council weights by date, and malformed files."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import crossroads
from crossroads.errors import ScenarioError
from crossroads.scenario.peers.deu3 import (
    REGIMES,
    capabilities,
    looks_like_deu3,
    proposal_of,
    read_deu3,
    read_deu3_table,
    regime_at,
)

from conftest import shared

HEADER = ["prnr", "isnr", "prname", "proc", "counvte", "intro", "finact", "rp", "out",
          "pcom", "pep", "pde", "pfr", "pnl", "scom", "sep", "sde", "sfr", "snl"]  # fmt: skip
ROW = {"prnr": "d00001", "isnr": "d00001i1", "prname": "test", "proc": "COD",
       "counvte": "QMV", "intro": "26-01-00", "finact": "30-05-01", "rp": "0", "out": "50",
       "pcom": "100", "pep": "80", "pde": "0", "pfr": "20", "pnl": "60",
       "scom": "50", "sep": "60", "sde": "90", "sfr": "40", "snl": "70"}  # fmt: skip


GDP_ROW = ["", "", "", "", "", "", "", "", "", "1", "1", "4", "3", "1", "", "", "", "", ""]


def write(tmp_path, rows, header=HEADER, name="deu.tsv"):
    """A DEU III file: ``rows`` are dicts overriding :data:`ROW` (or raw lists of cells)."""
    lines = ["\t".join(header)]
    for r in rows:
        cells = r if isinstance(r, list) else [{**ROW, **r}.get(h, "") for h in header]
        lines.append("\t".join(cells))
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.fixture(scope="module")
def table():
    return read_deu3_table(shared("deu", "deu3-dev.tsv"))


def row(table, isnr):
    return table.issues.index(isnr)


# --- the real file ------------------------------------------------------------------------


def test_real_file_shape(table):
    assert table.position.shape == (188, 30)
    assert table.gdp is not None and table.gdp_line == 2
    assert int((~table.meta["out"].isna()).sum()) == 180
    assert int((~table.meta["rp"].isna()).sum()) == 136
    assert table.meta["proposal"].nunique() == 71
    # 17 positions come with a blank salience; they are read as 0 and flagged
    assert int(table.salience_blank.sum()) == 17
    assert np.all(table.salience[table.salience_blank] == 0)


def test_every_proposal_date_falls_in_its_proposal_year(table):
    years = table.meta["proposal"].map(lambda p: 1900 + int(p[1:3]) if int(p[1:3]) >= 50
                                       else 2000 + int(p[1:3]))  # fmt: skip
    assert (table.meta["intro"].map(lambda d: d.year) == years).all()
    finals = table.meta["finact"].dropna()
    intros = table.meta.loc[finals.index, "intro"]
    assert (finals >= intros).all()


@pytest.mark.parametrize(
    "isnr,intro,finact",
    [
        ("d00032i1", "2000-01-26", "2001-05-30"),  # DD-MM-YY; final act '1930-05-01' swapped
        ("d04167i3", "2004-07-14", "2006-07-31"),  # '2014-07-04' is 14 July 2004
        ("d180104i1", "2018-04-17", "2019-07-12"),  # '2017-04-18': the prnr year decides
        ("d140100i1", "2014-03-24", "2018-06-14"),  # final act '2014-06-18' read swapped
        ("d00184i1", "2000-07-12", None),  # '999': no final act
    ],
)
def test_date_quirks(table, isnr, intro, finact):
    m = table.meta.loc[isnr]
    assert m["intro"].isoformat() == intro
    assert (m["finact"].isoformat() if m["finact"] is not None else None) == finact


def test_regimes_in_the_file(table):
    assert table.meta["regime"].value_counts().to_dict() == {
        "pre-nice-15": 101, "nice-25": 45, "nice-27": 19, "pre-nice-25": 12, "lisbon-28": 8,
        "nice-28": 3,
    }  # fmt: skip


@pytest.mark.parametrize(
    "day,regime",
    [
        ("1995-01-01", "pre-nice-15"), ("2004-04-30", "pre-nice-15"),
        ("2004-05-01", "pre-nice-25"), ("2004-10-31", "pre-nice-25"),
        ("2004-11-01", "nice-25"), ("2007-01-01", "nice-27"), ("2013-06-30", "nice-27"),
        ("2013-07-01", "nice-28"), ("2014-10-31", "nice-28"), ("2014-11-01", "lisbon-28"),
    ],
)  # fmt: skip
def test_regime_boundaries(day, regime):
    assert regime_at(dt.date.fromisoformat(day)).id == regime


def test_regime_before_1995_is_refused():
    with pytest.raises(ValueError, match="no Council weights tabulated for 1994-12-31"):
        regime_at(dt.date(1994, 12, 31))


def test_weight_totals_match_the_treaties():
    totals = {r.id: sum(r.weights[a] for a in r.members) for r in REGIMES}
    assert totals["pre-nice-15"] == 87
    assert totals["pre-nice-25"] == 124
    assert totals["nice-25"] == 321
    assert totals["nice-27"] == 345
    assert totals["nice-28"] == 352
    assert totals["lisbon-28"] == pytest.approx(100, abs=0.1)  # population shares, %


def test_council_capabilities(table):
    cap = capabilities(table, "council")
    a = table.actors.index
    i = row(table, "d00032i1")  # 2000, COD, EU-15
    assert cap[i, a("de")] == 10 and cap[i, a("lu")] == 2
    assert cap[i, a("com")] == 10 and cap[i, a("ep")] == 10  # 1 x the largest state
    assert np.isnan(cap[i, a("pl")])  # no position
    i = row(table, "n98092i1")  # 1998, CNS: the Parliament is only consulted
    assert cap[i, a("ep")] == 0 and cap[i, a("com")] == 10
    i = row(table, "d05246i1")  # Nov 2005 (Nice, EU-25); Romania joined before the decision
    assert cap[i, a("de")] == 29 and cap[i, a("ro")] == 14 and cap[i, a("bu")] == 10
    i = row(table, "n03318i3")  # Dec 2003 (pre-Nice); Poland joined before the decision
    assert cap[i, a("pl")] == 8 and cap[i, a("es")] == 8
    i = row(table, "d120193i1")  # July 2012; Croatia joined in 2013 with 7 votes
    assert cap[i, a("cr")] == 7
    i = row(table, "d170228i1")  # 2017: Lisbon population shares
    assert cap[i, a("de")] == pytest.approx(15.93) and cap[i, a("mt")] == pytest.approx(0.08)
    assert cap[i, a("com")] == pytest.approx(15.93)


def test_council_options(table):
    a = table.actors.index
    i = row(table, "n00030i1")  # unanimity
    eq = capabilities(table, "council", unanimity="equal")
    tw = capabilities(table, "council")
    states = [j for j, c in enumerate(table.actors) if c not in ("com", "ep") and table.mask[i, j]]
    assert len(states) >= 10 and len({eq[i, j] for j in states}) == 1
    assert eq[i, states[0]] == pytest.approx(np.mean(tw[i, states]))
    assert eq[i, a("com")] == pytest.approx(np.mean(tw[i, states]))  # 1 x the largest (equal)
    qmv = row(table, "d00032i1")
    assert eq[qmv, a("de")] == 10  # QMV issues keep their weights
    opt = capabilities(table, "council", com=0.5, ep_cod=2.0, ep_cns=1.0)
    assert opt[qmv, a("com")] == 5 and opt[qmv, a("ep")] == 20
    assert opt[row(table, "n98092i1"), a("ep")] == 10
    # weights_at='decision': a 2005 proposal decided in 2008 takes the EU-27 weights
    dec = capabilities(table, "council", weights_at="decision")
    assert table.meta.loc["d05246i1", "regime_decision"] == "nice-27"
    assert dec[row(table, "d05246i1"), a("de")] == 29


def test_equal_and_gdp(table):
    eq = capabilities(table, "equal")
    assert np.all(eq[table.mask] == 1) and np.all(np.isnan(eq[~table.mask]))
    gdp = capabilities(table, "gdp")
    a = table.actors.index
    assert gdp[0, a("de")] == 4.1 and gdp[0, a("com")] == 4.1 and gdp[0, a("lu")] == 0.08


def test_scenario(table):
    sc = read_deu3(shared("deu", "deu3-dev.tsv"))
    assert len(sc.issues) == 188 and len(sc.actors) == 30
    iss = sc.issue("d05246i2")
    ie = iss.stake("ie")
    assert ie.salience == 0 and ie.note == "salience blank in the file; read as 0"
    assert iss.decided_by == "COD, Council QMV"
    first = sc.issue("d00032i1")
    assert first.status_quo == 0 and first.observed.value == 100
    assert first.observed.date == "2001-05-30" and first.where == "line 3"
    assert {s.id for s in sc.sources} >= {"deu3", "tec-205", "nice-protocol", "lisbon"}
    assert proposal_of("d00032i4") == "d00032" and proposal_of("d120193i1") == "d120193"


def test_load_detects_the_format():
    sc = crossroads.load(str(shared("deu", "deu3-dev.tsv")))
    assert sc.id == "deu3-dev" and len(sc.issues) == 188
    assert looks_like_deu3(shared("deu", "deu3-dev.tsv").read_text()[:4096])


def test_forecast_api_reproduces_the_benchmark():
    """The salience-weighted mean with equal capabilities, one issue at a time through
    ``crossroads.forecast`` (not the batched evaluator): MAE 21.4 over 180 issues."""
    sc = read_deu3(shared("deu", "deu3-dev.tsv"), capability="equal")
    errors = [crossroads.forecast(sc, i.id, "mean").error for i in sc.issues if i.observed]
    assert len(errors) == 180
    assert np.mean(errors) == pytest.approx(21.4, abs=0.1)


# --- malformed files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows,header,message",
    [
        ([{}], [h for h in HEADER if h != "out"],
         "line 1, field 'out': no 'out' column; a DEU III file needs prnr, isnr, proc, "
         "counvte, intro, rp, out and p<actor>/s<actor> columns"),
        ([{}], HEADER + ["pxx"],
         "line 1, field 'pxx': unknown column 'pxx'; actor columns are p<code> and s<code>"),
        ([{}], [h for h in HEADER if h != "snl"],
         "line 1, field 'pnl': position column 'pnl' has no salience column 'snl'"),
        ([{}], HEADER + ["pde"], "line 1, field 'pde': column 'pde' appears twice"),
        ([{"pde": "lots"}], HEADER, "line 2, field 'pde': must be a number, got 'lots'"),
        ([{"pfr": "101"}], HEADER, "line 2, field 'pfr': position must lie in 0-100, got 101"),
        ([{"sde": "150"}], HEADER, "line 2, field 'sde': salience must lie in 0-100, got 150"),
        ([{"out": "-5"}], HEADER, "line 2, field 'out': outcome must lie in 0-100, got -5"),
        ([{"rp": "x"}], HEADER, "line 2, field 'rp': must be a number, got 'x'"),
        ([{"proc": "SYN"}], HEADER,
         "line 2, field 'proc': procedure must be one of COD, CNS, got 'SYN'"),
        ([{"counvte": "maj"}], HEADER,
         "line 2, field 'counvte': Council voting rule must be one of QMV, Unan (or QMV(n), "
         "Unan(n)), got 'maj'"),
        ([{"intro": "yesterday"}], HEADER,
         "line 2, field 'intro': must be a date (DD-MM-YY, DD-MM-YYYY or YYYY-MM-DD), "
         "got 'yesterday'"),
        ([{"intro": "26-01-03"}], HEADER,
         "line 2, field 'intro': date '26-01-03' (read as 2003-01-26) falls neither in 2000, "
         "the year of proposal 'd00001', nor in 2001"),
        ([{"finact": "01-01-99"}], HEADER,
         "line 2, field 'finact': final act '01-01-99' (read as 1999-01-01) is dated before "
         "the proposal (2000-01-26) or after today"),
        ([{"finact": "2031-06-05"}], HEADER,  # no reading: 31 June, and 2031 is to come
         "line 2, field 'finact': final act '2031-06-05' (read as 2031-06-05) is dated before "
         "the proposal (2000-01-26) or after today"),
        ([[*ROW.values()][:-3]], HEADER,
         "line 2, field 'sde': row has 16 cells; the header has 19: a truncated row, missing "
         "'sde' and every column after it"),
        ([{"isnr": "d00001 i1"}], HEADER,
         "line 2, field 'isnr': issue number 'd00001 i1' may hold only letters, digits"),
        ([{"prnr": "d94001", "isnr": "d94001i1", "intro": "01-02-94", "finact": ""}], HEADER,
         "line 2, field 'intro': no Council weights tabulated for 1994-02-01"),
        ([{}, {}], HEADER, "line 3, field 'isnr': issue 'd00001i1' appears twice (first on "
         "line 2)"),
        ([{"prnr": ""}], HEADER,
         "line 2, field 'prnr': prnr is empty (issue rows need prnr and isnr)"),
        ([{"pnl": ""}], HEADER,
         "line 2, field 'snl': salience 70 given without a position; an actor without a "
         "position must have a blank or 0 salience"),
        ([{"pcom": "", "pep": "", "pde": "", "pfr": "", "pnl": "", "scom": "", "sep": "",
           "sde": "", "sfr": "", "snl": ""}], HEADER,
         "line 2, field 'd00001i1': no actor has a position on this issue"),
        ([[*ROW.values(), "7"]], HEADER, "line 2: row has 20 cells; the header has 19"),
        ([GDP_ROW, GDP_ROW, {}], HEADER,
         "line 3, field 'isnr': a second row without prnr and isnr (the GDP row is line 2); "
         "every issue row needs both"),
        ([[*GDP_ROW[:11], "-4", *GDP_ROW[12:]], {}], HEADER,
         "line 2, field 'pde': GDP must be >= 0, got -4"),
        ([], HEADER, "line 1: no issue rows after the header"),
    ],
)  # fmt: skip
def test_malformed(tmp_path, rows, header, message):
    p = write(tmp_path, rows, header)
    with pytest.raises(ScenarioError) as e:
        read_deu3(p)
    assert str(e.value).startswith(f"{p}, {message}"), str(e.value)


def test_state_that_joined_after_the_decision_keeps_its_stake_at_zero(tmp_path):
    # Croatia (joined 2013) on a 2000 proposal decided in 2001: no Council weight then
    header = [*HEADER, "pcr", "scr"]
    p = write(tmp_path, [{"pcr": "10", "scr": "50"}], header)
    for scheme in ("council", "equal"):
        stake = read_deu3(p, capability=scheme).issue("d00001i1").stake("cr")
        assert stake.capability == 0 and stake.position == 10 and stake.salience == 0.5
        assert "not an EU member on the decision date (joined 2013-07-01)" in stake.note
    assert read_deu3(p, capability="equal").issue("d00001i1").stake("de").capability == 1


def test_gdp_needs_the_gdp_row(tmp_path):
    p = write(tmp_path, [{}])
    with pytest.raises(ScenarioError, match="capability 'gdp' needs the GDP row"):
        read_deu3(p, capability="gdp")


def test_unknown_scheme_and_option(tmp_path):
    p = write(tmp_path, [{}])
    with pytest.raises(ScenarioError, match="unknown capability scheme 'votes'; schemes: "
                       "council, equal, gdp"):  # fmt: skip
        read_deu3(p, capability="votes")
    with pytest.raises(ScenarioError, match="com must be a finite number >= 0, got -1"):
        read_deu3(p, com=-1.0)


def test_small_valid_file(tmp_path):
    p = write(tmp_path, [{}, {"isnr": "d00001i2", "out": "", "rp": "", "proc": "CNS"}])
    sc = read_deu3(p)
    assert [i.id for i in sc.issues] == ["d00001i1", "d00001i2"]
    assert sc.issues[1].observed is None and sc.issues[1].status_quo is None
    assert sc.issue("d00001i1").stake("ep").capability == 10
    assert sc.issue("d00001i2").stake("ep").capability == 0
    assert crossroads.load(str(p)).id == "deu"
