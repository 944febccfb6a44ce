"""Choose the triage's model options by cross-validation on the cold-start set alone.

    .venv/bin/python bench/triage_cv.py                 # every variant below
    .venv/bin/python bench/triage_cv.py --only default chars-3-5

The held-out set (palier/triage/evaluation/heldout.json) is never read here. The cold-start
files are written in parallel: the n-th request of a type is the same situation in the four
languages. Folds are grouped by situation, so a request is never tested against a model that
learnt its translation (that made the ungrouped figure several points too kind); each fold
keeps types balanced. Accuracy of the first choice, overall and per language, averaged over
`--repeats` shuffles of 5 folds; CPU seconds of one fit on the whole set.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
os.environ.setdefault("PALIER_ENV", "test")

import django  # noqa: E402

django.setup()

from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402

from palier.triage.corpus import coldstart_examples  # noqa: E402
from palier.triage.model import DEFAULT_OPTIONS, Options, train  # noqa: E402

LANGUAGES = ("en", "fr", "de", "it")
THRESHOLDS = (0.3, 0.4, 0.5)

VARIANTS: dict[str, Options] = {
    "default": DEFAULT_OPTIONS,
    "chars-3-5": dataclasses.replace(DEFAULT_OPTIONS, char_ngrams=(3, 5)),
    "chars-2-4": dataclasses.replace(DEFAULT_OPTIONS, char_ngrams=(2, 4)),
    "chars-cap-50k": dataclasses.replace(DEFAULT_OPTIONS, char_max_features=50_000),
    "c-3": dataclasses.replace(DEFAULT_OPTIONS, c=3.0),
    "c-30": dataclasses.replace(DEFAULT_OPTIONS, c=30.0),
    "tol-1e-3": dataclasses.replace(DEFAULT_OPTIONS, tol=1e-3),
    "max-iter-100": dataclasses.replace(DEFAULT_OPTIONS, max_iter=100),
}


def situations(examples) -> list[str]:
    """The situation of each example: its type and its rank among that type in its file."""
    seen: Counter = Counter()
    groups = []
    for e in examples:
        seen[(e.language, e.type)] += 1
        groups.append(f"{e.type}-{seen[(e.language, e.type)]}")
    return groups


def cross_validate(options: Options, examples, *, repeats: int, grouped: bool) -> dict:
    groups = situations(examples) if grouped else [str(i) for i in range(len(examples))]
    labels = [e.type for e in examples]
    right: Counter = Counter()
    total: Counter = Counter()
    for seed in range(repeats):
        folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
        for train_rows, test_rows in folds.split(examples, labels, groups):
            model = train([examples[i] for i in train_rows], options=options)
            for i in test_rows:
                e = examples[i]
                guess = model.suggest(e.subject, e.body, threshold=0).type
                ok = guess.value == e.type
                for key in ("all", e.language):
                    right[key] += ok
                    total[key] += 1
                for threshold in THRESHOLDS:
                    if guess.confidence >= threshold:
                        right[f"answered-{threshold}"] += 1
                        right[f"right-{threshold}"] += ok
    started = time.process_time()
    train(examples, options=options)
    fit = time.process_time() - started
    got = {key: right[key] / total[key] for key in total} | {"fit_cpu_s": fit}
    for threshold in THRESHOLDS:
        answered = right[f"answered-{threshold}"]
        got[f"at {threshold:.0%}"] = (
            f"{answered / total['all']:.0%} answered, {right[f'right-{threshold}'] / answered:.0%}"
            " of them right"
        )
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(VARIANTS), default=None)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--ungrouped", action="store_true", help="folds ignore translations")
    parser.add_argument("--thresholds", action="store_true", help="answered / right per threshold")
    args = parser.parse_args()
    examples = coldstart_examples()
    print(f"{len(examples)} cold-start requests; {'ungrouped' if args.ungrouped else 'grouped'}")
    print("| variant | overall | " + " | ".join(LANGUAGES) + " | fit CPU s |")
    print("| --- | --- |" + " --- |" * (len(LANGUAGES) + 1))
    for name in args.only or VARIANTS:
        got = cross_validate(
            VARIANTS[name], examples, repeats=args.repeats, grouped=not args.ungrouped
        )
        cells = " | ".join(f"{got[lang]:.1%}" for lang in LANGUAGES)
        print(f"| {name} | {got['all']:.1%} | {cells} | {got['fit_cpu_s']:.1f} |", flush=True)
        if args.thresholds:
            print("  " + "; ".join(f"{k}: {v}" for k, v in got.items() if k.startswith("at ")))


if __name__ == "__main__":
    main()
