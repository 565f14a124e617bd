/*
 * Unit tests: the domain rules of government sites,
 * ngx_http_gongkai_domain.c — punycode against RFC 3492's own samples,
 * the IDNA forms of .政务 names against known pairs, every domain rule
 * accepted and refused, the Host normalisation, the filing numbers and
 * the admin form check.  tests/sql/test_site_rules.py checks the
 * database's rules with the same cases.
 */

/* unit: link ngx_http_gongkai_domain.c ngx_http_gongkai_value.c */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include <ngx_config.h>
#include <ngx_core.h>

#include "support.h"
#include "ngx_http_gongkai_domain.h"


static ngx_pool_t                 *conf_pool;
static ngx_pool_t                 *pool;
static ngx_http_gongkai_domain_t  *rules;


static int
group_setup(void **state)
{
    ngx_conf_t  cf;

    conf_pool = unit_pool();
    if (conf_pool == NULL) {
        return 1;
    }

    ngx_memzero(&cf, sizeof(ngx_conf_t));
    cf.pool = conf_pool;
    cf.log = &unit_log;

    rules = ngx_http_gongkai_domain_create(&cf);

    return rules == NULL;
}


static int
group_teardown(void **state)
{
    ngx_destroy_pool(conf_pool);
    return 0;
}


static int
setup(void **state)
{
    pool = unit_pool();
    return pool == NULL;
}


static int
teardown(void **state)
{
    ngx_destroy_pool(pool);
    return 0;
}


static void
assert_str(ngx_str_t *s, const char *expected)
{
    char  buf[2048];

    assert_true(s->len < sizeof(buf));
    memcpy(buf, s->data, s->len);
    buf[s->len] = '\0';
    assert_string_equal(buf, expected);
}


static void
assert_contains(ngx_str_t *s, const char *needle)
{
    char  buf[2048];

    assert_true(s->len < sizeof(buf));
    memcpy(buf, s->data, s->len);
    buf[s->len] = '\0';

    if (strstr(buf, needle) == NULL) {
        fail_msg("\"%s\" does not contain \"%s\"", buf, needle);
    }
}


/* ------------------------------------------------------------ punycode */


typedef struct {
    const char  *name;
    uint32_t     cp[48];
    size_t       n;
    const char  *puny;
} sample_t;


/* RFC 3492 section 7.1 */

