/*
 * Unit tests: the admin route table and its matcher,
 * ngx_http_gongkai_admin_routes.c.
 */

/* unit: link ngx_http_gongkai_admin_routes.c */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_admin.h"


static ngx_http_gongkai_route_t *
route(ngx_uint_t method, const char *path, ngx_str_t *args,
    ngx_uint_t *nargs, ngx_uint_t *other)
{
    return ngx_http_gongkai_admin_route(method, (u_char *) path,
                                        strlen(path), args, nargs, other);
}


static void
test_match(void **state)
{
    ngx_str_t                  args[NGX_HTTP_GONGKAI_ROUTE_ARGS];
    ngx_uint_t                 nargs, other;
    ngx_http_gongkai_route_t  *rt;

    rt = route(NGX_HTTP_GET, "", args, &nargs, &other);
    assert_non_null(rt);
    assert_string_equal(rt->tmpl, "home");
    assert_int_equal(nargs, 0);

    rt = route(NGX_HTTP_GET, "items/new", args, &nargs, &other);
    assert_non_null(rt);
    assert_string_equal(rt->tmpl, "item_edit");
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_PAGE);

    rt = route(NGX_HTTP_POST, "items/12/attachments/3/delete", args,
               &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_ACTION);
    assert_int_equal(nargs, 2);
    assert_int_equal(args[0].len, 2);
    assert_memory_equal(args[0].data, "12", 2);
    assert_memory_equal(args[1].data, "3", 1);

    rt = route(NGX_HTTP_GET, "items/12/attachments/3", args, &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_FILE);

    /* the applicant's files of a case (sql/ADMIN.md): download only */
    rt = route(NGX_HTTP_GET, "cases/41/files/2", args, &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_FILE);
    assert_int_equal(nargs, 2);
    assert_memory_equal(args[0].data, "41", 2);
    assert_memory_equal(args[1].data, "2", 1);
    assert_null(route(NGX_HTTP_POST, "cases/41/files/2", args, &nargs,
                      &other));
    assert_int_equal(other, 1);

    rt = route(NGX_HTTP_POST, "items/7/submit", args, &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_SCREEN);
    assert_true(rt->stmt2 >= 0);

    rt = route(NGX_HTTP_POST, "items/7/attachments", args, &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_UPLOAD);

    /* 18 digits is the most an id may have */
    rt = route(NGX_HTTP_GET, "items/123456789012345678", args, &nargs,
               &other);
    assert_non_null(rt);
}


static void
test_no_match(void **state)
{
    ngx_str_t                  args[NGX_HTTP_GONGKAI_ROUTE_ARGS];
    ngx_uint_t                 i, nargs, other;

    static const char  *paths[] = {
        "items/", "items//1", "items/x", "items/1x", "items/1/",
        "items/1234567890123456789", "/items", "item", "itemsx",
        "items/1/attachments/", "items/-1", "audit/", "login/", NULL
    };

    for (i = 0; paths[i] != NULL; i++) {
        assert_null(route(NGX_HTTP_GET, paths[i], args, &nargs, &other));
        assert_int_equal(other, 0);
    }

    /* the path exists, for the other method */
    assert_null(route(NGX_HTTP_POST, "audit", args, &nargs, &other));
    assert_int_equal(other, 1);
    assert_null(route(NGX_HTTP_GET, "logout", args, &nargs, &other));
    assert_int_equal(other, 1);
}


/* disclosure on request: the case routes (sql/ADMIN.md, cases) */

static void
test_cases(void **state)
{
    ngx_str_t                  args[NGX_HTTP_GONGKAI_ROUTE_ARGS];
    ngx_uint_t                 nargs, other;
    ngx_http_gongkai_route_t  *rt;

    rt = route(NGX_HTTP_GET, "cases", args, &nargs, &other);
    assert_non_null(rt);
    assert_string_equal(rt->tmpl, "cases");

    /* "new" is not an id: the registration form */
    rt = route(NGX_HTTP_GET, "cases/new", args, &nargs, &other);
    assert_non_null(rt);
    assert_string_equal(rt->tmpl, "case_new");
    assert_int_equal(nargs, 0);

    rt = route(NGX_HTTP_POST, "cases/new", args, &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_ACTION);

    rt = route(NGX_HTTP_GET, "cases/7/documents/12", args, &nargs, &other);
    assert_non_null(rt);
    assert_string_equal(rt->tmpl, "case_document");
    assert_int_equal(nargs, 2);
    assert_memory_equal(args[0].data, "7", 1);
    assert_memory_equal(args[1].data, "12", 2);

    rt = route(NGX_HTTP_POST, "cases/7/documents/12/deliver", args, &nargs,
               &other);
    assert_non_null(rt);
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_ACTION);
    assert_string_equal(rt->tmpl, "case");

    rt = route(NGX_HTTP_POST, "cases/7/reply/review", args, &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(nargs, 1);

    rt = route(NGX_HTTP_POST, "cases/7/remedies/3", args, &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(nargs, 2);

    /* a case page is read, its steps are posted */
    assert_null(route(NGX_HTTP_POST, "cases/7", args, &nargs, &other));
    assert_int_equal(other, 1);
    assert_null(route(NGX_HTTP_GET, "cases/7/accept", args, &nargs, &other));
    assert_int_equal(other, 1);
    assert_null(route(NGX_HTTP_GET, "cases/x", args, &nargs, &other));
    assert_int_equal(other, 0);
}


/* annual reports (sql/ADMIN.md, reports) */

static void
test_reports(void **state)
{
    ngx_str_t                  args[NGX_HTTP_GONGKAI_ROUTE_ARGS];
    ngx_uint_t                 nargs, other;
    ngx_http_gongkai_route_t  *rt;

    rt = route(NGX_HTTP_GET, "reports", args, &nargs, &other);
    assert_non_null(rt);
    assert_string_equal(rt->tmpl, "reports");

    rt = route(NGX_HTTP_POST, "reports/new", args, &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_ACTION);
    assert_int_equal(nargs, 0);

    rt = route(NGX_HTTP_GET, "reports/12/edit", args, &nargs, &other);
    assert_non_null(rt);
    assert_string_equal(rt->tmpl, "report_edit");
    assert_int_equal(nargs, 1);
    assert_memory_equal(args[0].data, "12", 2);

    rt = route(NGX_HTTP_POST, "reports/12/publish", args, &nargs, &other);
    assert_non_null(rt);
    assert_int_equal(rt->kind, NGX_HTTP_GONGKAI_ROUTE_ACTION);
    assert_string_equal(rt->tmpl, "report");

    /* no GET of a step, no "new" page of its own */
    assert_null(route(NGX_HTTP_GET, "reports/12/sign", args, &nargs,
                      &other));
    assert_int_equal(other, 1);
    assert_null(route(NGX_HTTP_GET, "reports/new", args, &nargs, &other));
    assert_int_equal(other, 1);
}


static void
test_table(void **state)
{
    ngx_http_gongkai_route_t  *rt;

    /* every statement is used, every route's statement exists */
    for (rt = ngx_http_gongkai_admin_routes; rt->method; rt++) {
        assert_true(rt->stmt < (ngx_int_t) ngx_http_gongkai_admin_nstmts);
        assert_true(rt->stmt2 < (ngx_int_t) ngx_http_gongkai_admin_nstmts);

        if (rt->kind != NGX_HTTP_GONGKAI_ROUTE_LOGIN_FORM) {
            assert_true(rt->stmt >= 0);
        }

        if (rt->kind == NGX_HTTP_GONGKAI_ROUTE_PAGE) {
            assert_non_null(rt->tmpl);
        }
    }
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_no_match),
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
