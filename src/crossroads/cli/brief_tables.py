"""The brief of ``crossroads run`` in the terminal: one table, then a paragraph per issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossroads.cli.application import console
from crossroads.cli.tables import fmt

if TYPE_CHECKING:
    from crossroads.briefing import Brief

__all__ = ["BRIEF_WIDTH", "print_brief"]

#: The brief is laid out for at most this many columns (fewer on a narrower terminal).
BRIEF_WIDTH = 120


def _caption(b: Brief) -> str:
    others = ", ".join(b.models)
    return (
        f"most likely: the labelled band of the scale with the largest share of {b.runs:,} "
        f"{b.lead} forecasts over draws of the uncertain stakes (input noise only, seed "
        f"{b.seed}); {b.lead} 90%: the {b.lead} point forecast's interval calibrated on DEU III "
        f"residuals (split conformal), not input noise; models: lowest–highest point forecast "
        f"of {others}; biggest lever: the intervention or package whose mean forecast ({b.lead}) "
        "moves furthest from the baseline on the same draws (crossroads compare, crossroads "
        "plan)."
    )


def print_brief(b: Brief) -> None:
    """Print ``b``: a compact table of every issue, then what would change each forecast.

    Laid out for :data:`BRIEF_WIDTH` columns with words wrapped at word boundaries; ids are
    never broken.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # a terminal narrower than BRIEF_WIDTH gets its own width; a file or pipe has none
    width = min(console.width, BRIEF_WIDTH) if console.is_terminal else BRIEF_WIDTH
    out = Console(
        file=console.file,
        width=width,
        soft_wrap=False,
        highlight=False,
        force_terminal=console.is_terminal,
        no_color=console.no_color,
    )
    df = b.to_df()
    table = Table(
        title=f"Brief: {b.title} (lead model {b.lead})",
        title_justify="left",
        title_style="bold",
        header_style="bold",
    )
    for c in df.columns:
        if c == "biggest lever":  # wraps between words; the longest id fits whole
            longest = max([len(w) for v in df[c] for w in fmt(v).split()] + [len(c)])
            table.add_column(c, overflow="fold", ratio=1, min_width=longest)
        else:
            table.add_column(c, no_wrap=True, justify="right" if c == "observed" else "left")
    for row in df.itertuples(index=False):
        table.add_row(*[fmt(v) for v in row])
    out.print(table)
    out.print(Text(_caption(b), style="dim"))
    out.print()
    out.print(Text("What would change these forecasts", style="bold"))
    out.print(
        Text(
            f"Each of the {b.lead} tornado's top inputs alone at its 5% and its 95% value, the "
            "others at their stake values; a band in brackets after a forecast: it leaves the "
            "most likely band. The biggest lever as in the table.",
            style="dim",
        ),
    )
    for i in b.issues:
        line = Text()
        line.append(i.issue, style="bold")
        words = i.band_words()
        if words:
            line.append(f": most likely {words}. ")
        else:
            line.append(": ")
        line.append(i.change_text())
        if i.notes:
            line.append(" (" + "; ".join(i.notes) + ")", style="dim")
        out.print(line)
    out.print()
