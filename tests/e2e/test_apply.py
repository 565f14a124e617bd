"""Disclosure on request (依申请公开, issue 4) end to end: the public form
(works without JavaScript, errors next to their fields with every input
kept, nothing stored for bad input, the same form posted twice is one
case, 100 parallel submissions), the status page (tracking number and
query code both needed, posted, never in a URL), personal data absent
from public pages, URLs and nginx's logs, and the application officer
handling cases to closure through the admin, with the short paths.

The cases made here carry TAG in their description and are deleted when
the module ends (the cleanup disables the append-only triggers inside
its own transaction)."""

import concurrent.futures
import html
import re
import time
import urllib.parse

import pytest
import requests

from conftest import ROOT, assert_layout

TAG = "e2e申请%d" % (time.time_ns() % 10 ** 9)
PORTAL_ORGAN = "11533100000000100D"     # 德宏州人民政府, handled by its office
GOOD_ID = "11010519491231002X"
BAD_ID = "110105194912310021"           # wrong check character
GOOD_USCC = "91350100M000100Y43"
BAD_USCC = "91350100M000100Y44"

CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
TOKEN_RE = re.compile(r'name="form_token" value="([0-9a-f]{64})"')
CODE_RE = re.compile(r'class="apply-code"[^>]*>([^<]+)<')
TIMEOUT = 30


class Applicant:
    """A citizen's browser on the public site (cookies kept)."""

    def __init__(self, stack):
        self.base = stack.env["GONGKAI_URL"].rstrip("/")
        self.http = requests.Session()
        self.csrf = None
        self.token = None

    def get(self, path):
        r = self.http.get(self.base + path, allow_redirects=False,
                          timeout=TIMEOUT)
        m = CSRF_RE.search(r.text)
        if m:
            self.csrf = m.group(1)
        m = TOKEN_RE.search(r.text)
        if m:
            self.token = m.group(1)
        return r

    def post(self, path, data, **kw):
        return self.http.post(self.base + path, data=data,
                              allow_redirects=False, timeout=TIMEOUT, **kw)

    def open_form(self):
        r = self.get("/apply")
        assert r.status_code == 200, r.status_code
        assert self.csrf and self.token
        return r

    def submit(self, **fields):
        data = {"csrf": self.csrf, "form_token": self.token}
        data.update(fields)
        return self.post("/apply", data)

    def status(self, tracking, code, csrf=None):
        if self.csrf is None:
            self.get("/apply/status")
        return self.post("/apply/status",
                         {"csrf": csrf or self.csrf, "tracking_no": tracking,
                          "query_code": code})


def citizen(**kw):
    f = {"organ": PORTAL_ORGAN, "applicant_kind": "citizen",
         "name": "申请人甲", "id_type": "resident_id", "id_number": GOOD_ID,
         "phone": "13800138000", "email": "shenqing@example.com",
         "address": "德宏州芒市团结大街1号", "postcode": "678400",
         "description": TAG + " 芒市城区道路改造工程的立项批复",
         "wanted_form": "electronic", "delivery": "email"}
    f.update(kw)
    return {k: v for k, v in f.items() if v is not None}


def codes(resp):
    found = CODE_RE.findall(resp.text)
    assert len(found) == 2, resp.text[:2000]
    return found[0], found[1]


def field_error(resp, field):
    m = re.search(r'id="err-%s" class="field-error"[^>]*>([^<]*)<' % field,
                  resp.text)
    return html.unescape(m.group(1)) if m else None


def value_of(resp, field):
    m = re.search(r'name="%s"[^>]*value="([^"]*)"' % field, resp.text)
    if m:
        return html.unescape(m.group(1))
    m = re.search(r'name="%s"[^>]*>([^<]*)</textarea>' % field, resp.text)
    return html.unescape(m.group(1)) if m else None


