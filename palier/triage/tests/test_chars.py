"""The character n-grams counted word by word are exactly scikit-learn's `char_wb` ones."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from palier.triage.chars import WordCharNgrams
from palier.triage.features import fold_text

TEXTS = [
    "Grüezi, der Mahnlauf bricht ab: Fehler 12!",
    "Le bulletin de livraison n'imprime pas, erreur 12.",
    "A B c, the payslip is wrong; a b c again",
    "Mahnlauf . Mahnlauf . Der Mahnlauf ist kein Fehler",
    "x",
]


def test_the_features_and_weights_are_char_wbs():
    folded = [fold_text(t) for t in TEXTS]
    theirs = TfidfVectorizer(
        analyzer="char_wb", preprocessor=fold_text, ngram_range=(3, 4), sublinear_tf=True, min_df=2
    )
    expected = theirs.fit_transform(TEXTS)
    ours = WordCharNgrams((3, 4), min_df=2)
    got = ours.fit_transform(folded)
    assert set(ours.vocabulary_) == set(theirs.vocabulary_)
    order = [ours.vocabulary_[g] for g, _ in sorted(theirs.vocabulary_.items(), key=lambda i: i[1])]
    assert np.abs((expected - got[:, order]).toarray()).max() < 1e-6
    new = ["Der Mahnlauf, kein Fehler: le bulletin."]
    assert (
        np.abs(
            (theirs.transform(new) - ours.transform([fold_text(new[0])])[:, order]).toarray()
        ).max()
        < 1e-6
    )


def test_the_most_frequent_ngrams_are_kept_under_a_cap():
    ours = WordCharNgrams((3, 3), min_df=1, max_features=3)
    ours.fit_transform(["aaa aaa bbb", "aaa ccc", "aaa bbb"])
    assert set(ours.vocabulary_) == {" aa", "aaa", "aa "}
