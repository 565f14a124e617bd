"""The review chain (先审后发) through the admin pages, with the demo staff
in the browser's shoes (sql/ADMIN.md, DOMAIN.md §2): the full chain to
publication and the public page appearing; rejection at each step; the
own-approval rule; another organ's item unreachable; screening hits
shown and acknowledged; a secrecy mark blocking submission; scheduled
publication appearing without anybody acting; change, withdrawal (a
notice at the item's URL) and removal (410).

The items made here are deleted again when the module ends (their
review records too: the test disables the append-only triggers inside
its own cleanup transaction)."""

import datetime
import html
import re
import time

import pytest

from admin_client import AdminClient
from conftest import ROOT, http_request, item_path

PASSWORD = "gongkai-demo-2025"
STAFF = {"drafter": "dh.drafter", "unit_head": "dh.unithead",
         "secrecy": "dh.secrecy", "leader": "dh.leader",
         "czj_drafter": "czj.drafter", "czj_unit_head": "czj.unithead"}
TAG = "e2e审核%d" % (time.time_ns() % 10 ** 9)
ID_RE = re.compile(r"items/([0-9]+)$")


@pytest.fixture(scope="module")
def staff(stack):
    clients = {}
    for role, login in STAFF.items():
        c = AdminClient(stack)
        c.login_ok(login, PASSWORD)
        clients[role] = c
    return clients


@pytest.fixture(scope="module")
def made(stack):
    """Ids of the items this module creates; deleted at the end."""
    ids = []
    yield ids
    if not ids:
        return
    conn = stack.connect_db(autocommit=False)
    try:
        with conn.cursor() as cur:
            for t in ("review_steps", "review_rounds", "item_versions",
                      "attachments"):
                cur.execute("alter table gongkai.%s disable trigger user" % t)
            cur.execute("alter table gongkai.items disable trigger "
                        "items_chain_guard")
            cur.execute("update gongkai.item_versions set round_id = null "
                        "where item_id = any(%s)", (ids,))
            cur.execute("delete from gongkai.review_steps where round_id in "
                        "(select id from gongkai.review_rounds "
                        "where item_id = any(%s))", (ids,))
            cur.execute("delete from gongkai.review_rounds "
                        "where item_id = any(%s)", (ids,))
            for t in ("item_versions", "attachments"):
                cur.execute("delete from gongkai.%s where item_id = any(%%s)"
                            % t, (ids,))
            cur.execute("delete from gongkai.items where id = any(%s)",
                        (ids,))
            for t in ("review_steps", "review_rounds", "item_versions",
                      "attachments"):
                cur.execute("alter table gongkai.%s enable trigger user" % t)
            cur.execute("alter table gongkai.items enable trigger "
                        "items_chain_guard")
        conn.commit()
    finally:
        conn.close()


def page_text(resp):
    t = re.sub(r"<[^>]+>", " ", resp.text)
    return re.sub(r"\s+", " ", html.unescape(t))


def ok(resp, status=303):
    assert resp.status_code == status, (resp.status_code,
                                        page_text(resp)[:1500])
    return resp


def category(db, code):
    with db.cursor() as cur:
        cur.execute("select id from gongkai.categories where code = %s",
                    (code,))
        return str(cur.fetchone()[0])


def value(db, sql, args=()):
    with db.cursor() as cur:
        cur.execute(sql, args)
        row = cur.fetchone()
        return row[0] if row else None


def create(staff, db, made, title, body="<p>正文内容。</p>", **extra):
    c = staff["drafter"]
    form = {"title": title, "generated_on": "2025-06-02",
            "category_id": category(db, "10"), "validity": "有效",
            "kind": "general", "body_html": body, "keywords": "测试"}
    form.update(extra)
    resp = ok(c.post("items/new", form))
    m = ID_RE.search(resp.headers["Location"])
    assert m, resp.headers["Location"]
    item = int(m.group(1))
    made.append(item)
    return item


def submit(staff, item, opinion="proactive", **extra):
    data = {"opinion": opinion}
    data.update(extra)
    return staff["drafter"].post("items/%d/submit" % item, data)


def review(c, item, decision, **extra):
    data = {"decision": decision}
    data.update(extra)
    return c.post("items/%d/review" % item, data)


def secrecy_open(staff, item, **extra):
    data = {"basis": "《中华人民共和国保守国家秘密法》",
            "reason": "不涉及国家秘密、商业秘密和个人隐私。"}
    data.update(extra)
    return review(staff["secrecy"], item, "open", **data)


