"""Relevance ranking: two linear models on TF-IDF features, trained on the decisions so far.

A support vector machine and a naive Bayes model each rank the records, and the two ranks are
averaged. Both use parameters ASReview published for its models (ELAS u4's SVM, ELAS u3's naive
Bayes), not values tuned on any one review. The choice rests on evidence
(benchmarks/screening.py): in active-learning simulations with the same priors, the ensemble
saves more work than ASReview's default model, the SVM alone. The SVM's weights say which terms
drove each record's score, which is what the worklist shows a reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

# Relevant records are rare: irrelevant ones are down-weighted to 1/ratio of the relevant
# ones' total weight, as ASReview's balanced sample weight does.
SVM_C, SVM_RATIO = 0.11, 9.8
NB_ALPHA, NB_RATIO = 3.822, 1.2


@dataclass(frozen=True)
class Model:
    svm: LinearSVC
    nb: MultinomialNB


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


def balanced_weights(labels: np.ndarray, ratio: float) -> np.ndarray:
    relevant = (labels == 1).sum()
    weights = np.where(labels == 1, 1.0, relevant / (ratio * max((labels == 0).sum(), 1)))
    return weights * len(labels) / weights.sum()


def fit(matrix: sp.csr_matrix, labels: np.ndarray) -> Model:
    # The dual solver, always: same optimum, but where the protocol's rules label tens of
    # thousands of records (more samples than terms), `auto` picks the primal solver, which
    # took 17 s against 1.5 s for 62,000 labels (benchmarks/scale.py 100000).
    svm = LinearSVC(C=SVM_C, dual=True)
    svm.fit(matrix, labels, sample_weight=balanced_weights(labels, SVM_RATIO))
    nb = MultinomialNB(alpha=NB_ALPHA)
    nb.fit(matrix, labels, sample_weight=balanced_weights(labels, NB_RATIO))
    return Model(svm, nb)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank as a share of the count: 0 for the lowest, near 1 for the highest.
    Equal values share their mean rank: a tie must stay a tie, not go to the later row."""
    return (rankdata(values, method="average") - 1) / max(len(values), 1)


def scores(model: Model, matrix: sp.csr_matrix) -> np.ndarray:
    """The mean of the two models' ranks, in [0, 1): higher is more likely relevant."""
    svm = model.svm.decision_function(matrix)
    nb = model.nb.predict_log_proba(matrix)[:, 1]
    return (_ranks(svm) + _ranks(nb)) / 2


def likeness(
    matrix: sp.csr_matrix, relevant: sp.csr_matrix, terms: np.ndarray, k: int = 5
) -> tuple[np.ndarray, list[str]]:
    """Before there is anything to contrast, each record's cosine likeness to what is known to
    be relevant (the rows are TF-IDF, unit length), as a rank share like `scores`, with the
    terms it shares with them."""
    centre = np.asarray(relevant.mean(axis=0)).ravel()
    similarity = matrix @ centre
    explained = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns = matrix.indices[start:end]
        contribution = matrix.data[start:end] * centre[columns]
        best = np.argsort(-contribution)[:k]
        explained.append(", ".join(terms[columns[i]] for i in best if contribution[i] > 0))
    return _ranks(similarity), explained


def top_terms(model: Model, matrix: sp.csr_matrix, terms: np.ndarray, k: int = 5) -> list[str]:
    """For each row, the terms whose weight × presence pushed its score up the most; terms
    made only of stop words ("with", "in the") explain nothing to a reviewer and are left out."""
    weights = model.svm.coef_.ravel()
    telling = np.array([not set(term.split()) <= ENGLISH_STOP_WORDS for term in terms])
    explained = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns, values = matrix.indices[start:end], matrix.data[start:end]
        contribution = np.where(telling[columns], values * weights[columns], 0.0)
        best = np.argsort(-contribution)[:k]
        explained.append(", ".join(terms[columns[i]] for i in best if contribution[i] > 0))
    return explained
