"""Score kg's output against gold annotations (``kg eval``).

Implements the rules of ``gold/README.md``: per article (gold file matched to
output by the file-name stem of ``doc`` and ``source``), sets are compared and
precision, recall and F1 are micro-averaged over all articles.

* entities: gold keys against the keys the output's entities map to, by
  Wikidata id, else by the first of label and names whose folded form
  (case, accents, hyphens, spaces) is a gold name; an entity that maps to no
  key is a false positive of its own;
* facts, strict: ``(s, p, o)``, for confirms/denies ``(s, p, claim.s,
  claim.p, claim.o)``, a claim whose predicate is none of the three compared
  by speaker and predicate only; an ``*_alt`` key counts as the main one;
* facts, loose: ``(s, p)``.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kg.errors import GoldError

PREDICATES = ("deploys", "confirms", "denies")
OTHER = "*other*"


def norm(name: str | None) -> str:
    """Case, accents, hyphens and spaces folded."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", "", text)


def stem(path: str) -> str:
    name = PurePosixPath(str(path).split("#", 1)[0]).name
    return name.rsplit(".", 1)[0] if "." in name else name


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set, gold: set) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Report:
    entities: Score = field(default_factory=Score)
    strict: Score = field(default_factory=Score)
    loose: Score = field(default_factory=Score)
    articles: int = 0
    misses: dict[str, dict[str, list]] = field(default_factory=dict)
    calibration: list[tuple[float, bool]] = field(default_factory=list)

    def reliability(self, edges: tuple[float, ...] = (0.0, 0.4, 0.6, 0.8, 1.0)) -> list[tuple[str, int, float]]:
        """Per confidence bin: how many facts, and the share that are right (strict)."""
        out = []
        for low, high in itertools.pairwise(edges):
            inside = [ok for conf, ok in self.calibration if low <= conf < high or (high == 1.0 and conf == 1.0)]
            share = sum(inside) / len(inside) if inside else 0.0
            out.append((f"{low:.1f}-{high:.1f}", len(inside), share))
        return out

    def as_dict(self) -> dict:
        return {"articles": self.articles, "entities": self.entities.as_dict(),
                "strict": self.strict.as_dict(), "loose": self.loose.as_dict(), "misses": self.misses}

    def lines(self) -> list[str]:
        out = []
        for name, score in (("ent", self.entities), ("strict", self.strict), ("loose", self.loose)):
            out.append(f"{name:<7} P={score.precision:.3f} R={score.recall:.3f} F1={score.f1:.3f}"
                       f"  (tp={score.tp} fp={score.fp} fn={score.fn})")
        return out


class KeyMapper:
    """Maps output entities (JSON objects) to gold keys."""

    def __init__(self, gold_entities: dict) -> None:
        self.by_wikidata: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for key, entry in gold_entities.items():
            if entry.get("wikidata"):
                self.by_wikidata.setdefault(entry["wikidata"], key)
            for name in [*entry.get("names", []), key.replace("_", " ")]:
                self.by_name.setdefault(norm(name), key)

    def key(self, entity: dict | None) -> str | None:
        if not entity:
            return None
        if entity.get("wikidata") in self.by_wikidata:
            return self.by_wikidata[entity["wikidata"]]
        for name in [entity.get("label"), *(entity.get("names") or [])]:
            key = self.by_name.get(norm(name))
            if key:
                return key
        return None

    def key_or_self(self, entity: dict | None) -> str:
        return self.key(entity) or f"?{norm((entity or {}).get('label'))}"


def _load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldError(f"{path}: cannot read gold file ({exc})") from exc


