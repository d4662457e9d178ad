"""Multi-dimensional issues in the scenario format: dimensions, per-dimension stakes, their
checks (file, line, field) and arrays; one-dimensional issues keep their behaviour."""

from __future__ import annotations

import numpy as np
import pytest

import crossroads
from crossroads import InterventionError, ModelError, ScenarioError
from crossroads.scenario import apply_edits
from crossroads.scenario.schema import Edit, SpatialStake

SPATIAL = """\
crossroads: 1
id: spatial
title: Two dimensions
actors:
  - {id: a, name: A, kind: state}
  - {id: b, name: B, kind: state}
  - {id: c, name: C, kind: state}
issues:
  - id: deal
    title: A deal on two dimensions
    question: Where do tariffs and quotas settle?
    dimensions:
      - {id: tariff, title: Tariff, scale: {min: 0, max: 10}}
      - {id: quota, title: Quota}
    stakes:
      - actor: a
        capability: 3
        positions: [2, 80]
        saliences: [0.5, 0.3]
      - actor: b
        capability: 2
        positions: [8, 20]
        saliences: [0.2, 0.6]
      - actor: c
        capability: 1
        positions: [5, 50]
        saliences: [0.4, 0.4]
  - id: flat
    title: One dimension
    question: Yes or no?
    stakes:
      - {actor: a, capability: 1, position: 10, salience: 0.5}
      - {actor: b, capability: 1, position: 90, salience: 0.5}
interventions:
  - id: boost
    name: Boost B
    edits:
      - {issue: deal, actor: b, shift: {capability: 2}}
"""


def _load(tmp_path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return crossroads.load(path), path


def test_multidimensional_issue_loads_as_arrays(tmp_path):
    sc, _ = _load(tmp_path, SPATIAL)
    iss = sc.issue("deal")
    assert [d.id for d in iss.dimensions] == ["tariff", "quota"]
    assert iss.dimensions[1].scale.max == 100  # the default scale
    assert isinstance(iss.stakes[0], SpatialStake) and iss.stakes[0].salience == 0.8
    a = sc.arrays("deal")
    assert a.position.shape == a.salience.shape == (3, 2)
    assert a.dimensions == ["tariff", "quota"]
    np.testing.assert_array_equal(a.dim_scale_min, [0, 0])
    np.testing.assert_array_equal(a.dim_scale_max, [10, 100])
    flat = sc.arrays("flat")
    assert flat.position.shape == (2,) and flat.dimensions == []


def test_forecast_of_a_multidimensional_issue(tmp_path):
    sc, _ = _load(tmp_path, SPATIAL)
    f = crossroads.forecast(sc, "deal", model="smp")
    assert f.trajectory.shape == (f.rounds + 1, 3, 2)
    assert np.all(f.trajectory[..., 0] <= 10) and np.all(f.trajectory[..., 1] <= 100)
    assert f.to_dict()["dimensions"] == ["tariff", "quota"]
    # the weighted mean uses each dimension's salience
    w = f.capability[:, None] * f.salience
    np.testing.assert_allclose(f.weighted_mean[0], (w * f.trajectory[0]).sum(0) / w.sum(0))
    with pytest.raises(ModelError, match="model 'median' is one-dimensional; issue 'deal' has 2"):
        crossroads.forecast(sc, "deal", model="median")
    assert "dimensions" not in crossroads.forecast(sc, "flat", model="mean").to_dict()
    boosted = crossroads.forecast(sc, "deal", model="smp", interventions=["boost"])
    assert boosted.capability[1] == 4.0


# (text replaced in SPATIAL, replacement, line, field, message)
BAD = [
    (
        "positions: [8, 20]",
        "positions: [8, 20, 3]",
        22,
        "issues[0].stakes[1].positions",
        "has 3 values; the issue has 2 dimensions",
    ),
    (
        "saliences: [0.2, 0.6]",
        "saliences: [0.2]",
        23,
        "issues[0].stakes[1].saliences",
        "has 1 values; the issue has 2 dimensions",
    ),
    (
        "saliences: [0.2, 0.6]",
        "saliences: [0.5, 0.6]",
        23,
        "issues[0].stakes[1].saliences",
        "saliences sum to 1.1; an actor's saliences sum to at most 1",
    ),
    (
        "positions: [8, 20]",
        "positions: [12, 20]",
        22,
        "issues[0].stakes[1].positions[0]",
        "12 lies outside dimension 'tariff''s scale 0-10",
    ),
    (
        "saliences: [0.2, 0.6]",
        "saliences: [0.2, 1.6]",
        23,
        "issues[0].stakes[1].saliences[1]",
        "must be <= 1, got 1.6",
    ),
    (
        "positions: [8, 20]",
        "positions: [8, x]",
        22,
        "issues[0].stakes[1].positions[1]",
        "must be a number, got 'x'",
    ),
    (
        "{actor: b, capability: 1, position: 90, salience: 0.5}",
        "{actor: b, capability: 1, positions: [90], saliences: [0.5]}",
        33,
        "issues[1].stakes[1].positions",
        "positions and saliences (one per dimension) need the issue's 'dimensions'",
    ),
    (
        "      - actor: c\n        capability: 1\n        positions: [5, 50]\n"
        "        saliences: [0.4, 0.4]\n",
        "      - {actor: c, capability: 1, position: 5, salience: 0.4}\n",
        24,
        "issues[0].stakes[2].positions",
        "the issue has 2 dimensions; give positions and saliences",
    ),
    (
        "      - {id: quota, title: Quota}",
        "      - {id: tariff, title: Quota}",
        14,
        "issues[0].dimensions[1].id",
        "duplicate dimension id 'tariff'",
    ),
    (
        "    question: Where do tariffs and quotas settle?\n",
        "    question: Where do tariffs and quotas settle?\n    status_quo: 5\n",
        12,
        "issues[0].status_quo",
        "status_quo is one-dimensional",
    ),
    (
        "shift: {capability: 2}",
        "shift: {position: 2}",
        38,
        "interventions[0].edits[0]",
        "issue 'deal' has dimensions; an edit of it may only set or shift capability",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "field", "message"), BAD)
def test_checks_name_line_and_field(tmp_path, old, new, line, field, message):
    text = SPATIAL.replace(old, new, 1)
    assert text != SPATIAL
    with pytest.raises(ScenarioError) as e:
        _load(tmp_path, text)
    assert (e.value.line, e.value.field) == (line, field)
    assert message in e.value.message


def test_one_dimensional_messages_unchanged(tmp_path):
    text = SPATIAL.replace("{actor: a, capability: 1, position: 10, salience: 0.5}",
                           "{actor: a, capability: 1, salience: 0.5}")  # fmt: skip
    with pytest.raises(ScenarioError) as e:
        _load(tmp_path, text)
    assert e.value.field == "issues[1].stakes[0].position"
    assert e.value.message == "required field is missing"
    text = SPATIAL.replace("position: 90,", "position: 190,")
    with pytest.raises(ScenarioError) as e:
        _load(tmp_path, text)
    assert e.value.field == "issues[1].stakes[1].position"
    assert e.value.message == "190 lies outside the issue's scale 0-100"


def test_programmatic_edits_of_positions_are_refused(tmp_path):
    sc, _ = _load(tmp_path, SPATIAL)
    with pytest.raises(InterventionError, match="has dimensions"):
        apply_edits(sc, [Edit(issue="deal", actor="a", set={"salience": 0.1})])
    out = apply_edits(sc, [Edit(issue="deal", actor="a", remove=True)])
    assert [s.actor for s in out.issue("deal").stakes] == ["b", "c"]
