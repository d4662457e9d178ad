"""Names, defaults and help texts of the ensemble options, in one light table.

:mod:`crossroads.uncertainty.options` builds its pydantic option models from these
entries (adding types and checks), and the command line builds its options from them
without importing pydantic (``crossroads --help`` stays fast). A new option is one entry
here and one typed field there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["FIELDS", "GROUPS", "OptionField", "option"]

#: Stake fields that may vary, in the order of the draws' field axis.
FIELDS = ("capability", "salience", "position")


@dataclass(frozen=True)
class OptionField:
    """One option: its name, default, help text, and (for a flag) the help of ``--no-NAME``."""

    name: str
    default: Any
    help: str
    off: str | None = None


#: group -> its options, in the order the command line lists them
GROUPS: dict[str, tuple[OptionField, ...]] = {
    "sampling": (
        OptionField("preset", None, "Named parameter set of the model."),
        OptionField("params", {}, "Model parameters overriding the preset."),
        OptionField("runs", 10_000, "Number of draws."),
        OptionField("seed", 0, "Random seed, 0 .. 2**63-1 (same seed, same numbers)."),
        OptionField("interventions", (), "Apply these interventions first."),
        OptionField(
            "default_uncertainty",
            True,
            "Use the built-in default uncertainty where the scenario gives none.",
            off="Vary only what the scenario gives uncertainty for (no built-in default).",
        ),
        OptionField("fields", FIELDS, "Stake fields that may vary."),
        OptionField(
            "threshold",
            None,
            "Also report the exact share of runs with forecast >= X and <= X (a point on "
            "the issue's scale), with its Monte Carlo error.",
        ),
    ),
    "execution": (
        OptionField("workers", None, "Run on a new Dask LocalCluster with W worker processes."),
        OptionField("scheduler", None, "Run on an existing Dask cluster, e.g. tcp://host:8786."),
        OptionField("chunk_size", None, "Runs per task (rounded up to whole blocks of 1024)."),
    ),
    "sobol": (
        OptionField("method", "sobol", "sobol (variance-based) or oat (tornado)."),
        OptionField("samples", 1024, "Sobol base sample N, a power of 2 (N x (inputs + 2) runs)."),
    ),
    "combine": (
        OptionField(
            "combine",
            True,
            "Add the combination of all the interventions compared.",
            off="Leave out the combination of all interventions.",
        ),
    ),
}

_BY_NAME = {f.name: f for group in GROUPS.values() for f in group}


def option(name: str) -> OptionField:
    """The entry of option ``name``."""
    return _BY_NAME[name]
