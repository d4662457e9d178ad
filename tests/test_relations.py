"""Relations: the graph, memberships by year, overlaps, joint memberships, the timeline."""

from __future__ import annotations

import json

import pytest

import crossroads
from crossroads.cli import main
from crossroads.errors import CrossroadsError
from crossroads.network import (
    build_graph,
    held,
    joint_matrix,
    joint_memberships,
    memberships_in,
    overlaps,
    timeline,
)

from conftest import ROOT

FIXTURE = ROOT / "tests" / "data" / "relations-kz.yaml"


@pytest.fixture(scope="module")
def sc():
    return crossroads.load(FIXTURE)


def test_held_by_year(sc):
    # uzbekistan in the CSTO: since 2006, until 2012 -> held 2006..2012 inclusive
    m = next(m for m in sc.memberships if m.actor == "uzbekistan" and m.organisation == "csto")
    assert [held(m, y) for y in (2005, 2006, 2012, 2013)] == [False, True, True, False]
    assert held(m, None)
    # an applicant with outcome pending is a tie (not a membership); rejected is not held
    wto = next(m for m in sc.memberships if m.organisation == "wto" and m.actor == "kazakhstan")
    assert held(wto, 2010)
    assert not held(wto.model_copy(update={"outcome": "rejected"}), 2010)


def test_memberships_in_a_year(sc):
    ms = memberships_in(sc, 2010)
    kz = ms[ms.actor == "kazakhstan"]
    # full: sco (founder), csto, eurasec, osce (member and chair), eu-rol; ties: nato-pfp, wto
    assert sorted(set(kz[kz.full].organisation)) == ["csto", "eu-rol", "eurasec", "osce", "sco"]
    assert sorted(kz[~kz.full].role) == ["applicant", "partner"]
    # the OSCE chairmanship holds in 2010 only
    chair = memberships_in(sc, 2011)
    assert not ((chair.actor == "kazakhstan") & (chair.role == "chair")).any()
    # before 2001 there is no SCO
    assert "sco" not in set(memberships_in(sc, 2000).organisation)


def test_overlap_sco_csto(sc):
    # SCO members 2010: kazakhstan, russia, china, kyrgyzstan, uzbekistan
    # CSTO members 2010: kazakhstan, russia, kyrgyzstan, uzbekistan -> common: all but china
    r = crossroads.relations(sc, 2010)
    assert r.shared("sco", "csto") == ["kazakhstan", "kyrgyzstan", "russia", "uzbekistan"]
    ov = overlaps(sc, 2010)
    row = ov[(ov.organisation_a == "csto") & (ov.organisation_b == "sco")].iloc[0]
    assert row.n == 4
    # uzbekistan's CSTO membership ends in 2012
    assert crossroads.relations(sc, 2013).shared("sco", "csto") == [
        "kazakhstan",
        "kyrgyzstan",
        "russia",
    ]
    # every pair once, a < b, sorted by size
    assert (ov.organisation_a < ov.organisation_b).all()
    assert list(ov.n) == sorted(ov.n, reverse=True)


def test_joint_membership_counts(sc):
    # 2010 full memberships: kazakhstan {sco, csto, eurasec, osce, eu-rol};
    # russia {sco, csto, eurasec, osce} -> 4 in common; germany {osce, eu, eu-rol} and
    # kazakhstan share osce and eu-rol -> 2; china {sco} and germany share nothing
    j = joint_memberships(sc, 2010)
    r = crossroads.relations(sc, 2010)
    assert r.joint_count("kazakhstan", "russia") == 4
    assert r.joint_count("germany", "kazakhstan") == 2
    assert r.joint_count("china", "germany") == 0
    top = j.iloc[0]
    assert (top.actor_a, top.actor_b, top.n) == ("kazakhstan", "russia", 4)
    assert top.organisations == ["csto", "eurasec", "osce", "sco"]
    mat = joint_matrix(sc, 2010)
    # the diagonal counts each actor's own organisations; the matrix is symmetric
    assert mat.loc["kazakhstan", "kazakhstan"] == 5
    assert mat.loc["kazakhstan", "russia"] == mat.loc["russia", "kazakhstan"] == 4


def test_organisations_by_leader(sc):
    r = crossroads.relations(sc, 2010)
    bl = {row.camp: row.organisations for row in r.by_leader.itertuples()}
    # led_by russia: csto, eurasec; china: sco; germany is part_of the EU, so eu-rol's camp
    # is the EU; the OSCE names no leader. Ties that are not membership (WTO applicant,
    # NATO partner) are left out.
    assert bl == {
        "russia": ["csto", "eurasec"],
        "china": ["sco"],
        "eu": ["eu-rol"],
        "none": ["osce"],
    }


def test_graph_edges_carry_years(sc):
    g = build_graph(sc)
    assert g.nodes["kazakhstan"]["kind"] == "state"
    assert g.nodes["agreement:pca"]["type"] == "agreement"
    ms = [
        d
        for _, _, d in g.edges("uzbekistan", data=True)
        if d["type"] == "membership" and d["role"] == "member"
    ]
    assert {(d["since"], d["until"]) for d in ms} >= {(2006, 2012)}
    party = [d for u, v, d in g.edges(data=True) if v == "agreement:pca"]
    assert {d["since"] for d in party} == {1999}  # in force 1999 (signed 1995)
    flows = [d for _, _, d in g.edges("kazakhstan", data=True) if d["type"] == "flow"]
    assert {d["year"] for d in flows} == {2007, 2009}
    led = [v for u, v, d in g.edges(data=True) if d["type"] == "led_by" and u == "sco"]
    assert led == ["china"]
    n_edges = (
        len(sc.memberships)
        + sum(len(a.parties) for a in sc.agreements)
        + len(sc.flows)
        + sum(bool(a.part_of) + bool(a.led_by) for a in sc.actors)
    )
    assert g.number_of_edges() == n_edges


