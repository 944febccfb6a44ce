"""The learned triage: request type, module and criticality from a request's text.

A linear model (scikit-learn's logistic regression) over words, word pairs and character
n-grams: fast to train (a second for the cold-start set, under half a minute of CPU for
100,000 tickets), a suggestion in a few milliseconds, and a reason it can show (the words
that weighed most). One file in the data directory holds the three classifiers and their vocabulary.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from scipy import sparse, special
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from palier.lib.text import STOPWORDS
from palier.triage.chars import WordCharNgrams
from palier.triage.corpus import Example, coldstart_digest
from palier.triage.features import fold_text, folded_features, request_text

logger = logging.getLogger(__name__)
FORMAT = 3  # raised when the file's layout changes; an older file is retrained, not read


@dataclass(frozen=True)
class Guess:
    value: str
    confidence: float


@dataclass(frozen=True)
class Suggestion:
    type: Guess
    module: Guess | None
    criticality: Guess | None
    words: tuple[str, ...]  # the words that weighed most for the suggested type
    abstained: bool  # the type's confidence is below the threshold


@dataclass
class TriageModel:
    words: TfidfVectorizer  # over folded texts (features.folded_features)
    chars: WordCharNgrams
    type_clf: LogisticRegression
    module_clf: LogisticRegression | None
    criticality_clf: LogisticRegression | None
    trained_at: dt.datetime
    counts: dict[str, int] = field(default_factory=dict)  # examples by source
    coldstart_digest: str = ""  # corpus.coldstart_digest() of the files it learnt from
    format: int = FORMAT
    _word_names: np.ndarray | None = None

    def matrix(self, texts: Sequence[str]):
        folded = [fold_text(text) for text in texts]
        return sparse.hstack(
            [self.words.transform(folded), self.chars.transform(folded)], format="csr"
        )

    def suggest(self, subject: str, body: str, *, threshold: float) -> Suggestion:
        # No threadpool_limits here: entering it inspects the loaded libraries (~20 ms), and
        # one row of sparse features uses no BLAS thread worth limiting.
        x = self.matrix([request_text(subject, body)])
        kind = _best(self.type_clf, x)
        return Suggestion(
            type=kind,
            module=_best(self.module_clf, x) if self.module_clf is not None else None,
            criticality=(
                _best(self.criticality_clf, x) if self.criticality_clf is not None else None
            ),
            words=self.weighing_words(x, kind.value),
            abstained=kind.confidence < threshold,
        )

    def suggest_type(self, subject: str, body: str) -> Guess:
        """The type alone, as `suggest` finds it: what mail keeps. No module, criticality or
        weighing words, and the probabilities computed here rather than by scikit-learn's
        `predict_proba`, whose input checks cost as much as the arithmetic on one row."""
        folded = [fold_text(request_text(subject, body))]
        words = _tfidf(self.words._tfidf, CountVectorizer.transform(self.words, folded))
        chars = _tfidf(self.chars.tfidf, self.chars.counts(folded)).astype(np.float32)
        return _best_fast(self.type_clf, sparse.hstack([words, chars], format="csr"))

    def weighing_words(self, x, label: str, limit: int = 5) -> tuple[str, ...]:
        """The words (not character n-grams) that pushed most towards `label`."""
        n_words = len(self.words.vocabulary_)
        row = x[:, :n_words].tocoo()
        coef = _class_coef(self.type_clf, label)[:n_words]
        if self._word_names is None:
            self._word_names = self.words.get_feature_names_out()
        weights = {}
        for col, value in zip(row.col, row.data, strict=True):
            weight = value * coef[col]
            name = str(self._word_names[col])
            if weight > 0 and _telling(name):
                weights[name.replace("not_", "not ")] = weight
        ranked = sorted(weights.items(), key=lambda kv: -kv[1])
        return tuple(name for name, _w in ranked[:limit])


# Pronouns and the like, beyond the search's function words: they weigh, but tell nothing.
_UNTELLING = frozenset(
    ["man", "ich", "wir", "mir", "uns", "je", "on", "nous", "we", "our", "us", "my", "io", "noi"]
)


def _telling(feature: str) -> bool:
    """A feature worth showing a person: it holds a word that is no function word."""
    return any(
        len(w) >= 3 and not w.isdigit() and w not in STOPWORDS and w not in _UNTELLING
        for w in feature.removeprefix("not_").split()
    )


def _class_coef(clf: LogisticRegression, label: str) -> np.ndarray:
    """The weights pushing towards `label`. With two classes scikit-learn keeps one row, for
    the second class: the first class's weights are its opposite."""
    index = list(clf.classes_).index(label)
    if clf.coef_.shape[0] == 1:
        return clf.coef_[0] if index == 1 else -clf.coef_[0]
    return clf.coef_[index]


def _best(clf: LogisticRegression, x) -> Guess:
    proba = clf.predict_proba(x)[0]
    index = int(np.argmax(proba))
    return Guess(str(clf.classes_[index]), float(proba[index]))


def _tfidf(transformer: TfidfTransformer, counts):
    """`transformer.transform(counts)` for our own CSR counts, without the input checks that
    cost scikit-learn more than the arithmetic (sublinear tf, idf, then each row to length 1,
    as TfidfTransformer computes them)."""
    if transformer.norm not in (None, "l2") or not hasattr(transformer, "idf_"):
        return transformer.transform(counts)
    x = sparse.csr_matrix(counts, dtype=counts.dtype, copy=True)
    if transformer.sublinear_tf:
        np.log(x.data, x.data)
        x.data += 1.0
    x.data *= transformer.idf_[x.indices]
    if transformer.norm == "l2":
        per_row = np.diff(x.indptr)
        rows = np.repeat(np.arange(x.shape[0]), per_row)
        lengths = np.sqrt(np.bincount(rows, weights=x.data**2, minlength=x.shape[0]))
        lengths[lengths == 0] = 1.0
        x.data /= np.repeat(lengths, per_row).astype(x.dtype)
    return x


