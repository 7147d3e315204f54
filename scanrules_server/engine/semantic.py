"""Similarity of a column's name or comment to a concept, across languages and naming styles.

A character n-gram TF-IDF model (scikit-learn) fitted on an offline, multilingual
vocabulary shipped as package data (`data/semantic_concepts.yaml`); no model is
downloaded. Names are split into words (`custMailAddr`, `cust_mail_addr` ->
`customer mail address`), common abbreviations expanded, and every run of
consecutive words is compared with every term of the concept; the best cosine wins.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

import numpy as np
import re2
from sklearn.feature_extraction.text import TfidfVectorizer

from .yamlload import load_yaml

_ABBREVIATIONS = {
    "acct": "account",
    "addr": "address",
    "adr": "address",
    "cc": "credit card",
    "ccn": "credit card number",
    "cust": "customer",
    "dob": "date of birth",
    "dl": "driver license",
    "email": "email",
    "fname": "first name",
    "lname": "last name",
    "mob": "mobile",
    "nbr": "number",
    "no": "number",
    "num": "number",
    "ph": "phone",
    "pwd": "password",
    "passwd": "password",
    "pw": "password",
    "sal": "salary",
    "ssn": "social security number",
    "tel": "telephone",
    "zip": "postal code",
}

_CAMEL = re2.compile(r"([a-z0-9])([A-Z])")
_SPLIT = re2.compile(r"[^0-9a-zA-Z\x{00C0}-\x{024F}]+")


def words(name: str) -> list[str]:
    """`custMailAddr` / `CUST_MAIL-addr.1` -> ['customer', 'mail', 'address']."""
    text = _CAMEL.sub(r"\1 \2", name)
    out: list[str] = []
    for token in _SPLIT.split(text):
        token = token.lower()
        if not token or token.isdigit():
            continue
        out.extend(_ABBREVIATIONS.get(token, token).split())
    return out


def _fold(text: str) -> str:
    # Accents differ between how people type column names and how words are spelled.
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class ConceptIndex:
    def __init__(self, concepts: dict[str, list[str]]) -> None:
        self.concepts = {k: sorted({_fold(t.lower()) for t in [k, *terms]}) for k, terms in concepts.items()}
        self._terms = [t for terms in self.concepts.values() for t in terms]
        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(self._terms)
        offsets: dict[str, tuple[int, int]] = {}
        i = 0
        for key, terms in self.concepts.items():
            offsets[key] = (i, i + len(terms))
            i += len(terms)
        self._offsets = offsets

    def _phrases(self, text: str) -> list[str]:
        ws = [_fold(w) for w in words(text)]
        phrases = {" ".join(ws[i:j]) for i in range(len(ws)) for j in range(i + 1, min(len(ws), i + 4) + 1)}
        return sorted(phrases)

    def score(self, text: str, concept: str) -> float:
        """Best cosine between any run of words of `text` and any term of `concept`."""
        if not text:
            return 0.0
        phrases = self._phrases(text)
        if not phrases:
            return 0.0
        if concept in self._offsets:
            lo, hi = self._offsets[concept]
            terms = self._matrix[lo:hi]
        else:
            terms = self._vectorizer.transform([_fold(concept.lower())])
        sims = (self._vectorizer.transform(phrases) @ terms.T).toarray()
        return float(np.clip(sims.max(), 0.0, 1.0)) if sims.size else 0.0


@lru_cache(maxsize=1)
def concept_index() -> ConceptIndex:
    path = resources.files(__package__).joinpath("data").joinpath("semantic_concepts.yaml")
    data = load_yaml(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return ConceptIndex({str(k): [str(t) for t in v] for k, v in (data or {}).items()})


@lru_cache(maxsize=65536)
def similarity(name: str, comment: str, concept: str) -> float:
    """Similarity (0..1) of a column's name or comment to a concept."""
    index = concept_index()
    return max(index.score(name, concept), index.score(comment, concept))
