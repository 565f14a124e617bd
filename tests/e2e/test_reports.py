"""Annual reports through the admin and the portal (issue 5): a report of
the fixture organ (tests/sql/report_fixture.py, under the Dehong
prefecture) written, submitted, signed by the leader, filed by the
parent organ's user and published over HTTP, with publishing before
filing refused; the public page's tables (caption, th scope) equal to
the table computed by hand and to each table's CSV; the list; a
correction shown beside the first version.

Each run makes its own organ and users (unit code RPX<run>); the cases
and the reports are removed at the end (the users and the audit rows
stay: the log is append-only)."""

import csv
import html
import io
import os
import re
import sys
import time
from html.parser import HTMLParser

import pytest

from admin_client import AdminClient
from conftest import http_request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "sql"))
import report_fixture as fx  # noqa: E402

RUN = "%06d" % (time.time_ns() // 1000 % 10 ** 6)
DEHONG = "11533100000000100D"
REPORT_RE = re.compile(r"reports/([0-9]+)$")


class Tables(HTMLParser):
    """Every <table id=…> of a page: caption, header cells with their
    scope, and the data cells of each body row."""

    def __init__(self, text):
        super().__init__()
        self.tables = {}
        self.cur = None
        self.cell = None
        self.part = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id", "").startswith("table-"):
            self.cur = {"caption": "", "th": [], "rows": []}
            self.tables[a["id"][6:]] = self.cur
        elif self.cur is None:
            return
        elif tag in ("thead", "tbody", "caption"):
            self.part = tag
        elif tag == "tr" and self.part == "tbody":
            self.cur["rows"].append([])
        elif tag in ("th", "td"):
            self.cell = [tag, a.get("scope"), ""]

    def handle_endtag(self, tag):
        if self.cur is None:
            return
        if tag == "table":
            self.cur = None
        elif tag == "caption":
            self.part = None
        elif tag in ("th", "td") and self.cell:
            kind, scope, text = self.cell
            if kind == "th":
                self.cur["th"].append((scope, text.strip()))
            elif self.part == "tbody":
                self.cur["rows"][-1].append(text.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cur is None:
            return
        if self.cell:
            self.cell[2] += data
        elif self.part == "caption":
            self.cur["caption"] += data


def page_text(resp):
    t = re.sub(r"<[^>]+>", " ", resp.text)
    t = re.sub(r"\s+", " ", t)
    return re.sub(r"\s+", " ", html.unescape(t))


def ok(resp, status=303):
    assert resp.status_code == status, (resp.status_code,
                                        page_text(resp)[:1500])
    return resp


@pytest.fixture(scope="module")
def fixture(stack):
    conn = stack.connect_db(autocommit=False)
    cur = conn.cursor()
    cur.execute("set role gongkai_owner")
    cur.execute("set search_path = gongkai, pg_temp")
    parent = fx.one(cur, "select id from organs where unit_code = %s",
                    (DEHONG,))
    ids = fx.build(cur, RUN, parent=parent, items=False)
    conn.commit()
    yield ids
    for t in ("report_stats", "report_versions", "annual_reports",
              "case_remedies", "applications"):
        cur.execute("alter table %s disable trigger user" % t)
    cur.execute("delete from report_stats where version_id in (select v.id"
                " from report_versions v join annual_reports r"
                " on r.id = v.report_id where r.organ_id = %s)",
                (ids["organ"],))
    cur.execute("delete from report_versions where report_id in (select id"
                " from annual_reports where organ_id = %s)", (ids["organ"],))
    cur.execute("delete from annual_reports where organ_id = %s",
                (ids["organ"],))
    cur.execute("delete from case_remedies where case_id in (select id"
                " from applications where organ_id = %s)", (ids["organ"],))
    cur.execute("delete from applications where organ_id = %s",
                (ids["organ"],))
    for t in ("report_stats", "report_versions", "annual_reports",
              "case_remedies", "applications"):
        cur.execute("alter table %s enable trigger user" % t)
    conn.commit()
    conn.close()


def client(stack, ids, who):
    c = AdminClient(stack)
    c.login_ok(ids["logins"][who], fx.PASSWORD, landing="reports")
    return c


def stats_form(page):
    """The edit form's figures, each given a value and a source."""
    form = {"overview_html": "<p>总体情况良好。</p>",
            "problems_html": "<p>问题与改进。</p>",
            "other_html": "<p>无。</p>"}
    for name in re.findall(r'name="(stat_[a-z0-9_]+)"', page.text):
        form[name] = "-1" if name.endswith("_change") else "2"
        form["source_" + name[5:]] = "统计台账"
    return form


def public(stack, path):
    return http_request(stack, path)


def public_within_a_second(stack, path, check):
    """The public pages are cached: a publication reaches them by NOTIFY
    within a second (tests/e2e/test_cache.py)."""
    for _ in range(10):
        resp = public(stack, path)
        if check(resp):
            break
        time.sleep(0.1)
    return resp


def test_report_from_draft_to_public_page_and_csv(stack, fixture):
    ids = fixture
    code = "RPX" + RUN
    drafter = client(stack, ids, "drafter")
    rid = REPORT_RE.search(ok(drafter.post(
        "reports/new", {"year": "2023"})).headers["Location"]).group(1)
    page = ok(drafter.get("reports/" + rid), 200)
    # a draft is computed live: the cases' table is there already
    assert "收到和处理政府信息公开申请情况" in page.text
    edit = ok(drafter.get("reports/%s/edit" % rid), 200)
    form = stats_form(edit)
    bad = dict(form, stat_penalty_decisions="很多")
    assert "非负整数" in page_text(ok(drafter.post(
        "reports/%s/edit" % rid, bad), 422))
    # the narrative is sanitised by the module
    form["overview_html"] = ('<p>总体情况良好。</p>'
                             '<script>alert(1)</script>')
    ok(drafter.post("reports/%s/edit" % rid, form))
    # not public while a draft
    assert public(stack, "/reports/%s/2023" % code).status == 404
    ok(drafter.post("reports/%s/submit" % rid))
    # publishing before signing and filing is refused (409), nothing moves
    resp = drafter.post("reports/%s/publish" % rid)
    assert resp.status_code == 409, resp.status_code
    assert "备案" in page_text(resp)
    leader = client(stack, ids, "leader")
    ok(leader.post("reports/%s/sign" % rid, {"decision": "sign"}))
    resp = drafter.post("reports/%s/publish" % rid)
    assert resp.status_code == 409
    # the organ's own leader cannot confirm the filing
    assert leader.post("reports/%s/file" % rid,
                       {"decision": "file"}).status_code == 409
    upper = client(stack, ids, "upper")
    assert "待本机关备案" in ok(upper.get("reports"), 200).text
    ok(upper.post("reports/%s/file" % rid, {"decision": "file",
                                            "note": "已收到"}))
    ok(drafter.post("reports/%s/publish" % rid))

    resp = public(stack, "/reports/%s/2023" % code)
    assert resp.status == 200
    text = resp.text
    assert "<script>alert(1)</script>" not in text
    assert "总体情况良好" in text
    for n in ("一、总体情况", "二、主动公开政府信息情况",
              "三、收到和处理政府信息公开申请情况",
              "四、政府信息公开行政复议、行政诉讼情况",
              "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert n in text
    assert "<svg" in text and "<script" not in text
    tables = Tables(text).tables
    assert set(tables) == {"2-1", "2-5", "2-6", "2-8", "3", "4", "x"}
    t3 = tables["3"]
    assert "收到和处理政府信息公开申请情况" in t3["caption"]
    assert ("col", "自然人") in t3["th"]
    assert ("colgroup", "法人或其他组织") in t3["th"]
    assert ("rowgroup", "三、本年度办理结果") in t3["th"]
    assert ("row", "1.属于国家秘密") in t3["th"]
    codes = (["new", "carried"] + fx.LEAVES_2021 + ["total", "next"])
    assert len(t3["rows"]) == len(codes)
    for c, cells in zip(codes, t3["rows"]):
        assert cells == fx.EXPECTED_2023.get(c, [str(v) for v in fx.Z]), c
    assert tables["4"]["rows"] == [fx.EXPECTED_S4_2023]
    # every table's CSV holds the same numbers as the HTML table
    for tid, t in tables.items():
        r = public(stack, "/reports/%s/2023/%s.csv" % (code, tid))
        assert r.status == 200, tid
        assert r.header("Content-Type").startswith("text/csv")
        assert "attachment" in r.header("Content-Disposition")
        body = r.body.decode("utf-8")
        assert body.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(body[1:])))
        assert rows[0][0] == "项目"
        assert [row[1:] for row in rows[1:]] == t["rows"], tid
    assert public(stack, "/reports/%s/2023/7.csv" % code).status == 404
    assert public(stack, "/reports/%s/2022" % code).status == 404
    assert public(stack, "/reports/%s/20x3" % code).status == 400

    # the list, by year and organ (cached before, perhaps, by another run)
    lst = public_within_a_second(
        stack, "/reports?year=2023",
        lambda r: "/reports/%s/2023" % code in r.text)
    assert lst.status == 200
    assert "/reports/%s/2023" % code in lst.text
    assert "/reports/%s/2023" % code not in public(
        stack, "/reports?year=2022").text

    # a correction: a new version, the first one still shown beside it;
    # the cached page of the first is stale within a second
    for _ in range(2):
        resp = public(stack, "/reports/%s/2023" % code)
    assert resp.header("X-Gongkai-Cache") == "HIT"
    ok(drafter.post("reports/%s/correction" % rid,
                    {"note": "更正行政处罚决定数量"}))
    form["stat_penalty_decisions"] = "5"
    form["correction_note"] = "更正行政处罚决定数量"
    ok(drafter.post("reports/%s/edit" % rid, form))
    ok(drafter.post("reports/%s/submit" % rid))
    ok(leader.post("reports/%s/sign" % rid, {"decision": "sign"}))
    ok(upper.post("reports/%s/file" % rid, {"decision": "file"}))
    ok(drafter.post("reports/%s/publish" % rid))
    v2 = public_within_a_second(stack, "/reports/%s/2023" % code,
                                lambda r: "更正行政处罚决定数量" in r.text)
    assert "更正行政处罚决定数量" in v2.text
    assert "第 1 版 ，" in page_text(v2)
    assert "第 2 版（当前查看）" in page_text(v2)
    assert Tables(v2.text).tables["2-6"]["rows"][0] == ["5"]
    v1 = public(stack, "/reports/%s/2023?version=1" % code)
    assert v1.status == 200 and "已被更正" in v1.text
    assert "第 1 版（当前查看）" in page_text(v1)
    assert Tables(v1.text).tables["2-6"]["rows"][0] == ["2"]
    r = public(stack, "/reports/%s/2023/2-6.csv?version=1" % code)
    assert list(csv.reader(io.StringIO(r.body.decode()[1:])))[1][1:] == ["2"]


def test_other_organ_cannot_see_the_report(stack, fixture):
    conn = stack.connect_db()
    rid = fx.one(conn.cursor(), "select gongkai.report_create(%s, null,"
                 " %s, 2022)", (fixture["drafter"], fixture["organ"]))
    conn.close()
    other = AdminClient(stack)
    other.login_ok("czj.drafter", fx.PASSWORD, landing="reports")
    assert other.get("reports/%s" % rid).status_code == 404
    assert other.get("reports/%s/edit" % rid).status_code == 404
    assert other.post("reports/%s/submit" % rid).status_code == 404
    mine = client(stack, fixture, "drafter")
    assert mine.get("reports/%s" % rid).status_code == 200
