"""Nothing unreviewed is public: every draft and withdrawn item in the
database is unreachable through every public URL of the demo portal and
of every department site.  A withdrawn item's own URL shows only its
withdrawal notice (title, index number, dates, reason: never its body or
attachments) on the sites whose scope holds it; a removed one answers
410 there."""

import html
import re
import time

import pytest

from conftest import DEMO_DOMAIN, item_path, walk_catalogue


@pytest.fixture(scope="module")
def hidden(demo):
    rows = demo.rows(
        "select i.id, i.index_no, i.title, i.state, i.organ_id,"
        " i.body_html, o.unit_code"
        " from gongkai.items i left join gongkai.organs o"
        " on o.id = i.organ_id where i.state <> 'published' order by i.id")
    states = {r["state"] for r in rows}
    assert {"draft", "withdrawn"} <= states, (
        "the demo data must hold draft and withdrawn items for this test; "
        "it has %r" % sorted(states))
    return rows


@pytest.fixture(scope="module")
def public_titles(demo):
    return {r["title"] for r in demo.rows(
        "select title from gongkai.items where state = 'published'")}


@pytest.fixture(scope="module")
def hosts(demo):
    return [DEMO_DOMAIN] + [d for d, _ in demo.department_domains()]


@pytest.fixture(scope="module")
def host_units(demo, portal_organ):
    """host -> unit codes of the organs in its scope (sql/PAGES.md)."""
    units = {DEMO_DOMAIN: {r["unit_code"] for r in demo.rows(
        "select unit_code from gongkai.organs where id = any(%s)",
        (demo.scope_organ_ids(portal_organ["unit_code"]),))}}
    for domain, unit in demo.department_domains():
        units[domain] = {unit}
    return units


def body_sentence(body_html):
    """The longest paragraph of a body, as text."""
    paras = [html.unescape(re.sub(r"<[^>]+>", "", p))
             for p in re.findall(r"<p>(.*?)</p>", body_html or "", re.S)]
    return max(paras, key=len) if paras else None


def test_hidden_items_have_no_item_page(get, hidden, hosts, host_units):
    with_index = [r for r in hidden if r["index_no"]]
    assert any(r["state"] == "withdrawn" for r in with_index), (
        "no withdrawn item with an index number: nothing to probe")
    notices = 0
    for r in with_index:
        for host in hosts:
            resp = get(item_path(r["index_no"]), host=host)
            in_scope = r["unit_code"] in host_units[host]
            if r["state"] == "withdrawn" and in_scope:
                # the withdrawal notice, nothing of the content
                assert resp.status == 200, resp
                assert resp.page.contains_text("本信息已撤回")
                assert r["index_no"] in resp.text
                assert resp.page.contains_text(r["title"])
                sentence = body_sentence(r["body_html"])
                assert sentence and not resp.page.contains_text(sentence)
                assert "/files/" not in resp.text
                notices += 1
            elif r["state"] == "removed" and in_scope:
                assert resp.status == 410, resp
                assert r["title"] not in resp.text
            else:
                assert resp.status == 404, (
                    "%s item %s is reachable on %s: %r"
                    % (r["state"], r["index_no"], host, resp))
                assert r["title"] not in resp.text
            resp = get(item_path(r["index_no"]) + "/files/1", host=host)
            assert resp.status == 404, resp
    assert notices > 0


def test_hidden_attachments_unreachable(get, demo, hidden):
    rows = demo.rows(
        "select i.index_no, a.no, a.data from gongkai.attachments a"
        " join gongkai.items i on i.id = a.item_id"
        " where i.state <> 'published' and i.index_no is not null")
    for r in rows:
        resp = get("%s/files/%d" % (item_path(r["index_no"]), r["no"]))
        assert resp.status == 404
        assert bytes(r["data"]) not in resp.body


def _assert_no_hidden(resp, hidden, public_titles, where):
    for r in hidden:
        if r["title"] in public_titles:
            continue        # a published item shares the title
        assert r["title"] not in resp.text and \
            not resp.page.contains_text(r["title"]), (
            "%s shows the %s item %r" % (where, r["state"], r["title"]))
        if r["index_no"]:
            assert r["index_no"] not in resp.text, (
                "%s shows the %s index number %s"
                % (where, r["state"], r["index_no"]))


