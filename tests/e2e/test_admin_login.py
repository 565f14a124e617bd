"""Signing in and out of the admin through nginx: the login page, every
demo login, wrong passwords, the lock-out, the session cookie, logout,
expiry, CSRF, the audit page's search and organ scope, and no token in
the logs (issue 3 "Accounts and sessions", "Audit").

Nothing here measures time.  A failed login is answered after a delay the
database chooses; the tests read that delay from the audit row
(detail.delay).  The lock-out test sets login.slow_after high for its own
duration (restored afterwards) so that five failures are not 23 seconds
of waiting.  Users that fail logins are the test's own (e2e.*), created
and reset through the database; the demo users only log in correctly.
"""

import re
import uuid

import psycopg2.extras
import pytest

from admin_client import AdminClient
from conftest import ROOT, assert_html_headers

WRONG = "用户名或密码错误"
PASSWORD = "e2e-password-1"
OFFICE = "11533100000000101D"       # 德宏州人民政府办公室
FINANCE = "11533100000000102D"      # 德宏州财政局

HEX64 = re.compile(r"^[0-9a-f]{64}$")

# every token the tests saw in a cookie; none may reach a log
SEEN_TOKENS = set()


# --------------------------------------------------------------------------
# helpers

def demo_logins():
    """(login, password) of every demo user, from sql/demo/LOGINS."""
    text = (ROOT / "sql" / "demo" / "LOGINS").read_text(encoding="utf-8")
    password = re.search(r"演示账户密码:\s*(\S+)", text).group(1)
    logins = re.findall(r"^([a-z]+\.[a-z]+)\s", text, re.M)
    assert len(logins) == 13
    return [(name, password) for name in logins]


def set_cookies(resp):
    """{name: (value, [attributes])} of the response's Set-Cookie lines."""
    out = {}
    for line in resp.raw.headers.getlist("Set-Cookie"):
        parts = [p.strip() for p in line.split(";")]
        name, _, value = parts[0].partition("=")
        out[name] = (value, parts[1:])
        if HEX64.match(value):
            SEEN_TOKENS.add(value)
    return out


def cookie_attrs(attrs):
    return {a.split("=", 1)[0].lower(): (a.split("=", 1) + [""])[1]
            for a in attrs}


def location_is(resp, client, path):
    assert resp.status_code == 303, (resp.status_code, resp.text[:300])
    loc = resp.headers["Location"]
    assert loc == client.url(path) or loc == "/admin/" + path, loc


def session_cookie(client):
    for c in client.http.cookies:
        if c.name == "gk_session":
            return c.value
    return None


