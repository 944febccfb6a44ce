"""A task for test_across_processes: it appends its number and its process to a file."""

from __future__ import annotations

import os

from django_tasks import task


@task()
def record_run(number: int) -> None:
    # O_APPEND: each line is written whole, whichever process writes it.
    fd = os.open(os.environ["PALIER_RACE_RECORD"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{number} {os.getpid()}\n".encode())
    finally:
        os.close(fd)
