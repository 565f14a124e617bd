"""The search page (GET /search) and the search box of every page.

The database is the oracle: portal.page_search, called directly, says
which items a search lists and in which order; the page must show
exactly those, highlighted with <mark> around escaped text."""

import html
import re
import urllib.parse

import pytest

from conftest import (CJK_RE, DEMO_DOMAIN, assert_layout, assert_site_page,
                      item_path, local_path, q, query)


def page_json(demo, text, category=None, organ=None, year=None, page=None,
              domain=DEMO_DOMAIN):
    return demo.value("select portal.page_search(%s, %s, %s, %s, %s, %s)",
                      (domain, text, category, organ, year, page))


def result_links(resp):
    """Index numbers of the result titles, in page order."""
    block = resp.text.split('class="search-list"', 1)
    if len(block) < 2:
        return []
    return [urllib.parse.unquote(m) for m in re.findall(
        r'<h3 class="search-item-title"><a href="/item/([^"]+)"', block[1])]


def selected_value(resp, name):
    """The value of the selected option of <select name=...>, or None."""
    m = re.search(r'<select[^>]* name="%s"[^>]*>(.*?)</select>' % name,
                  resp.text, re.S)
    assert m, "no <select name=%s>" % name
    sel = re.findall(r'<option selected="selected" value="([^"]*)"',
                     m.group(1))
    return sel[0] if sel else None


def check_error(resp, status, organ_name=None):
    assert resp.status == status, resp
    if organ_name:
        assert_site_page(resp, organ_name)
    else:
        assert_layout(resp)
    assert CJK_RE.search(resp.page.title), resp


# --------------------------------------------------------------------------
# results

def test_results_are_the_databases_in_its_order(get, demo, portal_organ):
    data = page_json(demo, "德宏州")
    assert len(data["items"]) == 20 and data["next_page"] == 2
    resp = get("/search" + query(q="德宏州"))
    assert resp.status == 200, resp
    assert_site_page(resp, portal_organ["name"])
    assert result_links(resp) == [i["index_no"] for i in data["items"]]
    # the count is in the results heading and in the title
    heading = re.search(r'<h2 id="results-title"[^>]*>(.*?)</h2>',
                        resp.text, re.S).group(1)
    assert "<strong>%d</strong>" % data["total"] in heading
    assert "德宏州" in resp.page.title and str(data["total"]) in \
        resp.page.title
    # every result leads to its item page
    for idx in result_links(resp)[:3]:
        assert get(item_path(idx)).status == 200


def test_hits_are_marked(get, demo):
    data = page_json(demo, "防汛")
    assert data["items"], "the demo data has items about 防汛"
    resp = get("/search" + query(q="防汛"))
    assert resp.status == 200
    titles = re.findall(r'<h3 class="search-item-title"><a [^>]*>(.*?)</a>',
                        resp.text)
    assert len(titles) == len(data["items"])
    for shown, item in zip(titles, data["items"]):
        # the title, whole, with the hits inside <mark> and nothing else
        assert html.unescape(re.sub(r"</?mark>", "", shown)) == item["title"]
        if item["match"] == "title":
            assert "<mark>防汛</mark>" in shown, shown
        assert re.sub(r"</?mark>", "", shown).count("<") == 0


def test_document_number_with_other_brackets(get, demo, scope_ids):
    row = demo.row("select doc_no, index_no from gongkai.items "
                   "where state = 'published' and doc_no like '%%〔%%〕%%' "
                   "and organ_id = any(%s) order by id limit 1",
                   (list(scope_ids),))
    assert row, "the demo data has document numbers with 〔〕"
    typed = row["doc_no"].replace("〔", "【").replace("〕", "】")
    resp = get("/search" + query(q=typed))
    assert resp.status == 200
    assert row["index_no"] in result_links(resp)
    assert "<mark>" in resp.text


def test_filters_are_applied_and_kept(get, demo):
    organ = "11533100000000102D"
    data = page_json(demo, "德宏州", category="04", organ=organ, year=2024)
    resp = get("/search" + query(q="德宏州", category="04", organ=organ,
                                 year=2024))
    assert resp.status == 200
    assert result_links(resp) == [i["index_no"] for i in data["items"]]
    assert all(i["index_no"].startswith(organ + "-04") for i in
               data["items"])
    assert selected_value(resp, "category") == "04"
    assert selected_value(resp, "organ") == organ
    assert selected_value(resp, "year") == "2024"
    # the query is kept in the form
    assert 'name="q" type="search" maxlength="100" value="德宏州"' in \
        resp.text
    # without filters nothing is selected
    resp = get("/search" + query(q="德宏州"))
    assert selected_value(resp, "organ") is None


def test_pages(get, demo):
    first = get("/search" + query(q="德宏州"))
    nxt = first.page.cursor_link("page")
    assert nxt is not None, "no link to page 2"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(
        html.unescape(nxt)).query)["q"] == ["德宏州"]
    second = get(local_path(nxt))
    assert second.status == 200
    data = page_json(demo, "德宏州", page=2)
    assert result_links(second) == [i["index_no"] for i in data["items"]]
    assert not set(result_links(first)) & set(result_links(second))
    assert 'start="21"' in second.text
    assert 'aria-current="page">第 <span>2</span> 页' in second.text
    assert 'rel="prev"' in second.text


def test_no_results_suggests_what_to_do(get):
    resp = get("/search" + query(q="鼋鼍甪堰", year=2024))
    assert resp.status == 200
    assert "没有找到" in resp.page.text
    assert "/catalogue" in resp.page.hrefs()
    assert "/guide#applying" in resp.page.hrefs()
    assert "取消年份条件" in resp.page.text
    assert 'class="search-list"' not in resp.text


