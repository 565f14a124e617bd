"""The admin's door (ngx_http_gongkai_admin.c): routes, methods, cookies,
bodies, and the mapping of the database's answers to HTTP (sql/ADMIN.md).

Accounts, lock-out and the audit page have their own tests
(test_admin_login.py); the review chain is in test_review.py.
"""

import http.client
import re
import urllib.parse

import pytest
import requests

from admin_client import AdminClient

DEMO_PASSWORD = "gongkai-demo-2025"


@pytest.fixture
def client(stack):
    return AdminClient(stack)


@pytest.fixture
def drafter(stack):
    c = AdminClient(stack)
    c.login_ok("dh.drafter", DEMO_PASSWORD)
    return c


def session_rows(db, login):
    with db.cursor() as cur:
        cur.execute("select count(*) filter (where ended_at is null),"
                    " count(*) from gongkai.sessions s"
                    " join gongkai.users u on u.id = s.user_id"
                    " where u.login = %s", (login,))
        return cur.fetchone()


def test_login_form_sets_a_paired_cookie(client):
    resp = client.get("login")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    cookie = resp.headers["Set-Cookie"]
    m = re.match(r"gk_login=([0-9a-f]{64}); Path=/admin/; HttpOnly; "
                 r"SameSite=Strict$", cookie)
    assert m, cookie
    assert ('name="csrf" value="%s"' % m.group(1)) in resp.text
    # a new form, a new token
    again = client.get("login")
    assert again.headers["Set-Cookie"] != cookie


def test_login_sets_session_cookie_and_opens_session(client, db):
    before = session_rows(db, "czj.leader")
    resp = client.login("czj.leader", DEMO_PASSWORD)
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/admin/")
    cookies = resp.headers["Set-Cookie"]
    m = re.search(r"gk_session=([0-9a-f]{64}); Path=/admin/; HttpOnly; "
                  r"SameSite=Strict(,|$)", cookies)
    assert m, cookies
    assert "Secure" not in cookies          # plain http in the dev stack
    assert "gk_login=; Path=/admin/; Max-Age=0" in cookies
    after = session_rows(db, "czj.leader")
    assert after[1] == before[1] + 1
    # only the token's SHA-256 is stored, never the token
    with db.cursor() as cur:
        cur.execute("select count(*) from gongkai.sessions"
                    " where token_hash = ext.digest(%s, 'sha256')",
                    (m.group(1),))
        assert cur.fetchone()[0] == 1
        cur.execute("select count(*) from gongkai.sessions"
                    " where encode(token_hash, 'hex') = %s", (m.group(1),))
        assert cur.fetchone()[0] == 0


@pytest.mark.parametrize("csrf", [None, "", "0" * 64, "zz"])
def test_login_without_its_form_token_is_refused(client, db, csrf):
    client.login_form()
    before = session_rows(db, "dh.drafter")
    data = {"login": "dh.drafter", "password": DEMO_PASSWORD}
    if csrf is not None:
        data["csrf"] = csrf
    resp = client.post("login", data, csrf=False)
    assert resp.status_code == 403
    assert "gk_session" not in resp.headers.get("Set-Cookie", "")
    assert session_rows(db, "dh.drafter") == before


def test_login_form_token_without_its_cookie_is_refused(stack, db):
    a, b = AdminClient(stack), AdminClient(stack)
    token = a.login_form()
    resp = b.post("login", {"login": "dh.drafter",
                            "password": DEMO_PASSWORD, "csrf": token},
                  csrf=False)
    assert resp.status_code == 403


@pytest.mark.parametrize("path", ["audit", "audit?user=x"])
def test_pages_without_a_session_go_to_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/admin/login")
    assert resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("cookie", ["x", "g" * 64, "A" * 64, "0" * 64,
                                    "0" * 63, "0" * 65 + ";"])
def test_made_up_session_cookies_are_no_session(stack, cookie):
    resp = requests.get(stack.env["GONGKAI_ADMIN_URL"] + "audit",
                        headers={"Cookie": "gk_session=" + cookie},
                        allow_redirects=False, timeout=30)
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/admin/login")


def test_logout_ends_the_session_server_side(stack, db):
    c = AdminClient(stack)
    c.login_ok("czj.drafter", DEMO_PASSWORD)
    token = c.http.cookies.get("gk_session")
    assert token
    resp = c.post("logout")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/admin/login")
    assert "gk_session=; Path=/admin/; Max-Age=0" in resp.headers["Set-Cookie"]
    with db.cursor() as cur:
        cur.execute("select ended_at is not null from gongkai.sessions"
                    " where token_hash = ext.digest(%s, 'sha256')", (token,))
        assert cur.fetchone() == (True,)
    # the old cookie, replayed, is worth nothing
    replay = requests.get(stack.env["GONGKAI_ADMIN_URL"] + "audit",
                          headers={"Cookie": "gk_session=" + token},
                          allow_redirects=False, timeout=30)
    assert replay.status_code == 303
    assert replay.headers["Location"].endswith("/admin/login")


@pytest.mark.parametrize("csrf", [None, "", "0" * 64])
def test_post_without_the_session_csrf_changes_nothing(drafter, db, csrf):
    token = drafter.http.cookies.get("gk_session")
    data = {} if csrf is None else {"csrf": csrf}
    resp = drafter.post("logout", data, csrf=False)
    assert resp.status_code == 403
    assert "gk_session=;" not in resp.headers.get("Set-Cookie", "")
    with db.cursor() as cur:
        cur.execute("select ended_at is null from gongkai.sessions"
                    " where token_hash = ext.digest(%s, 'sha256')", (token,))
        assert cur.fetchone() == (True,)


