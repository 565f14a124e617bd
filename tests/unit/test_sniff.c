/*
 * Unit tests: attachment types by content and file names,
 * ngx_http_gongkai_sniff.c.  Every file is synthesised here: the few
 * bytes each check reads, and ZIP archives written by a tiny writer
 * (stored entries) that the tests then damage on purpose.
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
#include "ngx_http_gongkai_sniff.h"


#define DOCX_TYPE  "application/vnd.openxmlformats-officedocument" \
                   ".wordprocessingml.document"
#define XLSX_TYPE  "application/vnd.openxmlformats-officedocument" \
                   ".spreadsheetml.sheet"


typedef struct {
    u_char  *data;
    size_t   len;
} file_t;


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


static u_char *
put16(u_char *p, uint32_t v)
{
    *p++ = (u_char) v;
    *p++ = (u_char) (v >> 8);
    return p;
}


static u_char *
put32(u_char *p, uint32_t v)
{
    p = put16(p, v & 0xffff);
    return put16(p, v >> 16);
}


/*
 * A ZIP archive of stored entries: names[i] holding "data of <name>",
 * then the central directory and the end record with comment.
 */

static file_t
zip(const char **names, const char *comment)
{
    u_char      *p, *cd;
    size_t       size, nlen, dlen, cd_size;
    uint32_t     offsets[16];
    file_t       f;
    ngx_uint_t   i, n;
    char         data[256];

    size = 22 + strlen(comment);

    for (n = 0; names[n] != NULL; n++) {
        size += 30 + 46 + 2 * strlen(names[n]) + 9 + strlen(names[n]);
    }

    assert_true(n < 16);

    f.data = ngx_pcalloc(pool, size);
    assert_non_null(f.data);

    p = f.data;

    for (i = 0; i < n; i++) {
        nlen = strlen(names[i]);
        dlen = snprintf(data, sizeof(data), "data of %s", names[i]);

        offsets[i] = p - f.data;

        p = ngx_cpymem(p, "PK\x03\x04", 4);
        p = put16(p, 20);           /* version needed */
        p = put16(p, 0);            /* flags */
        p = put16(p, 0);            /* stored */
        p = put32(p, 0);            /* time, date */
        p = put32(p, 0);            /* crc-32: not checked */
        p = put32(p, dlen);
        p = put32(p, dlen);
        p = put16(p, nlen);
        p = put16(p, 0);
        p = ngx_cpymem(p, names[i], nlen);
        p = ngx_cpymem(p, data, dlen);
    }

    cd = p;

    for (i = 0; i < n; i++) {
        nlen = strlen(names[i]);
        dlen = snprintf(data, sizeof(data), "data of %s", names[i]);

        p = ngx_cpymem(p, "PK\x01\x02", 4);
        p = put16(p, 20);           /* made by */
        p = put16(p, 20);           /* needed */
        p = put16(p, 0);
        p = put16(p, 0);
        p = put32(p, 0);
        p = put32(p, 0);
        p = put32(p, dlen);
        p = put32(p, dlen);
        p = put16(p, nlen);
        p = put16(p, 0);            /* extra */
        p = put16(p, 0);            /* comment */
        p = put16(p, 0);            /* disk */
        p = put16(p, 0);            /* internal attributes */
        p = put32(p, 0);            /* external attributes */
        p = put32(p, offsets[i]);
        p = ngx_cpymem(p, names[i], nlen);
    }

    cd_size = p - cd;

    p = ngx_cpymem(p, "PK\x05\x06", 4);
    p = put16(p, 0);
    p = put16(p, 0);
    p = put16(p, n);
    p = put16(p, n);
    p = put32(p, cd_size);
    p = put32(p, cd - f.data);
    p = put16(p, strlen(comment));
    p = ngx_cpymem(p, comment, strlen(comment));

    f.len = p - f.data;
    assert_true(f.len <= size);

    return f;
}


static u_char *
eocd(file_t *f, size_t comment_len)
{
    return f->data + f->len - 22 - comment_len;
}


#define B(s)  bytes(s, sizeof(s) - 1)