@pytest.mark.parametrize("qs", ["", "?q=", "?q=%20%20%E3%80%80", "?page=2"])
def test_empty_query_shows_the_form_and_a_hint(get, qs, portal_organ):
    resp = get("/search" + qs)
    assert resp.status == 200, resp
    assert_site_page(resp, portal_organ["name"])
    assert 'id="search-q"' in resp.text
    assert "如何检索" in resp.page.text
    assert 'class="search-results"' not in resp.text


def test_drafts_and_withdrawn_items_are_not_found(get, demo):
    hidden = demo.rows("select title from gongkai.items "
                       "where state <> 'published'")
    assert hidden
    for r in hidden:
        resp = get("/search" + query(q=r["title"][:100]))
        assert resp.status == 200
        shown = [html.unescape(re.sub(r"</?mark>", "", t)) for t in
                 re.findall(r'<h3 class="search-item-title"><a [^>]*>'
                            r'(.*?)</a>', resp.text)]
        assert r["title"] not in shown


def test_department_site_searches_its_own_organ(get, demo):
    domains = demo.department_domains()
    assert domains
    domain, unit = domains[0]
    resp = get("/search" + query(q="德宏州"), host=domain)
    assert resp.status == 200
    links = result_links(resp)
    assert links
    assert all(i.startswith(unit + "-") for i in links)


# --------------------------------------------------------------------------
# input is data

def test_script_in_the_query_is_escaped(get):
    evil = '<script>alert(1)</script>"\'&'
    resp = get("/search" + query(q=evil))
    assert resp.status == 200
    assert "<script>alert" not in resp.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;" in \
        resp.text
    # and in the links to other pages nothing is left raw
    assert "javascript:" not in resp.text


@pytest.mark.parametrize("raw", ["'", "%5C", "%26%7C%21", "%3A*", "()%3C%3E",
                                 "%22%E8%B4%A2%E6%94%BF%22",
                                 "%E8%B4%A2%E6%94%BF%20%26%20%E9%A2%84%E7%AE%97",
                                 "%F0%9F%98%80", "e%CC%81", "%E2%80%AE"])
def test_odd_characters_are_answered(get, raw, portal_organ):
    resp = get("/search?q=" + raw)
    assert resp.status == 200, resp
    assert_site_page(resp, portal_organ["name"])


def test_nothing_searchable_gets_a_message(get):
    resp = get("/search?q=%26%7C%21%3A*()%3C%3E")
    assert resp.status == 200
    assert "没有可以检索的文字" in resp.page.text


@pytest.mark.parametrize("raw", ["%FF", "%C3%28", "%ED%A0%80", "%C0%AF",
                                 "%E8%B4", "a%00b", "a%0Ab"])
def test_invalid_utf8_is_400(get, raw, portal_organ):
    resp = get("/search?q=" + raw)
    check_error(resp, 400, portal_organ["name"])
    assert "无效字符" in resp.page.text or "不正确" in resp.page.text


def test_long_queries_get_a_message(get, portal_organ):
    # over 100 characters, in a URL the module accepts: the search page
    for text in ("a" * 101, "财" * 150, "财" * 300):   # 300 × 9 > 2048 B
        resp = get("/search" + query(q=text))
        assert resp.status == 200, (len(text), resp)
        assert_site_page(resp, portal_organ["name"])
        assert "检索词过长" in resp.page.text
        assert 'class="search-list"' not in resp.text
    # exactly 100 is searched
    resp = get("/search" + query(q="财" * 100))
    assert "检索词过长" not in resp.page.text


def test_ten_kilobyte_query(get):
    # longer than nginx's request line buffer: its 414, in the portal's
    # own page (error_page 414), never a 500 or a bare nginx page
    resp = get("/search?q=" + "a" * 10240)
    assert resp.status in (200, 414), resp
    assert_layout(resp)
    assert "网址过长" in resp.page.text or "检索词过长" in resp.page.text
    resp = get("/search" + query(q="财" * 1200))      # 10.8 kB encoded
    assert resp.status in (200, 414), resp
    assert_layout(resp)


@pytest.mark.parametrize("qs,status", [
    ("q=a&page=0", 400), ("q=a&page=51", 400), ("q=a&page=abc", 400),
    ("q=a&page=1000000", 400), ("q=a&year=20x4", 400),
    ("q=a&year=1800", 400), ("q=a&category=%3Cx%3E", 400),
    ("q=a&organ=%E4%B8%AD", 400), ("q=a&q=b", 400),
    ("q=a&category=99", 404), ("q=a&organ=11230400000000101D", 404),
])
def test_bad_parameters(get, qs, status, portal_organ):
    check_error(get("/search?" + qs), status, portal_organ["name"])


# --------------------------------------------------------------------------
# the search box

def search_box(resp):
    m = re.search(r'<form class="site-search" role="search" '
                  r'action="/search" method="get"[^>]*>(.*?)</form>',
                  resp.text, re.S)
    assert m, "%r: no search box" % resp
    return m.group(1)


def test_search_box_on_every_page(get, published):
    pages = ["/", "/catalogue", item_path(published[0]["index_no"]),
             "/guide", "/search", "/no-such-page",
             "/catalogue?year=abcd"]
    for path in pages:
        resp = get(path)
        assert resp.status in (200, 400, 404), resp
        box = search_box(resp)
        # a visible label tied to the input, no script needed
        assert '<label class="site-search-label" for="site-search-q">' in box
        assert re.search(r'<input [^>]*id="site-search-q" name="q" '
                         r'type="search"', box)
        assert '<button class="site-search-button" type="submit">' in box
        assert "<script" not in resp.text


def test_search_box_submits_to_the_search_page(get):
    # what a browser sends for the box's form
    resp = get("/search?q=" + q("防汛"))
    assert resp.status == 200
    assert result_links(resp)
