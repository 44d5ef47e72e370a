"""Relevance ranking: a linear model on TF-IDF features, trained on the decisions so far.

The model was chosen on evidence (benchmarks/screening.py): in active-learning simulations on
labelled reviews it is compared with ASReview's default model under the same priors. A linear
model also says which terms drove each record's score, which is what the worklist shows a
reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.svm import LinearSVC

# Relevant records are rare: irrelevant ones are down-weighted to 1/RATIO of the relevant
# ones' total weight, as ASReview's balanced sample weight does.
BALANCE_RATIO = 9.8
C = 0.11


@dataclass(frozen=True)
class Features:
    matrix: sp.csr_matrix
    terms: np.ndarray  # column index -> term


def record_text(title: object, abstract: object, keywords: object) -> str:
    parts = [title if isinstance(title, str) else "", abstract if isinstance(abstract, str) else ""]
    if keywords is not None and not isinstance(keywords, (str, float)):
        parts.append(" ".join(str(k) for k in keywords))
    return " ".join(parts)


def features(texts: Sequence[str]) -> Features:
    """TF-IDF of words and word pairs over every record (labelled or not), as screening
    tools do: the vocabulary is the review's own."""
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, max_df=0.95, min_df=1, stop_words=None
    )
    matrix = vectorizer.fit_transform(texts).tocsr()
    return Features(matrix, vectorizer.get_feature_names_out())


def balanced_weights(labels: np.ndarray) -> np.ndarray:
    relevant = (labels == 1).sum()
    weights = np.where(labels == 1, 1.0, relevant / (BALANCE_RATIO * max((labels == 0).sum(), 1)))
    return weights * len(labels) / weights.sum()


def fit(matrix: sp.csr_matrix, labels: np.ndarray) -> LinearSVC:
    model = LinearSVC(C=C)
    model.fit(matrix, labels, sample_weight=balanced_weights(labels))
    return model


def scores(model: LinearSVC, matrix: sp.csr_matrix) -> np.ndarray:
    return model.decision_function(matrix)


def top_terms(model: LinearSVC, matrix: sp.csr_matrix, terms: np.ndarray, k: int = 5) -> list[str]:
    """For each row, the terms whose weight × presence pushed its score up the most; terms
    made only of stop words ("with", "in the") explain nothing to a reviewer and are left out."""
    weights = model.coef_.ravel()
    telling = np.array([not set(term.split()) <= ENGLISH_STOP_WORDS for term in terms])
    explained = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns, values = matrix.indices[start:end], matrix.data[start:end]
        contribution = np.where(telling[columns], values * weights[columns], 0.0)
        best = np.argsort(-contribution)[:k]
        explained.append(", ".join(terms[columns[i]] for i in best if contribution[i] > 0))
    return explained
