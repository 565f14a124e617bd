"""Full-text search: portal.page_search and the index behind it
(sql/migrations/0030-0032, sql/PAGES.md).

Every test inserts its own items, whose texts use rare characters
(甪, 鼋, 鼍 ...) so that demo data cannot match them, inside a transaction
that is rolled back.  Items are published at chosen instants, newer than
any demo item, so that they come first where dates decide.
"""

import json
import re

import psycopg2
import pytest

HOST = "www.dh.gov.cn"              # the demo portal
ORGAN = "11533100000000101D"        # 德宏州人民政府办公室, in its scope
OTHER_ORGAN = "11533100000000102D"  # 德宏州财政局, in its scope too
CAT = "0202"
OTHER_CAT = "0401"
OUTSIDE = "www.hegang.gov.cn"       # another portal: another scope


@pytest.fixture
def owner(owner):
    """These tests are about finding, not about review: they write
    published, draft and withdrawn items directly, as an import declared
    the way sql/migrations/0016 allows."""
    owner.execute("set local gongkai.import = 'tests/sql/test_search'")
    return owner


def add_item(cur, title, doc_no=None, summary=None, body="", state=None,
             keywords=None, organ=ORGAN, cat=CAT, gen="2031-03-04",
             at="2031-03-05 10:00+08"):
    """Insert an item; published (at `at`) unless state says otherwise.
    Returns (id, index_no)."""
    state = state or "published"
    cur.execute(
        "insert into items (title, doc_no, summary, keywords, body_html,"
        " generated_on, organ_id, category_id, state, published_at) "
        "select %s, %s, %s, %s, %s, %s, o.id, c.id, %s,"
        " case when %s = 'draft' then null else %s::timestamptz end "
        "from organs o, categories c "
        "where o.unit_code = %s and c.code = %s returning id, index_no",
        (title, doc_no, summary, keywords, body, gen,
         "published" if state == "withdrawn" else state, state, at,
         organ, cat))
    item = cur.fetchone()
    if state == "withdrawn":
        cur.execute("update items set state = 'withdrawn' where id = %s",
                    (item[0],))
    return item


def search(cur, q, category=None, organ=None, year=None, page=None,
           host=HOST):
    cur.execute("select portal.page_search(%s, %s, %s, %s, %s, %s)",
                (host, q, category, organ, year, page))
    page = cur.fetchone()[0]
    assert isinstance(page, dict), page
    return page


def titles(page):
    return [i["title"] for i in page["items"]]


def joined(parts):
    return "".join(p["text"] for p in parts)


def hits(parts):
    return [p["text"] for p in parts if p["hit"]]


# --------------------------------------------------------------------------
# what is found

def test_one_character_word(owner):
    add_item(owner, "鼋头渚契税减免公告")
    add_item(owner, "鼋头渚财产登记")
    page = search(owner, "税")
    assert "鼋头渚契税减免公告" in titles(page)
    assert "鼋头渚财产登记" not in titles(page)
    # a character at the very end of a title is found too
    add_item(owner, "鼋头渚关于调整的说明鼍")
    assert titles(search(owner, "鼍")) == ["鼋头渚关于调整的说明鼍"]


def test_two_character_words(owner):
    add_item(owner, "鼋鼍州财政预算执行情况", at="2031-03-05 10:00+08")
    add_item(owner, "鼋鼍州防汛抗旱工作方案", at="2031-03-05 11:00+08")
    add_item(owner, "鼋鼍州安全生产检查", at="2031-03-05 12:00+08")
    for word, title in (("财政", "鼋鼍州财政预算执行情况"),
                        ("预算", "鼋鼍州财政预算执行情况"),
                        ("防汛", "鼋鼍州防汛抗旱工作方案")):
        page = search(owner, word)
        assert page["query"]["searched"] is True
        assert title in titles(page), word
        assert all(word in t for t in titles(page)
                   if t.startswith("鼋鼍州")), word
    # both inserted words in one query: only the item with both
    assert [t for t in titles(search(owner, "鼋鼍 防汛"))] == \
        ["鼋鼍州防汛抗旱工作方案"]


def test_phrase_needs_adjacency(owner):
    add_item(owner, "甪直镇预算公开表")
    add_item(owner, "甪直镇预先计算表")         # 预 … 算, not adjacent
    add_item(owner, "预算甪直镇说明")            # both words, other order
    assert titles(search(owner, "甪直镇预算")) == ["甪直镇预算公开表"]
    # two terms: both anywhere, in any order
    assert sorted(titles(search(owner, "甪直镇 预算"))) == \
        sorted(["甪直镇预算公开表", "预算甪直镇说明"])
    assert titles(search(owner, "甪直镇预先")) == ["甪直镇预先计算表"]
    assert titles(search(owner, "甪直计算")) == []