@pytest.fixture(scope="module")
def cleanup(stack):
    yield
    conn = stack.connect_db(autocommit=False)
    try:
        with conn.cursor() as cur:
            cur.execute("select id from gongkai.applications "
                        "where description like %s", ("%" + TAG + "%",))
            ids = [r[0] for r in cur.fetchall()]
            if ids:
                tables = ("case_reply_steps", "case_replies",
                          "case_documents", "case_corrections",
                          "case_consultations", "case_extensions",
                          "case_assignments", "case_remedies",
                          "case_status_throttle", "case_files",
                          "applicants", "applications")
                for t in tables:
                    cur.execute("alter table gongkai.%s disable trigger user"
                                % t)
                cur.execute("delete from gongkai.case_reply_steps where "
                            "reply_id in (select id from gongkai.case_replies"
                            " where case_id = any(%s))", (ids,))
                cur.execute("update gongkai.case_replies set document_id = "
                            "null where case_id = any(%s)", (ids,))
                for t in tables[1:-1]:
                    cur.execute("delete from gongkai.%s where case_id = "
                                "any(%%s)" % t, (ids,))
                cur.execute("delete from gongkai.applications "
                            "where id = any(%s)", (ids,))
                for t in tables:
                    cur.execute("alter table gongkai.%s enable trigger user"
                                % t)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def applicant(stack, cleanup):
    return Applicant(stack)


def count_cases(demo):
    return demo.value("select count(*) from gongkai.applications "
                      "where description like %s", ("%" + TAG + "%",))


# ---------------------------------------------------------------- the form

def test_form_page(stack, applicant, demo):
    r = applicant.open_form()
    assert r.headers["Cache-Control"] == "no-store"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("gk_apply=" + applicant.csrf)
    for attr in ("Path=/apply", "HttpOnly", "SameSite=Strict"):
        assert attr in cookie, cookie
    assert "<script" not in r.text
    assert 'method="post" action="/apply"' in r.text
    # the organs that take applications: those whose handling office has
    # an application officer (the prefecture government's is its office)
    organs = [row["unit_code"] for row in demo.rows(
        "select o.unit_code from gongkai.organs o where o.id = any("
        "gongkai.apply_organs(gongkai.site_scope(gongkai.site_for_host("
        "'www.dh.gov.cn'))))")]
    assert PORTAL_ORGAN in organs
    shown = re.findall(r'name="organ" value="([0-9A-Z]+)"', r.text)
    assert sorted(shown) == sorted(organs)
    for name in ("applicant_kind", "name", "id_type", "id_number",
                 "org_name", "credit_code", "legal_rep", "contact_person",
                 "phone", "email", "address", "postcode", "description",
                 "doc_ref", "purpose", "wanted_form", "delivery"):
        assert 'name="%s"' % name in r.text, name
    # every field has a label
    for fid in re.findall(r'<(?:input|textarea|select) id="([^"]+)"',
                          r.text):
        assert 'for="%s"' % fid in r.text, fid
    # a second visit keeps the cookie, gets a new form token
    token = applicant.token
    r2 = applicant.get("/apply")
    assert "Set-Cookie" not in r2.headers
    assert applicant.token != token


def test_submission_and_confirmation(stack, applicant, demo):
    applicant.open_form()
    r = applicant.submit(**citizen(name="申请人独特名", phone="13912340001"))
    assert r.status_code == 200, r.text[:1000]
    assert r.headers["Cache-Control"] == "no-store"
    tracking, code = codes(r)
    assert re.match(r"^YS\d{4}-\d{6}$", tracking)
    assert re.match(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$",
                    code)
    # the confirmation shows nothing of the applicant
    for secret in ("申请人独特名", "13912340001", GOOD_ID,
                   "shenqing@example.com", "团结大街"):
        assert secret not in r.text, secret
    row = demo.row("select a.*, p.name, p.id_number from "
                   "gongkai.applications a join gongkai.applicants p on "
                   "p.case_id = a.id where a.tracking_no = %s", (tracking,))
    assert row["channel"] == "website" and row["stage"] == "received"
    assert row["name"] == "申请人独特名" and row["id_number"] == GOOD_ID
    assert row["receipt_date"] == demo.value("select gongkai.today_cn()")
    assert bytes(row["query_hash"]) == bytes(demo.value(
        "select gongkai.query_code_hash(%s)", (code,)))
    audit = demo.rows("select action, actor_id, detail::text from "
                      "gongkai.audit_log where case_id = %s", (row["id"],))
    assert [a["action"] for a in audit] == ["case.submit"]
    assert "申请人独特名" not in audit[0]["detail"]


