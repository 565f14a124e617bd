"""Accounts, login, sessions, logout and the audit log, in the database
(sql/migrations/0011_accounts.sql, 0012_login.sql, 0013_audit_page.sql).

Every test runs in a transaction that is rolled back.  Inside one
transaction now() stands still, so "time passes" by moving the stored
timestamps back (locked_until, last_failed_at, last_seen, expires_at),
as the owner.  The demo users come from sql/demo/0070_users.sql; the
users a test logs in with are made by the test itself.
"""

import os
import re
from pathlib import Path

import psycopg2
import psycopg2.extras
import pytest

ROOT = Path(__file__).resolve().parents[2]

PASSWORD = "test-password-1"
DEMO_PASSWORD_RE = re.compile(r"演示账户密码:\s*(\S+)")
WRONG = "用户名或密码错误。"

OFFICE = "11533100000000101D"       # 德宏州人民政府办公室
FINANCE = "11533100000000102D"      # 德宏州财政局

ROLES = ("drafter", "unit_head", "secrecy_reviewer", "leader",
         "application_officer", "site_admin")


# --------------------------------------------------------------------------
# helpers

def token():
    return os.urandom(32).hex()


def one(cur, sql, args=None):
    cur.execute(sql, args)
    return cur.fetchone()[0]


def fails(cur, sql, args=None):
    """Run sql expecting an error; return it (the transaction goes on)."""
    cur.execute("savepoint t")
    with pytest.raises(psycopg2.Error) as e:
        cur.execute(sql, args)
    cur.execute("rollback to savepoint t")
    return e.value


def make_user(cur, login, organ=OFFICE, roles=("drafter",),
              password=PASSWORD, active=True, name="测试用户"):
    cur.execute(
        "insert into users (organ_id, login, name, password_hash, active) "
        "select id, %s, %s, password_hash(%s), %s from organs "
        "where unit_code = %s returning id",
        (login, name, password, active, organ))
    uid = cur.fetchone()[0]
    for r in roles:
        cur.execute("insert into user_roles values (%s, %s)", (uid, r))
    return uid


def login(cur, name, password, tok=None, client="192.0.2.7"):
    return one(cur, "select admin.login(%s, %s, %s, %s)",
               (name, password, tok or token(), client))


def user(cur, uid):
    cur.execute("select failed_logins, last_failed_at, locked_until, "
                "locked_until > now() as locked from users where id = %s",
                (uid,))
    return cur.fetchone()


def audit_rows(cur, login_name, action=None):
    cur.execute("select action, actor_id, detail, host(client), organ_id "
                "from audit_log where actor_login = %s "
                "and (%s::text is null or action = %s) order by id",
                (login_name, action, action))
    return cur.fetchall()


def session_of(cur, tok):
    cur.execute("select id, user_id, ended_at, end_reason, csrf from sessions "
                "where token_hash = ext.digest(%s, 'sha256')", (tok,))
    return cur.fetchone()


def sqlstate(cur, sql, args=None):
    return fails(cur, sql, args).pgcode


def logged_in(cur, name, password=PASSWORD):
    tok = token()
    assert login(cur, name, password, tok)["ok"] is True
    return tok


@pytest.fixture
def cur(owner):
    """The owner's cursor, with dict rows where asked."""
    return owner


# --------------------------------------------------------------------------
# stored passwords

def test_stored_hashes_are_bcrypt_cost_10_or_more(cur):
    cur.execute("select login, password_hash from users")
    rows = cur.fetchall()
    assert len(rows) >= 13, "the demo users are missing"
    for name, h in rows:
        m = re.match(r"^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$", h)
        assert m, (name, h)
        assert int(m.group(1)) >= 10, name
    h = one(cur, "select password_hash('long enough')")
    assert h.startswith("$2a$10$")
    assert one(cur, "select ext.crypt('long enough', %s) = %s", (h, h))
    assert sqlstate(cur, "select password_hash('short')") == "GKA22"