def test_latin_words_and_digits(owner):
    add_item(owner, "甪里GDP核算与CPI统计报告2031版", summary="ＡＢＣ项目")
    for q in ("gdp", "GDP", "ＧＤＰ", "cpi统计", "2031版", "abc项目"):
        assert titles(search(owner, "甪里 " + q)) == \
            ["甪里GDP核算与CPI统计报告2031版"], q


DOC_NO = "鹤政办发〔2009〕07号"


@pytest.mark.parametrize("typed", [
    "鹤政办发〔2009〕07号", "鹤政办发[2009]07号", "鹤政办发【2009】07号",
    "鹤政办发(2009)07号", "鹤政办发（2009）07号", "鹤政办发2009 07号",
    "鹤政办发200907号", "鹤政办发〔２００９〕０７号", "鹤政办发 〔2009〕 07号",
    "〔2009〕07号",
])
def test_document_number_in_any_bracket_form(owner, typed):
    item, index_no = add_item(owner, "甪堰镇关于政府信息网上公开的办法",
                              doc_no=DOC_NO)
    page = search(owner, typed)
    found = [i for i in page["items"] if i["index_no"] == index_no]
    assert found, (typed, titles(page))
    assert found[0]["match"] == "number"
    # the document number is shown whole, the typed parts marked
    assert joined(found[0]["doc_no_parts"]) == DOC_NO
    marked = re.sub(r"[〔〕]", "", "".join(hits(found[0]["doc_no_parts"])))
    assert "鹤政办发200907号".endswith(marked) and len(marked) >= 7, marked


def test_document_number_other_numbers_not_found(owner):
    add_item(owner, "甪堰镇文件一", doc_no=DOC_NO)
    add_item(owner, "甪堰镇文件二", doc_no="鹤政办发〔2009〕08号")
    add_item(owner, "甪堰镇文件三", doc_no="鹤政办发〔2010〕07号")
    assert titles(search(owner, "鹤政办发【2009】07号 甪堰镇")) == \
        ["甪堰镇文件一"]


def test_index_number_found(owner):
    item, index_no = add_item(owner, "甪端索引号测试")
    for typed in (index_no, index_no.replace("-", "—"),
                  index_no.replace("-", ""), index_no.lower()):
        page = search(owner, typed)
        assert [i["index_no"] for i in page["items"]][:1] == [index_no], \
            typed
        assert page["items"][0]["match"] == "number"


def test_summary_keywords_and_body_are_searched(owner):
    add_item(owner, "甪端甲", summary="关于鼋鼍滩涂保护的概述")
    add_item(owner, "甪端乙", keywords="鼋鼍滩涂 保护")
    add_item(owner, "甪端丙", body="<p>正文提到<b>鼋鼍</b>滩涂&amp;湿地</p>")
    page = search(owner, "鼋鼍滩涂")
    assert sorted(titles(page)) == ["甪端丙", "甪端乙", "甪端甲"]
    assert {i["match"] for i in page["items"]} == {"text"}
    # tags do not hide words, entities do not make words
    assert titles(search(owner, "鼋鼍滩涂湿地")) == ["甪端丙"]
    assert titles(search(owner, "amp")) == []


# --------------------------------------------------------------------------
# what is never found

def test_drafts_and_withdrawn_items_are_never_found(owner):
    add_item(owner, "鼍龙草稿鼋", state="draft")
    add_item(owner, "鼍龙撤回鼋", state="withdrawn")
    add_item(owner, "鼍龙公开鼋")
    assert titles(search(owner, "鼍龙")) == ["鼍龙公开鼋"]
    assert titles(search(owner, "鼍龙草稿")) == []
    assert titles(search(owner, "鼍龙撤回")) == []
    # and withdrawing a published item removes it at once
    owner.execute("update items set state = 'withdrawn' "
                  "where title = '鼍龙公开鼋'")
    assert titles(search(owner, "鼍龙")) == []


def test_demo_drafts_and_withdrawn_titles_are_not_found(owner):
    owner.execute("select title from items where state <> 'published'")
    hidden = [r[0] for r in owner.fetchall()]
    assert hidden
    for title in hidden:
        page = search(owner, title)
        assert title not in titles(page), title


