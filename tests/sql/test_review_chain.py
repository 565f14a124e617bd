"""The review chain (先审后发, seed 003 第九、十条, 004 第十六至十九条,
条例 第十七条, DOMAIN.md §2) enforced by the database: the whole chain,
rejection at each step, the own-approval and two-steps rules, 需报审
blocking, exempt kinds, secrecy marks, scheduled publication, versions,
withdrawal and removal, the web role's and the owner's limits, and the
admin functions' JSON.

Every test runs in a transaction that is rolled back; its users are made
inside it (one bcrypt hash for all, computed once)."""

import datetime
import json
import os

import psycopg2
import pytest

DH = "www.dh.gov.cn"
OFFICE = "11533100000000101D"       # 德宏州人民政府办公室 (demo)
FINANCE = "11533100000000102D"      # 德宏州财政局 (demo)
CLIENT = "192.0.2.7"

_HASH = []


def password_hash(cur):
    if not _HASH:
        cur.execute("select gongkai.password_hash('review-test-password')")
        _HASH.append(cur.fetchone()[0])
    return _HASH[0]


class Chain:
    """Users and chain actions inside the test's transaction."""

    def __init__(self, cur):
        self.cur = cur
        self.users = {}
        self.n = 0

    # --- users -------------------------------------------------------

    def user(self, name, roles, organ=OFFICE):
        self.n += 1
        login = "rt.%s.%d" % (name.replace("_", "-"), self.n)
        self.cur.execute(
            "insert into users (organ_id, login, name, password_hash) "
            "select id, %s, %s, %s from organs where unit_code = %s "
            "returning id", (login, "测试" + name, password_hash(self.cur),
                             organ))
        uid = self.cur.fetchone()[0]
        for r in roles:
            self.cur.execute("insert into user_roles values (%s, %s)",
                             (uid, r))
        self.users[name] = uid
        return uid

    def team(self, organ=OFFICE, prefix=""):
        return {r: self.user(prefix + r, [r], organ)
                for r in ("drafter", "unit_head", "secrecy_reviewer",
                          "leader")}

    # --- actions -------------------------------------------------------

    def one(self, sql, args=()):
        self.cur.execute(sql, args)
        row = self.cur.fetchone()
        return row[0] if row is not None else None

    def create(self, user, **fields):
        form = {"title": "测试信息%d" % self.n, "generated_on": "2025-06-02",
                "category_id": str(self.category("0202")),
                "body_html": "<p>正文。</p>"}
        form.update({k: v for k, v in fields.items() if v is not None})
        self.n += 1
        return self.one("select item_create(%s, %s, %s)",
                        (user, CLIENT, json.dumps(form)))

    def category(self, code):
        return self.one("select id from categories where code = %s", (code,))

    def save(self, user, item, **fields):
        self.cur.execute("select item_save(%s, %s, %s, %s)",
                         (user, CLIENT, item, json.dumps(fields)))

    def submit(self, user, item, opinion="proactive", ground=None, note=None,
               hits=()):
        return self.one("select item_submit(%s, %s, %s, %s, %s, %s, %s)",
                        (user, CLIENT, item, opinion, ground, note,
                         json.dumps(list(hits))))

    def review(self, user, item, decision, reason=None, basis=None,
               ack=False, referred_to=None, referred_on=None,
               publish_at=None, round_id=None):
        return self.one(
            "select item_review(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s::timestamptz)",
            (user, CLIENT, item, round_id, decision, reason, basis, ack,
             referred_to, referred_on, publish_at))

    def secrecy_open(self, user, item, ack=False):
        return self.review(user, item, "open", "不涉及国家秘密和个人隐私。",
                           "《保守国家秘密法》", ack)

    def referral(self, user, item, answer, authority="州国家保密局",
                 answered_on=None, reason="经审查可以公开。"):
        return self.one(
            "select item_referral_answer(%s, %s, %s, null, %s, %s, %s, %s)",
            (user, CLIENT, item, answer, authority,
             answered_on or self.today(), reason))

    def today(self):
        return self.one("select today_cn()")

    def publish(self, t, item=None, **fields):
        """Creates (unless given) and takes an item through the chain."""
        if item is None:
            item = self.create(t["drafter"], **fields)
        self.submit(t["drafter"], item)
        self.review(t["unit_head"], item, "approve")
        self.secrecy_open(t["secrecy_reviewer"], item)
        self.review(t["leader"], item, "approve")
        assert self.state(item) == "published"
        return item

    # --- reading -------------------------------------------------------

    def state(self, item):
        return self.one("select state from items where id = %s", (item,))

    def row(self, sql, args=()):
        self.cur.execute(sql, args)
        cols = [d[0] for d in self.cur.description]
        r = self.cur.fetchone()
        return dict(zip(cols, r)) if r else None

    def round(self, item):
        return self.row("select * from review_rounds where item_id = %s "
                        "order by no desc limit 1", (item,))

    def steps(self, item):
        self.cur.execute(
            "select s.step, s.decision, s.actor_id, s.reason, s.basis "
            "from review_steps s join review_rounds r on r.id = s.round_id "
            "where r.item_id = %s order by s.id", (item,))
        return self.cur.fetchall()

    def audit(self, item):
        self.cur.execute("select action, actor_id, client, detail "
                         "from audit_log where item_id = %s order by id",
                         (item,))
        return self.cur.fetchall()

    def page(self, fn, *args):
        self.cur.execute("select portal.%s(%s)"
                         % (fn, ", ".join(["%s"] * len(args))), args)
        return self.cur.fetchone()[0]

    def refused(self, sqlstate, sql, args=()):
        """Runs sql, which must fail with sqlstate; returns the error."""
        self.cur.execute("savepoint t")
        with pytest.raises(psycopg2.Error) as e:
            self.cur.execute(sql, args)
        self.cur.execute("rollback to savepoint t")
        assert e.value.pgcode == sqlstate, (e.value.pgcode, e.value.pgerror)
        return e.value


@pytest.fixture
def ch(owner):
    return Chain(owner)


@pytest.fixture
def t(ch):
    return ch.team()


