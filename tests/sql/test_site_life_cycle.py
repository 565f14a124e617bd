"""The site life cycle in the database (sql/migrations/0062-0066): who
may request and decide (the organ's site administrator; the competent
authority of the portal above; a system administrator for a portal with
no government above it), the state machine that no writer can bypass,
the announcements, the closure period, the link rule and the freshness
warnings.  Everything runs in a transaction that is rolled back."""

import psycopg2
import pytest


def one(cur, sql, args=()):
    cur.execute(sql, args)
    row = cur.fetchone()
    return row[0] if row else None


def refused(cur, words, sql, args=(), code="GKA09"):
    cur.execute("savepoint t")
    with pytest.raises(psycopg2.Error) as e:
        cur.execute(sql, args)
    cur.execute("rollback to savepoint t")
    assert e.value.pgcode == code, (e.value.pgcode, e.value.pgerror)
    assert words in e.value.pgerror, e.value.pgerror


def user(cur, login):
    return one(cur, "select id from users where login = %s", (login,))


def make_admin(cur, unit_code, login, role="site_admin"):
    cur.execute("insert into users (organ_id, login, name, password_hash) "
                "select id, %s, '测试', "
                "'$2a$10$abcdefghijklmnopqrstuuabcdefghijklmnop"
                "qrstuvwxyzabcde'"
                " from organs where unit_code = %s returning id",
                (login, unit_code))
    uid = cur.fetchone()[0]
    cur.execute("insert into user_roles values (%s, %s)", (uid, role))
    return uid


def site_of(cur, domain):
    return one(cur, "select site_id from site_domains where domain = %s",
               (domain,))


FORM = {"name": "德宏州应急管理局测试网站", "domain": "yjt.dh.gov.cn",
        "code": "5331000077", "icp_no": "滇ICP备05001458号-7",
        "psb_no": "滇公网安备 53310202000177号"}


@pytest.fixture
def cur(owner):
    """The owner, without the demo's pending request (so that the
    emergency management bureau may ask again)."""
    owner.execute("set local gongkai.import = 'test'")
    owner.execute("delete from site_requests where state = 'pending'")
    owner.execute("delete from site_domains where site_id in (select id "
                  "from sites where state = 'pending')")
    owner.execute("delete from sites where state = 'pending'")
    owner.execute("set local gongkai.import = ''")
    return owner


def request_open(cur, who, form=None):
    import json
    return one(cur, "select site_request_open(%s, null, %s)",
               (who, json.dumps(form or FORM)))


def test_department_opening_decided_by_the_portals_authority(cur):
    who = user(cur, "yjj.siteadmin")
    req = request_open(cur, who)
    site = one(cur, "select site_id from site_requests where id = %s", (req,))
    assert one(cur, "select state from sites where id = %s",
               (site,)) == "pending"
    assert one(cur, "select approver_site_id from site_requests "
                    "where id = %s", (req,)) == site_of(cur, "www.dh.gov.cn")

    decide = "select site_request_decide(%s, null, %s, 'approve', null)"
    refused(cur, "申请人不能审批", decide, (who, req))
    refused(cur, "主办单位的网站管理员", decide,
            (user(cur, "czj.siteadmin"), req))
    refused(cur, "主办单位的网站管理员", decide,
            (user(cur, "dh.sysadmin"), req))
    refused(cur, "主办单位的网站管理员", decide, (user(cur, "dh.leader"), req))
    cur.execute(decide, (user(cur, "dh.siteadmin"), req))
    assert one(cur, "select state from sites where id = %s",
               (site,)) == "active"
    cur.execute("select site_id, kind, title from site_announcements "
                "where request_id = %s", (req,))
    assert cur.fetchone() == (site_of(cur, "www.dh.gov.cn"), "open",
                              "关于开通“德宏州应急管理局测试网站”的公示")
    refused(cur, "已经处理完毕", decide, (user(cur, "dh.siteadmin"), req))
    assert one(cur, "select count(*) from audit_log where action in "
                    "('site.request', 'site.approve') and detail "
                    "->> 'site_request' = %s", (str(req),)) == 2