def test_scope_is_the_site(owner):
    add_item(owner, "鼋渚其他门户的信息",
             organ="11230400000000101D")   # 鹤岗 (another portal)
    assert titles(search(owner, "鼋渚")) == []
    assert titles(search(owner, "鼋渚", host=OUTSIDE)) == \
        ["鼋渚其他门户的信息"]
    # a department site sees its own organ only
    add_item(owner, "鼋渚财政局的信息", organ=OTHER_ORGAN)
    assert titles(search(owner, "鼋渚", host="czj.dh.gov.cn")) == \
        ["鼋渚财政局的信息"]


# --------------------------------------------------------------------------
# order, filters, pages

def test_title_matches_first_then_numbers_then_text_newest_first(owner):
    add_item(owner, "鼋甲 正文提及", body="<p>鼋渚浦</p>",
             at="2031-06-01 09:00+08")
    add_item(owner, "鼋乙 鼋渚浦旧", at="2031-03-01 09:00+08")
    add_item(owner, "鼋丙 鼋渚浦新", at="2031-04-01 09:00+08")
    add_item(owner, "鼋丁 文号", doc_no="鼋渚浦〔2031〕1号",
             at="2031-07-01 09:00+08")
    add_item(owner, "鼋戊 概述", summary="鼋渚浦的概述",
             at="2031-05-01 09:00+08")
    page = search(owner, "鼋渚浦")
    assert titles(page) == ["鼋丙 鼋渚浦新", "鼋乙 鼋渚浦旧", "鼋丁 文号",
                            "鼋甲 正文提及", "鼋戊 概述"]
    assert [i["match"] for i in page["items"]] == \
        ["title", "title", "number", "text", "text"]
    assert page["total"] == 5 and page["total_exact"] is True


def test_filters(owner):
    add_item(owner, "鼋洲办公室二〇三一", gen="2031-01-02")
    add_item(owner, "鼋洲财政局二〇三一", organ=OTHER_ORGAN, cat=OTHER_CAT,
             gen="2031-01-02")
    add_item(owner, "鼋洲办公室二〇三〇", gen="2030-01-02",
             at="2030-01-03 10:00+08")
    assert len(titles(search(owner, "鼋洲"))) == 3
    assert titles(search(owner, "鼋洲", organ=OTHER_ORGAN)) == \
        ["鼋洲财政局二〇三一"]
    assert titles(search(owner, "鼋洲", category=OTHER_CAT)) == \
        ["鼋洲财政局二〇三一"]
    # a category includes its sub-categories
    assert titles(search(owner, "鼋洲", category="04")) == \
        ["鼋洲财政局二〇三一"]
    assert titles(search(owner, "鼋洲", year=2030)) == ["鼋洲办公室二〇三〇"]
    page = search(owner, "鼋洲", organ=OTHER_ORGAN, year=2030)
    assert page["no_results"] is True and page["items"] == []
    # the current filter values are marked for the form
    page = search(owner, "鼋洲", organ=OTHER_ORGAN, category="04", year=2030)
    assert [o["unit_code"] for o in page["organs"] if o["selected"]] == \
        [OTHER_ORGAN]
    assert [c["code"] for c in page["categories"] if c["selected"]] == ["04"]
    assert page["filter"]["organ"]["unit_code"] == OTHER_ORGAN


def test_unknown_filters_are_not_found(owner):
    assert search(owner, "财政", category="99")["not_found"] is True
    assert search(owner, "财政", organ="11230400000000101D")["not_found"] \
        is True                                  # out of scope
    assert search(owner, "财政", host="unknown.gov.cn")["site"] is None


def test_pages(owner):
    for n in range(25):
        add_item(owner, "鼋里第%02d号公告" % n,
                 at="2031-03-05 10:%02d+08" % n)
    first = search(owner, "鼋里")
    assert first["total"] == 25 and first["total_exact"] is True
    assert first["pages"] == 2
    assert len(first["items"]) == 20
    assert first["first"] == 1 and first["last"] == 20
    assert first["prev_page"] is None and first["next_page"] == 2
    second = search(owner, "鼋里", page=2)
    assert len(second["items"]) == 5
    assert second["first"] == 21
    assert second["prev_page"] == 1 and second["next_page"] is None
    seen = titles(first) + titles(second)
    assert seen == ["鼋里第%02d号公告" % n for n in range(24, -1, -1)]
    # past the last page: nothing, but no error; beyond 50: clamped
    assert search(owner, "鼋里", page=3)["items"] == []
    assert search(owner, "鼋里", page=1000)["page"] == 50
    assert search(owner, "鼋里", page=-5)["page"] == 1