def state(db, item):
    return value(db, "select state from gongkai.items where id = %s",
                 (item,))


def index_no(db, item):
    return value(db, "select index_no from gongkai.items where id = %s",
                 (item,))


def through_chain(staff, db, made, title, **extra):
    item = create(staff, db, made, title, **extra)
    ok(submit(staff, item))
    ok(review(staff["unit_head"], item, "approve"))
    ok(secrecy_open(staff, item))
    ok(review(staff["leader"], item, "approve", publish="now"))
    assert state(db, item) == "published"
    return item


# --------------------------------------------------------------- the chain

def test_full_chain_to_the_public_page(stack, staff, db, made):
    title = "%s 德宏州政务公开工作动态（全流程）" % TAG
    c = staff["drafter"]
    form = ok(c.get("items/new"), 200)
    assert 'name="title"' in form.text and 'name="body_html"' in form.text
    item = create(staff, db, made, title, doc_no="德政办发〔2025〕99号")
    page = ok(c.get("items/%d" % item), 200)
    assert 'action="/admin/items/%d/submit"' % item in page.text
    assert "提交审核" in page.text and 'name="opinion"' in page.text
    assert state(db, item) == "draft"

    resp = ok(submit(staff, item))
    assert resp.headers["Location"].endswith("/admin/items/%d" % item)
    assert state(db, item) == "review"
    # the unit head sees it on the dashboard and on the item page
    home = ok(staff["unit_head"].get(""), 200)
    assert title in home.text
    assert 'href="/admin/items/%d"' % item in home.text
    page = ok(staff["unit_head"].get("items/%d" % item), 200)
    assert 'action="/admin/items/%d/review"' % item in page.text
    assert "股室负责人审核" in page_text(page)
    ok(review(staff["unit_head"], item, "approve", reason="同意。"))

    page = ok(staff["secrecy"].get("items/%d" % item), 200)
    assert "保密审查意见（三者选一）" in page_text(page)
    ok(secrecy_open(staff, item))
    assert index_no(db, item) is None        # not before publication
    ok(review(staff["leader"], item, "approve", publish="now"))
    assert state(db, item) == "published"
    no = index_no(db, item)
    assert no and no.startswith("11533100000000101D-10-2025-")

    # the public page appears, and the catalogue lists it
    pub = http_request(stack, item_path(no))
    assert pub.status == 200, pub
    assert pub.page.contains_text(title)
    assert pub.page.contains_text("德政办发〔2025〕99号")
    cat = http_request(stack, "/catalogue?organ=11533100000000101D")
    assert cat.page.contains_text(title)

    # every step is on the item page's history and in the audit log
    page = ok(c.get("items/%d" % item), 200)
    text = page_text(page)
    for step in ("经办人提交（初步意见）", "股室负责人审核", "保密审查",
                 "分管领导审批", "刀建国", "线美玲", "岳文华"):
        assert step in text, step
    assert no in text and "/item/%s" % no in page.text
    with db.cursor() as cur:
        cur.execute("select action, actor_login from gongkai.audit_log "
                    "where item_id = %s order by id", (item,))
        assert cur.fetchall() == [
            ("item.create", "dh.drafter"), ("item.submit", "dh.drafter"),
            ("item.review", "dh.unithead"), ("item.review", "dh.secrecy"),
            ("item.review", "dh.leader"), ("item.publish", "dh.leader")]


