"""The web role (gongkai_web) may only execute portal.* functions: no
table rights, no other function, no way to publish anything."""

import psycopg2
import pytest


def tables(db):
    db.execute("select quote_ident(schemaname) || '.' || quote_ident(tablename)"
               " from pg_tables where schemaname in ('gongkai', 'portal')")
    return [r[0] for r in db.fetchall()]


def refused(web, sql, args=None):
    web.execute("savepoint s")
    with pytest.raises(psycopg2.Error) as e:
        web.execute(sql, args)
    web.execute("rollback to savepoint s")
    return e.value


def test_no_table_rights(db, web):
    names = tables(db)
    assert "gongkai.items" in names and len(names) >= 12
    for t in names:
        for p in ("select", "insert", "update", "delete", "truncate",
                  "references", "trigger"):
            db.execute("select has_table_privilege('gongkai_web', %s, %s)",
                       (t, p))
            assert db.fetchone()[0] is False, (t, p)
        err = refused(web, "select * from %s limit 1" % t)
        assert err.pgcode == "42501"
        refused(web, "delete from %s" % t)
        refused(web, "update %s set ctid = ctid" % t)


def test_cannot_publish_or_write(web):
    refused(web, "update gongkai.items set state = 'published'")
    refused(web, "insert into gongkai.items (title, state) "
                 "values ('x', 'published')")
    refused(web, "insert into gongkai.holidays values "
                 "('2031-01-01', true, 'x')")


PUBLISHING = {"portal.page_home", "portal.page_catalogue",
              "portal.page_item", "portal.page_search"}

# the public functions that write: an application, a status lookup (its
# audit row and the count of wrong query codes), sql/migrations/0045
WRITING = {"portal.apply_submit", "portal.apply_status",
           "portal.visits_add"}


def test_only_portal_functions(db, web):
    db.execute(
        "select p.oid::regprocedure::text, n.nspname, "
        "has_function_privilege('gongkai_web', p.oid, 'execute'), "
        "p.prosecdef, p.provolatile, p.proconfig, "
        "pg_get_userbyid(p.proowner) "
        "from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where n.nspname in ('gongkai', 'portal')")
    rows = db.fetchall()
    portal = [r for r in rows if r[1] == "portal"]
    assert {r[0].split("(")[0] for r in portal} >= {
        "portal.page_site", "portal.page_home", "portal.page_catalogue",
        "portal.page_item", "portal.page_guide", "portal.attachment"}
    for name, schema, can, secdef, vol, conf, owner in rows:
        if schema == "portal":
            # the pages that list or show items first publish what is
            # due (publish_due, sql/migrations/0017): volatile; so are
            # the ones that write
            assert can and secdef, name
            assert vol == ("v" if name.split("(")[0] in PUBLISHING | WRITING
                           else "s"), name
            assert owner == "gongkai_owner", name
            assert "search_path=gongkai, pg_temp" in conf, name
        else:
            assert not can, name
    refused(web, "select gongkai.add_working_days('2025-01-01', 1)")
    refused(web, "select gongkai.site_for_host('www.dh.gov.cn')")


def test_schema_usage(db, web):
    for schema, can in (("portal", True), ("gongkai", False)):
        db.execute("select has_schema_privilege('gongkai_web', %s, 'usage')",
                   (schema,))
        assert db.fetchone()[0] is can
    db.execute("select has_schema_privilege('gongkai_web', 'public', "
               "'create'), has_schema_privilege('gongkai_web', 'portal', "
               "'create')")
    assert db.fetchone() == (False, False)
    refused(web, "create table public.t (x int)")
    refused(web, "create temporary table t (x int)")


def test_web_can_read_pages(web):
    web.execute("select portal.page_home('www.dh.gov.cn')")
    page = web.fetchone()[0]
    assert page["site"]["name"] == "德宏州人民政府门户网站"
    assert page["total"] > 0