def test_a_weak_hash_is_refused_by_the_table(cur):
    weak = one(cur, "select ext.crypt('x', ext.gen_salt('bf', 6))")
    err = fails(cur, "insert into users (organ_id, login, name, "
                     "password_hash) select id, 't.weak', 'x', %s "
                     "from organs limit 1", (weak,))
    assert err.pgcode == "23514"


# --------------------------------------------------------------------------
# login

def test_login_ok_opens_a_session_and_audits(cur):
    uid = make_user(cur, "t.ok")
    cur.execute("update users set failed_logins = 2, "
                "last_failed_at = now() where id = %s", (uid,))
    tok = token()
    res = login(cur, "t.ok", PASSWORD, tok, "198.51.100.4")
    assert res == {"ok": True, "redirect": ""}
    s = session_of(cur, tok)
    assert s is not None and s[1] == uid and s[2] is None
    assert re.match(r"^[0-9a-f]{64}$", s[4])
    # only the hash of the token is kept
    assert one(cur, "select count(*) from sessions where "
                    "encode(token_hash, 'hex') = %s", (tok,)) == 0
    assert user(cur, uid)[:3] == (0, None, None)
    rows = audit_rows(cur, "t.ok", "login")
    assert len(rows) == 1
    assert rows[0][1] == uid and rows[0][3] == "198.51.100.4"
    assert rows[0][2] == {"session": s[0]}
    assert rows[0][4] == one(cur, "select organ_id from users where id = %s",
                             (uid,))


def test_login_name_is_trimmed_and_case_insensitive(cur):
    make_user(cur, "t.case")
    assert login(cur, "  T.Case ", PASSWORD)["ok"] is True


def test_wrong_password_counts_and_slows_down(cur):
    uid = make_user(cur, "t.wrong")
    delays = []
    for n in range(1, 5):
        res = login(cur, "t.wrong", "not-the-password")
        assert res["ok"] is False
        assert res["error"] == WRONG
        assert res["login"] == "t.wrong"
        assert res["status"] == 200
        assert res["invalid"] is True
        delays.append(res["delay"])
        assert user(cur, uid)[0] == n
    assert delays == [1, 2, 4, 8]
    rows = audit_rows(cur, "t.wrong", "login.failed")
    assert [r[2] for r in rows] == [{"failures": n, "delay": d}
                                    for n, d in zip(range(1, 5), delays)]
    assert all(r[1] == uid for r in rows)
    assert one(cur, "select count(*) from sessions where user_id = %s",
               (uid,)) == 0


def test_the_typed_login_comes_back_as_typed(cur):
    res = login(cur, " Nobody.Here<x>", "whatever")
    assert res["login"] == " Nobody.Here<x>"
    assert res["error"] == WRONG


def test_empty_fields_are_not_counted(cur):
    uid = make_user(cur, "t.empty")
    for name, pw in (("t.empty", ""), ("", PASSWORD), (None, None),
                     ("t.empty", None)):
        res = login(cur, name, pw)
        assert res["ok"] is False and res["status"] == 422
        assert res["delay"] == 0 and "请输入" in res["error"]
    assert user(cur, uid)[0] == 0
    assert audit_rows(cur, "t.empty") == []


def test_lock_after_five_failures(cur):
    uid = make_user(cur, "t.lock")
    tok = logged_in(cur, "t.lock")              # an open session
    for _ in range(4):
        login(cur, "t.lock", "bad-password")
    res = login(cur, "t.lock", "bad-password")
    assert res["ok"] is False and res["delay"] == 8
    failed, last, until, locked = user(cur, uid)
    assert failed == 5 and locked
    assert one(cur, "select %s - now() = interval '15 minutes'", (until,))
    local = one(cur, "select to_char(%s at time zone 'Asia/Shanghai', "
                     "'YYYY-MM-DD HH24:MI')", (until,))
    assert "锁定" in res["error"] and local in res["error"]
    locked_rows = audit_rows(cur, "t.lock", "login.locked")
    assert len(locked_rows) == 1 and locked_rows[0][2]["failures"] == 5
    # the open session ended with the lock
    s = session_of(cur, tok)
    assert s[2] is not None and s[3] == "locked"
    assert sqlstate(cur, "select gongkai.session_check(%s, null)",
                    (tok,)) == "GKA01"

    # the right password does not help while locked, and is not checked
    tok2 = token()
    res = login(cur, "t.lock", PASSWORD, tok2)
    assert res["ok"] is False and local in res["error"]
    assert session_of(cur, tok2) is None
    assert user(cur, uid)[0] == 5
    refused = audit_rows(cur, "t.lock", "login.refused")
    assert len(refused) == 1 and refused[0][2]["reason"] == "账户锁定中"


