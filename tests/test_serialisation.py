"""The one JSON sanitiser: NaN and infinities become null, NumPy becomes plain Python."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pytest

from crossroads.serialisation import dumps, jsonable


def test_nan_and_infinities_become_none_wherever_they_are():
    data = {
        "a": math.nan,
        "b": [1.0, math.inf, -math.inf],
        "c": {"d": (np.float64("nan"), np.float32("inf"))},
        "e": np.array([[1.5, np.nan], [np.inf, -2.0]]),
    }
    assert jsonable(data) == {
        "a": None,
        "b": [1.0, None, None],
        "c": {"d": [None, None]},
        "e": [[1.5, None], [None, -2.0]],
    }
    assert json.loads(dumps(data)) == jsonable(data)
    assert "NaN" not in dumps(data) and "Infinity" not in dumps(data)


def test_numpy_types_become_plain_python():
    out = jsonable(
        {
            "i": np.int64(3),
            "f": np.float32(0.5),
            "b": np.bool_(True),
            "u": np.uint8(7),
            "ints": np.arange(3),
            "strs": np.array(["x", "y"]),
        }
    )
    assert out == {"i": 3, "f": 0.5, "b": True, "u": 7, "ints": [0, 1, 2], "strs": ["x", "y"]}
    for v in (out["i"], out["f"], out["b"], out["u"], *out["ints"], *out["strs"]):
        assert type(v) in (int, float, bool, str), type(v)


def test_nested_containers_and_results():
    @dataclass
    class Result:
        mean: float

        def to_dict(self):
            return {"mean": np.float64(self.mean), "runs": (1, 2)}

    out = jsonable({"r": [Result(math.nan), Result(1.0)], "s": {3}, "t": ((1, 2), [np.int32(4)])})
    assert out == {
        "r": [{"mean": None, "runs": [1, 2]}, {"mean": 1.0, "runs": [1, 2]}],
        "s": [3],
        "t": [[1, 2], [4]],
    }


def test_keys_are_written_as_json_writes_them():
    out = jsonable({1: "a", 0.05: "b", np.int64(2): "c", None: "d"})
    assert out == {"1": "a", "0.05": "b", "2": "c", "null": "d"}
    assert jsonable({True: 1, False: 0}) == {"true": 1, "false": 0}
    assert json.loads(dumps({1: 1, 0.05: 2})) == json.loads(json.dumps({1: 1, 0.05: 2}))


def test_dumps_layouts():
    data = {"b": [1, 2], "a": "é"}
    assert dumps(data) == '{"b": [1, 2], "a": "\\u00e9"}'
    assert dumps(data, compact=True) == '{"b":[1,2],"a":"\\u00e9"}'
    assert dumps(data, compact=True, ensure_ascii=False) == '{"b":[1,2],"a":"é"}'
    assert dumps(data, sort_keys=True) == '{"a": "\\u00e9", "b": [1, 2]}'
    assert dumps(data, indent=2) == json.dumps(data, indent=2)


def test_what_is_not_json_is_refused():
    with pytest.raises(TypeError):
        dumps({"x": object()})


def test_every_output_uses_it(capsys, tmp_path):
    # the CLI's --json, the run store and the report's figures write null for NaN
    from crossroads.cli.application import print_json
    from crossroads.report.figures import figure_json
    from crossroads.store import RunRecord, RunStore

    print_json({"x": np.float64("nan"), "y": np.arange(2)})
    assert json.loads(capsys.readouterr().out) == {"x": None, "y": [0, 1]}
    assert json.loads(figure_json({"data": [{"y": np.array([1.0, np.nan])}]})) == {
        "data": [{"y": [1.0, None]}]
    }
    st = RunStore(tmp_path / "runs.sqlite")
    rid = st.save(
        RunRecord("ensemble", "s", "h", "i", "mean", {"r": np.int64(1)}, 0, 10, {"m": math.nan})
    )
    rec = st.get(rid)
    assert rec.params == {"r": 1} and rec.summary == {"m": None}
