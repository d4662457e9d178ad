"""Coverage of calibrated intervals over many splits by proposal (what one split hides).

Forecasts each issue once per model, then for seeds 0..S-1 deals the proposals into two
halves (``split_by_group``), calibrates on one and scores the other, as ``crossroads
evaluate FILE --calibration split --seed S`` does; prints per model the mean, standard
deviation and range of the coverage, the share of splits inside 0.85-0.95, and the mean
interval width and CRPS.

    PYTHONPATH=src python scripts/calibration_splits.py ../shared/data/deu/deu3-dev.tsv \
        --models mean,median,eum,smp --seeds 40 --level 0.9
"""

from __future__ import annotations

import argparse

import numpy as np

from crossroads.evaluation.calibration import calibrate, crps, scaled_residuals, split_by_group
from crossroads.evaluation.scoring import evaluate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--models", default="mean,median,eum")
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--level", type=float, default=0.9)
    args = ap.parse_args()
    ev = evaluate(args.file, args.models.split(","))
    print(f"{args.file}: {args.seeds} splits by proposal, level {args.level:g}")
    print("model   coverage mean   sd    min    max  in 0.85-0.95  width  CRPS")
    for label in ev.summary["label"]:
        e = ev.errors[ev.errors["label"] == label].reset_index(drop=True)
        scale = e[["scale_min", "scale_max"]].to_numpy()
        r = scaled_residuals(e["observed"], e["forecast"], scale)
        obs, fc = e["observed"].to_numpy(), e["forecast"].to_numpy()
        cov, width, score = [], [], []
        for seed in range(args.seeds):
            side = split_by_group(e["group"].tolist(), seed)
            cal = calibrate(r[side], model=label, level=args.level)
            lo, hi = cal.interval(fc[~side], scale[~side])
            o = obs[~side]
            cov.append(((o >= lo) & (o <= hi)).mean())
            width.append((hi - lo).mean())
            score.append(crps(cal, o, fc[~side], scale[~side]).mean())
        c = np.array(cov)
        inside = ((c >= 0.85) & (c <= 0.95)).sum()
        print(
            f"{label:7s} {c.mean():13.3f} {c.std():5.3f} {c.min():6.3f} {c.max():6.3f} "
            f"{inside:6d}/{args.seeds:<5d} {np.mean(width):6.1f} {np.mean(score):5.2f}"
        )


if __name__ == "__main__":
    main()
