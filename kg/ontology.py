"""Where kg finds the data files a user edits under ``ontology/``, and loaders for them.

The ontology (``kg.ttl``), the SHACL shapes (``shapes.ttl``), the JSON-LD
context (``context.jsonld``) and the saved queries (``queries/*.rq``) live in
the project's ``ontology/`` folder, next to the package, with the catalogue and
the lexicons. ``KG_ONTOLOGY`` points elsewhere (a user's own copy) without
touching Python; every loader (catalogue, lexicons, queries) asks
:func:`ontology_dir`.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import ResourceError

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "ontology"


def ontology_dir() -> Path:
    """The ``ontology/`` folder (``$KG_ONTOLOGY`` if set)."""
    return Path(os.environ.get("KG_ONTOLOGY") or DEFAULT_DIR)


def ontology_path(*parts: str) -> Path:
    """A file under ``ontology/``; :class:`ResourceError` when it is missing."""
    path = ontology_dir().joinpath(*parts)
    if not path.exists():
        raise ResourceError(f"{path} is missing: restore it from the kg repository "
                            "or point KG_ONTOLOGY at a folder that has it")
    return path


@lru_cache(maxsize=4)
def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResourceError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("@context"), dict):
        raise ResourceError(f"{path} must be a JSON object with an \"@context\" object")
    return data


def jsonld_context() -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    return dict(_load_json(ontology_path("context.jsonld"))["@context"])


def load_turtle(name: str):
    """``ontology/<name>`` parsed into an rdflib ``Graph``."""
    from rdflib import Graph

    path = ontology_path(name)
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser-specific types
        raise ResourceError(f"cannot parse {path}: {exc}".replace("\n", " ")) from exc
    return graph
