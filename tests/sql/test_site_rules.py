"""The site registry's rules in the database (sql/migrations/0060, 0061):
punycode against RFC 3492's samples and the IDNA forms of .政务 names,
every domain rule accepted and refused with its Chinese sentence, the
shapes of portal and department domains, the site identification code,
the filing numbers, one site per organ and one holder per domain, and
the lookup by Host.  tests/unit/test_domain.c checks the module's copy
of the same rules with the same cases."""

import psycopg2
import pytest


# RFC 3492 section 7.1 (the samples whose text is in the BMP), and the
# names of this project
PUNYCODE = [
    ("\u0644\u064a\u0647\u0645\u0627\u0628\u062a\u0643\u0644\u0645\u0648"
     "\u0634\u0639\u0631\u0628\u064a\u061f", "egbpdaj6bu4bxfgehfvwxn"),
    ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
    ("他們爲什麽不說中文", "ihqwctvzc91f659drss3x8bo0yb"),
    ("Pro\u010dprost\u011bnemluv\u00ed\u010desky",
     "Proprostnemluvesky-uyb24dma41a"),
    ("почемужеонинеговорятпорусски", "b1abfaaepdrnnbgefbadotcwatmq2g4l"),
    ("Porqu\u00e9nopuedensimplementehablarenEspa\u00f1ol",
     "PorqunopuedensimplementehablarenEspaol-fmd56a"),
    ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"),
    ("hello-another-way-それぞれの場所",
     "hello-another-way--fc4qua05auwb3674vfr0b"),
    ("-> $1.00 <-", "-> $1.00 <--"),
    ("政务", "zfr164b"),
    ("中国", "fiqs8s"),
]

IDNA = [
    ("德宏州人民政府.政务", "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b"),
    ("德宏州财政局.政务", "xn--bbtyp63b91cm0lpw8d.xn--zfr164b"),
    ("中国.政务", "xn--fiqs8s.xn--zfr164b"),
    ("www.dh.gov.cn", "www.dh.gov.cn"),
]


def one(cur, sql, args=()):
    cur.execute(sql, args)
    return cur.fetchone()[0]


@pytest.mark.parametrize("text,puny", PUNYCODE)
def test_punycode_pairs(db, text, puny):
    assert one(db, "select gongkai.punycode_encode(%s)", (text,)) == puny
    assert one(db, "select gongkai.punycode_decode(%s)", (puny,)) == text


@pytest.mark.parametrize("bad", ["zz-!", "ihqwcrb4cv8a8dqg056pqjy",
                                 "99999999999999", "-zfr164b", "ab\u00e9-zz"])
def test_punycode_invalid_is_null(db, bad):
    assert one(db, "select gongkai.punycode_decode(%s)", (bad,)) is None


@pytest.mark.parametrize("unicode,ascii", IDNA)
def test_idna_pairs(db, unicode, ascii):
    assert one(db, "select gongkai.idna_to_ascii(%s)", (unicode,)) == ascii
    assert one(db, "select gongkai.idna_to_unicode(%s)", (ascii,)) == unicode


@pytest.mark.parametrize("bad", ["xn--zz.gov.cn", "xn--abc-.xn--zfr164b",
                                 "xn--www-.gov.cn"])
def test_idna_fake_labels(db, bad):
    """Invalid or "fake" A-labels (decoding to ASCII) have no Unicode
    form."""
    assert one(db, "select gongkai.idna_to_unicode(%s)", (bad,)) is None


ACCEPTED = [
    ("www.dh.gov.cn", "www.dh.gov.cn", "www.dh.gov.cn"),
    ("  WWW.DH.Gov.CN.  ", "www.dh.gov.cn", "www.dh.gov.cn"),
    ("ｗｗｗ．ＤＨ。gov.cn", "www.dh.gov.cn", "www.dh.gov.cn"),
    ("czj.dh.gov.cn", "czj.dh.gov.cn", "czj.dh.gov.cn"),
    ("德宏州人民政府.政务", "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b",
     "德宏州人民政府.政务"),
    ("中国。政务", "xn--fiqs8s.xn--zfr164b", "中国.政务"),
    ("XN--GMQR62AXWB0VAL4B38QGNM.xn--zfr164b",
     "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b", "德宏州人民政府.政务"),
    ("dh2025.政务", "dh2025.xn--zfr164b", "dh2025.政务"),
    ("a" + "2" * 62 + ".gov.cn", "a" + "2" * 62 + ".gov.cn",
     "a" + "2" * 62 + ".gov.cn"),
]

