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


def _count_inputs(paths: tuple[Path, ...]) -> int:
    """How many input files the build will read (for the progress bar)."""
    suffixes = {".txt", ".html", ".htm", ".jsonl", ".json"}
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        else:
            total += 1
    return total


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@out_option
@click.option("--force", is_flag=True, help="Re-extract every article, even those already stored unchanged.")
@click.option("--prune", is_flag=True, help="Drop stored articles whose files are no longer among PATHS.")
@click.option("--model", metavar="NAME", default=None,
              help="An installed trained spaCy pipeline to add kg's components to (optional; "
                   "by default kg runs on spacy.blank and downloads nothing).")
@click.option("--no-render", is_flag=True, help="Do not write graph.html.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the summary.")
def build(paths: tuple[Path, ...], out: Path, force: bool, prune: bool, model: str | None,
          no_render: bool, quiet: bool) -> None:
    """Ingest, extract and store articles (default input: seeds/).

    PATHS are files (.txt, .html, .jsonl) or folders, read recursively. The
    store goes to OUT/store; OUT also gets graph.trig, facts.jsonl,
    entities.jsonl and graph.html. Building again skips unchanged articles,
    replaces changed ones and keeps everything else; a bad file is reported
    in one line and skipped.
    """
    from kg.build import build as run_build

    paths = paths or (Path("seeds"),)
    for path in paths:
        if not path.exists():
            raise KGError(f"{path}: no such file or folder")
    failures: list[str] = []
    with click.progressbar(length=max(1, _count_inputs(paths)), label="building", file=sys.stderr,
                           show_pos=True, hidden=quiet) as bar:
        last_source: list[str] = []

        def progress(state: str, item) -> None:
            if state == "failed":
                failures.append(str(item))
            source = getattr(item, "source", "").split("#", 1)[0]
            if state == "failed" or source != (last_source[0] if last_source else None):
                bar.update(1)
                last_source[:] = [source]

        summary = run_build(paths, out, force=force, prune=prune, model=model, progress=progress,
                            render=not no_render)
    for line in failures:
        click.echo(f"kg: skipped: {line}", err=True)
    for line in summary.lines():
        click.echo(line)
    click.echo("next: kg query facts-by-relation | kg facts | kg render | kg eval --gold DIR")


@main.command(name="eval")
@click.option("--gold", "gold", required=True, type=click.Path(path_type=Path),
              help="Folder of per-article gold files; entities.json in it or its parent.")
@out_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--misses", is_flag=True, help="Also list, per article, what was missed or extra.")
def eval_command(gold: Path, out: Path, as_json: bool, misses: bool) -> None:
    """Score the build's facts and entities against gold annotations.

    Prints precision, recall and F1 for entities, strict facts (subject,
    relation, object or claim) and loose facts (subject, relation), summed
    over the articles that have a gold file (see gold/README.md).
    """
    import json

    from kg.evaluate import evaluate

    report = evaluate(gold, out / "entities.jsonl", out / "facts.jsonl")
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"articles {report.articles} (gold: {gold})")
    for line in report.lines():
        click.echo(line)
    click.echo("confidence  facts  right (strict)")
    for label, count, share in report.reliability():
        click.echo(f"{label:<10} {count:>6}  {share:.2f}")
    if misses:
        for name, miss in sorted(report.misses.items()):
            click.echo(f"\n{name}")
            for kind, items in miss.items():
                if items:
                    click.echo(f"  {kind}: {items}")


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
