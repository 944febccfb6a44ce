"""The cold-start requests shipped with Palier (coldstart/*.txt), written for the purpose.

Each file holds one language: `[type]` headers, then `module | criticality | subject | body`
lines. The held-out evaluation set (evaluation/heldout.json) is kept apart and never read here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

COLDSTART_DIR = Path(__file__).with_name("coldstart")
TYPES = ("usage", "malfunction", "feature", "training")


@dataclass(frozen=True)
class Example:
    subject: str
    body: str
    type: str
    module: str = ""  # a module's name or code, "" when unknown
    criticality: str = ""
    language: str = ""


def parse_coldstart(text: str, language: str) -> list[Example]:
    examples, kind = [], ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            kind = line.strip("[]")
            if kind not in TYPES:
                raise ValueError(f"{language}:{number}: unknown request type {kind!r}")
            continue
        parts = [part.strip() for part in line.split(" | ")]
        if len(parts) != 4 or not kind:
            expected = "module | criticality | subject | body"
            raise ValueError(f"{language}:{number}: expected '{expected}'")
        module, criticality, subject, body = parts
        examples.append(Example(subject, body, kind, module, criticality, language))
    return examples


def coldstart_digest() -> str:
    """A fingerprint of the shipped cold-start files: a model learnt from older ones is stale."""
    digest = hashlib.sha256()
    for path in sorted(COLDSTART_DIR.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def coldstart_examples() -> list[Example]:
    """Every shipped cold-start request, in a stable order."""
    found = []
    for path in sorted(COLDSTART_DIR.glob("*.txt")):
        found += parse_coldstart(path.read_text(encoding="utf-8"), path.stem)
    return found