def test_catalogue_pages_never_list_hidden(stack, get, hidden,
                                           public_titles, hosts, demo):
    for host in hosts:
        pages = walk_catalogue(stack, "/catalogue", host=host)
        for path, resp in pages:
            _assert_no_hidden(resp, hidden, public_titles,
                              "%s%s" % (host, path))
        if host == DEMO_DOMAIN:
            # positive control: the same search finds every published
            # title of the portal somewhere in the walk
            shown = " ".join(p.page.text for _, p in pages)
            portal = demo.portal_organ()
            for r in demo.published(
                    demo.scope_organ_ids(portal["unit_code"])):
                assert r["title"] in shown, r["title"]
    # filtered by the hidden items' own organs and categories
    for r in demo.rows(
            "select distinct o.unit_code, c.code, i.gen_year"
            " from gongkai.items i join gongkai.organs o on o.id = i.organ_id"
            " join gongkai.categories c on c.id = i.category_id"
            " where i.state <> 'published'"):
        for qs in ("?organ=%s" % r["unit_code"], "?category=%s" % r["code"],
                   "?year=%d" % r["gen_year"] if r["gen_year"] else ""):
            resp = get("/catalogue" + qs)
            if resp.status == 404:
                continue    # an organ outside the portal's scope
            assert resp.status == 200, resp
            _assert_no_hidden(resp, hidden, public_titles, "/catalogue" + qs)


def test_home_pages_never_list_hidden(get, hidden, public_titles, hosts):
    for host in hosts:
        resp = get("/", host=host)
        assert resp.status == 200
        _assert_no_hidden(resp, hidden, public_titles, host + "/")


def test_counts_exclude_hidden(get, demo, published, hidden):
    """The totals shown count published items only."""
    resp = get("/catalogue")
    total_all = len(published) + len(
        [r for r in hidden if r["organ_id"] is not None])
    assert re.search(r"共\s*%d\s*条" % len(published), resp.page.text), (
        "the catalogue's total is not the %d published items"
        % len(published))
    if total_all != len(published):
        assert not re.search(r"共\s*%d\s*条" % total_all, resp.page.text)


def test_new_draft_stays_hidden(stack, get, db, demo, published):
    """A draft written now (title with markup characters) appears
    nowhere, not even through a filter that matches it exactly."""
    pivot = demo.row(
        "select i.organ_id, i.category_id, i.gen_year, o.unit_code, c.code"
        " from gongkai.items i join gongkai.organs o on o.id = i.organ_id"
        " join gongkai.categories c on c.id = i.category_id"
        " where i.index_no = %s", (published[0]["index_no"],))
    title = "e2e草稿<b>&\"未审核\"</b> %d" % time.time_ns()
    with db.cursor() as cur:
        cur.execute(
            "insert into gongkai.items (title, organ_id, category_id,"
            " generated_on, body_html, state) values (%s, %s, %s,"
            " make_date(%s, 6, 1), '<p>e2e draft body</p>', 'draft')"
            " returning id",
            (title, pivot["organ_id"], pivot["category_id"],
             int(pivot["gen_year"])))
        draft_id = cur.fetchone()[0]
    try:
        paths = ["/", "/catalogue",
                 "/catalogue?organ=%s" % pivot["unit_code"],
                 "/catalogue?category=%s" % pivot["code"],
                 "/catalogue?organ=%s&category=%s&year=%d" % (
                     pivot["unit_code"], pivot["code"], pivot["gen_year"])]
        for path in paths:
            resp = get(path)
            assert resp.status == 200, resp
            assert not resp.page.contains_text(title), path
            assert "e2e草稿" not in resp.text, path
        # the totals are unchanged
        resp = get("/catalogue")
        assert re.search(r"共\s*%d\s*条" % len(published), resp.page.text)
    finally:
        with db.cursor() as cur:
            cur.execute("delete from gongkai.items where id = %s",
                        (draft_id,))