def test_unlock_after_the_lock_time(cur):
    uid = make_user(cur, "t.unlock")
    for _ in range(5):
        login(cur, "t.unlock", "bad-password")
    assert user(cur, uid)[3] is True
    # fifteen minutes later
    cur.execute("update users set locked_until = now() - interval '1 second',"
                " last_failed_at = now() - interval '15 minutes 1 second' "
                "where id = %s", (uid,))
    tok = token()
    assert login(cur, "t.unlock", PASSWORD, tok)["ok"] is True
    assert user(cur, uid)[:3] == (0, None, None)
    assert session_of(cur, tok)[2] is None


def test_a_failure_after_the_lock_counts_from_one(cur):
    uid = make_user(cur, "t.relock")
    for _ in range(5):
        login(cur, "t.relock", "bad-password")
    cur.execute("update users set locked_until = now() - interval '1 second'"
                " where id = %s", (uid,))
    res = login(cur, "t.relock", "bad-password")
    assert res["error"] == WRONG and res["delay"] == 1
    assert user(cur, uid)[0] == 1 and user(cur, uid)[3] is None


def test_old_failures_are_forgotten(cur):
    uid = make_user(cur, "t.old")
    for _ in range(4):
        login(cur, "t.old", "bad-password")
    cur.execute("update users set last_failed_at = now() - "
                "interval '15 minutes' where id = %s", (uid,))
    res = login(cur, "t.old", "bad-password")
    assert res["delay"] == 1 and user(cur, uid)[0] == 1
    assert user(cur, uid)[3] is None            # not locked


def test_unknown_name_behaves_like_a_known_one(cur):
    make_user(cur, "t.known")
    known = [login(cur, "t.known", "bad-password") for _ in range(6)]
    unknown = [login(cur, "t.unknown", "bad-password") for _ in range(6)]
    for k, u in zip(known, unknown):
        assert k["login"] == "t.known" and u["login"] == "t.unknown"
        k.pop("login"), u.pop("login")
        assert k == u
    # the same audit trail, without an actor for the unknown name
    rows = audit_rows(cur, "t.unknown")
    assert [r[0] for r in rows] == ["login.failed"] * 5 + [
        "login.locked", "login.refused"]
    assert all(r[1] is None and r[4] is None for r in rows)
    cur.execute("select failed_logins, locked_until > now() "
                "from login_throttle where login = 't.unknown'")
    assert cur.fetchone() == (5, True)


def test_unknown_name_costs_one_bcrypt(cur):
    """The dummy hash in admin.login is a real bcrypt hash of cost 10
    (so an unknown name takes as long as a known one)."""
    src = one(cur, "select prosrc from pg_proc where proname = 'login' "
                   "and pronamespace = 'admin'::regnamespace")
    m = re.search(r"'(\$2a\$(\d\d)\$[./A-Za-z0-9]{53})'", src)
    assert m and int(m.group(2)) >= 10
    assert "ext.crypt(p_password, dummy)" in src


