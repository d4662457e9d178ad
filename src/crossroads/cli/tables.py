"""Render DataFrames and scenario collections as Rich tables."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas and Rich tables are imported by the commands that print tables
    import pandas as pd
    from rich.table import Table

__all__ = ["collection_df", "df_table", "fmt"]


def fmt(value: Any, digits: int = 2) -> str:
    """A cell as text: floats rounded, None/NaN as an empty cell, lists joined."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v, digits) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {fmt(v, digits)}" for k, v in value.items())
    return str(value)


def df_table(
    df: pd.DataFrame,
    title: str | None = None,
    digits: int = 2,
    index: bool = False,
    justify_numbers: bool = True,
) -> Table:
    """A Rich table of ``df``: numeric columns right-aligned and never wrapped."""
    from pandas.api.types import is_numeric_dtype
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold", show_lines=False)
    if index:
        width = max([len(fmt(i, digits)) for i in df.index] + [1])
        table.add_column(df.index.name or "", overflow="fold", min_width=min(width, 16))
    for c in df.columns:
        if justify_numbers and is_numeric_dtype(df[c]):
            width = max([len(fmt(v, digits)) for v in df[c]] + [len(str(c))])
            table.add_column(str(c), justify="right", no_wrap=True, min_width=width)
        else:  # text folds, but never below a readable width
            width = max([len(fmt(v, digits)) for v in df[c]] + [len(str(c)), 1])
            table.add_column(str(c), overflow="fold", min_width=min(width, 16))
    for idx, row in df.iterrows():
        cells = [fmt(idx, digits)] if index else []
        cells += [fmt(v, digits) for v in row.tolist()]
        table.add_row(*cells)
    return table


def collection_df(items: list[Any]) -> pd.DataFrame:
    """A DataFrame of pydantic objects, one row each, using field aliases (``from``/``to``)."""
    import pandas as pd

    rows = [i.model_dump(by_alias=True, exclude_none=False) for i in items]
    df = pd.DataFrame(rows)
    # drop columns that are empty everywhere, and nested collections too wide for a table
    keep = [c for c in df.columns if df[c].notna().any() and c not in ("stakes", "edits")]
    cited = [c for c in ("source", "where", "note") if c in keep]
    return df[[c for c in keep if c not in cited] + cited]
