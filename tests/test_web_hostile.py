"""The dashboard under a hostile web page and hostile clients: origin policy, time
budgets that interrupt, slow and idle connections, errors that leave the connection
usable (issue 11, part 6)."""

from __future__ import annotations

import json
import socket
import threading
import time

import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient

from crossroads.web import Settings, create_app, server_config

BASE = "http://127.0.0.1:8000"


def _many(n: int, seed: int = 7) -> bytes:
    """A scenario of one issue with ``n`` actors on random stakes."""
    rng = np.random.default_rng(seed)
    stakes = [
        {"actor": f"a{i}", "capability": float(c), "position": float(x), "salience": float(s)}
        for i, (c, x, s) in enumerate(
            zip(rng.uniform(1, 100, n), rng.uniform(0, 100, n), rng.uniform(0.1, 1, n), strict=True)
        )
    ]
    doc = {
        "crossroads": 1,
        "id": "many",
        "title": "Many actors",
        "actors": [{"id": f"a{i}", "name": f"A{i}", "kind": "state"} for i in range(n)],
        "issues": [{"id": "big", "title": "Big", "question": "Where?", "stakes": stakes}],
    }
    return yaml.safe_dump(doc).encode()


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(warm=False)), base_url=BASE) as c:
        yield c


def upload(c, name: str, data: bytes, **headers):
    return c.post("/api/upload", files={"file": (name, data)}, headers=headers)


# --- origin -------------------------------------------------------------------------------------

