"""Request bodies are capped before they are read: tried against the real server process
(gunicorn on `palier.wsgi:application`, the command `palier serve` and `palier demo` run)
and, for what a server never sends, against the WSGI middleware itself."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from palier.lib.body_limit import BodyLimitMiddleware
from palier.ops.processes import gunicorn_command, listen

LIMIT = 1024 * 1024  # the server's upload limit in these tests: 1 MiB


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with one sync worker, on a port opened here, its temp folder watched."""
    data = tmp_path_factory.mktemp("data")
    temp = tmp_path_factory.mktemp("tmp")
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    env = {
        **os.environ,
        "PALIER_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "palier.settings",
        "PALIER_DATA_DIR": str(data),
        "PALIER_MAX_UPLOAD_BYTES": str(LIMIT),
        "TMPDIR": str(temp),
    }
    env.pop("DATABASE_URL", None)  # nothing here reaches the database
    command = gunicorn_command(f"fd://{sock.fileno()}", 1, access_log=False)
    process = subprocess.Popen(  # noqa: S603
        command, env=env, pass_fds=[sock.fileno()], stderr=subprocess.PIPE
    )
    sock.close()
    # The listening socket is open from the start: the first request waits in its backlog
    # until the worker has booted (seconds, or a minute on a loaded machine).
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            status, _headers, _body = raw_request(
                port, b"GET /api/v1/ HTTP/1.1\r\n\r\n", timeout=120
            )
            if status == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")
    yield port, temp
    process.terminate()
    process.wait(timeout=20)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def read_answer(conn: socket.socket, timeout: float = 15) -> tuple[int, dict[str, str], bytes]:
    conn.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def raw_request(
    port: int, head: bytes, body: bytes = b"", timeout: float = 15
) -> tuple[int, dict, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(head.replace(b"\r\n\r\n", b"\r\nHost: localhost\r\n\r\n", 1) + body)
        return read_answer(conn, timeout)


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(server):
    port, temp = server
    with socket.create_connection(("127.0.0.1", port), timeout=15) as conn:
        conn.sendall(
            b"POST /portal/requests/1/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 1610612736\r\n\r\n" + b"x" * 65536
        )
        status, headers, body = read_answer(conn)
    assert status == 413
    assert "1 MB" in body.decode()
    # Answered while only 64 KiB of the 1.5 GB were sent: nothing waited for the rest.
    assert folder_size(temp) == 0


def test_a_chunked_upload_is_cut_off_at_the_limit_while_it_streams(server):
    port, temp = server
    sent = 0
    conn = socket.create_connection(("127.0.0.1", port), timeout=15)

    def stream() -> None:
        nonlocal sent
        chunk = b"y" * 65536
        framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        try:
            conn.sendall(
                b"POST /portal/requests/1/ HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            for _ in range(25 * 16):  # would be 25 MiB
                conn.sendall(framed)
                sent += len(chunk)
        except OSError:
            pass  # the server stopped reading and closed: what this test wants

    sender = threading.Thread(target=stream, daemon=True)
    sender.start()
    status, _headers, body = read_answer(conn)
    sender.join(timeout=20)
    conn.close()
    assert status == 413
    assert sent < 25 * 1024 * 1024  # cut off before the end, not after it
    assert folder_size(temp) <= 2 * LIMIT


def test_an_api_body_over_its_limit_answers_413_in_json(server):
    port, _temp = server
    status, headers, body = raw_request(
        port,
        b"POST /api/v1/tickets HTTP/1.1\r\nContent-Type: application/json\r\n"
        b"Accept-Language: de\r\nContent-Length: 5000000\r\n\r\n",
    )
    assert status == 413 and headers["content-type"] == "application/json; charset=utf-8"
    error = json.loads(body)["error"]
    assert error["code"] == "payload_too_large"
    assert error["details"] == {"limit_bytes": 2 * 1024 * 1024}
    assert "MB" in error["message"] and "request is too large" not in error["message"]


def test_a_chunked_body_within_its_limit_reaches_the_desk_whole(server):
    port, _temp = server
    payload = json.dumps({"reason": "x" * 1000}).encode()
    framed = b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n"
    status, _headers, body = raw_request(
        port,
        b"POST /api/v1/consent-links/not-a-link/decline HTTP/1.1\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        framed,
    )
    # The body was read and validated (an empty one answers 422): the link is what is wrong.
    assert status not in (400, 413, 422), body
    assert json.loads(body)["error"]["code"] != "validation_error"


def _echo(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


def call(app, environ: dict) -> tuple[str, bytes]:
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    body = b"".join(app({"PATH_INFO": "/x", "REQUEST_METHOD": "POST", **environ}, start_response))
    return seen["status"], body


def test_the_middleware_hands_a_chunked_body_within_the_limit_on_with_its_length(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    status, body = call(
        BodyLimitMiddleware(_echo),
        {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"a" * 1000)},
    )
    assert (status, body) == ("200 OK", b"a" * 1000)


def test_the_middleware_never_reads_past_the_limit_whatever_was_declared(settings):
    """A server that passes on more than Content-Length said: reading stops at the limit."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    stream = io.BytesIO(b"b" * 5000)

    def greedy(environ, start_response):
        environ["wsgi.input"].read()
        start_response("200 OK", [])
        return [b"read it all"]

    status, body = call(BodyLimitMiddleware(greedy), {"CONTENT_LENGTH": "10", "wsgi.input": stream})
    assert status.startswith("413")
    assert stream.tell() <= 1001


def test_a_long_api_address_is_read_and_a_too_long_one_answers_json_414(server):
    """gunicorn's default request line (4094 bytes) cut long searches with an HTML 414."""
    port, _temp = server
    status, headers, body = raw_request(
        port, b"GET /api/v1/tickets?q=" + b"a" * 6000 + b" HTTP/1.1\r\n\r\n"
    )
    assert status == 401 and headers["content-type"].startswith("application/json")
    status, headers, body = raw_request(
        port, b"GET /api/v1/tickets?q=" + b"a" * 8100 + b" HTTP/1.1\r\n\r\n"
    )
    assert status == 414 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "uri_too_long"


@pytest.mark.django_db
def test_the_413_page_speaks_the_language_the_other_pages_speak(client, world, settings):
    """The language switch's cookie, then the signed-in user's profile, then the browser."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    world.contact_b.language = "fr"
    world.contact_b.save(update_fields=["language"])
    client.force_login(world.contact_b)
    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    app = BodyLimitMiddleware(_echo)
    too_large = {"CONTENT_LENGTH": "5000", "wsgi.input": io.BytesIO(b""), "PATH_INFO": "/portal/"}

    def page(**headers) -> str:
        status, body = call(app, {**too_large, **headers})
        assert status.startswith("413")
        return body.decode()

    assert "La requête est trop volumineuse" in page(HTTP_COOKIE=session, HTTP_ACCEPT_LANGUAGE="de")
    chosen = f"{session}; {settings.LANGUAGE_COOKIE_NAME}=it"
    assert "La richiesta è troppo grande" in page(HTTP_COOKIE=chosen, HTTP_ACCEPT_LANGUAGE="de")
    assert "Die Anfrage ist zu gross" in page(HTTP_ACCEPT_LANGUAGE="de")  # nobody signed in
    forged = f"{settings.SESSION_COOKIE_NAME}=no-such-session"
    assert "Die Anfrage ist zu gross" in page(HTTP_COOKIE=forged, HTTP_ACCEPT_LANGUAGE="de")
    assert "The request is too large" in page()
