"""Load the trigger lexicons and cue lists from ``ontology/lexicon/``.

The files are data a user edits (YAML); this module turns them into lookups
keyed by language: which token sequences trigger which relation with which
voice, and the cue lists (negation, hedges, speech verbs, troop nouns, ...).
Multi-word entries become token tuples, matched case-insensitively.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from kg.errors import ResourceError
from kg.ontology import ontology_dir

RELATIONS = ("deploys", "confirms", "denies")
VOICES = ("active", "passive", "either")
KINDS = ("verb", "noun")


# libyaml's parser when PyYAML was built with it (several times faster); the same safe constructor
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(relative: str, root: Path | None = None):
    """Parse one YAML file under the ontology folder, with a one-line error when it is broken."""
    path = (root or ontology_dir()) / relative
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_SAFE_LOADER)
    except FileNotFoundError as exc:
        raise ResourceError(f"{path}: missing; set KG_ONTOLOGY to the ontology folder") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where else ""
        raise ResourceError(f"{path}{line}: not valid YAML") from exc


def phrase(text: str) -> tuple[str, ...]:
    """A cue as the lower-cased token sequence it matches."""
    return tuple(text.lower().split())


@dataclass(frozen=True)
class Trigger:
    """One trigger form: ``relation`` expressed by the token sequence ``tokens``."""

    relation: str
    tokens: tuple[str, ...]
    voice: str = "active"
    kind: str = "verb"
    weight: float = 0.7
    needs_troops: bool = False
    needs_claim_noun: bool = False


@dataclass(frozen=True)
class Lexicon:
    """Everything language-specific that extraction reads from data."""

    lang: str
    triggers: dict[tuple[str, ...], Trigger]
    cues: dict[str, frozenset[tuple[str, ...]]]
    claim_predicates: dict[tuple[str, ...], str]
    numbers: dict
    dates: dict

    def cue(self, name: str) -> frozenset[tuple[str, ...]]:
        return self.cues.get(name, frozenset())

    def single_words(self, name: str) -> frozenset[str]:
        """The one-word entries of a cue list."""
        return frozenset(p[0] for p in self.cue(name) if len(p) == 1)


def _triggers(data: dict, lang: str, source: str) -> dict[tuple[str, ...], Trigger]:
    out: dict[tuple[str, ...], Trigger] = {}
    for relation, by_lang in (data or {}).items():
        if relation not in RELATIONS:
            raise ResourceError(f"{source}: unknown relation {relation!r} (expected one of {RELATIONS})")
        for entry in (by_lang or {}).get(lang, []) or []:
            voice = entry.get("voice", "active")
            kind = entry.get("kind", "verb")
            if voice not in VOICES or kind not in KINDS:
                raise ResourceError(f"{source}: {relation}/{lang}: bad voice {voice!r} or kind {kind!r}")
            for form in entry.get("forms", []):
                tokens = phrase(str(form))
                out[tokens] = Trigger(
                    relation, tokens, voice, kind, float(entry.get("weight", 0.7)),
                    bool(entry.get("needs_troops", False)), bool(entry.get("needs_claim_noun", False)),
                )
    return out


@functools.lru_cache(maxsize=8)
def load_lexicon(lang: str, root: str | None = None) -> Lexicon:
    """The lexicon of one language (``id`` or ``en``), cached."""
    base = Path(root) if root else ontology_dir()
    triggers = _triggers(load_yaml("lexicon/triggers.yaml", base), lang, "lexicon/triggers.yaml")
    cue_data = load_yaml("lexicon/cues.yaml", base) or {}
    cues = {
        name: frozenset(phrase(str(x)) for x in (by_lang or {}).get(lang, []) or [])
        for name, by_lang in cue_data.items()
    }
    claims: dict[tuple[str, ...], str] = {}
    for predicate, by_lang in (load_yaml("lexicon/claims.yaml", base) or {}).items():
        for form in (by_lang or {}).get(lang, []) or []:
            claims[phrase(str(form))] = predicate
    number_data = load_yaml("lexicon/numbers.yaml", base) or {}
    numbers = {k: (v or {}).get(lang) for k, v in number_data.items() if k != "units"}
    units = number_data.get("units", {})
    numbers["units"] = {unit: [phrase(w) for w in (by_lang or {}).get(lang, [])]
                        for unit, by_lang in units.items()}
    dates = {k: (v or {}).get(lang) for k, v in (load_yaml("lexicon/dates.yaml", base) or {}).items()}
    return Lexicon(lang, triggers, cues, claims, numbers, dates)
