"""The worked examples of the policy (shared/examples/policy_examples.json), for tests.

CI has `../shared` beside the clone and reads the current file; elsewhere the committed copy
in this folder stands in.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
SHARED = _HERE.parents[1].parent / "shared" / "examples" / "policy_examples.json"
COPY = _HERE / "policy_examples.json"


def policy_examples() -> dict[str, Any]:
    path = SHARED if SHARED.exists() else COPY
    return json.loads(path.read_text(encoding="utf-8"))


def relative_days(text: str) -> int:
    """'-200d' -> -200, '+165d' -> 165: the examples' dates are relative to the run's day."""
    if not text.endswith("d"):
        raise ValueError(f"not a relative date: {text!r}")
    return int(text[:-1])


def relative_date(text: str, today: dt.date) -> dt.date:
    return today + dt.timedelta(days=relative_days(text))