# --------------------------------------------------------------------------
# highlighting

def test_highlight_segments(owner):
    add_item(owner, "关于鼋鼍（甲）与鼋鼍乙的通知",
             summary="前言。" * 40 + "这里说到鼋 鼍，后面还有很多文字。" * 10)
    page = search(owner, "鼋鼍")
    item = page["items"][0]
    assert joined(item["title_parts"]) == "关于鼋鼍（甲）与鼋鼍乙的通知"
    assert hits(item["title_parts"]) == ["鼋鼍", "鼋鼍"]
    # the summary: a window around the first hit, cut with …
    summary = item["summary_parts"]
    assert summary[0] == {"text": "…", "hit": False}
    assert summary[-1] == {"text": "…", "hit": False}
    assert hits(summary)[0] == "鼋 鼍"             # separators inside a hit
    assert len(joined(summary)) <= 125


def test_highlight_ignores_case_and_width(owner):
    add_item(owner, "甪山ＧＤＰ与gdp及GdP")
    item = search(owner, "甪山 gdp")["items"][0]
    assert hits(item["title_parts"]) == ["甪山", "ＧＤＰ", "gdp", "GdP"]


def test_highlight_of_body_match_shows_body(owner):
    add_item(owner, "甪山乙", summary="没有关系的概述",
             body="<p>第一段。</p><p>第二段提到鼋头的事。</p>")
    item = search(owner, "鼋头")["items"][0]
    assert "鼋头" in hits(item["summary_parts"])
    assert "第二段提到" in joined(item["summary_parts"])


# --------------------------------------------------------------------------
# input is data

ODD = ["'", "\\", "&|!", "财政 & 预算", "!财政", "财政:*", "(财政)", "<财政>",
       "'财政' | '预算'", "\\'; drop table items; --", "a <-> b", "财政\\",
       '"财政"', "*", ":", "<->", "%", "_", "财政' or '1'='1"]


@pytest.mark.parametrize("q", ODD)
def test_operators_and_quotes_are_characters(owner, q):
    page = search(owner, q)
    assert page["not_found"] is False
    # whatever is left after the separators is searched, or nothing is
    units = re.sub(r"[\s\W_]+", "", q)
    assert page["query"]["searched"] is bool(units)
    assert page["query"]["unsearchable"] is (not units)


def test_operators_do_not_change_the_meaning(owner):
    add_item(owner, "鼋头财政")
    add_item(owner, "鼋头预算")
    assert titles(search(owner, "鼋头财政 | 鼋头预算")) == []  # AND, not OR
    assert titles(search(owner, "!鼋头财政")) == ["鼋头财政"]  # not NOT
    assert titles(search(owner, "鼋头财:*")) == ["鼋头财政"]


def test_too_long_query(owner):
    page = search(owner, "财" * 101)
    assert page["query"]["too_long"] is True
    assert page["query"]["searched"] is False
    assert len(page["query"]["q"]) == 100
    assert search(owner, "财" * 100)["query"]["too_long"] is False
    page = search(owner, "x" * 10000)
    assert page["query"]["too_long"] is True and page["items"] == []
    # blanks around do not count
    assert search(owner, " " * 50 + "财" * 100 + " " * 50)["query"][
        "too_long"] is False


WEIRD = ["😀", "财😀政", "e\u0301", "\u200b\u200d", "\u202e财政", "𠀀𠀁",
         "\ufeff", "ｶﾞ", "①②", "㍻", "\U000e0041", "\u0000".replace("\0", ""),
         "\u3000", "财\u00a0政", "ŉ", "İstanbul", "ß", "ﬁ", "Ω", "\ud7ff"]


@pytest.mark.parametrize("q", WEIRD)
def test_weird_unicode(owner, q):
    page = search(owner, q)
    assert page["not_found"] is False
    assert isinstance(page["items"], list)
    json.dumps(page, ensure_ascii=False)


def test_fullwidth_and_emoji_in_items(owner):
    add_item(owner, "甪山😀财政（试行）ＡＢ")
    for q in ("甪山财政", "甪山😀财政", "甪山 ab", "试行"):
        assert "甪山😀财政（试行）ＡＢ" in titles(search(owner, q)), q


