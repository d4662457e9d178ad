"""Tables and figures as the report's template takes them: formatted cells, and the page's
figures each with its element id and JSON (shared by the report's sections)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crossroads.report import figures as F

__all__ = ["FigureBag", "Table", "table_of"]


@dataclass(frozen=True)
class Table:
    """A table ready for the template: formatted cells, numeric columns right-aligned."""

    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    caption: str | None = None


def _cell(v: Any, digits: int) -> str:
    if v is None:
        return ""
    if isinstance(v, float | np.floating):
        if not math.isfinite(float(v)):
            return ""
        return f"{float(v):,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{v:,.0f}"
    if isinstance(v, list | tuple | set | np.ndarray):
        return ", ".join(_cell(x, digits) for x in v)
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


def table_of(df: pd.DataFrame, caption: str | None = None, digits: int = 2) -> Table:
    """A :class:`Table` of ``df`` (index dropped; floats rounded to ``digits``)."""
    numeric = [
        pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
        for c in df.columns
    ]
    rows = [[_cell(v, digits) for v in r] for r in df.itertuples(index=False, name=None)]
    return Table([str(c) for c in df.columns], rows, numeric, caption)


class FigureBag:
    """Figures of one page, each with a unique element id and its JSON."""

    def __init__(self, prefix: str = "fig", keep: bool = False) -> None:
        self.prefix = prefix
        self.keep = keep
        self.items: list[dict[str, str]] = []

    def add(self, fig: Any, caption: str = "") -> dict[str, str]:
        item = {
            "id": f"{self.prefix}-{len(self.items) + 1}",
            "json": F.figure_json(fig),
            "caption": caption,
        }
        if self.keep:
            item["figure"] = fig
        self.items.append(item)
        return item