class Db:

    def __init__(self, conn):
        self.conn = conn

    def rows(self, sql, args=()):
        with self.conn.cursor(
                cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def value(self, sql, args=()):
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            r = cur.fetchone()
            return r[0] if r else None

    def run(self, sql, args=()):
        with self.conn.cursor() as cur:
            cur.execute(sql, args)

    def user(self, login):
        return self.rows("select * from gongkai.users where login = %s",
                         (login,))[0]

    def session(self, token):
        rows = self.rows("select * from gongkai.sessions where token_hash = "
                         "ext.digest(%s, 'sha256')", (token,))
        return rows[0] if rows else None

    def audit(self, login, since, action=None):
        return self.rows("select * from gongkai.audit_log "
                         "where actor_login = %s and id > %s "
                         "and (%s::text is null or action = %s) order by id",
                         (login, since, action, action))

    def new_sessions(self, uid, since):
        return self.value("select count(*) from gongkai.sessions "
                          "where user_id = %s and id > %s", (uid, since))

    def last_session_id(self):
        return self.value("select coalesce(max(id), 0) "
                          "from gongkai.sessions")

    def last_audit_id(self):
        return self.value("select coalesce(max(id), 0) "
                          "from gongkai.audit_log")


@pytest.fixture(scope="module")
def dbx(db):
    return Db(db)


@pytest.fixture
def e2e_user(dbx):
    """A fresh-state user of the office: (login, id); made once, reset
    before every test (the audit log keeps what it did, by design)."""
    def make(suffix="login", organ=OFFICE, roles=("drafter",)):
        login = "e2e." + suffix
        dbx.run("insert into gongkai.users (organ_id, login, name, "
                "password_hash) select id, %s, '测试人员', "
                "gongkai.password_hash(%s) from gongkai.organs "
                "where unit_code = %s on conflict (login) do nothing",
                (login, PASSWORD, organ))
        uid = dbx.value("select id from gongkai.users where login = %s",
                        (login,))
        dbx.run("update gongkai.users set failed_logins = 0, "
                "last_failed_at = null, locked_until = null, active = true "
                "where id = %s", (uid,))
        dbx.run("delete from gongkai.user_roles where user_id = %s", (uid,))
        for r in roles:
            dbx.run("insert into gongkai.user_roles values (%s, %s)",
                    (uid, r))
        return login, uid
    return make


@pytest.fixture
def client(stack):
    return AdminClient(stack)


@pytest.fixture
def new_client(stack):
    return lambda: AdminClient(stack)


@pytest.fixture
def no_slowdown(dbx):
    """login.slow_after far away for one test: no failure is delayed."""
    old = dbx.value("select value from gongkai.settings "
                    "where key = 'login.slow_after'")
    dbx.run("update gongkai.settings set value = '1000' "
            "where key = 'login.slow_after'")
    try:
        yield
    finally:
        dbx.run("update gongkai.settings set value = %s "
                "where key = 'login.slow_after'", (old,))


def logged_in(client, login, password):
    resp = client.login(login, password)
    location_is(resp, client, "")
    cookies = set_cookies(resp)
    assert "gk_session" in cookies
    # the CSRF token of the session, from a page that has the layout
    page = client.get("audit")
    assert page.status_code == 200, page.status_code
    assert client.csrf and HEX64.match(client.csrf)
    return session_cookie(client)


# --------------------------------------------------------------------------
# the login page

def test_login_page(client):
    resp = client.get("login")
    assert resp.status_code == 200
    assert_html_headers(FakeResp(resp))
    html = resp.text
    assert '<html lang="zh-CN">' in html
    assert "/static/admin-accounts.css" in html
    # labelled fields with autocomplete, and the pre-login token
    assert re.search(r'<label for="login-name">用户名</label>', html)
    assert re.search(r'<label for="login-password">密码</label>', html)
    name = re.search(r'<input id="login-name"[^>]*>', html).group(0)
    pw = re.search(r'<input id="login-password"[^>]*>', html).group(0)
    assert 'autocomplete="username"' in name and 'name="login"' in name
    assert 'autocomplete="current-password"' in pw
    assert 'type="password"' in pw and 'name="password"' in pw
    assert "aria-invalid" not in name
    assert re.search(r'<form class="login-form" method="post" '
                     r'action="login">', html)
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)
    cookies = set_cookies(resp)
    assert cookies["gk_login"][0] == token
    attrs = cookie_attrs(cookies["gk_login"][1])
    assert "httponly" in attrs and attrs.get("samesite") == "Strict"
    # the (empty) live region for messages is there, with no message
    assert '<div id="login-error" class="login-alert" role="alert"></div>' \
        in html


class FakeResp:
    """conftest's header assertions for a requests response."""

    def __init__(self, resp):
        self.resp = resp

    def header(self, name, default=None):
        return self.resp.headers.get(name, default)

    def __repr__(self):
        return "<%s>" % self.resp.url


# --------------------------------------------------------------------------
# logging in

@pytest.mark.parametrize("login,password", demo_logins())
def test_each_demo_user_logs_in(new_client, dbx, login, password):
    client = new_client()
    since = dbx.last_audit_id()
    resp = client.login(login, password)
    location_is(resp, client, "")
    cookies = set_cookies(resp)
    token, attrs = cookies["gk_session"]
    assert HEX64.match(token)
    a = cookie_attrs(attrs)
    assert "httponly" in a, attrs
    assert a.get("samesite") == "Strict", attrs
    assert a.get("path") == "/admin/", attrs
    assert "secure" not in a, "Secure over plain http: %r" % attrs
    # the pre-login cookie is cleared
    assert cookies["gk_login"][0] == ""
    # the database knows the session by the token's hash only
    s = dbx.session(token)
    user = dbx.user(login)
    assert s is not None and s["user_id"] == user["id"]
    assert s["ended_at"] is None and s["client"] is not None
    rows = dbx.audit(login, since, "login")
    assert len(rows) == 1 and rows[0]["detail"] == {"session": s["id"]}
    # and it opens the admin: the audit page says who is signed in
    page = client.get("audit")
    assert page.status_code == 200
    assert user["name"] in page.text


