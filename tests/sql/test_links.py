"""The link rule on save (sql/migrations/0064; 000 网站管理办法 第十八、
二十八条): government domains and the allow-list pass, the deny-list and
every other site are refused in words; hosts are read as browsers read
them (user information, backslashes, ports, character references,
Unicode names); the edit form's check carries the rule."""

import json

import pytest


def problem(cur, url):
    cur.execute("select gongkai.link_problem(%s)", (url,))
    return cur.fetchone()[0]


@pytest.mark.parametrize("url", [
    "/item/11533100000000101D-01-2024-00001", "#top", "catalogue?year=2024",
    "mailto:office@dh.gov.cn", "tel:0692-2121234",
    "https://www.gov.cn/", "http://www.dh.gov.cn.:8080/x?y=1#z",
    "HTTPS://WWW.DH.GOV.CN/", "//czj.dh.gov.cn/", "https://gov.cn/",
    "https://德宏州人民政府.政务/", "https://xn--fiqs8s.xn--zfr164b/",
    "https://www.people.com.cn/n1/2024/", "http://news.cn/politics/",
    "http://www.gov.cn&#47;zhengce", "  https://www.gov.cn/  ",
])
def test_links_that_pass(db, url):
    assert problem(db, url) is None


@pytest.mark.parametrize("url,words", [
    ("https://www.taobao.com/", "正文不能链接到 www.taobao.com"),
    ("HTTPS://WWW.TAOBAO.COM", "正文不能链接到 www.taobao.com"),
    ("//www.jd.com/", "正文不能链接到 www.jd.com"),
    ("http://www.gov.cn@evil.com/", "正文不能链接到 evil.com"),
    ("http://user:pw@evil.com:81/", "正文不能链接到 evil.com"),
    ("http://evil.com\\@www.gov.cn", "正文不能链接到 evil.com"),
    ("http://www&#46;taobao&#x2e;com/", "正文不能链接到 www.taobao.com"),
    ("http://gov.cn.evil.com/", "正文不能链接到 gov.cn.evil.com"),
    ("http://evilgov.cn/", "正文不能链接到 evilgov.cn"),
    ("http://people.com.cn.evil.com/", "不是政府网站"),
    ("http://1.2.3.4/", "使用IP地址"),
    ("http://0x7f.1/", "使用IP地址"),
    ("http://[::1]/", "使用IP地址"),
    ("http://x&amp;#46;y/", "地址无效"),
    ("http://ex%61mple.com/", "地址无效"),
    ("javascript:alert(1)", "类型不允许"),
    ("ftp://ftp.gov.cn/", "类型不允许"),
])
def test_links_refused(db, url, words):
    got = problem(db, url)
    assert got is not None and words in got, got


def test_deny_list_wins_over_gov(owner):
    owner.execute("insert into link_rules (domain, rule, note) values "
                  "('bad.gov.cn', 'deny', '仿冒政府网站')")
    got = problem(owner, "http://www.bad.gov.cn/")
    assert "禁止链接" in got and "仿冒政府网站" in got
    assert problem(owner, "http://bad.gov.cn/") is not None
    assert problem(owner, "http://notbad.gov.cn/") is None
    # the longest rule counts: an allowed sub-domain of a denied one
    owner.execute("insert into link_rules (domain, rule, note) values "
                  "('ok.bad.gov.cn', 'allow', '已核实')")
    assert problem(owner, "http://www.ok.bad.gov.cn/") is None


def test_allow_list(owner):
    assert problem(owner, "https://www.example.org/") is not None
    owner.execute("insert into link_rules (domain, rule, note) values "
                  "('example.org', 'allow', '测试')")
    assert problem(owner, "https://www.example.org/") is None
    assert problem(owner, "https://example.org.evil.com/") is not None


def test_body_message_and_form(owner):
    body = ('<p><a href="https://www.taobao.com/">店</a> '
            '<a href=\'http://jd.com\'>店</a> '
            '<a title="x" href=https://www.gov.cn/>国务院</a></p>')
    owner.execute("select body_links_problem(%s)", (body,))
    msg = owner.fetchone()[0]
    assert "另有 1 处链接也不符合规定" in msg
    owner.execute("select (item_form_parse(%s, null)).errors",
                  (json.dumps({"title": "t", "body_html": body}),))
    errors = owner.fetchone()[0]
    assert "正文不能链接到" in errors["body_html"]
    good = '<p><a href="https://www.gov.cn/">a</a></p>'
    owner.execute("select (item_form_parse(%s, null)).errors",
                  (json.dumps({"title": "t", "body_html": good}),))
    assert owner.fetchone()[0] == {}
