"""The catalogue: filters (category incl. sub-categories, organ, year and
their combinations), totals equal to the database's, and keyset
pagination that covers every item exactly once, forward and back."""

import re
import urllib.parse

import pytest

from conftest import (PAGE_SIZE, assert_site_page, http_request, local_path,
                      query, walk_catalogue)


def check_listing(stack, demo, scope_ids, organ_name, params, host=None):
    """Walk the catalogue for params forward and back and compare it with
    the database.  Returns the number of pages."""
    expected = demo.published(scope_ids, **params)
    want = [r["index_no"] for r in expected]
    first = "/catalogue" + query(**params)

    pages = walk_catalogue(stack, first, host=host)
    got = []
    for i, (path, resp) in enumerate(pages):
        assert_site_page(resp, organ_name)
        links = resp.page.item_links()
        assert len(links) <= PAGE_SIZE, "%s: %d items" % (path, len(links))
        if i < len(pages) - 1:
            assert len(links) == PAGE_SIZE, (
                "%s: a page before the last has %d items" % (path, len(links)))
        got.extend(links)
    assert len(got) == len(set(got)), (
        "%s: items listed twice: %r"
        % (first, sorted({x for x in got if got.count(x) > 1})))
    assert got == want, (
        "%s: the catalogue lists %d items, the database has %d; "
        "missing %r, extra %r" % (first, len(got), len(want),
                                  sorted(set(want) - set(got))[:5],
                                  sorted(set(got) - set(want))[:5]))

    # the total on the first page equals the database's count
    text = pages[0][1].page.text
    assert re.search(r"共\s*%d\s*条" % len(want), text), (
        "%s: total %d not shown" % (first, len(want)))

    # the first page has no 'newer' link, the last no 'older' link
    assert pages[0][1].page.cursor_link("before") is None, (
        "%s: first page offers a 'before' (newer) link" % first)

    # backward: from the last page follow 'before' links to the start
    back = []
    resp = pages[-1][1]
    while True:
        prev = resp.page.cursor_link("before")
        if prev is None:
            break
        assert len(back) < len(pages), "%s: 'before' links loop" % first
        path = local_path(prev)
        resp = http_request(stack, path, host=host)
        assert resp.status == 200, resp
        back.append(resp.page.item_links())
    forward_lists = [p[1].page.item_links() for p in pages]
    assert back == list(reversed(forward_lists[:-1])), (
        "%s: walking back with 'before' does not give the same pages"
        % first)
    for path, _ in pages[1:]:
        assert "after=" in path
    return len(pages)


def test_unfiltered_catalogue(stack, demo, scope_ids, portal_organ,
                              published):
    assert len(published) > PAGE_SIZE, (
        "the demo portal has only %d published items: too few to page"
        % len(published))
    npages = check_listing(stack, demo, scope_ids, portal_organ["name"], {})
    assert npages >= 2


def _categories_with_children(demo, scope_ids):
    """Top-level categories with published items in a sub-category."""
    return demo.rows(
        "select distinct p.code from gongkai.categories p"
        " join gongkai.categories c on c.parent_id = p.id"
        " join gongkai.items i on i.category_id = c.id"
        " where i.state = 'published' and i.organ_id = any(%s)"
        " order by p.code", (list(scope_ids),))


def test_category_filter_includes_subcategories(stack, demo, scope_ids,
                                                portal_organ):
    parents = _categories_with_children(demo, scope_ids)
    assert parents, ("no published item sits in a sub-category: the "
                     "demo data cannot show the filter includes them")
    for r in parents:
        rows = demo.published(scope_ids, category=r["code"])
        direct = demo.value(
            "select count(*) from gongkai.items i join gongkai.categories c"
            " on c.id = i.category_id where c.code = %s"
            " and i.state = 'published' and i.organ_id = any(%s)",
            (r["code"], list(scope_ids)))
        assert len(rows) > direct
        check_listing(stack, demo, scope_ids, portal_organ["name"],
                      {"category": r["code"]})


def test_every_category_filter(stack, demo, scope_ids, portal_organ):
    codes = [r["code"] for r in demo.rows(
        "select code from gongkai.categories order by code")]
    assert codes
    for code in codes:
        check_listing(stack, demo, scope_ids, portal_organ["name"],
                      {"category": code})


def test_every_organ_filter(stack, demo, scope_ids, portal_organ):
    codes = [r["unit_code"] for r in demo.rows(
        "select unit_code from gongkai.organs where id = any(%s)"
        " order by unit_code", (list(scope_ids),))]
    assert len(codes) >= 2, "the demo portal has no lower organ"
    with_items = 0
    for code in codes:
        n = check_listing(stack, demo, scope_ids, portal_organ["name"],
                          {"organ": code})
        with_items += bool(demo.published(scope_ids, organ=code))
        assert n >= 1
    assert with_items >= 2


def test_every_year_filter(stack, demo, scope_ids, portal_organ):
    years = [int(r["y"]) for r in demo.rows(
        "select distinct gen_year as y from gongkai.items"
        " where state = 'published' and organ_id = any(%s) order by 1",
        (list(scope_ids),))]
    assert len(years) >= 2, "all demo items were generated in one year"
    for y in years + [min(years) - 1]:
        check_listing(stack, demo, scope_ids, portal_organ["name"],
                      {"year": y})