def test_wrong_password(client, dbx, e2e_user):
    login, uid = e2e_user("wrong")
    since, since_s = dbx.last_audit_id(), dbx.last_session_id()
    resp = client.login(login, "not-the-password")
    assert resp.status_code == 200
    html = resp.text
    assert re.search(r'role="alert"><p>%s。</p>' % WRONG, html)
    assert re.search(r'<input [^>]*id="login-name"[^>]*value="e2e.wrong"'
                     r'[^>]*aria-invalid="true"', html)
    assert "gk_session" not in set_cookies(resp)
    assert session_cookie(client) is None
    assert dbx.user(login)["failed_logins"] == 1
    rows = dbx.audit(login, since, "login.failed")
    assert [r["detail"] for r in rows] == [{"failures": 1, "delay": 1}]
    assert dbx.new_sessions(uid, since_s) == 0
    # the second failure in a row is answered later still
    client.login(login, "still-not-it")
    rows = dbx.audit(login, since, "login.failed")
    assert rows[-1]["detail"] == {"failures": 2, "delay": 2}


def test_unknown_name_gets_the_same_answer(client, dbx, no_slowdown):
    name = "e2e.nobody." + uuid.uuid4().hex[:8]
    since = dbx.last_audit_id()
    resp = client.login(name, "whatever-it-is")
    assert resp.status_code == 200
    assert re.search(r'role="alert"><p>%s。</p>' % WRONG, resp.text)
    assert 'value="%s"' % name in resp.text
    rows = dbx.audit(name, since)
    assert [(r["action"], r["actor_id"], r["detail"]["failures"])
            for r in rows] == [("login.failed", None, 1)]


def test_lock_after_five_failures(client, new_client, dbx, e2e_user,
                                  no_slowdown):
    login, uid = e2e_user("lock")
    since, since_s = dbx.last_audit_id(), dbx.last_session_id()
    for n in range(1, 5):
        resp = client.login(login, "bad-password-%d" % n)
        assert resp.status_code == 200 and WRONG in resp.text
    resp = client.login(login, "bad-password-5")
    assert resp.status_code == 200
    user = dbx.user(login)
    assert user["failed_logins"] == 5
    until = dbx.value("select to_char(locked_until at time zone "
                      "'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') from "
                      "gongkai.users where id = %s and locked_until > now()",
                      (uid,))
    assert until is not None
    assert "锁定" in resp.text and until in resp.text
    actions = [(r["action"], r["detail"].get("failures"))
               for r in dbx.audit(login, since)]
    assert actions == [("login.failed", n) for n in range(1, 6)] + [
        ("login.locked", 5)]

    # the right password does not open a locked account
    other = new_client()
    resp = other.login(login, PASSWORD)
    assert resp.status_code == 200 and until in resp.text
    assert session_cookie(other) is None
    assert dbx.audit(login, since)[-1]["action"] == "login.refused"
    assert dbx.new_sessions(uid, since_s) == 0

    # the lock runs out (moved back in the database): in again
    dbx.run("update gongkai.users set locked_until = now() - interval "
            "'1 second', last_failed_at = now() - interval '16 minutes' "
            "where id = %s", (uid,))
    resp = other.login(login, PASSWORD)
    location_is(resp, other, "")
    assert dbx.user(login)["failed_logins"] == 0


def test_deactivated_user_is_refused(new_client, dbx, e2e_user):
    login, uid = e2e_user("inactive")
    client = new_client()
    token = logged_in(client, login, PASSWORD)
    dbx.run("update gongkai.users set active = false where id = %s", (uid,))
    try:
        resp = client.get("audit")
        location_is(resp, client, "login")
        assert dbx.session(token)["end_reason"] == "disabled"
        resp = new_client().login(login, PASSWORD)
        assert resp.status_code == 200 and "停用" in resp.text
    finally:
        dbx.run("update gongkai.users set active = true where id = %s",
                (uid,))


# --------------------------------------------------------------------------
# sessions

