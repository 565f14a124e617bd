"""The page cache's invalidations (sql/migrations/0050): every change to
public content queues the domains of the sites whose pages show it, and
the queue is sent as one NOTIFY gongkai_cache when the transaction
commits, numbered in commit order; nothing is sent for a rolled back
transaction."""

import select

import psycopg2
import psycopg2.extensions
import pytest

from conftest import _connect


DH = "11533100000000100D"        # 德宏州人民政府: the portal www.dh.gov.cn
CZJ = "11533100000000102D"       # 德宏州财政局: its department site
SFJ = "11533100000000103D"       # 德宏州司法局: another department site
MANGSHI = "11533103000000100D"   # 芒市人民政府: below 德宏, no site of its own
KAIPING = "11440783000000100D"   # 开平市人民政府: another portal


@pytest.fixture
def owner(owner):
    """Published items are written directly, as an import (0016)."""
    owner.execute("set local gongkai.import = 'tests/sql/test_cache_notify'")
    return owner


def queued(cur):
    cur.execute("select current_setting('gongkai.cache_queue', true)")
    v = cur.fetchone()[0]
    return set(v.split()) if v else set()


def site_of(cur, unit_code):
    """Every domain of the organ's site (what the module files pages
    under), as a set."""
    cur.execute("select d.domain from gongkai.site_domains d"
                " join gongkai.sites s on s.id = d.site_id"
                " join gongkai.organs o on o.id = s.organ_id"
                " where o.unit_code = %s", (unit_code,))
    domains = {r[0] for r in cur.fetchall()}
    assert domains, "no site for %s" % unit_code
    return domains


def new_item(cur, unit_code, state):
    cur.execute(
        "insert into items (title, generated_on, organ_id, category_id,"
        " state) select '缓存测试条目', date '2031-05-06', o.id, c.id, %s"
        " from organs o, categories c where o.unit_code = %s"
        " and c.code = (select min(code) from categories"
        "               where parent_id is null)"
        " returning id", (state, unit_code))
    return cur.fetchone()[0]


def test_item_queues_the_sites_that_show_it(owner):
    assert queued(owner) == set()
    new_item(owner, CZJ, "published")
    # the department site and its portal; not the sister department
    assert queued(owner) == site_of(owner, CZJ) | site_of(owner, DH)
    assert not site_of(owner, SFJ) & queued(owner)


def test_organ_without_a_site_queues_its_portal(owner):
    new_item(owner, MANGSHI, "published")
    assert queued(owner) == site_of(owner, DH)


def test_other_portal_not_touched(owner):
    new_item(owner, KAIPING, "published")
    assert queued(owner) == site_of(owner, KAIPING)


def test_drafts_queue_nothing(owner):
    item = new_item(owner, CZJ, "draft")
    owner.execute("update items set title = '缓存测试条目二' where id = %s",
                  (item,))
    assert queued(owner) == set()


def test_withdrawal_and_change_queue(owner):
    item = new_item(owner, SFJ, "published")
    owner.execute("select set_config('gongkai.cache_queue', '', true)")
    owner.execute("delete from cache_pending")
    owner.execute("update items set state = 'withdrawn' where id = %s",
                  (item,))
    assert queued(owner) == site_of(owner, SFJ) | site_of(owner, DH)


def test_site_change_queues_everything(owner):
    # its name is on its department sites, its announcements on the
    # portals above it
    owner.execute("update sites set name = name || '（测试）'"
                  " where organ_id = (select id from organs"
                  "                    where unit_code = %s)", (CZJ,))
    assert owner.rowcount == 1
    assert queued(owner) == {"*"}


def test_categories_and_organs_queue_everything(owner):
    owner.execute("update categories set name = name where code = "
                  "(select min(code) from categories)")
    assert queued(owner) == {"*"}


def test_guide_queues_the_sites_that_show_its_organ(owner):
    owner.execute("update guides set phone = phone where organ_id ="
                  " (select id from organs where unit_code = %s)", (CZJ,))
    assert owner.rowcount == 1, "the demo has no guide for 德宏州财政局"
    assert queued(owner) == site_of(owner, CZJ) | site_of(owner, DH)


