"""Sites and domains through the admin and the portal (issue 6): a site's
whole life cycle — opening, changing its domain, closing — requested by
the organ's site administrator and decided by the competent authority
(the site administrator of the portal's host organ), with the wrong
users refused; the announcements (公示) on the portal; serving by Host
(the 301 after a change, the closure notice, the 410 after the notice
period with the clock moved in the database, unknown, mixed-case,
dotted, punycode and Unicode Hosts); the footer's registry facts; the
link rule on save; the freshness warnings of the dashboard.

Each run makes its own organs and site administrators under the Dehong
prefecture (unit codes E2E…), and removes its sites at the end (their
audit rows stay: the log is append-only)."""

import html
import re
import time

import psycopg2
import pytest

from admin_client import AdminClient
from conftest import DEMO_DOMAIN, assert_html_headers, http_request

PASSWORD = "gongkai-demo-2025"
RUN = "%06d" % (time.time_ns() // 1000 % 10 ** 6)
ORGAN_CODE = "11533100E2E%s" % RUN[:6]
DEHONG = "11533100000000100D"
REQ_RE = re.compile(r"sites/requests/([0-9]+)$")


def page_text(resp):
    t = re.sub(r"<[^>]+>", " ", resp.text)
    return re.sub(r"\s+", " ", html.unescape(t))


def ok(resp, status=303):
    assert resp.status_code == status, (resp.status_code,
                                        page_text(resp)[:2000])
    return resp


def value(db, sql, args=()):
    with db.cursor() as cur:
        cur.execute(sql, args)
        row = cur.fetchone()
        return row[0] if row else None


def imported(db, sql, args=()):
    """A write the life-cycle guards allow only in a declared import:
    the tests' clock and clean-up."""
    conn = db
    with conn.cursor() as cur:
        cur.execute("begin")
        cur.execute("set local gongkai.import = 'tests/e2e/test_sites'")
        cur.execute(sql, args)
        cur.execute("commit")


def text_of(stack, path, host):
    resp = http_request(stack, path, host=host)
    return resp, re.sub(r"\s+", " ", resp.page.text)


# --------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def world(stack, db):
    """Two organs of this run below the Dehong government, each with a
    site administrator; removed (sites, requests, announcements) at the
    end, the users deactivated."""
    organs = {}
    with db.cursor() as cur:
        for n, name in (("1", "德宏州测试%s局" % RUN), ("2", "德宏州试验%s局" % RUN)):
            code = ORGAN_CODE + n
            cur.execute(
                "insert into gongkai.organs (unit_code, name, short_name, "
                "parent_id, level) select %s, %s, %s, id, 'department' "
                "from gongkai.organs where unit_code = %s returning id",
                (code, "德宏傣族景颇族自治州" + name[3:], name, DEHONG))
            organ = cur.fetchone()[0]
            login = "e2e%s.site%s" % (RUN, n)
            cur.execute(
                "insert into gongkai.users (organ_id, login, name, "
                "password_hash) values (%s, %s, %s, "
                "gongkai.password_hash(%s)) returning id",
                (organ, login, "测试管理员" + n, PASSWORD))
            user = cur.fetchone()[0]
            cur.execute("insert into gongkai.user_roles values (%s, "
                        "'site_admin')", (user,))
            organs[n] = {"id": organ, "code": code, "login": login,
                         "user": user,
                         "name": "德宏傣族景颇族自治州" + name[3:]}
    yield organs
    ids = [o["id"] for o in organs.values()]
    with db.cursor() as cur:
        cur.execute("begin")
        cur.execute("set local gongkai.import = 'tests/e2e/test_sites "
                    "clean-up'")
        cur.execute("delete from gongkai.site_announcements where "
                    "subject_id in (select id from gongkai.sites "
                    "where organ_id = any(%s))", (ids,))
        cur.execute("delete from gongkai.site_requests "
                    "where organ_id = any(%s)", (ids,))
        cur.execute("delete from gongkai.site_domains where site_id in "
                    "(select id from gongkai.sites where organ_id = any(%s))",
                    (ids,))
        cur.execute("delete from gongkai.sites where organ_id = any(%s)",
                    (ids,))
        cur.execute("update gongkai.users set active = false "
                    "where organ_id = any(%s)", (ids,))
        cur.execute("commit")


def client(stack, login):
    c = AdminClient(stack)
    c.login_ok(login, PASSWORD)
    return c


@pytest.fixture(scope="module")
def admins(stack, world):
    return {"mine": client(stack, world["1"]["login"]),
            "other": client(stack, world["2"]["login"]),
            "authority": client(stack, "dh.siteadmin"),
            "czj": client(stack, "czj.siteadmin"),
            "drafter": client(stack, "dh.drafter"),
            "sysadmin": client(stack, "dh.sysadmin")}


def domain(n, suffix=""):
    return "t%s%s%s.dh.gov.cn" % (RUN, n, suffix)


def open_form(n, **extra):
    form = {"name": "德宏州测试%s局网站" % n,
            "domain": domain(n),
            "chinese_domain": "德宏测试%s.政务" % {"1": "甲", "2": "乙"}[n],
            "code": "533100%04d" % (int(RUN) % 9000 + 1000 + int(n)),
            "icp_no": "滇ICP备05001458号-9",
            "psb_no": "滇公网安备 53310202009%03d号" % (int(RUN) % 1000),
            "reason": "按照一个部门一个子网站的要求开设。"}
    form.update(extra)
    return form


def request_id(resp):
    m = REQ_RE.search(resp.headers["Location"])
    assert m, resp.headers["Location"]
    return int(m.group(1))


# ------------------------------------------------------------ the forms

def test_opening_form_refuses_with_reasons(admins, db, world):
    c = admins["mine"]
    page = ok(c.get("sites"), 200)
    assert "申请开设网站" in page.text
    ok(c.get("sites/new"), 200)

    bad = open_form("1", domain="www.%s.dh.com" % RUN, code="12",
                    icp_no="ICP备1号", psb_no="公网安备1号",
                    chinese_domain="测试.gov.cn")
    resp = ok(c.post("sites/new", bad), 422)
    text = page_text(resp)
    assert "只能以 .gov.cn（英文域名）或 .政务" in text
    assert "网站标识码应为10位" in text
    assert "ICP备案号的格式" in text
    assert "公安备案号的格式" in text
    assert "只能使用英文字母" in text
    # the form keeps what was typed
    assert "www.%s.dh.com" % RUN in resp.text

    # a department site lives under its portal's zone
    resp = ok(c.post("sites/new", open_form(
        "1", domain="t%s.yingshan.gov.cn" % RUN)), 422)
    assert "&lt;部门简称&gt;.dh.gov.cn" in resp.text or \
        "<部门简称>.dh.gov.cn" in page_text(resp)

    # a domain another site holds, and a code another site has
    resp = ok(c.post("sites/new", open_form("1", domain="CZJ.dh.gov.cn.",
                                            code="5331000001")), 422)
    text = page_text(resp)
    assert "已由“德宏州财政局”登记使用" in text
    assert "已由“德宏州人民政府门户网站”使用" in text

    assert value(db, "select count(*) from gongkai.sites where organ_id = %s",
                 (world["1"]["id"],)) == 0


def test_wrong_users_cannot_reach_the_site_pages(admins):
    for who in ("drafter",):
        assert admins[who].get("sites").status_code == 404
        assert admins[who].get("sites/new").status_code == 404


# ---------------------------------------------------------- the life cycle

@pytest.fixture(scope="module")
def opened(stack, admins, db, world):
    """The first organ's site, requested and approved."""
    c = admins["mine"]
    resp = ok(c.post("sites/new", open_form("1")))
    req = request_id(resp)
    page = ok(c.follow(resp), 200)
    assert "待审批" in page.text and domain("1") in page.text

    site = value(db, "select site_id from gongkai.site_requests "
                     "where id = %s", (req,))
    assert value(db, "select state from gongkai.sites where id = %s",
                 (site,)) == "pending"
    # a pending site is not served
    resp = http_request(stack, "/", host=domain("1"))
    assert resp.status == 404 and "未登记" in resp.page.text

    # the wrong users
    r = ok(admins["mine"].post("sites/requests/%d/decide" % req,
                               {"decision": "approve"}), 409)
    assert "申请人不能审批自己提出的申请" in page_text(r)
    assert admins["czj"].get("sites/requests/%d" % req).status_code == 404
    assert admins["czj"].post("sites/requests/%d/decide" % req,
                              {"decision": "approve"}).status_code == 404
    assert admins["other"].get("sites/requests/%d" % req).status_code == 404
    assert admins["drafter"].post("sites/requests/%d/decide" % req,
                                  {"decision": "approve"}).status_code == 404
    r = ok(admins["sysadmin"].get("sites/requests/%d" % req), 200)
    assert "只有“德宏州人民政府门户网站”主办单位的网站管理员" in page_text(r)
    r = ok(admins["sysadmin"].post("sites/requests/%d/decide" % req,
                                   {"decision": "approve"}), 409)
    assert value(db, "select state from gongkai.sites where id = %s",
                 (site,)) == "pending"

    # the competent authority sees it waiting, and approves
    a = admins["authority"]
    assert "德宏州测试1局网站" in ok(a.get("sites"), 200).text
    r = ok(a.get("sites/requests/%d" % req), 200)
    assert "提交审批意见" in r.text
    ok(a.post("sites/requests/%d/decide" % req, {"decision": "approve"}))
    assert value(db, "select state from gongkai.sites where id = %s",
                 (site,)) == "active"
    return {"site": site, "request": req}


def test_opening_is_served_with_its_footer(stack, opened, world):
    resp, text = text_of(stack, "/", domain("1"))
    assert resp.status == 200
    assert_html_headers(resp)
    assert world["1"]["name"] in text               # the organ's full name
    assert "主办单位： %s" % world["1"]["name"] in text or \
        "主办单位：%s" % world["1"]["name"] in text
    code = open_form("1")["code"]
    assert "网站标识码： %s" % code in text or "网站标识码：%s" % code in text
    assert "滇ICP备05001458号-9" in text
    assert open_form("1")["psb_no"] in text
    # a department site links to its portal
    assert "https://www.dh.gov.cn/" in resp.page.hrefs()
    assert "德宏州人民政府门户网站" in text
    # and is reached by its Chinese domain, in punycode and in Unicode
    puny = "xn--%s.xn--zfr164b" % "德宏测试甲".encode("punycode").decode()
    assert http_request(stack, "/", host=puny).status == 200
    assert http_request(stack, "/", host=puny.upper() + ".").status == 200
    raw = http_request(stack, "/", host="德宏测试甲.政务".encode("utf-8"))
    assert raw.status == 200 and world["1"]["name"] in raw.page.text


def test_opening_is_announced_on_the_portal(stack, opened, db):
    title = "关于开通“德宏州测试1局网站”的公示"
    day = value(db, "select to_char(published_at at time zone "
                    "'Asia/Shanghai', 'YYYY-MM-DD') from "
                    "gongkai.site_announcements where request_id = %s",
                (opened["request"],))
    assert day
    resp, text = text_of(stack, "/announcements", DEMO_DOMAIN)
    assert resp.status == 200
    assert title in text and day in text
    assert domain("1") in text
    _, home = text_of(stack, "/", DEMO_DOMAIN)
    assert title in home
    # on the site itself too
    _, own = text_of(stack, "/announcements", domain("1"))
    assert title in own


def test_audit_records_the_life_cycle(db, opened, world):
    rows = value(db, "select array_agg(action order by id) from "
                     "gongkai.audit_log where detail ->> 'site_request' "
                     "= %s", (str(opened["request"]),))
    assert rows == ["site.request", "site.approve"]


def test_change_of_domain_answers_301(stack, admins, db, opened):
    c = admins["mine"]
    site = opened["site"]
    new = domain("1", "x")

    # the same rules on the change form
    r = ok(c.post("sites/%d/change" % site, {"domain": "www.dh.gov.cn",
                                             "reason": "测试"}), 422)
    assert "&lt;部门简称&gt;.dh.gov.cn" in r.text
    r = ok(c.post("sites/%d/change" % site, {"domain": new}), 422)
    assert "请说明变更域名的原因" in page_text(r)

    resp = ok(c.post("sites/%d/change" % site,
                     {"domain": new.upper(), "reason": "简化域名。"}))
    req = request_id(resp)
    # a second request waits for the first
    r = c.post("sites/%d/close" % site, {"successor": "1", "reason": "x"})
    assert r.status_code == 409
    # before the approval, nothing changes
    assert http_request(stack, "/", host=domain("1")).status == 200
    assert http_request(stack, "/", host=new).status == 404
    r = ok(admins["czj"].post("sites/requests/%d/decide" % req,
                              {"decision": "approve"}), 404)
    ok(admins["authority"].post("sites/requests/%d/decide" % req,
                                {"decision": "approve"}))

    for host in (domain("1"), domain("1").upper() + ".",
                 domain("1") + ":%d" % stack.port):
        resp = http_request(stack, "/catalogue?year=2024&page=2", host=host)
        assert resp.status == 301, (host, resp.status)
        loc = resp.header("Location")
        port = ":%d" % stack.port if host.endswith(":%d" % stack.port) \
            else ""
        assert loc == "http://%s%s/catalogue?year=2024&page=2" % (new, port)
    assert http_request(stack, "/", host=new).status == 200

    _, text = text_of(stack, "/announcements", DEMO_DOMAIN)
    assert "关于“德宏州测试1局网站”变更域名的公示" in text
    assert "由 %s 变更为 %s" % (domain("1"), new) in text
    opened["domain"] = new


def test_closing_shows_the_notice_then_410(stack, admins, db, opened):
    c = admins["mine"]
    site = opened["site"]
    new = opened["domain"]

    r = ok(c.post("sites/%d/close" % site, {"reason": "整合"}), 422)
    assert "请选择承接本网站内容的网站" in page_text(r)
    portal = value(db, "select site_id from gongkai.site_domains "
                       "where domain = 'www.dh.gov.cn'")
    resp = ok(c.post("sites/%d/close" % site,
                     {"successor": str(portal),
                      "reason": "内容整合至州政府门户网站。"}))
    req = request_id(resp)
    ok(admins["authority"].post("sites/requests/%d/decide" % req,
                                {"decision": "approve", "note": "同意。"}))
    assert value(db, "select state from gongkai.sites where id = %s",
                 (site,)) == "closed"
    until = value(db, "select (notice_until - closed_at) >= interval "
                      "'30 days' from gongkai.sites where id = %s", (site,))
    assert until is True

    # every path of the old address shows the notice, naming the successor
    for host in (new, opened.get("domain"), domain("1")):
        for path in ("/", "/catalogue", "/item/nothing"):
            resp, text = text_of(stack, path, host)
            assert resp.status == 200, (host, path, resp.status)
            assert "关停公告" in text
            assert "德宏州人民政府门户网站" in text
            assert "https://www.dh.gov.cn/" in resp.page.hrefs()
    _, text = text_of(stack, "/announcements", DEMO_DOMAIN)
    assert "关于关停“德宏州测试1局网站”的公示" in text

    # the clock moves on past the notice period: 410
    imported(db, "update gongkai.sites set closed_at = closed_at - "
                 "interval '31 days', notice_until = notice_until - "
                 "interval '31 days' where id = %s", (site,))
    resp, text = text_of(stack, "/", new)
    assert resp.status == 410
    assert "关停公告" in text and "不再提供任何内容" in text
    assert http_request(stack, "/catalogue", host=new).status == 410


def test_rejected_opening_frees_the_organ(stack, admins, db, world):
    c = admins["other"]
    resp = ok(c.post("sites/new", open_form("2")))
    req = request_id(resp)
    a = admins["authority"]
    r = ok(a.post("sites/requests/%d/decide" % req,
                  {"decision": "reject"}), 422)
    assert "不批准时请说明理由" in page_text(r)
    ok(a.post("sites/requests/%d/decide" % req,
              {"decision": "reject", "note": "域名不符合本州命名规范。"}))
    assert value(db, "select state from gongkai.site_requests where id = %s",
                 (req,)) == "rejected"
    assert value(db, "select count(*) from gongkai.sites where organ_id = %s",
                 (world["2"]["id"],)) == 0
    assert value(db, "select count(*) from gongkai.site_domains "
                     "where domain = %s", (domain("2"),)) == 0
    r = ok(c.get("sites/requests/%d" % req), 200)
    assert "未批准" in r.text and "域名不符合本州命名规范" in page_text(r)
    # nothing is announced for a refusal
    assert value(db, "select count(*) from gongkai.site_announcements "
                     "where request_id = %s", (req,)) == 0
    # the organ may ask again, and withdraw
    resp = ok(c.post("sites/new", open_form("2")))
    req = request_id(resp)
    ok(c.post("sites/requests/%d/withdraw" % req))
    assert value(db, "select state from gongkai.site_requests where id = %s",
                 (req,)) == "withdrawn"
    assert value(db, "select count(*) from gongkai.sites where organ_id = %s",
                 (world["2"]["id"],)) == 0


# ------------------------------------------------------------- the Host

@pytest.mark.parametrize("host", [
    "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b",
    "XN--GMQR62AXWB0VAL4B38QGNM.XN--ZFR164B.",
    "Xn--Gmqr62axwb0val4b38qgnm.Xn--Zfr164b:%s",
    "德宏州人民政府.政务",
    "DH.GOV.CN.",
])
def test_portal_by_its_other_domains(stack, host, portal_organ):
    if "%s" in host:
        host = host % stack.port
    resp = http_request(stack, "/", host=host.encode("utf-8"))
    assert resp.status == 200, host
    assert portal_organ["name"] in resp.page.text


@pytest.mark.parametrize("host", [
    "xn--fiqs8s.xn--zfr164b", "中国.政务", "xn--zz.xn--zfr164b",
    "www.dh.gov.cn.xn--zfr164b.example", "sfzj.dh.gov.cn.evil.com"])
def test_unknown_domains_are_plain_404(stack, host):
    resp = http_request(stack, "/", host=host.encode("utf-8"))
    assert resp.status == 404
    assert "未登记" in resp.page.text
    assert "德宏" not in resp.text


def test_demo_former_domain_redirects(stack):
    resp = http_request(stack, "/guide?organ=11533100000000103D",
                        host="SFZJ.dh.gov.cn.")
    assert resp.status == 301
    assert resp.header("Location") == \
        "http://sfj.dh.gov.cn/guide?organ=11533100000000103D"


def test_footer_of_the_demo_portal(stack):
    resp, text = text_of(stack, "/catalogue", DEMO_DOMAIN)
    assert "主办单位： 德宏傣族景颇族自治州人民政府办公室" in text or \
        "主办单位：德宏傣族景颇族自治州人民政府办公室" in text
    assert "5331000001" in text and "滇ICP备05001458号" in text
    assert "滇公网安备 53310202000101号" in text
    assert "德宏州人民政府.政务" in text


# ------------------------------------------------------- the link rule

def test_links_checked_on_save(stack, db):
    c = client(stack, "dh.drafter")
    cat = value(db, "select id from gongkai.categories where code = '10'")
    form = {"title": "e2e链接%s" % RUN, "generated_on": "2025-06-02",
            "category_id": str(cat), "validity": "有效", "kind": "general"}
    made = []
    try:
        form["body_html"] = ('<p>详见<a href="https://www.taobao.com/shop">'
                             '店铺</a>。</p>')
        r = ok(c.post("items/new", form), 422)
        assert "正文不能链接到 www.taobao.com" in page_text(r)
        assert value(db, "select count(*) from gongkai.items "
                         "where title = %s", (form["title"],)) == 0

        form["body_html"] = ('<p><a href="https://www.gov.cn/zhengce/">'
                             '国务院</a> <a href="http://www.people.com.cn/">'
                             '人民网</a> <a href="/catalogue">目录</a></p>')
        r = ok(c.post("items/new", form))
        item = int(r.headers["Location"].rsplit("/", 1)[1])
        made.append(item)

        # a deny-listed domain is refused even under .gov.cn
        with db.cursor() as cur:
            cur.execute("insert into gongkai.link_rules (domain, rule, note) "
                        "values (%s, 'deny', 'e2e 测试禁止链接')",
                        ("bad%s.gov.cn" % RUN,))
        form["body_html"] = ('<p><a href="http://www.bad%s.gov.cn/">x</a>'
                             '</p>' % RUN)
        r = ok(c.post("items/%d/edit" % item, form), 422)
        assert "已列入禁止链接的名单" in page_text(r)
        assert "e2e 测试禁止链接" in page_text(r)
    finally:
        with db.cursor() as cur:
            cur.execute("delete from gongkai.link_rules where domain = %s",
                        ("bad%s.gov.cn" % RUN,))
            if made:
                cur.execute("alter table gongkai.items disable trigger "
                            "items_chain_guard")
                cur.execute("delete from gongkai.items where id = any(%s)",
                            (made,))
                cur.execute("alter table gongkai.items enable trigger "
                            "items_chain_guard")


# ------------------------------------------------------------ freshness

def test_dashboard_warns_about_freshness(stack, admins, db, world):
    """The second organ's site, opened with no information: the dashboard
    lists its empty columns; with its only update (the opening
    announcement) 11 and then 15 days old, it warns and then says the
    limit has passed."""
    c = admins["other"]
    resp = ok(c.post("sites/new", open_form("2", domain=domain("2", "f"),
                                            chinese_domain="")))
    req = request_id(resp)
    ok(admins["authority"].post("sites/requests/%d/decide" % req,
                                {"decision": "approve"}))
    site = value(db, "select site_id from gongkai.site_requests "
                     "where id = %s", (req,))

    text = page_text(ok(c.get("sites"), 200))
    assert "德宏州测试2局网站" in text
    assert "个空白栏目" in text and "工作动态" in text
    assert "单项否决" in text

    for days, words in ((11, "首页已 11 天未更新，再过 3 天将超过 14 天"),
                        (15, "首页已 15 天未更新，超过了 14 天的期限")):
        imported(db, "update gongkai.site_announcements set published_at = "
                     "now() - make_interval(days => %s) "
                     "where subject_id = %s", (days, site))
        text = page_text(ok(c.get("sites"), 200))
        assert words in text, text[:3000]
        detail = page_text(ok(c.get("sites/%d" % site), 200))
        assert words in detail

    # the portal's administrator sees the portal's warnings
    text = page_text(ok(admins["authority"].get("sites"), 200))
    assert "德宏州人民政府门户网站" in text and "首页最后更新" in text
