/*
 * Unit tests: UTF-8 validation and query string parsing,
 * ngx_http_gongkai_args.c.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_args.h"


static ngx_uint_t
valid(const char *s)
{
    return ngx_http_gongkai_utf8_valid((u_char *) s, strlen(s));
}


static void
test_utf8_prefix(void **state)
{
    u_char  *s;

    s = (u_char *) "a\xe8\xb4\xa2\xe6\x94\xbf" "b";      /* a财政b */

    assert_int_equal(ngx_http_gongkai_utf8_prefix(s, 8, 0), 0);
    assert_int_equal(ngx_http_gongkai_utf8_prefix(s, 8, 1), 1);
    assert_int_equal(ngx_http_gongkai_utf8_prefix(s, 8, 2), 4);
    assert_int_equal(ngx_http_gongkai_utf8_prefix(s, 8, 3), 7);
    assert_int_equal(ngx_http_gongkai_utf8_prefix(s, 8, 4), 8);
    assert_int_equal(ngx_http_gongkai_utf8_prefix(s, 8, 100), 8);
    assert_int_equal(ngx_http_gongkai_utf8_prefix(s, 0, 3), 0);

    /* four-byte characters count once */
    s = (u_char *) "\xf0\x9f\x98\x80\xf0\x9f\x98\x80";
    assert_int_equal(ngx_http_gongkai_utf8_prefix(s, 8, 1), 4);
}


static void
test_utf8(void **state)
{
    assert_true(valid(""));
    assert_true(valid("abc"));
    assert_true(valid("财政预算"));
    assert_true(valid("\xf0\x9f\x98\x80"));           /* U+1F600 */
    assert_false(valid("\xff"));
    assert_false(valid("\xc3\x28"));
    assert_false(valid("\xc0\xaf"));                  /* overlong "/" */
    assert_false(valid("\xe0\x80\xaf"));              /* overlong */
    assert_false(valid("\xed\xa0\x80"));              /* surrogate */
    assert_false(valid("\xf4\x90\x80\x80"));          /* > U+10FFFF */
    assert_false(valid("\xe8\xb4"));                  /* truncated */
    assert_false(valid("a\x01" "b"));
    assert_false(valid("a\x7f"));
    assert_false(valid("\xc2\x85"));                  /* C1 control */
    assert_false(ngx_http_gongkai_utf8_valid((u_char *) "a\0b", 3));
}


static ngx_int_t
parse(const char *qs, ngx_str_t *v, const char **err)
{
    ngx_str_t    args;
    ngx_pool_t  *pool;

    static const char  *names[] = { "category", "year", "q" };

    pool = ngx_create_pool(1024, NULL);
    assert_non_null(pool);

    args.data = (u_char *) qs;
    args.len = strlen(qs);

    /* the pool is leaked on purpose: v[] points into it */
    return ngx_http_gongkai_args_parse(pool, &args, names, v, 3, err);
}


static void
test_parse(void **state)
{
    ngx_str_t    v[3];
    const char  *err;

    assert_int_equal(parse("category=0201&year=2025&x=1", v, &err), NGX_OK);
    assert_int_equal(v[0].len, 4);
    assert_memory_equal(v[0].data, "0201", 4);
    assert_memory_equal(v[1].data, "2025", 4);
    assert_null(v[2].data);

    assert_int_equal(parse("q=%E8%B4%A2%E6%94%BF+%E9%A2%84%E7%AE%97", v,
                           &err), NGX_OK);
    assert_int_equal(v[2].len, strlen("财政 预算"));
    assert_memory_equal(v[2].data, "财政 预算", v[2].len);

    /* empty values and empty pairs count as absent */
    assert_int_equal(parse("category=&&year=&q", v, &err), NGX_OK);
    assert_null(v[0].data);
    assert_null(v[1].data);
    assert_null(v[2].data);

    assert_int_equal(parse("", v, &err), NGX_OK);
}


static void
test_refused(void **state)
{
    ngx_str_t    v[3];
    const char  *err;

    assert_int_equal(parse("year=2025&year=2024", v, &err), NGX_DECLINED);
    assert_non_null(strstr(err, "只能出现一次"));

    /* repeated even when one is empty */
    assert_int_equal(parse("year=&year=2024", v, &err), NGX_DECLINED);

    assert_int_equal(parse("q=%FF", v, &err), NGX_DECLINED);
    assert_int_equal(parse("q=%C3%28", v, &err), NGX_DECLINED);
    assert_int_equal(parse("q=%00", v, &err), NGX_DECLINED);
    assert_int_equal(parse("q=%0A", v, &err), NGX_DECLINED);
    assert_int_equal(parse("q=%E8%B4", v, &err), NGX_DECLINED);
    assert_int_equal(parse("q=%G1", v, &err), NGX_DECLINED);
    assert_int_equal(parse("q=%4", v, &err), NGX_DECLINED);

    /* unknown names are ignored but must still be well-formed */
    assert_int_equal(parse("other=%FF", v, &err), NGX_DECLINED);
    assert_int_equal(parse("other=1&other=2", v, &err), NGX_OK);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_prefix),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
