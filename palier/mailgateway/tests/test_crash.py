"""Kill the ingest process in the middle of a batch, start it again: every message ends in
exactly one ticket or the quarantine — none twice, none lost."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from palier.mailgateway.models import RawMessage
from palier.mailgateway.tests.servers import command_env, committing
from palier.tickets.models import Ticket

CORPUS = Path(__file__).resolve().parents[2] / "testing" / "eml"
ROOT = Path(__file__).resolve().parents[3]


def _batch(folder: Path) -> int:
    count = 0
    for path in sorted(CORPUS.glob("*.eml")):
        (folder / path.name).write_bytes(path.read_bytes())
        count += 1
    for i in range(30):
        (folder / f"gen-{i:03d}.eml").write_bytes(
            f"From: anna.a@example.com\r\nSubject: Frage {i}\r\nMessage-ID: <crash-{i}@example.com>"
            f"\r\n\r\nWie drucke ich Beleg {i}?\r\n".encode()
        )
        count += 1
    return count


def _run(folder: Path, smtp_port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "palier.cli", "mail", "ingest", "--dir", str(folder)],
        cwd=ROOT,
        env=command_env(smtp_port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@committing
def test_ingest_killed_mid_batch_and_restarted_loses_and_duplicates_nothing(
    world, smtp_server, tmp_path
):
    _sink, smtp_port = smtp_server
    total = _batch(tmp_path)
    first = _run(tmp_path, smtp_port)
    deadline = time.monotonic() + 120
    while RawMessage.objects.count() < total // 3 and time.monotonic() < deadline:
        assert first.poll() is None, first.stderr.read().decode()[-2000:]
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    stopped_at = RawMessage.objects.count()
    assert 0 < stopped_at < total, "the kill must land in the middle of the batch"

    second = _run(tmp_path, smtp_port)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()[-2000:]

    raws = list(RawMessage.objects.all())
    assert len(raws) == total  # none lost, none stored twice (one row per message)
    assert {r.state for r in raws} <= {"processed", "quarantined"}
    ticket_ids = [r.ticket_id for r in raws if r.outcome in ("new_ticket", "refused")]
    assert len(ticket_ids) == len(set(ticket_ids))  # no ticket from two messages
    assert Ticket.objects.filter(channel="email").count() == len(ticket_ids)  # none twice
    for r in raws:
        assert (r.state == "quarantined") or r.outcome, r
