/*
 * Unit tests: multipart/form-data, ngx_http_gongkai_multipart.c.
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
#include "ngx_http_gongkai_multipart.h"


typedef ngx_http_gongkai_part_t  part_t;


static ngx_pool_t  *pool;


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


static ngx_int_t
boundary(const char *ct, ngx_str_t *b)
{
    ngx_str_t  v;

    v.data = (u_char *) ct;
    v.len = strlen(ct);

    return ngx_http_gongkai_multipart_boundary(&v, b);
}


static void
assert_boundary(const char *ct, const char *expected)
{
    ngx_str_t  b;

    if (boundary(ct, &b) != NGX_OK) {
        fail_msg("\"%s\" refused", ct);
    }

    assert_int_equal(b.len, strlen(expected));
    assert_memory_equal(b.data, expected, b.len);
}


static void
assert_no_boundary(const char *ct)
{
    ngx_str_t  b;

    if (boundary(ct, &b) != NGX_DECLINED) {
        fail_msg("\"%s\" accepted: \"%.*s\"", ct, (int) b.len, b.data);
    }
}


static void
test_boundary(void **state)
{
    char  ct[256];

    assert_boundary("multipart/form-data; boundary=abc", "abc");
    assert_boundary("Multipart/Form-Data;BOUNDARY=abc", "abc");
    assert_boundary("multipart/form-data; boundary=----WebKitFormBoundary"
                    "7MA4YWxkTrZu0gW",
                    "----WebKitFormBoundary7MA4YWxkTrZu0gW");
    assert_boundary("multipart/form-data; boundary=\"a b:c/d=e?f\"",
                    "a b:c/d=e?f");
    assert_boundary("multipart/form-data; charset=utf-8; boundary=x1",
                    "x1");
    assert_boundary("multipart/form-data; boundary=x1; charset=\"u\\\"8\"",
                    "x1");
    assert_boundary("  multipart/form-data ;\tboundary=x1 ;", "x1");
    assert_boundary("multipart/form-data; boundary=\"'()+_,-./:=?\"",
                    "'()+_,-./:=?");

    /* 70 characters at most */
    memset(ct, 0, sizeof(ct));
    strcpy(ct, "multipart/form-data; boundary=");
    memset(ct + strlen(ct), 'b', 70);
    assert_boundary(ct, ct + strlen("multipart/form-data; boundary="));
    ct[strlen(ct)] = 'b';
    assert_no_boundary(ct);

    /* not multipart/form-data */
    assert_no_boundary("application/x-www-form-urlencoded");
    assert_no_boundary("multipart/mixed; boundary=abc");
    assert_no_boundary("multipart/form-datax; boundary=abc");
    assert_no_boundary("text/plain; boundary=abc");
    assert_no_boundary("");

    /* no valid boundary */
    assert_no_boundary("multipart/form-data");
    assert_no_boundary("multipart/form-data;");
    assert_no_boundary("multipart/form-data; boundary=");
    assert_no_boundary("multipart/form-data; boundary=\"\"");
    assert_no_boundary("multipart/form-data; boundary=\"abc \"");
    assert_no_boundary("multipart/form-data; boundary=\"ab\\c\"");
    assert_no_boundary("multipart/form-data; boundary=\"abc");
    assert_no_boundary("multipart/form-data; boundary=a|b");
    assert_no_boundary("multipart/form-data; boundary=\"a\xe4\xb8\xad\"");
    assert_no_boundary("multipart/form-data; boundary=a; boundary=b");
    assert_no_boundary("multipart/form-data; boundary=a b");
    assert_no_boundary("multipart/form-data; boundary = a");
    assert_no_boundary("multipart/form-data boundary=a");
}


static ngx_array_t *
parse_n(const char *b, const char *body, size_t len, ngx_int_t expected)
{
    ngx_str_t     bs;
    ngx_array_t  *parts;

    parts = ngx_array_create(pool, 2, sizeof(part_t));
    assert_non_null(parts);

    bs.data = (u_char *) b;
    bs.len = strlen(b);

    assert_int_equal(ngx_http_gongkai_multipart_parse(pool, &bs,
                                                      (u_char *) body, len,
                                                      parts),
                     expected);

    return parts;
}


static ngx_array_t *
parse(const char *body)
{
    return parse_n("XyZ", body, strlen(body), NGX_OK);
}


static void
assert_malformed(const char *body)
{
    ngx_str_t     b = ngx_string("XyZ");
    ngx_array_t  *parts;

    parts = ngx_array_create(pool, 2, sizeof(part_t));
    assert_non_null(parts);

    if (ngx_http_gongkai_multipart_parse(pool, &b, (u_char *) body,
                                         strlen(body), parts)
        != NGX_DECLINED)
    {
        fail_msg("accepted: \"%s\"", body);
    }

    assert_int_equal(parts->nelts, 0);
}


