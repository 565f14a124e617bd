"""A fixture of organs, users, items and cases for the annual report
(issue 5), shared by tests/sql/test_reports.py and tests/e2e/test_reports.py.

The records stand for years of past work, so they are written with the
tables' user triggers off (the review chain and the case flow would only
accept them at today's date); the constraints still hold.  EXPECTED_2023
is the section 三 table computed by hand from the cases below."""

import datetime

D = datetime.date
TS = "%s 10:00:00+08"

PASSWORD = "gongkai-demo-2025"

# columns of section 三, in the national order, then 总计
KINDS = ["citizen", "business", "research", "public_interest",
         "legal_service", "other_org"]

# (key, kind, receipt date, closed on, outcome, channel)
CASES = [
    ("A", "citizen", D(2022, 11, 10), D(2023, 1, 5), "1", "letter"),
    ("B", "citizen", D(2023, 2, 1), D(2023, 2, 20), "2", "website"),
    ("C", "business", D(2023, 3, 1), D(2023, 3, 15), "3.4", "email"),
    ("D", "research", D(2023, 12, 20), None, None, "website"),
    ("E", "legal_service", D(2023, 5, 5), D(2024, 1, 10), "4.1", "fax"),
    ("F", "citizen", D(2022, 6, 1), D(2022, 7, 1), "1", "in_person"),
    ("G", "citizen", D(2024, 1, 3), None, None, "website"),
    ("H", "public_interest", D(2023, 6, 1), D(2023, 6, 30), "6.2",
     "letter"),
    ("I", "other_org", D(2023, 7, 1), D(2023, 7, 20), "5.2", "website"),
    ("J", "citizen", D(2023, 8, 1), D(2023, 8, 5), "6.1", "in_person"),
    ("K", "citizen", D(2022, 12, 28), None, None, "website"),
    ("M", "citizen", D(2020, 3, 1), D(2020, 3, 10), "6.3", "letter"),
]

# a case closed before it was received (a data error): unbalances 商业企业
BAD_CASE = ("L", "business", D(2023, 1, 10), D(2022, 12, 30), "1",
            "letter")

Z = [0, 0, 0, 0, 0, 0, 0]


def row(**cols):
    """A row of section 三: the six columns and 总计."""
    r = [cols.get(k, 0) for k in KINDS]
    return [str(v) for v in r + [sum(r)]]


# section 三 of 2023 by hand (2021 format): code -> 7 cells
EXPECTED_2023 = {
    "new": row(citizen=2, business=1, research=1, public_interest=1,
               legal_service=1, other_org=1),            # B J C D H E I
    "carried": row(citizen=2),                            # A K
    "1": row(citizen=1),                                  # A
    "2": row(citizen=1),                                  # B
    "3.4": row(business=1),                               # C
    "5.2": row(other_org=1),                              # I
    "6.1": row(citizen=1),                                # J
    "6.2": row(public_interest=1),                        # H
    "total": row(citizen=3, business=1, public_interest=1,
                 other_org=1),
    "next": row(citizen=1, research=1, legal_service=1),  # K D E
}

LEAVES_2021 = ["1", "2"] + ["3.%d" % i for i in range(1, 9)] \
    + ["4.%d" % i for i in range(1, 4)] + ["5.%d" % i for i in range(1, 6)] \
    + ["6.1", "6.2", "6.3"]
LEAVES_2019 = LEAVES_2021[:-3] + ["6"]

# section 四 of 2023 by hand: 行政复议, 直接起诉, 复议后起诉 ×
# (维持, 纠正, 其他, 尚未审结, 总计)
EXPECTED_S4_2023 = ["1", "0", "0", "0", "1",
                    "0", "0", "0", "1", "1",
                    "0", "0", "0", "1", "1"]

# section 二 第（一）项 of 2023 (2021 format): 制发, 废止, 现行有效
EXPECTED_S2_2023 = {"rule": ["1", "1", "1"], "normative": ["1", "0", "2"]}
# of 2020 (2019 format): 新制作, 新公开, 对外公开总数
EXPECTED_S2_2020 = {"rule": ["0", "0", "0"], "normative": ["1", "1", "1"]}


def one(cur, sql, args=()):
    cur.execute(sql, args)
    return cur.fetchone()[0]