def test_unknown_admin_paths_are_404(drafter):
    for path in ["nope", "items/abc", "items/1/nope", "items/1/edit/x",
                 "items/1234567890123456789", "ITEMS", "items/"]:
        resp = drafter.get(path)
        assert resp.status_code == 404, path
        assert resp.headers["Cache-Control"] == "no-store"
        assert "页面不存在" in resp.text


def test_methods(client, stack):
    url = stack.env["GONGKAI_ADMIN_URL"]
    resp = requests.put(url + "login", timeout=30, allow_redirects=False)
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "GET, HEAD, POST"
    # a GET-only page posted to, a POST-only action fetched
    resp = client.post("audit", {})
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "GET, HEAD"
    resp = client.get("logout")
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "POST"


def test_bodies_that_are_not_forms_are_refused(drafter, stack):
    url = drafter.url("logout")
    resp = drafter.http.post(url, data=b'{"csrf": "x"}',
                             headers={"Content-Type": "application/json"},
                             allow_redirects=False, timeout=30)
    assert resp.status_code == 415
    for body in [b"csrf=%zz", b"csrf=%ff", b"csrf=a%00b", b"CSRF=1",
                 b"&".join(b"f=1" for _ in range(201))]:
        resp = drafter.http.post(
            url, data=body, allow_redirects=False, timeout=30,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert resp.status_code == 400, body[:40]
        assert "gk_session=;" not in resp.headers.get("Set-Cookie", "")


def test_bad_query_strings_are_400(drafter):
    resp = drafter.get("audit?user=%ff")
    assert resp.status_code == 400
    resp = drafter.get("audit?" + "a=1&" * 600)
    assert resp.status_code == 414


def test_cookie_never_reaches_the_logs(stack, drafter):
    drafter.get("audit")
    token = drafter.http.cookies.get("gk_session")
    assert token
    log_dir = stack.error_log.parent
    for name in ("access.log", "error.log"):
        path = log_dir / name
        if path.exists():
            assert token not in path.read_text(errors="replace"), name


# --------------------------------------------------------------------------
# uploads: what the module refuses before the database is asked

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(client, files, data=None):
    data = dict(data or {})
    data.setdefault("csrf", client.csrf)
    return client.http.post(client.url("items/1/attachments"), data=data,
                            files=files, allow_redirects=False, timeout=60)


@pytest.mark.parametrize("name,content", [
    ("通知.pdf", b"<html><script>alert(1)</script></html>"),   # not a PDF
    ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),           # an exe
    ("通知.html", b"<html></html>"),                             # not allowed
    ("图.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ("文件.docx", b"PK\x03\x04" + b"\x00" * 100),                # not a docx
    ("报告.png", PDF),                                           # name lies
])
def test_upload_types_are_decided_by_content(drafter, name, content):
    resp = upload(drafter, {"file": (name, content)})
    assert resp.status_code == 415, (name, resp.status_code)
    assert "不支持的附件类型" in resp.text


@pytest.mark.parametrize("name", ["../x.pdf", "a/b.pdf", ".hidden.pdf",
                                  "noext", "a\\b.pdf"])
def test_upload_file_names_are_checked(drafter, name):
    resp = upload(drafter, {"file": (name, PDF)})
    assert resp.status_code == 422, (name, resp.status_code)


def test_upload_size_limit(drafter, stack):
    # gongkai_upload_max_size is 20m in the dev configuration
    big = PDF + b"0" * (20 * 1024 * 1024 + 1 - len(PDF))
    resp = upload(drafter, {"file": ("大文件.pdf", big)})
    assert resp.status_code == 413
    assert "附件过大" in resp.text
    # and client_max_body_size stops what is larger still
    huge = PDF + b"0" * (22 * 1024 * 1024)
    resp = upload(drafter, {"file": ("更大.pdf", huge)})
    assert resp.status_code == 413


def test_upload_needs_a_file_and_a_multipart_body(drafter):
    resp = upload(drafter, {"other": ("x.pdf", PDF)})
    assert resp.status_code == 400
    resp = upload(drafter, {"file": ("空.pdf", b"")})
    assert resp.status_code == 422
    resp = drafter.post("items/1/attachments", {"x": "1"})
    assert resp.status_code == 415
    two = [("file", ("a.pdf", PDF)), ("file", ("b.pdf", PDF))]
    resp = drafter.http.post(drafter.url("items/1/attachments"),
                             data={"csrf": drafter.csrf}, files=two,
                             allow_redirects=False, timeout=60)
    assert resp.status_code == 400


@pytest.mark.parametrize("method,path", [("POST", "audit"),
                                         ("POST", "nope"),
                                         ("PUT", "login"),
                                         ("POST", "items/x")])
def test_refused_bodies_do_not_become_the_next_request(stack, method, path):
    """A request refused before its body is read (405, 404) must not
    leave the body on a kept-alive connection: nginx would read it as the
    next request (found under valgrind, where the timing shows it)."""
    url = urllib.parse.urlsplit(stack.env["GONGKAI_ADMIN_URL"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        body = b"csrf=" + b"x" * 64 + b"&title=" + b"y" * 5000
        conn.request(method, url.path + path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        first = conn.getresponse()
        first.read()
        assert first.status in (404, 405)
        assert not first.will_close
        conn.request("GET", url.path + "login")
        second = conn.getresponse()
        second.read()
        assert second.status == 200
    finally:
        conn.close()