FORECAST = {"scenario": "kazakhstan-2010", "issue": "eu-offer", "model": "mean"}


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/api/forecast", FORECAST),
        ("post", "/api/ensemble", {**FORECAST, "runs": 10}),
        ("post", "/api/linked/summary", {"scenario": "kazakhstan-2010", "runs": 8, "aims": False}),
        (
            "post",
            "/api/linked",
            {"scenario": "kazakhstan-2010", "issues": ["eu-offer", "trade-regime"]},
        ),
        ("get", "/api/report/kazakhstan-2010?runs=0&sensitivity=none", None),
        ("get", "/api/system?scenario=kazakhstan-2010", None),
    ],
)
def test_cross_origin_refused_own_origin_served(client, method, path, body):
    send = getattr(client, method)
    kw = {} if body is None else {"json": body}
    evil = send(path, headers={"Origin": "http://evil.example"}, **kw)
    assert evil.status_code == 403 and "another origin" in evil.json()["error"]
    site = send(path, headers={"Sec-Fetch-Site": "cross-site"}, **kw)
    assert site.status_code == 403 and "cross-site" in site.json()["error"]
    null = send(path, headers={"Origin": "null"}, **kw)
    assert null.status_code == 403
    # another port of the same host is another origin
    assert send(path, headers={"Origin": "http://127.0.0.1:9999"}, **kw).status_code == 403
    own = send(path, headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"}, **kw)
    assert own.status_code == 200, own.text
    assert send(path, **kw).status_code == 200  # no Origin: curl, a script


def test_upload_from_another_site_refused(client):
    data = b"crossroads: 1\nid: x\ntitle: t\nactors: []\n"
    r = upload(client, "x.yaml", data, Origin="http://evil.example")
    assert r.status_code == 403
    assert upload(client, "x.yaml", data, Origin="http://evil.example.", **{
        "Sec-Fetch-Site": "cross-site"}).status_code == 403  # fmt: skip
    # safe GETs stay readable from anywhere (a browser does not let the page read them)
    assert client.get("/api/health", headers={"Origin": "http://evil.example"}).status_code == 200


def test_allowed_origins_setting():
    app = create_app(Settings(warm=False, allowed_origins=("https://dash.example.org",)))
    with TestClient(app, base_url=BASE) as c:
        ok = c.post("/api/forecast", json=FORECAST, headers={"Origin": "https://dash.example.org"})
        assert ok.status_code == 200
        bad = c.post("/api/forecast", json=FORECAST, headers={"Origin": "https://example.org"})
        assert bad.status_code == 403


# --- time budgets -------------------------------------------------------------------------------


def test_a_forecast_over_the_limit_is_stopped():
    app = create_app(Settings(warm=False, compute_seconds=0.5, max_upload_bytes=4_000_000))
    with TestClient(app, base_url=BASE) as c:
        key = upload(c, "many.yaml", _many(200)).json()["key"]
        t0 = time.perf_counter()
        r = c.post("/api/forecast", json={"scenario": key, "model": "smp"})
        took = time.perf_counter() - t0
        assert r.status_code == 503, r.text
        assert r.json()["error"].startswith(
            "this forecast stopped at this server's time limit of 0.5 s"
        )
        assert took < 5
        # the server is fine afterwards
        assert c.post("/api/forecast", json=FORECAST).status_code == 200


def test_an_ensemble_predicted_over_the_limit_is_refused_before_it_runs():
    app = create_app(Settings(warm=False, compute_seconds=2, max_upload_bytes=4_000_000))
    with TestClient(app, base_url=BASE) as c:
        key = upload(c, "many.yaml", _many(60)).json()["key"]
        r = c.post("/api/ensemble", json={"scenario": key, "model": "smp", "runs": 100_000})
        assert r.status_code == 422, r.text
        msg = r.json()["error"]
        assert msg.startswith("this smp ensemble of 100,000 runs would take about ")
        assert "over this server's time limit of 2 s; ask for at most" in msg


@pytest.mark.parametrize(
    "path, body, what",
    [
        ("/api/ensemble", {"model": "eum", "runs": 100_000}, "this ensemble"),
        ("/api/sensitivity", {"model": "eum", "method": "sobol", "samples": 65536}, "this sens"),
        ("/api/compare", {"model": "eum", "runs": 100_000, "interventions": []}, "this comp"),
        ("/api/explore", {"model": "eum", "runs": 100_000}, "this update"),
    ],
)
def test_every_computation_is_bounded(path, body, what):
    app = create_app(Settings(warm=False, compute_seconds=0.3))
    with TestClient(app, base_url=BASE) as c:
        t0 = time.perf_counter()
        r = c.post(path, json={**FORECAST, **body})
        assert time.perf_counter() - t0 < 6
        assert r.status_code in (422, 503), r.text
        msg = r.json()["error"]
        assert msg.startswith(what) or "would take about" in msg, msg
        assert "time limit of 0.3 s" in msg


def test_report_is_bounded():
    app = create_app(Settings(warm=False, compute_seconds=0.2))
    with TestClient(app, base_url=BASE) as c:
        r = c.get("/api/report/kazakhstan-2010?runs=100000")
        assert r.status_code == 503 and r.json()["error"].startswith("this report stopped")


def test_fit_is_interrupted_not_just_checked_between_candidates():
    app = create_app(Settings(warm=False, fit_seconds=1.0, max_upload_bytes=4_000_000))
    with TestClient(app, base_url=BASE) as c:
        key = upload(c, "many.yaml", _many(150)).json()["key"]
        t0 = time.perf_counter()
        r = c.post("/api/fit", json={"scenario": key, "model": "smp", "folds": 2})
        took = time.perf_counter() - t0
        assert r.status_code in (400, 422, 503), r.text
        assert took < 8


def test_errors_inside_the_child_keep_their_status(client):
    r = client.post("/api/forecast", json={**FORECAST, "issue": "no-such-issue"})
    assert r.status_code == 400 and "no-such-issue" in r.json()["error"]
    r = client.post(
        "/api/forecast",
        json={**FORECAST, "issue": "eu-offer", "stakes": [{"actor": "nobody", "position": 1}]},
    )
    assert r.status_code == 400 and "nobody" in r.json()["error"]


# --- connections --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    """A real uvicorn server on a free port, with short connection timeouts."""
    import uvicorn

    settings = Settings(warm=False, header_seconds=1.0, keep_alive_seconds=1.0, body_seconds=1.0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(server_config(settings, port=port))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield port
    srv.should_exit = True
    th.join(10)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    """One HTTP response (status, body) from ``sock`` (Content-Length bodies only)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {buf!r}")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(x.split(":")[1]) for x in lines if x.lower().startswith("content-length"))
    while len(rest) < length:
        rest += sock.recv(65536)
    return status, rest[:length]


def _request(method: str, path: str, body: bytes = b"", port: int = 0) -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def test_slow_loris_is_disconnected(server):
    sock = socket.create_connection(("127.0.0.1", server), timeout=10)
    t0 = time.perf_counter()
    closed_after = None
    try:
        for b in _request("GET", "/api/health", port=server)[:-2]:  # never ends the headers
            sock.sendall(bytes([b]))
            time.sleep(0.05)
    except (BrokenPipeError, ConnectionResetError):
        closed_after = time.perf_counter() - t0
    if closed_after is None:
        sock.settimeout(5)
        data = sock.recv(1024)  # b"" once the server closes
        assert data == b"" or data.startswith(b"HTTP/1.1 408")
        closed_after = time.perf_counter() - t0
    sock.close()
    assert closed_after < 4  # header_seconds=1, plus the byte-by-byte sending


def test_idle_connection_closed(server):
    sock = socket.create_connection(("127.0.0.1", server), timeout=10)
    t0 = time.perf_counter()
    assert sock.recv(1024) == b""
    assert time.perf_counter() - t0 < 4
    sock.close()


def test_slow_body_answered_408(server):
    sock = socket.create_connection(("127.0.0.1", server), timeout=10)
    body = json.dumps(FORECAST).encode()
    sock.sendall(_request("POST", "/api/forecast", body, server)[: -len(body) + 3])
    status, text = _read_response(sock)
    assert status == 408 and "too slowly" in json.loads(text)["error"]
    sock.close()


@pytest.mark.parametrize(
    "bad, status",
    [
        (("GET", "/api/runs/9223372036854775808", b""), 422),
        (("GET", "/api/runs/-1", b""), 422),
        (("POST", "/api/forecast", b"{not json"), 422),
        (("POST", "/api/forecast", b'{"scenario": "' + b"x" * 5000 + b'"}'), 422),
        (("POST", "/api/forecast", json.dumps({**FORECAST, "issue": "y" * 90}).encode()), 400),
        (("GET", "/api/scenarios/" + "z" * 3000, b""), 404),
        (("POST", "/api/forecast", b"[" * 5000 + b"]" * 5000), 400),
    ],
)
def test_a_bad_request_then_a_good_one_on_one_connection(server, bad, status):
    sock = socket.create_connection(("127.0.0.1", server), timeout=30)
    sock.sendall(_request(*bad, port=server))
    got, body = _read_response(sock)
    assert got == status, body
    msg = json.loads(body)["error"]
    assert len(body) < 600 and "\n" not in msg  # one bounded line, no echo of the value
    sock.sendall(_request("POST", "/api/forecast", json.dumps(FORECAST).encode(), server))
    got, body = _read_response(sock)
    assert got == 200 and "outcome" in json.loads(body)
    sock.close()