def counts(ch, item):
    return ch.one("select coalesce(sum(k.n), 0) from item_counts k "
                  "join items i on i.organ_id = k.organ_id "
                  "and i.category_id = k.category_id and i.gen_year = k.year "
                  "where i.id = %s", (item,))


# ------------------------------------------------------------ the chain

def test_full_chain_to_publication(ch, t):
    item = ch.create(t["drafter"], title="全链条测试：德宏州政务公开工作要点")
    assert ch.state(item) == "draft"
    before = counts(ch, item)
    ch.submit(t["drafter"], item)
    assert ch.state(item) == "review" and ch.round(item)["step"] == "unit_head"
    ch.review(t["unit_head"], item, "approve", "同意。")
    assert ch.round(item)["step"] == "secrecy"
    ch.secrecy_open(t["secrecy_reviewer"], item)
    assert ch.round(item)["step"] == "leader"
    assert ch.one("select index_no from items where id = %s", (item,)) is None
    ch.review(t["leader"], item, "approve")

    r = ch.round(item)
    assert (r["step"], r["outcome"]) == ("done", "approved")
    assert r["applied_at"] is not None
    i = ch.row("select * from items where id = %s", (item,))
    assert i["state"] == "published" and i["index_no"].startswith(
        OFFICE + "-0202-2025-")
    assert i["published_at"] is not None
    assert counts(ch, item) == before + 1
    assert ch.one("select count(*) from item_versions where item_id = %s "
                  "and no = 1 and round_id = %s", (item, r["id"])) == 1
    assert [s[:3] for s in ch.steps(item)] == [
        ("unit_head", "approve", t["unit_head"]),
        ("secrecy", "open", t["secrecy_reviewer"]),
        ("leader", "approve", t["leader"])]
    actions = [(a, u) for a, u, _, _ in ch.audit(item)]
    assert actions == [
        ("item.create", t["drafter"]), ("item.submit", t["drafter"]),
        ("item.review", t["unit_head"]),
        ("item.review", t["secrecy_reviewer"]),
        ("item.review", t["leader"]), ("item.publish", t["leader"])]
    assert all(str(c) == CLIENT for _, _, c, _ in ch.audit(item))

    page = ch.page("page_item", DH, i["index_no"])
    assert page["not_found"] is False and page["gone"] is False
    assert page["item"]["title"] == "全链条测试：德宏州政务公开工作要点"
    assert page["item"]["change_note"] is None
    assert page["withdrawn"] is None


@pytest.mark.parametrize("where", ["unit_head", "secrecy", "referral",
                                   "leader"])
def test_rejection_at_each_step_returns_to_drafter(ch, t, where):
    item = ch.create(t["drafter"])
    ch.submit(t["drafter"], item)
    reason = "退回理由：%s" % where
    if where == "unit_head":
        ch.review(t["unit_head"], item, "reject", reason)
    else:
        ch.review(t["unit_head"], item, "approve")
        if where == "secrecy":
            ch.review(t["secrecy_reviewer"], item, "withhold", reason,
                      "《保守国家秘密法》")
        elif where == "referral":
            ch.review(t["secrecy_reviewer"], item, "refer", "无法确定",
                      "保密法", referred_to="州国家保密局",
                      referred_on=ch.today())
            ch.referral(t["secrecy_reviewer"], item, "withhold",
                        reason=reason)
        else:
            ch.secrecy_open(t["secrecy_reviewer"], item)
            ch.review(t["leader"], item, "reject", reason)

    assert ch.state(item) == "draft"
    r = ch.round(item)
    assert (r["step"], r["outcome"]) == ("done", "rejected")
    assert ch.steps(item)[-1][3] == reason
    assert ch.one("select index_no from items where id = %s", (item,)) is None
    assert ch.audit(item)[-1][0] == "item.return"
    # no further decision on a closed round
    ch.refused("GKA09", "select item_review(%s, null, %s, null, 'approve', "
               "null, null, false, null, null, null)",
               (t["leader"], item))
    # the drafter edits and submits again: a new round from the start
    ch.save(t["drafter"], item, title="修改后重新提交", generated_on="2025-06-02",
            category_id=str(ch.category("0202")))
    ch.submit(t["drafter"], item)
    r2 = ch.round(item)
    assert (r2["no"], r2["step"], r2["outcome"]) == (2, "unit_head", None)
    assert ch.state(item) == "review"


def test_reasons_are_required(ch, t):
    item = ch.create(t["drafter"])
    ch.submit(t["drafter"], item)
    e = ch.refused("GKA22", "select item_review(%s, null, %s, null, "
                   "'reject', '  ', null, false, null, null, null)",
                   (t["unit_head"], item))
    assert e.diag.column_name == "reason"
    ch.review(t["unit_head"], item, "approve")
    # 003 第十条: the secrecy opinion has its basis and its reason
    e = ch.refused("GKA22", "select item_review(%s, null, %s, null, 'open', "
                   "'理由', null, false, null, null, null)",
                   (t["secrecy_reviewer"], item))
    assert e.diag.column_name == "basis"
    e = ch.refused("GKA22", "select item_review(%s, null, %s, null, 'refer', "
                   "'理由', '依据', false, null, null, null)",
                   (t["secrecy_reviewer"], item))
    assert e.diag.column_name == "referred_to"
    assert ch.round(item)["step"] == "secrecy"


# ------------------------------------------------------- who may decide

def test_nobody_approves_their_own_draft(ch, t):
    boss = ch.user("boss", ["drafter", "unit_head", "secrecy_reviewer",
                            "leader"])
    item = ch.create(boss)
    ch.submit(boss, item)
    e = ch.refused("GKA09", "select item_review(%s, null, %s, null, "
                   "'approve', null, null, false, null, null, null)",
                   (boss, item))
    assert "自己" in e.pgerror
    # nor one who edited it
    item2 = ch.create(t["drafter"])
    ch.save(boss, item2, title="经负责人修改", generated_on="2025-06-02",
            category_id=str(ch.category("0202")))
    ch.submit(t["drafter"], item2)
    ch.refused("GKA09", "select item_review(%s, null, %s, null, 'approve', "
               "null, null, false, null, null, null)", (boss, item2))
    # nor can the owner record it directly
    r = ch.round(item2)
    ch.refused("GKA09", "insert into review_steps (round_id, step, decision, "
               "actor_id) values (%s, 'unit_head', 'approve', %s)",
               (r["id"], boss))
    assert ch.round(item2)["step"] == "unit_head"


