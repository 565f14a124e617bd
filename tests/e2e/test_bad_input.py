"""Bad input never gives a 500: a 400 (or 404, 414) page in the layout with
a clear Chinese message."""

import pytest

from conftest import CJK_RE, assert_layout, assert_site_page, item_path


def check_error(resp, statuses, organ_name):
    assert resp.status in statuses, "%r: expected %s" % (resp, statuses)
    assert_site_page(resp, organ_name)
    # the message is Chinese and says something beyond the layout
    assert CJK_RE.search(resp.page.title or "") or \
        "错误" in resp.page.text or "无效" in resp.page.text or \
        "不正确" in resp.page.text or "未找到" in resp.page.text or \
        "不存在" in resp.page.text, "%r: no clear Chinese message" % resp


# -------------------------------------------------------------------------
# item numbers

MALFORMED_INDEX = [
    "abc",
    "123",
    "-",
    "----",
    "11530000-01-2024",                    # no serial
    "11530000-01-2024-00001-7",             # one part too many
    "11530000-01-24-00001",                 # 2-digit year
    "11530000-01-1800-00001",               # year before 1949
    "11530000-01-20X4-00001",
    "11530000--2024-00001",                 # empty category
    "-01-2024-00001",                       # empty unit code
    "11530000-01-2024-",                    # empty serial
    "1153000001501234567X-01-2024-00001",   # unit code > 18
    "11530000-123456789-2024-00001",        # category > 8
    "11530000-01-2024-12345678901",         # serial > 10 digits
    "11530000%2001-2024-00001",             # blank inside
    "11530000-01-2024-00001%FF",            # invalid UTF-8
    "11530000-01-2024-%C3%28",              # invalid UTF-8
    "%ED%A0%80-01-2024-00001",              # UTF-8 surrogate
    "%C0%AF-01-2024-00001",                 # overlong
    "11530000%E2%80%9301-2024-00001",       # en dash is not a separator
    "11530000_01_2024_00001",
]


@pytest.mark.parametrize("raw", MALFORMED_INDEX)
def test_malformed_index_is_400(get, raw, portal_organ):
    check_error(get("/item/" + raw), {400}, portal_organ["name"])


def test_unknown_index_is_404(get, demo, portal_organ):
    taken = {r["index_no"] for r in demo.rows(
        "select index_no from gongkai.items where index_no is not null")}
    for idx in ("ZZZZZZZZZZZZZZZZZZ-99-2024-99999",
                "0000000000-00-1949-00000",
                "A-B-2999-99998"):
        assert idx not in taken
        check_error(get(item_path(idx)), {404}, portal_organ["name"])


def test_unknown_attachment_forms(get, published, portal_organ):
    base = item_path(published[0]["index_no"]) + "/files/"
    for tail in ("0", "99999", "abc", "-1", "1.5", "%FF",
                 "99999999999999999999999", ""):
        resp = get(base + tail)
        check_error(resp, {400, 404}, portal_organ["name"])
    assert get(base + "998").status == 404


@pytest.mark.parametrize("n", ["1000", "99999", "2147483647"])
def test_unknown_attachment_number_is_404(get, published, n):
    """A well-formed attachment number that no attachment has is unknown
    (404), even beyond the 1..999 the schema allows today."""
    path = item_path(published[0]["index_no"]) + "/files/" + n
    assert get(path).status == 404, path


def test_malformed_index_with_files_is_400(get, portal_organ):
    check_error(get("/item/abc/files/1"), {400}, portal_organ["name"])


# -------------------------------------------------------------------------
# catalogue parameters

BAD_CATALOGUE = [
    # page numbers
    "page=-1", "page=0", "page=abc", "page=1.5", "page=100001",
    "page=99999999999999999999", "page=1e3", "page=%201", "page=0x10",
    "page=+1", "page=%EF%BC%91",               # full-width digit one
    # years
    "year=abc", "year=24", "year=20244", "year=1948", "year=2101",
    "year=0", "year=-2024", "year=2024.0", "year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94",
    "year=99999999999999999999",
    # cursors
    "after=abc", "after=1", "after=1.", "after=.1", "after=1.2.3",
    "after=-1.2", "after=1.-2", "after=1,2", "after=1%2E2x", "before=abc",
    "before=1.2.3", "before=%FF", "after=1.2&before=3.4",
    # invalid UTF-8 and NUL bytes in any parameter
    "category=%FF", "category=%C3%28", "organ=%FF", "organ=%ED%A0%80",
    "year=%00", "category=%00", "organ=a%00b", "page=1%00",
    "foo=%FF", "foo=%C0%80",
    # bad percent-encoding
    "category=%G1", "category=%", "organ=%4",
    # repeated known parameters
    "category=01&category=01", "year=2024&year=2024", "page=1&page=2",
    "organ=a&organ=a", "after=1.1&after=1.1",
]


@pytest.mark.parametrize("qs", BAD_CATALOGUE)
def test_bad_catalogue_parameter_is_400(get, qs, portal_organ):
    check_error(get("/catalogue?" + qs), {400}, portal_organ["name"])