def test_query_parsing_helpers(owner):
    owner.execute("select search_terms(%s)",
                  ("鹤政办发〔2009〕07号  财政  财政 ＡＢ &",))
    assert owner.fetchone()[0] == ["鹤政办发200907号", "财政", "ab"]
    owner.execute("select search_tsquery(search_terms('财政预算 税'))::text")
    assert owner.fetchone()[0] == \
        "'财政' <-> '政预' <-> '预算' & '税':*"


# --------------------------------------------------------------------------
# privileges

def test_web_role_may_search_but_not_touch_internals(web):
    web.execute("select portal.page_search(%s, %s, null, null, null, null)",
                (HOST, "财政"))
    assert web.fetchone()[0]["query"]["searched"] is True
    web.connection.rollback()
    for sql in ("select gongkai.search_terms('a')",
                "select count(*) from gongkai.search_probe(0, 'a', 'a', "
                "'{1}', null, null, 10)",
                "select search_title from gongkai.items limit 1"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            web.execute(sql)
        web.connection.rollback()


def test_page_search_definition(owner):
    owner.execute(
        "select p.prosecdef, p.provolatile, p.proconfig "
        "from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where n.nspname = 'portal' and p.proname = 'page_search'")
    secdef, volatile, config = owner.fetchone()
    # volatile like the other listing pages: it publishes what is due
    assert secdef is True and volatile == "v"
    assert "search_path=gongkai, pg_temp" in config


# --------------------------------------------------------------------------
# the index is used

def function_settings(cur, name):
    """The SET clauses of a gongkai function, as (name, value) pairs."""
    cur.execute("select proconfig from pg_proc p "
                "join pg_namespace n on n.oid = p.pronamespace "
                "where n.nspname = 'gongkai' and p.proname = %s", (name,))
    return [c.split("=", 1) for c in cur.fetchone()[0]]


def explain(cur, sql, args=()):
    cur.execute("explain (format text) " + sql, args)
    return "\n".join(r[0] for r in cur.fetchall())


PROBES = {
    0: ("items_search_title",
        "select i.id from items i where i.state = 'published' "
        "and i.search_title @@ %(q)s::tsquery "
        "and i.organ_id = any(%(o)s) limit 1001"),
    1: ("items_search_ref",
        "select i.id from items i where i.state = 'published' "
        "and i.search_ref @@ %(q)s::tsquery "
        "and not i.search_title @@ %(q)s::tsquery "
        "and i.organ_id = any(%(o)s) limit 1001"),
    2: ("items_search_all",
        "select i.id from items i where i.state = 'published' "
        "and search_all(i.search_title, i.search_ref, i.search_text) "
        "@@ %(q)s::tsquery and i.organ_id = any(%(o)s) limit 1001"),
}


def test_explain_uses_the_gin_indexes(owner):
    """EXPLAIN shows that searching uses the GIN indexes, never a
    sequential scan of items.

    A test database holds a few dozen items, where any plan is cheap and
    the planner rightly prefers reading a small btree: EXPLAIN would
    prove nothing about a million.  So first 20,000 items are generated
    with generate_series inside the rolled-back transaction (short
    titles built from common words keep it to seconds) and ANALYZEd,
    which gives the planner real statistics and a table where scanning
    costs.  Then:

    1. The probes as the search runs them: gongkai.search_probe pins its
       plans with SET clauses (sequential and plain index scans off), so
       that a misleading estimate at a million items cannot turn a probe
       into a read of the whole table.  The test reads those very
       settings from pg_proc, applies them, and EXPLAINs the probe of
       each ranking level: a Bitmap Index Scan on the level's GIN index,
       and no Seq Scan on items.  This fails on exactly the mistakes
       that would make search read the table (a changed expression, a
       predicate that no longer implies the partial index).
    2. The walk over the newest items, under search_walk_batch's
       settings: items_pub_time in order, no sort, no Seq Scan.
    3. The plain planner, without any setting, picks the GIN index for a
       rare word.
    """
    owner.execute(
        "insert into items (title, generated_on, organ_id, category_id, "
        "                   state, published_at) "
        "select (array['关于','印发','财政','预算','防汛','工作','通知',"
        "              '方案','安全','生产'])[1 + mod(g, 10)]"
        "       || (array['财政','预算','防汛','工作','通知'])[1 + mod(g, 5)]"
        "       || chr(19968 + mod(g * 7919, 20000))"
        "       || chr(19968 + mod(g * 104729, 20000)),"
        "       date '2030-01-01' + mod(g, 700), o.id, c.id, 'published',"
        "       timestamptz '2030-01-01' + g * interval '1 hour' "
        "from generate_series(1, 20000) g, organs o, categories c "
        "where o.unit_code = %s and c.code = %s", (ORGAN, CAT))
    owner.execute("analyze items")
    owner.execute("select count(*) from items where state = 'published'")
    assert owner.fetchone()[0] > 20000

    owner.execute("select array_agg(id) from organs")
    organs = owner.fetchone()[0]
    query = "'鼋甲' <-> '甲乙'"

    for level, (index, sql) in PROBES.items():
        owner.execute("savepoint s")
        for name, value in function_settings(owner, "search_probe"):
            owner.execute("select set_config(%s, %s, true)", (name, value))
        plan = explain(owner, sql, {"q": query, "o": organs})
        owner.execute("rollback to savepoint s")
        assert "Bitmap Index Scan on " + index in plan, plan
        assert "Seq Scan on items" not in plan, plan

    owner.execute("savepoint s")
    for name, value in function_settings(owner, "search_walk_batch"):
        owner.execute("select set_config(%s, %s, true)", (name, value))
    plan = explain(owner,
                   "select i.id from items i where i.state = 'published' "
                   "and (i.published_at, i.id) < ('infinity', 1) "
                   "and i.organ_id = any(%s) "
                   "order by i.published_at desc, i.id desc limit 64",
                   (organs,))
    owner.execute("rollback to savepoint s")
    assert "Index Scan using items_pub_time" in plan, plan
    assert "Seq Scan on items" not in plan and "Sort" not in plan, plan

    for index, sql in PROBES.values():
        plan = explain(owner, sql, {"q": query, "o": organs})
        assert "Bitmap Index Scan on " + index in plan, plan
        assert "Seq Scan on items" not in plan, plan

    # and the page function answers from them
    page = search(owner, "财政")
    assert page["query"]["searched"] is True and len(page["items"]) == 20
    assert all("财政" in joined(i["title_parts"]) for i in page["items"])


def test_new_matches_among_many_items_are_counted_exactly(owner):
    """25 new matches on top of 2,100 older items that do not match: the
    walk finds the page among the newest items and stops; its share of
    matches (all of them) is no sample of the filter, so the total is the
    exact 25, never an estimate of the whole filter (约 2100 条)."""
    owner.execute(
        "insert into items (title, generated_on, organ_id, category_id,"
        " state, published_at) "
        "select '其他事项第' || n || '号通知', '2030-01-04', o.id, c.id,"
        " 'published', timestamptz '2030-01-05 10:00+08' + n * interval '1s' "
        "from organs o, categories c, generate_series(1, 2100) n "
        "where o.unit_code = %s and c.code = %s", (ORGAN, CAT))
    for n in range(25):
        add_item(owner, "鼋里第%02d号公告" % n,
                 at="2031-03-05 10:%02d+08" % n)
    page = search(owner, "鼋里")
    assert page["total"] == 25
    assert page["total_exact"] is True
    assert page["total_approximate"] is False
    assert page["pages"] == 2


@pytest.mark.parametrize("n, capped", [(300, False), (1100, True)])
def test_common_title_word_counted_by_buckets(owner, n, capped):
    """A title word whose newest matches fill the first page: the rest is
    counted bucket by bucket from the newest (0084), not by one probe of
    the whole index; the count is the same: exact up to 1000, then
    "more than 1000".  The matches are spread over years of buckets,
    among older items that do not match."""
    owner.execute(
        "insert into items (title, generated_on, organ_id, category_id,"
        " state, published_at) "
        "select case when g %% 3 = 0 then '鼍龙第' || g || '号通知'"
        "            else '其他事项第' || g || '号通知' end,"
        " '2028-01-04', o.id, c.id, 'published',"
        " timestamptz '2028-01-05 10:00+08' + g * interval '6 hours' "
        "from organs o, categories c, generate_series(1, %s) g "
        "where o.unit_code = %s and c.code = %s", (3 * n, ORGAN, CAT))
    page = search(owner, "鼍龙")
    assert len(page["items"]) == 20
    assert titles(page)[0] == "鼍龙第%d号通知" % (3 * n)
    assert page["total_approximate"] is False
    if capped:
        assert page["total_capped"] is True and page["total"] == 1000
    else:
        assert page["total_exact"] is True and page["total"] == n