def test_nobody_approves_two_steps(ch, t):
    both = ch.user("both", ["unit_head", "leader"])
    item = ch.create(t["drafter"])
    ch.submit(t["drafter"], item)
    ch.review(both, item, "approve")
    ch.secrecy_open(t["secrecy_reviewer"], item)
    e = ch.refused("GKA09", "select item_review(%s, null, %s, null, "
                   "'approve', null, null, false, null, null, null)",
                   (both, item))
    assert "两个环节" in e.pgerror
    assert ch.state(item) == "review"
    ch.review(t["leader"], item, "approve")
    assert ch.state(item) == "published"
    # in the next round (a change) the same person may act again
    ch.one("select item_change_start(%s, null, %s, '更正')",
           (t["drafter"], item))
    ch.save(t["drafter"], item, title="更正后的标题", generated_on="2025-06-02",
            category_id=str(ch.category("0202")), change_note="更正标题")
    ch.submit(t["drafter"], item)
    ch.review(both, item, "approve")
    assert ch.round(item)["step"] == "secrecy"


def test_roles_and_organs(ch, t):
    other = ch.team(FINANCE, "czj_")
    item = ch.create(t["drafter"])
    ch.submit(t["drafter"], item)
    # a secrecy reviewer cannot act as unit head, a drafter not at all
    for u in (t["secrecy_reviewer"], t["drafter"], t["leader"]):
        ch.refused("GKA09", "select item_review(%s, null, %s, null, "
                   "'approve', null, null, false, null, null, null)",
                   (u, item))
    # another organ's unit head: the item does not exist for them
    ch.refused("GKA04", "select item_review(%s, null, %s, null, 'approve', "
               "null, null, false, null, null, null)",
               (other["unit_head"], item))
    # ... and the trigger refuses the record whoever writes it
    e = ch.refused("GKA09", "insert into review_steps (round_id, step, "
                   "decision, actor_id) values (%s, 'unit_head', 'approve', "
                   "%s)", (ch.round(item)["id"], other["unit_head"]))
    assert "本机关" in e.pgerror
    # nor can anyone skip to a later step
    ch.refused("GKA09", "insert into review_steps (round_id, step, decision, "
               "actor_id) values (%s, 'leader', 'approve', %s)",
               (ch.round(item)["id"], t["leader"]))
    ch.refused("GKA09", "insert into review_steps (round_id, step, decision) "
               "values (%s, 'secrecy', 'exempt')", (ch.round(item)["id"],))


# ------------------------------------------------------------- 需报审

def test_referral_blocks_until_answered(ch, t):
    item = ch.create(t["drafter"])
    ch.submit(t["drafter"], item)
    ch.review(t["unit_head"], item, "approve")
    ch.review(t["secrecy_reviewer"], item, "refer", "涉及边境管理，本机关无法确定",
              "《保守国家秘密法》第二十条", referred_to="州国家保密局",
              referred_on=ch.today())
    r = ch.round(item)
    assert r["step"] == "referred" and ch.state(item) == "review"
    # blocked: the leader cannot approve, nor the owner skip the answer
    e = ch.refused("GKA09", "select item_review(%s, null, %s, null, "
                   "'approve', null, null, false, null, null, null)",
                   (t["leader"], item))
    assert "上级" in e.pgerror
    ch.refused("GKA09", "insert into review_steps (round_id, step, decision, "
               "actor_id) values (%s, 'leader', 'approve', %s)",
               (r["id"], t["leader"]))
    ch.refused("GKA09", "update items set state = 'published' "
               "where id = %s", (item,))
    # only a secrecy reviewer enters the answer, with authority and date
    ch.refused("GKA09", "select item_referral_answer(%s, null, %s, null, "
               "'open', '州国家保密局', current_date, null)",
               (t["unit_head"], item))
    e = ch.refused("GKA22", "select item_referral_answer(%s, null, %s, null, "
                   "'open', ' ', current_date, null)",
                   (t["secrecy_reviewer"], item))
    assert e.diag.column_name == "authority"
    ch.referral(t["secrecy_reviewer"], item, "open")
    assert ch.round(item)["step"] == "leader"
    ch.review(t["leader"], item, "approve")
    assert ch.state(item) == "published"
    assert [s[:2] for s in ch.steps(item)] == [
        ("unit_head", "approve"), ("secrecy", "refer"),
        ("referral", "open"), ("leader", "approve")]


# ------------------------------------------------------------ exemption

def test_exempt_kind_skips_the_secrecy_step_and_says_why(ch, t):
    item = ch.create(t["drafter"], kind="law",
                     title="德宏州人民政府规范性文件（已生效）")
    ch.submit(t["drafter"], item)
    r = ch.round(item)
    assert (r["secrecy_skip"], r["skip_kind"]) == ("exempt", "law")
    assert "第十七条" in r["skip_reason"]
    ch.review(t["unit_head"], item, "approve")
    assert ch.round(item)["step"] == "leader"
    steps = ch.steps(item)
    assert steps[1][:3] == ("secrecy", "exempt", None)
    assert "第十七条(一)" in steps[1][3]
    # the secrecy reviewer has nothing to decide
    ch.refused("GKA09", "select item_review(%s, null, %s, null, 'open', "
               "'x', 'y', false, null, null, null)",
               (t["secrecy_reviewer"], item))
    ch.review(t["leader"], item, "approve")
    assert ch.state(item) == "published"

    # the exemption is a setting per kind; the record keeps its basis
    ch.cur.execute("update item_kinds set secrecy_exempt = false "
                   "where kind = 'law'")
    item2 = ch.create(t["drafter"], kind="law")
    ch.submit(t["drafter"], item2)
    ch.review(t["unit_head"], item2, "approve")
    assert ch.round(item2)["step"] == "secrecy"
    assert ch.round(item)["skip_kind"] == "law"