static sample_t  samples[] = {
    { "(A) Arabic (Egyptian)",
      { 0x0644, 0x064a, 0x0647, 0x0645, 0x0627, 0x0628, 0x062a, 0x0643,
        0x0644, 0x0645, 0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064a,
        0x061f }, 17,
      "egbpdaj6bu4bxfgehfvwxn" },
    { "(B) Chinese (simplified)",
      { 0x4ed6, 0x4eec, 0x4e3a, 0x4ec0, 0x4e48, 0x4e0d, 0x8bf4, 0x4e2d,
        0x6587 }, 9,
      "ihqwcrb4cv8a8dqg056pqjye" },
    { "(C) Chinese (traditional)",
      { 0x4ed6, 0x5011, 0x7232, 0x4ec0, 0x9ebd, 0x4e0d, 0x8aaa, 0x4e2d,
        0x6587 }, 9,
      "ihqwctvzc91f659drss3x8bo0yb" },
    { "(D) Czech",
      { 0x0050, 0x0072, 0x006f, 0x010d, 0x0070, 0x0072, 0x006f, 0x0073,
        0x0074, 0x011b, 0x006e, 0x0065, 0x006d, 0x006c, 0x0075, 0x0076,
        0x00ed, 0x010d, 0x0065, 0x0073, 0x006b, 0x0079 }, 22,
      "Proprostnemluvesky-uyb24dma41a" },
    { "(I) Russian (Cyrillic)",
      { 0x043f, 0x043e, 0x0447, 0x0435, 0x043c, 0x0443, 0x0436, 0x0435,
        0x043e, 0x043d, 0x0438, 0x043d, 0x0435, 0x0433, 0x043e, 0x0432,
        0x043e, 0x0440, 0x044f, 0x0442, 0x043f, 0x043e, 0x0440, 0x0443,
        0x0441, 0x0441, 0x043a, 0x0438 }, 28,
      "b1abfaaepdrnnbgefbadotcwatmq2g4l" },
    { "(J) Spanish",
      { 0x0050, 0x006f, 0x0072, 0x0071, 0x0075, 0x00e9, 0x006e, 0x006f,
        0x0070, 0x0075, 0x0065, 0x0064, 0x0065, 0x006e, 0x0073, 0x0069,
        0x006d, 0x0070, 0x006c, 0x0065, 0x006d, 0x0065, 0x006e, 0x0074,
        0x0065, 0x0068, 0x0061, 0x0062, 0x006c, 0x0061, 0x0072, 0x0065,
        0x006e, 0x0045, 0x0073, 0x0070, 0x0061, 0x00f1, 0x006f, 0x006c },
      40,
      "PorqunopuedensimplementehablarenEspaol-fmd56a" },
    { "(L) 3<nen>B<gumi><kinpachi><sensei>",
      { 0x0033, 0x5e74, 0x0042, 0x7d44, 0x91d1, 0x516b, 0x5148, 0x751f }, 8,
      "3B-ww4c5e180e575a65lsy2b" },
    { "(O) hello-another-way-<sorezore><no><basho>",
      { 0x0068, 0x0065, 0x006c, 0x006c, 0x006f, 0x002d, 0x0061, 0x006e,
        0x006f, 0x0074, 0x0068, 0x0065, 0x0072, 0x002d, 0x0077, 0x0061,
        0x0079, 0x002d, 0x305d, 0x308c, 0x305e, 0x308c, 0x306e, 0x5834,
        0x6240 }, 25,
      "hello-another-way--fc4qua05auwb3674vfr0b" },
    { "(S) -> $1.00 <-",
      { 0x002d, 0x003e, 0x0020, 0x0024, 0x0031, 0x002e, 0x0030, 0x0030,
        0x0020, 0x003c, 0x002d }, 11,
      "-> $1.00 <--" },
    { "政务",
      { 0x653f, 0x52a1 }, 2,
      "zfr164b" },
    { "中国",
      { 0x4e2d, 0x56fd }, 2,
      "fiqs8s" },
};


static void
test_punycode_encode(void **state)
{
    u_char      out[128];
    size_t      len;
    ngx_uint_t  i;

    for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        len = sizeof(out);

        assert_int_equal(ngx_http_gongkai_punycode_encode(samples[i].cp,
                                                          samples[i].n,
                                                          out, &len),
                         NGX_OK);

        if (len != strlen(samples[i].puny)
            || memcmp(out, samples[i].puny, len) != 0)
        {
            fail_msg("%s: \"%.*s\", expected \"%s\"", samples[i].name,
                     (int) len, out, samples[i].puny);
        }
    }
}


static void
test_punycode_decode(void **state)
{
    size_t      n;
    uint32_t    cp[64];
    ngx_uint_t  i;

    for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        n = 64;

        assert_int_equal(ngx_http_gongkai_punycode_decode(
                             (u_char *) samples[i].puny,
                             strlen(samples[i].puny), cp, &n),
                         NGX_OK);

        assert_int_equal(n, samples[i].n);
        assert_memory_equal(cp, samples[i].cp, n * sizeof(uint32_t));
    }
}