@pytest.mark.parametrize("where", ["unit_head", "secrecy", "leader"])
def test_rejection_returns_to_the_drafter(staff, db, made, where):
    title = "%s 退回测试 %s" % (TAG, where)
    item = create(staff, db, made, title)
    ok(submit(staff, item))
    reason = "请补充%s要求的材料" % where
    if where == "unit_head":
        ok(review(staff["unit_head"], item, "reject", reason=reason))
    else:
        ok(review(staff["unit_head"], item, "approve"))
        if where == "secrecy":
            ok(review(staff["secrecy"], item, "withhold", reason=reason,
                      basis="《保守国家秘密法》"))
        else:
            ok(secrecy_open(staff, item))
            ok(review(staff["leader"], item, "reject", reason=reason))
    assert state(db, item) == "draft" and index_no(db, item) is None
    page = ok(staff["drafter"].get("items/%d" % item), 200)
    text = page_text(page)
    assert "本信息已被退回" in text and reason in text
    assert 'action="/admin/items/%d/submit"' % item in page.text
    home = ok(staff["drafter"].get(""), 200)
    assert "已退回，请按意见修改后重新提交" in page_text(home)
    assert title in home.text
    # the reviewers have nothing more to do on it
    resp = review(staff["leader"], item, "approve")
    assert resp.status_code == 409
    # edited and submitted again, it starts over at the unit head
    resp = ok(staff["drafter"].post("items/%d/edit" % item, {
        "title": title + "（已修改）", "generated_on": "2025-06-02",
        "category_id": category(db, "10"), "body_html": "<p>补充后。</p>"}))
    ok(submit(staff, item))
    page = ok(staff["unit_head"].get("items/%d" % item), 200)
    assert 'action="/admin/items/%d/review"' % item in page.text


def test_missing_reason_keeps_the_form(staff, db, made):
    item = create(staff, db, made, "%s 理由必填" % TAG)
    ok(submit(staff, item))
    resp = review(staff["unit_head"], item, "reject", reason="")
    assert resp.status_code == 422
    assert "请填写理由" in page_text(resp)
    assert 'aria-invalid="true"' in resp.text
    assert re.search(r'<input checked="checked" type="radio" '
                     r'name="decision"[^>]* value="reject">', resp.text), \
        "the chosen decision is kept"
    assert state(db, item) == "review"


def test_nobody_approves_their_own_draft(staff, db, made, stack):
    # a drafter who is also unit head cannot pass their own item
    login = "e2e.review.both"
    with db.cursor() as cur:
        cur.execute("insert into gongkai.users (organ_id, login, name, "
                    "password_hash) select id, %s, '测试两职', "
                    "gongkai.password_hash(%s) from gongkai.organs "
                    "where unit_code = '11533100000000101D' "
                    "on conflict (login) do nothing", (login, PASSWORD))
        cur.execute("insert into gongkai.user_roles select id, r from "
                    "gongkai.users, unnest(array['drafter', 'unit_head']) r "
                    "where login = %s on conflict do nothing", (login,))
    both = AdminClient(stack)
    both.login_ok(login, PASSWORD)
    resp = ok(both.post("items/new", {
        "title": "%s 自己起草自己审核" % TAG, "generated_on": "2025-06-02",
        "category_id": category(db, "10"), "body_html": "<p>x</p>"}))
    item = int(ID_RE.search(resp.headers["Location"]).group(1))
    made.append(item)
    ok(both.post("items/%d/submit" % item, {"opinion": "proactive"}))
    page = ok(both.get("items/%d" % item), 200)
    assert "不能审批自己起草、修改或提交的信息" in page_text(page)
    assert 'action="/admin/items/%d/review"' % item not in page.text
    resp = review(both, item, "approve")
    assert resp.status_code == 409
    assert "不能审批自己起草" in page_text(resp)
    assert state(db, item) == "review"


def test_another_organs_item_is_not_found(staff, db, made):
    item = create(staff, db, made, "%s 他单位不可见" % TAG)
    ok(submit(staff, item))
    other = staff["czj_unit_head"]
    for path in ("items/%d" % item, "items/%d/edit" % item,
                 "items/%d/attachments/1" % item):
        assert other.get(path).status_code == 404, path
    for path, data in (("items/%d/review" % item, {"decision": "approve"}),
                       ("items/%d/submit" % item, {"opinion": "proactive"}),
                       ("items/%d/withdraw" % item, {"mode": "withdrawn"})):
        assert other.post(path, data).status_code == 404, path
    assert staff["czj_drafter"].get("items/%d" % item).status_code == 404
    # and it is not in their lists
    assert "他单位不可见" not in other.get("items").text
    assert state(db, item) == "review"


# ------------------------------------------------------------- screening