static file_t
bytes(const char *data, size_t len)
{
    file_t  f;

    f.data = ngx_pnalloc(pool, len);
    assert_non_null(f.data);
    ngx_memcpy(f.data, data, len);
    f.len = len;

    return f;
}


/* a 512-byte OLE2 header, version 3 */

static file_t
ole(void)
{
    file_t  f;

    f.len = 1536;
    f.data = ngx_pcalloc(pool, f.len);
    assert_non_null(f.data);

    ngx_memcpy(f.data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
    put16(f.data + 24, 0x3e);
    put16(f.data + 26, 3);
    put16(f.data + 28, 0xfffe);
    put16(f.data + 30, 9);
    put16(f.data + 32, 6);

    return f;
}


static file_t
png(void)
{
    return B("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"
                 "\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0" "\x1f\x15\xc4\x89"
                 "\0\0\0\0IEND\xae\x42\x60\x82");
}


static void
assert_type(const char *name, file_t f, const char *type,
    const char *ext)
{
    ngx_str_t  ct, e;
    char       buf[256];

    if (ngx_http_gongkai_sniff((u_char *) name, strlen(name), f.data, f.len,
                               &ct, &e)
        != NGX_OK)
    {
        fail_msg("\"%s\" refused, expected %s", name, type);
    }

    ngx_memcpy(buf, ct.data, ct.len);
    buf[ct.len] = '\0';
    assert_string_equal(buf, type);

    ngx_memcpy(buf, e.data, e.len);
    buf[e.len] = '\0';
    assert_string_equal(buf, ext);
}


static void
assert_refused(const char *name, file_t f)
{
    ngx_str_t  ct, e;

    if (ngx_http_gongkai_sniff((u_char *) name, strlen(name), f.data, f.len,
                               &ct, &e)
        != NGX_DECLINED)
    {
        fail_msg("\"%s\" accepted as %.*s", name, (int) ct.len, ct.data);
    }
}


static const char  *docx_names[] = {
    "[Content_Types].xml", "_rels/.rels", "word/document.xml",
    "word/_rels/document.xml.rels", "docProps/core.xml", NULL
};

static const char  *xlsx_names[] = {
    "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
    "xl/worksheets/sheet1.xml", NULL
};

static const char  *ofd_names[] = {
    "OFD.xml", "Doc_0/Document.xml", "Doc_0/Pages/Page_0/Content.xml", NULL
};

static const char  *plain_names[] = {
    "通知.txt", "附件/表格.csv", NULL
};


static void
test_pdf(void **state)
{
    file_t  pdf;

    pdf = B("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
                "%%EOF\n");

    assert_type("通知.pdf", pdf, "application/pdf", "pdf");
    assert_type("REPORT.PDF", pdf, "application/pdf", "pdf");
    assert_type("a.exe.pdf", pdf, "application/pdf", "pdf");

    /* an HTML page, an executable, a text file named .pdf */
    assert_refused("通知.pdf", B("<!DOCTYPE html><html><body>x</body>"
                                     "</html>"));
    assert_refused("通知.pdf", B("MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"));
    assert_refused("通知.pdf", B("  %PDF-1.4 leading spaces"));
    assert_refused("通知.pdf", B("%PDF-"));
    assert_refused("通知.pdf", B("%PDF-x.y and more"));
    assert_refused("通知.pdf", B(""));

    /* a PDF under another allowed name */
    assert_refused("通知.doc", pdf);
    assert_refused("通知.zip", pdf);
    assert_refused("通知.jpg", pdf);
}


static void
test_images(void **state)
{
    file_t  jpg;

    jpg = B("\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
                "\xff\xd9");

    assert_type("照片.jpg", jpg, "image/jpeg", "jpg");
    assert_type("照片.JPEG", jpg, "image/jpeg", "jpeg");
    assert_type("照片.Jpg", jpg, "image/jpeg", "jpg");
    assert_type("图.png", png(), "image/png", "png");

    assert_refused("照片.png", jpg);
    assert_refused("图.jpg", png());
    assert_refused("图.png", B("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"));
    assert_refused("图.png", B("GIF89a\x01\0\x01\0\x80\0\0\xff\xff\xff"
                                   "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                   "\0\0\0\0\0\0\0\0\0\0"));
    assert_refused("照片.jpg", B("\xff\xd8"));
    assert_refused("图.gif", B("GIF89a\x01\0\x01\0\x80\0\0"));
    assert_refused("图.svg", B("<svg onload=alert(1)/>"));
    assert_refused("图.bmp", B("BM\0\0\0\0\0\0\0\0\0\0\0\0"));
}


static void
test_ole(void **state)
{
    file_t  f;

    assert_type("通知.doc", ole(), "application/msword", "doc");
    assert_type("统计.XLS", ole(), "application/vnd.ms-excel", "xls");
    assert_type("通知.wps", ole(), "application/kswps", "wps");

    /* an OLE2 file is not a docx, xlsx or zip */
    assert_refused("通知.docx", ole());
    assert_refused("统计.xlsx", ole());
    assert_refused("通知.zip", ole());

    /* version 4 with 4096-byte sectors */
    f = ole();
    put16(f.data + 26, 4);
    put16(f.data + 30, 12);
    assert_type("通知.doc", f, "application/msword", "doc");

    /* a damaged header */
    f = ole();
    put16(f.data + 28, 0xfeff);
    assert_refused("通知.doc", f);

    f = ole();
    put16(f.data + 30, 12);
    assert_refused("通知.doc", f);

    f = ole();
    f.len = 511;
    assert_refused("通知.doc", f);

    f = ole();
    f.data[7] = 0;
    assert_refused("通知.doc", f);

    /* an RTF or HTML file saved as .doc */
    assert_refused("通知.doc", B("{\\rtf1\\ansi hello}"));
    assert_refused("通知.doc", B("<html><body>x</body></html>"));
}


static void
test_zip_family(void **state)
{
    assert_type("通知.docx", zip(docx_names, ""), DOCX_TYPE, "docx");
    assert_type("统计.XLSX", zip(xlsx_names, ""), XLSX_TYPE, "xlsx");
    assert_type("公文.ofd", zip(ofd_names, ""), "application/ofd", "ofd");
    assert_type("附件.zip", zip(plain_names, ""), "application/zip", "zip");
    assert_type("附件.zip", zip(plain_names, "归档注释"),
                "application/zip", "zip");

    /* an OOXML or OFD archive is fine as .zip */
    assert_type("附件.zip", zip(docx_names, ""), "application/zip", "zip");
    assert_type("附件.zip", zip(ofd_names, ""), "application/zip", "zip");

    /* but a plain archive is not a document, nor one of another kind */
    assert_refused("通知.docx", zip(plain_names, ""));
    assert_refused("通知.docx", zip(xlsx_names, ""));
    assert_refused("统计.xlsx", zip(docx_names, ""));
    assert_refused("公文.ofd", zip(docx_names, ""));
    assert_refused("通知.docx", zip(ofd_names, ""));

    {
        static const char  *no_types[] = {
            "word/document.xml", "_rels/.rels", NULL
        };
        static const char  *macros[] = {
            "[Content_Types].xml", "word/document.xml",
            "word/vbaProject.bin", NULL
        };
        static const char  *xl_macros[] = {
            "[Content_Types].xml", "xl/workbook.xml", "xl/vbaProject.bin",
            NULL
        };
        static const char  *ofd_deep[] = {
            "Doc_0/OFD.xml", "Doc_0/Document.xml", NULL
        };
        static const char  *ofd_case[] = {
            "ofd.xml", "Doc_0/Document.xml", NULL
        };
        static const char  *word_dir_only[] = {
            "[Content_Types].xml", "word/", NULL
        };
        static const char  *holds_docx[] = {
            "报告.docx", "附件/表格.xlsx", NULL
        };

        /* an archive holding documents is an archive */
        assert_type("附件.zip", zip(holds_docx, ""), "application/zip",
                    "zip");
        assert_refused("通知.docx", zip(holds_docx, ""));

        assert_refused("通知.docx", zip(no_types, ""));
        assert_refused("通知.docx", zip(word_dir_only, ""));

        /* macro-enabled documents renamed .docx / .xlsx */
        assert_refused("通知.docx", zip(macros, ""));
        assert_refused("统计.xlsx", zip(xl_macros, ""));
        assert_type("附件.zip", zip(macros, ""), "application/zip", "zip");

        assert_refused("公文.ofd", zip(ofd_deep, ""));
        assert_refused("公文.ofd", zip(ofd_case, ""));
    }
}


static void
test_zip_damaged(void **state)
{
    u_char      *e, *p;
    size_t       cd;
    file_t       f, g;
    ngx_uint_t   i;

    /* sound, to start from */
    f = zip(docx_names, "");
    assert_type("通知.docx", f, DOCX_TYPE, "docx");

    /* truncated anywhere */
    g = f;
    g.len -= 1;
    assert_refused("通知.docx", g);
    g.len = f.len / 2;
    assert_refused("通知.docx", g);
    g.len = 100;
    assert_refused("通知.docx", g);

    /* bytes after the end record */
    g.data = ngx_pnalloc(pool, f.len + 4);
    assert_non_null(g.data);
    ngx_memcpy(g.data, f.data, f.len);
    ngx_memcpy(g.data + f.len, "junk", 4);
    g.len = f.len + 4;
    assert_refused("通知.docx", g);
    assert_refused("附件.zip", g);

    /* an executable with an archive appended (self-extracting) */
    g.data = ngx_pnalloc(pool, f.len + 64);
    assert_non_null(g.data);
    ngx_memzero(g.data, 64);
    ngx_memcpy(g.data, "MZ", 2);
    ngx_memcpy(g.data + 64, f.data, f.len);
    g.len = f.len + 64;
    assert_refused("附件.zip", g);
    assert_refused("通知.docx", g);

    /* the same with every offset adjusted, as real ones have them */
    e = eocd(&g, 0);
    cd = e[16] | (e[17] << 8);
    p = g.data + 64 + cd;

    for (i = 0; i < 5; i++) {
        put32(p + 42, (p[42] | (p[43] << 8)) + 64);
        p += 46 + (p[28] | (p[29] << 8));
    }

    put32(e + 16, cd + 64);
    assert_refused("附件.zip", g);

    /* (the start is all that is wrong with it: prove it) */
    ngx_memcpy(g.data, "PK\x03\x04", 4);
    assert_type("附件.zip", g, "application/zip", "zip");

    /* the central directory offset out of bounds, or off by one */
    g = zip(docx_names, "");
    e = eocd(&g, 0);
    put32(e + 16, g.len);
    assert_refused("通知.docx", g);

    g = zip(docx_names, "");
    e = eocd(&g, 0);
    put32(e + 16, (e[16] | (e[17] << 8)) + 1);
    assert_refused("通知.docx", g);

    /* the directory size too large */
    g = zip(docx_names, "");
    e = eocd(&g, 0);
    put32(e + 12, 0xfffffff0);
    assert_refused("通知.docx", g);

    /* the entry count wrong either way, or ZIP64's marker */
    g = zip(docx_names, "");
    e = eocd(&g, 0);
    put16(e + 8, 6);
    put16(e + 10, 6);
    assert_refused("通知.docx", g);

    g = zip(docx_names, "");
    e = eocd(&g, 0);
    put16(e + 8, 4);
    put16(e + 10, 4);
    assert_refused("通知.docx", g);

    g = zip(docx_names, "");
    e = eocd(&g, 0);
    put16(e + 8, 0xffff);
    put16(e + 10, 0xffff);
    assert_refused("附件.zip", g);

    /* a multi-disk archive */
    g = zip(docx_names, "");
    e = eocd(&g, 0);
    put16(e + 4, 1);
    assert_refused("附件.zip", g);

    /* the comment length not matching the data */
    g = zip(plain_names, "注释");
    e = eocd(&g, strlen("注释"));
    put16(e + 20, 2);
    assert_refused("附件.zip", g);

    /* a local header whose name differs from the directory's */
    g = zip(docx_names, "");
    g.data[30] = '{';
    assert_refused("通知.docx", g);

    /* a directory entry pointing at no local header */
    g = zip(docx_names, "");
    e = eocd(&g, 0);
    p = g.data + (e[16] | (e[17] << 8));
    put32(p + 42, 5);
    assert_refused("通知.docx", g);

    /* a compressed size running into the directory */
    g = zip(docx_names, "");
    e = eocd(&g, 0);
    p = g.data + (e[16] | (e[17] << 8));
    put32(p + 20, 100000);
    assert_refused("通知.docx", g);

    /* a name length running past the directory */
    g = zip(docx_names, "");
    e = eocd(&g, 0);
    p = g.data + (e[16] | (e[17] << 8));
    put16(p + 28, 60000);
    assert_refused("通知.docx", g);

    /* only an end record: an empty archive */
    g = B("PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    assert_refused("附件.zip", g);

    /* a local header and nothing else */
    g = B("PK\x03\x04 and then nothing of an archive, at all; padding "
              "padding padding padding padding padding padding");
    assert_refused("附件.zip", g);
}


static void
test_names(void **state)
{
    file_t  pdf;

    pdf = B("%PDF-1.4\n");

    /* extensions not allowed, or none */
    assert_refused("通知", pdf);
    assert_refused("通知.", pdf);
    assert_refused("通知.exe", B("MZ\x90\0"));
    assert_refused("通知.pdf.exe", pdf);
    assert_refused("通知.html", B("<html></html>"));
    assert_refused("通知.tar.gz", B("\x1f\x8b\x08\0"));
    assert_refused("通知.rar", B("Rar!\x1a\x07\0"));
    assert_refused("通知.docm", zip(docx_names, ""));
    assert_refused("通知.pdfx", pdf);
    assert_refused("通知.verylongext", pdf);
    assert_refused("", pdf);

    /* file_name_ok */
    assert_int_equal(ngx_http_gongkai_file_name_ok((u_char *) "通知.pdf",
                                                   strlen("通知.pdf")),
                     NGX_OK);
}


static ngx_int_t
name_ok(const char *name)
{
    return ngx_http_gongkai_file_name_ok((u_char *) name, strlen(name));
}


static void
test_file_name_ok(void **state)
{
    char  name[256];

    assert_int_equal(name_ok("关于2024年预算公开的通知.pdf"), NGX_OK);
    assert_int_equal(name_ok("a.b"), NGX_OK);
    assert_int_equal(name_ok("附件 1（表格）.xlsx"), NGX_OK);
    assert_int_equal(name_ok("v1.2.final.docx"), NGX_OK);

    assert_int_equal(name_ok(""), NGX_DECLINED);
    assert_int_equal(name_ok(".htaccess"), NGX_DECLINED);
    assert_int_equal(name_ok(".通知.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("../通知.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("a/b.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("a\\b.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("C:\\通知.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("通知"), NGX_DECLINED);
    assert_int_equal(name_ok("通知."), NGX_DECLINED);
    assert_int_equal(name_ok("通知\t.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("通知\n.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("通知\x7f.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("通知\xc2\x85.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("\xff\xfe.pdf"), NGX_DECLINED);
    assert_int_equal(name_ok("\xe9\x80.pdf"), NGX_DECLINED);
    assert_int_equal(ngx_http_gongkai_file_name_ok((u_char *) "a\0b.pdf",
                                                   7),
                     NGX_DECLINED);

    /* 200 bytes at most */
    memset(name, 'a', 196);
    strcpy(name + 196, ".pdf");
    assert_int_equal(name_ok(name), NGX_OK);

    memset(name, 'a', 197);
    strcpy(name + 197, ".pdf");
    assert_int_equal(name_ok(name), NGX_DECLINED);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pdf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_images, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zip_family, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zip_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_name_ok, setup,
                                        teardown),
    };

    return cmocka_run_group_tests_name("sniff", tests, NULL, NULL);
}