def _best_fast(clf: LogisticRegression, x) -> Guess:
    """`_best` for one row, as LogisticRegression computes it (lbfgs: a softmax over the
    classes; with two classes, the logistic of the one decision value)."""
    scores = np.asarray(x @ clf.coef_.T).ravel() + clf.intercept_
    if scores.size == 1:
        positive = float(special.expit(scores[0]))
        proba = np.array([1.0 - positive, positive])
    else:
        proba = special.softmax(scores)
    index = int(np.argmax(proba))
    return Guess(str(clf.classes_[index]), float(proba[index]))


@dataclass(frozen=True)
class Options:
    """What a model is built with; chosen by cross-validation on the training data
    (bench/triage_cv.py), never on the held-out set."""

    char_ngrams: tuple[int, int] = (3, 4)
    char_max_features: int = 200_000
    # Little regularization: the texts are short and the words telling.
    c: float = 10.0
    tol: float = 1e-4
    max_iter: int = 300


DEFAULT_OPTIONS = Options()


def _classifier(options: Options) -> LogisticRegression:
    return LogisticRegression(
        C=options.c, max_iter=options.max_iter, tol=options.tol, solver="lbfgs"
    )


def train(
    examples: Sequence[Example],
    *,
    counts: dict[str, int] | None = None,
    options: Options = DEFAULT_OPTIONS,
) -> TriageModel:
    """Fit the vocabulary and the three classifiers on `examples`.

    On one BLAS thread: the matrices are small and sparse, and on a busy machine several
    BLAS threads spinning for a core made the cold-start fit 8 times slower (4.3 s vs 0.5 s).
    """
    with threadpool_limits(limits=1):
        return _train(examples, counts, options)


# Module and criticality learn from at most this many examples (a stride over all of them):
# they are hints beside the type, and three full fits were half of a 100,000-ticket training.
AUX_SAMPLE = 30_000
# Below this many examples a word seen once still counts (the cold-start set); above, words
# seen once are dropped (typos, numbers, names), which also keeps the model small.
RARE_WORDS_FROM = 5_000


def _train(
    examples: Sequence[Example], counts: dict[str, int] | None, options: Options
) -> TriageModel:
    # Folded once; the words and their character n-grams are both read from that.
    found = [fold_text(request_text(e.subject, e.body)) for e in examples]
    words = TfidfVectorizer(
        analyzer=folded_features,
        sublinear_tf=True,
        min_df=1 if len(found) < RARE_WORDS_FROM else 2,
        dtype=np.float32,
    )
    chars = WordCharNgrams(options.char_ngrams, min_df=2, max_features=options.char_max_features)
    x = sparse.hstack([words.fit_transform(found), chars.fit_transform(found)], format="csr")
    step = max(1, -(-len(examples) // AUX_SAMPLE))
    aux = list(range(0, len(examples), step))
    # The type on one thread, module and criticality on another, so that the fits can
    # overlap on two cores where their compiled code lets go of the GIL. A modest gain: on
    # 40,000 tickets at a load of 16-19, 55-60 s wall against 59-70 s one after the other.
    with ThreadPoolExecutor(max_workers=2) as pool:
        type_fit = pool.submit(_classifier(options).fit, x, [e.type for e in examples])
        module_clf = _fit_optional(x[aux], [examples[i].module for i in aux], options)
        criticality_clf = _fit_optional(x[aux], [examples[i].criticality for i in aux], options)
        type_clf = type_fit.result()
    return TriageModel(
        words=words,
        chars=chars,
        type_clf=type_clf,
        module_clf=module_clf,
        criticality_clf=criticality_clf,
        trained_at=dt.datetime.now(dt.UTC),
        counts=dict(counts or {"total": len(examples)}),
        coldstart_digest=coldstart_digest(),
    )


def _fit_optional(x, labels: list[str], options: Options) -> LogisticRegression | None:
    """A classifier on the examples that carry a label; None when fewer than two labels."""
    rows = [i for i, label in enumerate(labels) if label]
    if len({labels[i] for i in rows}) < 2:
        return None
    return _classifier(options).fit(x[rows], [labels[i] for i in rows])


def save(model: TriageModel, path: Path) -> None:
    """Write the model next to `path` and move it into place, so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".triage-", suffix=".tmp")
    os.close(fd)
    try:
        joblib.dump(model, tmp, compress=3)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load(path: Path) -> TriageModel | None:
    """The model in `path`; None when there is none or it is of an older format.

    The file is written by Palier itself into the desk's data directory (a pickle: never
    point PALIER_DATA_DIR at files from elsewhere)."""
    try:
        model = joblib.load(path)  # noqa: S301 (our own file, see above)
    except FileNotFoundError:
        return None
    except (AttributeError, ImportError, EOFError, ValueError, TypeError):
        # Written by another version of Palier (a class moved) or cut short: learn again.
        logger.warning("The triage model %s could not be read; it will be learnt again", path)
        return None
    if not isinstance(model, TriageModel) or model.format != FORMAT:
        return None
    return model
