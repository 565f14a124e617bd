"""The visit counters (sql/migrations/0074), the report's visits figure
(0075) and the report warnings of the admin home (0076)."""

import datetime

import psycopg2
import pytest


def site(db, kind="department"):
    db.execute("select d.domain, s.id, s.organ_id from gongkai.site_domains d"
               " join gongkai.sites s on s.id = d.site_id"
               " where s.kind = %s order by d.domain limit 1", (kind,))
    return db.fetchone()


def hour_of(utc):
    return int(utc.replace(tzinfo=datetime.timezone.utc).timestamp()) // 3600


def test_visits_add_by_site_and_china_day(db):
    domain, site_id, _ = site(db)
    db.execute("delete from gongkai.site_visits where site_id = %s",
               (site_id,))
    # 2025-12-31 15:00 UTC is 23:00 in China, 16:00 UTC the next day
    late = hour_of(datetime.datetime(2025, 12, 31, 15))
    counts = [{"host": domain, "hour": late, "n": 3},
              {"host": domain, "hour": late + 1, "n": 4},
              {"host": domain, "hour": late + 2, "n": 5},
              {"host": "nobody.example.gov.cn", "hour": late, "n": 9},
              {"host": domain, "hour": "x", "n": 1},
              "junk"]
    db.execute("select portal.visits_add(%s::jsonb)",
               (psycopg2.extras.Json(counts),))
    assert db.fetchone()[0] == 2
    db.execute("select portal.visits_add(%s::jsonb)",
               (psycopg2.extras.Json(counts[:1]),))
    db.execute("select day, n from gongkai.site_visits where site_id = %s"
               " order by day", (site_id,))
    assert db.fetchall() == [(datetime.date(2025, 12, 31), 6),
                             (datetime.date(2026, 1, 1), 9)]
    db.execute("select portal.visits_add('{}'::jsonb)")
    assert db.fetchone()[0] == 0


def test_web_adds_but_cannot_read(web):
    web.execute("select portal.visits_add('[]'::jsonb)")
    assert web.fetchone()[0] == 0
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        web.execute("select * from gongkai.site_visits")


def test_report_visits_figure(db):
    _, site_id, organ = site(db)
    db.execute("delete from gongkai.site_visits where site_id = %s",
               (site_id,))
    db.execute("insert into gongkai.site_visits values"
               " (%s, '2024-12-31', 5), (%s, '2025-01-01', 7),"
               " (%s, '2025-12-31', 11), (%s, '2026-01-01', 13)",
               (site_id,) * 4)
    db.execute("select gongkai.report_extras(null, %s, 2025)", (organ,))
    rows = [r for r in db.fetchone()[0]["rows"]
            if r["code"] == "column_visits"]
    assert [c["value"] for c in rows[0]["cells"]] == [
        "18", "次", "门户网站访问量统计"]
    # never entered: not on the form, never missing
    db.execute("select fmt from gongkai.report_stat_defs"
               " where key = 'column_visits'")
    assert db.fetchone()[0] == "auto"


def test_home_report_warnings(db):
    _, _, organ = site(db)
    db.execute("select extract(year from gongkai.today_cn())::int,"
               " gongkai.today_cn()")
    year, today = db.fetchone()
    db.execute("select gongkai.report_deadline(%s, %s, 'publish_by')",
               (organ, year - 1))
    due = db.fetchone()[0]
    db.execute("select gongkai.home_report_warnings(%s)", (organ,))
    warnings = db.fetchone()[0]
    db.execute("select exists (select 1 from gongkai.annual_reports r"
               " join gongkai.report_versions v on v.report_id = r.id"
               " where r.organ_id = %s and r.year = %s"
               " and v.state = 'published')", (organ, year - 1))
    published = db.fetchone()[0]
    last = [w for w in warnings if w["year"] == year - 1]
    if published or (due - today).days > 15:
        assert last == []
    else:
        assert len(last) == 1
        assert last[0]["publish_by"] == due.isoformat()
        assert last[0]["late"] == (today > due)
        assert last[0]["days_left"] == (due - today).days
    # a deadline 10 days ahead (MM-DD of this year): warned, not yet late
    soon = today + datetime.timedelta(days=10)
    db.execute("update gongkai.settings set value = %s where key ="
               " 'report.publish_by.' || (select level from gongkai.organs"
               " where id = %s)", (soon.strftime("%m-%d"), organ))
    db.execute("select gongkai.home_report_warnings(%s)", (organ,))
    now = [w for w in db.fetchone()[0] if w["year"] == year - 1]
    due = soon.replace(year=year)
    if published:
        assert now == []
    else:
        assert len(now) == 1, now
        assert now[0]["days_left"] == (due - today).days
        assert now[0]["late"] == (due < today)
        assert now[0]["note"].startswith(
            "已超过" if due < today else "距公布期限还有10天")
