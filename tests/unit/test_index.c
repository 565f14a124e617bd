/*
 * Unit tests: index number (索引号) parsing, ngx_http_gongkai_index.c.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_index.h"


static void
expect_index(const char *in, const char *want)
{
    u_char  out[NGX_HTTP_GONGKAI_INDEX_MAX];
    size_t  n;

    n = ngx_http_gongkai_index_parse((u_char *) in, strlen(in), out);

    if (want == NULL) {
        if (n != 0) {
            fail_msg("\"%s\" accepted as \"%.*s\"", in, (int) n, out);
        }
        return;
    }

    if (n != strlen(want) || memcmp(out, want, n) != 0) {
        fail_msg("\"%s\" gave \"%.*s\", want \"%s\"", in, (int) n, out, want);
    }
}


static void
test_canonical(void **state)
{
    expect_index("11530000015012345X-01-2024-00017",
                 "11530000015012345X-01-2024-00017");
    expect_index("11530000015012345X-0201-2025-12345",
                 "11530000015012345X-0201-2025-12345");
}


static void
test_long_dash_and_case(void **state)
{
    /* the seed prints the long dash "—" (U+2014) between the parts */
    expect_index("11530000015012345X\xe2\x80\x94" "01\xe2\x80\x94"
                 "2024\xe2\x80\x94" "00017",
                 "11530000015012345X-01-2024-00017");
    expect_index("11530000015012345x-01-2024-00017",
                 "11530000015012345X-01-2024-00017");
    expect_index("11530000015012345X-01\xe2\x80\x94" "2024-17",
                 "11530000015012345X-01-2024-00017");
}


static void
test_serial_padding(void **state)
{
    expect_index("A-01-2024-7", "A-01-2024-00007");
    expect_index("A-01-2024-0000000007", "A-01-2024-00007");
    expect_index("A-01-2024-1234567890", "A-01-2024-1234567890");
    expect_index("A-01-2024-0", "A-01-2024-00000");
}


static void
test_refused(void **state)
{
    expect_index("", NULL);
    expect_index("-", NULL);
    expect_index("A-01-2024", NULL);
    expect_index("A-01-2024-1-2", NULL);
    expect_index("A--2024-1", NULL);
    expect_index("A-01-24-1", NULL);
    expect_index("A-01-20245-1", NULL);
    expect_index("A-01-1948-1", NULL);
    expect_index("A-01-3000-1", NULL);
    expect_index("A-01-2024-", NULL);
    expect_index("A-01-2024-12345678901", NULL);
    expect_index("A-01-2024-1a", NULL);
    expect_index("1234567890123456789-01-2024-1", NULL);
    expect_index("A-012345678-2024-1", NULL);
    expect_index("A B-01-2024-1", NULL);
    expect_index("A-01-2024-1\xe2\x80", NULL);
    expect_index("A\xe2\x80\x93" "01-2024-1", NULL);     /* en dash */
    expect_index("A-01-2024-1'; drop table items; --", NULL);
    expect_index("\xe5\xbe\xb7-01-2024-1", NULL);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_long_dash_and_case),
        cmocka_unit_test(test_serial_padding),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests_name("index", tests, NULL, NULL);
}
