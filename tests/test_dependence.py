"""Dependence: partner shares with their denominators, HHI, asymmetry, fuel's share."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import crossroads
from crossroads.cli import main
from crossroads.dependence_metrics import barbieri, hhi, hhi_bounds, hhi_of_values
from crossroads.errors import CrossroadsError
from crossroads.importers import import_file
from crossroads.network.trade_dependence import usd_million_factor

from conftest import ROOT, shared

# A hand-made case. A's exports 2020 (USD million): B 60, C 20, the bloc E 30 (C is part_of
# E, so E's 30 include C's 20). A's imports: from B 10, from E 40. National totals: exports 120,
# imports 100; the sum of A's partners' exports is 90 (B + E, C inside E).
SMALL = """
crossroads: 1
id: small
title: Small dependence case
focus: a
actors:
  - {id: a, name: A, kind: state}
  - {id: b, name: B, kind: state}
  - {id: c, name: C, kind: state, part_of: e}
  - {id: e, name: E, kind: bloc}
  - {id: a-oil, name: A oil sector, kind: group, part_of: a}
  - {id: world, name: World, kind: bloc}
flows:
  - {kind: exports, from: a, to: b, year: 2020, value: 60, unit: USD million}
  - {kind: exports, from: a, to: c, year: 2020, value: 0.02, unit: USD bn}
  - {kind: exports, from: a, to: e, year: 2020, value: 30, unit: USD million}
  - {kind: imports, from: b, to: a, year: 2020, value: 10, unit: USD million}
  - {kind: imports, from: e, to: a, year: 2020, value: 40, unit: USD million}
  - {kind: trade, from: b, to: a, year: 2020, share: 0.05, of: B's total trade}
  - {kind: exports, from: a-oil, to: world, year: 2020, share: 0.55, of: A's export revenue}
indicators:
  - {actor: a, indicator: test.exports_total, year: 2020, value: 120, unit: USD million}
  - {actor: a, indicator: test.imports_total, year: 2020, value: 100, unit: USD million}
  - {actor: a, indicator: test.exports_sum_partners, year: 2020, value: 90, unit: USD million}
  - {actor: a, indicator: wdi.TX.VAL.FUEL.ZS.UN, year: 2020, value: 60,
     unit: "% of merchandise exports"}
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    p = tmp_path_factory.mktemp("dep") / "small.yaml"
    p.write_text(SMALL)
    return crossroads.load(p)


def test_hhi_closed_form():
    # 0.5^2 + 0.3^2 + 0.2^2 = 0.25 + 0.09 + 0.04 = 0.38
    assert hhi([0.5, 0.3, 0.2]) == pytest.approx(0.38)
    assert hhi_of_values([50, 30, 20]) == pytest.approx(0.38)
    # n equal partners: n * (1/n)^2 = 1/n
    assert hhi_of_values(np.ones(8)) == pytest.approx(1 / 8)
    assert np.isnan(hhi_of_values([0, 0]))
    # known 0.4 and 0.2 cover 0.6: lower 0.16 + 0.04 = 0.2; upper adds the rest 0.4^2 = 0.16
    assert_allclose(hhi_bounds([0.4, 0.2]), (0.2, 0.36, 0.6))


def test_barbieri_closed_form():
    # shares 0.36 and 0.04: asymmetry 0.32, symmetry 1 - 0.32 = 0.68,
    # salience sqrt(0.36 * 0.04) = sqrt(0.0144) = 0.12, interdependence 0.12 * 0.68 = 0.0816
    b = barbieri(0.36, 0.04)
    assert_allclose(
        [b["asymmetry"], b["symmetry"], b["salience"], b["interdependence"]],
        [0.32, 0.68, 0.12, 0.0816],
    )


def test_units():
    assert usd_million_factor("USD bn") == 1000
    assert usd_million_factor("USD billion") == 1000
    assert usd_million_factor("USD million") == 1
    assert usd_million_factor("US$ m") == 1
    assert usd_million_factor("students") is None
    assert usd_million_factor(None) is None


def test_shares_each_with_its_denominator(small):
    d = crossroads.dependence(small)
    # exports over the national total 120: B 60/120 = 0.5, C 20/120, E 30/120 = 0.25
    assert d.share("b", "exports", 2020, "national total") == pytest.approx(0.5)
    assert d.share("c", "exports", 2020, "national total") == pytest.approx(20 / 120)
    assert d.share("e", "exports", 2020, "national total") == pytest.approx(0.25)
    # over the sum of partners 90: B 60/90, E 30/90
    assert d.share("b", "exports", 2020, "sum of partners") == pytest.approx(2 / 3)
    # imports: B 10/100, E 40/100 (no sum of partners for imports: no such row)
    assert d.share("e", "imports", 2020, "national total") == pytest.approx(0.4)
    assert np.isnan(d.share("e", "imports", 2020, "sum of partners"))
    # trade = exports + imports over 120 + 100 = 220: B 70/220, E 70/220; C has no imports
    # figure, so no trade figure
    assert d.share("b", "trade", 2020, "national total") == pytest.approx(70 / 220)
    assert np.isnan(d.share("c", "trade", 2020, "national total"))
    den = d.shares[
        (d.shares.partner == "b")
        & (d.shares.measure == "exports")
        & (d.shares.basis == "national total")
    ].denominator.iloc[0]
    assert den.startswith("national total 120.0 USD million (test.exports_total")


def test_hhi_blocs_replace_members(small):
    d = crossroads.dependence(small)
    c = d.concentration
    row = c[(c.measure == "exports") & (c.basis == "national total")].iloc[0]
    # C is part_of E, so only B (0.5) and E (0.25) count: 0.25 + 0.0625 = 0.3125;
    # coverage 0.75; upper bound adds the missing 0.25 as one partner: + 0.0625
    assert row.excluded == ["c"]
    assert row.partners == 2
    assert row.hhi == pytest.approx(0.3125)
    assert row.coverage == pytest.approx(0.75)
    assert row.hhi_upper == pytest.approx(0.375)
    full = c[(c.measure == "exports") & (c.basis == "sum of partners")].iloc[0]
    # over the partner sum B 2/3, E 1/3: 4/9 + 1/9 = 5/9, coverage 1, bounds equal
    assert full.hhi == pytest.approx(5 / 9)
    assert full.hhi_upper == pytest.approx(5 / 9)


def test_asymmetry_where_both_sides_exist(small):
    d = crossroads.dependence(small)
    a = d.asymmetry
    assert len(a) == 1
    r = a.iloc[0]
    # A's trade with B over A's national trade: 70/220; B's stated share with A: 0.05
    sa = 70 / 220
    assert (r.a, r.b, r.measure) == ("a", "b", "trade")
    assert r.share_a == pytest.approx(sa) and r.share_b == pytest.approx(0.05)
    assert r.asymmetry == pytest.approx(sa - 0.05)
    assert r.symmetry == pytest.approx(1 - (sa - 0.05))
    assert r.salience == pytest.approx(np.sqrt(sa * 0.05))
    assert r.interdependence == pytest.approx(np.sqrt(sa * 0.05) * (1 - (sa - 0.05)))
    assert (r.basis_a, r.basis_b) == ("national total", "stated")


def test_fuel_share(small):
    f = crossroads.dependence(small).fuel
    # the WDI indicator is in percent (60 -> 0.6); the oil sector's stated share is 0.55
    assert sorted(f.share) == pytest.approx([0.55, 0.6])


def test_year_filter_and_errors(small):
    assert crossroads.dependence(small, year=2019).shares.empty
    with pytest.raises(CrossroadsError, match="no actor 'zz'"):
        crossroads.dependence(small, actor="zz")
    nofocus = small.model_copy(update={"focus": None})
    with pytest.raises(CrossroadsError, match="names no focus"):
        crossroads.dependence(nofocus)


def test_builtin_stated_shares():
    d = crossroads.dependence(crossroads.load("kazakhstan-2010"))
    assert d.actor == "kazakhstan"
    assert d.share("eu", "exports", 2009, "stated") == pytest.approx(0.394)
    assert d.share("eu", "imports", 2009, "stated") == pytest.approx(0.255)
    # issue 11: the paper's ~17% ("now") is recorded for 2007, the year it fits, not 2009
    assert d.share("china", "trade", 2007, "stated") == pytest.approx(0.17)
    # the oil sector's 57% of export revenue (2010) is the fuel share
    assert list(d.fuel[d.fuel.year == 2010].share) == [pytest.approx(0.57)]


def test_builtin_with_cow_trade():
    dyads = shared("kazakhstan", "cow_trade_v4_kazakhstan_dyads.csv")
    totals = shared("kazakhstan", "cow_trade_v4_kazakhstan_partner_summary.csv")
    sc = crossroads.load("kazakhstan-2010")
    sc = import_file(sc, "cow-trade", dyads).scenario
    sc = import_file(sc, "cow-trade", totals).scenario
    d = crossroads.dependence(sc, year=2009)
    # EU27 exports 15,318 over the national total 43,205.1 and over the partner sum 36,075
    assert d.share("eu", "exports", 2009, "national total") == pytest.approx(15318 / 43205.1)
    assert d.share("eu", "exports", 2009, "sum of partners") == pytest.approx(15318 / 36075)
    assert round(100 * d.share("eu", "exports", 2009, "national total"), 1) == 35.5
    assert round(100 * d.share("eu", "exports", 2009, "sum of partners"), 1) == 42.5
    # the importer's HHI over every partner country, recomputed here from the file
    raw = pd.read_csv(dyads)
    y = raw[raw.year == 2009].kaz_exports.dropna()
    expected = float(((y / y.sum()) ** 2).sum())
    c = d.concentration
    got = c[(c.measure == "exports") & (c.basis == "all partner countries")].hhi.iloc[0]
    assert got == pytest.approx(expected, abs=1e-6)
    # member states are counted in the EU's row, not beside it
    rec = c[(c.measure == "exports") & (c.basis == "national total")].iloc[0]
    assert {"germany", "france", "uk"} <= set(rec.excluded)


def test_cli_dependence_json(capsys):
    fixture = str(ROOT / "tests" / "data" / "relations-kz.yaml")
    assert main(["dependence", fixture, "--year", "2009", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["actor"] == "kazakhstan"
    eu = [s for s in out["shares"] if s["partner"] == "eu" and s["measure"] == "exports"]
    assert eu[0]["share"] == 0.394 and eu[0]["basis"] == "stated"
    assert out["asymmetry"][0]["b"] == "china"


def test_cli_dependence_tables(capsys):
    assert main(["dependence", "kazakhstan-2010"]) == 0
    out = capsys.readouterr().out
    assert "largest partners per year" in out and "39.4%" in out
    assert main(["dependence", "kazakhstan-2010", "--year", "2009"]) == 0
    out = capsys.readouterr().out
    assert "partners' shares of exports" in out


def test_partner_share_table_one_column_per_denominator(small):
    from crossroads.network import denominator_table, fuel_table, partner_share_table

    d = crossroads.dependence(small, year=2020)
    t = partner_share_table(d, "exports")
    # B 60, E 30, C 20 over the national total 120 and the partner sum 90, largest first
    assert list(t.columns) == ["partner", "value (USD m)", "national total", "sum of partners"]
    assert list(t.partner) == ["B", "E", "C"]
    assert_allclose(t["value (USD m)"], [60, 30, 20])
    assert_allclose(t["national total"], [50, 25, 100 * 20 / 120])
    assert_allclose(t["sum of partners"], [100 * 60 / 90, 100 * 30 / 90, 100 * 20 / 90])
    assert partner_share_table(d, "nothing").empty
    dens = denominator_table(d)
    assert set(dens.basis) == {"national total", "sum of partners"}
    assert len(dens) == len(dens.drop_duplicates())
    # 0.55 stated for the oil sector and the World Bank's 60% of merchandise exports
    assert sorted(fuel_table(d)["share %"]) == pytest.approx([55, 60])


def test_partner_share_table_with_values_but_no_total(capsys):
    # the built-in case has only "about $14bn" of trade with China in 2007 and no total: the
    # table shows the value (it used to fail with an IndexError); since issue 11 the paper's
    # ~17% share is recorded for 2007 too, so the stated share is shown beside it
    from crossroads.network import partner_share_table

    d = crossroads.dependence(crossroads.load("kazakhstan-2010"), year=2007)
    t = partner_share_table(d, "trade")
    assert t.to_dict(orient="records") == [
        {"partner": "China", "value (USD m)": 14000.0, "stated (fpc-2010)": 17.0}
    ]
    assert main(["dependence", "kazakhstan-2010", "--year", "2007"]) == 0
    out = capsys.readouterr().out
    assert "no total of Kazakhstan's trade recorded" in out and "14000" in out
