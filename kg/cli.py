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