def test_deactivated_user_is_refused(cur):
    uid = make_user(cur, "t.inactive")
    tok = logged_in(cur, "t.inactive")
    cur.execute("update users set active = false where id = %s", (uid,))
    s = session_of(cur, tok)
    assert s[2] is not None and s[3] == "disabled"
    assert sqlstate(cur, "select gongkai.session_check(%s, null)",
                    (tok,)) == "GKA01"
    tok2 = token()
    res = login(cur, "t.inactive", PASSWORD, tok2)
    assert res["ok"] is False and "停用" in res["error"]
    assert session_of(cur, tok2) is None
    # a wrong password is just a wrong password
    assert login(cur, "t.inactive", "bad-password")["error"] == WRONG


def test_malformed_token_is_refused(cur):
    make_user(cur, "t.token")
    for bad in ("", "abc", "G" * 64, token().upper()):
        assert sqlstate(cur, "select admin.login('t.token', %s, %s, null)",
                        (PASSWORD, bad)) == "GKA22"


# --------------------------------------------------------------------------
# sessions and logout

def test_session_check_and_idle_expiry(cur):
    uid = make_user(cur, "t.idle", roles=("drafter", "leader"))
    tok = logged_in(cur, "t.idle")
    cur.execute("select (s).user_id, (s).login, (s).roles from "
                "(select gongkai.session_check(%s, null) s) x", (tok,))
    assert cur.fetchone() == (uid, "t.idle", ["drafter", "leader"])
    cur.execute("update sessions set last_seen = now() - interval "
                "'29 minutes' where user_id = %s", (uid,))
    one(cur, "select gongkai.session_check(%s, null)", (tok,))
    # the check moved last_seen on
    assert one(cur, "select last_seen = now() from sessions "
                    "where user_id = %s", (uid,))
    cur.execute("update sessions set last_seen = now() - interval "
                "'30 minutes' where user_id = %s", (uid,))
    assert sqlstate(cur, "select gongkai.session_check(%s, null)",
                    (tok,)) == "GKA01"


def test_absolute_expiry(cur):
    uid = make_user(cur, "t.abs")
    tok = logged_in(cur, "t.abs")
    assert one(cur, "select expires_at - created_at from sessions "
                    "where user_id = %s", (uid,)).total_seconds() == 12 * 3600
    cur.execute("update sessions set expires_at = now() "
                "where user_id = %s", (uid,))
    assert sqlstate(cur, "select gongkai.session_check(%s, null)",
                    (tok,)) == "GKA01"


def test_no_or_unknown_token(cur):
    for t in (None, "", "zz", token()):
        assert sqlstate(cur, "select gongkai.session_check(%s, null)",
                        (t,)) == "GKA01"


def test_session_check_post_wants_the_csrf_token(cur):
    make_user(cur, "t.csrf")
    tok = logged_in(cur, "t.csrf")
    csrf = session_of(cur, tok)[4]
    for bad in (None, "", token(), csrf.upper()):
        assert sqlstate(cur, "select gongkai.session_check_post(%s, %s, "
                             "null)", (tok, bad)) == "GKA03"
    one(cur, "select gongkai.session_check_post(%s, %s, null)", (tok, csrf))


def test_logout_ends_the_session(cur):
    uid = make_user(cur, "t.logout")
    tok = logged_in(cur, "t.logout")
    other = logged_in(cur, "t.logout")          # a second browser
    csrf = session_of(cur, tok)[4]
    res = one(cur, "select admin.do_logout(%s, '203.0.113.9', '{}', %s)",
              (tok, psycopg2.extras.Json({"csrf": csrf})))
    assert res == {"redirect": "login"}
    s = session_of(cur, tok)
    assert s[2] is not None and s[3] == "logout"
    assert sqlstate(cur, "select gongkai.session_check(%s, null)",
                    (tok,)) == "GKA01"
    # only that session
    assert session_of(cur, other)[2] is None
    rows = audit_rows(cur, "t.logout", "logout")
    assert len(rows) == 1 and rows[0][1] == uid
    assert rows[0][2] == {"session": s[0]} and rows[0][3] == "203.0.113.9"


