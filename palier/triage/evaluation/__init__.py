"""Measure a request-type predictor on a labelled set: accuracy overall, per language and per
type, and the confusion matrix (rows: the true type, columns: the prediction, "" = abstained).

`heldout.json` beside this file was written before any model and is never trained on; its
phrasing differs on purpose from the cold-start set (palier/triage/coldstart/).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

TYPES = ("usage", "malfunction", "feature", "training")
LANGUAGES = ("en", "fr", "de", "it")
HELDOUT = Path(__file__).with_name("heldout.json")
# Written by another author, blind to the training data and to heldout.json (independent.md).
INDEPENDENT = Path(__file__).with_name("independent.json")
SETS = {"heldout": HELDOUT, "independent": INDEPENDENT}


def load_heldout(name: str = "heldout") -> list[dict]:
    return json.loads(SETS[name].read_text(encoding="utf-8"))


@dataclass
class Report:
    total: int = 0
    right: int = 0
    abstained: int = 0
    by_language: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_type: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    confusion: Counter = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    def language_accuracy(self, language: str) -> float:
        right, total = self.by_language[language]
        return right / total if total else 0.0

    def type_accuracy(self, kind: str) -> float:
        right, total = self.by_type[kind]
        return right / total if total else 0.0

    def markdown(self) -> str:
        """The report as Markdown tables (for docs/triage.md)."""
        lines = [
            f"Right on {self.right} of {self.total} ({self.accuracy:.0%}); "
            f"no answer on {self.abstained}.",
            "",
            "| language | right | of | accuracy |",
            "| --- | --- | --- | --- |",
        ]
        for lang in LANGUAGES:
            right, total = self.by_language[lang]
            lines.append(f"| {lang} | {right} | {total} | {self.language_accuracy(lang):.0%} |")
        lines += ["", "| type | right | of | accuracy |", "| --- | --- | --- | --- |"]
        for kind in TYPES:
            right, total = self.by_type[kind]
            lines.append(f"| {kind} | {right} | {total} | {self.type_accuracy(kind):.0%} |")
        columns = [*TYPES, ""]
        lines += [
            "",
            "| true ↓ / suggested → | " + " | ".join(c or "(none)" for c in columns) + " |",
            "| --- |" + " --- |" * len(columns),
        ]
        for kind in TYPES:
            cells = " | ".join(str(self.confusion[(kind, c)]) for c in columns)
            lines.append(f"| {kind} | {cells} |")
        return "\n".join(lines)


def evaluate(predict: Callable[[str, str], str], rows: Iterable[dict]) -> Report:
    """Run `predict(subject, body) -> type or ""` over labelled rows."""
    report = Report()
    for row in rows:
        guess = predict(row["subject"], row["body"]) or ""
        ok = guess == row["type"]
        report.total += 1
        report.right += ok
        report.abstained += not guess
        report.by_language[row["lang"]][0] += ok
        report.by_language[row["lang"]][1] += 1
        report.by_type[row["type"]][0] += ok
        report.by_type[row["type"]][1] += 1
        report.confusion[(row["type"], guess)] += 1
    return report