REFUSED = [
    ("", "请填写域名"),
    ("www.dh.com", "只能以 .gov.cn（英文域名）或 .政务"),
    ("www.dh.gov.cn.evil.com", "只能以 .gov.cn"),
    ("dh.政府", "只能以 .gov.cn"),
    ("gov.cn", "至少还要有一级名称"),
    ("政务", "至少还要有一级名称"),
    ("a..gov.cn", "空的一级"),
    (".dh.gov.cn", "空的一级"),
    ("a_b.gov.cn", "不允许的字符“_”"),
    ("www.dh.gov.cn:80", "不允许的字符“:”"),
    ("德宏.gov.cn", "只能使用英文字母"),
    ("xn--fiqs8s.gov.cn", "只能使用英文字母"),
    ("-dh.gov.cn", "不能以连字符开头或结尾"),
    ("dh-.gov.cn", "不能以连字符开头或结尾"),
    ("ab--cd.gov.cn", "第3、4位不能都是连字符"),
    ("xn--zz.gov.cn", "不是有效的国际化域名编码"),
    ("xn--abc.xn--zfr164b", "编码了不允许的字符"),
    ("ÄBC.政务", "不允许的字符“Ä”"),
    ("a" + "2" * 63 + ".gov.cn", "太长：每一级最多63个字符"),
    ("德宏傣族景颇族自治州人民政府办公室德宏傣族景颇族.政务",
     "太长：每一级最多63个字符"),
    ("abc." * 63 + "gov.cn", "太长"),
]


@pytest.mark.parametrize("typed,ascii,unicode", ACCEPTED)
def test_domain_accepted(db, typed, ascii, unicode):
    db.execute("select * from gongkai.domain_forms(%s)", (typed,))
    got = db.fetchone()
    assert got == (ascii, unicode, None)


@pytest.mark.parametrize("typed,words", REFUSED)
def test_domain_refused(db, typed, words):
    problem = one(db, "select problem from gongkai.domain_forms(%s)",
                  (typed,))
    assert problem is not None and words in problem, problem


# ------------------------------------------------------------ the shapes

def site_id(cur, domain):
    return one(cur, "select site_id from gongkai.site_domains "
                    "where domain = %s", (domain,))


@pytest.mark.parametrize("domain,role,kind,problem", [
    ("www.dh.gov.cn", "primary", "portal", None),
    ("www.new-place.gov.cn", "primary", "portal", None),
    ("dh.gov.cn", "primary", "portal", "www.<地名>.gov.cn"),
    ("www.a.b.gov.cn", "primary", "portal", "www.<地名>.gov.cn"),
    ("xn--fiqs8s.xn--zfr164b", "primary", "portal", "中文域名”一栏"),
    ("xn--fiqs8s.xn--zfr164b", "chinese", "portal", None),
    ("www.dh.gov.cn", "chinese", "portal", "中文域名应以 .政务 结尾"),
    ("yjj.dh.gov.cn", "primary", "department", None),
    ("yjj.yingshan.gov.cn", "primary", "department", "czj.dh.gov.cn"),
    ("www.dh.gov.cn", "primary", "department", "<部门简称>.dh.gov.cn"),
    ("a.yjj.dh.gov.cn", "primary", "department", "<部门简称>.dh.gov.cn"),
    ("yj.dh.gov.cn", "alias", "department", None),
    ("dh.gov.cn", "alias", "portal", None),
    ("www2.dh.gov.cn", "alias", "portal", "去掉 www."),
    ("anything.gov.cn", "former", "portal", None),
])
def test_site_domain_shapes(db, domain, role, kind, problem):
    portal = site_id(db, "www.dh.gov.cn")
    got = one(db, "select gongkai.site_domain_problem(%s, %s, %s, %s, %s)",
              (domain, role, kind, portal if kind == "department" else None,
               "www.dh.gov.cn" if kind == "portal" else "czj.dh.gov.cn"))
    if problem is None:
        assert got is None
    else:
        assert got is not None and problem in got, got