def test_logout_with_a_bad_csrf_changes_nothing(cur):
    make_user(cur, "t.logout2")
    tok = logged_in(cur, "t.logout2")
    for form in ({}, {"csrf": token()}, {"csrf": ["a", "b"]}):
        assert sqlstate(cur, "select admin.do_logout(%s, null, '{}', %s)",
                        (tok, psycopg2.extras.Json(form))) == "GKA03"
    assert session_of(cur, tok)[2] is None
    assert audit_rows(cur, "t.logout2", "logout") == []
    assert sqlstate(cur, "select admin.do_logout(null, null, '{}', '{}')") \
        == "GKA01"


# --------------------------------------------------------------------------
# the audit log is append-only and out of the web role's reach

def test_audit_log_refuses_changes_even_by_the_owner(cur):
    cur.execute("select gongkai.audit(null, null, 'login.failed', null, "
                "null, '{}', 't.append')")
    for sql in ("update audit_log set action = 'logout' "
                "where actor_login = 't.append'",
                "delete from audit_log where actor_login = 't.append'",
                "truncate audit_log"):
        err = fails(cur, sql)
        assert err.pgcode == "GKA09", sql
        assert "append-only" in str(err)
    assert len(audit_rows(cur, "t.append")) == 1


def test_web_role_has_no_right_on_the_audit_log(cur, web):
    for p in ("select", "insert", "update", "delete", "truncate",
              "references", "trigger"):
        assert one(cur, "select has_table_privilege('gongkai_web', "
                        "'gongkai.audit_log', %s)", (p,)) is False, p
    for sql in ("select * from gongkai.audit_log limit 1",
                "insert into gongkai.audit_log (action) values ('login')",
                "update gongkai.audit_log set action = 'login'",
                "delete from gongkai.audit_log",
                "truncate gongkai.audit_log",
                "select gongkai.audit(null, null, 'login', null, null, "
                "'{}')"):
        assert fails(web, sql).pgcode == "42501", sql


def test_web_role_cannot_read_accounts(web):
    for t in ("users", "user_roles", "sessions", "settings", "staff_roles",
              "login_throttle", "audit_actions", "audit_detail_names"):
        assert fails(web, "select * from gongkai.%s limit 1" % t).pgcode \
            == "42501", t
    for sql in ("select gongkai.session_check(null, null)",
                "select gongkai.session_open(%s, 1, null)" % repr(token()),
                "select gongkai.password_hash('long enough')"):
        assert fails(web, sql).pgcode == "42501", sql


def test_web_role_may_execute_the_admin_functions(cur, web):
    cur.execute(
        "select p.oid::regprocedure::text, p.prosecdef, p.proconfig, "
        "pg_get_userbyid(p.proowner), "
        "has_function_privilege('gongkai_web', p.oid, 'execute'), "
        "has_function_privilege('public', p.oid, 'execute') "
        "from pg_proc p where p.pronamespace = 'admin'::regnamespace")
    rows = {r[0].split("(")[0]: r[1:] for r in cur.fetchall()}
    for f in ("admin.login", "admin.do_logout", "admin.page_audit"):
        secdef, conf, owner, web_can, public_can = rows[f]
        assert secdef and owner == "gongkai_owner", f
        assert "search_path=gongkai, pg_temp" in conf, f
        assert web_can and not public_can, f
    # and it works as the web role: an unknown name, nothing revealed
    web.execute("select admin.login('t.nobody', 'x', %s, '127.0.0.1')",
                (token(),))
    assert web.fetchone()[0]["error"] == WRONG


# --------------------------------------------------------------------------
# the audit page

def page(cur, tok, **query):
    return one(cur, "select admin.page_audit(%s, '127.0.0.1', '{}', %s)",
               (tok, psycopg2.extras.Json(query)))


