
/*
 * Unit tests: the value tree and the JSON parser.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ngx_http_gongkai_value.h"
#include "support.h"


static ngx_http_gongkai_value_t *
parse(ngx_pool_t *pool, const char *json, const char **err)
{
    return ngx_http_gongkai_json_parse(pool, (u_char *) json,
                                       strlen(json), err);
}


static int
setup(void **state)
{
    *state = unit_pool();
    return *state == NULL;
}


static int
teardown(void **state)
{
    ngx_destroy_pool(*state);
    return 0;
}


static ngx_http_gongkai_value_t *
member(ngx_http_gongkai_value_t *obj, const char *name)
{
    return ngx_http_gongkai_value_get(obj, (u_char *) name, strlen(name));
}


static void
assert_str(ngx_http_gongkai_value_t *v, const char *s)
{
    assert_non_null(v);
    assert_int_equal(v->str.len, strlen(s));
    assert_memory_equal(v->str.data, s, v->str.len);
}


static void
test_scalars(void **state)
{
    ngx_http_gongkai_value_t  *v;

    v = parse(*state, "null", NULL);
    assert_non_null(v);
    assert_int_equal(v->type, NGX_HTTP_GONGKAI_NULL);

    v = parse(*state, " true ", NULL);
    assert_int_equal(v->type, NGX_HTTP_GONGKAI_TRUE);

    v = parse(*state, "\t\r\nfalse\n", NULL);
    assert_int_equal(v->type, NGX_HTTP_GONGKAI_FALSE);

    v = parse(*state, "\"abc\"", NULL);
    assert_int_equal(v->type, NGX_HTTP_GONGKAI_STRING);
    assert_str(v, "abc");

    v = parse(*state, "\"\"", NULL);
    assert_int_equal(v->type, NGX_HTTP_GONGKAI_STRING);
    assert_int_equal(v->str.len, 0);
}


static void
test_numbers(void **state)
{
    size_t                     i;
    const char                *err;
    ngx_http_gongkai_value_t  *v;

    static const char  *good[] = {
        "0", "-0", "1", "-1", "123456789012345678901234567890", "0.5",
        "-0.25", "1e10", "1E+2", "2e-3", "10.01e5", "-0.0e-0"
    };

    static const char  *bad[] = {
        "01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "1.2.3", "--1",
        "Infinity", "NaN", "-01", "1 2", "1,"
    };

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        v = parse(*state, good[i], &err);
        assert_non_null(v);
        assert_int_equal(v->type, NGX_HTTP_GONGKAI_NUMBER);
        assert_str(v, good[i]);
    }

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        v = parse(*state, bad[i], &err);
        if (v != NULL) {
            fail_msg("accepted number \"%s\"", bad[i]);
        }
        assert_non_null(err);
    }
}


static void
test_escapes(void **state)
{
    ngx_http_gongkai_value_t  *v;

    v = parse(*state, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\"", NULL);
    assert_str(v, "a\"b\\c/d\b\f\n\r\te");

    /* \u escapes: 1, 2 and 3 UTF-8 bytes, upper and lower case hex */
    v = parse(*state, "\"\\u0041\\u00e9\\u4E2D\\u6587\"", NULL);
    assert_str(v, "A\xc3\xa9\xe4\xb8\xad\xe6\x96\x87");

    /* a surrogate pair: U+1F600 */
    v = parse(*state, "\"x\\ud83d\\ude00y\"", NULL);
    assert_str(v, "x\xf0\x9f\x98\x80y");

    /* raw UTF-8 passes through */
    v = parse(*state, "\"\xe6\x94\xbf\xe5\xba\x9c \xf0\x9f\x98\x80\"", NULL);
    assert_str(v, "\xe6\x94\xbf\xe5\xba\x9c \xf0\x9f\x98\x80");
}


static void
test_invalid_strings(void **state)
{
    size_t                     i;
    const char                *err;
    ngx_http_gongkai_value_t  *v;

    static const char  *bad[] = {
        "\"\\u0000\"",                 /* NUL */
        "\"\\ud83d\"",                 /* lone high surrogate */
        "\"\\ud83dx\"",                /* high surrogate, no pair */
        "\"\\ud83d\\u0041\"",          /* high surrogate + non-low */
        "\"\\ude00\"",                 /* lone low surrogate */
        "\"\\u12\"",                   /* short escape */
        "\"\\u12g4\"",                 /* bad hex */
        "\"\\x41\"",                   /* unknown escape */
        "\"\\'\"",                     /* unknown escape */
        "\"a\nb\"",                    /* raw control character */
        "\"a\tb\"",
        "\"\x01\"",
        "\"abc",                       /* unterminated */
        "\"abc\\",
        "\"\xc3\"",                    /* truncated UTF-8 */
        "\"\xc0\xaf\"",                /* overlong */
        "\"\xe0\x80\xaf\"",            /* overlong */
        "\"\xed\xa0\x80\"",            /* UTF-8 encoded surrogate */
        "\"\xf4\x90\x80\x80\"",        /* above U+10FFFF */
        "\"\xff\"",
        "\"\x80\"",                    /* lone continuation byte */
        "'single'",
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        v = parse(*state, bad[i], &err);
        if (v != NULL) {
            fail_msg("accepted string #%zu", i);
        }
        assert_non_null(err);
    }

    /* a NUL byte inside the text is a control character */
    v = ngx_http_gongkai_json_parse(*state, (u_char *) "\"a\0b\"", 5, &err);
    assert_null(v);
}