@pytest.mark.parametrize("qs,word", [
    ("page=0", "页码"), ("page=100001", "页码"), ("page=abc", "页码"),
    ("year=1948", "年份"), ("year=2101", "年份"), ("year=abc", "年份")])
def test_message_names_the_parameter(get, qs, word, portal_organ):
    """The message says what was wrong (page number, year)."""
    resp = get("/catalogue?" + qs)
    check_error(resp, {400}, portal_organ["name"])
    assert word in resp.page.text, "%s: the message does not mention %s" % (
        qs, word)


def test_index_message_explains_the_format(get, portal_organ):
    resp = get("/item/abc")
    check_error(resp, {400}, portal_organ["name"])
    assert "索引号" in resp.page.text


@pytest.mark.parametrize("qs", ["year=1949", "year=2100", "page=1",
                                "page=100000", "year=2024&page=3",
                                "category=&year="])
def test_boundaries_are_accepted(get, qs):
    assert get("/catalogue?" + qs).status == 200


def test_unknown_category_is_404(get, demo, portal_organ):
    codes = {r["code"] for r in demo.rows(
        "select code from gongkai.categories")}
    for code in ("zz", "9999", "Zz123456"):
        assert code not in codes
        check_error(get("/catalogue?category=" + code), {404},
                    portal_organ["name"])
    # not even shaped like a code: refused (400) or not found (404)
    for code in ("%E4%B8%AD", "a-b", "123456789"):
        check_error(get("/catalogue?category=" + code), {400, 404},
                    portal_organ["name"])


def test_unknown_organ_is_404(get, demo, portal_organ):
    codes = {r["unit_code"] for r in demo.rows(
        "select unit_code from gongkai.organs")}
    for code in ("ZZZZZZZZZ", "0", "11533100000000999D"):
        assert code not in codes
        check_error(get("/catalogue?organ=" + code), {404},
                    portal_organ["name"])
    for code in ("%E4%B8%AD", "a%20b", "1153310000000010000D"):
        check_error(get("/catalogue?organ=" + code), {400, 404},
                    portal_organ["name"])


def test_out_of_scope_organ_is_404(get, demo, scope_ids, portal_organ):
    outside = [r["unit_code"] for r in demo.rows(
        "select unit_code from gongkai.organs where not (id = any(%s))",
        (list(scope_ids),))]
    for code in outside:
        check_error(get("/catalogue?organ=" + code), {404},
                    portal_organ["name"])


def test_over_long_query_string(get, portal_organ):
    resp = get("/catalogue?foo=" + "a" * 2100)
    assert resp.status in (400, 414), resp
    assert resp.status != 500
    resp = get("/catalogue?category=" + "a" * 3000)
    assert resp.status in (400, 414), resp
    # exactly at the limit is fine, one byte more is not
    resp = get("/catalogue?foo=" + "a" * (2048 - 4))
    assert resp.status == 200, resp
    resp = get("/catalogue?foo=" + "a" * (2049 - 4))
    assert resp.status in (400, 414), resp
    assert_site_page(resp, portal_organ["name"])


# -------------------------------------------------------------------------
# guide and paths

@pytest.mark.parametrize("qs", ["organ=%FF", "organ=%00", "organ=a&organ=a",
                                "organ=%C3%28"])
def test_bad_guide_parameter_is_400(get, qs, portal_organ):
    check_error(get("/guide?" + qs), {400}, portal_organ["name"])


@pytest.mark.parametrize("path", ["/%FF", "/catalogue%FF", "/guide%C3%28",
                                  "/%C0%AF"])
def test_invalid_bytes_in_path(get, path, portal_organ):
    check_error(get(path), {400, 404}, portal_organ["name"])


@pytest.mark.parametrize("path", ["/item/11530000-01-2024-00001%00",
                                  "/item/%00", "/catalogue%00",
                                  "/item/11530000-01-2024-00001/files/%00"])
def test_nul_in_path_is_400_in_layout(get, path):
    """nginx itself refuses a decoded NUL in the path while parsing the
    request line, before any location (or even the Host header) is seen.
    The answer must still be a 400 page in the layout with a Chinese
    message (the configuration's server-level error_page has to route it
    to the module).  The site is not known yet at that point, so unlike
    other error pages it need not name the site's organ."""
    resp = get(path)
    assert resp.status == 400, resp
    assert_layout(resp)


def test_no_bad_input_gives_500(get):
    """A sweep of odd inputs: none may give a 5xx."""
    odd = ["/catalogue?category=%27%3B--", "/catalogue?organ=%27",
           "/catalogue?category=%E2%80%94", "/item/%27%20or%201%3D1",
           "/catalogue?after=" + "9" * 400 + "." + "9" * 400,
           "/catalogue?before=" + "9" * 30 + ".1",
           "/catalogue?year=%20", "/guide?organ=%27",
           "/catalogue?" + "&".join("x%d=1" % i for i in range(200)),
           "/item/" + "1" * 300]
    for path in odd:
        resp = get(path)
        assert resp.status < 500, "%s -> %d" % (path, resp.status)