def test_audit_page_roles(cur):
    """Every role may open the page (0013); a user without a role may
    not; only system_admin sees every organ."""
    make_user(cur, "t.norole", roles=())
    tok = logged_in(cur, "t.norole")
    assert sqlstate(cur, "select admin.page_audit(%s, null, '{}', '{}')",
                    (tok,)) == "GKA04"
    for role in ROLES + ("system_admin",):
        name = "t.r." + role.replace("_", "")
        make_user(cur, name, roles=(role,))
        p = page(cur, logged_in(cur, name))
        assert p["me"]["login"] == name and p["csrf"], role
        assert p["scope_all"] is (role == "system_admin"), role
        assert name in {r["actor_login"] for r in p["rows"]}, role
    assert sqlstate(cur, "select admin.page_audit(null, null, '{}', '{}')") \
        == "GKA01"


def test_audit_page_organ_scope(cur):
    make_user(cur, "t.dh.head", OFFICE, ("drafter",))
    make_user(cur, "t.cz.head", FINANCE, ("drafter",))
    make_user(cur, "t.sys", OFFICE, ("system_admin",))
    dh = logged_in(cur, "t.dh.head")
    cz = logged_in(cur, "t.cz.head")
    login(cur, "t.dh.head", "bad-password")
    login(cur, "t.nobody.at.all", "bad-password")
    seen_dh = {r["actor_login"] for r in page(cur, dh)["rows"]}
    seen_cz = {r["actor_login"] for r in page(cur, cz)["rows"]}
    assert "t.dh.head" in seen_dh and "t.cz.head" not in seen_dh
    assert "t.cz.head" in seen_cz and "t.dh.head" not in seen_cz
    assert "t.nobody.at.all" not in seen_dh | seen_cz
    office = one(cur, "select name from organs where unit_code = %s",
                 (OFFICE,))
    assert {r["organ_name"] for r in page(cur, dh)["rows"]} == {office}
    seen_sys = {r["actor_login"]
                for r in page(cur, logged_in(cur, "t.sys"))["rows"]}
    assert {"t.dh.head", "t.cz.head", "t.nobody.at.all"} <= seen_sys


def test_audit_page_filters(cur):
    make_user(cur, "t.filter", roles=("leader",), name="测试领导")
    tok = logged_in(cur, "t.filter")
    item = one(cur, "select id from items where organ_id = (select id from "
                    "organs where unit_code = %s) and index_no is not null "
                    "order by id limit 1", (OFFICE,))
    index_no = one(cur, "select index_no from items where id = %s", (item,))
    uid = one(cur, "select id from users where login = 't.filter'")
    for n in range(3):
        cur.execute("select gongkai.audit(%s, null, 'item.test', %s, null, "
                    "%s)", (uid, item, psycopg2.extras.Json({"n": n})))

    rows = page(cur, tok, item=str(item))["rows"]
    assert len(rows) >= 3 and all(r["item_id"] == item for r in rows)
    assert page(cur, tok, item=index_no)["rows"] == rows

    rows = page(cur, tok, user="T.Filter")["rows"]
    assert {r["actor_login"] for r in rows} == {"t.filter"}
    assert {r["action"] for r in rows} >= {"login", "item.test"}
    assert page(cur, tok, user="测试领导")["rows"] == rows

    p = page(cur, tok, user="t.filter", action="login")
    assert [r["action"] for r in p["rows"]] == ["login"]
    assert p["rows"][0]["action_name"] == "登录"
    assert [a for a in p["actions"] if a["selected"]] == [
        {"action": "login", "name": "登录", "selected": True}]
    assert p["action_other"] is False
    assert page(cur, tok, user="t.filter", action="登录")["rows"] == \
        p["rows"]

    today = one(cur, "select to_char(now() at time zone 'Asia/Shanghai', "
                     "'YYYY-MM-DD')")
    tomorrow = one(cur, "select to_char((now() at time zone "
                        "'Asia/Shanghai')::date + 1, 'YYYY-MM-DD')")
    yesterday = one(cur, "select to_char((now() at time zone "
                         "'Asia/Shanghai')::date - 1, 'YYYY-MM-DD')")
    assert len(page(cur, tok, user="t.filter", **{"from": today,
                                                  "to": today})["rows"]) == 4
    assert page(cur, tok, user="t.filter", **{"from": tomorrow})["rows"] == []
    assert page(cur, tok, user="t.filter", to=yesterday)["rows"] == []

    # newest first, with the times in Beijing time
    rows = page(cur, tok, user="t.filter")["rows"]
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows),
                                             reverse=True)
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", rows[0]["at"])
    assert rows[0]["detail_text"] == "n：2"