def test_general_kind_is_not_exempt(ch, t):
    for kind, exempt in (("general", False), ("reviewed_doc", True),
                         ("license_result", True),
                         ("approved_release", True)):
        item = ch.create(t["drafter"], kind=kind)
        ch.submit(t["drafter"], item)
        ch.review(t["unit_head"], item, "approve")
        assert (ch.round(item)["step"] == "leader") is exempt, kind


def test_opinion_not_proactive(ch, t):
    item = ch.create(t["drafter"])
    e = ch.refused("GKA22", "select item_submit(%s, null, %s, 'withheld', "
                   "null, null, '[]')", (t["drafter"], item))
    assert e.diag.column_name == "ground"
    ch.submit(t["drafter"], item, "withheld", "art16_process", "过程稿")
    r = ch.round(item)
    assert (r["ground"], r["secrecy_skip"]) == ("art16_process",
                                               "not_applicable")
    ch.review(t["unit_head"], item, "approve")
    ch.review(t["leader"], item, "approve")
    i = ch.row("select state, index_no from items where id = %s", (item,))
    assert i == {"state": "not_public", "index_no": None}
    assert ch.audit(item)[-1][0] == "item.not_public"
    # the grounds carry the regulation's text
    assert "过程性信息" in ch.one("select text from withhold_grounds "
                               "where code = 'art16_process'")


# -------------------------------------------------------- secrecy marks

@pytest.mark.parametrize("fields", [
    {"body_html": "<p>机密★1年</p><p>关于边境管控的通知</p>"},
    {"title": "绝密★启用前 德宏州应急预案"},
    {"body_html": "<p>秘密<b>★</b>6个月</p>"},
    {"summary": "★10年 内部资料"},
])
def test_secrecy_mark_refused_by_the_database(ch, t, fields):
    item = ch.create(t["drafter"], **fields)
    e = ch.refused("GKA09", "select item_submit(%s, null, %s, 'proactive', "
                   "null, null, '[]')", (t["drafter"], item))
    assert "密级标志" in e.pgerror
    assert ch.state(item) == "draft" and ch.round(item) is None


def test_secrecy_mark_in_an_attachment_name(ch, t):
    item = ch.create(t["drafter"])
    ch.cur.execute("select attachment_add(%s, null, %s, '机密★1年 名单.pdf', "
                   "'application/pdf', '%%PDF-1.4'::bytea)",
                   (t["drafter"], item))
    ch.refused("GKA09", "select item_submit(%s, null, %s, 'proactive', null, "
               "null, '[]')", (t["drafter"], item))


def test_blocking_screen_hit_refused_and_words_allowed(ch, t):
    item = ch.create(t["drafter"], body_html="<p>严格保守国家秘密，"
                     "不得泄露工作秘密。内部机构设置见附件。</p>")
    hit = {"kind": "secrecy_mark", "field": "body", "match": "秘密★",
           "before": "", "after": "", "blocking": True}
    ch.refused("GKA09", "select item_submit(%s, null, %s, 'proactive', null, "
               "null, %s)", (t["drafter"], item, json.dumps([hit])))
    # ordinary words are no mark
    ch.submit(t["drafter"], item)
    assert ch.state(item) == "review"


def test_screening_hits_kept_and_acknowledged(ch, t):
    hits = [{"kind": "mobile", "field": "body", "match": "13888886666",
             "before": "电话：", "after": "。", "blocking": False,
             "extra": "dropped"}]
    item = ch.create(t["drafter"], body_html="<p>电话：13888886666。</p>")
    ch.submit(t["drafter"], item, hits=hits)
    stored = ch.round(item)["screen_hits"]
    assert stored == [{k: v for k, v in hits[0].items() if k != "extra"}]
    ch.review(t["unit_head"], item, "approve")
    e = ch.refused("GKA22", "select item_review(%s, null, %s, null, 'open', "
                   "'理由', '依据', false, null, null, null)",
                   (t["secrecy_reviewer"], item))
    assert e.diag.column_name == "hits_ack"
    ch.secrecy_open(t["secrecy_reviewer"], item, ack=True)
    ch.review(t["leader"], item, "approve")
    assert ch.state(item) == "published"
    assert ch.one("select hits_acknowledged from review_steps s "
                  "join review_rounds r on r.id = s.round_id "
                  "where r.item_id = %s and s.step = 'secrecy'", (item,))


# ------------------------------------------------ the owner's own limits

def test_owner_cannot_publish_without_approvals(ch, t):
    item = ch.create(t["drafter"])
    e = ch.refused("GKA09", "update items set state = 'published' "
                   "where id = %s", (item,))
    assert "先审后发" in e.pgerror
    ch.refused("GKA09", "update items set state = 'scheduled' where id = %s",
               (item,))
    ch.refused("GKA09", "insert into items (title, generated_on, organ_id, "
               "category_id, state) select '直接发布', '2025-01-01', "
               "organ_id, category_id, 'published' from items where id = %s",
               (item,))
    ch.submit(t["drafter"], item)
    ch.review(t["unit_head"], item, "approve")
    r = ch.round(item)
    ch.refused("GKA09", "update items set state = 'published' where id = %s",
               (item,))
    # the round's state follows its decisions: setting it does nothing
    ch.cur.execute("update review_rounds set step = 'done', "
                   "outcome = 'approved', closed_at = now() where id = %s",
                   (r["id"],))
    assert ch.round(item)["step"] == "secrecy"
    assert ch.round(item)["outcome"] is None
    ch.refused("GKA09", "update review_rounds set authors = '{}' "
               "where id = %s", (r["id"],))
    ch.refused("GKA09", "delete from review_steps where round_id = %s",
               (r["id"],))
    ch.refused("GKA09", "update review_steps set actor_id = %s "
               "where round_id = %s", (t["leader"], r["id"]))
    ch.refused("GKA09", "delete from review_rounds where id = %s", (r["id"],))
    # what is under review cannot be edited underneath the reviewers
    ch.refused("GKA09", "update items set body_html = '<p>换掉</p>' "
               "where id = %s", (item,))
    ch.refused("GKA09", "update items set changed_at = now() where id = %s",
               (item,))
    assert ch.state(item) == "review"


