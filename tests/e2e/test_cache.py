"""The page cache (gongkai_cache, ngx_http_gongkai_cache.c): public pages
served from shared memory (X-Gongkai-Cache: HIT/MISS), the same entry for
the same page however the URL is written, ETag/Last-Modified and 304,
a change made in the database visible within a second (NOTIFY), other
sites untouched, nothing missed across a lost LISTEN connection, the
cache kept across `nginx -s reload`; never admin pages, POSTs or errors.

Stale-if-error (PostgreSQL stopped) is in test_zz_dbdown.py, which runs
last.  Changes are made as gongkai_owner, as an import (sql/migrations/
0016: "set local gongkai.import"), and undone at the end of each test.
"""

import email.utils
import random
import re
import time

import psycopg2
import pytest

from admin_client import AdminClient
from conftest import (DEMO_DOMAIN, assert_layout, http_request, item_path,
                      q)
from test_nginx_config import make_conf, nginx_t


DEMO_PASSWORD = "gongkai-demo-2025"
PORTAL_OFFICE = "11533100000000101D"    # 德宏州人民政府办公室 (www.dh)
CZJ = "11533100000000102D"              # 德宏州财政局 (czj.dh.gov.cn)
CZJ_DOMAIN = "czj.dh.gov.cn"
SFJ_DOMAIN = "sfj.dh.gov.cn"
KAIPING_DOMAIN = "www.kaiping.gov.cn"

# "within a second": at most this many polls, POLL seconds apart
POLLS = 10
POLL = 0.1

ETAG_RE = re.compile(r'^"[0-9a-f]{16}"$')


def cache(resp):
    return resp.header("X-Gongkai-Cache")


def unique_catalogue():
    """A catalogue page nobody asked for yet (the page number is only
    shown, the items are those of page 1)."""
    return "/catalogue?page=%d" % random.randint(2, 99999)


def cached(stack, path, host=None):
    """Fetch path until the cache answers it (a LISTEN connection that
    was just lost may take its reconnect delay); returns that response."""
    for _ in range(100):
        resp = http_request(stack, path, host=host)
        assert resp.status == 200, resp
        if cache(resp) == "HIT":
            return resp
        assert cache(resp) == "MISS", resp
        time.sleep(POLL)
    raise AssertionError("%s (%s) is never served from the cache"
                         % (path, host))


def within_a_second(stack, path, check, host=None):
    """Poll path at most POLLS times over about a second until check(resp)
    holds; returns the last response (the caller asserts on it)."""
    for i in range(POLLS):
        resp = http_request(stack, path, host=host)
        if check(resp):
            return resp
        if i < POLLS - 1:
            time.sleep(POLL)
    return resp


class Writer:
    """Committed changes as gongkai_owner, undone by cleanup()."""

    def __init__(self, stack):
        self.conn = stack.connect_db(autocommit=False)
        self.items = []

    def run(self, sql, args=()):
        with self.conn.cursor() as cur:
            cur.execute("set local gongkai.import = 'tests/e2e/test_cache'")
            cur.execute(sql, args)
            row = cur.fetchone() if cur.description else None
        self.conn.commit()
        return row

    def publish(self, unit_code, title):
        item, index_no = self.run(
            "insert into gongkai.items (title, summary, generated_on,"
            " organ_id, category_id, body_html, state)"
            " select %s, %s, current_date, o.id, c.id, %s, 'published'"
            " from gongkai.organs o, gongkai.categories c"
            " where o.unit_code = %s and c.code = (select min(code)"
            "   from gongkai.categories k where not exists (select 1"
            "   from gongkai.categories s where s.parent_id = k.id))"
            " returning id, index_no",
            (title, title, "<p>%s</p>" % title, unit_code))
        self.items.append(item)
        return item, index_no

    def cleanup(self):
        self.conn.rollback()
        for item in self.items:
            self.run("delete from gongkai.items where id = %s", (item,))
        self.conn.close()


@pytest.fixture
def writer(stack):
    w = Writer(stack)
    yield w
    w.cleanup()


