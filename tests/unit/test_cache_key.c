/*
 * Unit tests: the page cache's keys, ngx_http_gongkai_cache_key.c, fed
 * by the portal's own query parser (ngx_http_gongkai_args.c) as the
 * catalogue does: what the parser keeps makes the key, nothing else.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_cache_key.h"
#include "ngx_http_gongkai_args.h"
#include "support.h"


static const char  *names[] = {
    "category", "organ", "year", "after", "before", "page"
};

#define NNAMES  (sizeof(names) / sizeof(names[0]))


/* the key of host, path and a query string, or NULL when not cacheable */

static char *
key_of(const char *host, const char *path, const char *qs)
{
    char                          *out;
    ngx_int_t                      rc;
    ngx_str_t                      h, p, args, v[NNAMES], key;
    ngx_uint_t                     i;
    ngx_pool_t                    *pool;
    const char                    *err;
    ngx_http_gongkai_cache_arg_t   a[NNAMES];

    pool = unit_pool();

    args.data = (u_char *) qs;
    args.len = strlen(qs);

    if (ngx_http_gongkai_args_parse(pool, &args, names, v, NNAMES, &err)
        != NGX_OK)
    {
        return NULL;
    }

    for (i = 0; i < NNAMES; i++) {
        a[i].name = names[i];
        a[i].value = v[i];
    }

    h.data = (u_char *) host;
    h.len = strlen(host);
    p.data = (u_char *) path;
    p.len = strlen(path);

    rc = ngx_http_gongkai_cache_key(pool, &h, &p, a, NNAMES, &key);

    if (rc == NGX_DECLINED) {
        return NULL;
    }

    assert_int_equal(rc, NGX_OK);

    out = ngx_pnalloc(pool, key.len + 1);
    assert_non_null(out);
    ngx_memcpy(out, key.data, key.len);
    out[key.len] = '\0';

    return out;
}


static void
test_shape(void **state)
{
    assert_string_equal(key_of("www.dh.gov.cn", "/", ""),
                        "www.dh.gov.cn\n/");
    assert_string_equal(key_of("www.dh.gov.cn", "/catalogue",
                               "year=2024&category=01"),
                        "www.dh.gov.cn\n/catalogue?category=01&year=2024");
    assert_string_equal(key_of("czj.dh.gov.cn", "/catalogue",
                               "page=3&organ=X&before=1.2&after=3.4"),
                        "czj.dh.gov.cn\n/catalogue"
                        "?after=3.4&before=1.2&organ=X&page=3");
}


static void
test_same_page_same_key(void **state)
{
    const char  *k;

    k = key_of("www.dh.gov.cn", "/catalogue", "category=01&year=2024");

    /* order, parameters the page ignores, empty ones, encoding */
    assert_string_equal(k, key_of("www.dh.gov.cn", "/catalogue",
                                  "year=2024&category=01"));
    assert_string_equal(k, key_of("www.dh.gov.cn", "/catalogue",
                                  "utm_source=weixin&year=2024&x"
                                  "&category=01&from=%E9%A6%96%E9%A1%B5"));
    assert_string_equal(k, key_of("www.dh.gov.cn", "/catalogue",
                                  "category=01&organ=&year=2024&page="));
    assert_string_equal(k, key_of("www.dh.gov.cn", "/catalogue",
                                  "%63ategory=%30%31&year=20%324"));
    assert_string_equal(k, key_of("www.dh.gov.cn", "/catalogue",
                                  "&&category=01&&year=2024&"));
}


static void
test_different_pages_different_keys(void **state)
{
    const char  *k;

    k = key_of("www.dh.gov.cn", "/catalogue", "category=01");

    assert_string_not_equal(k, key_of("czj.dh.gov.cn", "/catalogue",
                                      "category=01"));
    assert_string_not_equal(k, key_of("www.dh.gov.cn", "/catalogue",
                                      "category=02"));
    assert_string_not_equal(k, key_of("www.dh.gov.cn", "/catalogue",
                                      "category=01&year=2024"));
    assert_string_not_equal(k, key_of("www.dh.gov.cn", "/guide",
                                      "category=01"));
    assert_string_not_equal(k, key_of("www.dh.gov.cn", "/catalogue", ""));

    /* a value cannot pass for another parameter or a path */
    assert_string_not_equal(
        key_of("www.dh.gov.cn", "/catalogue", "category=01%26year%3D2024"),
        key_of("www.dh.gov.cn", "/catalogue", "category=01&year=2024"));
    assert_string_not_equal(
        key_of("www.dh.gov.cn", "/catalogue%3Fyear=2024", ""),
        key_of("www.dh.gov.cn", "/catalogue", "year=2024"));
    assert_string_equal(
        key_of("www.dh.gov.cn", "/catalogue", "category=a%26b%3D%3Fc%25"),
        "www.dh.gov.cn\n/catalogue?category=a%26b%3D%3Fc%25");
    assert_string_equal(key_of("www.dh.gov.cn", "/a?b=c&d%", ""),
                        "www.dh.gov.cn\n/a%3Fb%3Dc%26d%25");
}


