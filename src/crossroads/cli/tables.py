"""Render DataFrames and scenario collections as Rich tables."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas and Rich tables are imported by the commands that print tables
    import pandas as pd
    from rich.panel import Panel
    from rich.table import Table

__all__ = ["WORD_MAX", "collection_df", "df_table", "fmt", "text_panel"]

#: the widest word a text column keeps whole; a longer token (a URL) folds
WORD_MAX = 30


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
        width = _longest_word([fmt(i, digits) for i in df.index], df.index.name or "")
        table.add_column(df.index.name or "", overflow="fold", min_width=width)
    for c in df.columns:
        if justify_numbers and is_numeric_dtype(df[c]):
            width = max([len(fmt(v, digits)) for v in df[c]] + [len(str(c))])
            table.add_column(str(c), justify="right", no_wrap=True, min_width=width)
        else:  # text wraps between words; only a word wider than WORD_MAX folds
            width = _longest_word([fmt(v, digits) for v in df[c]], str(c))
            table.add_column(str(c), overflow="fold", no_wrap=False, min_width=width)
    for idx, row in df.iterrows():
        cells = [fmt(idx, digits)] if index else []
        cells += [fmt(v, digits) for v in row.tolist()]
        table.add_row(*cells)
    return table


def text_panel(body: str, **options: Any) -> Panel:
    """A panel as wide as its text, the text wrapped between words when the terminal is
    narrower (the console's soft wrap would crop it): ``Panel.fit`` ``options``, title on the
    left unless told."""
    from rich.panel import Panel
    from rich.text import Text

    text = Text(body, no_wrap=False, overflow="fold")
    return Panel.fit(text, **{"title_align": "left", **options})


def _longest_word(cells: list[str], header: str) -> int:
    """The width a text column needs so that no word (id, name) breaks: its longest word,
    at most :data:`WORD_MAX` (a longer token folds, since a cut id would be lost)."""
    words = [len(w) for text in [*cells, header] for w in text.split()]
    return min(max(words, default=1), WORD_MAX)


def collection_df(items: list[Any]) -> pd.DataFrame:
    """A DataFrame of pydantic objects, one row each, using field aliases (``from``/``to``)."""
    import pandas as pd

    rows = [i.model_dump(by_alias=True, exclude_none=False) for i in items]
    df = pd.DataFrame(rows)
    # drop columns that are empty everywhere, and nested collections too wide for a table
    keep = [c for c in df.columns if df[c].notna().any() and c not in ("stakes", "edits")]
    cited = [c for c in ("source", "where", "note") if c in keep]
    return df[[c for c in keep if c not in cited] + cited]