def test_logout_ends_the_session(new_client, dbx, e2e_user):
    login, uid = e2e_user("logout")
    client = new_client()
    token = logged_in(client, login, PASSWORD)
    since = dbx.last_audit_id()
    resp = client.post("logout")
    location_is(resp, client, "login")
    cookies = set_cookies(resp)
    value, attrs = cookies["gk_session"]
    assert value == "" and "max-age" in cookie_attrs(attrs)
    s = dbx.session(token)
    assert s["ended_at"] is not None and s["end_reason"] == "logout"
    assert [r["action"] for r in dbx.audit(login, since)] == ["logout"]
    # the old cookie, sent again, opens nothing
    thief = new_client()
    thief.http.cookies.set("gk_session", token, path="/admin/")
    location_is(thief.get("audit"), thief, "login")


def test_idle_session_expires(new_client, dbx, e2e_user):
    login, uid = e2e_user("idle")
    client = new_client()
    token = logged_in(client, login, PASSWORD)
    dbx.run("update gongkai.sessions set last_seen = now() - interval "
            "'29 minutes' where token_hash = ext.digest(%s, 'sha256')",
            (token,))
    assert client.get("audit").status_code == 200
    dbx.run("update gongkai.sessions set last_seen = now() - interval "
            "'31 minutes' where token_hash = ext.digest(%s, 'sha256')",
            (token,))
    location_is(client.get("audit"), client, "login")


def test_session_absolute_expiry(new_client, dbx, e2e_user):
    login, uid = e2e_user("absolute")
    client = new_client()
    token = logged_in(client, login, PASSWORD)
    dbx.run("update gongkai.sessions set expires_at = now() "
            "where token_hash = ext.digest(%s, 'sha256')", (token,))
    location_is(client.get("audit"), client, "login")


def test_post_without_a_good_csrf_is_refused(new_client, dbx, e2e_user):
    login, uid = e2e_user("csrf")
    client = new_client()
    token = logged_in(client, login, PASSWORD)
    since = dbx.last_audit_id()
    for data, csrf in (({}, False), ({"csrf": "0" * 64}, True),
                       ({"csrf": client.csrf.upper()}, True)):
        resp = client.post("logout", data, csrf=csrf)
        assert resp.status_code == 403, resp.status_code
        assert "表单已失效" in resp.text
        assert dbx.session(token)["ended_at"] is None
    assert dbx.audit(login, since) == []
    assert client.get("audit").status_code == 200


def test_login_form_needs_its_own_token(new_client, dbx, e2e_user):
    login, uid = e2e_user("precsrf")
    since, since_s = dbx.last_audit_id(), dbx.last_session_id()
    # no gk_login cookie at all
    client = new_client()
    resp = client.post("login", {"login": login, "password": PASSWORD,
                                 "csrf": "a" * 64})
    assert resp.status_code == 403
    # a cookie, but the form's token is another
    client = new_client()
    client.login_form()
    resp = client.post("login", {"login": login, "password": PASSWORD,
                                 "csrf": "b" * 64})
    assert resp.status_code == 403
    # no token in the form
    client = new_client()
    client.login_form()
    resp = client.post("login", {"login": login, "password": PASSWORD},
                       csrf=False)
    assert resp.status_code == 403
    assert session_cookie(client) is None
    assert dbx.audit(login, since) == []
    assert dbx.new_sessions(uid, since_s) == 0


# --------------------------------------------------------------------------
# the audit page

def audit_page(client, **query):
    resp = client.get("audit", params=query)
    assert resp.status_code == 200, resp.status_code
    return resp.text


def row_ids(html):
    return re.findall(r'<a href="items/(\d+)">', html)


@pytest.fixture(scope="module")
def two_items(db):
    """An item id of each organ, with three audit rows about it made as
    the owner (gongkai.audit), as the review chain will."""
    dbx = Db(db)
    ids = {}
    for code, login in ((OFFICE, "dh.drafter"), (FINANCE, "czj.drafter")):
        item = dbx.value("select i.id from gongkai.items i join "
                         "gongkai.organs o on o.id = i.organ_id where "
                         "o.unit_code = %s order by i.id limit 1", (code,))
        uid = dbx.value("select id from gongkai.users where login = %s",
                        (login,))
        for n in range(3):
            dbx.run("select gongkai.audit(%s, '192.0.2.1', 'item.endtoend', "
                    "%s, null, %s)",
                    (uid, item, psycopg2.extras.Json({"n": n})))
        ids[code] = item
    return ids


