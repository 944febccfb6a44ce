"""The workspace's menus — customers, modules, staff, saved views — read once per menu stamp.

Every queue page prints them: the filters' customer and module menus, the bulk bar's
assignees, the saved views. They seldom change, but a page must never show them stale, in
any of several processes. So the database keeps a stamp that its triggers change with any of
them (workspace.models.MenuStamp, migration 0003), a page reads the stamp (with its queue
counts: no statement of its own), and each process keeps the menus it read last, by stamp,
with their markup per language. A page whose stamp is not the kept one reads the menus
again, in one statement that also reads the stamp they belong to.

With no stamp row (a database emptied by the tests, before any change), menus are read on
every page and kept for none.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple

from django.db import connection

from palier.accounts.models import STAFF_ROLES, User, person_name
from palier.customers.models import Customer, Module
from palier.workspace.models import MenuStamp, SavedView

STAMP_SQL = f"(SELECT stamp FROM {MenuStamp._meta.db_table} WHERE id = 1)"

# What a process keeps: the menus of the last stamp it saw, with that stamp (one pair,
# replaced whole: threads read it without a lock).
_kept: tuple[int, Menus] | None = None


class SavedViewRow(NamedTuple):
    id: int
    owner_id: int
    name: str
    shared: bool
    query: str

    @property
    def pk(self) -> int:
        return self.id


class CustomerRow(NamedTuple):
    pk: int
    name: str


@dataclass
class Menus:
    stamp: int | None
    customers: list[tuple[int, str]]
    # id, English name, then the names in French, German and Italian ("" when not given)
    modules: list[tuple[int, str, str, str, str]]
    staff: list[tuple[int, str]]
    saved_views: list[SavedViewRow]
    customer_codes: dict[int, str] = field(default_factory=dict)
    _markup: dict[tuple, str] = field(default_factory=dict, repr=False)

    def module_pairs(self, language: str) -> list[tuple[int, str]]:
        """(id, name) of every module, named in `language` where it has a name in it."""
        column = {"fr": 2, "de": 3, "it": 4}.get(language[:2])
        pairs = [(m[0], (m[column] if column else "") or m[1]) for m in self.modules]
        return sorted(pairs, key=menu_order)

    def options(self, menu: str, language: str) -> str:
        """The <option> elements of `menu` ("customer", "module" or "staff"), escaped, with
        none selected: built once per stamp and language."""
        key = (menu, language[:2])
        if key not in self._markup:
            pairs = {
                "customer": self.customers,
                "module": self.module_pairs(language),
                "staff": self.staff,
            }[menu]
            self._markup[key] = "".join(
                f'<option value="{pk}">{escape(name, quote=True)}</option>' for pk, name in pairs
            )
        return self._markup[key]

    def customers_named(self, text: str, limit: int) -> list[CustomerRow]:
        """Up to `limit` customers whose code is `text` or whose name holds it, ignoring
        case (as the database's iexact and icontains, but for every alphabet), by name."""
        wanted = text.casefold()
        return [
            CustomerRow(pk, name)
            for pk, name in self.customers
            if wanted in name.casefold() or self.customer_codes.get(pk, "").casefold() == wanted
        ][:limit]

    def views_of(self, user: User) -> list[SavedViewRow]:
        """The user's own saved views and the team's shared ones (workspace.queries
        .visible_saved_views), by name."""
        if not user.is_staff_member:
            return []
        return [v for v in self.saved_views if v.shared or v.owner_id == user.pk]


def word_order(text: str) -> str:
    """The key that orders words as a reader expects, in every language and whatever the
    database's collation: case and accents ignored ("aardvark" before "Finance", "Émile"
    beside "Emil", "Wartet auf den Kunden" before "Wartet auf Patch")."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def menu_order(pair: tuple[int, str]) -> tuple[str, int]:
    """A menu's (id, name) pairs in one order in every language and on either database."""
    return word_order(pair[1]), pair[0]


def selected(options: str, value: object) -> str:
    """`options` (markup of <option> elements, none selected) with the option of `value`
    selected, if there is one (the empty one included, where `options` has it)."""
    if value is None:
        return options
    mark = f'<option value="{escape(str(value), quote=True)}">'
    return options.replace(mark, f"{mark[:-1]} selected>", 1)


def menus_for(stamp: int | None) -> Menus:
    """The menus as of `stamp` (read with the page's counts): the kept ones if they are of
    that stamp, else read now (and kept)."""
    global _kept
    kept = _kept
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    menus = _read()
    if menus.stamp is not None:
        _kept = (menus.stamp, menus)
    return menus


def current_menus() -> Menus:
    """The menus, for a page that does not read its counts (one small statement when kept)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + STAMP_SQL)
        return menus_for(cursor.fetchone()[0])


def _read() -> Menus:
    """Every menu and the stamp they belong to, in one statement (one snapshot)."""
    roles = list(STAFF_ROLES)
    staff_roles = ", ".join(["%s"] * len(roles))
    sql = (
        "SELECT * FROM ("
        # The first select names the columns' types: PostgreSQL takes a NULL as text.
        "SELECT 0 AS kind, stamp AS id, CAST(NULL AS varchar) AS a, CAST(NULL AS varchar) AS b,"
        " CAST(NULL AS varchar) AS c, CAST(NULL AS varchar) AS d, CAST(NULL AS bigint) AS owner,"
        f" CAST(NULL AS boolean) AS shared FROM {MenuStamp._meta.db_table} WHERE id = 1"
        f" UNION ALL SELECT 1, id, name, code, NULL, NULL, NULL, NULL"
        f" FROM {Customer._meta.db_table}"
        f" UNION ALL SELECT 2, id, name, name_fr, name_de, name_it, NULL, NULL"
        f" FROM {Module._meta.db_table}"
        f" UNION ALL SELECT 3, id, first_name, last_name, username, NULL, NULL, NULL"
        f" FROM {User._meta.db_table} WHERE role IN ({staff_roles}) AND is_active"
        f" UNION ALL SELECT 4, id, name, NULL, NULL, query, owner_id, shared"
        f" FROM {SavedView._meta.db_table}"
        ") AS menus ORDER BY kind, a, b, c, id"
    )
    menus = Menus(stamp=None, customers=[], modules=[], staff=[], saved_views=[])
    with connection.cursor() as cursor:
        cursor.execute(sql, roles)
        rows = cursor.fetchall()
    for kind, pk, a, b, c, d, owner, shared in rows:
        if kind == 0:
            menus.stamp = pk
        elif kind == 1:
            menus.customers.append((pk, a))
            menus.customer_codes[pk] = b or ""
        elif kind == 2:
            menus.modules.append((pk, a, b or "", c or "", d or ""))
        elif kind == 3:
            menus.staff.append((pk, person_name(a or "", b or "", c)))
        else:
            menus.saved_views.append(SavedViewRow(pk, owner, a, bool(shared), d))
    # The database's order depends on its collation (PostgreSQL's "C" puts "aardvark" after
    # "Zoning"; SQLite's binary order too): one order here instead.
    menus.customers.sort(key=menu_order)
    menus.staff.sort(key=menu_order)
    return menus