def test_published_content_changes_only_by_approval(ch, t):
    item = ch.publish(t)
    for sql in ("update items set title = '偷改' where id = %s",
                "update items set change_note = 'x' where id = %s",
                "update items set state = 'withdrawn' where id = %s",
                "update items set state = 'draft' where id = %s",
                "update items set published_at = now() - interval '1 day' "
                "where id = %s"):
        ch.refused("GKA09", sql, (item,))
    ch.refused("GKA09", "update item_versions set title = 'x' "
               "where item_id = %s", (item,))
    ch.refused("GKA09", "delete from item_versions where item_id = %s",
               (item,))


def test_import_declaration(ch, t, owner):
    """Data from before the system: declared, and the item keeps why."""
    owner.execute("set local gongkai.import = '测试导入'")
    owner.execute("insert into items (title, generated_on, organ_id, "
                  "category_id, state) select '历史信息', '2020-01-01', o.id, "
                  "c.id, 'published' from organs o, categories c "
                  "where o.unit_code = %s and c.code = '10' "
                  "returning import_note, index_no", (OFFICE,))
    note, no = owner.fetchone()
    assert note == "测试导入" and no is not None
    owner.execute("set local gongkai.import = ''")
    ch.refused("GKA09", "insert into items (title, state) "
               "values ('x', 'published')")


# ------------------------------------------------- scheduled publication

def test_scheduled_publication(ch, t, owner):
    item = ch.create(t["drafter"], title="定时发布测试")
    ch.submit(t["drafter"], item)
    ch.review(t["unit_head"], item, "approve")
    ch.secrecy_open(t["secrecy_reviewer"], item)
    before = counts(ch, item)
    ch.review(t["leader"], item, "approve",
              publish_at=datetime.datetime.now(datetime.timezone.utc)
              + datetime.timedelta(hours=2))
    i = ch.row("select state, index_no from items where id = %s", (item,))
    assert i == {"state": "scheduled", "index_no": None}
    assert ch.audit(item)[-1][0] == "item.schedule"
    assert ch.one("select publish_due()") == 0
    assert ch.state(item) == "scheduled"
    # the owner cannot publish it early
    ch.refused("GKA09", "update items set state = 'published' where id = %s",
               (item,))

    # the clock moves on: the leader's time is now in the past (a test
    # may rewrite the record only with the append-only trigger disabled)
    r = ch.round(item)
    owner.execute("alter table review_steps disable trigger "
                  "review_steps_no_change")
    owner.execute("update review_steps set publish_at = now() - "
                  "interval '1 minute' where round_id = %s "
                  "and step = 'leader'", (r["id"],))
    owner.execute("alter table review_steps enable trigger "
                  "review_steps_no_change")
    owner.execute("update review_rounds set step = step where id = %s",
                  (r["id"],))
    assert ch.state(item) == "scheduled"

    # nobody acts: the next public page publishes it
    home = ch.page("page_home", DH)
    i = ch.row("select state, index_no, published_at from items "
               "where id = %s", (item,))
    assert i["state"] == "published" and i["index_no"]
    assert i["published_at"] == ch.round(item)["publish_at"]
    assert counts(ch, item) == before + 1
    assert "定时发布测试" in [x["title"] for x in home["latest"]]
    action, actor, _, detail = ch.audit(item)[-1]
    assert (action, actor, detail["scheduled"]) == ("item.publish", None,
                                                    True)
    assert ch.one("select publish_due()") == 0
    assert ch.page("page_item", DH, i["index_no"])["item"]["title"] == \
        "定时发布测试"


def test_a_broken_due_round_does_not_break_the_site(ch, t, owner):
    item = ch.create(t["drafter"], title="记录被破坏的定时发布")
    ch.submit(t["drafter"], item)
    ch.review(t["unit_head"], item, "approve")
    ch.secrecy_open(t["secrecy_reviewer"], item)
    ch.review(t["leader"], item, "approve",
              publish_at=datetime.datetime.now(datetime.timezone.utc)
              + datetime.timedelta(hours=2))
    r = ch.round(item)
    # someone with the owner's rights tampers with the record: the unit
    # head's approval becomes the drafter's own, and the time is moved
    owner.execute("alter table review_steps disable trigger "
                  "review_steps_no_change")
    owner.execute("update review_steps set publish_at = now() - "
                  "interval '1 minute' where round_id = %s "
                  "and step = 'leader'", (r["id"],))
    owner.execute("update review_steps set actor_id = %s where round_id = %s "
                  "and step = 'unit_head'", (t["drafter"], r["id"]))
    owner.execute("alter table review_steps enable trigger "
                  "review_steps_no_change")
    owner.execute("update review_rounds set step = step where id = %s",
                  (r["id"],))
    # nothing is published without a complete record, and the public
    # pages still answer
    assert ch.page("page_home", DH)["site"]["domain"] == DH
    assert ch.state(item) == "scheduled"
    assert ch.one("select publish_due()") == 0


def test_publish_due_is_cheap_when_nothing_is_due(ch):
    # the probe uses the partial index of approved, unapplied rounds
    ch.cur.execute("set local enable_seqscan = off")
    ch.cur.execute("explain select 1 from review_rounds where "
                   "outcome = 'approved' and applied_at is null "
                   "and publish_at <= now()")
    plan = " ".join(r[0] for r in ch.cur.fetchall())
    assert "review_rounds_due" in plan
    assert ch.one("select prosrc from pg_proc where proname = 'page_item' "
                  "and pronamespace = 'portal'::regnamespace").count(
                      "publish_due") == 1


# ------------------------------------------------ after publication

