"""kg: a knowledge-graph builder for news articles.

The Python API mirrors the CLI: see :mod:`kg.api` for ``build``, ``query``,
``facts`` and ``entities``.
"""

__version__ = "0.1.0"