def tag():
    return "缓存测试%d" % random.randint(100000, 999999)


# --------------------------------------------------------------------------
# hits and misses

def test_miss_then_hit_with_the_same_bytes(stack):
    path = unique_catalogue()
    first = http_request(stack, path)
    assert first.status == 200
    assert cache(first) == "MISS"
    second = http_request(stack, path)
    assert cache(second) == "HIT"
    assert second.body == first.body
    assert_layout(second)
    for name in ("ETag", "Last-Modified", "Content-Type",
                 "Content-Security-Policy", "X-Content-Type-Options"):
        assert second.header(name) == first.header(name), name
    assert int(second.header("Content-Length")) == len(second.body)


def test_validators_and_cache_control(stack):
    resp = cached(stack, "/")
    assert ETAG_RE.match(resp.header("ETag")), resp.header("ETag")
    assert email.utils.parsedate_to_datetime(resp.header("Last-Modified"))
    # browsers revalidate every time: a change is never hidden by them
    assert resp.header("Cache-Control") == "no-cache"


def test_conditional_requests(stack):
    path = unique_catalogue()
    resp = http_request(stack, path)
    etag, modified = resp.header("ETag"), resp.header("Last-Modified")

    for headers in ({"If-None-Match": etag},
                    {"If-None-Match": '"0000000000000000", ' + etag},
                    {"If-Modified-Since": modified}):
        r = http_request(stack, path, headers=headers)
        assert r.status == 304, (headers, r)
        assert r.body == b""
        assert r.header("ETag") == etag

    for headers in ({"If-None-Match": '"0000000000000000"'},
                    {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}):
        r = http_request(stack, path, headers=headers)
        assert r.status == 200, (headers, r)
        assert r.body == resp.body


def test_head_from_the_cache(stack):
    path = unique_catalogue()
    body = http_request(stack, path).body
    resp = http_request(stack, path, method="HEAD")
    assert resp.status == 200 and resp.body == b""
    assert cache(resp) == "HIT"
    assert int(resp.header("Content-Length")) == len(body)


