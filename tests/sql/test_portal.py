"""The portal functions (sql/PAGES.md): shapes, site scope, and that no
draft or withdrawn item is ever visible."""

import re

import pytest

DH = "www.dh.gov.cn"
SITES = ["www.dh.gov.cn", "czj.dh.gov.cn", "sfj.dh.gov.cn",
         "www.yingshan.gov.cn", "www.hegang.gov.cn", "www.zhoukou.gov.cn",
         "www.kaiping.gov.cn", "sfj.kaiping.gov.cn"]
CURSOR = re.compile(r"^[0-9]+\.[0-9]+$")


def page(web, fn, *args):
    web.execute("select portal.%s(%s)" % (fn, ", ".join(["%s"] * len(args))),
                args)
    return web.fetchone()[0]


def catalogue(web, host, category=None, organ=None, year=None, after=None,
              before=None):
    web.execute("select portal.page_catalogue(%s, %s, %s, %s::int, %s, %s)",
                (host, category, organ, year, after, before))
    return web.fetchone()[0]


def test_unknown_host(web):
    for fn, args in (("page_site", ()), ("page_home", ()),
                     ("page_item", ("x",)), ("page_guide", (None,))):
        assert page(web, fn, "www.example.com", *args)["site"] is None
    assert catalogue(web, "localhost")["site"] is None
    web.execute("select * from portal.attachment('nope.gov.cn', 'x', 1)")
    assert web.fetchall() == [(None, None, None, None)]


def test_site_shapes(web):
    s = page(web, "page_site", DH)["site"]
    assert s["kind"] == "portal" and s["domain"] == DH
    assert s["organ"]["name"] == "德宏傣族景颇族自治州人民政府"
    assert s["portal"] is None
    d = page(web, "page_site", "czj.dh.gov.cn")["site"]
    assert d["kind"] == "department"
    assert d["portal"] == {"name": "德宏州人民政府门户网站", "domain": DH}


def test_every_seed_visible_on_its_site(web):
    for host, organ, year, title in (
            (DH, "11533100000000101D", 2014,
             "德宏州人民政府办公室关于印发德宏州政府信息公开工作责任追究"
             "办法(试行)等5个政府信息公开制度的通知"),
            ("www.yingshan.gov.cn", "11511322000000101D", 2019,
             "营山县政府网站管理办法"),
            ("www.hegang.gov.cn", "11230400000000101D", 2009,
             "鹤岗市人民政府办公室关于印发鹤岗市政府信息"
             "网上公开管理办法(试行)的通知"),
            ("www.zhoukou.gov.cn", "11411600000000101D", 2021,
             "周口市政务公开工作制度"),
            ("sfj.kaiping.gov.cn", "11440783000000201D", 2020,
             "开平市司法局政务网站管理办法"),
            ("www.kaiping.gov.cn", "11440783000000201D", 2020,
             "开平市司法局政务网站管理办法")):
        c = catalogue(web, host, organ=organ, year=year)
        rows = [r for r in c["items"] if r["title"] == title]
        assert rows, (host, title)
        item = page(web, "page_item", host, rows[0]["index_no"])
        assert item["not_found"] is False
        assert item["item"]["body_html"].count("<p>") > 10


def all_items(web, host, pages=25, **kw):
    """Walks at most `pages` pages (the catalogue may hold a million)."""
    seen, after = [], None
    for _ in range(pages):
        c = catalogue(web, host, after=after, **kw)
        seen += c["items"]
        if not c["next"]:
            return seen, c
        after = c["next"]
    return seen, c


def hidden_items(db):
    db.execute("select i.index_no, i.title, o.unit_code, i.id, i.state "
               "from gongkai.items i join gongkai.organs o "
               "on o.id = i.organ_id where i.state <> 'published'")
    return db.fetchall()


def test_no_draft_or_withdrawn_anywhere(db, web):
    hidden = hidden_items(db)
    states = set()
    db.execute("select state, count(*) from gongkai.items "
               "where state <> 'published' group by 1")
    states = dict(db.fetchall())
    assert states.get("draft", 0) >= 5 and states.get("withdrawn", 0) >= 2
    titles = {h[1] for h in hidden}
    for host in SITES:
        home = page(web, "page_home", host)
        assert not titles & {r["title"] for r in home["latest"]}
        c = catalogue(web, host)
        # walk the whole catalogue of the smaller sites, the first and a
        # filtered page of the big one
        if c["total"] <= 400:
            rows, _ = all_items(web, host)
            assert len(rows) == c["total"]
        else:
            rows = c["items"]
        assert not titles & {r["title"] for r in rows}
        for no, title, unit, _, state in hidden:
            if no is not None:
                p = page(web, "page_item", host, no)
                assert p["item"] is None
                if state == "withdrawn" and not p["not_found"]:
                    # a withdrawal notice: what and why, no content
                    assert p["withdrawn"]["index_no"] == no
                    assert p["withdrawn"]["title"] == title
                    assert "body_html" not in p["withdrawn"]
                elif state == "removed" and not p["not_found"]:
                    assert p["gone"] is True
                else:
                    assert p["not_found"] is True
                web.execute("select file_name from portal.attachment("
                            "%s, %s, 1)", (host, no))
                assert web.fetchone()[0] is None
    assert any(s == "withdrawn" and page(web, "page_item", DH, no)
               ["withdrawn"] for no, _, _, _, s in hidden)
    for no, title, unit, _, _ in hidden:
        c = catalogue(web, DH, organ=unit)
        if not c.get("not_found"):
            assert title not in {r["title"] for r in c["items"]}