static void
test_punycode_invalid(void **state)
{
    u_char    out[4];
    size_t    n;
    uint32_t  cp[64];

    static const char  *bad[] = {
        "zz-!",                /* not a digit */
        "abc-",                /* fine: just "abc" (checked below) */
        "ihqwcrb4cv8a8dqg056pqjy",           /* truncated */
        "99999999999999",      /* overflows */
        "-zfr164b",            /* the delimiter is not consumed */
        "ab\xc3\xa9-zz",       /* a non-basic code point */
    };

    n = 64;
    assert_int_equal(ngx_http_gongkai_punycode_decode((u_char *) bad[0], 4,
                                                      cp, &n),
                     NGX_DECLINED);

    n = 64;
    assert_int_equal(ngx_http_gongkai_punycode_decode((u_char *) bad[1], 4,
                                                      cp, &n),
                     NGX_OK);
    assert_int_equal(n, 3);

    n = 64;
    assert_int_equal(ngx_http_gongkai_punycode_decode((u_char *) bad[2],
                                                      strlen(bad[2]), cp,
                                                      &n),
                     NGX_DECLINED);

    n = 64;
    assert_int_equal(ngx_http_gongkai_punycode_decode((u_char *) bad[3],
                                                      strlen(bad[3]), cp,
                                                      &n),
                     NGX_DECLINED);

    n = 64;
    assert_int_equal(ngx_http_gongkai_punycode_decode((u_char *) bad[4],
                                                      strlen(bad[4]), cp,
                                                      &n),
                     NGX_DECLINED);

    n = 64;
    assert_int_equal(ngx_http_gongkai_punycode_decode((u_char *) bad[5],
                                                      strlen(bad[5]), cp,
                                                      &n),
                     NGX_DECLINED);

    /* too little room: refused, not overrun */

    n = 2;
    assert_int_equal(ngx_http_gongkai_punycode_decode(
                         (u_char *) "ihqwcrb4cv8a8dqg056pqjye", 24, cp, &n),
                     NGX_DECLINED);

    n = sizeof(out);
    assert_int_equal(ngx_http_gongkai_punycode_encode(samples[1].cp,
                                                      samples[1].n, out, &n),
                     NGX_DECLINED);
}


/* --------------------------------------------------------- the forms */


static ngx_int_t
forms(const char *in, ngx_str_t *ascii, ngx_str_t *unicode, ngx_str_t *msg)
{
    return ngx_http_gongkai_domain_forms(rules, pool, (u_char *) in,
                                         strlen(in), ascii, unicode, msg);
}


static void
accepted(const char *in, const char *ascii, const char *unicode)
{
    ngx_str_t  a, u, m;

    if (forms(in, &a, &u, &m) != NGX_OK) {
        fail_msg("\"%s\" refused: %.*s", in, (int) m.len, m.data);
    }

    assert_str(&a, ascii);
    assert_str(&u, unicode);
}


static void
refused(const char *in, const char *words)
{
    ngx_str_t  a, u, m;

    if (forms(in, &a, &u, &m) != NGX_DECLINED) {
        fail_msg("\"%s\" accepted", in);
    }

    assert_contains(&m, words);
}


static void
test_forms_accepted(void **state)
{
    accepted("www.dh.gov.cn", "www.dh.gov.cn", "www.dh.gov.cn");
    accepted("  WWW.DH.Gov.CN.  ", "www.dh.gov.cn", "www.dh.gov.cn");

    /* full-width letters and the ideographic full stop */
    accepted("ｗｗｗ．ＤＨ。gov.cn", "www.dh.gov.cn", "www.dh.gov.cn");

    accepted("czj.dh.gov.cn", "czj.dh.gov.cn", "czj.dh.gov.cn");
    accepted("a-1.b2.gov.cn", "a-1.b2.gov.cn", "a-1.b2.gov.cn");

    accepted("德宏州人民政府.政务",
             "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b",
             "德宏州人民政府.政务");
    accepted("德宏州财政局.政务",
             "xn--bbtyp63b91cm0lpw8d.xn--zfr164b", "德宏州财政局.政务");
    accepted("中国。政务", "xn--fiqs8s.xn--zfr164b", "中国.政务");

    /* typed in its ASCII form: the Unicode form is found */
    accepted("XN--GMQR62AXWB0VAL4B38QGNM.xn--zfr164b",
             "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b",
             "德宏州人民政府.政务");

    /* letters and digits in a .政务 name */
    accepted("dh2025.政务", "dh2025.xn--zfr164b", "dh2025.政务");

    /* a label of exactly 63 characters */
    accepted("a23456789012345678901234567890123456789012345678901234567890123"
             ".gov.cn",
             "a23456789012345678901234567890123456789012345678901234567890123"
             ".gov.cn",
             "a23456789012345678901234567890123456789012345678901234567890123"
             ".gov.cn");
}