def test_screening_hits_are_shown_and_acknowledged(staff, db, made):
    body = ("<p>联系人：李四，手机13912345678，邮箱 lisi@example.com，"
            "身份证号码11010519491231002X。</p>")
    item = create(staff, db, made, "%s 筛查提示" % TAG, body=body)
    ok(submit(staff, item))
    hits = value(db, "select screen_hits from gongkai.review_rounds "
                 "where item_id = %s", (item,))
    kinds = {h["kind"] for h in hits}
    assert {"mobile", "email", "id_number"} <= kinds, hits
    assert not any(h["blocking"] for h in hits)
    for who in ("unit_head", "secrecy", "leader", "drafter"):
        page = ok(staff[who].get("items/%d" % item), 200)
        assert "<mark>13912345678</mark>" in page.text, who
        assert "<mark>lisi@example.com</mark>" in page.text, who
        assert "敏感信息筛查提示" in page.text
    ok(review(staff["unit_head"], item, "approve"))
    page = ok(staff["secrecy"].get("items/%d" % item), 200)
    assert 'name="hits_ack"' in page.text
    resp = secrecy_open(staff, item)
    assert resp.status_code == 422
    assert "请先确认已查看敏感信息筛查提示" in page_text(resp)
    ok(secrecy_open(staff, item, hits_ack="1"))
    assert value(db, "select step from gongkai.review_rounds "
                 "where item_id = %s", (item,)) == "leader"


@pytest.mark.parametrize("field,text", [
    ("body_html", "<p>机密★1年</p><p>边境管控方案</p>"),
    ("title", "绝密★启用前 应急通信保障方案"),
])
def test_secrecy_mark_blocks_submission(staff, db, made, field, text):
    fields = {"title": "%s 密级标志" % TAG, "body": "<p>正文</p>"}
    if field == "title":
        fields["title"] = "%s %s" % (TAG, text)
    else:
        fields["body"] = text
    item = create(staff, db, made, fields["title"], body=fields["body"])
    resp = submit(staff, item)
    assert resp.status_code == 409
    assert "密级标志" in page_text(resp)
    assert state(db, item) == "draft"
    assert value(db, "select count(*) from gongkai.review_rounds "
                 "where item_id = %s", (item,)) == 0


# ------------------------------------------------- after approval

def test_scheduled_publication_appears_by_itself(stack, staff, db, made):
    title = "%s 定时发布" % TAG
    item = create(staff, db, made, title)
    ok(submit(staff, item))
    ok(review(staff["unit_head"], item, "approve"))
    ok(secrecy_open(staff, item))
    when = (datetime.datetime.now(datetime.timezone(
        datetime.timedelta(hours=8))) + datetime.timedelta(days=2))
    resp = review(staff["leader"], item, "approve", publish="scheduled",
                  publish_at=when.strftime("%Y-%m-%dT%H:%M"))
    ok(resp)
    assert state(db, item) == "scheduled" and index_no(db, item) is None
    home = http_request(stack, "/")
    assert not home.page.contains_text(title)
    page = ok(staff["leader"].get("items/%d" % item), 200)
    assert when.strftime("%Y-%m-%d %H:%M") in page_text(page)

    # the time comes (the test moves the approval's time into the past,
    # in one transaction, the append-only trigger off only inside it)
    conn = stack.connect_db(autocommit=False)
    try:
        with conn.cursor() as cur:
            cur.execute("alter table gongkai.review_steps disable trigger "
                        "review_steps_no_change")
            cur.execute("update gongkai.review_steps s set publish_at = "
                        "now() - interval '1 minute' from "
                        "gongkai.review_rounds r where r.id = s.round_id "
                        "and r.item_id = %s and s.step = 'leader'", (item,))
            cur.execute("alter table gongkai.review_steps enable trigger "
                        "review_steps_no_change")
            cur.execute("update gongkai.review_rounds set step = step "
                        "where item_id = %s", (item,))
        conn.commit()
    finally:
        conn.close()
    assert state(db, item) == "scheduled"
    # nobody acts: the next visitor of the home page sees it
    home = http_request(stack, "/")
    assert home.page.contains_text(title)
    assert state(db, item) == "published" and index_no(db, item)