def test_combined_filters(stack, demo, scope_ids, portal_organ):
    combos = demo.rows(
        "select c.code as category, o.unit_code as organ,"
        " i.gen_year::int as year, count(*) as n"
        " from gongkai.items i join gongkai.organs o on o.id = i.organ_id"
        " join gongkai.categories c on c.id = i.category_id"
        " where i.state = 'published' and i.organ_id = any(%s)"
        " group by 1, 2, 3 order by n desc, 1, 2, 3 limit 4",
        (list(scope_ids),))
    assert combos
    for r in combos:
        for params in ({"category": r["category"], "organ": r["organ"],
                        "year": r["year"]},
                       {"category": r["category"], "organ": r["organ"]},
                       {"organ": r["organ"], "year": r["year"]},
                       {"category": r["category"], "year": r["year"]}):
            check_listing(stack, demo, scope_ids, portal_organ["name"],
                          params)


def test_empty_combination_is_200_and_empty(get, demo, scope_ids):
    r = demo.row(
        "select c.code from gongkai.categories c order by c.code limit 1")
    resp = get("/catalogue" + query(category=r["code"], year=1950))
    assert resp.status == 200
    assert resp.page.item_links() == []
    assert resp.page.cursor_link("after") is None


def test_empty_parameters_count_as_absent(get):
    plain = get("/catalogue")
    empty = get("/catalogue?category=&organ=&year=&after=&before=&page=")
    assert empty.status == 200
    assert empty.page.item_links() == plain.page.item_links()


def test_unknown_parameters_are_ignored(get):
    plain = get("/catalogue")
    other = get("/catalogue?utm_source=x&foo=%E4%B8%AD&q")
    assert other.status == 200
    assert other.page.item_links() == plain.page.item_links()


def test_page_number_is_accepted(stack, get):
    pages = walk_catalogue(stack, "/catalogue")
    assert len(pages) >= 2
    for n in (1, 2, 100000):
        resp = get("/catalogue?page=%d" % n)
        assert resp.status == 200, resp
    # links to older pages carry a cursor; following one works
    second = pages[1][0]
    qs = urllib.parse.parse_qs(urllib.parse.urlsplit(second).query)
    assert re.fullmatch(r"\d+\.\d+", qs["after"][0]), second


def test_cursor_from_database(get, demo, published):
    """A cursor made from the database (epoch microseconds . id) pages
    exactly like the links the module makes."""
    pivot = published[PAGE_SIZE - 1]
    cur = demo.value(
        "select (extract(epoch from published_at) * 1000000)::bigint::text"
        " || '.' || id from gongkai.items where id = %s", (pivot["id"],))
    resp = get("/catalogue?after=" + cur)
    assert resp.status == 200
    assert resp.page.item_links() == \
        [r["index_no"] for r in published[PAGE_SIZE:2 * PAGE_SIZE]]
    resp = get("/catalogue?before=" + cur)
    assert resp.status == 200
    assert resp.page.item_links() == \
        [r["index_no"] for r in published[:PAGE_SIZE - 1]]


@pytest.mark.parametrize("cursor", ["0.0", "1.1", "99999999999999.1",
                                    "000000.000"])
def test_any_well_formed_cursor_is_200(get, cursor):
    for name in ("after", "before"):
        resp = get("/catalogue?%s=%s" % (name, cursor))
        assert resp.status == 200, resp


def test_catalogue_lists_categories_and_organs(get, demo, scope_ids):
    resp = get("/catalogue")
    text = resp.page.text
    for r in demo.rows(
            "select distinct o.name from gongkai.organs o join gongkai.items i"
            " on i.organ_id = o.id where i.state = 'published'"
            " and o.id = any(%s)", (list(scope_ids),)):
        assert r["name"] in text, "organ %s not offered as filter" % r["name"]
    for r in demo.rows(
            "select distinct c.name from gongkai.categories c"
            " join gongkai.items i on i.category_id = c.id"
            " where i.state = 'published' and i.organ_id = any(%s)",
            (list(scope_ids),)):
        assert r["name"] in text, "category %s not offered" % r["name"]


def _shown_count(text, label):
    m = re.search(r"(?<![\w\d])%s\s*(\d+)\s*条" % re.escape(label), text)
    return int(m.group(1)) if m else None


def test_unfiltered_counts_per_year_and_organ(get, demo, scope_ids):
    text = get("/catalogue").page.text
    for r in demo.rows(
            "select gen_year, count(*) as n from gongkai.items"
            " where state = 'published' and organ_id = any(%s)"
            " group by 1", (list(scope_ids),)):
        label = "%d 年" % r["gen_year"]
        got = _shown_count(text.replace("%d年" % r["gen_year"], label), label)
        assert got == r["n"], "year %d: shown %r, database %d" % (
            r["gen_year"], got, r["n"])
    for r in demo.rows(
            "select o.name, count(*) as n from gongkai.items i"
            " join gongkai.organs o on o.id = i.organ_id"
            " where i.state = 'published' and i.organ_id = any(%s)"
            " group by 1", (list(scope_ids),)):
        got = _shown_count(text, r["name"])
        assert got == r["n"], "organ %s: shown %r, database %d" % (
            r["name"], got, r["n"])


def test_home_category_counts(get, demo, scope_ids):
    text = get("/").page.text
    tops = demo.rows(
        "select c.name, (select count(*) from gongkai.items i"
        "  where i.state = 'published' and i.organ_id = any(%s)"
        "  and i.category_id = any(gongkai.category_subtree(c.id))) as n"
        " from gongkai.categories c where c.parent_id is null",
        (list(scope_ids),))
    assert tops
    for r in tops:
        got = _shown_count(text, r["name"])
        if r["n"]:
            assert got == r["n"], "category %s: home shows %r, database %d"\
                % (r["name"], got, r["n"])
        else:
            assert got in (None, 0), r["name"]