def test_equivalent_urls_share_one_entry(stack, demo):
    year = demo.value("select max(gen_year) from gongkai.items"
                      " where state = 'published'")
    page = random.randint(2, 99999)
    base = "/catalogue?organ=%s&year=%d&page=%d" % (PORTAL_OFFICE, year,
                                                    page)
    first = http_request(stack, base)
    assert first.status == 200 and cache(first) == "MISS"
    for variant in (
            "/catalogue?page=%d&year=%d&organ=%s" % (page, year,
                                                     PORTAL_OFFICE),
            base + "&utm_source=weixin&from=" + q("首页"),
            "/catalogue?organ=%s&year=%d&page=%d&category="
            % (PORTAL_OFFICE.lower(), year, page),
            "/catalogue?%%6Frgan=%s&year=%%3%d%s&page=0%d"
            % (PORTAL_OFFICE, year // 1000, str(year)[1:], page)):
        resp = http_request(stack, variant)
        assert resp.status == 200, variant
        assert cache(resp) == "HIT", variant
        assert resp.body == first.body, variant

    # page 1 is the same page whether it is named or not
    plain = "/catalogue?organ=%s&year=%d" % (PORTAL_OFFICE, year)
    http_request(stack, plain)
    assert cache(http_request(stack, plain + "&page=1")) == "HIT"

    # but another filter is another page
    resp = http_request(stack, "/catalogue?organ=%s&year=%d&page=%d"
                        % (PORTAL_OFFICE, year - 1, page))
    assert cache(resp) == "MISS"


def test_sites_do_not_share_entries(stack):
    path = unique_catalogue()
    assert cache(http_request(stack, path)) == "MISS"
    other = http_request(stack, path, host=CZJ_DOMAIN)
    assert other.status == 200 and cache(other) == "MISS"
    assert other.body != http_request(stack, path).body


def test_item_guide_and_attachment_cached(stack, demo, scope_ids):
    row = demo.row(
        "select i.index_no, a.no, a.data, a.content_type"
        " from gongkai.attachments a join gongkai.items i on i.id = a.item_id"
        " where i.state = 'published' and i.organ_id = any(%s)"
        " and not a.pending and a.removed_at is null"
        " order by i.index_no, a.no limit 1", (list(scope_ids),))
    assert row, "no published attachment in the demo portal"
    for path in (item_path(row["index_no"]), "/guide"):
        assert cached(stack, path).body == http_request(stack, path).body

    path = "%s/files/%d" % (item_path(row["index_no"]), row["no"])
    resp = cached(stack, path)
    assert resp.body == bytes(row["data"])
    assert resp.header("Content-Type") == row["content_type"]
    disp = resp.header("Content-Disposition")
    assert disp and disp.startswith("attachment;"), disp
    # the number as a number: the same entry
    again = http_request(stack, "%s/files/0%d" % (item_path(row["index_no"]),
                                                  row["no"]))
    assert cache(again) == "HIT"
    assert again.body == resp.body
    assert again.header("Content-Disposition") == disp


# --------------------------------------------------------------------------
# never cached

def test_admin_pages_are_never_cached(stack):
    client = AdminClient(stack)
    forms = []
    for _ in range(3):
        resp = client.get("login")
        assert resp.status_code == 200
        assert "X-Gongkai-Cache" not in resp.headers
        assert resp.headers.get("Cache-Control") == "no-store"
        assert "gk_login" in resp.headers.get("Set-Cookie", "")
        forms.append(re.search(r'name="csrf" value="([0-9a-f]{64})"',
                               resp.text).group(1))
    # every form has its own token: not one stored copy
    assert len(set(forms)) == 3

    client.login_ok("dh.drafter", DEMO_PASSWORD)
    for path in ("", "audit", "items"):
        for _ in range(2):
            resp = client.get(path)
            assert resp.status_code == 200, path
            assert "X-Gongkai-Cache" not in resp.headers, path
            assert resp.headers.get("Cache-Control") == "no-store", path
            assert "ETag" not in resp.headers, path
            # the signed-in user's name is on it: personal, not shared
            assert "杨晓琳" in resp.text, path

    # and without the session, the same URLs are not served from anywhere
    anon = AdminClient(stack)
    resp = anon.get("audit")
    assert resp.status_code == 303
    assert "杨晓琳" not in resp.text


def test_application_pages_are_never_cached(stack):
    """The application form (a CSRF cookie and a one-time form token) and
    the status page (a case's details) are nobody else's."""
    tokens = set()
    for _ in range(3):
        resp = http_request(stack, "/apply")
        assert resp.status == 200
        assert cache(resp) == "BYPASS"
        assert resp.header("Cache-Control") == "no-store"
        assert "ETag" not in resp.headers
        assert "gk_apply" in (resp.header("Set-Cookie") or "")
        m = re.search(r'name="form_token" value="([0-9a-f]{64})"',
                      resp.text)
        assert m, "the application form has no form token"
        tokens.add(m.group(1))
    assert len(tokens) == 3, "the same application form was served twice"
    for _ in range(2):
        resp = http_request(stack, "/apply/status")
        assert resp.status == 200
        assert cache(resp) == "BYPASS"
        assert "ETag" not in resp.headers
        resp = http_request(stack, "/apply/status", method="POST",
                            body=b"tracking_no=1&query_code=2",
                            headers={"Content-Type":
                                     "application/x-www-form-urlencoded"})
        assert cache(resp) == "BYPASS", resp


def test_announcements_cached(stack):
    first = http_request(stack, "/announcements")
    assert first.status == 200
    resp = cached(stack, "/announcements")
    assert resp.body == first.body
    assert ETAG_RE.match(resp.header("ETag"))
    # the same bytes as the portal without a cache makes them
    plain = http_request(stack, "/announcements", host="nocache.localhost")
    assert plain.status == 200 and "X-Gongkai-Cache" not in plain.headers
    assert plain.body == resp.body
    assert plain.header("ETag") == resp.header("ETag")


def test_search_cached(stack):
    """The search page is the same for everybody who asks the same: it is
    cached, and the URLs that search the same share its entry."""
    word = tag()
    path = "/search?q=" + q(word)
    first = http_request(stack, path)
    assert first.status == 200 and cache(first) == "MISS"
    assert first.page.contains_text(word)          # the query is shown
    resp = cached(stack, path)
    assert resp.body == first.body
    plain = http_request(stack, path, host="nocache.localhost")
    assert plain.status == 200 and "X-Gongkai-Cache" not in plain.headers
    assert plain.body == resp.body
    # page 1 written out, an ignored parameter, another order
    for same in (path + "&page=1", path + "&page=01", path + "&x=1",
                 "/search?year=&q=" + q(word)):
        r = http_request(stack, same)
        assert cache(r) == "HIT", same
        assert r.body == resp.body, same
    # another page or filter is another entry
    assert cache(http_request(stack, path + "&page=2")) == "MISS"
    # refused input is never stored
    for bad in ("/search?q=%ff", "/search?q=x&page=0", "/search?q=x&year=1"):
        for _ in range(2):
            r = http_request(stack, bad)
            assert r.status == 400 and cache(r) != "HIT", bad


def test_reports_cached(stack, demo):
    """The annual reports' list and pages are cached, the unit code in
    either case and the version as a number sharing one entry."""
    code, year, no = demo.rows(
        "select o.unit_code, r.year, v.no from gongkai.report_versions v"
        " join gongkai.annual_reports r on r.id = v.report_id"
        " join gongkai.organs o on o.id = r.organ_id"
        " where v.state = 'published' order by v.id limit 1")[0].values()
    report = "/reports/%s/%d" % (code, year)
    for path in ("/reports", "/reports?year=%d" % year, report):
        first = http_request(stack, path)
        assert first.status == 200, path
        resp = cached(stack, path)
        assert resp.body == first.body, path
        plain = http_request(stack, path, host="nocache.localhost")
        assert plain.body == resp.body, path
    body = cached(stack, report + "?version=%d" % no).body
    for same in ("/reports/%s/%d?version=%d" % (code.lower(), year, no),
                 report + "?version=0%d" % no):
        r = http_request(stack, same)
        assert cache(r) == "HIT", same
        assert r.body == body, same
    # the tables' CSV files are downloads, not pages: never stored
    csv = report + "/3.csv"
    for _ in range(2):
        r = http_request(stack, csv)
        assert r.status == 200 and cache(r) != "HIT"


def test_post_is_never_stored(stack):
    path = unique_catalogue()
    resp = http_request(stack, path, method="POST", body=b"a=1",
                        headers={"Content-Type":
                                 "application/x-www-form-urlencoded"})
    assert resp.status == 405
    assert cache(resp) == "BYPASS"
    resp = http_request(stack, path)
    assert resp.status == 200 and cache(resp) == "MISS"
    # and a cached page does not answer a POST
    resp = http_request(stack, path, method="POST", body=b"")
    assert resp.status == 405 and cache(resp) == "BYPASS"


def test_error_pages_are_never_stored(stack, portal_organ):
    missing = item_path("%s-01-2031-%05d" % (portal_organ["unit_code"],
                                             random.randint(1, 99999)))
    for path, status in ((missing, 404), ("/no-such-page", 404),
                         ("/catalogue?year=abc", 400),
                         ("/catalogue?organ=ZZZ", 404)):
        for _ in range(3):
            resp = http_request(stack, path)
            assert resp.status == status, (path, resp)
            assert cache(resp) in ("MISS", "BYPASS"), (path, cache(resp))
            assert "ETag" not in resp.headers, path
    for _ in range(3):
        resp = http_request(stack, "/", host="www.not-registered.gov.cn")
        assert resp.status == 404
        assert cache(resp) != "HIT"


# --------------------------------------------------------------------------
# invalidation

def test_publication_change_and_withdrawal_within_a_second(stack, writer):
    title = tag() + "关于做好缓存失效工作的通知"
    for path in ("/", "/catalogue"):
        assert title not in cached(stack, path).text

    item, index_no = writer.publish(PORTAL_OFFICE, title)
    for path in ("/", "/catalogue"):
        resp = within_a_second(stack, path,
                               lambda r: r.page.contains_text(title))
        assert resp.page.contains_text(title), (
            "%s does not show the new item within a second" % path)

    page = cached(stack, item_path(index_no))
    assert page.page.contains_text(title)

    changed = title + "（修订）"
    writer.run("update gongkai.items set title = %s, change_note = %s,"
               " changed_at = now() where id = %s",
               (changed, "缓存测试修订", item))
    resp = within_a_second(stack, item_path(index_no),
                           lambda r: r.page.contains_text(changed))
    assert resp.page.contains_text(changed)

    writer.run("update gongkai.items set state = 'withdrawn',"
               " withdrawn_at = now(), withdraw_reason = %s where id = %s",
               ("缓存测试撤回", item))
    resp = within_a_second(stack, item_path(index_no),
                           lambda r: "本信息已撤回" in r.text)
    assert "本信息已撤回" in resp.text
    assert "缓存测试撤回" in resp.text
    resp = within_a_second(stack, "/",
                           lambda r: not r.page.contains_text(changed))
    assert not resp.page.contains_text(changed)


def test_search_sees_a_publication_within_a_second(stack, writer):
    word = tag()
    path = "/search?q=" + q(word)
    assert "没有找到" in cached(stack, path).page.text
    title = word + "关于检索缓存的通知"
    writer.publish(PORTAL_OFFICE, title)
    resp = within_a_second(stack, path,
                           lambda r: r.page.contains_text(title))
    assert resp.page.contains_text(title), (
        "the search does not find the new item within a second")


def test_only_the_sites_that_show_an_item(stack, writer):
    for host in (DEMO_DOMAIN, CZJ_DOMAIN, SFJ_DOMAIN, KAIPING_DOMAIN):
        cached(stack, "/", host=host)

    title = tag() + "财政局缓存测试公告"
    writer.publish(CZJ, title)

    # the department site and its portal show it within a second
    for host in (CZJ_DOMAIN, DEMO_DOMAIN):
        resp = within_a_second(stack, "/",
                               lambda r: r.page.contains_text(title),
                               host=host)
        assert resp.page.contains_text(title), host

    # the notification has been applied: the others were not touched
    for host in (SFJ_DOMAIN, KAIPING_DOMAIN):
        resp = http_request(stack, "/", host=host)
        assert cache(resp) == "HIT", host
        assert not resp.page.contains_text(title)


def test_site_change_within_a_second(stack, writer, demo):
    site_id, name = demo.rows(
        "select s.id, s.name from gongkai.sites s"
        " join gongkai.site_domains d on d.site_id = s.id"
        " where d.domain = %s", (CZJ_DOMAIN,))[0].values()
    new = name + "（缓存测试）"
    assert name in cached(stack, "/guide", host=CZJ_DOMAIN).text
    try:
        writer.run("update gongkai.sites set name = %s where id = %s",
                   (new, site_id))
        resp = within_a_second(stack, "/guide", lambda r: new in r.text,
                               host=CZJ_DOMAIN)
        assert new in resp.text
    finally:
        writer.run("update gongkai.sites set name = %s where id = %s",
                   (name, site_id))
    resp = within_a_second(stack, "/guide", lambda r: new not in r.text,
                           host=CZJ_DOMAIN)
    assert new not in resp.text and name in resp.text


def _listener_backends(web):
    """The LISTEN connections' backends, seen by the web role itself."""
    with web.cursor() as cur:
        cur.execute("select pid from pg_stat_activity"
                    " where usename = 'gongkai_web'"
                    " and pid <> pg_backend_pid()"
                    " and (query like '%%portal.cache_state()%%'"
                    "      or query like '%%portal.visits_add(%%')")
        return [r[0] for r in cur.fetchall()]


@pytest.fixture
def web(stack):
    conn = psycopg2.connect(host=stack.env["PGHOST"],
                            port=stack.env["PGPORT"],
                            dbname=stack.env["PGDATABASE"],
                            user="gongkai_web", connect_timeout=5)
    conn.autocommit = True
    yield conn
    conn.close()


def test_nothing_missed_while_not_listening(stack, db, web, writer):
    """While the LISTEN connection is down nothing is served as fresh;
    what changed meanwhile is seen once it is back."""
    title = tag() + "监听中断期间的修改"
    item, index_no = writer.publish(PORTAL_OFFICE, title)
    path = item_path(index_no)
    assert cached(stack, path).page.contains_text(title)
    other = cached(stack, "/", host=KAIPING_DOMAIN)
    assert _listener_backends(web), "no LISTEN connection in pg_stat_activity"

    changed = title + "（期间修订）"
    dbname = stack.env["PGDATABASE"]
    with db.cursor() as cur:
        cur.execute("revoke connect on database %s from gongkai_web"
                    % dbname)
    try:
        # a role may end its own sessions: the web role ends nginx's
        with web.cursor() as cur:
            for pid in _listener_backends(web):
                cur.execute("select pg_terminate_backend(%s)", (pid,))
        for _ in range(50):
            if not _listener_backends(web):
                break
            time.sleep(0.1)
        assert not _listener_backends(web), "the LISTEN backend lives on"

        # not listening: another site's cached page is not served as
        # fresh (the pool's connections still work)
        resp = within_a_second(stack, "/", lambda r: cache(r) == "MISS",
                               host=KAIPING_DOMAIN)
        assert cache(resp) == "MISS"
        assert resp.body == other.body

        # a change nobody hears about
        writer.run("update gongkai.items set title = %s where id = %s",
                   (changed, item))
    finally:
        with db.cursor() as cur:
            cur.execute("grant connect on database %s to gongkai_web"
                        % dbname)

    # back (after its reconnect delay): never the old title again, and
    # served from the cache once more
    for _ in range(100):
        resp = http_request(stack, path)
        assert resp.status == 200
        assert resp.page.contains_text(changed), (
            "the change made while not listening was missed (%s)"
            % cache(resp))
        if cache(resp) == "HIT":
            break
        time.sleep(0.1)
    assert cache(resp) == "HIT", "the cache does not serve again"


def test_reload_keeps_the_cache(stack):
    path = unique_catalogue()
    body = cached(stack, path).body
    offset = stack.error_log.stat().st_size
    res = stack.stack_tool("nginx-reload")
    assert res.returncode == 0, res.stdout + res.stderr
    # wait until a new worker listens (its log line), then ask
    for _ in range(100):
        with open(stack.error_log, "rb") as f:
            f.seek(offset)
            log = f.read().decode("utf-8", "replace")
        if "gongkai cache: listening" in log:
            break
        time.sleep(0.1)
    assert "gongkai cache: listening" in log, log[-2000:]
    assert "nothing missed" in log, log[-2000:]
    resp = http_request(stack, path)
    assert cache(resp) == "HIT"
    assert resp.body == body


# --------------------------------------------------------------------------
# configuration

@pytest.mark.parametrize("directive", [
    "gongkai_cache zone=pages:1m;",
    "gongkai_cache zone=pages:1m max_age=30s;",
    "gongkai_cache off;",
])
def test_directive_accepted(directive):
    rc, out, _ = nginx_t(make_conf(directive))
    assert rc == 0, out


@pytest.mark.parametrize("directive, message", [
    ("gongkai_cache zone=pages:4k;", "too small"),
    ("gongkai_cache zone=pages:1m ttl=5;", "invalid parameter"),
    ("gongkai_cache max_age=1m;", "zone="),
    ("gongkai_cache zone=pages:1m max_age=0;", "invalid max_age"),
    ("gongkai_cache zone=:1m;", "invalid zone name"),
    ("gongkai_cache zone=pages;", "zero size"),
    ("gongkai_cache zone=pages:1m; gongkai_cache zone=pages:1m;",
     "is duplicate"),
])
def test_directive_refused(directive, message):
    rc, out, conf = nginx_t(make_conf(directive))
    assert rc != 0
    assert message in out, out
