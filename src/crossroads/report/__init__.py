"""The self-contained HTML report: every section of the analysis in one offline file.

>>> from crossroads.report import write_report
>>> path = write_report("kazakhstan-2010", "out")  # doctest: +SKIP
"""

from crossroads.report.render import Report, build_report, render_report, write_report

__all__ = ["Report", "build_report", "render_report", "write_report"]