static void
test_forms_refused(void **state)
{
    u_char     long_name[300];
    ngx_uint_t  i;

    refused("", "请填写域名");
    refused("   ", "请填写域名");
    refused("www.dh.com", "只能以 .gov.cn（英文域名）或 .政务");
    refused("www.dh.gov.cn.evil.com", "只能以 .gov.cn");
    refused("www.dh.gov", "只能以 .gov.cn");
    refused("dh.政府", "只能以 .gov.cn");
    refused("gov.cn", "至少还要有一级名称");
    refused("政务", "至少还要有一级名称");
    refused("a..gov.cn", "空的一级");
    refused(".dh.gov.cn", "空的一级");
    refused("a_b.gov.cn", "不允许的字符“_”");
    refused("www.dh.gov.cn:80", "不允许的字符“:”");
    refused("德宏.gov.cn", "只能使用英文字母");
    refused("xn--fiqs8s.gov.cn", "只能使用英文字母");
    refused("-dh.gov.cn", "不能以连字符开头或结尾");
    refused("dh-.gov.cn", "不能以连字符开头或结尾");
    refused("ab--cd.gov.cn", "第3、4位不能都是连字符");
    refused("xn--zz.gov.cn", "不是有效的国际化域名编码");
    refused("xn--abc.xn--zfr164b", "编码了不允许的字符");
    refused("ÄBC.政务", "不允许的字符“Ä”");
    refused("a23456789012345678901234567890123456789012345678901234567890"
            "1234.gov.cn", "太长：每一级最多63个字符");

    /* 21 CJK characters encode to more than 63 ASCII characters */
    refused("德宏傣族景颇族自治州人民政府办公室"
            "德宏傣族景颇族.政务",
            "太长：每一级最多63个字符");

    /* 258 characters in all */
    for (i = 0; i < 252; i += 4) {
        ngx_memcpy(long_name + i, "abc.", 4);
    }

    ngx_memcpy(long_name + 252, "gov.cn", 6);
    long_name[258] = '\0';
    refused((char *) long_name, "太长");

    refused("\xff\xfe.gov.cn", "无效的字符编码");
}


static void
test_shape(void **state)
{
    ngx_str_t  a, u, m;

    static const char  *good[] = {
        "www.dh.gov.cn", "czj.dh.gov.cn", "www.kaiping.gov.cn"
    };

    static const char  *bad[] = {
        "dh.gov.cn", "a.b.dh.gov.cn", "www.a.b.gov.cn"
    };

    ngx_uint_t  i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(forms(good[i], &a, &u, &m), NGX_OK);
        assert_int_equal(ngx_http_gongkai_domain_shape(rules, &a,
                             NGX_HTTP_GONGKAI_DOMAIN_PRIMARY, &m),
                         NGX_OK);
        assert_int_equal(ngx_http_gongkai_domain_shape(rules, &a,
                             NGX_HTTP_GONGKAI_DOMAIN_CHINESE, &m),
                         NGX_DECLINED);
        assert_contains(&m, "中文域名应以 .政务 结尾");
    }

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(forms(bad[i], &a, &u, &m), NGX_OK);
        assert_int_equal(ngx_http_gongkai_domain_shape(rules, &a,
                             NGX_HTTP_GONGKAI_DOMAIN_PRIMARY, &m),
                         NGX_DECLINED);
        assert_contains(&m, "www.<地名>.gov.cn（门户网站）");
    }

    assert_int_equal(forms("德宏州人民政府.政务", &a, &u, &m), NGX_OK);
    assert_int_equal(ngx_http_gongkai_domain_shape(rules, &a,
                         NGX_HTTP_GONGKAI_DOMAIN_CHINESE, &m),
                     NGX_OK);
    assert_int_equal(ngx_http_gongkai_domain_shape(rules, &a,
                         NGX_HTTP_GONGKAI_DOMAIN_PRIMARY, &m),
                     NGX_DECLINED);
    assert_contains(&m, "请填在“中文域名”一栏");
}


static void
check_code(const char *v, ngx_int_t expected)
{
    ngx_str_t  s, m;

    s.data = (u_char *) v;
    s.len = strlen(v);

    if (ngx_http_gongkai_site_code_check(rules, &s, &m) != expected) {
        fail_msg("site code \"%s\": not %s", v,
                 expected == NGX_OK ? "accepted" : "refused");
    }

    if (expected == NGX_DECLINED) {
        assert_contains(&m, "网站标识码应为10位");
    }
}


