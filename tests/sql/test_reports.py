"""The annual report (政府信息公开工作年度报告, issue 5) in the database:
section 三 computed from a fixture of cases and compared cell by cell with
the table worked out by hand (report_fixture.EXPECTED_2023), the balance
check naming the column and the case that breaks it, sections 二 and 四,
the 2019 and 2021 formats, and the workflow: submitted, signed by the
principal leader, filed by the parent organ, published; publishing before
filing refused by the database; a correction is a new version.

Every test runs in a transaction that is rolled back."""

import os
import sys

import psycopg2
import psycopg2.extras
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_fixture as fx  # noqa: E402


def one(cur, sql, args=()):
    cur.execute(sql, args)
    return cur.fetchone()[0]


def create(owner, ids, year):
    rid = one(owner, "select report_create(%s, null, %s, %s)",
              (ids["drafter"], ids["organ"], year))
    vid = one(owner, "select id from report_versions where report_id = %s",
              (rid,))
    return rid, vid


def compute(owner, vid):
    return one(owner, "select report_compute(%s)", (vid,))


def full_form(owner, fmt):
    owner.execute("select key, signed, decimals from report_stat_defs"
                  " where fmt in (%s, 'any')", (fmt,))
    form = {"overview_html": "<p>本年度总体情况。</p>",
            "problems_html": "<p>问题与改进。</p>",
            "other_html": "<p>无。</p>"}
    for key, signed, decimals in owner.fetchall():
        form["stat_" + key] = "-2" if signed else (
            "12.5" if decimals else "3")
        form["source_" + key] = "政务服务管理局统计台账"
    return form


def save(owner, ids, rid, form):
    return one(owner, "select report_save(%s, null, %s, %s::jsonb)",
               (ids["drafter"], rid, psycopg2.extras.Json(form)))


def state(owner, vid):
    return one(owner, "select state from report_versions where id = %s",
               (vid,))


@pytest.fixture
def ids(owner):
    return fx.build(owner, "71")


def test_section3_by_hand_2021(owner, ids):
    rid, vid = create(owner, ids, 2023)
    data = compute(owner, vid)
    assert data["fmt"] == "2021"
    s3 = data["s3"]
    codes = [r["code"] for r in s3["rows"]]
    # the national rows, in order (NATIONAL.md section 三, 2021)
    assert codes == ["new", "carried"] + fx.LEAVES_2021 + ["total", "next"]
    assert s3["columns"] == ["自然人", "商业企业", "科研机构", "社会公益组织",
                             "法律服务机构", "其他", "总计"]
    cells = fx.table_cells(s3)
    for code in codes:
        want = fx.EXPECTED_2023.get(code, [str(v) for v in fx.Z])
        assert cells[code] == want, code
    assert data["balance"] == {"ok": True, "columns": []}
    # every column: 一 + 二 = 三（七） + 四
    for i in range(7):
        assert (int(cells["new"][i]) + int(cells["carried"][i])
                == int(cells["total"][i]) + int(cells["next"][i]))
    # row headers: 三 spans its 22 rows, （三）不予公开 its 8
    first = s3["rows"][2]["heads"]
    assert first[0]["text"] == "三、本年度办理结果"
    assert first[0]["rowspan"] == 22 and first[0]["scope"] == "rowgroup"
    r31 = s3["rows"][4]["heads"]
    assert r31[0] == {"text": "（三）不予公开", "colspan": 1, "rowspan": 8,
                      "scope": "rowgroup"}
    assert r31[1]["text"] == "1.属于国家秘密"