def load_gold(folder: Path) -> tuple[dict[str, dict], dict]:
    """Per-article gold files keyed by stem, and the entity table beside them."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GoldError(f"{folder}: no such gold folder")
    docs = {}
    for path in sorted(folder.glob("*.json")):
        if path.name == "entities.json":
            continue
        gold = _load_json(path)
        if not isinstance(gold, dict) or "doc" not in gold:
            raise GoldError(f"{path}: not a gold file (no 'doc' field)")
        docs[stem(gold["doc"])] = gold
    if not docs:
        raise GoldError(f"{folder}: no gold files (*.json)")
    for candidate in (folder / "entities.json", folder.parent / "entities.json"):
        if candidate.is_file():
            return docs, _load_json(candidate)
    raise GoldError(f"{folder}: entities.json not found here or in the parent folder")


def read_jsonl(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError) as exc:
        raise GoldError(f"{path}: cannot read output ({exc}); run `kg build` first") from exc


def _alts(main: str | None, alts: Iterable[str] | None) -> set:
    return {main, *(alts or [])}


def _gold_fact_patterns(fact: dict) -> tuple[tuple, list[set]]:
    """The main strict tuple of a gold fact and, per position, the keys that match it."""
    p = fact["p"]
    s = _alts(fact["s"], fact.get("s_alt"))
    if p == "deploys":
        return (fact["s"], p, fact.get("o")), [s, {p}, _alts(fact.get("o"), fact.get("o_alt"))]
    claim = fact.get("claim") or {}
    if claim.get("p") not in PREDICATES:
        return (fact["s"], p, OTHER, OTHER, OTHER), [s, {p}, {OTHER}, {OTHER}, {OTHER}]
    main = (fact["s"], p, claim.get("s"), claim["p"], claim.get("o"))
    return main, [s, {p}, _alts(claim.get("s"), claim.get("s_alt")), {claim["p"]},
                  _alts(claim.get("o"), claim.get("o_alt"))]


def _canonical(predicted: set[tuple], gold_facts: list[dict], loose: bool) -> set[tuple]:
    patterns = [_gold_fact_patterns(f) for f in gold_facts]
    out = set()
    for tup in predicted:
        for main, sets in patterns:
            if loose:
                main, sets = main[:2], sets[:2]
            if len(sets) == len(tup) and all(x in allowed for x, allowed in zip(tup, sets, strict=True)):
                tup = main
                break
        out.add(tup)
    return out


def evaluate(gold_dir: Path, entities_path: Path, facts_path: Path) -> Report:
    """Score ``entities.jsonl`` and ``facts.jsonl`` against the gold folder."""
    docs, gold_entities = load_gold(gold_dir)
    mapper = KeyMapper(gold_entities)
    out_entities: dict[str, list[dict]] = {}
    for row in read_jsonl(entities_path):
        out_entities.setdefault(stem(row.get("source", "")), []).append(row)
    facts_by_doc: dict[str, list[dict]] = {}
    by_id: dict[str, dict] = {}
    for row in read_jsonl(facts_path):
        facts_by_doc.setdefault(stem(row.get("source", "")), []).append(row)
        by_id[str(row.get("id"))] = row
    report = Report()
    for name, gold in docs.items():
        report.articles += 1
        predicted_ents = {mapper.key_or_self(e) for e in out_entities.get(name, [])}
        gold_ents = set(gold.get("entities", []))
        report.entities.add(predicted_ents, gold_ents)
        gold_facts = [f for f in gold.get("facts", []) if f.get("p") in PREDICATES]
        strict, loose = set(), set()
        scored: list[tuple[float, tuple]] = []
        for fact in facts_by_doc.get(name, []):
            p = fact.get("predicate")
            if p not in PREDICATES:
                continue
            s = mapper.key_or_self(fact.get("subject"))
            loose.add((s, p))
            if p == "deploys":
                key: tuple = (s, p, mapper.key_or_self(fact.get("object")))
            else:
                claim = by_id.get(str(fact.get("claim"))) or {}
                if claim.get("predicate") in PREDICATES:
                    key = (s, p, mapper.key_or_self(claim.get("subject")), claim["predicate"],
                           mapper.key_or_self(claim.get("object")))
                else:
                    key = (s, p, OTHER, OTHER, OTHER)
            strict.add(key)
            scored.append((float(fact.get("confidence") or 0.0), key))
        gold_main = {_gold_fact_patterns(f)[0] for f in gold_facts}
        for conf, key in scored:
            report.calibration.append((conf, next(iter(_canonical({key}, gold_facts, loose=False))) in gold_main))
        strict = _canonical(strict, gold_facts, loose=False)
        loose = _canonical(loose, gold_facts, loose=True)
        gold_strict = {_gold_fact_patterns(f)[0] for f in gold_facts}
        gold_loose = {(f["s"], f["p"]) for f in gold_facts}
        report.strict.add(strict, gold_strict)
        report.loose.add(loose, gold_loose)
        misses = {
            "entities_missed": sorted(gold_ents - predicted_ents),
            "entities_extra": sorted(predicted_ents - gold_ents),
            "facts_missed": sorted(map(list, gold_strict - strict), key=str),
            "facts_extra": sorted(map(list, strict - gold_strict), key=str),
        }
        if any(misses.values()):
            report.misses[name] = misses
    return report
