"""Parse KTAB's ``smpc --logmin`` reference logs (test helper, not part of the package).

A log holds, for every step, a block of ``postn i , 0 :`` lines followed by the
actor's position on the 0-100 scale with four decimals (printed by
``SMPState::posIdealDist`` for each new state), and at the end the
``History of actor positions over time`` (one decimal) and ``History of actors'
winning probabilities`` (four decimals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["KtabLog", "read_ktab_log"]

_POS = re.compile(r"^pos\[(\d+), (\d+)\] =\s+(\S+)")
_POSTN = re.compile(r"^postn (\d+) , \d+ :")
_ITER = re.compile(r"^Starting Model::run iteration (\d+)")


@dataclass(frozen=True)
class KtabLog:
    """What a reference log says about one run.

    Attributes
    ----------
    states : ndarray of shape (states, actors, dims)
        Every state's positions on 0-100: state 0 from the ``pos[i, d]`` lines
        (three decimals), later states from the ``postn`` blocks (four decimals).
    history : ndarray of shape (states, actors, dims)
        The final position history table (one decimal).
    win_prob : ndarray of shape (states, actors)
        Probability of each actor's position in each state (four decimals).
    """

    states: np.ndarray
    history: np.ndarray
    win_prob: np.ndarray


def read_ktab_log(path: Path, actors: int, dims: int) -> KtabLog:
    """Read a ``20170530_ref-*.txt`` log of a run with ``actors`` actors and ``dims`` dims."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    x0 = np.full((actors, dims), np.nan)
    steps: list[np.ndarray] = []
    current: np.ndarray | None = None
    history = np.full((0, actors, dims), np.nan)
    win = np.full((0, actors), np.nan)
    k = 0
    while k < len(lines):
        line = lines[k].strip()
        m = _POS.match(line)
        if m and not steps and current is None:
            x0[int(m.group(1)), int(m.group(2))] = float(m.group(3))
        elif _ITER.match(line):
            if current is not None:
                steps.append(current)
            current = np.full((actors, dims), np.nan)
        elif (m := _POSTN.match(line)) and current is not None:
            current[int(m.group(1))] = [float(v) for v in lines[k + 1].split()]
            k += 1
        elif line.startswith("History of actor positions over time"):
            rows = [lines[k + 1 + r] for r in range(actors * dims)]
            vals = [[float(v) for v in r.split(":", 1)[1].split()] for r in rows]
            n_states = len(vals[0])
            history = np.asarray(vals).reshape(actors, dims, n_states).transpose(2, 0, 1)
            k += actors * dims
        elif line.startswith("History of actors' winning probabilities"):
            rows = [lines[k + 1 + r] for r in range(actors)]
            win = np.asarray([[float(v) for v in r.split(":", 1)[1].split()] for r in rows]).T
            k += actors
        k += 1
    if current is not None:
        steps.append(current)
    states = np.concatenate([x0[None], np.asarray(steps)], axis=0)
    return KtabLog(states=states, history=history, win_prob=win)