def test_change_keeps_versions_and_shows_the_note(ch, t):
    item = ch.publish(t, title="办公电话公告", body_html="<p>电话：2121000</p>")
    no = ch.one("select index_no from items where id = %s", (item,))
    # a change draft; the public item stays as it is meanwhile
    ch.one("select item_change_start(%s, %s, %s, null)",
           (t["drafter"], CLIENT, item))
    ch.save(t["drafter"], item, title="办公电话公告", generated_on="2025-06-02",
            category_id=str(ch.category("0202")),
            body_html="<p>电话：2121001</p>")
    ch.cur.execute("select attachment_add(%s, null, %s, '新表格.pdf', "
                   "'application/pdf', 'PDF'::bytea)", (t["drafter"], item))
    e = ch.refused("GKA22", "select item_submit(%s, null, %s, 'proactive', "
                   "null, null, '[]')", (t["drafter"], item))
    assert e.diag.column_name == "change_note"
    ch.save(t["drafter"], item, title="办公电话公告", generated_on="2025-06-02",
            category_id=str(ch.category("0202")),
            body_html="<p>电话：2121001</p>", change_note="电话号码变更")
    ch.submit(t["drafter"], item)
    assert ch.round(item)["kind"] == "change"
    assert ch.state(item) == "published"
    pub = ch.page("page_item", DH, no)["item"]
    assert pub["body_html"] == "<p>电话：2121000</p>"
    assert pub["attachments"] == []
    # the change draft is frozen while it is reviewed
    ch.refused("GKA09", "select item_save(%s, null, %s, %s)",
               (t["drafter"], item, json.dumps({"title": "x"})))
    ch.review(t["unit_head"], item, "approve")
    ch.secrecy_open(t["secrecy_reviewer"], item)
    ch.review(t["leader"], item, "approve")

    i = ch.row("select * from items where id = %s", (item,))
    assert i["body_html"] == "<p>电话：2121001</p>"
    assert i["change_note"] == "电话号码变更" and i["changed_at"]
    assert i["index_no"] == no and i["state"] == "published"
    ch.cur.execute("select no, body_html, change_note, attachments "
                   "from item_versions where item_id = %s order by no",
                   (item,))
    versions = ch.cur.fetchall()
    assert [(v[0], v[1], v[2]) for v in versions] == [
        (1, "<p>电话：2121000</p>", None),
        (2, "<p>电话：2121001</p>", "电话号码变更")]
    assert [a["file_name"] for a in versions[1][3]] == ["新表格.pdf"]
    pub = ch.page("page_item", DH, no)["item"]
    assert pub["change_note"] == "电话号码变更"
    assert pub["changed_on"] == str(ch.today())
    assert [a["file_name"] for a in pub["attachments"]] == ["新表格.pdf"]
    assert ch.audit(item)[-1][0] == "item.change"

    # a second change removes that attachment: kept, no longer served
    ch.one("select item_change_start(%s, null, %s, '删除附件')",
           (t["drafter"], item))
    ch.cur.execute("select attachment_delete(%s, null, %s, 1)",
                   (t["drafter"], item))
    ch.cur.execute("select file_name from portal.attachment(%s, %s, 1)",
                   (DH, no))
    assert ch.cur.fetchone()[0] == "新表格.pdf"
    ch.submit(t["drafter"], item)
    ch.review(t["unit_head"], item, "approve")
    ch.secrecy_open(t["secrecy_reviewer"], item)
    ch.review(t["leader"], item, "approve")
    ch.cur.execute("select file_name from portal.attachment(%s, %s, 1)",
                   (DH, no))
    assert ch.cur.fetchone()[0] is None
    assert ch.one("select removed_at is not null from attachments "
                  "where item_id = %s and no = 1", (item,))
    assert ch.one("select max(no) from item_versions where item_id = %s",
                  (item,)) == 3


def test_change_cannot_move_the_index_number(ch, t):
    item = ch.publish(t)
    ch.one("select item_change_start(%s, null, %s, null)",
           (t["drafter"], item))
    e = ch.refused("GKA22", "select item_save(%s, null, %s, %s)",
                   (t["drafter"], item, json.dumps({
                       "title": "x", "generated_on": "2024-06-02",
                       "category_id": str(ch.category("10"))})))
    assert e.diag.column_name in ("category_id", "generated_on")


def test_withdrawal_and_removal(ch, t):
    a = ch.publish(t, title="将被撤回的信息", body_html="<p>原文</p>")
    b = ch.publish(t, title="将被删除的信息")
    na = ch.one("select index_no from items where id = %s", (a,))
    nb = ch.one("select index_no from items where id = %s", (b,))
    before = counts(ch, a)

    e = ch.refused("GKA22", "select item_withdraw_start(%s, null, %s, "
                   "'withdrawn', ' ')", (t["drafter"], a))
    assert e.diag.column_name == "reason"
    ch.one("select item_withdraw_start(%s, null, %s, 'withdrawn', %s)",
           (t["drafter"], a, "信息有误，予以撤回"))
    r = ch.round(a)
    assert (r["kind"], r["secrecy_skip"]) == ("withdraw", "not_applicable")
    assert ch.state(a) == "published"       # until approved
    ch.review(t["unit_head"], a, "approve")
    assert ch.round(a)["step"] == "leader"
    ch.review(t["leader"], a, "approve")
    assert ch.state(a) == "withdrawn"
    assert counts(ch, a) == before - 1
    assert ch.audit(a)[-1][0] == "item.withdrawn"

    page = ch.page("page_item", DH, na)
    assert page["not_found"] is False and page["item"] is None
    w = page["withdrawn"]
    assert (w["index_no"], w["title"], w["reason"]) == (
        na, "将被撤回的信息", "信息有误，予以撤回")
    assert w["withdrawn_on"] == str(ch.today())
    assert "原文" not in json.dumps(page, ensure_ascii=False)
    assert na not in json.dumps(ch.page("page_catalogue", DH, None, OFFICE,
                                        None, None, None))

    ch.one("select item_withdraw_start(%s, null, %s, 'removed', %s)",
           (t["drafter"], b, "重复发布"))
    ch.review(t["unit_head"], b, "approve")
    ch.review(t["leader"], b, "approve")
    assert ch.state(b) == "removed"
    page = ch.page("page_item", DH, nb)
    assert page["gone"] is True and page["item"] is None
    assert "将被删除" not in json.dumps(page, ensure_ascii=False)

    # numbers are never reused
    c = ch.publish(t, title="之后发布的信息")
    nc = ch.one("select index_no from items where id = %s", (c,))
    assert int(nc.rsplit("-", 1)[1]) > max(int(na.rsplit("-", 1)[1]),
                                           int(nb.rsplit("-", 1)[1]))
    # withdrawn is final: no second withdrawal, no change
    ch.refused("GKA09", "select item_withdraw_start(%s, null, %s, "
               "'removed', 'x')", (t["drafter"], a))
    ch.refused("GKA09", "select item_change_start(%s, null, %s, null)",
               (t["drafter"], a))


