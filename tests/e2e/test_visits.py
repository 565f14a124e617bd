"""The portal's own page view counters (issue 5; 000 年度报告制度 第五条).

A page view is a GET answered 200 with an HTML page by a gongkai_portal
location that has a cache zone, whether the page came from the cache
(HIT), from the database (MISS) or is never cached (BYPASS).  HEAD,
error pages, attachments, static files and the admin are not counted.
The dev configuration flushes the counters every second
(gongkai_visits_flush 1s) into gongkai.site_visits; the annual report's
visits figure is the year's sum for the organ's sites."""

import random
import time

from conftest import http_request, item_path

POLL = 0.2
LIMIT = 150          # polls: the flush runs every second


def site_of(demo):
    """A department site with a published attachment, and that row."""
    row = demo.row(
        "select d.domain, s.id as site_id, s.organ_id, i.index_no, a.no"
        " from gongkai.site_domains d join gongkai.sites s on s.id = d.site_id"
        " join gongkai.items i on i.organ_id = s.organ_id"
        " join gongkai.attachments a on a.item_id = i.id"
        " where s.kind = 'department' and s.state = 'active'"
        " and i.state = 'published' and not a.pending"
        " and a.removed_at is null"
        " order by d.domain, i.index_no, a.no limit 1")
    assert row, "no department site with a published attachment in the demo"
    return row


def views(demo, site_id):
    return demo.value("select coalesce(sum(n), 0)::bigint"
                      " from gongkai.site_visits where site_id = %s",
                      (site_id,))


def settled(demo, site_id):
    """The count once nothing more arrives for three flushes in a row."""
    last, same = views(demo, site_id), 0
    for _ in range(LIMIT):
        time.sleep(0.5)
        now = views(demo, site_id)
        same = same + 1 if now == last else 0
        last = now
        if same >= 6:
            return now
    raise AssertionError("the visit count of site %d never settles" % site_id)


def test_page_views_counted_hit_miss_bypass_only(stack, demo):
    row = site_of(demo)
    host = row["domain"]
    before = settled(demo, row["site_id"])

    counted = 0
    catalogue = "/catalogue?page=%d" % random.randint(2, 99999)
    seen = []
    for path in (catalogue, catalogue, "/", "/apply"):
        resp = http_request(stack, path, host=host)
        assert resp.status == 200, resp
        assert resp.header("Content-Type").startswith("text/html")
        seen.append(resp.header("X-Gongkai-Cache"))
        counted += 1
    assert seen[0] == "MISS" and seen[1] == "HIT", seen
    assert seen[3] == "BYPASS", seen

    # not page views: HEAD, a 404, an attachment, a static file, the admin
    assert http_request(stack, catalogue, method="HEAD", host=host).status \
        == 200
    assert http_request(stack, "/no-such-page-%d" % random.randint(1, 10 ** 6),
                        host=host).status == 404
    files = "%s/files/%d" % (item_path(row["index_no"]), row["no"])
    resp = http_request(stack, files, host=host)
    assert resp.status == 200 and not resp.header(
        "Content-Type").startswith("text/html"), resp
    assert http_request(stack, "/static/nothing.css", host=host).status == 404
    assert http_request(stack, "/admin/login", host=host).status == 200

    want = before + counted
    for _ in range(LIMIT):
        if views(demo, row["site_id"]) >= want:
            break
        time.sleep(POLL)
    # and nothing more arrives: the others were not counted
    assert settled(demo, row["site_id"]) == want


def test_report_visits_figure_is_the_count(stack, demo):
    row = site_of(demo)
    http_request(stack, "/", host=row["domain"])
    year = demo.value("select extract(year from gongkai.today_cn())::int")
    n = settled(demo, row["site_id"])
    assert n > 0
    total = demo.value(
        "select coalesce(sum(v.n), 0)::bigint from gongkai.site_visits v"
        " join gongkai.sites s on s.id = v.site_id"
        " where s.organ_id = %s and extract(year from v.day) = %s",
        (row["organ_id"], year))
    extra = demo.value("select gongkai.report_extras(null, %s, %s)",
                       (row["organ_id"], year))
    cells = [r["cells"] for r in extra["rows"]
             if r["code"] == "column_visits"]
    assert len(cells) == 1, extra["rows"]
    assert cells[0][0]["value"] == str(total)
    assert cells[0][2]["value"] == "门户网站访问量统计"
