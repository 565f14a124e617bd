/*
 * Unit tests: screening before review, ngx_http_gongkai_screen.c.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include <ngx_config.h>
#include <ngx_core.h>

#include "support.h"
#include "ngx_http_gongkai_screen.h"


typedef ngx_http_gongkai_screen_hit_t  hit_t;


static ngx_pool_t                 *conf_pool;
static ngx_pool_t                 *pool;
static ngx_http_gongkai_screen_t  *screener;


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

    screener = ngx_http_gongkai_screen_create(&cf);

    return screener == NULL;
}


static int
group_teardown(void **state)
{
    /* runs the cleanup that frees the compiled patterns */
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


static ngx_array_t *
screen_field(const char *field, const char *text)
{
    ngx_array_t  *hits;

    hits = ngx_array_create(pool, 4, sizeof(hit_t));
    assert_non_null(hits);

    assert_int_equal(ngx_http_gongkai_screen(screener, pool, field,
                                             (u_char *) text, strlen(text),
                                             hits),
                     NGX_OK);

    return hits;
}


static ngx_array_t *
screen(const char *text)
{
    return screen_field("body", text);
}


static ngx_uint_t
count(ngx_array_t *hits, const char *kind)
{
    hit_t       *h;
    ngx_uint_t   i, n;

    h = hits->elts;
    n = 0;

    for (i = 0; i < hits->nelts; i++) {
        if (kind == NULL
            || (h[i].kind.len == strlen(kind)
                && ngx_strncmp(h[i].kind.data, kind, h[i].kind.len) == 0))
        {
            n++;
        }
    }

    return n;
}


static ngx_uint_t
blocking(ngx_array_t *hits)
{
    hit_t       *h;
    ngx_uint_t   i;

    h = hits->elts;

    for (i = 0; i < hits->nelts; i++) {
        if (h[i].blocking) {
            return 1;
        }
    }

    return 0;
}


static void
assert_str(ngx_str_t *s, const char *expected)
{
    char  buf[1024];

    assert_true(s->len < sizeof(buf));
    ngx_memcpy(buf, s->data, s->len);
    buf[s->len] = '\0';

    assert_string_equal(buf, expected);
}


static void
assert_hit(ngx_array_t *hits, ngx_uint_t i, const char *kind,
    const char *match, const char *before, const char *after)
{
    hit_t  *h;

    assert_true(i < hits->nelts);
    h = (hit_t *) hits->elts + i;

    assert_str(&h->kind, kind);
    assert_str(&h->match, match);

    if (before != NULL) {
        assert_str(&h->before, before);
    }

    if (after != NULL) {
        assert_str(&h->after, after);
    }

    assert_int_equal(h->blocking, strcmp(kind, "secrecy_mark") == 0);
}


/* exactly one hit, of kind, matching match */

static void
assert_one(const char *text, const char *kind, const char *match)
{
    ngx_array_t  *hits;

    hits = screen(text);

    if (hits->nelts != 1) {
        fail_msg("\"%s\": %u hits, expected one %s", text,
                 (unsigned) hits->nelts, kind);
    }

    assert_hit(hits, 0, kind, match, NULL, NULL);
}


static void
assert_none(const char *text)
{
    ngx_array_t  *hits;

    hits = screen(text);

    if (hits->nelts != 0) {
        fail_msg("\"%s\": %u hits, expected none (first: %.*s)", text,
                 (unsigned) hits->nelts,
                 (int) ((hit_t *) hits->elts)->match.len,
                 ((hit_t *) hits->elts)->match.data);
    }
}


