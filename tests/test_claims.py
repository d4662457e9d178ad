"""The claims check: the scenario's figures next to independent data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import crossroads
from crossroads.cli import main
from crossroads.errors import CrossroadsError, ScenarioError

from conftest import ROOT, shared

FIXTURE = ROOT / "tests" / "data" / "relations-kz.yaml"


def kz(name: str):
    return shared("kazakhstan", name)


@pytest.fixture(scope="module")
def builtin():
    return crossroads.load("kazakhstan-2010")


@pytest.fixture(scope="module")
def trade_check(builtin):
    return crossroads.check_claims(
        builtin,
        [
            kz("cow_trade_v4_kazakhstan_dyads.csv"),
            kz("cow_trade_v4_kazakhstan_partner_summary.csv"),
        ],
    )


def test_eu_export_share_2009_both_denominators(trade_check):
    rows = trade_check.find("European Union's share of Kazakhstan's exports", 2009)
    assert len(rows) == 2
    nat = rows[rows.denominator.str.startswith("national total")].iloc[0]
    par = rows[rows.denominator.str.startswith("sum of partners")].iloc[0]
    # the figures, recomputed from the files here: EU27 exports 15,318 (sum over the EU
    # members' dyads), national total 43,205.1, sum over partners 36,075
    raw = pd.read_csv(kz("cow_trade_v4_kazakhstan_dyads.csv"))
    summ = pd.read_csv(kz("cow_trade_v4_kazakhstan_partner_summary.csv")).set_index("year")
    eu = raw[
        (raw.year == 2009)
        & raw.partner.isin(
            [
                200,
                205,
                210,
                211,
                212,
                220,
                230,
                235,
                255,
                290,
                305,
                310,
                316,
                317,
                325,
                338,
                349,
                350,
                352,
                355,
                360,
                366,
                367,
                368,
                375,
                380,
                390,
            ]
        )
    ].kaz_exports.sum()
    assert eu == 15318
    assert nat.data == pytest.approx(100 * eu / summ.loc[2009, "tot_exp_sy"])
    assert par.data == pytest.approx(100 * eu / raw[raw.year == 2009].kaz_exports.sum())
    assert (nat.claim, round(nat.data, 1), round(par.data, 1)) == (39.4, 35.5, 42.5)
    assert nat.unit == "%" and nat.flagged and par.flagged
    assert nat.difference == pytest.approx(39.4 - nat.data)
    assert "43,205.1 USD million" in nat.denominator
    assert "36,075.0 USD million" in par.denominator
    assert nat.claim_source == "fpc-2010"


def test_table_numbers_the_rows_and_names_what_the_data_is_over(trade_check):
    t = trade_check.table()
    assert list(t["#"]) == list(range(1, len(trade_check.rows) + 1))
    eu = t[t.quantity.str.startswith("European Union's share of Kazakhstan's exports")]
    eu = eu[eu.year == 2009]
    # the totals of test_eu_export_share_2009_both_denominators, as the check command shows them
    assert sorted(eu.over) == ["national total 43,205.1", "sum of partners 36,075.0"]
    assert set(t[t.basis == "value"].over) == {"value"}
    assert trade_check.rows.columns.tolist() == t.columns.tolist()[1:-1]


def test_other_trade_claims(trade_check):
    imp = trade_check.find("European Union's share of Kazakhstan's imports", 2009)
    assert sorted(round(v, 1) for v in imp.data) == [27.4, 27.4]
    # issue 11: the scenario records the paper's ~17% ("now") for 2007, not 2009
    assert trade_check.find("China's share of Kazakhstan's trade", 2009).empty
    china = trade_check.find("China's share of Kazakhstan's trade", 2007)
    # (6421 + 3511) / (47763.3 + 32804.2) and / (38809 + 32723)
    assert sorted(china.data) == pytest.approx(sorted([100 * 9932 / 80567.5, 100 * 9932 / 71532]))
    val = trade_check.find("trade Kazakhstan - China")
    by_year = {r.year: r for r in val.itertuples()}
    # 2007: 6421 + 3511 = 9932 USD million = 9.932 bn against "almost $14bn"
    assert by_year[2007].data == pytest.approx(9.932) and by_year[2007].flagged
    # 1992: 141 + 245 = 386 -> 0.386 bn against 0.39: within 5%
    assert by_year[1992].data == pytest.approx(0.386) and not by_year[1992].flagged


def test_tolerance_changes_flags(builtin):
    files = [kz("cow_trade_v4_kazakhstan_partner_summary.csv")]
    loose = crossroads.check_claims(builtin, files, tolerance=0.5)
    assert not loose.rows.flagged.any()
    tight = crossroads.check_claims(builtin, files, tolerance=0.0)
    assert tight.rows.flagged.all()


def test_dyads_alone_say_what_is_missing(builtin):
    chk = crossroads.check_claims(builtin, [kz("cow_trade_v4_kazakhstan_dyads.csv")])
    rows = chk.find("European Union's share of Kazakhstan's exports", 2009)
    assert len(rows) == 1 and rows.iloc[0].denominator.startswith("sum of partners")
    assert any("no national trade totals given" in n for n in chk.notes)


def test_fuel_ratings_and_memberships(builtin):
    chk = crossroads.check_claims(
        builtin,
        [
            kz("wdi_fuel_exports_pct_merch_kazakhstan.csv"),
            kz("freedomhouse_pkg_rating_status_kazakhstan.csv"),
            kz("cow_igo_v3_selected_igos_centralasia_1991_2014.csv"),
        ],
    )
    fuel = chk.find("fuel's share", 2010).iloc[0]
    assert fuel.claim == pytest.approx(57.0) and fuel.data == pytest.approx(71.68, abs=0.01)
    assert "close, not identical" in fuel.note
    pr = chk.find("freedomhouse.political_rights", 2010).iloc[0]
    assert (pr.claim, pr.data, pr.flagged) == (6, 6, False)
    r = chk.rows

    def member(actor, org):
        hit = r[
            (r.subject == actor) & (r.partner == org) & r.quantity.str.endswith("member in 2010")
        ]
        return tuple(hit.iloc[0][["claim", "data", "flagged"]])

    assert member("kazakhstan", "sco") == (1, 1, False)
    assert member("kazakhstan", "wto") == (0, 0, False)  # an applicant; a member from 2015
    first = r[
        (r.subject == "kazakhstan") & (r.partner == "sco") & r.quantity.str.endswith("first year")
    ].iloc[0]
    # the scenario dates the SCO from 2001; COW IGO counts the Shanghai Five from 1996
    assert (first.claim, first.data, first.flagged) == (2001, 1996, True)
    # memberships in the data that the scenario does not list are named in a note
    unlisted = next(n for n in chk.notes if "does not list" in n)
    # issue 11: the scenario now lists the 2010 CSTO members, Kyrgyzstan among them
    assert "Kyrgyzstan in CSTO" not in unlisted
    assert "Uzbekistan in CIS" in unlisted


def test_wrong_claims_are_flagged(tmp_path):
    # the fixture with its 2009 EU export share changed to 60% and an invented FH rating
    text = FIXTURE.read_text().replace("share: 0.394", "share: 0.60")
    text = text.replace(
        "observations:\n",
        "observations:\n  - {benchmark: fh-pr, date: 2010, value: 3, evidence: invented}\n",
    )
    p = tmp_path / "wrong.yaml"
    p.write_text(text)
    chk = crossroads.check_claims(
        crossroads.load(p),
        [
            kz("cow_trade_v4_kazakhstan_partner_summary.csv"),
            kz("freedomhouse_pkg_rating_status_kazakhstan.csv"),
        ],
    )
    eu = chk.find("European Union's share of Kazakhstan's exports", 2009)
    assert eu.flagged.all() and (eu.claim == 60).all()
    fh = chk.find("freedomhouse.political_rights", 2010).iloc[0]
    assert (fh.claim, fh.data, fh.flagged) == (3, 6, True)


def test_errors(builtin, tmp_path):
    with pytest.raises(CrossroadsError, match="name at least one data file"):
        crossroads.check_claims(builtin, [])
    with pytest.raises(CrossroadsError, match="tolerance must be a number >= 0"):
        crossroads.check_claims(
            builtin, [kz("wdi_fuel_exports_pct_merch_kazakhstan.csv")], tolerance=-1
        )
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    with pytest.raises(ScenarioError, match="cannot tell which dataset this is"):
        crossroads.check_claims(builtin, [odd])
    with pytest.raises(ScenarioError, match="missing.csv: no such file"):
        crossroads.check_claims(builtin, [tmp_path / "missing.csv"])


def test_cli_check_json(capsys):
    rc = main(
        [
            "check",
            "kazakhstan-2010",
            "--against",
            str(kz("cow_trade_v4_kazakhstan_dyads.csv")),
            "--against",
            f"cow-trade:{kz('cow_trade_v4_kazakhstan_partner_summary.csv')}",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    eu = [
        r
        for r in out["rows"]
        if r["quantity"] == "European Union's share of Kazakhstan's exports" and r["year"] == 2009
    ]
    assert sorted(round(r["data"], 1) for r in eu) == [35.5, 42.5]
    assert all(r["denominator"] for r in eu)
    assert out["tolerance"] == 0.05 and out["flagged"] >= 2


def test_cli_check_table(capsys, monkeypatch):
    from crossroads.cli.application import console

    monkeypatch.setattr(console, "_width", 250)
    rc = main(
        [
            "check",
            "kazakhstan-2010",
            "--against",
            str(kz("cow_trade_v4_kazakhstan_partner_summary.csv")),
            "--tolerance",
            "0.1",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert "39.4%" in out and "35.45%" in out and "42.46%" in out
    assert "national total" in out and "sum of partners" in out


def test_cli_check_bad_file(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("year,iso3c,political_rights,civil_liberties\n2010,KAZ,six,5\n")
    assert main(["check", "kazakhstan-2010", "--against", str(bad)]) == 1
    assert capsys.readouterr().err == (
        f"error: {bad}, line 2, field 'political_rights': must be a number, got 'six'\n"
    )