def test_same_form_twice_is_one_case(stack, applicant, demo):
    applicant.open_form()
    fields = citizen(description=TAG + " 重复提交测试")
    first = applicant.submit(**fields)
    second = applicant.submit(**fields)
    assert first.status_code == second.status_code == 200
    assert codes(first) == codes(second)
    assert "已经提交过" in second.text
    assert demo.value("select count(*) from gongkai.applications "
                      "where description = %s", (fields["description"],)) == 1


def test_errors_shown_next_to_fields_with_input_kept(stack, applicant, demo):
    applicant.open_form()
    before = count_cases(demo)
    fields = citizen(id_number=BAD_ID, name="保留的姓名",
                     purpose="科研用途<b>加粗</b>", doc_ref="德政办发〔2025〕1号")
    r = applicant.submit(**fields)
    assert r.status_code == 422
    assert_layout_headers(r)
    assert "校验码" in field_error(r, "id_number")
    assert 'aria-invalid="true"' in r.text
    for name in ("name", "id_number", "phone", "email", "address",
                 "postcode", "doc_ref", "purpose", "description"):
        assert value_of(r, name) == fields[name], name
    assert "<b>加粗</b>" not in r.text              # escaped, kept
    assert re.search(r'<option selected(="selected")? value="resident_id"',
                     r.text)
    assert re.search(r'<input checked(="checked")? type="radio" '
                     r'name="applicant_kind" value="citizen"', r.text)
    # the same form token: fixing the error makes the case
    assert TOKEN_RE.search(r.text).group(1) == applicant.token
    assert count_cases(demo) == before
    ok = applicant.submit(**dict(fields, id_number=GOOD_ID))
    assert ok.status_code == 200
    assert count_cases(demo) == before + 1


def assert_layout_headers(resp):
    assert resp.headers["Content-Type"].startswith("text/html")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_organisation_credit_code_checked(stack, applicant, demo):
    applicant.open_form()
    before = count_cases(demo)
    org = citizen(applicant_kind="research", name=None, id_number=None,
                  org_name="德宏示例研究院", credit_code=BAD_USCC,
                  legal_rep="王院长", contact_person="赵老师")
    r = applicant.submit(**org)
    assert r.status_code == 422
    assert "校验码" in field_error(r, "credit_code")
    assert value_of(r, "credit_code") == BAD_USCC
    assert count_cases(demo) == before
    r = applicant.submit(**dict(org, credit_code=GOOD_USCC.lower()))
    assert r.status_code == 200
    tracking, _ = codes(r)
    assert demo.value("select applicant_kind from gongkai.applications "
                      "where tracking_no = %s", (tracking,)) == "research"


def test_missing_and_overlong_fields(stack, applicant, demo):
    applicant.open_form()
    before = count_cases(demo)
    r = applicant.submit(organ=PORTAL_ORGAN, description="")
    assert r.status_code == 422
    for f in ("applicant_kind", "description", "phone", "wanted_form",
              "delivery"):
        assert field_error(r, f), f
    assert "处需要修改" in r.text
    r = applicant.submit(**citizen(description=TAG + "长" * 4000,
                                   name="名" * 51))
    assert r.status_code == 422
    assert field_error(r, "description") == "所需信息的内容描述不能超过4000个字"
    assert field_error(r, "name") == "姓名不能超过50个字"
    assert count_cases(demo) == before


