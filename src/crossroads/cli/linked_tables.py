"""Terminal output of a forecast of linked issues (the exchange model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossroads.cli.application import console
from crossroads.cli.tables import df_table, fmt, text_panel

if TYPE_CHECKING:
    from crossroads.linked_forecasting import LinkedForecast

__all__ = ["MAX_TRADE_ROWS", "print_linked"]

#: Realised exchanges listed in the terminal (``--json`` gives every one).
MAX_TRADE_ROWS = 20


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def print_linked(f: LinkedForecast) -> None:
    """The issues' moves, the realised trades (who gave what to whom) and who gained."""

    if len(f.issues) == 1:
        head = f"issue {f.issues[0]} alone (in no active linkage): no trade across issues"
    else:
        how = f"linked by {', '.join(f.linkages)}" if f.linkages else "as named"
        head = f"{len(f.issues)} issues bargained together ({how}): {', '.join(f.issues)}"
    console.print(
        text_panel(
            f"{head}\n{_count(len(f.actors), 'actor')}, "
            f"{_count(len(f.exchanges), 'realised exchange')} in {_count(f.rounds, 'round')}",
            title=f"{f.scenario} / {f.model}",
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


def print_linked_sets(summaries, table) -> None:
    """Per linked set (``crossroads run``): the exchange forecast beside the single-issue
    models, the top trades, who gains, and the issues with and without the link."""
    for s in summaries:
        state = "active linkage" if s.active else "proposed linkage"
        console.print(
            df_table(
                s.beside(table),
                title=f"Linked issues ({state}): {s.headline()}",
            )
        )
        trades = s.trades(5)
        if len(trades):
            console.print(
                df_table(
                    trades.rename(columns={"name_i": "i", "i_gives": "i gives ground on",
                                           "name_j": "j", "j_gives": "j gives ground on",
                                           "gain_i": "gain of i", "gain_j": "gain of j"}),
                    title=f"Top trades of {s.label} (largest joint gain; "
                    f"{len(s.forecast.exchanges)} in all)",
                )
            )  # fmt: skip
            gains = s.forecast.gains_df()
            gains = gains[(gains["exchanges"] > 0) | (gains["externalities"].abs() > 1e-9)]
            console.print(
                df_table(
                    gains.drop(columns=["actor"]).rename(
                        columns={"own_gain": "own gain", "externalities": "from others' trades"}
                    ),
                    title=f"Who gains in {s.label} (salience x 0-100 points)",
                )
            )
        if s.comparison is not None:
            cmp = s.comparison.rename(columns={"shift_ci": "± 95%"}).drop(columns=["mcse"])
            console.print(
                df_table(
                    cmp,
                    title=f"{s.label} with and without the link (exchange, mean forecast over "
                    f"{s.runs:,} draws of uncertain stakes, common random numbers; q05-q95 the "
                    "5-95% range)",
                )
            )
        else:
            console.print(s.note, markup=False)


def print_aims(answers, runs: int) -> None:
    """Each aim's answer under each model (``crossroads run``)."""
    import pandas as pd

    rows = []
    for a in answers:
        r = a.result
        b = r.best if r is not None else None
        rows.append(
            {
                "aim": a.aim.name or a.aim.id,
                "issue": a.aim.issue,
                "target": f"P({a.aim.target}) >= {a.aim.probability:g}",
                "model": a.model,
                "cheapest package": b.label if b is not None else "none reaches it",
                "cost": b.cost if b is not None else None,
                "P": b.probability if b is not None else None,
                "± se": b.mc_error if b is not None else None,
                "baseline P": next(
                    (p.probability for p in r.packages if not p.interventions), None
                ) if r is not None else None,
                "packages": r.evaluated if r is not None else 0,
            }
        )  # fmt: skip
    unit = next((a.result.unit for a in answers if a.result is not None and a.result.unit), None)
    console.print(
        df_table(
            pd.DataFrame(rows),
            title=f"Aims: the cheapest package of costed interventions reaching each "
            f"(crossroads plan, {runs:,} runs per package, common random numbers"
            + (f"; cost in {unit}" if unit else "")
            + ")",
        )
    )
    for a in answers:
        if a.result is None:
            console.print(f"{a.headline()}", markup=False)
        elif a.result.best is None:
            console.print(f"{a.aim.name or a.aim.id} ({a.model}): {a.result.reason}", markup=False)
    if answers and answers[0].left_out:
        console.print("not candidates (no cost): " + ", ".join(answers[0].left_out), markup=False)