@pytest.mark.parametrize("code,kind,problem", [
    ("5331000009", "portal", None),
    ("bm12345678", "portal", None),
    ("5331000009", "department", None),
    ("", "portal", "请填写网站标识码"),
    ("533100000", "portal", "应为10位"),
    ("53310000011", "portal", "应为10位"),
    ("bm1234567", "portal", "应为10位"),
    ("9931000001", "portal", "不是有效的省级行政区划代码"),
    ("5331000000", "portal", "不能是0000"),
    ("5331030009", "department", "应以所属门户网站的行政区划代码 533100 开头"),
    ("5331000001", "portal", "已由“德宏州人民政府门户网站”使用"),
])
def test_site_code(db, code, kind, problem):
    portal = site_id(db, "www.dh.gov.cn")
    got = one(db, "select gongkai.site_code_problem(%s, %s, %s, null)",
              (code, kind, portal if kind == "department" else None))
    if problem is None:
        assert got is None
    else:
        assert got is not None and problem in got, got


@pytest.mark.parametrize("fn,value,ok", [
    ("icp_problem", "滇ICP备05001458号", True),
    ("icp_problem", "滇ICP备05001458号-1", True),
    ("icp_problem", "京ICP备2021012345号-12", True),
    ("icp_problem", "ICP备05001458号", False),
    ("icp_problem", "滇ICP证05001458号", False),
    ("icp_problem", "滇ICP备05001458", False),
    ("icp_problem", "美ICP备05001458号", False),
    ("icp_problem", "", False),
    ("psb_problem", "滇公网安备 53310202000001号", True),
    ("psb_problem", "滇公网安备53310202000001号", True),
    ("psb_problem", "滇公网安备 5331020200000号", False),
    ("psb_problem", "公网安备 53310202000001号", False),
    ("psb_problem", "", False),
])
def test_filing_numbers(db, fn, value, ok):
    got = one(db, "select gongkai.%s(%%s)" % fn, (value,))
    assert (got is None) == ok, got


# ----------------------------------------- the triggers, whoever writes

def refused(cur, words, sql, args=(), code="GKA22"):
    cur.execute("savepoint t")
    with pytest.raises(psycopg2.Error) as e:
        cur.execute(sql, args)
    cur.execute("rollback to savepoint t")
    assert e.value.pgcode == code, (e.value.pgcode, e.value.pgerror)
    assert words in e.value.pgerror, e.value.pgerror


@pytest.fixture
def imp(owner):
    """The owner, declaring an import (the life-cycle guards of 0062
    then let it write sites directly; the rules still apply)."""
    owner.execute("set local gongkai.import = 'tests/sql/test_site_rules'")
    return owner


def test_trigger_stores_both_forms(imp):
    portal = site_id(imp, "www.dh.gov.cn")
    imp.execute("delete from gongkai.site_domains where site_id = %s "
                "and role = 'chinese'", (portal,))
    imp.execute("insert into gongkai.site_domains (domain, site_id, role) "
                "values ('德宏州。政务', %s, 'chinese') "
                "returning domain, unicode, is_primary", (portal,))
    assert imp.fetchone() == ("xn--bbtq7cr0b.xn--zfr164b", "德宏州.政务",
                              False)
    assert one(imp, "select portal.page_site(%s) -> 'site' ->> 'name'",
               ("xn--bbtq7cr0b.xn--zfr164b",)) == "德宏州人民政府门户网站"


def test_trigger_refuses_in_words(imp):
    portal = site_id(imp, "www.dh.gov.cn")
    dept = site_id(imp, "czj.dh.gov.cn")
    ins = ("insert into gongkai.site_domains (domain, site_id, role) "
           "values (%s, %s, %s)")
    refused(imp, "只能以 .gov.cn", ins, ("www.dh.com", portal, "alias"))
    refused(imp, "已由“德宏州人民政府门户网站”登记使用", ins,
            ("WWW.DH.GOV.CN", dept, "alias"))
    refused(imp, "<部门简称>.dh.gov.cn", ins,
            ("czj.yingshan.gov.cn", dept, "alias"))
    refused(imp, "中文域名应以 .政务 结尾", ins,
            ("cz.dh.gov.cn", dept, "chinese"))
    # at most one Chinese domain per site (a unique index)
    imp.execute(ins, ("德宏州财政局.政务", dept, "chinese"))
    cur = imp
    cur.execute("savepoint t")
    with pytest.raises(psycopg2.errors.UniqueViolation):
        cur.execute(ins, ("德宏财政.政务", dept, "chinese"))
    cur.execute("rollback to savepoint t")