def test_site_scope(db, web):
    # a department site shows its own organ's items only
    c, _ = catalogue(web, "czj.dh.gov.cn"), None
    rows, c = all_items(web, "czj.dh.gov.cn")
    assert rows and {r["organ_name"] for r in rows} == {
        "德宏傣族景颇族自治州财政局"}
    assert [o["unit_code"] for o in c["organs"]] == ["11533100000000102D"]
    # another organ's item is not found there, but is on the portal
    office = catalogue(web, DH, organ="11533100000000101D")["items"][0]
    assert page(web, "page_item", "czj.dh.gov.cn",
                office["index_no"])["not_found"] is True
    assert page(web, "page_item", DH, office["index_no"])["not_found"] is False
    assert catalogue(web, "czj.dh.gov.cn",
                     organ="11533100000000101D")["not_found"] is True
    # another government's items are not on the Dehong portal
    yc = catalogue(web, "www.yingshan.gov.cn")["items"][0]
    assert page(web, "page_item", DH, yc["index_no"])["not_found"] is True
    assert catalogue(web, DH, organ="11511322000000101D")["not_found"] is True


def test_catalogue_paging_and_counts(web):
    c = catalogue(web, DH, category="04")
    assert c["not_found"] is False
    assert c["filter"]["category"] == {"code": "04", "name": "财政预决算"}
    assert len(c["items"]) <= 20 and c["prev"] is None
    tree = {t["code"]: t for t in c["category_tree"]}
    assert tree["04"]["depth"] == 0 and tree["0401"]["depth"] == 1
    assert tree["04"]["count"] == c["total"] == sum(
        tree[k]["count"] for k in ("0401", "0402", "0403", "0404"))
    assert sum(y["count"] for y in c["years"]) == c["total"]
    rows, last = all_items(web, DH, category="04")
    assert len(rows) == min(c["total"], 25 * 20)
    days = [r["published_on"] for r in rows]
    assert days == sorted(days, reverse=True)
    keys = [r["index_no"] for r in rows]
    assert len(set(keys)) == len(keys)
    # going back from the last page gives the page before it
    if c["next"]:
        assert CURSOR.match(c["next"])
        second = catalogue(web, DH, category="04", after=c["next"])
        assert second["prev"]
        back = catalogue(web, DH, category="04", before=second["prev"])
        assert [r["index_no"] for r in back["items"]] == \
            [r["index_no"] for r in c["items"]]
        assert back["prev"] is None


def test_catalogue_year_and_bad_input(web):
    c = catalogue(web, DH, year=2024)
    assert c["filter"]["year"] == 2024
    assert all(r["generated_on"].startswith("2024") for r in c["items"])
    assert catalogue(web, DH, category="zz99")["not_found"] is True
    assert catalogue(web, DH, organ="NOPE")["not_found"] is True
    for bad in ("garbage", "99999999999999999999.1", "1.0", "-1.5", ""):
        c = catalogue(web, DH, after=bad)
        assert c["not_found"] is False and isinstance(c["items"], list)


def test_item_and_attachment(db, web):
    db.execute("select index_no from gongkai.items "
               "where title = '德宏州政府信息公开申请表'")
    row = {"index_no": db.fetchone()[0]}
    item = page(web, "page_item", DH, row["index_no"])["item"]
    assert item["organ"]["unit_code"] == "11533100000000101D"
    assert item["category"] == {"code": "14", "name": "表格下载"}
    att = item["attachments"]
    assert att[0]["file_name"] == "附件1：政府信息公开申请表.pdf"
    web.execute("select site, file_name, content_type, data from "
                "portal.attachment(%s, %s, 1)", (DH, row["index_no"]))
    site, name, ctype, data = web.fetchone()
    data = bytes(data)
    assert site["domain"] == DH and ctype == "application/pdf"
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert len(data) == att[0]["size"]
    # the xref offsets point at the objects
    xref = data[data.rindex(b"\nxref\n") + 1:]
    offsets = [int(l.split()[0]) for l in xref.split(b"\n")[3:8]]
    for n, off in enumerate(offsets, 1):
        assert data[off:].startswith(b"%d 0 obj" % n)
    web.execute("select file_name from portal.attachment(%s, %s, 2)",
                (DH, row["index_no"]))
    assert web.fetchall() == [(None,)]


def test_guide(web):
    g = page(web, "page_guide", DH, None)
    assert g["not_found"] is False
    assert g["organ"]["unit_code"] == "11533100000000100D"
    for k in ("office_name", "address", "office_hours", "phone",
              "classification", "arrangement", "obtaining", "applying",
              "remedies", "updated_on"):
        assert g["guide"][k], k
    assert page(web, "page_guide", "czj.dh.gov.cn",
                "11533100000000100D")["not_found"] is True
    assert page(web, "page_guide", DH, "11533100000000102D")["guide"]


def test_home(web):
    h = page(web, "page_home", DH)
    assert len(h["latest"]) == 10
    assert [c["code"] for c in h["categories"]][:3] == ["01", "02", "03"]
    assert h["total"] == sum(c["count"] for c in h["categories"])
    dates = [r["published_on"] for r in h["latest"]]
    assert dates == sorted(dates, reverse=True)