# ---------------------------------------------------------- deadlines

def test_deadline_is_generation_plus_working_days(ch, t):
    item = ch.create(t["drafter"], generated_on="2025-09-26")
    assert str(ch.one("select item_deadline(i) from items i where id = %s",
                      (item,))) == "2025-10-23"
    ch.cur.execute("update settings set value = '20' "
                   "where key = 'item.publish_working_days'")
    assert ch.one("select item_deadline(i) from items i where id = %s",
                  (item,)) == ch.one(
        "select add_working_days('2025-09-26', 20)")
    d = ch.one("select deadline_json(today_cn() - 1)")
    assert d["overdue"] is True and d["days_overdue"] >= 0
    d = ch.one("select deadline_json(add_working_days(today_cn(), 2))")
    assert (d["overdue"], d["due_soon"], d["days_left"]) == (False, True, 2)
    d = ch.one("select deadline_json(add_working_days(today_cn(), 4))")
    assert d["due_soon"] is False


# --------------------------------------------- the admin functions' JSON

def session(ch, user):
    token = os.urandom(32).hex()
    ch.cur.execute("select session_open(%s, %s, %s)", (token, user, CLIENT))
    ch.cur.execute("select csrf from sessions where token_hash = "
                   "ext.digest(%s, 'sha256')", (token,))
    return token, ch.cur.fetchone()[0]


def admin(ch, fn, token, args=(), form=None):
    ch.cur.execute("select admin.%s(%%s, %%s, %%s::text[], %%s::jsonb)" % fn,
                   (token, CLIENT, [str(a) for a in args],
                    json.dumps(form or {})))
    return ch.cur.fetchone()[0]


def test_admin_pages_offer_what_the_user_may_do(ch, t):
    item = ch.create(t["drafter"], body_html="<p>电话13888886666</p>")
    tok = {k: session(ch, u) for k, u in t.items()}
    p = admin(ch, "page_item", tok["drafter"][0], [item])
    assert p["can"]["edit"] and p["can"]["submit"] and not p["can"]["review"]
    assert p["csrf"] == tok["drafter"][1] and p["me"]["is"]["drafter"]
    hits = [{"kind": "mobile", "field": "body", "match": "13888886666",
             "before": "电话", "after": "", "blocking": False}]
    r = admin(ch, "do_item_submit", tok["drafter"][0], [item],
              {"csrf": tok["drafter"][1], "opinion": "proactive",
               "screen_hits": hits})
    assert r == {"redirect": "items/%d" % item}
    p = admin(ch, "page_item", tok["unit_head"][0], [item])
    assert p["can"]["review_unit_head"] and p["can"]["approve"]
    assert not p["can"]["edit"] and not p["can"]["review_secrecy"]
    assert p["round"]["hits"][0]["match"] == "13888886666"
    assert p["round"]["hits"][0]["kind_name"] == "手机号码"
    home = admin(ch, "page_home", tok["unit_head"][0])
    tasks = home["task_groups"][0]["tasks"]
    assert home["task_groups"][0]["role"] == "unit_head"
    assert item in [x["id"] for x in tasks]
    assert {"name", "filter", "value", "count"} <= set(home["waiting"][0])

    # a wrong CSRF token changes nothing
    ch.refused("GKA03", "select admin.do_item_review(%s, %s, %s::text[], "
               "%s::jsonb)", (tok["unit_head"][0], CLIENT, [str(item)],
                              json.dumps({"csrf": "0" * 64,
                                          "decision": "approve"})))
    # a missing reason is shown next to the field, the input kept
    r = admin(ch, "do_item_review", tok["unit_head"][0], [item],
              {"csrf": tok["unit_head"][1], "decision": "reject",
               "reason": "", "round": str(ch.round(item)["id"])})
    assert (r["template"], r["status"]) == ("item", 422)
    assert r["errors"]["reason"] and r["invalid"]["reason"] is True
    assert r["form"]["decision"] == "reject"
    assert [d["checked"] for d in r["decisions"]] == [False, True]
    r = admin(ch, "do_item_review", tok["unit_head"][0], [item],
              {"csrf": tok["unit_head"][1], "decision": "approve",
               "round": str(ch.round(item)["id"])})
    assert r == {"redirect": "items/%d" % item}
    p = admin(ch, "page_item", tok["secrecy_reviewer"][0], [item])
    assert p["can"]["review_secrecy"] and p["round"]["has_hits"]
    assert [d["value"] for d in p["decisions"]] == ["open", "withhold",
                                                    "refer"]
    r = admin(ch, "do_item_review", tok["secrecy_reviewer"][0], [item],
              {"csrf": tok["secrecy_reviewer"][1], "decision": "open",
               "basis": "保密法", "reason": "不涉密"})
    assert r["errors"] == {"hits_ack": r["errors"]["hits_ack"]}
    admin(ch, "do_item_review", tok["secrecy_reviewer"][0], [item],
          {"csrf": tok["secrecy_reviewer"][1], "decision": "open",
           "basis": "保密法", "reason": "不涉密", "hits_ack": "1"})
    p = admin(ch, "page_item", tok["leader"][0], [item])
    assert p["can"]["review_leader"] and p["can"]["schedule"]
    r = admin(ch, "do_item_review", tok["leader"][0], [item],
              {"csrf": tok["leader"][1], "decision": "approve",
               "publish": "scheduled", "publish_at": "2000-01-01T09:00"})
    assert r["status"] == 422 and "publish_at" in r["errors"]
    admin(ch, "do_item_review", tok["leader"][0], [item],
          {"csrf": tok["leader"][1], "decision": "approve",
           "publish": "now"})
    p = admin(ch, "page_item", tok["drafter"][0], [item])
    assert p["item"]["state"] == "published" and p["can"]["change"]
    assert p["item"]["public_path"] == "/item/" + p["item"]["index_no"]
    assert [h["step_name"] for h in p["history"]] == [
        "经办人提交（初步意见）", "股室负责人审核", "保密审查", "分管领导审批"]
    assert p["versions"][0]["no"] == 1


