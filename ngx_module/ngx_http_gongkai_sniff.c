
/*
 * Attachment types by content (ngx_http_gongkai_sniff.h).
 *
 * The ZIP reader trusts nothing: the end of central directory record
 * must end the data (a comment may precede the end, nothing may follow),
 * the central directory must lie within the data before that record,
 * every entry must fit in it, and every entry's local header must lie
 * before the central directory, carry the same name and hold its
 * compressed data within bounds.  An archive must also start with a
 * local header, which refuses executables with an archive appended
 * (self-extracting archives) and other polyglots.  Nothing is
 * decompressed: only names are read.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_args.h"
#include "ngx_http_gongkai_sniff.h"


#define NGX_HTTP_GONGKAI_SNIFF_PDF    1
#define NGX_HTTP_GONGKAI_SNIFF_OLE    2
#define NGX_HTTP_GONGKAI_SNIFF_JPEG   3
#define NGX_HTTP_GONGKAI_SNIFF_PNG    4
#define NGX_HTTP_GONGKAI_SNIFF_ZIP    5
#define NGX_HTTP_GONGKAI_SNIFF_DOCX   6
#define NGX_HTTP_GONGKAI_SNIFF_XLSX   7
#define NGX_HTTP_GONGKAI_SNIFF_OFD    8

/* what the names in an archive tell */
#define NGX_HTTP_GONGKAI_ZIP_TYPES    0x01   /* [Content_Types].xml */
#define NGX_HTTP_GONGKAI_ZIP_WORD     0x02   /* word/... */
#define NGX_HTTP_GONGKAI_ZIP_XL       0x04   /* xl/... */
#define NGX_HTTP_GONGKAI_ZIP_OFD      0x08   /* OFD.xml */
#define NGX_HTTP_GONGKAI_ZIP_WORD_VBA 0x10   /* word/vbaProject.bin */
#define NGX_HTTP_GONGKAI_ZIP_XL_VBA   0x20   /* xl/vbaProject.bin */

#define ngx_http_gongkai_le16(p)                                              \
    ((uint32_t) (p)[0] | ((uint32_t) (p)[1] << 8))

#define ngx_http_gongkai_le32(p)                                              \
    ((uint32_t) (p)[0] | ((uint32_t) (p)[1] << 8)                             \
     | ((uint32_t) (p)[2] << 16) | ((uint32_t) (p)[3] << 24))


typedef struct {
    ngx_str_t    ext;
    ngx_str_t    content_type;
    ngx_uint_t   kind;
} ngx_http_gongkai_sniff_type_t;


static ngx_uint_t ngx_http_gongkai_sniff_ole(u_char *p, size_t len);
static ngx_int_t ngx_http_gongkai_sniff_zip(u_char *p, size_t len,
    ngx_uint_t *found);
static ngx_uint_t ngx_http_gongkai_sniff_zip_name(u_char *name, size_t len);


static ngx_http_gongkai_sniff_type_t  ngx_http_gongkai_sniff_types[] = {

    { ngx_string("pdf"), ngx_string("application/pdf"),
      NGX_HTTP_GONGKAI_SNIFF_PDF },

    { ngx_string("ofd"), ngx_string("application/ofd"),
      NGX_HTTP_GONGKAI_SNIFF_OFD },

    { ngx_string("doc"), ngx_string("application/msword"),
      NGX_HTTP_GONGKAI_SNIFF_OLE },

    { ngx_string("docx"),
      ngx_string("application/vnd.openxmlformats-officedocument"
                 ".wordprocessingml.document"),
      NGX_HTTP_GONGKAI_SNIFF_DOCX },

    { ngx_string("xls"), ngx_string("application/vnd.ms-excel"),
      NGX_HTTP_GONGKAI_SNIFF_OLE },

    { ngx_string("xlsx"),
      ngx_string("application/vnd.openxmlformats-officedocument"
                 ".spreadsheetml.sheet"),
      NGX_HTTP_GONGKAI_SNIFF_XLSX },

    /* WPS Office's own type, as Kingsoft's software expects it */
    { ngx_string("wps"), ngx_string("application/kswps"),
      NGX_HTTP_GONGKAI_SNIFF_OLE },

    { ngx_string("jpg"), ngx_string("image/jpeg"),
      NGX_HTTP_GONGKAI_SNIFF_JPEG },

    { ngx_string("jpeg"), ngx_string("image/jpeg"),
      NGX_HTTP_GONGKAI_SNIFF_JPEG },

    { ngx_string("png"), ngx_string("image/png"),
      NGX_HTTP_GONGKAI_SNIFF_PNG },

    { ngx_string("zip"), ngx_string("application/zip"),
      NGX_HTTP_GONGKAI_SNIFF_ZIP },

    { ngx_null_string, ngx_null_string, 0 }
};