def test_section3_2019_format(owner, ids):
    rid, vid = create(owner, ids, 2020)
    data = compute(owner, vid)
    assert data["fmt"] == "2019"
    s3 = data["s3"]
    assert [r["code"] for r in s3["rows"]] == (
        ["new", "carried"] + fx.LEAVES_2019 + ["total", "next"])
    cells = fx.table_cells(s3)
    # M: citizen, received and closed in 2020 with 6.3 -> one row （六）
    assert cells["new"] == fx.row(citizen=1)
    assert cells["6"] == fx.row(citizen=1)
    assert cells["total"] == fx.row(citizen=1)
    assert cells["next"] == fx.row()
    assert s3["rows"][2]["heads"][0]["rowspan"] == 20
    six = [r for r in s3["rows"] if r["code"] == "6"][0]
    assert six["heads"] == [{"text": "（六）其他处理", "colspan": 2,
                             "rowspan": 1, "scope": "row"}]


def test_section2_items_and_formats(owner, ids):
    _, v23 = create(owner, ids, 2023)
    s2 = compute(owner, v23)["s2"]
    assert [t["id"] for t in s2] == ["2-1", "2-5", "2-6", "2-8"]
    t1 = s2[0]
    assert t1["columns"] == ["本年制发件数", "本年废止件数", "现行有效件数"]
    assert fx.table_cells(t1) == fx.EXPECTED_S2_2023
    assert [r["label"] for r in t1["rows"]] == ["规章", "行政规范性文件"]
    assert s2[3]["columns"] == ["本年收费金额（单位：万元）"]
    assert [r["label"] for r in s2[2]["rows"]] == ["行政处罚", "行政强制"]

    _, v20 = create(owner, ids, 2020)
    s2 = compute(owner, v20)["s2"]
    assert [t["id"] for t in s2] == ["2-1", "2-5", "2-6", "2-8", "2-9"]
    assert s2[0]["columns"] == ["本年新制作数量", "本年新公开数量",
                                "对外公开总数量"]
    assert fx.table_cells(s2[0]) == fx.EXPECTED_S2_2020
    assert [r["label"] for r in s2[0]["rows"]] == ["规章", "规范性文件"]
    assert s2[1]["columns"] == ["上一年项目数量", "本年增/减", "处理决定数量"]
    assert [r["label"] for r in s2[1]["rows"]] == ["行政许可",
                                                  "其他对外管理服务事项"]
    assert s2[3]["columns"] == ["上一年项目数量", "本年增/减"]
    assert s2[4]["columns"] == ["采购项目数量", "采购总金额"]


def test_section4_remedies(owner, ids):
    _, vid = create(owner, ids, 2023)
    s4 = compute(owner, vid)["s4"]
    assert len(s4["columns"]) == 15
    assert fx.table_cells(s4)["all"] == fx.EXPECTED_S4_2023


def test_extras_count_channels_and_entered_figures(owner, ids):
    rid, vid = create(owner, ids, 2023)
    form = full_form(owner, "2021")
    form["stat_column_visits"] = "4567"
    form["source_column_visits"] = "网站访问统计"
    assert save(owner, ids, rid, form) == {}
    x = compute(owner, vid)["extra"]
    by = {r["label"]: [c["value"] for c in r["cells"]] for r in x["rows"]}
    # 2023 receipts by channel: B D I website, C email, E fax, H letter,
    # J in person
    assert by["依申请公开 网站申请数"][0] == "3"
    assert by["依申请公开 信函申请数"][0] == "1"
    assert by["依申请公开 当面申请数"][0] == "1"
    assert by["主动公开 全年主动公开政府信息总数"][0] == "2"   # items 1, 7
    # the visits come from the portal's counters (0075): what a form
    # says is ignored; the fixture organ has no site, so none
    assert by["主动公开 政府信息公开专栏页面访问量"] == ["0", "次",
                                                      "门户网站访问量统计"]