static void
test_secrecy_marks(void **state)
{
    /*
     * The state-secret mark: level, "★", period
     * (国家秘密文件、资料和其他物品标志的规定;
     * GB/T 9704-2012 7.2.2).
     */
    assert_one("秘密★1年", "secrecy_mark", "秘密★1年");
    assert_one("机密★10年\n关于调整机构的通知", "secrecy_mark",
               "机密★10年");
    assert_one("绝密★长期", "secrecy_mark", "绝密★长期");
    assert_one("<p>000001</p><p>机密★</p><p>关于…的通知</p>",
               "secrecy_mark", "机密★");
    assert_one("秘密 ★ 6个月", "secrecy_mark", "秘密 ★ 6个月");
    assert_one("文件标注秘密＊１年", "secrecy_mark",
               "秘密＊１年");
    assert_one("机密☆5年", "secrecy_mark", "机密☆5年");
    assert_one("秘密*1年", "secrecy_mark", "秘密*1年");

    /* inline tags do not hide a mark */
    assert_one("<p>秘<b>密</b>★<span>1年</span></p>", "secrecy_mark",
               "秘密★1年");

    /* the label */
    assert_one("密级：机密", "secrecy_mark", "密级：机密");
    assert_one("密级: 秘密　保密期限：1年", "secrecy_mark",
               "密级: 秘密");

    /* a level alone on its line, first line or not, CR LF or tags */
    assert_one("秘密", "secrecy_mark", "秘密");
    assert_one("000123\r\n  绝密  \r\n关于…的通知", "secrecy_mark",
               "  绝密  ");
    assert_one("<p>机密</p><h2>关于…的通知</h2>", "secrecy_mark",
               "机密");
    assert_one("<p>【秘密】</p>正文", "secrecy_mark", "【秘密】");
    assert_one("<div>工作秘密</div>正文", "secrecy_mark", "工作秘密");
    assert_one("内部\n正文", "secrecy_mark", "内部");

    /* internal-circulation markings */
    assert_one("仅供内部参考", "secrecy_mark", "仅供内部");
    assert_one("本材料为内部文件", "secrecy_mark", "内部文件");
    assert_one("（内部使用）", "secrecy_mark", "内部使用");
    assert_one("内部发行", "secrecy_mark", "内部发行");
    assert_one("请勿外传", "secrecy_mark", "请勿外传");

    {
        ngx_array_t  *hits;

        hits = screen("内部资料　注意保密");
        assert_int_equal(hits->nelts, 2);
        assert_hit(hits, 0, "secrecy_mark", "内部资料", "",
                   "　注意保密");
        assert_hit(hits, 1, "secrecy_mark", "注意保密",
                   "内部资料　", "");
        assert_true(blocking(hits));

        /* one mark, two rules: reported once */
        hits = screen("密级：秘密★1年");
        assert_int_equal(hits->nelts, 1);
        assert_hit(hits, 0, "secrecy_mark", "秘密★1年", "密级：", "");
    }
}


static void
test_secrecy_prose(void **state)
{
    /*
     * Prose that names the categories is not a mark: 条例第14条 and
     * 第15条 are quoted by items themselves, and the annual report
     * (国办公开办函〔2021〕30号) has a row "属于国家秘密".
     */
    assert_none("第十四条 依法确定为国家秘密的政府信息，"
                "法律、行政法规禁止公开的政府信息，"
                "以及公开后可能危及国家安全、公共安全、"
                "经济安全、社会稳定的政府信息，不予公开。");
    assert_none("第十五条 涉及商业秘密、个人隐私等公开会对"
                "第三方合法权益造成损害的政府信息，"
                "行政机关不得公开。");
    assert_none("<table><tr><td>1.属于国家秘密</td><td>0</td></tr>"
                "</table>");
    assert_none("<p>国家秘密</p><p>商业秘密</p>");
    assert_none("加强内部控制制度建设，"
                "规范内部事务信息的管理。");
    assert_none("属于三类内部事务信息的，不予公开。");
    assert_none("内部资料性出版物管理办法");
    assert_none("严格执行保密审查制度，涉密信息不上网，"
                "上网信息不涉密。");
    assert_none("不得泄露国家秘密和工作秘密，严守秘密。");
    assert_none("国家秘密的密级分为绝密、机密、秘密三级。");
    assert_none("机密文件的管理");
    assert_none("公开属性：主动公开");
    assert_none("");
}


static void
test_id_number(void **state)
{
    ngx_array_t  *hits;

    assert_one("11010519491231002X", "id_number", "11010519491231002X");
    assert_one("身份证号11010519491231002x。", "id_number",
               "11010519491231002x");
    assert_one("533102198511110019", "id_number", "533102198511110019");

    /* 29 February of a leap year; of 1900, not one */
    assert_one("110105200002290048", "id_number", "110105200002290048");
    assert_none("110105190002290041");

    /* a wrong check character: not an ID (and not a card: Luhn fails) */
    assert_none("110105194912310021");
    assert_none("110105194912310X21");

    /* impossible dates */
    assert_none("110105194902300015");
    assert_none("110105194913010012");
    assert_none("110105180001010015");

    /* inside a longer run of digits */
    assert_none("911010519491231002X");
    assert_none("11010519491231002X5");

    /* a valid ID that also passes Luhn is an ID only */
    hits = screen("440304199003070050");
    assert_int_equal(hits->nelts, 1);
    assert_hit(hits, 0, "id_number", "440304199003070050", "", "");
}