static void
assert_str(ngx_str_t *s, const char *expected)
{
    if (s->len != strlen(expected)
        || ngx_strncmp(s->data, expected, s->len) != 0)
    {
        fail_msg("\"%.*s\" != \"%s\"", (int) s->len, s->data, expected);
    }
}


static part_t *
part(ngx_array_t *parts, ngx_uint_t i)
{
    assert_true(i < parts->nelts);
    return (part_t *) parts->elts + i;
}


static void
test_parse(void **state)
{
    part_t       *p;
    ngx_array_t  *parts;

    /* a NUL inside the file's data: sizeof gives the real length */
    static const char  body[] =
        "preamble, ignored\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"title\"\r\n"
        "\r\n"
        "关于2024年预算公开的通知\r\n"
        "--XyZ\r\n"
        "content-disposition: FORM-DATA; NAME=body\r\n"
        "X-Other: ignored\r\n"
        "\r\n"
        "<p>正文</p>\r\n\r\n"
        "--XyZ  \t\r\n"
        "Content-Disposition: form-data; name=\"file\"; "
        "filename=\"通知.pdf\"\r\n"
        "Content-Type:  application/pdf \r\n"
        "\r\n"
        "%PDF-1.7\r\nbinary\0data\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"empty\"\r\n"
        "\r\n"
        "\r\n"
        "--XyZ--\r\n"
        "epilogue, ignored\r\n--XyZ\r\nnot a part";

    parts = parse_n("XyZ", body, sizeof(body) - 1, NGX_OK);

    assert_int_equal(parts->nelts, 4);

    p = part(parts, 0);
    assert_str(&p->name, "title");
    assert_str(&p->data, "关于2024年预算公开的通知");
    assert_false(p->has_filename);
    assert_int_equal(p->content_type.len, 0);
    assert_int_equal(p->filename.len, 0);

    p = part(parts, 1);
    assert_str(&p->name, "body");
    assert_str(&p->data, "<p>正文</p>\r\n");

    p = part(parts, 2);
    assert_str(&p->name, "file");
    assert_true(p->has_filename);
    assert_str(&p->filename, "通知.pdf");
    assert_str(&p->content_type, "application/pdf");
    assert_int_equal(p->data.len, sizeof("%PDF-1.7\r\nbinary\0data") - 1);
    assert_memory_equal(p->data.data, "%PDF-1.7\r\nbinary\0data",
                        p->data.len);

    /* the data points into the body: no copy */
    assert_true(p->data.data > (u_char *) body
                && p->data.data + p->data.len < (u_char *) body
                                                + sizeof(body));

    p = part(parts, 3);
    assert_str(&p->name, "empty");
    assert_int_equal(p->data.len, 0);
}


static void
test_no_preamble(void **state)
{
    ngx_array_t  *parts;

    /* the first delimiter at the very start */
    parts = parse("--XyZ\r\n"
                  "Content-Disposition: form-data; name=a\r\n"
                  "\r\n"
                  "1\r\n"
                  "--XyZ--");
    assert_int_equal(parts->nelts, 1);
    assert_str(&part(parts, 0)->data, "1");

    /* a form with no fields at all */
    parts = parse("--XyZ--\r\n");
    assert_int_equal(parts->nelts, 0);

    /* parts are appended to what the array holds */
    parts = ngx_array_create(pool, 1, sizeof(part_t));
    assert_non_null(parts);
    assert_non_null(ngx_array_push(parts));

    {
        ngx_str_t  b = ngx_string("XyZ");
        u_char     body[] = "--XyZ\r\n"
                            "Content-Disposition: form-data; name=a\r\n"
                            "\r\n"
                            "1\r\n"
                            "--XyZ--";

        assert_int_equal(ngx_http_gongkai_multipart_parse(pool, &b, body,
                                                   sizeof(body) - 1, parts),
                         NGX_OK);
        assert_int_equal(parts->nelts, 2);

        /* and on failure the array is left as it was */
        body[sizeof(body) - 3] = 'x';
        assert_int_equal(ngx_http_gongkai_multipart_parse(pool, &b, body,
                                                   sizeof(body) - 1, parts),
                         NGX_DECLINED);
        assert_int_equal(parts->nelts, 2);
    }
}