def test_unbalanced_refused_naming_column_and_case(owner):
    ids = fx.build(owner, "72", bad=True)
    rid, vid = create(owner, ids, 2023)
    data = compute(owner, vid)
    bal = data["balance"]
    assert bal["ok"] is False
    cols = {c["column"]: c for c in bal["columns"]}
    assert set(cols) == {"business", "total"}
    assert cols["business"]["name"] == "商业企业"
    assert (cols["business"]["in"], cols["business"]["out"]) == (2, 1)
    assert [c["tracking_no"] for c in cols["business"]["cases"]] == \
        ["YS2023-972076"]
    assert "早于收到日期" in cols["business"]["cases"][0]["why"]
    off = [c["off"] for c in data["s3"]["rows"][0]["cells"]]
    assert off == [False, True, False, False, False, False, True]
    assert save(owner, ids, rid, full_form(owner, "2021")) == {}
    owner.execute("savepoint s")
    with pytest.raises(psycopg2.Error) as e:
        owner.execute("select report_submit(%s, null, %s)",
                      (ids["drafter"], rid))
    assert e.value.pgcode == "GKA09"
    assert "商业企业" in e.value.pgerror
    assert "YS2023-972076" in e.value.pgerror
    assert e.value.diag.column_name == "business"
    owner.execute("rollback to savepoint s")
    assert state(owner, vid) == "draft"
    # nor can the state be forced past the check
    with pytest.raises(psycopg2.Error) as e:
        owner.execute("update report_versions set state = 'submitted',"
                      " data = report_compute(id) where id = %s", (vid,))
    assert e.value.pgcode == "GKA09"


def refused(owner, sql, args, code="GKA09"):
    owner.execute("savepoint s")
    with pytest.raises(psycopg2.Error) as e:
        owner.execute(sql, args)
    owner.execute("rollback to savepoint s")
    assert e.value.pgcode == code, e.value.pgerror
    return e.value.pgerror


def test_workflow_filing_before_publishing_and_correction(owner, ids):
    rid, vid = create(owner, ids, 2023)
    # missing figures stop the submission
    assert "缺少数值或数据来源" in refused(
        owner, "select report_submit(%s, null, %s)", (ids["drafter"], rid))
    assert save(owner, ids, rid, full_form(owner, "2021")) == {}
    # a bad number is an error on its field, nothing saved
    errs = save(owner, ids, rid, dict(full_form(owner, "2021"),
                                      stat_penalty_decisions="三"))
    assert list(errs) == ["stat_penalty_decisions"]
    owner.execute("select report_submit(%s, null, %s)", (ids["drafter"], rid))
    assert state(owner, vid) == "submitted"
    frozen = one(owner, "select data from report_versions where id = %s",
                 (vid,))
    assert fx.table_cells(frozen["s3"])["new"] == fx.EXPECTED_2023["new"]
    # content is frozen once submitted
    refused(owner, "update report_versions set overview_html = 'x'"
                   " where id = %s", (vid,))
    refused(owner, "update report_stats set value = 99 where version_id = %s",
            (vid,))
    # publishing now: refused by the function and by the table itself
    assert "备案" in refused(owner, "select report_publish(%s, null, %s)",
                             (ids["drafter"], rid))
    refused(owner, "update report_versions set state = 'published',"
                   " published_at = now() where id = %s", (vid,))
    # only the organ's leader signs
    refused(owner, "select report_sign(%s, null, %s, 'sign', null)",
            (ids["head"], rid))
    owner.execute("select report_sign(%s, null, %s, 'sign', null)",
                  (ids["leader"], rid))
    assert state(owner, vid) == "signed"
    # signed but not filed: still refused, the check constraint too
    refused(owner, "select report_publish(%s, null, %s)",
            (ids["drafter"], rid))
    owner.execute("alter table report_versions disable trigger user")
    refused(owner, "update report_versions set state = 'published',"
                   " published_at = now() where id = %s", (vid,), "23514")
    owner.execute("alter table report_versions enable trigger user")
    # filing: a user of the parent organ, not the organ itself
    refused(owner, "select report_file(%s, null, %s, 'file', null)",
            (ids["leader"], rid))
    owner.execute("select report_file(%s, null, %s, 'file', '已收到纸质件')",
                  (ids["upper"], rid))
    assert state(owner, vid) == "filed"
    owner.execute("select report_publish(%s, null, %s)",
                  (ids["drafter"], rid))
    assert state(owner, vid) == "published"
    # a published version never changes
    refused(owner, "update report_versions set problems_html = 'x'"
                   " where id = %s", (vid,))
    refused(owner, "delete from report_versions where id = %s", (vid,))
    # a correction: a new version with its note, from the published text
    refused(owner, "select report_correct(%s, null, %s, '')",
            (ids["drafter"], rid), "GKA22")
    owner.execute("select report_correct(%s, null, %s, %s)",
                  (ids["drafter"], rid, "更正行政许可决定数量"))
    owner.execute("select no, state, correction_note, overview_html"
                  " from report_versions where report_id = %s order by no",
                  (rid,))
    rows = owner.fetchall()
    assert rows == [(1, "published", None, "<p>本年度总体情况。</p>"),
                    (2, "draft", "更正行政许可决定数量",
                     "<p>本年度总体情况。</p>")]
    v2 = one(owner, "select id from report_versions where report_id = %s"
                    " and no = 2", (rid,))
    assert one(owner, "select count(*) from report_stats"
                      " where version_id = %s", (v2,)) == one(
        owner, "select count(*) from report_stats where version_id = %s",
        (vid,))
    # the first version is untouched and a second correction must wait
    refused(owner, "select report_correct(%s, null, %s, 'again')",
            (ids["drafter"], rid))
    owner.execute("select action from audit_log where action like"
                  " 'report.%%' and detail ->> 'report' = %s order by id",
                  (str(rid),))
    assert [r[0] for r in owner.fetchall()] == [
        "report.create", "report.save", "report.submit", "report.sign",
        "report.file", "report.publish", "report.correct"]