static void
test_mobile(void **state)
{
    ngx_array_t  *hits;

    assert_one("13800138000", "mobile", "13800138000");
    assert_one("19912345678", "mobile", "19912345678");
    assert_one("电话+8613800138000", "mobile", "+8613800138000");
    assert_one("电话 +86 138 0013 8000。", "mobile", "+86 138 0013 8000");
    assert_one("138-0013-8000", "mobile", "138-0013-8000");
    assert_one("TEL:15912345678", "mobile", "15912345678");

    assert_none("12800138000");
    assert_none("10086");
    assert_none("138001380001");
    assert_none("013800138000");
    assert_none("138-0013 8000");
    assert_none("0692-2121234");

    /* block tags separate; inline ones do not */
    assert_none("<td>1380013</td><td>8000</td>");
    assert_one("<p>138<b>0013</b>8000</p>", "mobile", "13800138000");
    assert_one("&#49;3800138000", "mobile", "13800138000");

    /* a "<" that opens no tag is text */
    assert_one("1 < 2 且 a<b，电话13800138000", "mobile",
               "13800138000");
    assert_one("a<!-- 13900139000 -->b 13800138000", "mobile",
               "13800138000");

    hits = screen("联系电话：13800138000。");
    assert_hit(hits, 0, "mobile", "13800138000", "联系电话：", "。");
}


static void
test_bank_card(void **state)
{
    assert_one("6222021234567890128", "bank_card", "6222021234567890128");
    assert_one("卡号：4111111111111111", "bank_card", "4111111111111111");
    assert_one("6228 4800 1234 5671", "bank_card", "6228 4800 1234 5671");
    assert_one("6222-0212-3456-7890-128", "bank_card",
               "6222-0212-3456-7890-128");
    assert_one("6217000000000000004", "bank_card", "6217000000000000004");

    /* Luhn fails */
    assert_none("4111111111111112");
    assert_none("6228 4800 1234 5672");

    /* too short, too long, inside a longer run, next to letters */
    assert_none("411111111111");
    assert_none("62220212345678901280");
    assert_none("A4111111111111111");
    assert_none("4111111111111111B");

    /* an 18-digit run that is not a valid ID but passes Luhn is a card */
    assert_one("110105194912310028", "bank_card", "110105194912310028");
}


static void
test_email(void **state)
{
    ngx_array_t  *hits;

    assert_one("zhangsan@dh.gov.cn", "email", "zhangsan@dh.gov.cn");
    assert_one("邮箱：a.b+c_d@mail.example.com。", "email",
               "a.b+c_d@mail.example.com");
    assert_one("写信至 GKB@DH.GOV.CN.", "email", "GKB@DH.GOV.CN");

    assert_none("not@valid");
    assert_none("x@y.c");
    assert_none("@dh.gov.cn");
    assert_none("a@-b.cn");

    /* digits in an address are the address, not a mobile number */
    hits = screen("13800138000@163.com");
    assert_int_equal(hits->nelts, 1);
    assert_hit(hits, 0, "email", "13800138000@163.com", "", "");
}


static void
test_credit_code(void **state)
{
    assert_one("统一社会信用代码：91350100M000100Y43", "credit_code",
               "91350100M000100Y43");
    assert_one("12100000400010398P", "credit_code", "12100000400010398P");
    assert_one("91440300MA5DC12341", "credit_code", "91440300MA5DC12341");

    /* wrong check character, letters outside the set, lower case */
    assert_none("91350100M000100Y44");
    assert_none("91350100M000100I43");
    assert_none("91350100m000100y43");

    /* inside a longer code */
    assert_none("X91350100M000100Y43");
}


static void
test_context(void **state)
{
    ngx_array_t  *hits;

    /* at both edges */
    hits = screen("13800138000");
    assert_hit(hits, 0, "mobile", "13800138000", "", "");

    /* 25 characters either side: 20 kept, whole characters */
    hits = screen("一二三四五六七八九十"
                  "甲乙丙丁戊己庚辛壬癸子丑寅卯辰"
                  "13800138000"
                  "子丑寅卯辰巳午未申酉戌亥"
                  "一二三四五六七八九十");
    assert_hit(hits, 0, "mobile", "13800138000",
               "六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯辰",
               "子丑寅卯辰巳午未申酉戌亥一二三四五六七八");

    /* mixed widths: 20 characters, not 20 bytes */
    hits = screen("ab中c\xf0\x9f\x98\x80" "d 13800138000 e\xc3\xa9");
    assert_hit(hits, 0, "mobile", "13800138000",
               "ab中c\xf0\x9f\x98\x80" "d ", " e\xc3\xa9");

    /* the context is of the text, without tags */
    hits = screen("<p>电话：<b>13800138000</b></p><p>地址</p>");
    assert_hit(hits, 0, "mobile", "13800138000", "电话：", "\n地址\n");
}