def test_invalid_utf8_and_bad_bodies_store_nothing(stack, applicant, demo):
    applicant.open_form()
    before = count_cases(demo)
    body = ("csrf=%s&form_token=%s&" % (applicant.csrf, applicant.token)
            + urllib.parse.urlencode(citizen())
            + "&name=%E5%BC%A0%FF%FE").encode()
    r = applicant.post("/apply", body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    # the form again, with a message and a fresh token
    assert r.status_code == 400 and "无效字符" in r.text
    assert 'name="description"' in r.text
    assert TOKEN_RE.search(r.text).group(1) != applicant.token
    r = applicant.post("/apply/status", b"tracking_no=%FF", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and 'name="query_code"' in r.text
    # a multipart body that is not one: the form again, nothing kept
    r = applicant.post("/apply", body, headers={
        "Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 400 and 'name="description"' in r.text
    r = applicant.post("/apply", body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = applicant.post("/apply/status", body, headers={
        "Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 415
    # no CSRF cookie, or a token that is not the cookie's
    stranger = requests.post(applicant.base + "/apply",
                             data=dict(citizen(), csrf=applicant.csrf,
                                       form_token=applicant.token),
                             timeout=TIMEOUT, allow_redirects=False)
    assert stranger.status_code == 403
    r = applicant.post("/apply", dict(citizen(), csrf="0" * 64,
                                      form_token=applicant.token))
    assert r.status_code == 403
    r = applicant.post("/apply", dict(citizen(), csrf=applicant.csrf,
                                      form_token="not-a-token"))
    assert r.status_code == 400
    r = applicant.http.put(applicant.base + "/apply", data="x",
                           timeout=TIMEOUT)
    assert r.status_code == 405 and "POST" in r.headers["Allow"]
    assert count_cases(demo) == before


def test_other_pages_still_refuse_post(stack, applicant):
    r = applicant.post("/catalogue", {"a": "b"})
    assert r.status_code == 405
    r = applicant.post("/apply/other", {"a": "b"})
    assert r.status_code in (404, 405)


# ------------------------------------------------------------- status page

def test_status_needs_number_and_code(stack, applicant, demo):
    applicant.open_form()
    r = applicant.submit(**citizen(name="查询人乙", phone="13700001234"))
    tracking, code = codes(r)
    page = applicant.get("/apply/status")
    assert page.status_code == 200 and page.headers["Cache-Control"] == \
        "no-store"
    assert 'method="post" action="/apply/status"' in page.text
    assert 'type="password" name="query_code"' in page.text
    ok = applicant.status(tracking, code.lower())
    assert ok.status_code == 200
    assert tracking in ok.text and "已收到，待审查" in ok.text
    for secret in ("查询人乙", "13700001234", GOOD_ID,
                   "shenqing@example.com"):
        assert secret not in ok.text
    wrong = applicant.status(tracking, "2222-2222-2222")
    assert wrong.status_code == 422 and tracking not in CODE_RE.findall(
        wrong.text)
    assert "申请编号或查询码不正确" in wrong.text
    unknown = applicant.status("YS2000-000001", code)
    assert unknown.status_code == 422
    assert field_error(unknown, "query_code") == \
        field_error(wrong, "query_code")
    # the code in a URL does nothing: GET shows only the form
    r = applicant.get("/apply/status?tracking_no=%s&query_code=%s"
                      % (tracking, code))
    assert r.status_code == 200 and "已收到，待审查" not in r.text
    # a department site does not show the prefecture's case
    other = requests.Session()
    host = {"Host": "czj.dh.gov.cn"}
    base = applicant.base
    f = other.get(base + "/apply/status", headers=host, timeout=TIMEOUT)
    csrf = CSRF_RE.search(f.text).group(1)
    r = other.post(base + "/apply/status", headers=host, timeout=TIMEOUT,
                   data={"csrf": csrf, "tracking_no": tracking,
                         "query_code": code})
    assert r.status_code == 422
    assert demo.value("select count(*) from gongkai.audit_log a join "
                      "gongkai.applications c on c.id = a.case_id where "
                      "c.tracking_no = %s and a.action = 'case.status_view'",
                      (tracking,)) == 1


def test_personal_data_not_in_urls_or_logs(stack, applicant, demo):
    applicant.open_form()
    secrets = {"name": "日志测试人丙", "phone": "13655554444",
               "email": "rizhi@example.com", "id_number": "533102198503150010",
               "address": "德宏州日志路99号"}
    r = applicant.submit(**citizen(**secrets))
    assert r.status_code == 200
    tracking, code = codes(r)
    applicant.status(tracking, code)
    applicant.status(tracking, "2222-3333-4444")
    time.sleep(0.3)
    logs = ""
    for name in ("access.log", "error.log"):
        path = ROOT / "var" / "log" / name
        logs += path.read_text(encoding="utf-8", errors="replace")
    quoted = [urllib.parse.quote(v) for v in secrets.values()]
    for v in list(secrets.values()) + quoted + [code, code.replace("-", "")]:
        assert v not in logs, v
    assert "/apply/status" in logs          # the requests were logged
    # and no value ever went into a link of the pages
    for href in re.findall(r'href="([^"]*)"', r.text):
        for v in secrets.values():
            assert urllib.parse.quote(v) not in href and v not in href


def test_hundred_parallel_submissions(stack, cleanup, demo):
    tag = TAG + " 并发"

    def one(i):
        a = Applicant(stack)
        a.open_form()
        r = a.submit(**citizen(description="%s %03d" % (tag, i),
                               name="并发%03d" % i))
        assert r.status_code == 200, (r.status_code, r.text[:300])
        return codes(r)

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(100)))
    trackings = [t for t, _ in results]
    assert len(set(trackings)) == 100
    assert len({c for _, c in results}) == 100
    rows = demo.rows("select tracking_no from gongkai.applications "
                     "where description like %s", (tag + " %",))
    assert sorted(r["tracking_no"] for r in rows) == sorted(trackings)


# ------------------------------------------------------- the admin: cases

from admin_client import AdminClient      # noqa: E402

PASSWORD = "gongkai-demo-2025"
STAFF = {"officer": "dh.applications", "secrecy": "dh.secrecy",
         "leader": "dh.leader", "head": "dh.unithead",
         "drafter": "dh.drafter", "other": "czj.applications"}
CASE_RE = re.compile(r'cases/([0-9]+)"')


@pytest.fixture(scope="module")
def staff(stack, cleanup):
    clients = {}
    for role, login in STAFF.items():
        c = AdminClient(stack)
        c.login_ok(login, PASSWORD)
        clients[role] = c
    return clients


def ok(resp, case_id):
    assert resp.status_code == 303, (resp.status_code,
                                     re.findall(r'class="field-error"[^>]*>'
                                                r'([^<]+)<', resp.text),
                                     resp.text[:300])
    assert resp.headers["Location"].endswith("/cases/%d" % case_id)


def register(officer, days_ago=0, **kw):
    """Register a letter received days_ago days ago; (id, tracking, code)."""
    today = officer.get("cases/new")
    assert today.status_code == 200
    day = re.search(r'name="receipt_date"[^>]*value="([0-9-]+)"',
                    today.text).group(1)
    import datetime
    d = datetime.date.fromisoformat(day) - datetime.timedelta(days=days_ago)
    fields = citizen(channel="letter", receipt_date=d.isoformat(),
                     delivery="post", **kw)
    r = officer.post("cases/new", fields)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    tracking, code = re.findall(r'class="ca-code"[^>]*>([^<]+)<', r.text)
    case_id = int(CASE_RE.search(r.text).group(1))
    return case_id, tracking, code


def reply_id(demo, case_id):
    return demo.value("select id from gongkai.case_replies where case_id = %s"
                      " and state in ('secrecy', 'approval')", (case_id,))


def document(demo, case_id, kind):
    return demo.value("select id from gongkai.case_documents where "
                      "case_id = %s and kind = %s order by id desc limit 1",
                      (case_id, kind))


def approve_reply(staff, demo, case_id):
    rid = reply_id(demo, case_id)
    ok(staff["secrecy"].post("cases/%d/reply/review" % case_id,
                             {"reply": rid, "decision": "approve"}), case_id)
    ok(staff["leader"].post("cases/%d/reply/review" % case_id,
                            {"reply": rid, "decision": "approve"}), case_id)


def test_journey_to_closure(stack, staff, applicant, demo):
    """submit → correction → corrected → accepted → assigned → consulted →
    extended → replied → delivered → closed, the applicant watching."""
    off = staff["officer"]
    applicant.open_form()
    r = applicant.submit(**citizen(name="全程申请人", phone="13512345678",
                                   description=TAG + " 全流程：某项目批复"))
    tracking, code = codes(r)
    case_id = demo.value("select id from gongkai.applications "
                         "where tracking_no = %s", (tracking,))
    queue = off.get("cases?q=" + tracking)
    assert tracking in queue.text and "待审查" in queue.text
    page = off.get("cases/%d" % case_id)
    assert page.status_code == 200 and "全程申请人" in page.text
    assert "13512345678" in page.text

    # 补正: one notice listing everything, with a deadline
    import datetime
    today = demo.value("select gongkai.today_cn()")
    ok(off.post("cases/%d/correction" % case_id,
                {"items": "请写明批复的文号。", "notice_on": "",
                 "due_on": (today + datetime.timedelta(days=10)).isoformat()}),
       case_id)
    st = applicant.status(tracking, code)
    assert "待申请人补正" in st.text and "请写明批复的文号" in st.text
    ok(off.post("cases/%d/corrected" % case_id,
                {"received_on": "", "received_note": "补充了文号"}), case_id)
    assert demo.value("select clock_start from gongkai.applications "
                      "where id = %s", (case_id,)) == today

    ok(off.post("cases/%d/accept" % case_id, {"accepted_on": ""}), case_id)
    ok(off.post("cases/%d/assign" % case_id,
                {"unit": "州发展改革委投资科", "assign_note": "请提供批复",
                 "assigned_on": ""}), case_id)
    aid = demo.value("select id from gongkai.case_assignments "
                     "where case_id = %s", (case_id,))
    r = off.post("cases/%d/assignments/%d/answer" % (case_id, aid),
                 {"answer": "partial", "answered_on": ""})
    assert r.status_code == 422 and "法律依据" in r.text
    ok(off.post("cases/%d/assignments/%d/answer" % (case_id, aid),
                {"answer": "partial", "ground": "art15_third_party",
                 "answer_note": "涉及企业商业秘密的部分不公开",
                 "answered_on": ""}), case_id)
    ok(off.post("cases/%d/consult" % case_id,
                {"kind": "third_party", "party": "某建设公司",
                 "sent_on": ""}), case_id)
    page = off.get("cases/%d" % case_id)
    assert "暂停计时" in page.text
    cid = demo.value("select id from gongkai.case_consultations "
                     "where case_id = %s", (case_id,))
    ok(off.post("cases/%d/consultations/%d/answer" % (case_id, cid),
                {"consult_answer": "disagree", "consult_answered_on": "",
                 "consult_note": "不同意公开报价部分"}), case_id)

    # one extension, approved by the head of the disclosure office
    due_before = demo.value("select (gongkai.case_clock(%s, "
                            "gongkai.today_cn())).due_on", (case_id,))
    r = off.post("cases/%d/extension" % case_id,
                 {"days": "21", "reason": "需要调取档案"})
    assert r.status_code == 422 and "20" in r.text
    ok(off.post("cases/%d/extension" % case_id,
                {"days": "20", "reason": "需要调取档案"}), case_id)
    r = off.post("cases/%d/extension/decide" % case_id,
                 {"decision": "approved"})
    assert r.status_code == 409                       # not the officer's
    head_page = staff["head"].get("cases")
    assert tracking in head_page.text and "延期申请待您审批" in head_page.text
    ok(staff["head"].post("cases/%d/extension/decide" % case_id,
                          {"decision": "approved", "decision_note": "同意"}),
       case_id)
    assert demo.value("select (gongkai.case_clock(%s, gongkai.today_cn()))"
                      ".due_on = gongkai.add_working_days(%s, 20)",
                      (case_id, due_before))

    # the reply: draft, secrecy review, approval
    r = off.post("cases/%d/reply" % case_id,
                 {"outcome": "2", "body": "部分公开，见附件。"})
    assert r.status_code == 422 and "法律依据" in r.text
    ok(off.post("cases/%d/reply" % case_id,
                {"outcome": "2", "ground": "art15_third_party",
                 "body": "经审查，您申请的批复部分公开，涉及第三方商业秘密的"
                         "报价部分不予公开。"}), case_id)
    rid = reply_id(demo, case_id)
    r = off.post("cases/%d/reply/review" % case_id,
                 {"reply": rid, "decision": "approve"})
    assert r.status_code == 409                        # the drafter
    sec = staff["secrecy"]
    assert "答复待您保密审查" in sec.get("cases").text
    sec_page = sec.get("cases/%d" % case_id)
    assert sec_page.status_code == 200
    assert "全程申请人" not in sec_page.text            # no personal data
    assert "13512345678" not in sec_page.text
    ok(sec.post("cases/%d/reply/review" % case_id,
                {"reply": rid, "decision": "approve"}), case_id)
    ok(staff["leader"].post("cases/%d/reply/review" % case_id,
                            {"reply": rid, "decision": "approve"}), case_id)

    # delivery of every notice, then closing
    r = off.post("cases/%d/close" % case_id, {"which": "close"})
    assert r.status_code == 409                        # not delivered
    for kind in ("correction", "acceptance", "extension", "reply"):
        doc = document(demo, case_id, kind)
        assert doc, kind
        ok(off.post("cases/%d/documents/%d/deliver" % (case_id, doc),
                    {"method": "email", "sent_on": "",
                     "sent_note": "发送至申请人邮箱"}), case_id)
    printed = off.get("cases/%d/documents/%d" % (case_id,
                                                document(demo, case_id,
                                                         "reply")))
    assert printed.status_code == 200
    assert "政府信息公开申请答复书" in printed.text and "60日内" in printed.text
    assert "全程申请人" in printed.text               # the addressee
    ok(off.post("cases/%d/close" % case_id, {"which": "close"}), case_id)
    row = demo.row("select stage, outcome from gongkai.applications "
                   "where id = %s", (case_id,))
    assert row == {"stage": "closed", "outcome": "2"}

    dossier = off.get("cases/%d/dossier" % case_id)
    assert dossier.status_code == 200
    for title in ("补正政府信息公开申请通知书", "受理政府信息公开申请通知书",
                  "延期答复告知书", "政府信息公开申请答复书"):
        assert title in dossier.text, title

    # the applicant sees the outcome and the documents, not their data
    st = applicant.status(tracking, code)
    assert "已办结" in st.text and "部分公开" in st.text
    assert "政府信息公开申请答复书" in st.text and "60日内" in st.text
    assert "全程申请人" not in st.text and "13512345678" not in st.text

    actions = {r["action"] for r in demo.rows(
        "select action from gongkai.audit_log where case_id = %s",
        (case_id,))}
    assert {"case.submit", "case.view", "case.correction", "case.corrected",
            "case.accept", "case.assign", "case.answer", "case.consult",
            "case.consult_answer", "case.extension_request",
            "case.extension_decide", "case.reply_draft", "case.reply_review",
            "case.document", "case.deliver", "case.close", "case.dossier",
            "case.document_view", "case.status_view"} <= actions


@pytest.mark.parametrize("right_organ", ["德宏州统计局（电话 0692-2222222）",
                                         ""])
def test_short_path_not_held(stack, staff, demo, right_organ):
    """Not this organ's (naming the right organ) / does not exist: a
    reply without acceptance, closed as 4.1."""
    off = staff["officer"]
    case_id, tracking, code = register(off, days_ago=1)
    ok(off.post("cases/%d/reply" % case_id,
                {"outcome": "4.1", "right_organ": right_organ,
                 "body": "经检索，本机关不掌握您申请的政府信息。"}), case_id)
    approve_reply(staff, demo, case_id)
    doc = document(demo, case_id, "reply")
    r = off.post("cases/%d/documents/%d/deliver" % (case_id, doc),
                 {"method": "in_person", "sent_on": ""})
    assert r.status_code == 422 and "签收人" in r.text
    ok(off.post("cases/%d/documents/%d/deliver" % (case_id, doc),
                {"method": "in_person", "sent_on": "", "signed_by": "张三"}),
       case_id)
    ok(off.post("cases/%d/close" % case_id, {"which": "close"}), case_id)
    row = demo.row("select stage, outcome from gongkai.applications "
                   "where id = %s", (case_id,))
    assert row == {"stage": "closed", "outcome": "4.1"}
    body = demo.value("select body from gongkai.case_documents "
                      "where id = %s", (doc,))
    assert (right_organ and right_organ in body) or \
        (not right_organ and "请您向其提出申请" not in body)


def test_short_path_no_correction_in_time(stack, staff, demo):
    off = staff["officer"]
    case_id, tracking, code = register(off, days_ago=20)
    receipt = demo.value("select receipt_date from gongkai.applications "
                         "where id = %s", (case_id,))
    import datetime
    notice = receipt + datetime.timedelta(days=1)
    due = notice + datetime.timedelta(days=5)
    ok(off.post("cases/%d/correction" % case_id,
                {"items": "请补正所需信息的名称。",
                 "notice_on": notice.isoformat(),
                 "due_on": due.isoformat()}), case_id)
    r = off.post("cases/%d/corrected" % case_id, {"received_on": ""})
    assert r.status_code == 409 and "逾期不补正" in r.text
    page = off.get("cases/%d" % case_id)
    assert "按逾期不补正办结" in page.text
    queue = off.get("cases?stage=correcting&q=" + tracking)
    assert tracking in queue.text and "补正期限已过" in queue.text
    ok(off.post("cases/%d/close" % case_id,
                {"which": "close_no_correction", "outcome": "6.1"}), case_id)
    assert demo.value("select outcome from gongkai.applications "
                      "where id = %s", (case_id,)) == "6.1"


def test_correction_notice_too_late(stack, staff, demo):
    off = staff["officer"]
    case_id, _, _ = register(off, days_ago=30)
    r = off.post("cases/%d/correction" % case_id,
                 {"items": "请补正", "notice_on": "",
                  "due_on": "2099-01-01"})
    assert r.status_code == 409 and "7个工作日" in r.text


def test_queue_marks_overdue_and_due_soon(stack, staff, demo):
    off = staff["officer"]
    late_id, late_no, _ = register(off, days_ago=45)
    soon_days = demo.value(
        "select gongkai.today_cn() - d from generate_series("
        "gongkai.today_cn() - 40, gongkai.today_cn() - 1, interval '1 day') g"
        " cross join lateral (select g::date as d) x where "
        "gongkai.working_days_between(gongkai.today_cn(), "
        "gongkai.add_working_days(d, 20)) between 1 and 3 "
        "order by d desc limit 1")
    soon_id, soon_no, _ = register(off, days_ago=soon_days)
    queue = off.get("cases")
    rows = re.findall(r'<tr>.*?</tr>', queue.text, re.S)
    late = [r for r in rows if late_no in r][0]
    soon = [r for r in rows if soon_no in r][0]
    assert "已超期" in late and "rv-due-over" in late
    assert "rv-due-soon" in soon and "剩余" in soon
    # the overdue one comes before the ones that are not
    assert queue.text.index(late_no) < queue.text.index(soon_no)
    days_left = demo.value("select (gongkai.case_clock(%s, "
                           "gongkai.today_cn())).days_left", (soon_id,))
    assert "剩余 %d 个工作日" % days_left in re.sub(r"<[^>]+>", "", soon)


def test_registration_errors_kept(stack, staff, demo):
    off = staff["officer"]
    before = count_cases(demo)
    r = off.post("cases/new", citizen(channel="letter", id_number=BAD_ID,
                                      name="登记错误人", receipt_date=""))
    assert r.status_code == 422
    assert "校验码" in r.text and 'value="登记错误人"' in r.text
    r = off.post("cases/new", citizen(channel="website", receipt_date=""))
    assert r.status_code == 422 and "收到申请的方式" in r.text
    assert count_cases(demo) == before


def test_case_access(stack, staff, demo):
    case_id, tracking, _ = register(staff["officer"], days_ago=0,
                                    name="权限测试人")
    for who in ("other", "drafter"):
        r = staff[who].get("cases/%d" % case_id)
        assert r.status_code == 404, who
        assert "权限测试人" not in r.text
        r = staff[who].post("cases/%d/accept" % case_id, {})
        assert r.status_code == 404, who
    other = staff["other"].get("cases?q=" + tracking)
    assert "没有符合条件的申请" in other.text
    assert "cases/%d\"" % case_id not in other.text
    page = staff["leader"].get("cases/%d" % case_id)
    assert page.status_code == 200 and "权限测试人" not in page.text
    r = staff["leader"].post("cases/%d/accept" % case_id, {})
    assert r.status_code == 409
    r = staff["officer"].post("cases/%d/accept" % case_id, {"csrf": "x"})
    assert r.status_code == 403
    assert demo.value("select stage from gongkai.applications "
                      "where id = %s", (case_id,)) == "received"
    views = demo.rows("select actor_login from gongkai.audit_log "
                      "where case_id = %s and action = 'case.view'",
                      (case_id,))
    assert {v["actor_login"] for v in views} == {"dh.leader"}
