/*
 * Unit tests: form bodies into JSON, the way the admin sends them to
 * PostgreSQL (ngx_http_gongkai_form_parse, ngx_http_gongkai_json_encode).
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_args.h"
#include "ngx_http_gongkai_value.h"


static ngx_pool_t  *pool;


static int
setup(void **state)
{
    pool = ngx_create_pool(4096, NULL);
    return pool == NULL;
}


static int
teardown(void **state)
{
    ngx_destroy_pool(pool);
    return 0;
}


/* the JSON text of a form body, or NULL with *err */

static char *
form_json(const char *body, const char **err)
{
    ngx_str_t                  json;
    ngx_http_gongkai_value_t  *form;

    *err = NULL;

    if (ngx_http_gongkai_form_parse(pool, (u_char *) body, strlen(body),
                                    &form, err)
        != NGX_OK)
    {
        return NULL;
    }

    assert_int_equal(ngx_http_gongkai_json_encode(pool, form, &json),
                     NGX_OK);

    return strndup((char *) json.data, json.len);
}


static void
test_fields(void **state)
{
    char        *s;
    const char  *err;

    s = form_json("", &err);
    assert_string_equal(s, "{}");
    free(s);

    s = form_json("csrf=ab12&title=%E8%B4%A2%E6%94%BF+%E9%A2%84%E7%AE%97"
                  "&empty=&bare", &err);
    assert_string_equal(s, "{\"csrf\":\"ab12\",\"title\":\"财政 预算\","
                           "\"empty\":\"\",\"bare\":\"\"}");
    free(s);

    /* a textarea keeps its line breaks; quotes and backslashes escaped */
    s = form_json("body_html=%3Cp%3E%22a%5Cb%22%3C%2Fp%3E%0D%0A%09x", &err);
    assert_string_equal(s,
        "{\"body_html\":\"<p>\\\"a\\\\b\\\"</p>\\u000d\\u000a\\u0009x\"}");
    free(s);

    /* a repeated name is an array of its values, in order */
    s = form_json("ack=1&x=y&ack=2&ack=3", &err);
    assert_string_equal(s, "{\"ack\":[\"1\",\"2\",\"3\"],\"x\":\"y\"}");
    free(s);

    /* empty pieces between ampersands are skipped */
    s = form_json("&&a=1&&", &err);
    assert_string_equal(s, "{\"a\":\"1\"}");
    free(s);
}


static void
test_refused(void **state)
{
    int          i;
    char         big[4096], *p;
    const char  *err;

    static const char  *bad[] = {
        "a=%zz",                  /* bad percent-encoding */
        "a=%e8%b4",               /* truncated UTF-8 */
        "a=%ff",                  /* not UTF-8 */
        "a=%00",                  /* NUL */
        "a=%01",                  /* a control character */
        "a=%C2%85",               /* a C1 control */
        "A=1",                    /* names are ours: lower case */
        "na%20me=1",
        "%E5%90%8D=1",
        "=1",
        NULL
    };

    for (i = 0; bad[i] != NULL; i++) {
        assert_null(form_json(bad[i], &err));
        assert_non_null(err);
    }

    /* at most NGX_HTTP_GONGKAI_FORM_FIELDS_MAX fields */
    p = big;
    for (i = 0; i <= NGX_HTTP_GONGKAI_FORM_FIELDS_MAX; i++) {
        p += sprintf(p, "f=%d&", i % 10);
    }

    assert_null(form_json(big, &err));
    assert_non_null(err);
}


static void
test_roundtrip(void **state)
{
    ngx_str_t                  json;
    const char                *err;
    ngx_http_gongkai_value_t  *v, *w;

    static const char  text[] =
        "{\"a\":[1,2.5,true,false,null],\"b\":{\"c\":\"\\u0001\\\"\"},"
        "\"d\":\"中文\"}";

    v = ngx_http_gongkai_json_parse(pool, (u_char *) text, sizeof(text) - 1,
                                    &err);
    assert_non_null(v);

    assert_int_equal(ngx_http_gongkai_json_encode(pool, v, &json), NGX_OK);
    assert_int_equal(json.len, sizeof(text) - 1);
    assert_memory_equal(json.data, text, json.len);

    w = ngx_http_gongkai_json_parse(pool, json.data, json.len, &err);
    assert_non_null(w);
    assert_int_equal(w->n, 3);

    assert_int_equal(ngx_http_gongkai_json_encode(pool, NULL, &json),
                     NGX_OK);
    assert_int_equal(json.len, 4);
    assert_memory_equal(json.data, "null", 4);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
