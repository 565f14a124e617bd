"""Database down: pages the cache (gongkai_cache) holds are served stale,
byte for byte, with "X-Gongkai-Cache: STALE"; the others answer a Chinese
503 in the layout within the configured timeout; nothing crashes, and
service comes back by itself when PostgreSQL is back (no nginx reload),
the cache serving again once its LISTEN connection is back."""

import os
import random
import re
import time

from conftest import (PLATFORM_NAME, ROOT, assert_layout, http_request,
                      item_path)


DB_TIMEOUT = 5.0        # gongkai_db_timeout of the dev configuration
SLACK = 3.0


def _configured_timeout(stack):
    conf = open(stack.env["GONGKAI_NGINX_CONF"], encoding="utf-8").read()
    m = re.search(r"^\s*gongkai_db_timeout\s+(\d+)(ms|s)?\s*;", conf, re.M)
    if m is None:
        return DB_TIMEOUT
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "ms" else v


def _nginx_pids(stack):
    pidfile = ROOT / "var" / "run" / "nginx.pid"
    master = int(open(pidfile).read().strip())
    workers = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                stat = open("/proc/%s/stat" % pid).read()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == master:
                workers.add(int(pid))
    return master, workers


def _log_size(stack):
    try:
        return stack.error_log.stat().st_size
    except FileNotFoundError:
        return 0


def _log_since(stack, offset):
    with open(stack.error_log, "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def _assert_no_crash(log):
    for bad in ("[alert]", "[crit]", "[emerg]", "exited on signal"):
        assert bad not in log, "error log has %s:\n%s" % (bad, log[-3000:])


def _wait_ok(stack, path, limit):
    deadline = time.monotonic() + limit
    last = None
    while time.monotonic() < deadline:
        try:
            last = http_request(stack, path, timeout=10)
            if last.status == 200:
                return last
        except OSError as e:
            last = e
        time.sleep(0.3)
    return last


def _cached(stack, path):
    """Fetch path until the cache answers it (a LISTEN connection that
    was just lost, test_zz_apply_crash, may take its reconnect delay)."""
    for _ in range(100):
        resp = http_request(stack, path)
        assert resp.status == 200, resp
        if resp.header("X-Gongkai-Cache") == "HIT":
            return resp
        time.sleep(0.1)
    raise AssertionError("%s is never served from the cache" % path)


def _pg_start(stack):
    """tools/stack pg-start; a PostgreSQL already running again (another
    run of the suite on the same stack started it) is fine too."""
    res = stack.stack_tool("pg-start")
    if res.returncode == 0:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            stack.connect_db().close()
            return
        except Exception:
            time.sleep(0.5)
    raise AssertionError("tools/stack pg-start failed and PostgreSQL is "
                         "not running:\n" + res.stdout + res.stderr)


def test_database_down_and_back(stack, demo, published):
    timeout = _configured_timeout(stack)
    idx = published[0]["index_no"]
    title = published[0]["title"]
    year = published[0]["published_at"].year
    master, workers = _nginx_pids(stack)
    assert workers, "no nginx worker found"
    # warm: the pool is connected; these pages are in the cache
    assert http_request(stack, "/catalogue").status == 200
    cached = {}
    for path in ("/catalogue", item_path(idx), "/", "/guide"):
        cached[path] = _cached(stack, path).body
    # and these never were (a page number nobody asked for)
    pages = random.sample(range(2, 100000), 3)
    uncached = ["/catalogue?page=%d" % pages[0],
                "/catalogue?year=%d&page=%d" % (year, pages[1])]
    offset = _log_size(stack)

    stopped = False
    try:
        res = stack.stack_tool("pg-stop")
        stopped = True
        assert res.returncode == 0, res.stderr

        # stale-if-error: what the cache holds, unchanged, and said so
        for path, body in cached.items():
            resp = http_request(stack, path, timeout=timeout + 10)
            assert resp.status == 200, "%s during outage: %r" % (path, resp)
            assert resp.header("X-Gongkai-Cache") == "STALE", (
                "%s: X-Gongkai-Cache %r" % (path,
                                            resp.header("X-Gongkai-Cache")))
            assert resp.elapsed <= timeout + SLACK
            assert resp.body == body, "%s: not the cached page" % path
            assert_layout(resp)
        resp = http_request(stack, item_path(idx), method="HEAD",
                            timeout=timeout + 10)
        assert resp.status == 200 and resp.body == b""
        assert resp.header("X-Gongkai-Cache") == "STALE"

        for path in uncached + [item_path(idx) + "/files/%d" % pages[2]]:
            resp = http_request(stack, path, timeout=timeout + 10)
            assert resp.status == 503, "%s during outage: %r" % (path, resp)
            assert resp.elapsed <= timeout + SLACK, (
                "%s: 503 after %.1f s" % (path, resp.elapsed))
            assert resp.header("X-Gongkai-Cache") == "MISS"
            assert_layout(resp)
            assert PLATFORM_NAME in resp.page.text
            assert title not in resp.text
            assert "不可用" in resp.page.text or "稍后" in resp.page.text, (
                "the 503 page has no Chinese explanation")

        # HEAD as well, and static files are unaffected
        resp = http_request(stack, uncached[0], method="HEAD",
                            timeout=timeout + 10)
        assert resp.status == 503 and resp.body == b""
        css = http_request(stack, "/static/gongkai.css", timeout=3)
        assert css.status == 200

        log = _log_since(stack, offset)
        assert re.search(r"\[error\]", log), (
            "no [error] line logged for the lost database:\n" + log[-2000:])
        _assert_no_crash(log)
    finally:
        if stopped:
            _pg_start(stack)

    # back within a few seconds, without reloading nginx
    resp = _wait_ok(stack, uncached[0], 10)
    assert getattr(resp, "status", None) == 200, (
        "no recovery within 10 s after pg-start: %r" % resp)
    resp = _wait_ok(stack, item_path(idx), 5)
    assert resp.status == 200
    assert resp.header("X-Gongkai-Cache") != "STALE"
    assert resp.page.contains_text(title)
    # every connection of the pool recovered, not just one
    for n in range(12):
        resp = http_request(stack, uncached[1] + "&after=%d.%d" % (n, n))
        assert resp.status == 200
    # and the cache serves again once it listens again
    for _ in range(50):
        resp = http_request(stack, "/guide")
        if resp.header("X-Gongkai-Cache") == "HIT":
            break
        time.sleep(0.2)
    assert resp.header("X-Gongkai-Cache") == "HIT", (
        "the cache does not serve again after the outage")
    assert _nginx_pids(stack) == (master, workers), (
        "nginx was restarted or a worker replaced")
    _assert_no_crash(_log_since(stack, offset))
