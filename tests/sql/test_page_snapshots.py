"""The page snapshots (sql/migrations/0081): site_pages and item_pages
hold what site_json_compute, site_scope_compute and item_page_compute
give, after every kind of change that alters what they show, and
portal.page_item answers from them what it answered before they
existed."""

import threading

import psycopg2
import pytest

from conftest import _connect


DH_HOST = "www.dh.gov.cn"
CZJ = "11533100000000102D"       # 德宏州财政局: a department site below 德宏

STALE = """
select 'site ' || s.id
  from sites s left join site_pages p on p.site_id = s.id
 where p.site_id is null
    or p.json::text is distinct from site_json_compute(s)::text
    or p.scope is distinct from coalesce(site_scope_compute(s), '{}')
union all
select 'site gone ' || p.site_id
  from site_pages p
 where not exists (select 1 from sites s where s.id = p.site_id)
union all
select 'host ' || coalesce(d.domain, h.domain)
  from (select x.domain, site_for_host(x.domain) s from site_domains x) d
  full join site_hosts h on h.domain = d.domain
 where ((d.s).id is null) <> (h.domain is null)
    or ((d.s).id is not null
        and ((d.s).id is distinct from h.site_id
             or h.json::text is distinct from site_json_compute(d.s)::text
             or h.scope is distinct from site_scope_compute(d.s)))
union all
select 'item ' || i.id
  from items i left join item_pages p on p.item_id = i.id
 where i.state in ('published', 'withdrawn', 'removed')
   and (p.item_id is null
        or (p.index_no, p.organ_id, p.state)
           is distinct from (i.index_no, i.organ_id, i.state)
        or p.json::text is distinct from item_page_compute(i.id)::text)
union all
select 'item not public ' || p.item_id
  from item_pages p join items i on i.id = p.item_id
 where i.state not in ('published', 'withdrawn', 'removed')
"""


def stale(cur):
    cur.execute(STALE)
    return [r[0] for r in cur.fetchall()]


@pytest.fixture
def owner(owner):
    """Published items are written directly, as an import (0016)."""
    owner.execute("set local gongkai.import = 'tests/sql/test_page_snapshots'")
    return owner


def new_item(cur, unit_code=CZJ, state="published", title="快照测试条目"):
    cur.execute(
        "insert into items (title, summary, generated_on, organ_id,"
        " category_id, state, published_at, body_html)"
        " select %s, '摘要', date '2031-05-06', o.id, c.id, %s,"
        " case when %s = 'published' then now() end, '<p>正文</p>'"
        " from organs o, categories c where o.unit_code = %s"
        " and c.code = (select min(code) from categories"
        "               where parent_id is null)"
        " returning id, index_no", (title, state, state, unit_code))
    return cur.fetchone()


def page(cur, index_no, host=DH_HOST):
    cur.execute("select portal.page_item(%s, %s)", (host, index_no))
    return cur.fetchone()[0]


def snapshot(cur, item_id):
    cur.execute("select json from item_pages where item_id = %s",
                (item_id,))
    row = cur.fetchone()
    return row and row[0]


def test_demo_data_is_fresh(db):
    db.execute("set local search_path = gongkai, pg_temp")
    assert stale(db) == []
    db.execute("select count(*) from items"
               " where state in ('published', 'withdrawn', 'removed')")
    public = db.fetchone()[0]
    db.execute("select count(*) from item_pages")
    assert db.fetchone()[0] == public > 0


def test_page_item_answers_from_the_snapshots(owner):
    """Every public or removed item of the portal: the page is what the
    compute functions make of it, in the same shape as before."""
    owner.execute(
        "select i.id, i.index_no, i.state from items i"
        " join site_domains d on d.domain = %s"
        " join sites s on s.id = d.site_id"
        " where i.organ_id = any (site_scope_compute(s))"
        "   and i.state in ('published', 'withdrawn', 'removed')",
        (DH_HOST,))
    rows = owner.fetchall()
    assert any(r[2] == "published" for r in rows)
    for item_id, index_no, state in rows:
        p = page(owner, index_no)
        owner.execute("select site_json_compute(s), item_page_compute(%s)"
                      " from sites s join site_domains d"
                      " on d.site_id = s.id where d.domain = %s",
                      (item_id, DH_HOST))
        site, item = owner.fetchone()
        assert p["site"] == site
        assert p["not_found"] is False
        assert p["gone"] is (state == "removed")
        if state == "published":
            assert p["item"] == item and p["withdrawn"] is None
            assert p["item"]["index_no"] == index_no
        elif state == "withdrawn":
            assert p["withdrawn"] == item and p["item"] is None
        else:
            assert p["item"] is None and p["withdrawn"] is None