static void
test_structures(void **state)
{
    ngx_http_gongkai_value_t  *v, *m, *e;

    v = parse(*state, "{ \"a\" : [1, \"two\", {\"x\": null}, [] ],"
                      "\"b\":{}, \"c\":true, \"\\u540d\":\"v\" }", NULL);
    assert_non_null(v);
    assert_int_equal(v->type, NGX_HTTP_GONGKAI_OBJECT);
    assert_int_equal(v->n, 4);

    m = member(v, "a");
    assert_non_null(m);
    assert_int_equal(m->type, NGX_HTTP_GONGKAI_ARRAY);
    assert_int_equal(m->n, 4);

    e = m->first;
    assert_int_equal(e->type, NGX_HTTP_GONGKAI_NUMBER);
    assert_str(e, "1");
    e = e->next;
    assert_str(e, "two");
    e = e->next;
    assert_int_equal(e->type, NGX_HTTP_GONGKAI_OBJECT);
    assert_non_null(member(e, "x"));
    assert_int_equal(member(e, "x")->type, NGX_HTTP_GONGKAI_NULL);
    e = e->next;
    assert_int_equal(e->type, NGX_HTTP_GONGKAI_ARRAY);
    assert_int_equal(e->n, 0);
    assert_null(e->next);
    assert_ptr_equal(m->last, e);

    assert_int_equal(member(v, "b")->type, NGX_HTTP_GONGKAI_OBJECT);
    assert_int_equal(member(v, "c")->type, NGX_HTTP_GONGKAI_TRUE);
    assert_str(member(v, "\xe5\x90\x8d"), "v");
    assert_null(member(v, "d"));
    assert_null(member(m, "a"));        /* not an object */
    assert_null(ngx_http_gongkai_value_get(NULL, (u_char *) "a", 1));

    /* duplicate names: the first one wins */
    v = parse(*state, "{\"k\":1,\"k\":2}", NULL);
    assert_str(member(v, "k"), "1");

    v = parse(*state, "[]", NULL);
    assert_int_equal(v->type, NGX_HTTP_GONGKAI_ARRAY);
    assert_null(v->first);
}


static void
test_invalid_structures(void **state)
{
    size_t                     i;
    const char                *err;
    ngx_http_gongkai_value_t  *v;

    static const char  *bad[] = {
        "", " ", "[", "]", "{", "}", "[1,]", "[,1]", "[1 2]", "{\"a\"}",
        "{\"a\":}", "{\"a\":1,}", "{a:1}", "{1:1}", "{\"a\" 1}", "[1]]",
        "{} {}", "nul", "tru", "falsey", "null x", "[1];", "\xef\xbb\xbf[]",
        "[\"a\",]", "{\"a\":1 \"b\":2}", "/* c */ 1"
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = NULL;
        v = parse(*state, bad[i], &err);
        if (v != NULL) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
        assert_non_null(err);
    }

    /* trailing NUL byte counted in the length */
    v = ngx_http_gongkai_json_parse(*state, (u_char *) "[1]", 4, &err);
    assert_null(v);
    assert_string_equal(err, "trailing characters after the JSON value");
}


static char *
nested(ngx_pool_t *pool, const char *open, const char *inner,
    const char *close, size_t depth)
{
    char    *s, *p;
    size_t   i;

    s = ngx_pnalloc(pool, depth * (strlen(open) + strlen(close))
                          + strlen(inner) + 1);
    p = s;

    for (i = 0; i < depth; i++) {
        p = (char *) ngx_cpymem(p, open, strlen(open));
    }

    p = (char *) ngx_cpymem(p, inner, strlen(inner));

    for (i = 0; i < depth; i++) {
        p = (char *) ngx_cpymem(p, close, strlen(close));
    }

    *p = '\0';

    return s;
}