def test_only_the_organs_site_administrator_requests(cur):
    import json
    refused(cur, "只有网站管理员可以申请开设网站",
            "select site_request_open(%s, null, %s)",
            (user(cur, "dh.drafter"), json.dumps(FORM)))
    # the office hosts the portal: it opens no other site
    v = one(cur, "select (site_open_form(%s, %s)).errors",
            (user(cur, "dh.siteadmin"), json.dumps(FORM)))
    assert "已主办网站“德宏州人民政府门户网站”" in v["organ"]
    # the finance bureau has a site already
    v = one(cur, "select (site_open_form(%s, %s)).errors",
            (user(cur, "czj.siteadmin"), json.dumps(FORM)))
    assert "本机关已有网站" in v["organ"]
    refused(cur, "本网站的网站管理员", "select site_request_change(%s, null, "
            "%s, '{\"domain\": \"x.dh.gov.cn\", \"reason\": \"x\"}')",
            (user(cur, "dh.siteadmin"), site_of(cur, "czj.dh.gov.cn")))


def test_county_portal_decided_by_the_prefecture(cur):
    """芒市 is below Dehong: its portal is decided by Dehong's competent
    authority (seed 000 网站管理办法 第十七条)."""
    import json
    who = make_admin(cur, "11533103000000100D", "ms.siteadmin")
    form = dict(FORM, name="芒市人民政府门户网站", domain="www.dhms.gov.cn",
                code="5331030001")
    req = request_open(cur, who, form)
    assert one(cur, "select approver_site_id from site_requests "
                    "where id = %s", (req,)) == site_of(cur, "www.dh.gov.cn")
    # a department-shaped domain is refused for a portal
    v = one(cur, "select (site_open_form(%s, %s)).errors",
            (make_admin(cur, "11533103000000100D", "ms.siteadmin2"),
             json.dumps(dict(form, domain="ms.dh.gov.cn"))))
    assert "门户网站的域名应为 www.<地名>.gov.cn" in v["domain"]
    cur.execute("select site_request_decide(%s, null, %s, 'approve', null)",
                (user(cur, "dh.siteadmin"), req))
    assert one(cur, "select state from sites where id = %s",
               (site_of(cur, "www.dhms.gov.cn"),)) == "active"


def test_top_portal_decided_by_a_system_administrator(cur):
    """Kaiping has no government above it in the registry: a system
    administrator decides for its portal."""
    who = make_admin(cur, "11440783000000100D", "kp.siteadmin")
    portal = site_of(cur, "www.kaiping.gov.cn")
    req = one(cur, "select site_request_change(%s, null, %s, %s)",
              (who, portal, '{"domain": "www.kaipingshi.gov.cn", '
                            '"reason": "统一命名"}'))
    assert one(cur, "select approver_site_id from site_requests "
                    "where id = %s", (req,)) is None
    decide = "select site_request_decide(%s, null, %s, 'approve', null)"
    refused(cur, "由系统管理员", decide, (user(cur, "dh.siteadmin"), req))
    cur.execute(decide, (user(cur, "dh.sysadmin"), req))
    assert one(cur, "select role from site_domains where domain = "
                    "'www.kaiping.gov.cn'") == "former"
    assert one(cur, "select role from site_domains where domain = "
                    "'www.kaipingshi.gov.cn'") == "primary"
    # announced on the portal itself
    assert one(cur, "select site_id from site_announcements "
                    "where request_id = %s", (req,)) == portal
    cur.execute("select portal.host_status('www.kaiping.gov.cn')::jsonb")
    assert cur.fetchone()[0] == {"site": None,
                                 "moved": "www.kaipingshi.gov.cn"}


