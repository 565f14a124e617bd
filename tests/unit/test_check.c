/*
 * Unit tests: identity numbers checked by their check characters,
 * ngx_http_gongkai_check.c (GB 11643-1999, GB 32100-2015).  The same
 * cases as tests/sql/test_applications.py, so that the module and the
 * database agree.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_check.h"


#define ID(s)    ngx_http_gongkai_resident_id_valid((u_char *) s, strlen(s))
#define CODE(s)  ngx_http_gongkai_credit_code_valid((u_char *) s, strlen(s))


static void
test_resident_id_valid(void **state)
{
    /* the standard's example, and a second one */
    assert_true(ID("11010519491231002X"));
    assert_true(ID("533102198503150010"));
    /* 29 February of a leap year */
    assert_true(ID("110105200002290013"));
}


static void
test_resident_id_normalised(void **state)
{
    assert_true(ID("11010519491231002x"));
    assert_true(ID(" 110105 19491231 002X "));
    assert_true(ID("110105-19491231-002X"));
    /* full-width digits and x, an ideographic space */
    assert_true(ID("\xef\xbc\x91\xef\xbc\x91" "0105194912310" "02"
                   "\xef\xbd\x98"));
    assert_true(ID("\xe3\x80\x80" "11010519491231002X"));
}


static void
test_resident_id_refused(void **state)
{
    assert_false(ID("110105194912310021"));     /* check character */
    assert_false(ID("110105194912310020"));
    assert_false(ID("110105194902300024"));     /* 30 February */
    assert_false(ID("110105190002290017"));     /* 1900 was no leap year */
    assert_false(ID("110105194913310021"));     /* month 13 */
    assert_false(ID("11010518991231002X"));     /* before 1900 */
    assert_false(ID("11010519491231002"));      /* 17 characters */
    assert_false(ID("1101051949123100211"));
    assert_false(ID("A1010519491231002X"));
    assert_false(ID("110105194912310X2X"));
    assert_false(ID(""));
    assert_false(ID("\xe5\xbc\xa0\xe4\xb8\x89"));  /* 张三 */
    assert_false(ID("11010519491231002X\xe3\x80"));  /* cut UTF-8 */
}


static void
test_credit_code_valid(void **state)
{
    assert_true(CODE("91350100M000100Y43"));
    assert_true(CODE("91110000600037341L"));
    assert_true(CODE("91350100m000100y43"));
    assert_true(CODE(" 91350100M000100Y43\t"));
}


static void
test_credit_code_refused(void **state)
{
    assert_false(CODE("91350100M000100Y44"));   /* check character */
    assert_false(CODE("91350100M000100YI3"));   /* I is not used */
    assert_false(CODE("91350100O000100Y43"));   /* nor O */
    assert_false(CODE("91350100M000100Y4"));
    assert_false(CODE("91350100M000100Y433"));
    assert_false(CODE("11533100000000101D"));   /* the demo organs' codes */
    assert_false(CODE(""));
}


static void
test_too_long(void **state)
{
    u_char  buf[NGX_HTTP_GONGKAI_CHECK_MAX * 2];
    u_char  out[NGX_HTTP_GONGKAI_CHECK_MAX];
    size_t  i;

    /* blanks are dropped; what is left must fit */
    memcpy(buf, "11010519491231002X", 18);

    for (i = 18; i < sizeof(buf); i++) {
        buf[i] = ' ';
    }

    assert_int_equal(ngx_http_gongkai_check_normal(buf, 18, out), 18);
    assert_true(ngx_http_gongkai_resident_id_valid(buf, sizeof(buf)));

    for (i = 0; i < sizeof(buf); i++) {
        buf[i] = '1';
    }

    assert_int_equal(ngx_http_gongkai_check_normal(buf, sizeof(buf), out),
                     0);
    assert_false(ngx_http_gongkai_resident_id_valid(buf, sizeof(buf)));
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resident_id_valid),
        cmocka_unit_test(test_resident_id_normalised),
        cmocka_unit_test(test_resident_id_refused),
        cmocka_unit_test(test_credit_code_valid),
        cmocka_unit_test(test_credit_code_refused),
        cmocka_unit_test(test_too_long),
    };

    return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