static void
test_boundary_in_data(void **state)
{
    ngx_array_t  *parts;

    /*
     * Boundary-like strings inside the data: not at a line start, not
     * followed by CR LF or "--", or only a prefix of the boundary.
     */
    parts = parse("--XyZ\r\n"
                  "Content-Disposition: form-data; name=a\r\n"
                  "\r\n"
                  "x--XyZ\r\n"
                  "\r\n--XyZa\r\n"
                  "\r\n--XyZ x\r\n"
                  "\r\n--Xy\r\n"
                  "\r\n-XyZ\r\n"
                  "\n--XyZ\r\n"
                  "\r\n--xyz\r\n"
                  "end\r\n"
                  "--XyZ\r\n"
                  "Content-Disposition: form-data; name=b\r\n"
                  "\r\n"
                  "--XyZ--\r\n"
                  "--XyZ--");

    assert_int_equal(parts->nelts, 2);
    assert_str(&part(parts, 0)->data,
               "x--XyZ\r\n"
               "\r\n--XyZa\r\n"
               "\r\n--XyZ x\r\n"
               "\r\n--Xy\r\n"
               "\r\n-XyZ\r\n"
               "\n--XyZ\r\n"
               "\r\n--xyz\r\n"
               "end");
    assert_str(&part(parts, 1)->data, "--XyZ--");

    /* at the start, a delimiter followed by garbage is preamble */
    parts = parse("--XyZ junk\r\n"
                  "Content-Disposition: form-data; name=a\r\n"
                  "\r\n"
                  "v\r\n"
                  "--XyZ--");
    assert_int_equal(parts->nelts, 0);
}


static void
test_names(void **state)
{
    part_t       *p;
    ngx_array_t  *parts;

    parts = parse("--XyZ\r\n"
                  "Content-Disposition: form-data; name=\"a\\\"b\\\\c\"; "
                  "filename=\"say \\\"hi\\\".txt\"\r\n"
                  "\r\n"
                  "1\r\n"
                  "--XyZ\r\n"
                  "Content-Disposition: form-data; name=f; "
                  "filename=\"fallback.pdf\"; "
                  "filename*=UTF-8''%E9%80%9A%E7%9F%A5%20%281%29.pdf\r\n"
                  "\r\n"
                  "2\r\n"
                  "--XyZ\r\n"
                  "Content-Disposition: form-data; "
                  "filename*=utf-8'zh-CN'%e9%99%84.zip; name=g\r\n"
                  "\r\n"
                  "3\r\n"
                  "--XyZ\r\n"
                  "Content-Disposition: form-data; name=h; "
                  "filename*=ISO-8859-1''%E9t%E9.txt; filename=\"e.txt\"\r\n"
                  "\r\n"
                  "4\r\n"
                  "--XyZ\r\n"
                  "Content-Disposition: form-data; name=\"i\"; "
                  "filename=\"\"\r\n"
                  "Content-Type: application/octet-stream\r\n"
                  "\r\n"
                  "\r\n"
                  "--XyZ\r\n"
                  "Content-Disposition: form-data; name=\"中文名\"; "
                  "size=3; filename=\"C:\\\\dir\\\\a.doc\"\r\n"
                  "\r\n"
                  "6\r\n"
                  "--XyZ--");

    assert_int_equal(parts->nelts, 6);

    p = part(parts, 0);
    assert_str(&p->name, "a\"b\\c");
    assert_str(&p->filename, "say \"hi\".txt");
    assert_true(p->has_filename);

    /* filename* wins */
    p = part(parts, 1);
    assert_str(&p->filename, "通知 (1).pdf");

    p = part(parts, 2);
    assert_str(&p->name, "g");
    assert_str(&p->filename, "附.zip");
    assert_true(p->has_filename);

    /* another charset: the plain filename stands */
    p = part(parts, 3);
    assert_str(&p->filename, "e.txt");

    /* an empty file input: a filename, empty */
    p = part(parts, 4);
    assert_true(p->has_filename);
    assert_int_equal(p->filename.len, 0);
    assert_str(&p->content_type, "application/octet-stream");
    assert_int_equal(p->data.len, 0);

    p = part(parts, 5);
    assert_str(&p->name, "中文名");
    assert_str(&p->filename, "C:\\dir\\a.doc");
}