static void
test_refused_input_has_no_key(void **state)
{
    /* the parser refuses it: the page answers 400, nothing is cached */
    assert_null(key_of("www.dh.gov.cn", "/catalogue", "year=1&year=2"));
    assert_null(key_of("www.dh.gov.cn", "/catalogue", "category=%ZZ"));
    assert_null(key_of("www.dh.gov.cn", "/catalogue", "category=%FF"));
    assert_null(key_of("www.dh.gov.cn", "/catalogue", "category=%0A"));
}


static void
test_too_long(void **state)
{
    char        *qs;
    size_t       n;
    ngx_pool_t  *pool;

    pool = unit_pool();

    n = NGX_HTTP_GONGKAI_CACHE_KEY_MAX;
    qs = ngx_pnalloc(pool, n + sizeof("category="));
    assert_non_null(qs);

    ngx_memcpy(qs, "category=", sizeof("category=") - 1);
    ngx_memset(qs + sizeof("category=") - 1, 'a', n);
    qs[sizeof("category=") - 1 + n] = '\0';

    assert_null(key_of("www.dh.gov.cn", "/catalogue", qs));

    qs[sizeof("category=") - 1 + 100] = '\0';
    assert_non_null(key_of("www.dh.gov.cn", "/catalogue", qs));
}


static void
test_sorts_in_place(void **state)
{
    ngx_str_t                      h, p, key;
    ngx_http_gongkai_cache_arg_t   a[3];

    a[0].name = "year";
    ngx_str_set(&a[0].value, "2024");
    a[1].name = "after";
    ngx_str_null(&a[1].value);
    a[2].name = "category";
    ngx_str_set(&a[2].value, "01");

    ngx_str_set(&h, "www.dh.gov.cn");
    ngx_str_set(&p, "/catalogue");

    assert_int_equal(ngx_http_gongkai_cache_key(unit_pool(), &h, &p, a, 3,
                                                &key), NGX_OK);
    assert_int_equal(key.len,
                     strlen("www.dh.gov.cn\n/catalogue?category=01&year=2024"));
    assert_memory_equal(key.data,
                        "www.dh.gov.cn\n/catalogue?category=01&year=2024",
                        key.len);
    assert_string_equal(a[0].name, "after");
    assert_string_equal(a[1].name, "category");
    assert_string_equal(a[2].name, "year");
}


/* numbers as the key holds them: no leading zeros, the default absent */

static void
test_arg_number(void **state)
{
    ngx_str_t  v;

    (void) state;

    assert_int_equal(ngx_http_gongkai_cache_arg_number(unit_pool(), 1, 1,
                                                       &v), NGX_OK);
    assert_null(v.data);
    assert_int_equal(v.len, 0);

    assert_int_equal(ngx_http_gongkai_cache_arg_number(unit_pool(), 7, 1,
                                                       &v), NGX_OK);
    assert_int_equal(v.len, 1);
    assert_memory_equal(v.data, "7", 1);

    assert_int_equal(ngx_http_gongkai_cache_arg_number(unit_pool(), 100000,
                                                       -1, &v), NGX_OK);
    assert_int_equal(v.len, 6);
    assert_memory_equal(v.data, "100000", 6);

    /* no default: 1 is written out */
    assert_int_equal(ngx_http_gongkai_cache_arg_number(unit_pool(), 1, -1,
                                                       &v), NGX_OK);
    assert_int_equal(v.len, 1);
    assert_memory_equal(v.data, "1", 1);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_same_page_same_key),
        cmocka_unit_test(test_different_pages_different_keys),
        cmocka_unit_test(test_refused_input_has_no_key),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_sorts_in_place),
        cmocka_unit_test(test_arg_number),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