def test_state_machine_refuses_direct_writes(cur):
    czj = site_of(cur, "czj.dh.gov.cn")
    refused(cur, "须经申请和主管部门批准",
            "insert into sites (name, kind, organ_id) select 'x', 'portal', "
            "id from organs where unit_code = '11533103000000100D'")
    refused(cur, "状态不能这样改变",
            "update sites set state = 'closed', closed_at = now(), "
            "notice_until = now() + interval '30 days' where id = %s", (czj,))
    refused(cur, "状态不能这样改变",
            "update sites set state = 'suspended' where id = %s", (czj,))
    refused(cur, "已开通的网站只能按程序关停",
            "delete from sites where id = %s", (czj,))
    refused(cur, "经变更申请和主管部门批准",
            "update site_domains set domain = 'cz.dh.gov.cn' "
            "where domain = 'czj.dh.gov.cn'")
    refused(cur, "经变更申请和主管部门批准",
            "delete from site_domains where domain = 'czj.dh.gov.cn'")
    refused(cur, "经变更申请和主管部门批准",
            "insert into site_domains (domain, site_id, role) "
            "values ('cz.dh.gov.cn', %s, 'alias')", (czj,))
    refused(cur, "经变更申请和主管部门批准",
            "update site_domains set role = 'alias' "
            "where domain = 'sfzj.dh.gov.cn'")
    refused(cur, "不能修改或删除",
            "delete from site_announcements")
    # a request approved in another transaction does not justify a write
    cur.execute("set local gongkai.import = 'x'")
    cur.execute("insert into site_requests (kind, site_id, site_name, "
                "organ_id, state, requested_by, decided_by, decided_at) "
                "select 'close', id, name, organ_id, 'approved', %s, %s, "
                "now() - interval '1 day' from sites where id = %s",
                (user(cur, "czj.siteadmin"), user(cur, "dh.siteadmin"), czj))
    cur.execute("set local gongkai.import = ''")
    refused(cur, "状态不能这样改变",
            "update sites set state = 'closed', closed_at = now(), "
            "notice_until = now() + interval '30 days' where id = %s", (czj,))


def test_closure_period_at_least_30_days(cur):
    czj = site_of(cur, "czj.dh.gov.cn")
    cur.execute("update settings set value = '7' "
                "where key = 'site.closure_notice_days'")
    req = one(cur, "select site_request_close(%s, null, %s, %s)",
              (user(cur, "czj.siteadmin"), czj,
               '{"successor": "%d", "reason": "整合"}'
               % site_of(cur, "www.dh.gov.cn")))
    cur.execute("select site_request_decide(%s, null, %s, 'approve', null)",
                (user(cur, "dh.siteadmin"), req))
    assert one(cur, "select notice_until - closed_at from sites "
                    "where id = %s", (czj,)).days == 30
    cur.execute("select portal.host_status('czj.dh.gov.cn')::jsonb")
    got = cur.fetchone()[0]
    assert got["closed"]["gone"] is False
    assert got["closed"]["successor"]["domain"] == "www.dh.gov.cn"
    # the clock moved: the notice period is over
    cur.execute("set local gongkai.import = 'clock'")
    cur.execute("update sites set closed_at = closed_at - interval '31 days',"
                " notice_until = notice_until - interval '31 days' "
                "where id = %s", (czj,))
    cur.execute("select portal.host_status('czj.dh.gov.cn')::jsonb")
    assert cur.fetchone()[0]["closed"]["gone"] is True
    # and a closed site is never served as a site
    cur.execute("select portal.page_home('czj.dh.gov.cn')::jsonb -> 'site'")
    assert cur.fetchone()[0] is None


def test_portal_with_departments_cannot_close(cur):
    refused(cur, "还有运行中的部门网站",
            "select site_request_close(%s, null, %s, "
            "'{\"successor\": \"1\", \"reason\": \"x\"}')",
            (user(cur, "dh.siteadmin"), site_of(cur, "www.dh.gov.cn")))