def test_change_shows_its_date_and_note(stack, staff, db, made):
    title = "%s 修改后发布" % TAG
    item = through_chain(staff, db, made, title,
                         body="<p>联系电话：0692-2120000。</p>")
    no = index_no(db, item)
    c = staff["drafter"]
    resp = ok(c.post("items/%d/change" % item, {}))
    assert resp.headers["Location"].endswith("/admin/items/%d/edit" % item)
    form = ok(c.get("items/%d/edit" % item), 200)
    assert 'name="change_note"' in form.text
    ok(c.post("items/%d/edit" % item, {
        "title": title, "generated_on": "2025-06-02",
        "category_id": category(db, "10"),
        "body_html": "<p>联系电话：0692-2120001。</p>",
        "change_note": "联系电话变更。"}))
    ok(submit(staff, item))
    # the public page is unchanged until the change is approved
    assert "0692-2120000" in http_request(stack, item_path(no)).text
    ok(review(staff["unit_head"], item, "approve"))
    ok(secrecy_open(staff, item))
    ok(review(staff["leader"], item, "approve", publish="now"))
    pub = http_request(stack, item_path(no))
    assert "0692-2120001" in pub.text and "0692-2120000" not in pub.text
    assert pub.page.contains_text("联系电话变更。")
    assert pub.page.contains_text("最后修改")
    page = ok(c.get("items/%d" % item), 200)
    assert "第 2 版" in page_text(page) and "首次发布" in page_text(page)


@pytest.mark.parametrize("mode", ["withdrawn", "removed"])
def test_withdrawal_notice_and_removal(stack, staff, db, made, mode):
    title = "%s 撤回测试 %s" % (TAG, mode)
    item = through_chain(staff, db, made, title,
                         body="<p>这是将被撤回的正文段落。</p>")
    no = index_no(db, item)
    resp = staff["drafter"].post("items/%d/withdraw" % item,
                                 {"mode": mode, "reason": ""})
    assert resp.status_code == 422
    ok(staff["drafter"].post("items/%d/withdraw" % item,
                             {"mode": mode, "reason": "活动取消，予以撤回。"}))
    assert state(db, item) == "published"
    ok(review(staff["unit_head"], item, "approve"))
    page = ok(staff["leader"].get("items/%d" % item), 200)
    assert "撤回或删除不新增公开内容" in page_text(page)
    ok(review(staff["leader"], item, "approve"))
    assert state(db, item) == mode
    pub = http_request(stack, item_path(no))
    if mode == "withdrawn":
        assert pub.status == 200
        assert pub.page.contains_text("本信息已撤回")
        assert pub.page.contains_text(title) and no in pub.text
        assert pub.page.contains_text("活动取消，予以撤回。")
        assert "将被撤回的正文段落" not in pub.text
    else:
        assert pub.status == 410
        assert title not in pub.text
    cat = http_request(stack, "/catalogue?organ=11533100000000101D")
    assert not cat.page.contains_text(title)


XSS_PAYLOADS = [
    line for line in (ROOT / "tests" / "unit" / "xss_payloads.txt")
    .read_text(encoding="utf-8").split("\n") if line.strip()]
XSS_STORED = re.compile(
    r"<\s*/?\s*(script|style|iframe|object|embed|svg|math|form|base|meta|"
    r"link|img|video|audio|input|button)\b|\son[a-z]+\s*=|javascript:|"
    r"vbscript:|data:text/html", re.I)


def test_sanitiser_against_xss_payloads(staff, db, made):
    """Every payload of tests/unit/xss_payloads.txt saved as an item's
    body: what the database stores and what the admin page shows carry
    no script, event handler, dangerous URL or foreign embed."""
    assert len(XSS_PAYLOADS) > 100
    c = staff["drafter"]
    item = create(staff, db, made, TAG + " XSS")
    form = {"title": TAG + " XSS", "generated_on": "2025-06-02",
            "category_id": category(db, "10"), "validity": "有效",
            "kind": "general", "keywords": "测试"}
    for payload in XSS_PAYLOADS:
        form["body_html"] = "<p>前</p>" + payload + "<p>后</p>"
        resp = c.post("items/%d/edit" % item, form)
        stored = value(db, "select body_html from gongkai.items where id = %s",
                       (item,))
        if resp.status_code == 422:
            # the database's own check refused what the sanitiser left
            # (say, the words 'onclick=' inside an escaped title), or the
            # link rule (sql/migrations/0064) refused a link to a site
            # that is not a government one: the message says so and
            # nothing was stored
            assert ("正文包含不允许的内容" in resp.text
                    or "正文不能链接到" in resp.text), page_text(resp)
            assert not XSS_STORED.search(stored), (payload, stored)
            continue
        ok(resp)
        assert not XSS_STORED.search(stored), (payload, stored)
        # an unclosed <script> or <style> may swallow what follows it
        assert stored.startswith("<p>前</p>"), stored
        # the page shows the stored body as it is, inside its own div
        shown = ok(c.get("items/%d" % item), 200).text
        assert '<div class="rv-body">%s</div>' % stored in shown, payload