def test_timeline_order_and_cutoff(sc):
    tl = timeline(sc)
    assert list(tl.date) == sorted(tl.date)
    assert tl.iloc[0].what == "signed" and tl.iloc[0].id == "pca"
    assert set(timeline(sc, until=2009).date.str[:4].astype(int)) <= set(range(1990, 2010))
    assert "osce-summit" not in set(timeline(sc, until=2009).id)


def test_unknown_actor_is_a_clean_error(sc):
    with pytest.raises(CrossroadsError, match="no actor 'atlantis'"):
        crossroads.relations(sc, 2010, actor="atlantis")


def test_builtin_relations():
    sc = crossroads.load("kazakhstan-2010")
    r = crossroads.relations(sc)  # the scenario's year, 2010
    assert r.year == 2010 and r.focus == "kazakhstan"
    assert {"kazakhstan", "russia"} <= set(r.shared("sco", "csto"))
    camps = set(r.by_leader.camp)
    assert {"russia", "china"} <= camps
    kz_russia = r.joint_count("kazakhstan", "russia")
    assert kz_russia >= 4


def test_cli_relations_json(capsys):
    assert main(["relations", str(FIXTURE), "--year", "2010", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["year"] == 2010 and out["focus"] == "kazakhstan"
    pair = next(
        o for o in out["overlaps"] if {o["organisation_a"], o["organisation_b"]} == {"sco", "csto"}
    )
    assert pair["common"] == ["kazakhstan", "kyrgyzstan", "russia", "uzbekistan"]


def test_cli_relations_table(capsys):
    assert main(["relations", str(FIXTURE), "--year", "2010"]) == 0
    out = capsys.readouterr().out
    assert "Memberships in 2010" in out
    assert "organisations by the power that leads them" in out
    assert "Timeline of events and agreements up to 2010" in out


def test_cli_relations_bad_actor(capsys):
    assert main(["relations", str(FIXTURE), "--actor", "atlantis"]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: no actor 'atlantis' in scenario 'relations-kz'"
    )


def test_cli_relations_both(capsys):
    assert main(["relations", str(FIXTURE), "--year", "2010", "--both", "sco,csto", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["both"]["members"] == ["kazakhstan", "kyrgyzstan", "russia", "uzbekistan"]
    assert main(["relations", str(FIXTURE), "--both", "sco"]) == 1
    assert "--both needs two organisation ids" in capsys.readouterr().err
    assert main(["relations", str(FIXTURE), "--both", "sco,nato"]) == 1
    assert "--both: no actor 'nato'" in capsys.readouterr().err


def test_relations_on_a_scenario_without_memberships(shared_data):
    # a peer file has actors and an issue but no memberships: empty tables, not a KeyError
    import crossroads

    r = crossroads.relations(crossroads.load(str(shared_data("eum", "sultan.csv"))))
    assert len(r.overlaps) == 0


def test_readable_tables_name_actors_and_keep_the_order(sc):
    # the tables the relations command prints: the same facts as the tidy tables, with names
    from crossroads.network import (
        joint_table,
        leader_table,
        membership_table,
        overlap_table,
        timeline_table,
    )

    r = crossroads.relations(sc, 2010)
    m = membership_table(r)
    kz = m.iloc[0]
    # kazakhstan's five full memberships (see test_joint_membership_counts), most first
    assert (kz.actor, kz.n) == ("Kazakhstan", 5)
    assert kz["other ties"] == (
        "NATO Partnership for Peace (partner), World Trade Organization (applicant)"
    )
    assert list(m.n) == sorted(m.n, reverse=True)
    lt = leader_table(r)
    assert list(lt.columns) == ["camp", "organisations", "n"]
    assert dict(zip(lt.camp, lt.organisations, strict=True))["no single leader"] == "OSCE"
    ov = overlap_table(r)
    # among kazakhstan's own organisations only; sco & csto has the most common members
    assert ov.iloc[0].tolist() == [
        "Collective Security Treaty Organisation & Shanghai Cooperation Organisation",
        4,
        "Kazakhstan, Kyrgyzstan, Russia, Uzbekistan",
    ]
    assert len(ov) < len(r.overlaps)
    jt = joint_table(r)
    assert jt.iloc[0][["pair", "n"]].tolist() == ["Kazakhstan & Russia", 4]
    tl = timeline_table(r)
    assert list(tl.columns) == ["date", "what", "title", "actors", "source"]
    assert tl.iloc[0].actors == "European Union, Kazakhstan"
    assert len(tl) == len(r.timeline)


def test_a_suspended_or_withdrawn_membership_holds_until_it_ends():
    from crossroads.network.graph import held
    from crossroads.scenario.schema import Membership

    m = Membership(actor="uz", organisation="csto", role="member", since="2006", until="2012",
                   outcome="suspended")  # fmt: skip
    assert held(m, 2010) and not held(m, 2005) and not held(m, 2013)
    bid = Membership(actor="kz", organisation="coe", role="applicant", until="2009",
                     outcome="withdrawn")  # fmt: skip
    assert not held(bid, 2008)
    assert not held(Membership(actor="kz", organisation="coe", role="applicant",
                               outcome="rejected"), None)  # fmt: skip