static void
test_site_code(void **state)
{
    check_code("5331000001", NGX_OK);
    check_code("1100000001", NGX_OK);
    check_code("6500001234", NGX_OK);
    check_code("bm12345678", NGX_OK);

    check_code("", NGX_DECLINED);
    check_code("533100000", NGX_DECLINED);       /* 9 digits */
    check_code("53310000011", NGX_DECLINED);     /* 11 digits */
    check_code("5331000000", NGX_DECLINED);      /* serial 0000 */
    check_code("9931000001", NGX_DECLINED);      /* no province 99 */
    check_code("7131000001", NGX_DECLINED);      /* not a .gov.cn one */
    check_code("bm1234567", NGX_DECLINED);
    check_code("BM12345678", NGX_DECLINED);      /* the form lower-cases */
    check_code("5331 00001", NGX_DECLINED);
}


static void
check_filing(ngx_uint_t psb, const char *v, ngx_int_t expected)
{
    ngx_int_t  rc;
    ngx_str_t  s, m;

    s.data = (u_char *) v;
    s.len = strlen(v);

    rc = psb ? ngx_http_gongkai_psb_check(rules, &s, &m)
             : ngx_http_gongkai_icp_check(rules, &s, &m);

    if (rc != expected) {
        fail_msg("\"%s\": not %s", v,
                 expected == NGX_OK ? "accepted" : "refused");
    }
}


static void
test_filing_numbers(void **state)
{
    check_filing(0, "滇ICP备05001458号", NGX_OK);
    check_filing(0, "滇ICP备05001458号-1", NGX_OK);
    check_filing(0, "京ICP备2021012345号-12", NGX_OK);
    check_filing(0, "ICP备05001458号", NGX_DECLINED);
    check_filing(0, "滇ICP证05001458号", NGX_DECLINED);
    check_filing(0, "滇ICP备05001458", NGX_DECLINED);
    check_filing(0, "滇ICP备05001458号-", NGX_DECLINED);
    check_filing(0, "美ICP备05001458号", NGX_DECLINED);

    check_filing(1, "滇公网安备 53310202000001号", NGX_OK);
    check_filing(1, "滇公网安备53310202000001号", NGX_OK);
    check_filing(1, "滇公网安备 5331020200000号", NGX_DECLINED);
    check_filing(1, "公网安备 53310202000001号", NGX_DECLINED);
    check_filing(1, "滇公网安备 53310202000001", NGX_DECLINED);
}


/* ------------------------------------------------------------- the Host */


static void
host_ok(const char *in, const char *key)
{
    ngx_str_t  h, k;

    h.data = (u_char *) in;
    h.len = strlen(in);

    if (ngx_http_gongkai_host_normalise(rules, pool, &h, &k) != NGX_OK) {
        fail_msg("Host \"%s\" refused", in);
    }

    assert_str(&k, key);
}


static void
host_refused(const char *in)
{
    ngx_str_t  h, k;

    h.data = (u_char *) in;
    h.len = strlen(in);

    if (ngx_http_gongkai_host_normalise(rules, pool, &h, &k)
        != NGX_DECLINED)
    {
        fail_msg("Host \"%s\" accepted", in);
    }
}


static void
test_host(void **state)
{
    host_ok("www.dh.gov.cn", "www.dh.gov.cn");
    host_ok("WWW.DH.GOV.CN", "www.dh.gov.cn");
    host_ok("www.dh.gov.cn.", "www.dh.gov.cn");
    host_ok("www.dh.gov.cn:18080", "www.dh.gov.cn");
    host_ok("Www.Dh.Gov.Cn.:8080", "www.dh.gov.cn");
    host_ok("xn--gmqr62axwb0val4b38qgnm.xn--zfr164b",
            "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b");
    host_ok("XN--GMQR62AXWB0VAL4B38QGNM.XN--ZFR164B:443",
            "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b");

    /* a client that sends the Unicode name */
    host_ok("德宏州人民政府.政务",
            "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b");
    host_ok("德宏州人民政府。政务.",
            "xn--gmqr62axwb0val4b38qgnm.xn--zfr164b");

    /* no registered site can have these */
    host_refused("");
    host_refused(":80");
    host_refused("evil.example.com");
    host_refused("www.dh.gov.cn.evil.com");
    host_refused("127.0.0.1");
    host_refused("[::1]");
    host_refused("[::1]:80");
    host_refused("localhost");
    host_refused("gov.cn");
    host_refused("a..gov.cn");
    host_refused("-a.gov.cn");
    host_refused("a_b.gov.cn");
    host_refused("www.dh.gov.cn/x");
    host_refused("www.dh.gov.cn\xff");
    host_refused("德宏.example");
    host_refused("a2345678901234567890123456789012345678901234567890123456789"
                 "01234.gov.cn");
}


