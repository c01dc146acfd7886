"""The `kg` command line: a thin shell over the library.

Each command parses its options, calls one library function and prints the
result. Library errors (:class:`kg.errors.KGError`) become exit code 1 and one
line on stderr; click's usage errors exit with 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import __version__
from kg.errors import KGError

DEFAULT_OUT = "out"


def out_option(func):
    """``--out DIR``: the build folder holding ``store/`` and the exports (env ``KG_OUT``)."""
    return click.option(
        "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
        envvar="KG_OUT", show_default=True,
        help="Build folder: the store is OUT/store, outputs are written beside it.",
    )(func)


class KGGroup(click.Group):
    """Maps library errors to one line and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KGError as exc:
            click.echo(f"kg: error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: build a knowledge graph with provenance from news articles.

    Typical session:

    \b
      kg build seeds/                 # ingest, extract, store in out/store
      kg query "SELECT ..."           # SPARQL over the store
      kg facts | head                 # the facts as JSON lines
      kg eval --gold gold/seeds       # score against gold annotations
    """


@main.command()
@out_option
@click.option("--focus", metavar="ENTITY", help="Draw only this entity's neighbourhood (a label or name, "
              "case-insensitive, or the entity's IRI).")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="Hops around --focus (a claim diamond costs no hop to its own ends).")
@click.option("--max-nodes", type=click.IntRange(min=1), default=None,
              help="Keep only the N most central nodes (the focus always stays).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write [default: OUT/graph.html].")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a PNG screenshot of the drawn page (needs Chromium and Playwright).")
def render(out: Path, focus: str | None, depth: int, max_nodes: int | None, output: Path | None,
           png: Path | None) -> None:
    """Draw the graph as one offline HTML file: entities, facts, claims and their evidence.

    Opens the store at OUT/store read-only and writes OUT/graph.html (or -o FILE),
    a single page with everything inlined that works with no network.
    """
    from kg.render import render_folder, screenshot

    stats = render_folder(out, output, focus=focus, depth=depth, max_nodes=max_nodes)
    shown = f"{stats.nodes} nodes ({stats.entities} entities, {stats.claims} claims), {stats.edges} edges"
    left = f", {stats.left_out} left out" if stats.left_out else ""
    click.echo(f"wrote {stats.path}: {shown} from {stats.articles} articles{left}")
    if png is not None:
        click.echo(f"wrote {screenshot(stats.path, png)}")
