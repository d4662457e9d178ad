"""The self-contained HTML report: every section of the analysis in one offline file.

Besides the report itself, the pieces the dashboard shares with it: the system
sections as data (:func:`system_sections`), the Plotly bundle (:func:`plotly_js`),
the report's download name (:func:`report_filename`); the figures are in
:mod:`crossroads.report.figures`.

>>> from crossroads.report import write_report
>>> path = write_report("kazakhstan-2010", "out")  # doctest: +SKIP
"""

from crossroads.report.build import system_sections
from crossroads.report.render import (
    Report,
    build_report,
    plotly_js,
    render_report,
    report_filename,
    write_report,
)

__all__ = [
    "Report",
    "build_report",
    "plotly_js",
    "render_report",
    "report_filename",
    "system_sections",
    "write_report",
]