ngx_int_t
ngx_http_gongkai_sniff(u_char *name, size_t name_len, u_char *data,
    size_t len, ngx_str_t *content_type, ngx_str_t *ext)
{
    u_char                         *dot, lower[8];
    size_t                          n;
    ngx_uint_t                      ok, found;
    ngx_http_gongkai_sniff_type_t  *t;

    dot = NULL;

    for (n = name_len; n > 0; n--) {
        if (name[n - 1] == '.') {
            dot = &name[n - 1];
            break;
        }
    }

    if (dot == NULL) {
        return NGX_DECLINED;
    }

    n = name + name_len - (dot + 1);

    if (n == 0 || n >= sizeof(lower)) {
        return NGX_DECLINED;
    }

    ngx_strlow(lower, dot + 1, n);

    for (t = ngx_http_gongkai_sniff_types; t->kind != 0; t++) {
        if (t->ext.len == n && ngx_strncmp(t->ext.data, lower, n) == 0) {
            break;
        }
    }

    if (t->kind == 0) {
        return NGX_DECLINED;
    }

    ok = 0;

    switch (t->kind) {

    case NGX_HTTP_GONGKAI_SNIFF_PDF:
        ok = len >= 8 && ngx_strncmp(data, "%PDF-", 5) == 0
             && data[5] >= '1' && data[5] <= '9';
        break;

    case NGX_HTTP_GONGKAI_SNIFF_JPEG:
        ok = len >= 4 && data[0] == 0xff && data[1] == 0xd8
             && data[2] == 0xff;
        break;

    case NGX_HTTP_GONGKAI_SNIFF_PNG:
        ok = len >= 33
             && ngx_memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0
             && ngx_memcmp(data + 12, "IHDR", 4) == 0;
        break;

    case NGX_HTTP_GONGKAI_SNIFF_OLE:
        ok = ngx_http_gongkai_sniff_ole(data, len);
        break;

    default: /* the ZIP family */

        if (ngx_http_gongkai_sniff_zip(data, len, &found) != NGX_OK) {
            break;
        }

        switch (t->kind) {

        case NGX_HTTP_GONGKAI_SNIFF_DOCX:
            ok = (found & NGX_HTTP_GONGKAI_ZIP_TYPES)
                 && (found & NGX_HTTP_GONGKAI_ZIP_WORD)
                 && !(found & NGX_HTTP_GONGKAI_ZIP_WORD_VBA);
            break;

        case NGX_HTTP_GONGKAI_SNIFF_XLSX:
            ok = (found & NGX_HTTP_GONGKAI_ZIP_TYPES)
                 && (found & NGX_HTTP_GONGKAI_ZIP_XL)
                 && !(found & NGX_HTTP_GONGKAI_ZIP_XL_VBA);
            break;

        case NGX_HTTP_GONGKAI_SNIFF_OFD:
            ok = (found & NGX_HTTP_GONGKAI_ZIP_OFD) != 0;
            break;

        default: /* zip: any well-formed archive, an OOXML one too */
            ok = 1;
        }
    }

    if (!ok) {
        return NGX_DECLINED;
    }

    *content_type = t->content_type;
    *ext = t->ext;

    return NGX_OK;
}


/* OLE2 compound file header (MS-CFB 2.2): magic, version, byte order */

static ngx_uint_t
ngx_http_gongkai_sniff_ole(u_char *p, size_t len)
{
    uint32_t  major, shift;

    if (len < 512
        || ngx_memcmp(p, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) != 0)
    {
        return 0;
    }

    major = ngx_http_gongkai_le16(p + 26);
    shift = ngx_http_gongkai_le16(p + 30);

    if (p[28] != 0xfe || p[29] != 0xff) {
        return 0;
    }

    return (major == 3 && shift == 9) || (major == 4 && shift == 12);
}


/*
 * Walk a ZIP archive's central directory (APPNOTE.TXT 4.3): see the top
 * of the file for what is checked.  *found gets the NGX_HTTP_GONGKAI_ZIP_*
 * bits of the names seen.
 */

