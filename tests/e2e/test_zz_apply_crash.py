"""Durable before confirmed (issue 4): while applications stream in, the
PostgreSQL postmaster is killed with SIGKILL; after a restart every
application whose confirmation page was sent is in the database.

The stack's PostgreSQL runs with synchronous_commit = off (tools/stack):
portal.apply_submit turns it on for its own transaction, which is what
this test checks.  It disturbs the stack and runs late (file name); it
always starts PostgreSQL again, and deletes its cases at the end."""

import os
import re
import threading
import time

import requests

from conftest import ROOT, http_request

TAG = "e2e崩溃%d" % (time.time_ns() % 10 ** 9)
CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
TOKEN_RE = re.compile(r'name="form_token" value="([0-9a-f]{64})"')
CODE_RE = re.compile(r'class="apply-code"[^>]*>([^<]+)<')


def _submit(base, n):
    s = requests.Session()
    r = s.get(base + "/apply", timeout=10)
    if r.status_code != 200:
        return None
    data = {"csrf": CSRF_RE.search(r.text).group(1),
            "form_token": TOKEN_RE.search(r.text).group(1),
            "organ": "11533100000000100D", "applicant_kind": "citizen",
            "name": "崩溃测试", "id_type": "resident_id",
            "id_number": "11010519491231002X", "phone": "13800000000",
            "email": "crash@example.com",
            "description": "%s %05d" % (TAG, n),
            "wanted_form": "electronic", "delivery": "email"}
    r = s.post(base + "/apply", data=data, timeout=10)
    if r.status_code != 200:
        return None
    found = CODE_RE.findall(r.text)
    if len(found) != 2:
        return None
    return found[0], data["description"]


def _postmaster_pid():
    with open(ROOT / "var" / "pg" / "postmaster.pid") as f:
        return int(f.readline().strip())


def _pg_start(stack, limit=90):
    """Start PostgreSQL again: the killed postmaster's children may hold
    its shared memory a little while; retry until they are gone."""
    deadline = time.monotonic() + limit
    last = None
    while time.monotonic() < deadline:
        last = stack.stack_tool("pg-start")
        try:
            stack.connect_db().close()
            return
        except Exception:
            time.sleep(1)
    raise AssertionError("PostgreSQL did not start again:\n%s%s"
                         % (last.stdout, last.stderr))


def _cleanup(stack):
    conn = stack.connect_db(autocommit=False)
    try:
        with conn.cursor() as cur:
            cur.execute("select id from gongkai.applications "
                        "where description like %s", (TAG + " %",))
            ids = [r[0] for r in cur.fetchall()]
            if ids:
                for t in ("applicants", "applications"):
                    cur.execute("alter table gongkai.%s disable trigger user"
                                % t)
                cur.execute("delete from gongkai.case_status_throttle "
                            "where case_id = any(%s)", (ids,))
                cur.execute("delete from gongkai.applicants "
                            "where case_id = any(%s)", (ids,))
                cur.execute("delete from gongkai.applications "
                            "where id = any(%s)", (ids,))
                for t in ("applicants", "applications"):
                    cur.execute("alter table gongkai.%s enable trigger user"
                                % t)
        conn.commit()
    finally:
        conn.close()


def test_confirmed_applications_survive_a_postmaster_kill(stack):
    base = stack.env["GONGKAI_URL"].rstrip("/")
    assert os.geteuid() == 0 or os.access(
        ROOT / "var" / "pg" / "postmaster.pid", os.R_OK)
    confirmed = []
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(10 ** 6))

    def stream():
        while not stop.is_set():
            with lock:
                n = next(counter)
            try:
                got = _submit(base, n)
            except (requests.RequestException, AttributeError):
                got = None
            if got is not None:
                with lock:
                    confirmed.append(got)

    threads = [threading.Thread(target=stream) for _ in range(4)]
    killed = False
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(confirmed) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(confirmed) >= 30, "the stream did not get going"
        os.kill(_postmaster_pid(), 9)
        killed = True
        time.sleep(2)            # submissions keep coming while it is down
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        if killed:
            _pg_start(stack)

    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if http_request(stack, "/apply", timeout=10).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        conn = stack.connect_db()
        try:
            with conn.cursor() as cur:
                cur.execute("select tracking_no, description "
                            "from gongkai.applications "
                            "where description like %s", (TAG + " %",))
                stored = dict(cur.fetchall())
        finally:
            conn.close()
        missing = [c for c in confirmed if stored.get(c[0]) != c[1]]
        assert not missing, "confirmed but lost: %r" % missing[:10]
        # and the portal takes applications again
        assert _submit(base, 999999) is not None
    finally:
        _cleanup(stack)
