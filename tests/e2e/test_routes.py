"""Routes and content of the public portal: home, item, attachments,
guide, the 404 page, methods and the headers every HTML page carries."""

import re
import urllib.parse

import pytest

from conftest import (DEHONG_SEED_TITLE, INDEX_RE, assert_html_headers,
                      assert_layout, assert_site_page, item_path, q, query)


def _published_on(demo, ids):
    rows = demo.rows(
        "select id, to_char(published_at at time zone 'Asia/Shanghai',"
        " 'YYYY-MM-DD') as d from gongkai.items where id = any(%s)",
        (list(ids),))
    return {r["id"]: r["d"] for r in rows}


# --------------------------------------------------------------------------
# home

def test_home_shows_latest_items_with_dates(get, demo, published,
                                            portal_organ):
    resp = get("/")
    assert resp.status == 200
    assert_site_page(resp, portal_organ["name"])

    latest = published[:10]
    links = resp.page.item_links()
    assert links[:len(latest)] == [r["index_no"] for r in latest], (
        "home's item links are not the 10 newest published items in order")
    assert len(links) == len(latest), (
        "home links to items beyond the 10 newest: %r" % links[10:])

    dates = _published_on(demo, [r["id"] for r in latest])
    text = resp.page.text
    for r in latest:
        assert resp.page.contains_text(r["title"]), r["title"]
        assert dates[r["id"]] in text, (
            "publication date %s of %s not on home" % (dates[r["id"]],
                                                       r["index_no"]))


def test_home_shows_total_and_full_legal_name(get, published, portal_organ):
    resp = get("/")
    assert resp.status == 200
    page = resp.page
    assert portal_organ["name"] in page.text
    assert re.search(r"(?<!\d)%d\s*条" % len(published), page.text), (
        "home does not show the published total %d" % len(published))


def test_head_is_get_without_body(get):
    g = get("/")
    h = get("/", method="HEAD")
    assert h.status == 200
    assert h.body == b""
    assert h.header("Content-Type") == g.header("Content-Type")
    assert h.header("Content-Security-Policy")
    assert h.header("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/", "/catalogue", "/guide"])