static void
test_depth(void **state)
{
    const char  *err;

    /* 64 levels of arrays or objects are fine, 65 are not */

    assert_non_null(parse(*state, nested(*state, "[", "1", "]", 64), &err));
    assert_non_null(parse(*state, nested(*state, "{\"a\":", "1", "}", 64),
                          &err));
    assert_non_null(parse(*state, nested(*state, "[{\"a\":", "1", "}]", 32),
                          &err));

    err = NULL;
    assert_null(parse(*state, nested(*state, "[", "1", "]", 65), &err));
    assert_string_equal(err, "JSON nested too deeply");

    err = NULL;
    assert_null(parse(*state, nested(*state, "{\"a\":", "1", "}", 65), &err));
    assert_string_equal(err, "JSON nested too deeply");

    err = NULL;
    assert_null(parse(*state, nested(*state, "[", "", "", 100000), &err));
    assert_string_equal(err, "JSON nested too deeply");

    /* depth is about nesting, not about the number of siblings */
    assert_non_null(parse(*state, "[[[]],[[]],[[]],[[]],[[]],[[]]]", &err));
}


static void
test_constructors(void **state)
{
    ngx_http_gongkai_value_t  *obj, *arr, *v, *w;

    obj = ngx_http_gongkai_value_new(*state, NGX_HTTP_GONGKAI_OBJECT);
    arr = ngx_http_gongkai_value_new(*state, NGX_HTTP_GONGKAI_ARRAY);
    assert_non_null(obj);
    assert_non_null(arr);

    ngx_http_gongkai_value_push(arr, ngx_http_gongkai_value_int(*state, 0));
    ngx_http_gongkai_value_push(arr, ngx_http_gongkai_value_int(*state, -42));
    v = ngx_http_gongkai_value_int(*state, NGX_MAX_INT_T_VALUE);
    ngx_http_gongkai_value_push(arr, v);
    v = ngx_http_gongkai_value_int(*state, -NGX_MAX_INT_T_VALUE - 1);
    ngx_http_gongkai_value_push(arr, v);
    assert_int_equal(arr->n, 4);
    assert_str(arr->first, "0");
    assert_str(arr->first->next, "-42");
    assert_str(arr->first->next->next, "9223372036854775807");
    assert_str(arr->last, "-9223372036854775808");

    v = ngx_http_gongkai_value_string(*state, (u_char *) "hello", 5);
    ngx_http_gongkai_value_set(obj, "greeting", v);
    w = v;
    ngx_http_gongkai_value_set(obj, "list", arr);
    v = ngx_http_gongkai_value_int(*state, 1);
    ngx_http_gongkai_value_set(obj, "last", v);
    assert_int_equal(obj->n, 3);
    assert_ptr_equal(member(obj, "greeting"), w);
    assert_str(member(obj, "greeting"), "hello");

    /* replacing keeps the order and the count, also for first and last */
    w = ngx_http_gongkai_value_string(*state, (u_char *) "bye", 3);
    ngx_http_gongkai_value_set(obj, "greeting", w);
    assert_int_equal(obj->n, 3);
    assert_ptr_equal(obj->first, w);
    assert_str(member(obj, "greeting"), "bye");
    assert_ptr_equal(obj->first->next, arr);

    w = ngx_http_gongkai_value_new(*state, NGX_HTTP_GONGKAI_TRUE);
    ngx_http_gongkai_value_set(obj, "last", w);
    assert_ptr_equal(obj->last, w);
    assert_null(w->next);
    assert_int_equal(obj->n, 3);

    v = ngx_http_gongkai_value_string(*state, (u_char *) "", 0);
    assert_int_equal(v->type, NGX_HTTP_GONGKAI_STRING);
    assert_int_equal(v->str.len, 0);
}


static void
test_truthy(void **state)
{
    size_t  i;

    static const char  *falsy[] = {
        "null", "false", "\"\"", "0", "-0", "0.0", "0e10", "-0.000E-3",
        "[]", "{}", " [ ] "
    };

    static const char  *truthy[] = {
        "true", "\"0\"", "\" \"", "1", "-1", "0.001", "1e-300", "[0]",
        "[null]", "{\"a\":null}", "\"false\""
    };

    assert_false(ngx_http_gongkai_value_truthy(NULL));

    for (i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
        if (ngx_http_gongkai_value_truthy(parse(*state, falsy[i], NULL))) {
            fail_msg("\"%s\" is truthy", falsy[i]);
        }
    }

    for (i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++) {
        if (!ngx_http_gongkai_value_truthy(parse(*state, truthy[i], NULL))) {
            fail_msg("\"%s\" is falsy", truthy[i]);
        }
    }
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_strings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_structures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_structures, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constructors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truthy, setup, teardown),
    };

    return cmocka_run_group_tests_name("value", tests, NULL, NULL);
}