def test_audit_page_search(new_client, two_items, dbx):
    client = new_client()
    password = dict(demo_logins())["dh.unithead"]
    logged_in(client, "dh.unithead", password)
    item = two_items[OFFICE]
    html = audit_page(client, item=str(item))
    assert row_ids(html) and set(row_ids(html)) == {str(item)}
    assert "<table" in html and '<th scope="col">时间</th>' in html
    assert 'value="%d"' % item in html              # the filter is kept

    html = audit_page(client, user="dh.unithead", action="login")
    assert "dh.unithead" in html and "item.endtoend" not in html
    assert '<option selected="selected" value="login">' in html

    tomorrow = dbx.value("select to_char((now() at time zone "
                         "'Asia/Shanghai')::date + 1, 'YYYY-MM-DD')")
    today = dbx.value("select to_char(now() at time zone 'Asia/Shanghai', "
                      "'YYYY-MM-DD')")
    assert row_ids(audit_page(client, item=str(item), to=today))
    html = audit_page(client, item=str(item), **{"from": tomorrow})
    assert row_ids(html) == [] and "没有符合条件的记录" in html

    html = audit_page(client, **{"from": "2025-02-30"})
    assert re.search(r'role="alert">\s*<p>查询条件有误', html)
    assert "开始日期应为有效日期" in html and "<table" not in html


def test_audit_page_organ_scope(new_client, two_items):
    password = dict(demo_logins())["czj.drafter"]
    client = new_client()
    logged_in(client, "czj.drafter", password)
    mine, theirs = two_items[FINANCE], two_items[OFFICE]
    assert set(row_ids(audit_page(client, item=str(mine)))) == {str(mine)}
    html = audit_page(client, item=str(theirs))
    assert row_ids(html) == [] and "没有符合条件的记录" in html
    html = audit_page(client, action="item.endtoend")
    assert set(row_ids(html)) == {str(mine)}
    assert "dh.drafter" not in html
    assert "德宏傣族景颇族自治州人民政府办公室" not in html

    # the system administrator sees both organs
    client = new_client()
    logged_in(client, "dh.sysadmin", password)
    html = audit_page(client, action="item.endtoend")
    assert {str(mine), str(theirs)} <= set(row_ids(html))


def test_audit_page_pages(new_client, two_items, dbx):
    """50 rows a page; the next/previous links keep the filters."""
    item = two_items[OFFICE]
    uid = dbx.value("select id from gongkai.users where login = 'dh.drafter'")
    have = dbx.value("select count(*) from gongkai.audit_log where "
                     "item_id = %s and action = 'item.endtoend'", (item,))
    for n in range(have, 53):
        dbx.run("select gongkai.audit(%s, null, 'item.endtoend', %s, null, "
                "'{}')", (uid, item))
    client = new_client()
    logged_in(client, "dh.leader", dict(demo_logins())["dh.leader"])
    html = audit_page(client, item=str(item), action="item.endtoend")
    assert len(row_ids(html)) == 50
    m = re.search(r'<a rel="next" href="([^"]+)">下一页</a>', html)
    assert m and 'rel="prev"' not in html
    href = m.group(1).replace("&amp;", "&")
    assert href == ("audit?item=%d&user=&action=item.endtoend&from=&to="
                    "&page=2" % item)
    page2 = client.get(href)
    assert page2.status_code == 200
    assert 0 < len(row_ids(page2.text)) <= 50
    assert re.search(r'<a rel="prev" href="[^"]*page=1">上一页</a>',
                     page2.text)


def test_audit_page_needs_a_session(new_client):
    client = new_client()
    location_is(client.get("audit"), client, "login")


# --------------------------------------------------------------------------
# logs (last: after every other test of this module made its tokens)

def test_no_token_in_the_logs(stack):
    assert len(SEEN_TOKENS) > 10, "the tests above saw no cookie"
    logs = [stack.error_log, stack.error_log.parent / "access.log"]
    for path in logs:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert text, path
        for token in SEEN_TOKENS:
            assert token not in text, "a cookie value is in %s" % path