def test_report_publication_queues_the_sites_that_show_its_organ(owner):
    """/reports pages are cached (0082): a version becoming published
    queues its organ's sites; work on a draft queues nothing."""
    owner.execute("select v.id, o.unit_code from report_versions v"
                  " join annual_reports r on r.id = v.report_id"
                  " join organs o on o.id = r.organ_id"
                  " where v.state = 'draft' order by v.id limit 1")
    row = owner.fetchone()
    assert row, "the demo has no draft report"
    version, unit_code = row
    owner.execute("update report_versions set overview_html ="
                  " overview_html || '<p>x</p>' where id = %s", (version,))
    assert queued(owner) == set()
    # the workflow's steps are the admin's (tests/e2e/test_reports.py);
    # here only the last one matters
    owner.execute("alter table report_versions"
                  " disable trigger report_versions_guard")
    owner.execute("update report_versions set state = 'published',"
                  " data = '{}', submitted_at = now(), signed_at = now(),"
                  " filed_at = now(), published_at = now() where id = %s",
                  (version,))
    assert queued(owner) == site_of(owner, DH)
    assert unit_code != DH  # the office has no site: its portal's


def test_scheduled_round_queues_its_time(owner):
    owner.execute("select ceil(extract(epoch from min(publish_at)))::bigint"
                  " from review_rounds where outcome = 'approved'"
                  " and applied_at is null and publish_at > now()")
    due = owner.fetchone()[0]
    assert due is not None, "the demo has no scheduled round"
    owner.execute("update review_rounds set step = step"
                  " where outcome = 'approved' and applied_at is null")
    assert "*@%d" % due in queued(owner)


def test_web_role_sees_the_state(web, admin_conn):
    web.execute("select due, seq from portal.cache_state()")
    due, seq = web.fetchone()
    cur = admin_conn.cursor()
    cur.execute("select n from gongkai.cache_epoch")
    assert seq == cur.fetchone()[0]
    cur.execute("select ceil(extract(epoch from min(publish_at)))::bigint"
                " from gongkai.review_rounds where outcome = 'approved'"
                " and applied_at is null and publish_at > now()")
    assert due == cur.fetchone()[0]
    admin_conn.rollback()
    cur.close()


def test_web_role_cannot_notify(web):
    for sql in ("select gongkai.cache_queue('*')",
                "select pg_notify('x', 'y') from gongkai.cache_epoch",
                "update gongkai.cache_epoch set n = n + 1",
                "insert into gongkai.cache_pending values "
                "(pg_current_xact_id())"):
        web.execute("savepoint s")
        with pytest.raises(psycopg2.Error) as e:
            web.execute(sql)
        assert e.value.pgcode == "42501", sql
        web.execute("rollback to savepoint s")


# ------------------------------------------------- committed transactions

def _wait_notifies(conn, n):
    """The next n notifications on conn (at most a few seconds each)."""
    out = []
    while len(out) < n:
        if not conn.notifies:
            ready, _, _ = select.select([conn], [], [], 5)
            assert ready, "no notification arrived (got %r)" % out
            conn.poll()
        while conn.notifies and len(out) < n:
            out.append(conn.notifies.pop(0))
    return out


@pytest.fixture
def listener():
    conn = _connect()
    conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
    cur = conn.cursor()
    cur.execute("listen gongkai_cache")
    cur.execute("listen test_cache_marker")
    yield conn
    conn.close()


def test_one_numbered_notification_per_commit(listener):
    conn = _connect()
    try:
        cur = conn.cursor()
        cur.execute("set role gongkai_owner")
        cur.execute("select n from gongkai.cache_epoch")
        n = cur.fetchone()[0]

        # rolled back: nothing sent, no number taken
        cur.execute("select gongkai.cache_queue('*')")
        conn.rollback()

        cur.execute("select gongkai.cache_queue('www.a.gov.cn')")
        cur.execute("select gongkai.cache_queue('*@2000000000')")
        cur.execute("select gongkai.cache_queue('www.a.gov.cn')")
        conn.commit()

        cur.execute("select gongkai.cache_queue('b.a.gov.cn')")
        conn.commit()

        # a marker after both: everything before it has arrived
        cur.execute("select pg_notify('test_cache_marker', '')")
        conn.commit()
    finally:
        conn.close()

    got = _wait_notifies(listener, 3)
    assert [(x.channel, x.payload) for x in got] == [
        ("gongkai_cache", "%d www.a.gov.cn *@2000000000" % (n + 1)),
        ("gongkai_cache", "%d b.a.gov.cn" % (n + 2)),
        ("test_cache_marker", "")]


def test_more_than_64_sites_is_everything(listener):
    conn = _connect()
    try:
        cur = conn.cursor()
        cur.execute("set role gongkai_owner")
        cur.execute("select gongkai.cache_queue('d' || g || '.a.gov.cn')"
                    " from generate_series(1000, 1100) g")
        cur.execute("select gongkai.cache_queue('*@2000000001')")
        conn.commit()
        cur.execute("select n from gongkai.cache_epoch")
        n = cur.fetchone()[0]
        conn.commit()
    finally:
        conn.close()

    got = _wait_notifies(listener, 1)
    assert got[0].payload == "%d * *@2000000001" % n
