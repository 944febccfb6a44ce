"""The HTML screens people use, measured beside the API answer for the same data.

Run through `bench/http.py` (see its docstring): each screen and its API counterpart are
measured one after the other in the same run, by the same kind of client (one connection at
a time, a signed-in session for the screen, a bearer token for the API), and the table
shows both and their ratio. SQL statements per screen are counted in process.

| screen | path | API counterpart |
| --- | --- | --- |
| queue, first page | /desk/?queue=level1 | /api/v1/tickets?queue=level1&limit=50 |
| queue, page 20 | ... &cursor= | the same cursor |
| desk search, common and rare word, a customer's name | /desk/?queue=open&q= | ?queue=open&q= |
| ticket page | /desk/tickets/ID/ | /api/v1/tickets/ID, then its /messages and /history |
| portal list | /portal/requests/ (a contact) | /api/v1/tickets?limit=25 (that contact) |
| portal request page | /portal/requests/ID/ | the same three calls (that contact) |

A ticket's page shows the ticket with its decision, its conversation and its history: an API
client needs three calls for that data (`/tickets/ID`, `/tickets/ID/messages`,
`/tickets/ID/history`), made one after the other on one connection, and their times add up
to one sample of the counterpart. The page shows more than those three answer (the agent's
page: the customer's contract and recent tickets, the time logged, the macros and the forms;
the portal's: the answer expected and the patch), so the counterpart is a lower bound. Until
6 December 2026 the counterpart was the detail alone.
| billing time list | /billing/time/ | /api/v1/time-entries?user_id=ME&limit=30 |
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import time
from collections.abc import Callable
from typing import Any

SearchWords = list[tuple[str, str]]


class SessionClient:
    """One HTTP/1.1 connection carrying a signed-in session's cookie (GET only)."""

    def __init__(self, port: int, cookie: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Cookie": cookie, "Accept-Language": "en"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            self.conn.request(method, path, headers=self.headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # gunicorn's sync workers close the connection after each answer.
            self.conn.close()
            self.conn.request(method, path, headers=self.headers)
            response = self.conn.getresponse()
        data = response.read()
        return response.status, data, (time.perf_counter() - started) * 1000


def session_cookie(username: str) -> str:
    """A session of `username` stored in the bench database, as a Cookie header value."""
    from django.conf import settings
    from django.test import Client

    from palier.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def time_entries_for(username: str, wanted: int = 30) -> int:
    """Give the bench agent a screenful of time entries (through the action), once."""
    from palier.accounts.models import User
    from palier.billing.actions import do_log_time
    from palier.billing.models import TimeEntry
    from palier.tickets.models import Ticket

    user = User.objects.get(username=username)
    have = TimeEntry.objects.filter(user=user).count()
    # Included (level-1) work: billable time would need an accepted estimate first.
    tickets = list(
        Ticket.objects.filter(status="in_progress", billable=False).order_by("-id")[
            : max(0, wanted - have)
        ]
    )
    today = dt.date.today()
    for i, ticket in enumerate(tickets):
        do_log_time(
            ticket,
            acting_user=user,
            date=today - dt.timedelta(days=i % 20),
            minutes=15 + i,
            activity="support",
        )
    return user.pk


def customer_word() -> str:
    """A word of a customer's name that the desk search should also find tickets by."""
    from palier.customers.models import Customer

    for name in Customer.objects.order_by("pk").values_list("name", flat=True)[:50]:
        for word in name.split():
            if len(word) >= 5 and word.isalpha():
                return word.lower()
    return "sa"


def screen_pairs(
    contact_username: str,
    agent_id: int,
    ticket_ids: list[int],
    contact_ticket_ids: list[int],
    deep_cursor: str,
    words: SearchWords,
) -> list[tuple[str, Callable[[random.Random], str], Callable[[random.Random], str], str]]:
    """(name, screen path, API path, who): paths are functions of a seeded random."""
    pairs: list = [
        (
            "queue level1, first page",
            "/desk/?queue=level1",
            "/api/v1/tickets?queue=level1&limit=50",
        ),
        (
            "queue level1, page 20",
            f"/desk/?queue=level1&cursor={deep_cursor}",
            f"/api/v1/tickets?queue=level1&limit=50&cursor={deep_cursor}",
        ),
    ]
    for kind, word in words:
        pairs.append(
            (
                f"desk search {kind} ({word})",
                f"/desk/?queue=open&q={word}",
                f"/api/v1/tickets?queue=open&limit=50&q={word}",
            )
        )
    rows = [(name, _fixed(screen), _fixed(api), "staff") for name, screen, api in pairs]
    rows.append(
        (
            "ticket page",
            lambda r: f"/desk/tickets/{r.choice(ticket_ids)}/",
            lambda r: _ticket_calls(r.choice(ticket_ids)),
            "staff",
        )
    )
    rows.append(
        (
            "portal list",
            _fixed("/portal/requests/"),
            _fixed("/api/v1/tickets?limit=25"),
            "contact",
        )
    )
    rows.append(
        (
            "portal request page",
            lambda r: f"/portal/requests/{r.choice(contact_ticket_ids)}/",
            lambda r: _ticket_calls(r.choice(contact_ticket_ids)),
            "contact",
        )
    )
    rows.append(
        (
            "billing time list",
            _fixed("/billing/time/"),
            _fixed(f"/api/v1/time-entries?user_id={agent_id}&limit=30"),
            "staff",
        )
    )
    return rows


def _fixed(path: str) -> Callable[[random.Random], str]:
    return lambda _r: path


def _ticket_calls(ticket_id: int) -> tuple[str, ...]:
    """The API calls that read what a ticket's page shows: the ticket with its decision, its
    conversation, its history."""
    base = f"/api/v1/tickets/{ticket_id}"
    return (base, f"{base}/messages", f"{base}/history")


class CallsClient:
    """Wraps an API client: a sample that is several paths is their calls one after the
    other, its time their sum (the worst status kept)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, paths: Any, body: Any = None) -> tuple[int, bytes, float]:
        if isinstance(paths, str):
            return self.client.call(method, paths, body)
        total, worst, data = 0.0, 0, b""
        for path in paths:
            status, data, ms = self.client.call(method, path, body)
            total += ms
            worst = max(worst, status)
        return worst, data, total


def measure_screens(
    port: int,
    tokens: dict,
    cookies: dict[str, str],
    pairs: list,
    n: int,
    measure: Callable,
    api_client: Callable,
    chunk: int = 10,
) -> dict[str, dict]:
    """Each screen beside its API counterpart, n requests each, same random paths, taken in
    turns of `chunk` (screen, then API, then screen...): both meet the same machine. A
    machine whose speed drifts within a minute (a shared one does) made the ratio of a
    screen measured before its API swing by a third between runs."""
    results: dict[str, dict] = {}
    for name, screen, api, who in pairs:
        html = SessionClient(port, cookies[who])
        token = tokens["staff"] if who == "staff" else tokens["contacts"][0]
        answering = CallsClient(api_client(port, token))
        rng = random.Random(11)
        screen_paths = [screen(rng) for _ in range(n)]
        rng = random.Random(11)
        api_paths = [api(rng) for _ in range(n)]
        turns: dict[str, list[dict]] = {"screen": [], "api": []}
        for start in range(0, n, chunk):
            warmup = 20 if start == 0 else 0
            for kind, client, paths in (
                ("screen", html, screen_paths),
                ("api", answering, api_paths),
            ):
                turns[kind].append(measure(client, paths[start : start + chunk], warmup))
        shown, answered = _merged(turns["screen"]), _merged(turns["api"])
        shown["api_p50"], shown["api_p95"] = answered["p50"], answered["p95"]
        shown["api_cpu_ms"] = answered["server_cpu_ms"]
        shown["ratio_p95"] = round(shown["p95"] / answered["p95"], 2) if answered["p95"] else None
        results[name] = shown
    return results


def _merged(turns: list[dict]) -> dict:
    """One result of several turns of `measure` (their samples and CPU put together)."""
    from bench.http import percentiles

    samples = [ms for turn in turns for ms in turn["samples"]]
    result = percentiles(samples)
    cpu = sum(turn["server_cpu_ms"] * turn["n"] for turn in turns)
    result["server_cpu_ms"] = round(cpu / max(1, len(samples)), 2)
    result["statuses"] = sorted({s for turn in turns for s in turn["statuses"]})
    return result


def screen_query_counts(usernames: dict[str, str], pairs: list) -> dict[str, int]:
    """SQL statements per screen, in process, with a warm session (the second request)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from palier.accounts.models import User

    clients = {}
    for who, username in usernames.items():
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(User.objects.get(username=username))
        clients[who] = client
    counts = {}
    for name, screen, _api, who in pairs:
        path = screen(random.Random(3))
        clients[who].get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = clients[who].get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(ctx.captured_queries)
    return counts


def screen_summary(results: dict[str, dict], counts: dict[str, int]) -> str:
    lines = [
        f"{'screen':44} {'p50':>7} {'p95':>7} {'cpu':>6} {'API p95':>8} {'x API':>6} {'SQL':>4}"
    ]
    for name, r in results.items():
        lines.append(
            f"{name:44} {r['p50']:7.2f} {r['p95']:7.2f} {r['server_cpu_ms']:6.2f} "
            f"{r['api_p95']:8.2f} {r['ratio_p95'] or 0:6.2f} {counts.get(name, 0):4d}"
        )
    return "\n".join(lines)


def dump(results: dict) -> str:
    return json.dumps(results, indent=2)