def test_wrong_method_is_405(get, method, path):
    resp = get(path, method=method, body=b"a=1",
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 405, resp
    allow = {m.strip() for m in (resp.header("Allow") or "").split(",")}
    assert allow == {"GET", "HEAD"}, "Allow: %r" % resp.header("Allow")


def test_wrong_method_on_item_is_405(get, published):
    resp = get(item_path(published[0]["index_no"]), method="POST", body=b"")
    assert resp.status == 405
    allow = {m.strip() for m in (resp.header("Allow") or "").split(",")}
    assert allow == {"GET", "HEAD"}


@pytest.mark.parametrize("path", ["/nope", "/item", "/catalogue/x",
                                  "/guide/x", "/index.html", "/%E4%B8%AD",
                                  "/static-nope/x"])
def test_unknown_path_is_404_in_layout(get, path, portal_organ):
    resp = get(path)
    assert resp.status == 404, resp
    assert_site_page(resp, portal_organ["name"])


def test_static_stylesheet_is_served(get):
    home = get("/")
    href = home.page.stylesheets[0]
    css = get(urllib.parse.urlsplit(href).path)
    assert css.status == 200
    assert css.header("Content-Type", "").startswith("text/css")
    assert len(css.body) > 0


# --------------------------------------------------------------------------
# item pages

ITEM_LABELS = [
    ("索引号",),
    ("信息名称", "标题", "名称"),
    ("发布机构",),
    ("生成日期", "成文日期"),
    ("文号", "发文字号"),
    ("主题分类", "信息种类", "信息分类"),
    ("发布日期", "公开日期"),
    ("有效性", "效力"),
]


def _item_rows(demo, scope_ids):
    return demo.rows(
        "select i.id, i.index_no, i.title, i.doc_no, i.summary, i.validity,"
        " i.body_html,"
        " to_char(i.generated_on, 'YYYY-MM-DD') as generated_on,"
        " to_char(i.published_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')"
        "  as published_on,"
        " o.name as organ_name, c.name as category_name"
        " from gongkai.items i join gongkai.organs o on o.id = i.organ_id"
        " join gongkai.categories c on c.id = i.category_id"
        " where i.state = 'published' and i.organ_id = any(%s)"
        " order by i.published_at desc, i.id desc", (list(scope_ids),))


def _body_text(body_html):
    text = re.sub(r"<[^>]*>", " ", body_html or "")
    import html as _html
    text = _html.unescape(text)
    return [w for w in re.split(r"\s+", text) if len(w) >= 4]


def test_item_pages_show_metadata_and_body(get, demo, scope_ids,
                                           portal_organ):
    rows = _item_rows(demo, scope_ids)
    # every published item's page (the demo is small)
    for r in rows:
        assert INDEX_RE.match(r["index_no"]), r["index_no"]
        resp = get(item_path(r["index_no"]))
        assert resp.status == 200, "%r" % resp
        assert_site_page(resp, portal_organ["name"])
        text = resp.page.text
        for labels in ITEM_LABELS:
            assert any(lb in text for lb in labels), (
                "%s: no label %s" % (r["index_no"], "/".join(labels)))
        for key in ("index_no", "title", "generated_on", "published_on",
                    "organ_name", "category_name", "validity"):
            assert resp.page.contains_text(str(r[key])), (
                "%s: %s %r not on the page" % (r["index_no"], key, r[key]))
        for key in ("doc_no", "summary"):
            if r[key]:
                assert resp.page.contains_text(str(r[key])), (
                    "%s: %s %r not on the page" % (r["index_no"], key,
                                                   r[key]))
        for word in _body_text(r["body_html"])[:20]:
            assert word in text, "%s: body text %r missing" % (
                r["index_no"], word)


def test_dehong_seed_is_published(get, demo, scope_ids):
    rows = [r for r in _item_rows(demo, scope_ids)
            if r["title"] == DEHONG_SEED_TITLE]
    assert rows, "the Dehong seed document is not a published demo item"
    resp = get(item_path(rows[0]["index_no"]))
    assert resp.status == 200
    assert resp.page.contains_text(DEHONG_SEED_TITLE)
    # the seed's own text: its addressees
    assert "各县市人民政府" in resp.page.text


def test_long_dash_redirects_to_canonical(get, published):
    idx = published[0]["index_no"]
    dashed = "%E2%80%94".join(q(p) for p in idx.split("-"))
    resp = get("/item/" + dashed)
    assert resp.status == 301, resp
    loc = resp.header("Location")
    assert loc is not None
    assert urllib.parse.urlsplit(loc).path == "/item/" + idx, loc
    # and the canonical one answers
    assert get(urllib.parse.urlsplit(loc).path).status == 200


def test_long_dash_in_one_place_redirects(get, published):
    idx = published[0]["index_no"]
    head, rest = idx.split("-", 1)
    resp = get("/item/" + q(head) + "%E2%80%94" + q(rest))
    assert resp.status == 301, resp
    assert urllib.parse.urlsplit(resp.header("Location")).path == \
        "/item/" + idx


def test_non_canonical_forms_redirect(get, published):
    """Lower-case unit codes and unpadded serials are index numbers too
    (ngx_http_gongkai_index.h): they redirect to the canonical form."""
    idx = published[0]["index_no"]
    unit, cat, year, serial = idx.split("-")
    forms = [unit.lower() + "-" + cat + "-" + year + "-" + serial,
             "-".join((unit, cat, year, str(int(serial)).zfill(7)))]
    if unit.lower() == unit:
        forms = forms[1:]
    for form in forms:
        resp = get("/item/" + q(form))
        assert resp.status == 301, "%s: %r" % (form, resp)
        assert urllib.parse.urlsplit(resp.header("Location")).path == \
            "/item/" + idx


def test_item_head(get, published):
    resp = get(item_path(published[0]["index_no"]), method="HEAD")
    assert resp.status == 200
    assert resp.body == b""
    assert_html_headers(resp)


# --------------------------------------------------------------------------
# attachments

def _attachments(demo, scope_ids):
    return demo.rows(
        "select i.index_no, a.no, a.file_name, a.content_type, a.data"
        " from gongkai.attachments a join gongkai.items i on i.id = a.item_id"
        " where i.state = 'published' and i.organ_id = any(%s)"
        " order by i.index_no, a.no", (list(scope_ids),))


def _parse_disposition(value):
    parts = [p.strip() for p in re.split(r";(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)",
                                         value)]
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params[k.strip().lower()] = v.strip()
    return parts[0].lower(), params


def test_attachments_download_exact_bytes(get, demo, scope_ids):
    rows = _attachments(demo, scope_ids)
    assert rows, "no published item of the demo portal has an attachment"
    assert any(re.search(r"[^\x00-\x7f]", r["file_name"]) for r in rows), (
        "no attachment with a Chinese file name in the demo data")
    for r in rows:
        path = "%s/files/%d" % (item_path(r["index_no"]), r["no"])
        resp = get(path)
        assert resp.status == 200, resp
        assert resp.body == bytes(r["data"]), "%s: bytes differ" % path
        assert resp.header("Content-Type") == r["content_type"], (
            "%s: Content-Type %r, stored %r"
            % (path, resp.header("Content-Type"), r["content_type"]))
        assert resp.header("X-Content-Type-Options") == "nosniff"
        disp = resp.header("Content-Disposition")
        assert disp, "%s: no Content-Disposition" % path
        kind, params = _parse_disposition(disp)
        assert kind == "attachment", disp
        fallback = params.get("filename")
        assert fallback and fallback.startswith('"') and \
            fallback.endswith('"'), disp
        assert all(0x20 <= ord(c) < 0x7f for c in fallback), disp
        assert re.fullmatch(r'"[^"\\/]+"', fallback), disp
        ext = r["file_name"].rsplit(".", 1)[-1] \
            if "." in r["file_name"] else None
        if ext and ext.isascii():
            assert fallback[1:-1].endswith("." + ext), disp
        star = params.get("filename*")
        assert star and star.startswith("UTF-8''"), disp
        encoded = star[len("UTF-8''"):]
        assert re.fullmatch(r"[A-Za-z0-9!#$&+.^_`|~%-]+", encoded), (
            "filename* has characters RFC 5987 does not allow: " + disp)
        assert urllib.parse.unquote(encoded, errors="strict") == \
            r["file_name"], disp


def test_attachment_links_on_item_page(get, demo, scope_ids):
    rows = _attachments(demo, scope_ids)
    assert rows
    r = rows[0]
    resp = get(item_path(r["index_no"]))
    assert resp.status == 200
    want = "%s/files/%d" % (item_path(r["index_no"]), r["no"])
    paths = [urllib.parse.urlsplit(h).path for h in resp.page.hrefs()]
    assert want in paths or urllib.parse.unquote(want) in \
        [urllib.parse.unquote(p) for p in paths], (
        "item page has no link to its attachment %s" % want)
    assert resp.page.contains_text(r["file_name"])


def test_attachment_head(get, demo, scope_ids):
    r = _attachments(demo, scope_ids)[0]
    path = "%s/files/%d" % (item_path(r["index_no"]), r["no"])
    resp = get(path, method="HEAD")
    assert resp.status == 200
    assert resp.body == b""
    assert resp.header("Content-Type") == r["content_type"]


def test_unknown_attachment_is_404(get, demo, scope_ids, portal_organ):
    rows = _attachments(demo, scope_ids)
    r = rows[0]
    top = max(x["no"] for x in rows if x["index_no"] == r["index_no"])
    resp = get("%s/files/%d" % (item_path(r["index_no"]), top + 1))
    assert resp.status == 404
    assert_site_page(resp, portal_organ["name"])
    # an item that has no attachment at all
    bare = demo.value(
        "select i.index_no from gongkai.items i where i.state = 'published'"
        " and i.organ_id = any(%s) and not exists (select 1 from"
        " gongkai.attachments a where a.item_id = i.id) limit 1",
        (list(scope_ids),))
    if bare is not None:
        assert get(item_path(bare) + "/files/1").status == 404


# --------------------------------------------------------------------------
# guide

GUIDE_FIELDS = ("office_name", "address", "postcode", "office_hours", "phone",
                "fax", "email", "website")


def _guide(demo, domain, unit_code):
    return demo.value("select portal.page_guide(%s, %s)", (domain, unit_code))


def test_guide_shows_its_fields(get, demo, portal_organ):
    from conftest import DEMO_DOMAIN
    data = _guide(demo, DEMO_DOMAIN, None)
    guide = data["guide"]
    assert guide, "the demo portal organ has no guide"
    resp = get("/guide")
    assert resp.status == 200
    assert_site_page(resp, portal_organ["name"])
    shown = 0
    for f in GUIDE_FIELDS:
        if guide.get(f):
            assert resp.page.contains_text(str(guide[f])), (
                "guide field %s %r not on /guide" % (f, guide[f]))
            shown += 1
    assert shown >= 4, "the demo guide fills too few fields"
    # the longer texts: at least their first words
    for f in ("classification", "obtaining", "applying", "remedies"):
        if guide.get(f):
            first = re.sub(r"<[^>]*>", "", guide[f]).strip()[:12]
            assert first in resp.page.text, "guide %s text missing" % f
    assert "条例" in resp.page.text or "指南" in resp.page.text


def test_guide_of_another_organ(get, demo, portal_organ, scope_ids):
    from conftest import DEMO_DOMAIN
    codes = [r["unit_code"] for r in demo.rows(
        "select o.unit_code from gongkai.organs o join gongkai.guides g"
        " on g.organ_id = o.id where o.id = any(%s) and o.unit_code <> %s"
        " order by o.unit_code", (list(scope_ids), portal_organ["unit_code"]))]
    assert codes, "no guide of a lower organ in the demo data"
    for code in codes:
        data = _guide(demo, DEMO_DOMAIN, code)
        assert not data.get("not_found"), code
        resp = get("/guide" + query(organ=code))
        assert resp.status == 200, resp
        assert data["organ"]["name"] in resp.page.text
        assert resp.page.contains_text(data["guide"]["office_name"])
        assert portal_organ["name"] in resp.page.text   # the site's organ


def test_guide_unknown_organ_is_404(get, portal_organ):
    resp = get("/guide?organ=ZZZZZZZZZZZZZZZZZZ")
    assert resp.status == 404
    assert_site_page(resp, portal_organ["name"])


# --------------------------------------------------------------------------
# headers on every page

def test_every_page_kind_has_the_headers(get, published):
    idx = published[0]["index_no"]
    for path in ("/", "/catalogue", "/guide", item_path(idx), "/nope",
                 "/catalogue?page=0"):
        resp = get(path)
        assert_layout(resp)
        csp = resp.header("Content-Security-Policy")
        assert "default-src" in csp or "script-src" in csp, csp
