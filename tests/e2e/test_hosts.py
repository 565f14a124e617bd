"""Host → site: unknown hosts get a plain 404 naming nothing; the portal
is found whatever the case, port or trailing dot; department sites show
only their own organ's items."""

import pytest

from conftest import (DEMO_DOMAIN, INDEX_RE, assert_html_headers,
                      assert_site_page, item_path, query, walk_catalogue)


UNKNOWN_HOSTS = ["evil.example.com", "evil.example.com:18080",
                 "EVIL.example.com.", "www.dh.gov.cn.evil.com",
                 "no-such-dept.dh.gov.cn", "www.unknown.gov.cn", "127.0.0.2",
                 "[::1]"]


def assert_unknown_site(resp, names):
    assert resp.status == 404, resp
    assert_html_headers(resp)
    text = resp.page.text
    assert "未登记" in text or ("没有" in text and "网站" in text), (
        "%r: the page does not say no registered site is here" % resp)
    for name in names:
        assert name not in resp.text, (
            "%r: the unknown-host page names %r" % (resp, name))
    assert resp.page.item_links() == [], "unknown host page links items"
    assert not any(INDEX_RE.match(w) for w in text.split())


@pytest.fixture(scope="module")
def names(demo):
    names = demo.all_names()
    assert names
    return names


@pytest.mark.parametrize("host", UNKNOWN_HOSTS)
def test_unknown_host_home(get, demo, host, names):
    bare = host.lower().rsplit(":", 1)[0].rstrip(".") \
        if not host.startswith("[") else host
    assert demo.site(bare) is None, "%s is a registered site" % bare
    assert_unknown_site(get("/", host=host), names)


@pytest.mark.parametrize("path", ["/catalogue", "/guide", "/nope",
                                  "/catalogue?page=0", "/item/abc"])
def test_unknown_host_other_pages(get, path, names):
    assert_unknown_site(get(path, host="evil.example.com"), names)


def test_unknown_host_item_and_attachment(get, names, published, demo):
    idx = published[0]["index_no"]
    assert_unknown_site(get(item_path(idx), host="evil.example.com"), names)
    resp = get(item_path(idx) + "/files/1", host="evil.example.com")
    assert resp.status == 404
    assert resp.body != b"" and b"%PDF" not in resp.body[:8]
    for name in names:
        assert name.encode() not in resp.body


def test_unknown_host_titles_not_shown(get, published):
    resp = get("/catalogue", host="evil.example.com")
    for r in published:
        assert r["title"] not in resp.text


def test_unknown_host_head(get):
    resp = get("/", method="HEAD", host="evil.example.com")
    assert resp.status == 404
    assert resp.body == b""


@pytest.mark.parametrize("host", [
    DEMO_DOMAIN, DEMO_DOMAIN.upper(), DEMO_DOMAIN + ".",
    DEMO_DOMAIN + ":18080", "www.DH.gov.cn.:18080".replace(
        "www.DH.gov.cn", DEMO_DOMAIN.replace("dh", "DH")),
    "localhost", "LOCALHOST", "127.0.0.1", "localhost:18080"])
def test_portal_host_forms(get, host, portal_organ):
    resp = get("/", host=host)
    assert resp.status == 200, "%s: %r" % (host, resp)
    assert_site_page(resp, portal_organ["name"])


def test_every_portal_domain_works(get, demo, portal_organ):
    site = demo.site(DEMO_DOMAIN)
    for r in demo.rows("select d.domain from gongkai.site_domains d"
                       " join gongkai.sites s on s.id = d.site_id"
                       " join gongkai.organs o on o.id = s.organ_id"
                       " where o.unit_code = %s",
                       (portal_organ["unit_code"],)):
        resp = get("/", host=r["domain"])
        assert resp.status == 200
        assert site["name"] in resp.page.text


def test_department_sites_show_only_their_organ(stack, get, demo):
    depts = demo.department_domains()
    assert depts, "no active department site in the demo data"
    checked = 0
    for domain, unit_code in depts:
        organ = demo.site(domain)["organ"]
        ids = demo.scope_organ_ids(unit_code, department=True)
        want = [r["index_no"] for r in demo.published(ids)]
        home = get("/", host=domain)
        assert home.status == 200, (domain, home)
        assert_site_page(home, organ["name"])
        assert set(home.page.item_links()) <= set(want)
        pages = walk_catalogue(stack, "/catalogue", host=domain)
        got = [i for _, p in pages for i in p.page.item_links()]
        assert got == want, ("%s lists %r, its organ has %r"
                             % (domain, got[:5], want[:5]))
        checked += bool(want)
        # another organ's item is not found on this site
        other = demo.value(
            "select index_no from gongkai.items where state = 'published'"
            " and organ_id <> %s order by id limit 1", (ids[0],))
        if other is not None:
            assert get(item_path(other), host=domain).status == 404
        # filtering by another organ is a 404
        others = demo.rows("select unit_code from gongkai.organs"
                           " where unit_code <> %s limit 3", (unit_code,))
        for o in others:
            resp = get("/catalogue" + query(organ=o["unit_code"]),
                       host=domain)
            assert resp.status == 404, (domain, o["unit_code"], resp)
        # its own items are reachable
        for idx in want[:3]:
            assert get(item_path(idx), host=domain).status == 200
    assert checked, "no department site has published items"


def test_department_site_links_to_portal(get, demo):
    for domain, _ in demo.department_domains():
        site = demo.site(domain)
        resp = get("/", host=domain)
        assert site["portal"]["name"] in resp.page.text