def test_return_and_self_signing(owner, ids):
    rid, vid = create(owner, ids, 2023)
    owner.execute("insert into user_roles values (%s, 'drafter')",
                  (ids["leader"],))
    assert save(owner, ids, rid, full_form(owner, "2021")) == {}
    owner.execute("select report_submit(%s, null, %s)", (ids["leader"], rid))
    assert "提交人" in refused(
        owner, "select report_sign(%s, null, %s, 'sign', null)",
        (ids["leader"], rid))
    refused(owner, "select report_sign(%s, null, %s, 'return', '')",
            (ids["leader"], rid), "GKA22")
    owner.execute("select report_sign(%s, null, %s, 'return', '请补充数据')",
                  (ids["leader"], rid))
    owner.execute("select state, data, returned_reason from report_versions"
                  " where id = %s", (vid,))
    assert owner.fetchone() == ("draft", None, "请补充数据")


def test_deadlines_by_level_and_preset(owner, ids):
    assert one(owner, "select report_deadline(%s, 2023, 'publish_by')",
               (ids["organ"],)) == fx.D(2024, 1, 31)
    assert one(owner, "select report_deadline(%s, 2023, 'publish_by')",
               (ids["parent"],)) == fx.D(2024, 3, 31)
    owner.execute("select report_deadlines_apply('dehong')")
    # 2月底: the 29th in a leap year, the 28th otherwise
    assert one(owner, "select report_deadline(%s, 2023, 'publish_by')",
               (ids["organ"],)) == fx.D(2024, 2, 29)
    assert one(owner, "select report_deadline(%s, 2024, 'publish_by')",
               (ids["organ"],)) == fx.D(2025, 2, 28)
    assert one(owner, "select report_deadline(%s, 2023, 'file_by')",
               (ids["organ"],)) == fx.D(2024, 1, 31)


def test_one_report_per_year_and_formats_by_year(owner, ids):
    create(owner, ids, 2023)
    refused(owner, "select report_create(%s, null, %s, 2023)",
            (ids["drafter"], ids["organ"]), "GKA22")
    refused(owner, "select report_create(%s, null, %s, 2022)",
            (ids["upper"], ids["organ"]))
    assert one(owner, "select report_format(2020)") == "2019"
    assert one(owner, "select report_format(2021)") == "2021"