static void
test_malformed(void **state)
{
    char         *body, *p;
    ngx_uint_t    i;
    ngx_array_t  *parts;

#define PART(n)  "--XyZ\r\nContent-Disposition: form-data; name=" n \
                 "\r\n\r\nv\r\n"

    /* no final boundary */
    assert_malformed(PART("a"));
    assert_malformed(PART("a") "--XyZ");
    assert_malformed(PART("a") "--XyZ-");
    assert_malformed(PART("a") "--XyZ\r\n");
    assert_malformed("--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
                     "\r\nvalue without end");
    assert_malformed("no delimiter at all");
    assert_malformed("");

    /* a part without a name, with an empty one, without disposition */
    assert_malformed("--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n"
                     "--XyZ--");
    assert_malformed(PART("\"\"") "--XyZ--");
    assert_malformed("--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n"
                     "--XyZ--");
    assert_malformed("--XyZ\r\n\r\nv\r\n--XyZ--");
    assert_malformed("--XyZ\r\nContent-Disposition: attachment; name=a\r\n"
                     "\r\nv\r\n--XyZ--");
    assert_malformed("--XyZ\r\nContent-Disposition: form-data; filename=x\r\n"
                     "\r\nv\r\n--XyZ--");

    /* malformed parameters and header lines */
    assert_malformed(PART("\"a") "--XyZ--");
    assert_malformed(PART("a b") "--XyZ--");
    assert_malformed(PART("") "--XyZ--");
    assert_malformed(PART("a; name=b") "--XyZ--");
    assert_malformed(PART("a; filename=x; filename=y") "--XyZ--");
    assert_malformed(PART("a; filename*=UTF-8''%E9%8") "--XyZ--");
    assert_malformed(PART("a; filename*=UTF-8''%G0") "--XyZ--");
    assert_malformed(PART("a; filename*=\"UTF-8''a\"") "--XyZ--");
    assert_malformed(PART("a; filename*=a.txt") "--XyZ--");
    assert_malformed(PART("a\"\"") "--XyZ--");
    assert_malformed("--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
                     "Content-Disposition: form-data; name=b\r\n"
                     "\r\nv\r\n--XyZ--");
    assert_malformed("--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
                     "Content-Type: a\r\nContent-Type: b\r\n"
                     "\r\nv\r\n--XyZ--");
    assert_malformed("--XyZ\r\nContent-Disposition: form-data;\r\n"
                     " name=a\r\n\r\nv\r\n--XyZ--");
    assert_malformed("--XyZ\r\nContent-Disposition : form-data; name=a\r\n"
                     "\r\nv\r\n--XyZ--");
    assert_malformed("--XyZ\r\nno colon here\r\n"
                     "\r\nv\r\n--XyZ--");
    assert_malformed("--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
                     "X-Bad: a\x01" "b\r\n\r\nv\r\n--XyZ--");

    /* bare LF is not accepted */
    assert_malformed("--XyZ\nContent-Disposition: form-data; name=a\n\n"
                     "v\n--XyZ--\n");
    assert_malformed("--XyZ\r\nContent-Disposition: form-data; name=a\n"
                     "\r\nv\r\n--XyZ--");
    assert_malformed("--XyZ\r\nContent-Disposition: form-data; name=a\r\r\n"
                     "\r\nv\r\n--XyZ--");


    /* 64 parts, then 65 */
    body = ngx_pnalloc(pool, 70 * 64 + 64);
    assert_non_null(body);
    p = body;

    for (i = 0; i < 64; i++) {
        p += sprintf(p, PART("p%u"), (unsigned) i);
    }

    strcpy(p, "--XyZ--");
    parts = parse(body);
    assert_int_equal(parts->nelts, 64);
    assert_str(&part(parts, 63)->name, "p63");

    p += sprintf(p, PART("p64"));
    strcpy(p, "--XyZ--");
    assert_malformed(body);
}


static void
test_header_limit(void **state)
{
    char         *body, *p;
    size_t        pad;
    ngx_array_t  *parts;

    /*
     * The header block, its final CR LF included, may be 8192 bytes:
     * "Content-Disposition: form-data; name=a\r\n" (40) + "X: " (3) +
     * padding + "\r\n" (2) + "\r\n" (2).
     */
    pad = 8192 - 40 - 3 - 2 - 2;

    body = ngx_pnalloc(pool, 9000);
    assert_non_null(body);

    p = body;
    p += sprintf(p, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n");
    p += sprintf(p, "X: ");
    memset(p, 'x', pad);
    p += pad;
    p += sprintf(p, "\r\n\r\nv\r\n--XyZ--");

    parts = parse(body);
    assert_int_equal(parts->nelts, 1);
    assert_str(&part(parts, 0)->data, "v");

    /* one more byte */
    p = body;
    p += sprintf(p, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n");
    p += sprintf(p, "X: ");
    memset(p, 'x', pad + 1);
    p += pad + 1;
    p += sprintf(p, "\r\n\r\nv\r\n--XyZ--");

    assert_malformed(body);

    /* a header block that never ends */
    p = body;
    p += sprintf(p, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n");
    memset(p, 'x', 8500);
    p[8500] = '\0';

    assert_malformed(body);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_preamble, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boundary_in_data, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_limit, setup, teardown),
    };

    return cmocka_run_group_tests_name("multipart", tests, NULL, NULL);
}