/* ------------------------------------------------------------- the form */


static void
test_form(void **state)
{
    ngx_str_t                  json;
    ngx_http_gongkai_value_t  *form, *checked, *v;

    static const char  good[] =
        "{\"domain\": \" yjj.dh.gov.cn \", \"chinese_domain\": "
        "\"德宏州应急管理局.政务\", \"code\": \"BM12345678\", "
        "\"icp_no\": \"滇ICP备05001458号-4\", \"psb_no\": "
        "\"滇公网安备 53310202000104号\", \"name\": \"x\"}";

    static const char  bad[] =
        "{\"domain\": \"yjj.dh.com\", \"chinese_domain\": \"yjj.gov.cn\", "
        "\"code\": \"12\", \"icp_no\": \"ICP\", \"psb_no\": \"\", "
        "\"csrf\": \"00\"}";

    form = ngx_http_gongkai_json_parse(pool, (u_char *) good,
                                       sizeof(good) - 1, NULL);
    assert_non_null(form);
    assert_int_equal(ngx_http_gongkai_domain_form(rules, pool, form),
                     NGX_OK);

    checked = ngx_http_gongkai_value_get(form, (u_char *) "checked", 7);
    assert_non_null(checked);
    assert_int_equal(checked->type, NGX_HTTP_GONGKAI_OBJECT);
    assert_int_equal(checked->n, 0);

    form = ngx_http_gongkai_json_parse(pool, (u_char *) bad,
                                       sizeof(bad) - 1, NULL);
    assert_non_null(form);
    assert_int_equal(ngx_http_gongkai_domain_form(rules, pool, form),
                     NGX_OK);

    checked = ngx_http_gongkai_value_get(form, (u_char *) "checked", 7);
    assert_non_null(checked);

    /* an empty field is the database's to require */
    assert_int_equal(checked->n, 4);

    v = ngx_http_gongkai_value_get(checked, (u_char *) "domain", 6);
    assert_non_null(v);
    assert_contains(&v->str, "只能以 .gov.cn");

    v = ngx_http_gongkai_value_get(checked, (u_char *) "chinese_domain", 14);
    assert_non_null(v);
    assert_contains(&v->str, "中文域名应以 .政务 结尾");

    v = ngx_http_gongkai_value_get(checked, (u_char *) "code", 4);
    assert_non_null(v);
    assert_contains(&v->str, "网站标识码应为10位");

    v = ngx_http_gongkai_value_get(checked, (u_char *) "icp_no", 6);
    assert_non_null(v);
    assert_contains(&v->str, "ICP备案号的格式");

    assert_null(ngx_http_gongkai_value_get(checked, (u_char *) "psb_no", 6));

    assert_int_equal(ngx_http_gongkai_json_encode(pool, checked, &json),
                     NGX_OK);
    assert_true(json.len > 2);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_punycode_encode),
        cmocka_unit_test(test_punycode_decode),
        cmocka_unit_test(test_punycode_invalid),
        cmocka_unit_test_setup_teardown(test_forms_accepted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_forms_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shape, setup, teardown),
        cmocka_unit_test(test_site_code),
        cmocka_unit_test(test_filing_numbers),
        cmocka_unit_test_setup_teardown(test_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form, setup, teardown),
    };

    return cmocka_run_group_tests_name("domain", tests, group_setup,
                                       group_teardown);
}
