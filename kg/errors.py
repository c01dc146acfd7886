"""One error hierarchy for kg, with numbered messages a user can search for.

The CLI turns every :class:`KGError` into exit code 1 and one line on stderr;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class KGError(Exception):
    """Base class: a user-facing problem with a one-line message."""

    code = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class IngestError(KGError):
    """An input file cannot be read as an article (empty, binary, bad UTF-8, bad JSON).

    ``source`` names the file (or folder) it came from, once known, so a build
    never prunes what it merely failed to read this time.
    """

    code = "E101"
    source: str | None = None


class StoreError(KGError):
    """The store cannot be opened, is locked by another build, or refused a write."""

    code = "E201"


class StoreLockedError(StoreError):
    """Another `kg build` holds the store."""

    code = "E202"


class QueryError(KGError):
    """A SPARQL query is malformed or names an unknown saved query."""

    code = "E301"


class GoldError(KGError):
    """A gold annotation folder is missing or malformed."""

    code = "E401"


class RenderError(KGError):
    """The HTML graph cannot be drawn (unknown focus entity, empty store)."""

    code = "E501"


class ExportError(KGError):
    """An export format is unknown or the target cannot be written."""

    code = "E601"


class PushError(KGError):
    """Loading into an external store failed or could not be verified."""

    code = "E602"


class ValidationError(KGError):
    """SHACL validation could not run (bad shapes or data file)."""

    code = "E603"


class ServeError(KGError):
    """The local SPARQL endpoint cannot start (no oxigraph server, port in use)."""

    code = "E604"


class ResourceError(KGError):
    """A data file under ontology/ (catalogue, lexicon) is missing or malformed."""

    code = "E701"
