"""Linkages: issues bargained together, switched on and off by interventions, with costs."""

from __future__ import annotations

import numpy as np
import pytest

import crossroads
from crossroads import InterventionError, ScenarioError
from crossroads.scenario import apply_interventions
from crossroads.scenario.yaml_loader import parse_scenario_text

from conftest import ROOT

LINKED = ROOT / "tests" / "data" / "linked.yaml"
TEXT = LINKED.read_text()


def test_linkage_and_costs_load():
    sc = crossroads.load(LINKED)
    lk = sc.linkage("package")
    assert lk.issues == ["trade", "rights"] and not lk.active and lk.source == "own"
    assert sc.intervention("tie").cost.value == 3
    assert sc.intervention("tie").cost.unit == "EUR million"
    assert sc.intervention("nudge").link == []


def test_interventions_switch_links():
    sc = crossroads.load(LINKED)
    on = apply_interventions(sc, ["tie"])
    assert on.linkage("package").active and not sc.linkage("package").active
    both = apply_interventions(sc, ["tie", "nudge"])
    assert both.linkage("package").active
    assert both.issue("trade").stake("b").position == 70


def test_linked_arrays_mark_missing_stakes():
    sc = crossroads.load(LINKED)
    arr = sc.linked_arrays(["trade", "rights"])
    assert arr.actors == ["a", "b", "c"] and arr.issues == ["trade", "rights"]
    assert arr.capability.shape == (3, 2)
    # Gamma has no stake on trade: no weight there, the midpoint as a placeholder
    assert not arr.has_stake[2, 0] and arr.capability[2, 0] == 0 and arr.salience[2, 0] == 0
    assert arr.position[2, 0] == 50
    np.testing.assert_array_equal(arr.scale, [[0, 100], [0, 10]])
    np.testing.assert_array_equal(arr.position[:, 1], [2, 9, 5])


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ("issues: [trade, rights]", "issues: [trade, nope]", 34, "linkages[0].issues[1]",
         "unknown issue 'nope'; a linkage names issues of this scenario"),
        ("issues: [trade, rights]", "issues: [trade, trade]", 34, "linkages[0].issues[1]",
         "issue 'trade' is named twice in linkage 'package'"),
        ("issues: [trade, rights]", "issues: [trade]", 34, "linkages[0].issues",
         "should have at least 2 items"),
        ("    link: [package]", "    link: [packet]", 42, "interventions[0].link[0]",
         "unknown linkage 'packet'; linkages: package"),
        ("    active: false\n", "", 41, "interventions[0].link[0]",
         "linkage 'package' is already active in the baseline"),
        ("    link: [package]", "    unlink: [package]", 42, "interventions[0].unlink[0]",
         "linkage 'package' is already not active in the baseline"),
        ("    link: [package]\n", "", 40, "interventions[0]",
         "an intervention needs edits, link or unlink (it would change nothing)"),
        ("cost: {value: 1}", "cost: {value: -1}", 48, "interventions[1].cost.value",
         "must be >= 0, got -1"),
    ],
)  # fmt: skip
def test_malformed_linkages_are_named(old, new, line, field, message):
    assert old in TEXT
    with pytest.raises(ScenarioError) as e:
        parse_scenario_text(TEXT.replace(old, new, 1), "linked.yaml")
    err = e.value
    assert (err.line, err.field) == (line, field), str(err)
    assert message in err.message, str(err)


def test_unknown_linkage_at_run_time():
    from crossroads.scenario.interventions import set_links

    with pytest.raises(InterventionError, match="unknown linkage 'x'; linkages: package"):
        set_links(crossroads.load(LINKED), ["x"])
    with pytest.raises(crossroads.CrossroadsError, match="no linkage 'x'"):
        crossroads.load(LINKED).linkage("x")


def test_edit_notes_load_and_a_misspelt_field_is_named():
    text = TEXT.replace(
        "      - {issue: trade, actor: b, shift: {position: -10}}",
        "      - {issue: trade, actor: b, shift: {position: -10}, note: why it moves}",
    )
    assert text != TEXT
    sc = parse_scenario_text(text, "linked.yaml")
    assert sc.intervention("nudge").edits[0].note == "why it moves"
    with pytest.raises(ScenarioError) as e:
        parse_scenario_text(text.replace("note: why", "notes: why"), "linked.yaml")
    assert e.value.field == "interventions[1].edits[0].notes", str(e.value)


def test_builtin_package_has_an_actor_on_both_sides_of_each_tie():
    """The exchange model trades only between actors with stakes on both linked issues."""
    sc = crossroads.load("kazakhstan-2010")
    for lk in sc.linkages:
        arr = sc.linked_arrays(lk.issues)
        both = {a for a, row in zip(arr.actors, arr.has_stake, strict=True) if row.all()}
        assert "kazakhstan" in both, lk.id
    trade = sc.linkage("trade-for-conditionality").issues
    before = sc.linked_arrays(trade)
    assert "eu-commission" in before.actors
    assert not before.has_stake[before.actors.index("eu-commission")].all()
    after = apply_interventions(sc, ["trade-incentives"]).linked_arrays(trade)
    assert after.has_stake[after.actors.index("eu-commission")].all()
    assert "eu" not in after.actors  # the bloc's trade stake passed to the Commission
    k = after.issues.index("trade-regime")
    row = after.actors.index("eu-commission")
    assert after.capability[row, k] == before.capability[before.actors.index("eu"), k]
