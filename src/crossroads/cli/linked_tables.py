"""Terminal output of a forecast of linked issues (the exchange model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossroads.cli.application import console
from crossroads.cli.tables import df_table, fmt

if TYPE_CHECKING:
    from crossroads.linked_forecasting import LinkedForecast

__all__ = ["MAX_TRADE_ROWS", "print_linked"]

#: Realised exchanges listed in the terminal (``--json`` gives every one).
MAX_TRADE_ROWS = 20


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def print_linked(f: LinkedForecast) -> None:
    """The issues' moves, the realised trades (who gave what to whom) and who gained."""
    from rich.panel import Panel

    if len(f.issues) == 1:
        head = f"issue {f.issues[0]} alone (in no active linkage): no trade across issues"
    else:
        how = f"linked by {', '.join(f.linkages)}" if f.linkages else "as named"
        head = f"{len(f.issues)} issues bargained together ({how}): {', '.join(f.issues)}"
    console.print(
        Panel.fit(
            f"{head}\n{_count(len(f.actors), 'actor')}, "
            f"{_count(len(f.exchanges), 'realised exchange')} in {_count(f.rounds, 'round')}",
            title=f"{f.scenario} / {f.model}",
            title_align="left",
        ),
        markup=False,
    )
    console.print(
        df_table(
            f.moves_df(),
            title="Expected outcome of each issue before any exchange and after the last round",
        )
    )
    ex = f.exchanges
    if len(ex):
        shown = ex.head(MAX_TRADE_ROWS)
        trades = shown[["round", "name_i", "i_gives", "name_j", "j_gives", "gain_i", "gain_j"]]
        trades = trades.rename(
            columns={"name_i": "i", "i_gives": "i gives ground on", "name_j": "j",
                     "j_gives": "j gives ground on", "gain_i": "gain of i", "gain_j": "gain of j"}
        )  # fmt: skip
        more = len(ex) - len(shown)
        title = "Realised exchanges (each gives ground on the issue it cares less about)"
        if more:
            title += f"; first {len(shown)} of {len(ex)}, --json for all"
        console.print(df_table(trades, title=title))
        gains = f.gains_df()
        gains = gains[(gains["exchanges"] > 0) | (gains["externalities"].abs() > 1e-9)]
        gains = gains.drop(columns=["actor"]).rename(
            columns={"own_gain": "own gain", "externalities": "from others' trades"}
        )
        console.print(
            df_table(
                gains,
                title="Who gains (salience x 0-100 points): own exchanges, and the effect of "
                "others' exchanges (externalities)",
            )
        )
    else:
        console.print("No exchange is possible: no pair of actors stands on opposite sides "
                      "of the outcome on two issues.", markup=False)  # fmt: skip
    line = "; ".join(f"{i} {fmt(v)}" for i, v in f.outcome.items())
    console.print(f"Forecast after {f.rounds} round{'s' if f.rounds != 1 else ''}: {line}",
                  markup=False)  # fmt: skip