def test_former_domains_stay_reserved(imp):
    """sfzj.dh.gov.cn was the justice bureau's: nobody else may take it."""
    dept = site_id(imp, "czj.dh.gov.cn")
    refused(imp, "已由“德宏州司法局”登记使用",
            "insert into gongkai.site_domains (domain, site_id, role) "
            "values ('sfzj.dh.gov.cn', %s, 'alias')", (dept,))


def test_sites_trigger_rules(imp):
    upd = "update gongkai.sites set %s = %%s where id = %%s"
    dept = site_id(imp, "czj.dh.gov.cn")
    refused(imp, "应为10位", upd % "code", ("53310", dept))
    refused(imp, "行政区划代码 533100 开头", upd % "code",
            ("5331030009", dept))
    refused(imp, "已由“德宏州人民政府门户网站”使用", upd % "code",
            ("5331000001", dept))
    refused(imp, "ICP备案号的格式", upd % "icp_no", ("ICP备1号", dept))
    refused(imp, "公安备案号的格式", upd % "psb_no", ("公网安备1号", dept))
    portal = site_id(imp, "www.yingshan.gov.cn")
    imp.execute(upd % "code", ("BM12345678 ", portal))
    assert one(imp, "select code from gongkai.sites where id = %s",
               (portal,)) == "bm12345678"
    # the host organ is the organ or one directly below it
    other = one(imp, "select id from gongkai.organs "
                     "where unit_code = '11411600000000100D'")
    refused(imp, "主办单位应为网站所属机关本身", upd % "host_organ_id",
            (other, dept))


def test_one_site_per_organ(imp):
    organ = one(imp, "select organ_id from gongkai.sites s join "
                     "gongkai.site_domains d on d.site_id = s.id "
                     "where d.domain = 'czj.dh.gov.cn'")
    imp.execute("savepoint t")
    with pytest.raises(psycopg2.errors.UniqueViolation):
        imp.execute("insert into gongkai.sites (name, kind, organ_id, "
                    "parent_id, state) values ('第二个网站', 'department', "
                    "%s, %s, 'pending')",
                    (organ, site_id(imp, "www.dh.gov.cn")))
    imp.execute("rollback to savepoint t")


def test_department_under_its_own_government(imp):
    """A Zhoukou organ cannot have a department site under Dehong's
    portal."""
    organ = one(imp, "select id from gongkai.organs "
                     "where unit_code = '11411600000000101D'")
    refused(imp, "部门网站应属于其门户网站所在政府的部门",
            "insert into gongkai.sites (name, kind, organ_id, parent_id, "
            "state) values ('x', 'department', %s, %s, 'pending')",
            (organ, site_id(imp, "www.dh.gov.cn")))


# ------------------------------------------------------ lookup by Host

@pytest.mark.parametrize("host,name", [
    ("www.dh.gov.cn", "德宏州人民政府门户网站"),
    ("dh.gov.cn", "德宏州人民政府门户网站"),
    ("xn--gmqr62axwb0val4b38qgnm.xn--zfr164b", "德宏州人民政府门户网站"),
    ("czj.dh.gov.cn", "德宏州财政局"),
    ("sfzj.dh.gov.cn", None),          # a former domain: host_status
    ("yjj.dh.gov.cn", None),           # pending: not served
    ("www.nowhere.gov.cn", None),
])
def test_site_for_host(web, host, name):
    web.execute("select portal.page_site(%s) -> 'site' ->> 'name'", (host,))
    assert web.fetchone()[0] == name


def test_host_status(web):
    web.execute("select portal.host_status(%s)::jsonb", ("sfzj.dh.gov.cn",))
    assert web.fetchone()[0] == {"site": None, "moved": "sfj.dh.gov.cn"}
    for host in ("www.nowhere.gov.cn", "yjj.dh.gov.cn", "www.dh.gov.cn"):
        web.execute("select portal.host_status(%s)::jsonb", (host,))
        assert web.fetchone()[0] == {"site": None}, host


def test_site_json_has_the_footer(web):
    web.execute("select portal.page_site('www.dh.gov.cn') -> 'site'")
    site = web.fetchone()[0]
    assert site["host_organ"]["name"] == "德宏傣族景颇族自治州人民政府办公室"
    assert site["organ"]["name"] == "德宏傣族景颇族自治州人民政府"
    assert site["code"] == "5331000001"
    assert site["icp_no"].startswith("滇ICP备")
    assert site["psb_no"].startswith("滇公网安备")
    assert site["chinese_domain"] == "德宏州人民政府.政务"
