"""Importers on the real files in ../shared/data/kazakhstan, and malformed files."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import crossroads
from crossroads.cli import main
from crossroads.errors import CrossroadsError, ScenarioError
from crossroads.importers import (
    detect_kind,
    import_file,
    read_facts,
    scenario_yaml,
    write_scenario,
)
from crossroads.reference_data import COUNTRIES, EU27_2007, actor_codes, eu_members

from conftest import ROOT, shared

FIXTURE = ROOT / "tests" / "data" / "relations-kz.yaml"


def kz(name: str):
    return shared("kazakhstan", name)


@pytest.fixture(scope="module")
def sc():
    return crossroads.load(FIXTURE)


# --- the code table -------------------------------------------------------------------------
def test_code_table_is_consistent():
    cows = [c.cow for c in COUNTRIES]
    assert len(cows) == len(set(cows))
    assert len(EU27_2007) == 27 and 200 in EU27_2007 and 344 not in EU27_2007
    # members at the end of each year: EU12 (1994), EU15 (1995), EU25 (2004), EU27 (2007),
    # EU28 (2013, Croatia), EU27 again (2020, the UK gone)
    assert [len(eu_members(y)) for y in (1994, 1995, 2004, 2007, 2013, 2020)] == [
        12,
        15,
        25,
        27,
        28,
        27,
    ]
    assert 200 not in eu_members(2020) and 200 in eu_members(2019)


def test_actor_codes(sc):
    codes = actor_codes(sc)
    # kazakhstan carries cow and iso3; russia only iso3 (cow from the table); kyrgyzstan
    # neither (matched by name); the EU bloc is the EU aggregate
    assert codes.actor_for_cow(705) == "kazakhstan"
    assert codes.actor_for_cow(365) == "russia" and codes.how["russia"] == "iso3"
    assert codes.actor_for_iso3("CHN") == "china" and codes.how["china"] == "cow"
    assert codes.actor_for_cow(703) == "kyrgyzstan" and codes.how["kyrgyzstan"] == "name"
    assert codes.eu == "eu"
    with pytest.raises(ScenarioError, match=r"COW 359 \(Moldova\) maps to no actor"):
        codes.require(cow=359, what="the reporting country")


def test_duplicate_codes_are_refused(sc):
    bad = sc.model_copy(
        update={"actors": [*sc.actors, sc.actor("russia").model_copy(update={"id": "russia-2"})]}
    )
    with pytest.raises(ScenarioError, match="both have code"):
        actor_codes(bad)


# --- COW trade ------------------------------------------------------------------------------
def test_cow_trade_dyads(sc):
    res = import_file(sc, "cow-trade", kz("cow_trade_v4_kazakhstan_dyads.csv"))
    s = res.facts.source
    assert (s["id"], s["version"]) == ("cow-trade-v4", "4.0")
    assert "Correlates of War Trade v4.0" in s["title"]
    new = res.scenario
    eu09 = [
        f
        for f in new.flows
        if f.source == "cow-trade-v4"
        and f.year == 2009
        and f.target == "eu"
        and f.kind == "exports"
    ]
    assert len(eu09) == 1 and eu09[0].value == 15318 and eu09[0].unit == "USD million"
    ru = [
        f
        for f in new.flows
        if f.source == "cow-trade-v4"
        and f.year == 2009
        and f.origin == "russia"
        and f.kind == "imports"
    ]
    assert ru[0].value == 8897 and ru[0].target == "kazakhstan"
    sums = {(i.indicator, i.year): i.value for i in new.indicators}
    assert sums[("cow_trade.exports_sum_partners", 2009)] == 36075
    assert sums[("cow_trade.imports_sum_partners", 2009)] == 28384
    # the scenario's own facts are kept
    assert any(f.source == "paper" and f.share == 0.394 for f in new.flows)


def test_eu27_composition_reproduces_the_summary(sc):
    # the prepared summary's eu27 columns use the fixed 27 members of 2007 in every year;
    # the importer's eu27-2007 composition must give the same sums from the dyads
    facts = read_facts(
        sc, "cow-trade", kz("cow_trade_v4_kazakhstan_dyads.csv"), eu_composition="eu27-2007"
    )
    got = {(f["year"], f["kind"]): f["value"] for f in facts.flows if "eu" in (f["from"], f["to"])}
    summ = pd.read_csv(kz("cow_trade_v4_kazakhstan_partner_summary.csv"))
    for r in summ.itertuples():
        assert got[(r.year, "exports")] == r.eu27_exp
        assert got[(r.year, "imports")] == r.eu27_imp
    # per-year membership differs before 2007 (EU12 in 1993: 29.9% vs EU27's 447)
    per_year = read_facts(sc, "cow-trade", kz("cow_trade_v4_kazakhstan_dyads.csv"))
    v93 = next(f["value"] for f in per_year.flows if f["year"] == 1993 and f["to"] == "eu")
    assert v93 < 447


def test_cow_trade_totals(sc):
    res = import_file(sc, "cow-trade", kz("cow_trade_v4_kazakhstan_partner_summary.csv"))
    ind = {(i.indicator, i.year): i.value for i in res.scenario.indicators}
    assert ind[("cow_trade.exports_total", 2009)] == 43205.1
    assert ind[("cow_trade.imports_total", 2009)] == 28438.4
    assert res.facts.source["id"] == "cow-trade-v4-totals"
    assert not res.facts.flows  # partner values come from the dyadic file


def test_cow_dyadic_original_layout(tmp_path, sc):
    p = tmp_path / "Dyadic_COW_4.0.csv"
    p.write_text(
        "ccode1,ccode2,year,importer1,importer2,flow1,flow2\n"
        "365,705,2009,Russia,Kazakhstan,3533,8897\n"
        "705,710,2009,Kazakhstan,China,3572,6238\n"
        "2,20,2009,United States,Canada,1,2\n"
        "705,359,2009,Kazakhstan,Moldova,-9,5\n"
    )
    f = read_facts(sc, "cow-trade", p, actor="kazakhstan")
    flows = {(x["kind"], x["from"], x["to"]): x["value"] for x in f.flows}
    # flow1 = imports of ccode1 from ccode2: Russia imported 3533 from Kazakhstan
    assert flows[("exports", "kazakhstan", "russia")] == 3533
    assert flows[("imports", "russia", "kazakhstan")] == 8897
    assert flows[("imports", "china", "kazakhstan")] == 3572
    sums = {x["indicator"]: x["value"] for x in f.indicators if x["year"] == 2009}
    assert sums["cow_trade.exports_sum_partners"] == 3533 + 6238 + 5
    with pytest.raises(ScenarioError, match="name the reporting country"):
        read_facts(sc, "cow-trade", p)


# --- COW IGO --------------------------------------------------------------------------------
def test_cow_igo_panel(sc):
    res = import_file(sc, "cow-igo", kz("cow_igo_v3_selected_igos_centralasia_1991_2014.csv"))
    assert (res.facts.source["id"], res.facts.source["version"]) == ("cow-igo-v3", "3.0")
    ms = [m for m in res.scenario.memberships if m.source == "cow-igo-v3"]
    sco = {m.actor: m.since for m in ms if m.organisation == "sco"}
    assert sco["kazakhstan"] == "1996" and sco["china"] == "1996"
    uz = [m for m in ms if m.actor == "uzbekistan" and m.organisation == "csto"]
    assert [(m.since, m.until) for m in uz][0] == ("2002", "2011")
    wto_kz = [m for m in ms if m.actor == "kazakhstan" and m.organisation == "wto"]
    assert wto_kz == []  # not a WTO member before 2015
    # organisations the scenario lacks become organisation actors citing the source
    cis = res.scenario.actor("igo-cis")
    assert cis.kind == "organisation" and cis.source == "cow-igo-v3"
    # an associate member (COW status 2) becomes a partner tie
    assoc = [m for m in res.scenario.memberships if m.note and "associate" in m.note]
    assert assoc == []  # turkmenistan (the only associate) is not an actor here
    crossroads.relations(res.scenario, 2010)  # the result works downstream


def test_cow_igo_spells_need_a_country(sc, tmp_path):
    spells = kz("cow_igo_v3_kazakhstan_membership_spells.csv")
    res = import_file(sc, "cow-igo", spells, known_only=True)  # country from the file name
    assert {m["organisation"] for m in res.facts.memberships} == {"csto", "eurasec", "osce", "sco"}
    assert res.facts.source["id"] == "cow-igo-v3-kazakhstan"
    p = tmp_path / "spells.csv"
    p.write_text(spells.read_text())
    with pytest.raises(ScenarioError, match="names no country"):
        import_file(sc, "cow-igo", p)
    res = import_file(sc, "cow-igo", p, actor="kazakhstan", known_only=True)
    assert len(res.facts.memberships) == 4


# --- ratings and indices --------------------------------------------------------------------
def test_freedom_house(sc):
    res = import_file(sc, "freedom-house", kz("freedomhouse_pkg_rating_status_kazakhstan.csv"))
    ind = {(i.indicator, i.year): i for i in res.scenario.indicators}
    pr = ind[("freedomhouse.political_rights", 2010)]
    assert (pr.value, pr.label, pr.actor) == (6, "Not Free", "kazakhstan")
    assert ind[("freedomhouse.civil_liberties", 1991)].value == 4
    assert "version" in res.facts.source and res.facts.source["id"] == "freedomhouse"


def test_vdem_both_layouts(sc):
    a = import_file(sc, "vdem", kz("democracyData_vdem_simple_kazakhstan.csv"))
    ind = {(i.indicator, i.year): i.value for i in a.scenario.indicators}
    assert ind[("vdem.v2x_polyarchy", 2010)] == 0.238
    assert ind[("vdem.v2x_libdem", 2010)] == 0.122
    b = import_file(sc, "vdem", kz("peacesciencer_ccode_democracy_kazakhstan.csv"))
    assert b.facts.source["id"] == "vdem-ccode"
    assert any("polity2, xm_qudsest" in n for n in b.facts.notes)  # said, not silently dropped
    assert {i.indicator for i in b.scenario.indicators} == {"vdem.v2x_polyarchy"}


def test_wdi_long_and_wide(sc, tmp_path):
    a = import_file(sc, "wdi", kz("wdi_fuel_exports_pct_merch_kazakhstan.csv"))
    v = {i.year: i for i in a.scenario.indicators}
    assert v[2010].indicator == "wdi.TX.VAL.FUEL.ZS.UN"
    assert v[2010].value == pytest.approx(71.68, abs=0.01)
    assert v[2010].unit == "% of merchandise exports"
    wide = tmp_path / "API_TX.VAL.FUEL.ZS.UN.csv"
    wide.write_text(
        '"Data Source","World Development Indicators",\n\n'
        '"Last Updated Date","2024-01-01",\n\n'
        '"Country Name","Country Code","Indicator Name","Indicator Code","2009","2010",\n'
        '"Kazakhstan","KAZ","Fuel exports (% of merchandise exports)",'
        '"TX.VAL.FUEL.ZS.UN","69.5","71.7",\n'
        '"Aruba","ABW","Fuel exports (% of merchandise exports)",'
        '"TX.VAL.FUEL.ZS.UN","","1.0",\n'
    )
    b = read_facts(sc, "wdi", wide)
    assert [(i["year"], i["value"]) for i in b.indicators] == [(2009, 69.5), (2010, 71.7)]
    assert "1 rows of other countries skipped" in b.notes[0]
    assert detect_kind(wide) == "wdi"


def test_wdi_long_format_as_documented(sc, tmp_path):
    """The long form of the manual: ``Country Code, Indicator Code, year, value``, no names."""
    long = tmp_path / "fuel.csv"
    long.write_text(
        "Country Code,Indicator Code,Year,Value\n"
        "KAZ,TX.VAL.FUEL.ZS.UN,2011,73.25\n"
        "KAZ,TX.VAL.FUEL.ZS.UN,2012,\n"
        "FRA,TX.VAL.FUEL.ZS.UN,2011,3.5\n"
    )
    assert detect_kind(long) == "wdi"
    f = read_facts(sc, "wdi", long)
    assert [(i["actor"], i["year"], i["value"]) for i in f.indicators] == [
        ("kazakhstan", 2011, 73.25)
    ]
    assert "unit" not in f.indicators[0]  # no Indicator Name: no unit invented
    assert f.source["title"].endswith(": TX.VAL.FUEL.ZS.UN")
    no_value = tmp_path / "novalue.csv"
    no_value.write_text("Country Code,Indicator Code,year\nKAZ,TX.VAL.FUEL.ZS.UN,2011\n")
    with pytest.raises(ScenarioError, match="needs columns year and value"):
        read_facts(sc, "wdi", no_value)
    other = tmp_path / "other.csv"
    other.write_text("Land,Jahr,Wert\nKAZ,2011,1\n")
    with pytest.raises(ScenarioError, match="no header row starting with 'Country Name' or"):
        read_facts(sc, "wdi", other)


def test_atop(sc):
    res = import_file(sc, "atop", kz("peacesciencer_atop5_kazakhstan_directed_dyads.csv"))
    assert (res.facts.source["id"], res.facts.source["version"]) == ("atop-v5", "5.0")
    ags = {a.id: a for a in res.scenario.agreements if a.source == "atop-v5"}
    ru = ags["atop-kazakhstan-russia-1992"]
    assert ru.scope == ["defense", "non-aggression", "consultation"]
    assert (ru.in_force, ru.until, ru.status) == ("1992", "2012", "expired")
    ru13 = ags["atop-kazakhstan-russia-2013"]
    assert ru13.scope == ["defense", "neutrality", "non-aggression", "consultation"]
    assert ru13.status == "in_force" and ru13.until is None
    assert ags["atop-kazakhstan-china-2001"].scope == ["non-aggression", "consultation"]


def test_detect_kind():
    assert detect_kind(kz("cow_trade_v4_kazakhstan_dyads.csv")) == "cow-trade"
    assert detect_kind(kz("cow_trade_v4_kazakhstan_partner_summary.csv")) == "cow-trade"
    assert detect_kind(kz("cow_igo_v3_kazakhstan_membership_spells.csv")) == "cow-igo"
    assert detect_kind(kz("freedomhouse_pkg_rating_status_kazakhstan.csv")) == "freedom-house"
    assert detect_kind(kz("democracyData_vdem_simple_kazakhstan.csv")) == "vdem"
    assert detect_kind(kz("peacesciencer_atop5_kazakhstan_directed_dyads.csv")) == "atop"
    assert detect_kind(kz("wdi_fuel_exports_pct_merch_kazakhstan.csv")) == "wdi"


# --- writing --------------------------------------------------------------------------------
def test_write_reload_and_idempotent(sc, tmp_path):
    out = tmp_path / "kz.yaml"
    once = import_file(sc, "freedom-house", kz("freedomhouse_pkg_rating_status_kazakhstan.csv"))
    write_scenario(once.scenario, out)
    back = crossroads.load(out)
    assert back == once.scenario
    twice = import_file(back, "freedom-house", kz("freedomhouse_pkg_rating_status_kazakhstan.csv"))
    assert scenario_yaml(twice.scenario) == scenario_yaml(once.scenario)
    assert [p.name for p in tmp_path.iterdir()] == ["kz.yaml"]  # no temporary file left


def test_builtin_imports_load():
    sc = crossroads.load("kazakhstan-2010")
    for kind, name in [
        ("cow-trade", "cow_trade_v4_kazakhstan_dyads.csv"),
        ("cow-igo", "cow_igo_v3_selected_igos_centralasia_1991_2014.csv"),
        ("freedom-house", "freedomhouse_pkg_rating_status_kazakhstan.csv"),
        ("atop", "peacesciencer_atop5_kazakhstan_directed_dyads.csv"),
    ]:
        sc = import_file(sc, kind, kz(name)).scenario
    text = scenario_yaml(sc)
    from crossroads.scenario.yaml_loader import parse_scenario_text

    again = parse_scenario_text(text, "roundtrip")
    assert again == sc
    assert {s.id for s in sc.sources} >= {
        "fpc-2010",
        "cow-trade-v4",
        "cow-igo-v3",
        "freedomhouse",
        "atop-v5",
    }


# --- malformed files ------------------------------------------------------------------------
DYADS_HEAD = "year,partner,stateabb,statenme,kaz_exports,kaz_imports\n"


@pytest.mark.parametrize(
    "kind,text,message",
    [
        (
            "cow-trade",
            DYADS_HEAD + "2009,365,RUS,Russia,abc,1\n",
            "bad.csv, line 2, field 'kaz_exports': must be a number, got 'abc'",
        ),
        (
            "cow-trade",
            DYADS_HEAD + "2009,365,RUS,Russia,-3,1\n",
            "bad.csv, line 2, field 'kaz_exports': trade cannot be negative, got -3",
        ),
        (
            "cow-trade",
            DYADS_HEAD + "2009,365,RUS,Russia,1,1\n2009,365,RUS,Russia,2,2\n",
            "bad.csv, line 3, field 'partner': partner 365 appears twice in 2009",
        ),
        (
            "cow-trade",
            DYADS_HEAD + "2009,365,RUS,Russia,1\n",
            "bad.csv, line 2: has 5 cells but the header has 6 columns (missing: kaz_imports)",
        ),
        (
            "cow-trade",
            DYADS_HEAD + "20x9,365,RUS,Russia,1,1\n",
            "bad.csv, line 2, field 'year': must be a number, got '20x9'",
        ),
        (
            "cow-trade",
            "year,partner,xyz_exports,xyz_imports\n2009,365,1,1\n",
            "bad.csv, line 1, field 'xyz_exports': the reporting country 'xyz' (from column "
            "xyz_exports) is not in the code table",
        ),
        ("cow-trade", "year,partner,value\n2009,365,1\n", "bad.csv, line 1: not a COW trade file"),
        (
            "freedom-house",
            "year,iso3c,political_rights,civil_liberties\n2010,KAZ,9,5\n",
            "bad.csv, line 2, field 'political_rights': a Freedom House rating is a whole "
            "number 1-7, got 9",
        ),
        (
            "freedom-house",
            "year,iso3c,political_rights\n2010,KAZ,6\n",
            "bad.csv, line 1, field 'civil_liberties': a Freedom House file needs a column "
            "'civil_liberties'",
        ),
        (
            "freedom-house",
            "year,iso3c,political_rights,civil_liberties\n2010,MDA,6,5\n",
            "bad.csv, line 1: no country of this Freedom House file maps to an actor of scenario "
            "'relations-kz' (codes: MDA (Moldova))",
        ),
        (
            "vdem",
            "country_text_id,year,v2x_polyarchy\nKAZ,2010,1.4\n",
            "bad.csv, line 2, field 'v2x_polyarchy': a V-Dem index lies in 0-1, got 1.4",
        ),
        (
            "vdem",
            "country_text_id,year,v2x_polyarchy\nKAZ,2010,0.2\nKAZ,2010,0.3\n",
            "bad.csv, line 3, field 'v2x_polyarchy': a second value for kazakhstan in 2010 "
            "(first on line 2)",
        ),
        (
            "atop",
            "ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,"
            "atop_consul\n705,365,2010,2,0,0,1,1\n",
            "bad.csv, line 2, field 'atop_defense': an ATOP obligation flag is 0 or 1, got 2",
        ),
        (
            "atop",
            "ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,"
            "atop_consul\n359,365,2010,1,0,0,1,1\n",
            "bad.csv, line 1, field 'ccode1': the file's ccode1 COW 359 (Moldova) maps to no "
            "actor of scenario 'relations-kz'",
        ),
        (
            "cow-igo",
            "ioname,orgname,status,first_year,last_year\nSCO,Shanghai,member,1996,2014\n",
            "bad.csv, line 2, field 'status': status must be one of full, associate, observer, "
            "got 'member'",
        ),
        (
            "cow-igo",
            "ioname,orgname,year,kazakhstan\nSCO,Shanghai,2010,7\n",
            "bad.csv, line 2, field 'kazakhstan': COW IGO status must be 0, 1, 2, 3 (or -9, -1 "
            "for missing), got 7",
        ),
        (
            "wdi",
            "Country Name,Country Code,Indicator Name,Indicator Code,year,value\n"
            "Kazakhstan,KAZ,Fuel,TX,2010,lots\n",
            "bad.csv, line 2, field 'value': must be a number, got 'lots'",
        ),
        ("cow-trade", "", "bad.csv: file is empty"),
        ("cow-trade", DYADS_HEAD, "bad.csv, line 1: has a header but no data rows"),
        (
            "cow-trade",
            'year,partner,"kaz_exports\n',
            "bad.csv, line 1: has a header but no data rows",
        ),
    ],
)
def test_malformed_files(sc, tmp_path, kind, text, message):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(ScenarioError) as e:
        read_facts(sc, kind, p, actor="kazakhstan" if kind == "cow-igo" else None)
    assert str(e.value).startswith(str(p.parent) + "/" + message), str(e.value)


def test_unmapped_reporter_that_matters(tmp_path):
    # a scenario without Kazakhstan cannot take Kazakhstan's trade
    p = tmp_path / "nokz.yaml"
    p.write_text(
        "crossroads: 1\nid: nokz\ntitle: t\nactors:\n  - {id: russia, name: Russia, kind: state}\n"
    )
    with pytest.raises(
        ScenarioError,
        match=r"the reporting country COW 705 \(Kazakhstan\) "
        r"maps to no actor of scenario 'nokz'; add the actor or give an "
        r"existing one cow: 705 or iso3: KAZ",
    ):
        read_facts(crossroads.load(p), "cow-trade", kz("cow_trade_v4_kazakhstan_dyads.csv"))


def test_unknown_kind_and_missing_file(sc):
    with pytest.raises(ScenarioError, match="unknown import kind 'gdp'"):
        read_facts(sc, "gdp", kz("wdi_fuel_exports_pct_merch_kazakhstan.csv"))
    with pytest.raises(ScenarioError, match="nope.csv: no such file"):
        read_facts(sc, "wdi", "nope.csv")


# --- CLI ------------------------------------------------------------------------------------
def test_cli_import_writes_a_loadable_file(tmp_path, capsys):
    out = tmp_path / "kz-trade.yaml"
    rc = main(
        [
            "import",
            "cow-trade",
            str(kz("cow_trade_v4_kazakhstan_dyads.csv")),
            "--into",
            str(FIXTURE),
            "-o",
            str(out),
            "--json",
        ]
    )
    assert rc == 0
    info = json.loads(capsys.readouterr().out)
    assert info["source"]["id"] == "cow-trade-v4" and info["added"]["flows"] > 0
    sc = crossroads.load(out)
    assert any(f.source == "cow-trade-v4" for f in sc.flows)
    assert out.read_text().startswith("# Scenario 'relations-kz' with Correlates of War Trade")


def test_cli_import_failure_leaves_output_untouched(tmp_path):
    out = tmp_path / "keep.yaml"
    out.write_text("previous content\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(DYADS_HEAD + "2009,365,RUS,Russia,abc,1\n")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "crossroads",
            "import",
            "cow-trade",
            str(bad),
            "--into",
            str(FIXTURE),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 1
    assert r.stderr == (f"error: {bad}, line 2, field 'kaz_exports': must be a number, got 'abc'\n")
    assert "Traceback" not in r.stderr
    assert out.read_text() == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "keep.yaml"]


def test_cli_import_errors(tmp_path, capsys):
    assert (
        main(
            [
                "import",
                "wdi",
                str(kz("wdi_fuel_exports_pct_merch_kazakhstan.csv")),
                "--into",
                str(FIXTURE),
            ]
        )
        == 1
    )
    assert "name the scenario file to write with -o" in capsys.readouterr().err
    assert (
        main(
            [
                "import",
                "wdi",
                str(kz("wdi_fuel_exports_pct_merch_kazakhstan.csv")),
                "--into",
                str(FIXTURE),
                "-o",
                str(tmp_path / "no-dir" / "x.yaml"),
            ]
        )
        == 1
    )
    assert "the output's directory does not exist" in capsys.readouterr().err
    assert not (tmp_path / "no-dir").exists()


def test_write_scenario_refuses_missing_directory(sc, tmp_path):
    with pytest.raises(CrossroadsError, match="directory does not exist"):
        write_scenario(sc, tmp_path / "missing" / "x.yaml")


def test_cow_igo_status_codes(sc, tmp_path):
    # 1 full -> member; 2 associate -> partner (noted); 3 observer -> observer; a -9
    # (missing) cell is skipped, so Russia's observer spell ends in 2008; a spell reaching
    # the data's last year (2010) stays open
    p = tmp_path / "panel.csv"
    p.write_text(
        "ioname,orgname,year,kazakhstan,kyrgyzstan,russia\n"
        "SCO,Shanghai Cooperation Organisation,2008,1,2,3\n"
        "SCO,Shanghai Cooperation Organisation,2009,1,2,-9\n"
        "SCO,Shanghai Cooperation Organisation,2010,1,1,0\n"
    )
    f = read_facts(sc, "cow-igo", p)
    got = sorted((m["actor"], m["role"], m["since"], m.get("until")) for m in f.memberships)
    assert got == [
        ("kazakhstan", "member", "2008", None),
        ("kyrgyzstan", "member", "2010", None),
        ("kyrgyzstan", "partner", "2008", "2009"),
        ("russia", "observer", "2008", "2008"),
    ]
    assoc = next(m for m in f.memberships if m["role"] == "partner")
    assert assoc["note"] == "COW IGO status: associate member"
