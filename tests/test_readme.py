"""The README stays true: every command is documented and every example query runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.query import run_query
from kg.store import KGStore

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sparql\n(.*?)```", README, flags=re.S)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_and_a_readme_section(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and len(result.output) > 200
    assert f"### `kg {name}`" in README


def test_readme_has_queries():
    assert len(QUERIES) >= 3


@pytest.mark.parametrize("query", QUERIES, ids=[f"query{i}" for i in range(len(QUERIES))])
def test_readme_queries_answer_on_the_seeds(seed_build, query):
    out, _ = seed_build
    with KGStore(out / "store", read_only=True) as store:
        text = run_query(store, query, "csv")
    assert len(text.strip().splitlines()) >= 2, text
