"""Starting and copying cases: ``crossroads new`` and ``crossroads export``."""

from __future__ import annotations

from typing import Annotated

import typer

from crossroads.cli.application import app, console
from crossroads.scenario import DEFAULT_SCENARIO

__all__: list[str] = []


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="The new scenario's id (letters, digits, - _ .).")],
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="File to write (default: NAME.yaml).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="The scenario's title.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a small, complete, valid scenario to edit, with a comment on every field.

    Example: crossroads new armenia-2013 -o armenia.yaml
    """
    from crossroads.scenario.case_template import new_case_text
    from crossroads.scenario.safe_write import write_whole

    text = new_case_text(name, title)
    path = write_whole(output or f"{name}.yaml", text, force=force)
    console.print(
        f"{path}: new scenario '{name}'; next: crossroads validate {path} && crossroads run {path}",
        markup=False,
        highlight=False,
    )


@app.command()
def export(
    scenario: Annotated[
        str,
        typer.Argument(help="A built-in scenario name, a YAML scenario or a peer-format file."),
    ] = DEFAULT_SCENARIO,
    output: Annotated[str, typer.Option("--output", "-o", help="YAML file to write.")] = "",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write any scenario (a built-in one, a peer-format file) as a YAML scenario to copy from.

    Example: crossroads export kazakhstan-2010 -o kazakhstan.yaml
    """
    from crossroads.errors import CrossroadsError
    from crossroads.scenario import load
    from crossroads.scenario.safe_write import write_whole
    from crossroads.scenario.yaml_export import scenario_yaml

    if not output:
        raise CrossroadsError("give the file to write with -o FILE")
    sc = load(scenario)
    path = write_whole(output, scenario_yaml(sc, origin=scenario), force=force)
    console.print(f"{path}: scenario '{sc.id}' written as YAML", markup=False, highlight=False)
