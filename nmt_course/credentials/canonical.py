"""RDF Dataset Canonicalization (RDFC-1.0, which pyld implements as URDNA2015) with a bound
on the work.

RDFC-1.0 §4.2 asks implementations to guard against poisoned datasets: blank nodes arranged
so that telling them apart takes exponential time. Before canonicalising, a dataset with too
many statements or blank nodes is refused; during it, every call of Hash N-Degree Quads and
every permutation it will try is counted against a budget, and the work stops when the budget
is spent. A credential this app issues needs no N-degree work at all (each of its blank nodes
differs from the others at the first degree), so the budget only ever stops a hostile file.

JSON-LD expansion runs in "safe mode": a property that no context defines would be dropped
silently, leaving it outside the signature, so it is an error instead."""
from __future__ import annotations

import math
import re

from pyld import jsonld
from pyld.canon import URDNA2015

from .contexts import DocumentLoader, UnknownContext

MAX_STATEMENTS = 1_000
MAX_BLANK_NODES = 200
# Hash N-Degree Quads calls plus permutations to try. A poisoned dataset of a few dozen
# blank nodes needs millions; an honest credential needs none.
WORK_BUDGET = 5_000


class CanonicalizationError(Exception):
    """The document cannot be canonicalised; the message says why, for a person."""


class TooComplex(CanonicalizationError):
    pass


class UndefinedTerm(CanonicalizationError):
    pass


class _Bounded(URDNA2015):
    """pyld's URDNA2015, counting its expensive steps against a budget."""

    def __init__(self, budget: int):
        super().__init__()
        self.budget = budget

    def _spend(self, units: int) -> None:
        self.budget -= units
        if self.budget < 0:
            raise TooComplex("it is too complex to verify: its blank nodes would take too "
                             "much work to put in canonical order")

    def hash_n_degree_quads(self, id_, issuer):
        self._spend(1)
        return super().hash_n_degree_quads(id_, issuer)

    def create_hash_to_related(self, id_, issuer):
        related = super().create_hash_to_related(id_, issuer)
        for nodes in related.values():
            # factorial(25) alone is far beyond any budget: no need to compute larger ones
            self._spend(math.factorial(min(len(nodes), 25)))
        return related


def _refuse_dropped(expanded_property) -> None:
    # pyld names the dropped property by its expansion, which is None for an undefined term
    raise UndefinedTerm("it uses a property that no context defines, which a signature "
                        "would not cover")


def dataset(document: dict, loader: DocumentLoader) -> dict:
    """The document's RDF dataset (JSON-LD to RDF), refusing undefined terms and contexts."""
    processor = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped)
    options = {**loader.options(), "base": None, "produceGeneralizedRdf": False,
               "processingMode": "json-ld-1.1", "extractAllScripts": False}
    try:
        return processor.to_rdf(document, options)
    except jsonld.JsonLdError as error:
        cause = error
        while cause is not None:
            if isinstance(cause, UnknownContext):
                raise CanonicalizationError(str(cause)) from error
            cause = cause.__cause__ or getattr(cause, "cause", None)
        raise CanonicalizationError("it is not valid JSON-LD: "
                                    + _first_line(error)) from error
    except RecursionError as error:
        raise TooComplex("it is nested too deeply to verify") from error


def canonize(document: dict, loader: DocumentLoader, *,
             budget: int = WORK_BUDGET) -> str:
    """The canonical N-Quads of `document` (RDFC-1.0), or CanonicalizationError."""
    return canonize_dataset(dataset(document, loader), budget=budget)


def canonize_dataset(data: dict, *, budget: int = WORK_BUDGET) -> str:
    """The canonical N-Quads of an RDF dataset (pyld's form), within the bounds."""
    statements = sum(len(triples) for triples in data.values())
    if statements > MAX_STATEMENTS:
        raise TooComplex(f"it is too complex to verify: {statements:,} statements (at most "
                         f"{MAX_STATEMENTS:,})")
    blank = {term["value"] for triples in data.values() for triple in triples
             for term in (triple["subject"], triple["object"])
             if term["type"] == "blank node"}
    blank |= {name for name in data if name.startswith("_:")}
    if len(blank) > MAX_BLANK_NODES:
        raise TooComplex(f"it is too complex to verify: {len(blank):,} blank nodes (at most "
                         f"{MAX_BLANK_NODES:,})")
    return _Bounded(budget).main(data, {"format": "application/n-quads"})


def _first_line(error: Exception) -> str:
    text = re.sub(r"\s+", " ", str(error)).strip()
    return text[:160]