static void
test_several(void **state)
{
    ngx_array_t  *hits;

    hits = screen("<p>秘密★1年</p>"
                  "<p>张三，身份证11010519491231002X，"
                  "电话13800138000，"
                  "邮箱zs@example.com，卡号6222021234567890128，"
                  "单位91350100M000100Y43。</p>");

    assert_int_equal(hits->nelts, 6);

    /* in the order of the text */
    assert_hit(hits, 0, "secrecy_mark", "秘密★1年", "", NULL);
    assert_hit(hits, 1, "id_number", "11010519491231002X", NULL, NULL);
    assert_hit(hits, 2, "mobile", "13800138000",
               "1010519491231002X，电话", NULL);
    assert_hit(hits, 3, "email", "zs@example.com", NULL, NULL);
    assert_hit(hits, 4, "bank_card", "6222021234567890128", NULL, NULL);
    assert_hit(hits, 5, "credit_code", "91350100M000100Y43", NULL, "。\n");
    assert_true(blocking(hits));

    /* the same number twice: two hits */
    hits = screen("13800138000、13800138000");
    assert_int_equal(count(hits, "mobile"), 2);
    assert_false(blocking(hits));
}


static void
test_field_and_array(void **state)
{
    char          field[64];
    ngx_array_t  *hits;

    hits = ngx_array_create(pool, 1, sizeof(hit_t));
    assert_non_null(hits);

    /* hits are appended; the field name is copied */

    strcpy(field, "title");
    assert_int_equal(ngx_http_gongkai_screen(screener, pool, field,
                                             (u_char *) "秘密★1年", 13,
                                             hits),
                     NGX_OK);
    strcpy(field, "attachment:通知.pdf");
    assert_int_equal(ngx_http_gongkai_screen(screener, pool, field,
                                      (u_char *) "13800138000.pdf", 15,
                                      hits),
                     NGX_OK);
    strcpy(field, "xxxxxxxxxxxxxx");

    assert_int_equal(hits->nelts, 2);
    assert_str(&((hit_t *) hits->elts)[0].field, "title");
    assert_str(&((hit_t *) hits->elts)[1].field, "attachment:通知.pdf");

    /* invalid UTF-8: declined, nothing appended */
    assert_int_equal(ngx_http_gongkai_screen(screener, pool, "body",
                                       (u_char *) "13800138000 \xff", 13,
                                       hits),
                     NGX_DECLINED);
    assert_int_equal(hits->nelts, 2);

    /* no hits: nothing appended */
    assert_int_equal(ngx_http_gongkai_screen(screener, pool, "body",
                                             (u_char *) "正文", 6, hits),
                     NGX_OK);
    assert_int_equal(hits->nelts, 2);
}


static void
test_limit(void **state)
{
    char        *text, *p;
    ngx_uint_t   i;

    text = ngx_pnalloc(pool, 200 * 20 + 20);
    assert_non_null(text);

    p = text;

    for (i = 0; i < 200; i++) {
        p += sprintf(p, "u%u@example.com ", (unsigned) i);
    }

    p = stpcpy(p, "秘密★1年");

    assert_int_equal(count(screen(text), NULL),
                     NGX_HTTP_GONGKAI_SCREEN_MAX_HITS);

    /* marks are looked for first: never lost to the limit */
    assert_true(blocking(screen(text)));
}


static void
test_json(void **state)
{
    ngx_str_t     json;
    ngx_array_t  *hits;

    hits = ngx_array_create(pool, 2, sizeof(hit_t));
    assert_non_null(hits);

    assert_int_equal(ngx_http_gongkai_screen_json(pool, hits, &json),
                     NGX_OK);
    assert_str(&json, "[]");

    hits = screen_field("attachment:\"a\"<b>.pdf",
                        "秘密★1年\n电话\\13800138000&amp;");
    assert_int_equal(ngx_http_gongkai_screen_json(pool, hits, &json),
                     NGX_OK);
    assert_str(&json,
               "[{\"kind\":\"secrecy_mark\","
               "\"field\":\"attachment:\\\"a\\\"\\u003cb\\u003e.pdf\","
               "\"match\":\"秘密★1年\",\"before\":\"\","
               "\"after\":\"\\u000a电话\\\\13800138000\\u0026\","
               "\"blocking\":true},"
               "{\"kind\":\"mobile\","
               "\"field\":\"attachment:\\\"a\\\"\\u003cb\\u003e.pdf\","
               "\"match\":\"13800138000\","
               "\"before\":\"秘密★1年\\u000a电话\\\\\","
               "\"after\":\"\\u0026\",\"blocking\":false}]");

    /* U+2028 in context */
    hits = screen("\xe2\x80\xa8" "13800138000");
    assert_int_equal(ngx_http_gongkai_screen_json(pool, hits, &json),
                     NGX_OK);
    assert_str(&json, "[{\"kind\":\"mobile\",\"field\":\"body\","
                      "\"match\":\"13800138000\",\"before\":\"\\u2028\","
                      "\"after\":\"\",\"blocking\":false}]");
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_secrecy_marks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_secrecy_prose, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_id_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mobile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bank_card, setup, teardown),
        cmocka_unit_test_setup_teardown(test_email, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credit_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_and_array, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
    };

    return cmocka_run_group_tests_name("screen", tests, group_setup,
                                       group_teardown);
}