def test_admin_scope_and_forms(ch, t):
    other = ch.team(FINANCE, "czj_")
    item = ch.create(t["drafter"])
    tok, csrf = session(ch, other["drafter"])
    for fn in ("page_item", "page_item_edit"):
        ch.refused("GKA04", "select admin.%s(%%s, %%s, %%s::text[], "
                   "'{}'::jsonb)" % fn, (tok, CLIENT, [str(item)]))
    ch.refused("GKA04", "select admin.screen_item(%s, %s, %s::text[])",
               (tok, CLIENT, [str(item)]))
    ch.refused("GKA04", "select admin.do_item_submit(%s, %s, %s::text[], "
               "%s::jsonb)", (tok, CLIENT, [str(item)],
                              json.dumps({"csrf": csrf})))
    ch.refused("GKA04", "select admin.page_item(%s, %s, %s::text[], "
               "'{}'::jsonb)", (tok, CLIENT, ["99999999999"]))

    tok, csrf = session(ch, t["drafter"])
    r = admin(ch, "do_item_create", tok, [],
              {"csrf": csrf, "title": "  ", "summary": "保留的概述",
               "generated_on": "2025-02-30", "category_id": "999999",
               "kind": "law"})
    assert (r["template"], r["status"]) == ("item_edit", 422)
    assert set(r["errors"]) == {"title", "generated_on", "category_id"}
    assert r["form"]["summary"] == "保留的概述"
    assert [k["value"] for k in r["kinds"] if k["checked"]] == ["law"]
    r = admin(ch, "do_item_create", tok, [],
              {"csrf": csrf, "title": "新信息", "category_id":
               str(ch.category("10")), "generated_on": "2025-02-28"})
    new = int(r["redirect"].split("/")[1])
    e = admin(ch, "page_item_edit", tok, [new])
    assert e["form"]["title"] == "新信息" and not e["is_change"]
    assert [c["id"] for c in e["categories"] if c["selected"]] == [
        str(ch.category("10"))]
    s = admin(ch, "page_items", tok, [], None)
    assert new in [x["id"] for x in s["items"]]
    f = ch.one("select admin.screen_item(%s, %s, %s::text[])",
               (tok, CLIENT, [str(new)]))
    assert f["fields"]["title"] == "新信息"
    # a secrecy mark found by the module: shown on the page, 409
    r = admin(ch, "do_item_submit", tok, [new],
              {"csrf": csrf, "opinion": "proactive", "screen_hits": [
                  {"kind": "secrecy_mark", "field": "title",
                   "match": "机密★", "before": "", "after": "",
                   "blocking": True}]})
    assert (r["template"], r["status"]) == ("item", 409)
    assert r["blocked_hits"][0]["match"] == "机密★"
    assert ch.state(new) == "draft"


# ------------------------------------------------------- as the web role

def web_refused(web, sqlstate, sql, args=()):
    web.execute("savepoint w")
    with pytest.raises(psycopg2.Error) as e:
        web.execute(sql, args)
    web.execute("rollback to savepoint w")
    assert e.value.pgcode == sqlstate, (e.value.pgcode, e.value.pgerror)
    return e.value


def test_web_role_cannot_publish_or_skip(db, web):
    """Connected as nginx is: no table right, no internal function, and
    the admin functions check the session and the rules themselves."""
    db.execute("select r.item_id, r.id from gongkai.review_rounds r "
               "join gongkai.items i on i.id = r.item_id "
               "join gongkai.organs o on o.id = i.organ_id "
               "where r.outcome is null and r.step = 'unit_head' "
               "and o.unit_code = %s order by r.id limit 1", (OFFICE,))
    row = db.fetchone()
    assert row, "the demo data (sql/demo/0080) has an item at the unit head"
    item, rnd = row
    for sql in (
            "update gongkai.items set state = 'published' where id = %s",
            "insert into gongkai.items (title) values ('x') returning %s",
            "update gongkai.review_rounds set step = 'done' "
            "where item_id = %s",
            "insert into gongkai.review_steps (round_id, step, decision) "
            "select id, 'secrecy', 'exempt' from gongkai.review_rounds "
            "where item_id = %s",
            "delete from gongkai.review_steps where round_id = %s",
            "select gongkai.publish_due() where %s > 0",
            "select gongkai.round_apply(%s)",
            "select gongkai.item_review(1, null, %s, null, 'approve', null, "
            "null, false, null, null, null)"):
        web_refused(web, "42501", sql, (item,))

    form = json.dumps({"csrf": "0" * 64, "decision": "approve"})
    web_refused(web, "GKA01", "select admin.do_item_review(%s, %s, "
                "%s::text[], %s::jsonb)", ("ab" * 32, CLIENT, [str(item)],
                                           form))
    web_refused(web, "GKA01", "select admin.do_item_review(null, %s, "
                "%s::text[], %s::jsonb)", (CLIENT, [str(item)], form))

    # a drafter's real session: refused by the rules, nothing recorded
    token = os.urandom(32).hex()
    web.execute("select admin.login('dh.drafter', 'gongkai-demo-2025', %s, "
                "%s)", (token, CLIENT))
    assert web.fetchone()[0]["ok"] is True
    web.execute("select admin.page_home(%s, %s, '{}'::text[], '{}'::jsonb)",
                (token, CLIENT))
    csrf = web.fetchone()[0]["csrf"]
    e = web_refused(web, "GKA09", "select admin.do_item_review(%s, %s, "
                    "%s::text[], %s::jsonb)",
                    (token, CLIENT, [str(item)],
                     json.dumps({"csrf": csrf, "decision": "approve",
                                 "round": str(rnd)})))
    assert "股室负责人" in e.pgerror
    web_refused(web, "GKA03", "select admin.do_item_review(%s, %s, "
                "%s::text[], %s::jsonb)", (token, CLIENT, [str(item)], form))
    web.execute("select admin.page_item(%s, %s, %s::text[], '{}'::jsonb)",
                (token, CLIENT, [str(item)]))
    p = web.fetchone()[0]
    assert p["round"]["step"] == "unit_head" and not p["can"]["review"]
