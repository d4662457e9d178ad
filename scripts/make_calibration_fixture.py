"""Rebuild the calibration shipped with the package (src/crossroads/data/calibration-deu3-dev.json).

Runs each model with its default parameters and the default ``council`` capabilities on
every decided issue of the shared DEU III half and stores the signed residuals
``(observed - forecast) / 100`` with the file's provenance.

    PYTHONPATH=src python scripts/make_calibration_fixture.py ../shared/data/deu/deu3-dev.tsv
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from crossroads.evaluation.calibration import BUILTIN_FIXTURE, scaled_residuals
from crossroads.evaluation.scoring import evaluate
from crossroads.version import __version__

MODELS = ("mean", "median", "eum", "smp")


def main(path: str) -> None:
    src = Path(path)
    ev = evaluate(str(src), list(MODELS), format="deu3")
    models = {}
    for label in ev.summary["label"]:
        e = ev.errors[ev.errors["label"] == label]
        r = scaled_residuals(e["observed"], e["forecast"], e[["scale_min", "scale_max"]])
        ok = ~np.isnan(r)
        models[label] = {
            "groups": int(e["group"][ok].nunique()),
            "issues": e["issue"][ok].tolist(),
            "residuals": [round(float(x), 6) for x in r[ok]],
        }
    out = {
        "provenance": {
            "file": src.name,
            "sha256": hashlib.sha256(src.read_bytes()).hexdigest(),
            "dataset": "DEU III (Arregui & Perarnaud 2021, doi:10.34810/data53), the half "
            "shared with the project",
            "inputs": "council capabilities, salience exponent 1, each model's defaults",
            "residual": "(observed - forecast) / scale width (100)",
            "made_by": "scripts/make_calibration_fixture.py",
            "crossroads": __version__,
            "date": datetime.date.today().isoformat(),
        },
        "models": models,
    }
    dest = Path(__file__).resolve().parents[1] / "src" / "crossroads" / "data" / BUILTIN_FIXTURE
    dest.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    counts = ", ".join(f"{m} ({len(v['residuals'])})" for m, v in models.items())
    print(f"wrote {dest}: {counts}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/deu/deu3-dev.tsv")
