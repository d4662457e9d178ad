"""Display conventions shared by every presentation of results: one colour-blind-safe
palette, one colour per model, one style per series.

Kept in the core (it needs nothing but the standard library) so that the report, the
dashboard and the notebook display (:mod:`crossroads.display`) agree without the core
importing any of them.

References
----------
Okabe, M. & Ito, K. (2008). Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

from typing import Any

__all__ = ["DASHES", "MODEL_COLOURS", "OKABE_ITO", "SYMBOLS", "model_colour", "series_style"]

#: Okabe & Ito's colour-blind-safe palette, ordered for lines on white (yellow last).
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
#: One fixed colour per model, so a model looks the same in every figure.
MODEL_COLOURS = {
    "mean": OKABE_ITO[0],
    "median": OKABE_ITO[1],
    "eum": OKABE_ITO[2],
    "smp": OKABE_ITO[4],
}
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "hexagon")


def series_style(i: int, n_colours: int = 7) -> dict[str, Any]:
    """Colour, dash and marker symbol of the ``i``-th series (colour varies fastest)."""
    return {
        "color": OKABE_ITO[i % n_colours],
        "dash": DASHES[(i // n_colours) % len(DASHES)],
        "symbol": SYMBOLS[(i // n_colours) % len(SYMBOLS)],
    }


def model_colour(model: str, i: int = 0) -> str:
    """The fixed colour of a model (another palette colour for unknown models)."""
    return MODEL_COLOURS.get(model, OKABE_ITO[(i + 5) % 7])