def test_unknown_host_and_item(owner):
    assert page(owner, "x", host="nowhere.gov.cn") == {"site": None}
    p = page(owner, "11533100000000102D-0101-1999-99999")
    assert p["not_found"] is True and p["item"] is None
    assert p["site"]["domain"] == DH_HOST


def test_item_life_is_followed(owner):
    item_id, index_no = new_item(owner)
    assert index_no
    assert page(owner, index_no)["item"]["title"] == "快照测试条目"
    assert stale(owner) == []

    owner.execute("update items set title = '快照测试条目（改）',"
                  " changed_at = now(), change_note = '更正'"
                  " where id = %s", (item_id,))
    p = page(owner, index_no)
    assert p["item"]["title"] == "快照测试条目（改）"
    assert p["item"]["change_note"] == "更正"
    assert stale(owner) == []

    owner.execute("update items set state = 'withdrawn',"
                  " withdrawn_at = now(), withdraw_reason = '已失效'"
                  " where id = %s", (item_id,))
    p = page(owner, index_no)
    assert p["item"] is None
    assert p["withdrawn"]["reason"] == "已失效"
    assert p["withdrawn"]["title"] == "快照测试条目（改）"
    assert stale(owner) == []

    owner.execute("update items set state = 'removed' where id = %s",
                  (item_id,))
    assert snapshot(owner, item_id) is None
    owner.execute("select state from item_pages where item_id = %s",
                  (item_id,))
    assert owner.fetchone() == ("removed",)
    assert page(owner, index_no)["gone"] is True
    assert stale(owner) == []

    owner.execute("delete from items where id = %s", (item_id,))
    assert page(owner, index_no)["not_found"] is True
    assert stale(owner) == []


def test_drafts_have_no_snapshot(owner):
    item_id, index_no = new_item(owner, state="draft")
    assert index_no is None
    owner.execute("select count(*) from item_pages where item_id = %s",
                  (item_id,))
    assert owner.fetchone()[0] == 0
    owner.execute("update items set title = '草稿改' where id = %s",
                  (item_id,))
    owner.execute("select count(*) from item_pages where item_id = %s",
                  (item_id,))
    assert owner.fetchone()[0] == 0
    assert stale(owner) == []


def test_attachments_are_followed(owner):
    item_id, index_no = new_item(owner)
    owner.execute("insert into attachments (item_id, no, file_name,"
                  " content_type, data) values (%s, 1, '附件.pdf',"
                  " 'application/pdf', '%%PDF-1.4 x')", (item_id,))
    att = page(owner, index_no)["item"]["attachments"]
    assert [(a["no"], a["file_name"], a["size"]) for a in att] == \
        [(1, "附件.pdf", 10)]

    owner.execute("update attachments set file_name = '新附件.pdf'"
                  " where item_id = %s", (item_id,))
    att = page(owner, index_no)["item"]["attachments"]
    assert att[0]["file_name"] == "新附件.pdf"

    owner.execute("update attachments set removed_at = now()"
                  " where item_id = %s", (item_id,))
    assert page(owner, index_no)["item"]["attachments"] == []
    owner.execute("delete from attachments where item_id = %s", (item_id,))
    assert page(owner, index_no)["item"]["attachments"] == []
    assert stale(owner) == []


def test_organ_and_category_names_are_followed(owner):
    item_id, index_no = new_item(owner)
    owner.execute("update organs set name = '德宏州财政局（新名）'"
                  " where unit_code = %s", (CZJ,))
    p = page(owner, index_no)
    assert p["item"]["organ"]["name"] == "德宏州财政局（新名）"
    # the department site shows its organ's new name too
    p = page(owner, index_no, host="czj.dh.gov.cn")
    assert p["site"]["organ"]["name"] == "德宏州财政局（新名）"

    owner.execute("update categories set name = name || '（新）'"
                  " where id = (select category_id from items"
                  "             where id = %s)", (item_id,))
    assert page(owner, index_no)["item"]["category"]["name"].endswith("（新）")
    assert stale(owner) == []


def test_site_changes_are_followed(owner):
    owner.execute("update sites set name = '德宏州人民政府门户（新）'"
                  " where id = (select site_id from site_domains"
                  "             where domain = %s)", (DH_HOST,))
    item_id, index_no = new_item(owner)
    p = page(owner, index_no)
    assert p["site"]["name"] == "德宏州人民政府门户（新）"
    # a department site shows its portal's name
    p = page(owner, index_no, host="czj.dh.gov.cn")
    assert p["site"]["portal"]["name"] == "德宏州人民政府门户（新）"
    assert stale(owner) == []