def build(cur, tag, bad=False, parent=None, items=True):
    """Make the fixture; cur acts as gongkai_owner with search_path
    gongkai.  tag (digits) makes the codes unique; parent: the organ
    above the fixture's organ (default: a new prefecture); items: make
    the items too.  The users' password is PASSWORD.  Returns a dict of
    ids."""
    ids = {}
    cur.execute("alter table items disable trigger user")
    cur.execute("alter table item_versions disable trigger user")
    cur.execute("alter table applications disable trigger user")
    cur.execute("alter table case_remedies disable trigger user")
    try:
        ids["parent"] = parent or one(cur, """
            insert into organs (unit_code, name, level)
            values (%s, %s, 'prefecture') returning id""",
            ("RPP" + tag, "报告测试州人民政府" + tag))
        ids["organ"] = one(cur, """
            insert into organs (unit_code, name, level, parent_id)
            values (%s, %s, 'department', %s) returning id""",
            ("RPX" + tag, "报告测试州某局" + tag, ids["parent"]))
        ids["unit_code"] = "RPX" + tag
        for login, organ, roles in [
                ("rp%s.drafter" % tag, "organ", ["drafter"]),
                ("rp%s.head" % tag, "organ", ["unit_head"]),
                ("rp%s.leader" % tag, "organ", ["leader"]),
                ("rp%s.upper" % tag, "parent", ["drafter"])]:
            uid = one(cur, """
                insert into users (organ_id, login, name, password_hash)
                values (%s, %s, %s, password_hash(%s)) returning id""",
                (ids[organ], login, "测试" + login.split(".")[1], PASSWORD))
            for r in roles:
                cur.execute("insert into user_roles values (%s, %s)",
                            (uid, r))
            ids[login.split(".")[1]] = uid
        cat = one(cur, "select id from categories order by id limit 1")
        ids["logins"] = {k: "rp%s.%s" % (tag, k)
                         for k in ("drafter", "head", "leader", "upper")}
        code = one(cur, "select code from categories where id = %s", (cat,))

        def item(n, kind, gen, pub, validity, changed=None, state=None):
            return one(cur, """
                insert into items (index_no, title, generated_on, organ_id,
                                   category_id, validity, state,
                                   published_at, kind, changed_at)
                values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                returning id""",
                ("RPX%s-%s-%d-%05d" % (tag, code, gen.year, n),
                 "测试文件%d" % n, gen, ids["organ"], cat, validity,
                 state or "published",
                 (TS % pub) if pub else None, kind,
                 (TS % changed) if changed else None))

        if items:
            item(1, "rule", D(2023, 3, 1), D(2023, 3, 5), "有效")
            item(2, "rule", D(2021, 5, 1), D(2021, 5, 2), "废止",
                 changed=D(2023, 9, 1))
            item(3, "normative", D(2023, 6, 1), D(2024, 1, 5), "有效")
            item(4, "normative", D(2022, 1, 1), D(2022, 1, 2), "有效")
            n3 = item(5, "normative", D(2020, 1, 1), D(2020, 1, 2), "失效")
            for no, validity, pub in [(1, "有效", D(2020, 1, 2)),
                                      (2, "失效", D(2022, 6, 1))]:
                cur.execute("""
                    insert into item_versions (item_id, no, title,
                                               generated_on, validity, kind,
                                               published_at)
                    values (%s, %s, '测试文件5', %s, %s, 'normative', %s)""",
                    (n3, no, D(2020, 1, 1), validity, TS % pub))
            item(6, "normative", D(2023, 4, 1), None, "有效", state="draft")
            # a general item: not counted in 第（一）项
            item(7, "general", D(2023, 4, 1), D(2023, 4, 2), "有效")

        ids["cases"] = {}
        for key, kind, received, closed, outcome, channel in (
                CASES + ([BAD_CASE] if bad else [])):
            ids["cases"][key] = one(cur, """
                insert into applications (
                    tracking_no, organ_id, desk_organ_id, channel,
                    applicant_kind, description, wanted_form, delivery,
                    received_at, receipt_date, clock_start, stage, outcome,
                    closed_at, registered_by)
                values (%s, %s, %s, %s, %s, %s, 'electronic', 'email',
                        %s, %s, %s, %s, %s, %s, %s)
                returning id""",
                ("YS%d-9%s%03d" % (received.year, tag, ord(key)),
                 ids["organ"], ids["organ"], channel, kind,
                 "测试申请" + key, TS % received, received, received,
                 "closed" if closed else "processing", outcome,
                 (TS % closed) if closed else None,
                 None if channel == "website" else ids["drafter"]))
        a = ids["cases"]["A"]
        for kind, route, filed, result, decided in [
                ("reconsideration", None, D(2023, 3, 1), "upheld",
                 D(2023, 5, 1)),
                ("litigation", "direct", D(2023, 4, 1), "pending", None),
                ("litigation", "after_reconsideration", D(2023, 6, 1),
                 "corrected", D(2024, 2, 1)),
                ("reconsideration", None, D(2022, 12, 1), "other",
                 D(2023, 1, 20))]:
            cur.execute("""
                insert into case_remedies (case_id, kind, route, filed_on,
                                           body, result, decided_on,
                                           created_by)
                values (%s, %s, %s, %s, '测试复议机关', %s, %s, %s)""",
                (a, kind, route, filed, result, decided, ids["drafter"]))
    finally:
        cur.execute("alter table items enable trigger user")
        cur.execute("alter table item_versions enable trigger user")
        cur.execute("alter table applications enable trigger user")
        cur.execute("alter table case_remedies enable trigger user")
    return ids


def table_cells(table):
    """{row code: [cell values]} of a TABLE."""
    return {r["code"]: [c["value"] for c in r["cells"]]
            for r in table["rows"]}
