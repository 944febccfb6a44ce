"""An import in two steps: plan (read every row, check it, compare it with what is on file;
nothing is written) and apply (write the rows that passed, in short transactions).

The plan is the dry run: every error of every row, by line and column, before anything is
written. Applying the same file twice changes nothing the second time: rows are matched by
the vendor's own reference, and a row whose values are on file already is "unchanged".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from palier.accounts.permissions import Permission, check_allowed
from palier.audit.log import origin
from palier.imports.columns import Column, match_headers
from palier.imports.files import BadCell, Table
from palier.imports.values import CellError
from palier.lib.errors import DomainError
from palier.lib.words import as_stored
from palier.lib.words import words as _  # said again in each reader's language


class Outcome:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


OUTCOME_LABELS = {
    Outcome.CREATE: gettext_lazy("to create"),
    Outcome.UPDATE: gettext_lazy("to update"),
    Outcome.UNCHANGED: gettext_lazy("unchanged"),
    Outcome.REFUSED: gettext_lazy("refused"),
}
DONE_LABELS = {
    Outcome.CREATE: gettext_lazy("created"),
    Outcome.UPDATE: gettext_lazy("updated"),
    Outcome.UNCHANGED: gettext_lazy("unchanged"),
    Outcome.REFUSED: gettext_lazy("refused"),
}
# Rows written per transaction: SQLite has one writer, and others wait while one holds it.
BATCH = 50


@dataclass
class Problem:
    line: int
    column: str  # the header as the file has it; "" for the whole row or file
    message: str
    file: str = ""  # the file of several (Zendesk's pages) the line is in

    def as_dict(self) -> dict:
        # With its source text, so that each reader gets it in their language (lib/words.py).
        where = {"file": self.file} if self.file else {}
        return {"line": self.line, "column": self.column, **where, **as_stored(self.message)}


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    outcome: str = Outcome.CREATE
    label: str = ""
    target: Any = None
    changes: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Plan:
    kind: str
    rows: list[Row]
    problems: list[Problem]  # about the file itself (a missing column)
    notes: list[str]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.outcome for row in self.rows)
        return {o: counted.get(o, 0) for o in OUTCOME_LABELS}

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for row in self.rows for p in row.problems)]

    @property
    def can_apply(self) -> bool:
        return not self.problems and any(
            row.outcome in (Outcome.CREATE, Outcome.UPDATE) for row in self.rows
        )


class Kind:
    """What one kind of import reads and writes. Subclasses name their columns, the key
    that matches a row to what is on file, and how a row is checked and written."""

    name: str
    label: Any
    columns: list[Column]
    key_columns: tuple[str, ...]

    def load(self, rows: list[Row]) -> Any:
        """Read what the rows refer to, in a few queries for all rows (no query per row)."""
        return None

    def check(self, row: Row, context: Any) -> None:
        """Resolve references, set `row.target` (what is on file, or None) and
        `row.changes`; add problems with `self.problem(row, column_key, message)`. A cell
        refused already is None here: check what does not depend on it."""
        raise NotImplementedError

    def apply(self, row: Row, context: Any, acting_user) -> None:
        raise NotImplementedError

    # --- helpers for subclasses ---------------------------------------------------

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def problem(self, row: Row, key: str, message: str) -> None:
        header = row.values.get("_headers", {}).get(key) or (
            self.column(key).header("en") if key else ""
        )
        if key and row.values.get(key) is None and any(p.column == header for p in row.problems):
            return  # a cell already refused: what follows from it being empty is no news
        row.problems.append(Problem(row.line, header, str(message)))

    @staticmethod
    def differences(target: Any, wanted: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in wanted.items() if getattr(target, k) != v}


def plan(kind: Kind, table: Table) -> Plan:
    """Read and check every row; nothing is written."""
    found, unknown, repeats = match_headers(table.headers, kind.columns)
    notes = [
        _("The column “%(header)s” is not one of this import's and is ignored.")
        % {"header": header}
        for header in unknown
    ]
    notes += [
        _(
            "The column “%(header)s” (column %(number)s) is “%(first)s” again, already read "
            "from column %(first_number)s: a row where the two differ is refused."
        )
        % {
            "header": table.headers[index],
            "number": index + 1,
            "first": table.headers[first],
            "first_number": first + 1,
        }
        for index, first in repeats
    ]
    headers = {column.key: table.headers[index] for index, column in found.items()}
    problems = [
        Problem(1, column.header("en"), _("This column is missing."))
        for column in kind.columns
        if column.required and column.key not in headers
    ]
    rows: list[Row] = []
    if problems:
        return Plan(kind.name, rows, problems, notes)
    for line, cells in table.rows:
        row = Row(line=line, values={"_headers": headers})
        for index, column in found.items():
            raw = cells[index] if index < len(cells) else None
            try:
                if isinstance(raw, BadCell):
                    raise CellError(raw.message)
                row.values[column.key] = column.read(raw)
            except CellError as exc:
                # The message itself (lib/words), so that each reader gets it in their language.
                message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
                row.problems.append(Problem(line, headers[column.key], message))
                row.values[column.key] = None
            if (
                column.required
                and row.values.get(column.key) in (None, "", [])
                and not any(p.column == headers[column.key] for p in row.problems)
            ):
                row.problems.append(Problem(line, headers[column.key], _("This cell is empty.")))
        row.problems += _repeats_that_differ(table.headers, found, repeats, line, cells)
        rows.append(row)
    _mark_duplicates(kind, rows)
    context = kind.load(rows)
    for row in rows:
        # Checked even with cells refused, so that every problem of a row is listed at once;
        # `check` passes over a refused (None) value.
        kind.check(row, context)
        if row.problems:
            row.outcome = Outcome.REFUSED
        elif row.target is None:
            row.outcome = Outcome.CREATE
        else:
            row.outcome = Outcome.UPDATE if row.changes else Outcome.UNCHANGED
    return Plan(kind.name, rows, problems, notes)


def _cell_text(cells: list[object], index: int) -> str:
    raw = cells[index] if index < len(cells) else None
    return "" if raw is None else str(raw).strip()


def _same_value(column: Column, cells: list[object], index: int, first: int) -> bool:
    """Whether two cells hold one value of the column (180 and 180.00, 2026-01-01 and
    01.01.2026 are one): compared as the column reads them, as text when either cannot be
    read."""
    raws = [cells[i] if i < len(cells) else None for i in (index, first)]
    if not any(isinstance(raw, BadCell) for raw in raws):
        try:
            return column.read(raws[0]) == column.read(raws[1])
        except CellError:
            pass
    return _cell_text(cells, index) == _cell_text(cells, first)


def _repeats_that_differ(
    headers: list[str],
    found: dict[int, Column],
    repeats: list[tuple[int, int]],
    line: int,
    cells: list[object],
) -> list[Problem]:
    """A repeated column whose cell holds another value than the one read: which of the
    two is meant, only the person who wrote the file knows. An empty repeat, or the same
    value again (in any format the column reads), loses nothing."""
    problems = []
    for index, first in repeats:
        value, first_value = _cell_text(cells, index), _cell_text(cells, first)
        names = {
            "header": headers[index],
            "number": index + 1,
            "value": value[:40],
            "first": headers[first],
            "first_number": first + 1,
            "first_value": first_value[:40],
        }
        if value and not first_value:
            message = _(
                "The column “%(header)s” (column %(number)s) holds “%(value)s”, but “%(first)s” "
                "(column %(first_number)s), read first, is empty: write the value there, or in "
                "both."
            )
        elif value and not _same_value(found[first], cells, index, first):
            message = _(
                "The column “%(header)s” (column %(number)s) holds “%(value)s”, but “%(first)s” "
                "(column %(first_number)s) holds “%(first_value)s”: write one value, or the "
                "same in both."
            )
        else:
            continue
        problems.append(Problem(line, headers[index], message % names))
    return problems


def _mark_duplicates(kind: Kind, rows: list[Row]) -> None:
    first: dict[tuple, int] = {}
    for row in rows:
        if any(row.values.get(k) in (None, "") for k in kind.key_columns):
            continue
        key = tuple(_key_part(row.values.get(k)) for k in kind.key_columns)
        if key in first:
            kind.problem(
                row,
                kind.key_columns[0],
                _("Line %(line)s has the same key: each row must name another object.")
                % {"line": first[key]},
            )
        else:
            first[key] = row.line


def _key_part(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def apply(
    kind: Kind,
    the_plan: Plan,
    *,
    acting_user,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write the rows the plan creates or updates, `BATCH` rows per transaction. A row the
    database refuses now (someone changed the desk meanwhile) is counted refused, with its
    reason added to its problems. Returns the counts by outcome, as done."""
    check_allowed(acting_user, Permission.DATA_IMPORT)
    to_write = [r for r in the_plan.rows if r.outcome in (Outcome.CREATE, Outcome.UPDATE)]
    context = kind.load(to_write) if to_write else None
    done = 0
    with origin("import"):
        for start in range(0, len(to_write), BATCH):
            with transaction.atomic():
                for row in to_write[start : start + BATCH]:
                    try:
                        with transaction.atomic():
                            kind.apply(row, context, acting_user)
                    except DomainError as exc:
                        row.outcome = Outcome.REFUSED
                        row.problems.append(Problem(row.line, "", exc.message))
                    done += 1
            if progress:
                progress(done, len(to_write))
    return the_plan.counts