def test_audit_page_invalid_filters_are_messages(cur):
    make_user(cur, "t.invalid", roles=("site_admin",))
    tok = logged_in(cur, "t.invalid")
    cases = [
        ({"item": "abc"}, "item"),
        ({"item": "1" * 65}, "item"),
        ({"user": "x" * 65}, "user"),
        ({"user": ["a", "b"]}, "user"),
        ({"action": "不存在的操作"}, "action"),
        ({"from": "2025-02-30"}, "from"),
        ({"to": "20250101"}, "to"),
        ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "9999999"}, "page"),
        ({"page": "201"}, "page"),
    ]
    for query, field in cases:
        p = page(cur, tok, **query)
        assert [e["field"] for e in p["errors"]] == [field], query
        assert p["errors"][0]["message"], query
        assert p["invalid"][field] is True, query
        assert p["rows"] == [] and p["total"] == 0, query
    ok = page(cur, tok, **{"from": "2024-02-29", "page": "1"})
    assert ok["errors"] == [] and not any(ok["invalid"].values())
    assert ok["filter"]["from"] == "2024-02-29"


def test_audit_page_pages(cur):
    make_user(cur, "t.pages", roles=("system_admin",))
    tok = logged_in(cur, "t.pages")
    for _ in range(119):
        cur.execute("select gongkai.audit(null, null, 'login.failed', null, "
                    "null, '{}', 't.pages')")
    # 119 failures and 1 login
    p1 = page(cur, tok, user="t.pages")
    assert p1["total"] == 120 and p1["pages"] == 3 and p1["per_page"] == 50
    assert len(p1["rows"]) == 50
    assert p1["prev_page"] is None and p1["next_page"] == 2
    p3 = page(cur, tok, user="t.pages", page="3")
    assert len(p3["rows"]) == 20 and p3["next_page"] is None
    assert p3["prev_page"] == 2
    ids = [r["id"] for n in ("1", "2", "3")
           for r in page(cur, tok, user="t.pages", page=n)["rows"]]
    assert len(ids) == len(set(ids)) == 120
    assert page(cur, tok, user="t.pages", page="4")["rows"] == []


# --------------------------------------------------------------------------
# demo users and sql/demo/LOGINS

def test_demo_users_match_logins_file(cur):
    text = (ROOT / "sql" / "demo" / "LOGINS").read_text(encoding="utf-8")
    password = DEMO_PASSWORD_RE.search(text).group(1)
    assert len(password) >= 10
    listed = re.findall(r"^([a-z][a-z0-9_.-]{2,31})\s+(\S+)\s+\S+\s+"
                        r"([a-z_]+)\s+(\S+)$", text, re.M)
    assert len(listed) == 13
    cur.execute("select u.login, u.name, r.role, o.short_name, "
                "ext.crypt(%s, u.password_hash) = u.password_hash, u.active "
                "from users u join user_roles r on r.user_id = u.id "
                "join organs o on o.id = u.organ_id "
                "where u.login = any(%s)",
                (password, [r[0] for r in listed]))
    db = {r[0]: r[1:] for r in cur.fetchall()}
    for login_name, name, role, organ in listed:
        assert db[login_name] == (name, role, organ, True, True), login_name
    # one user per role in each of two organs, one system administrator
    cur.execute("select r.role, count(distinct u.organ_id), count(*) "
                "from users u join user_roles r on r.user_id = u.id "
                "where u.login = any(%s) group by r.role",
                ([r[0] for r in listed],))
    counts = {r[0]: r[1:] for r in cur.fetchall()}
    for role in ROLES:
        assert counts[role] == (2, 2), role
    assert counts["system_admin"] == (1, 1)