def test_rejection_and_withdrawal_free_the_organ(cur):
    who = user(cur, "yjj.siteadmin")
    req = request_open(cur, who)
    refused(cur, "不批准时请说明理由",
            "select site_request_decide(%s, null, %s, 'reject', null)",
            (user(cur, "dh.siteadmin"), req), code="GKA22")
    cur.execute("select site_request_decide(%s, null, %s, 'reject', '不符')",
                (user(cur, "dh.siteadmin"), req))
    assert one(cur, "select site_id from site_requests where id = %s",
               (req,)) is None
    assert site_of(cur, FORM["domain"]) is None
    req = request_open(cur, who)
    refused(cur, "只有申请人", "select site_request_withdraw(%s, null, %s)",
            (user(cur, "czj.siteadmin"), req))
    cur.execute("select site_request_withdraw(%s, null, %s)", (who, req))
    assert site_of(cur, FORM["domain"]) is None
    assert one(cur, "select count(*) from site_announcements "
                    "where request_id = %s", (req,)) == 0


# ---------------------------------------------------------- the admin JSON

def admin_page(cur, fn, login, args=(), query=None):
    import json
    import os
    token = os.urandom(32).hex()
    cur.execute("select session_open(%s, %s, null)",
                (token, user(cur, login)))
    cur.execute("select admin.%s(%%s, null, %%s, %%s)" % fn,
                (token, list(args), json.dumps(query or {})))
    return cur.fetchone()[0]


def test_dashboard_json(cur):
    page = admin_page(cur, "page_sites", "dh.siteadmin")
    names = [s["name"] for s in page["sites"]]
    assert names == ["德宏州人民政府门户网站"]
    assert page["can_open"] is False
    assert [r["site_name"] for r in page["to_decide"]] == []
    portal = page["sites"][0]
    assert portal["freshness"]["home"]["last_update"] is not None
    assert {c["code"] for c in portal["freshness"]["columns"]} >= {"01", "10"}
    page = admin_page(cur, "page_sites", "yjj.siteadmin")
    assert page["can_open"] is True and page["sites"] == []
    cur.execute("savepoint t")
    with pytest.raises(psycopg2.Error) as e:
        admin_page(cur, "page_sites", "dh.drafter")
    cur.execute("rollback to savepoint t")
    assert e.value.pgcode == "GKA04"


def test_freshness_warnings(cur):
    """A news column (工作动态) last updated 11 days ago warns, 15 days
    ago is overdue; a policy column within 30 days of 6 months warns."""
    site = site_of(cur, "czj.dh.gov.cn")
    organ = one(cur, "select organ_id from sites where id = %s", (site,))
    cur.execute("set local gongkai.import = 'clock'")
    cur.execute("update items set published_at = now() - interval '400 days',"
                " changed_at = null where organ_id = %s", (organ,))
    cur.execute("update items set published_at = now() - interval '11 days' "
                "where id = (select min(i.id) from items i join categories c "
                "on c.id = i.category_id where i.organ_id = %s and "
                "i.state = 'published')", (organ,))
    cur.execute("with recursive up (id, parent_id) as ("
                " select c.id, c.parent_id from categories c where c.id = "
                " (select category_id from items where id = (select min(id) "
                "  from items where organ_id = %s and state = 'published'))"
                " union all select c.id, c.parent_id from categories c "
                " join up on c.id = up.parent_id) "
                "update categories set update_class = 'news' where id = "
                "(select id from up where parent_id is null)", (organ,))
    f = one(cur, "select site_freshness(%s)", (site,))
    assert f["home"]["days"] == 11 and f["home"]["warn"] is True
    msgs = " ".join(w["message"] for w in f["warnings"])
    assert "首页已 11 天未更新，再过 3 天将超过 14 天的期限" in msgs
    news = [c for c in f["columns"] if c["class"] == "news" and c["count"]]
    assert news and news[0]["warn"] is True and news[0]["overdue"] is False
    cur.execute("update items set published_at = published_at - "
                "interval '4 days' where organ_id = %s and published_at > "
                "now() - interval '12 days'", (organ,))
    f = one(cur, "select site_freshness(%s)", (site,))
    assert f["home"]["overdue"] is True
    assert any(w["overdue"] and "超过了 14 天" in w["message"]
               for w in f["warnings"])
    assert f["empty_count"] == sum(1 for c in f["columns"] if c["empty"])