def test_domain_changes_are_followed(owner):
    item_id, index_no = new_item(owner)
    assert page(owner, index_no, host="dh.gov.cn")["item"]
    owner.execute("update site_domains set role = 'former'"
                  " where domain = 'dh.gov.cn'")
    assert page(owner, index_no, host="dh.gov.cn") == {"site": None}
    assert stale(owner) == []
    owner.execute("delete from site_domains where domain = 'dh.gov.cn'")
    assert stale(owner) == []


def test_scope_follows_the_organ_tree(owner):
    """A new organ below the portal's organ is in the portal's scope at
    once: its published items show on the portal."""
    owner.execute(
        "insert into organs (unit_code, name, short_name, level,"
        " parent_id) select '11533100000000199D', '德宏州快照测试局',"
        " '快照局', 'department', id"
        " from organs where unit_code = '11533100000000100D'")
    item_id, index_no = new_item(owner, unit_code="11533100000000199D")
    assert page(owner, index_no)["item"]["organ"]["short_name"] == "快照局"
    assert stale(owner) == []


def test_site_rebuilds_do_not_collide():
    """Two transactions changing sites at once: the second rebuild waits
    for the first (0081's lock) instead of failing on a duplicate key."""
    a = _connect()
    b = _connect()
    try:
        ca, cb = a.cursor(), b.cursor()
        ca.execute("update gongkai.sites set name = name"
                   " where id = (select min(id) from gongkai.sites)")
        errors = []

        def other():
            try:
                cb.execute("update gongkai.sites set name = name"
                           " where id = (select max(id)"
                           "             from gongkai.sites)")
                b.commit()
            except psycopg2.Error as e:       # pragma: no cover
                errors.append(e)
                b.rollback()

        t = threading.Thread(target=other)
        t.start()
        t.join(0.5)
        assert t.is_alive(), "the second rebuild did not wait"
        a.commit()
        t.join(10)
        assert not t.is_alive()
        assert errors == []
        ca.execute("set search_path = gongkai, pg_temp")
        assert stale(ca) == []
        a.commit()
    finally:
        a.close()
        b.close()


def test_two_writers_of_one_item_leave_a_fresh_snapshot():
    """An attachment added in one transaction while another changes the
    item's title: whichever commits last, the snapshot has both (the
    refresh locks the item's row first; without it the title's snapshot,
    computed before the attachment was committed, was written last)."""
    setup = _connect()
    a = _connect()
    b = _connect()
    item_id = None
    try:
        cs = setup.cursor()
        cs.execute("set search_path = gongkai, pg_temp")
        cs.execute("set gongkai.import = 'tests/sql/test_page_snapshots'")
        item_id, index_no = new_item(cs, title="快照并发测试")
        setup.commit()

        ca, cb = a.cursor(), b.cursor()
        for c in (ca, cb):
            c.execute("set search_path = gongkai, pg_temp")
            c.execute("set gongkai.import = 'tests/sql/test_page_snapshots'")
        a.commit()
        b.commit()
        ca.execute("insert into attachments (item_id, no, file_name,"
                   " content_type, data) values (%s, 1, '并发.pdf',"
                   " 'application/pdf', '%%PDF-1.4 x')", (item_id,))
        errors = []

        def other():
            try:
                cb.execute("update items set title = '快照并发测试（改）'"
                           " where id = %s", (item_id,))
                b.commit()
            except psycopg2.Error as e:       # pragma: no cover
                errors.append(e)
                b.rollback()

        t = threading.Thread(target=other)
        t.start()
        t.join(0.5)
        a.commit()
        t.join(10)
        assert not t.is_alive() and errors == []

        cs.execute("select json from item_pages where item_id = %s",
                   (item_id,))
        snap = cs.fetchone()[0]
        setup.commit()
        assert snap["title"] == "快照并发测试（改）"
        assert [x["file_name"] for x in snap["attachments"]] == ["并发.pdf"]
        assert stale(cs) == []
        setup.commit()
    finally:
        if item_id is not None:
            cs = setup.cursor()
            cs.execute("set gongkai.import = 'tests/sql/test_page_snapshots'")
            cs.execute("delete from gongkai.attachments where item_id = %s",
                       (item_id,))
            cs.execute("delete from gongkai.items where id = %s", (item_id,))
            setup.commit()
        for c in (setup, a, b):
            c.close()