static ngx_int_t
ngx_http_gongkai_sniff_zip(u_char *p, size_t len, ngx_uint_t *found)
{
    u_char    *e, *c, *l;
    size_t     i, low, eocd, cd, cd_size, cd_end, off, lh, nlen, xlen, clen,
               csize;
    uint32_t   entries, n;

    *found = 0;

    if (len < 30 + 46 + 22 || ngx_memcmp(p, "PK\x03\x04", 4) != 0) {
        return NGX_DECLINED;
    }

    /* the end of central directory record, its comment ending the data */

    low = (len > 22 + 65535) ? len - 22 - 65535 : 0;
    e = NULL;

    for (i = len - 22 + 1; i-- > low; /* void */) {
        if (p[i] == 'P' && ngx_memcmp(p + i, "PK\x05\x06", 4) == 0
            && ngx_http_gongkai_le16(p + i + 20) == len - i - 22)
        {
            e = p + i;
            break;
        }
    }

    if (e == NULL) {
        return NGX_DECLINED;
    }

    eocd = e - p;
    entries = ngx_http_gongkai_le16(e + 10);
    cd = ngx_http_gongkai_le32(e + 16);
    cd_size = ngx_http_gongkai_le32(e + 12);

    /* one disk only; no ZIP64 (0xffff, 0xffffffff markers) */

    if (ngx_http_gongkai_le16(e + 4) != 0
        || ngx_http_gongkai_le16(e + 6) != 0
        || ngx_http_gongkai_le16(e + 8) != entries
        || entries == 0 || entries == 0xffff
        || cd == 0xffffffff || cd_size == 0xffffffff
        || cd > eocd || cd_size > eocd - cd)
    {
        return NGX_DECLINED;
    }

    cd_end = cd + cd_size;
    off = cd;

    for (n = 0; n < entries; n++) {

        if (cd_end - off < 46) {
            return NGX_DECLINED;
        }

        c = p + off;

        if (ngx_memcmp(c, "PK\x01\x02", 4) != 0) {
            return NGX_DECLINED;
        }

        csize = ngx_http_gongkai_le32(c + 20);
        nlen = ngx_http_gongkai_le16(c + 28);
        xlen = ngx_http_gongkai_le16(c + 30);
        clen = ngx_http_gongkai_le16(c + 32);
        lh = ngx_http_gongkai_le32(c + 42);

        if (nlen == 0 || cd_end - off - 46 < nlen + xlen + clen
            || csize == 0xffffffff)
        {
            return NGX_DECLINED;
        }

        /* the local header: before the directory, same name, data fits */

        if (lh > cd || cd - lh < 30) {
            return NGX_DECLINED;
        }

        l = p + lh;

        if (ngx_memcmp(l, "PK\x03\x04", 4) != 0
            || ngx_http_gongkai_le16(l + 26) != nlen
            || cd - lh - 30 < nlen
            || ngx_memcmp(l + 30, c + 46, nlen) != 0
            || cd - lh - 30 - nlen < ngx_http_gongkai_le16(l + 28)
            || cd - lh - 30 - nlen - ngx_http_gongkai_le16(l + 28) < csize)
        {
            return NGX_DECLINED;
        }

        *found |= ngx_http_gongkai_sniff_zip_name(c + 46, nlen);

        off += 46 + nlen + xlen + clen;
    }

    if (off != cd_end) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_http_gongkai_sniff_zip_name(u_char *name, size_t len)
{
    ngx_uint_t  found;

    found = 0;

    if (len == sizeof("[Content_Types].xml") - 1
        && ngx_strncmp(name, "[Content_Types].xml", len) == 0)
    {
        found |= NGX_HTTP_GONGKAI_ZIP_TYPES;
    }

    if (len == sizeof("OFD.xml") - 1 && ngx_strncmp(name, "OFD.xml", len) == 0)
    {
        found |= NGX_HTTP_GONGKAI_ZIP_OFD;
    }

    if (len > 5 && ngx_strncmp(name, "word/", 5) == 0) {
        found |= NGX_HTTP_GONGKAI_ZIP_WORD;

        if (len == sizeof("word/vbaProject.bin") - 1
            && ngx_strncasecmp(name, (u_char *) "word/vbaProject.bin", len)
               == 0)
        {
            found |= NGX_HTTP_GONGKAI_ZIP_WORD_VBA;
        }
    }

    if (len > 3 && ngx_strncmp(name, "xl/", 3) == 0) {
        found |= NGX_HTTP_GONGKAI_ZIP_XL;

        if (len == sizeof("xl/vbaProject.bin") - 1
            && ngx_strncasecmp(name, (u_char *) "xl/vbaProject.bin", len)
               == 0)
        {
            found |= NGX_HTTP_GONGKAI_ZIP_XL_VBA;
        }
    }

    return found;
}


ngx_int_t
ngx_http_gongkai_file_name_ok(u_char *name, size_t len)
{
    size_t  i, dot;

    if (len == 0 || len > NGX_HTTP_GONGKAI_FILE_NAME_MAX
        || name[0] == '.'
        || !ngx_http_gongkai_utf8_valid(name, len))
    {
        return NGX_DECLINED;
    }

    dot = 0;

    for (i = 0; i < len; i++) {
        if (name[i] == '/' || name[i] == '\\') {
            return NGX_DECLINED;
        }

        if (name[i] == '.') {
            dot = i;
        }
    }

    if (dot == 0 || dot == len - 1) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}
