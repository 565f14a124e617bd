
/*
 * multipart/form-data parser (ngx_http_gongkai_multipart.h).
 *
 * A delimiter is CR LF "--" boundary (or "--" boundary at the very start
 * of the body) followed by "--" (the close delimiter) or by optional
 * spaces and tabs and CR LF.  A "--boundary" followed by anything else is
 * not a delimiter but data, as in other strict parsers: a boundary is
 * chosen not to occur in the data, and a prefix that merely looks like
 * one stays data.
 *
 * Bare LF is not accepted, neither in delimiters nor in header lines.
 * Every browser and HTTP client sends CR LF, as RFC 2046 and RFC 7578
 * require; accepting LF too would make "\n--boundary" inside a file's
 * data end the part early, and would let two parsers (this one and,
 * say, an inspecting proxy) disagree on where a part ends.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_multipart.h"


#define NGX_HTTP_GONGKAI_MP_DISPOSITION  0x01
#define NGX_HTTP_GONGKAI_MP_TYPE         0x02

#define NGX_HTTP_GONGKAI_MP_NAME         0x01
#define NGX_HTTP_GONGKAI_MP_FILENAME     0x02
#define NGX_HTTP_GONGKAI_MP_FILENAME_EXT 0x04


typedef struct {
    ngx_str_t    name;
    ngx_str_t    value;       /* quoted: between the quotes, as sent */
    ngx_uint_t   quoted;
    ngx_uint_t   escaped;     /* the quoted value has "\" escapes */
} ngx_http_gongkai_mp_param_t;


static u_char *ngx_http_gongkai_mp_param(u_char *p, u_char *end,
    ngx_http_gongkai_mp_param_t *param);
static ngx_uint_t ngx_http_gongkai_mp_tchar(u_char c);
static ngx_uint_t ngx_http_gongkai_mp_bchar(u_char c);
static u_char *ngx_http_gongkai_mp_ows(u_char *p, u_char *end);
static u_char *ngx_http_gongkai_mp_find(u_char *p, u_char *end,
    u_char *delim, size_t dlen);
static ngx_uint_t ngx_http_gongkai_mp_delimiter(u_char *p, u_char *end);
static ngx_int_t ngx_http_gongkai_mp_header(ngx_pool_t *pool, u_char *p,
    u_char *end, ngx_http_gongkai_part_t *part, ngx_uint_t *seen);
static ngx_int_t ngx_http_gongkai_mp_disposition(ngx_pool_t *pool,
    u_char *p, u_char *end, ngx_http_gongkai_part_t *part);
static ngx_int_t ngx_http_gongkai_mp_unquote(ngx_pool_t *pool,
    ngx_http_gongkai_mp_param_t *param, ngx_str_t *out);
static ngx_int_t ngx_http_gongkai_mp_ext_value(ngx_pool_t *pool,
    ngx_str_t *v, ngx_str_t *out);
static ngx_int_t ngx_http_gongkai_mp_hex(u_char c);


ngx_int_t
ngx_http_gongkai_multipart_boundary(ngx_str_t *content_type,
    ngx_str_t *boundary)
{
    u_char                       *p, *end;
    size_t                        i;
    ngx_uint_t                    found;
    ngx_http_gongkai_mp_param_t   param;

    p = content_type->data;
    end = p + content_type->len;

    p = ngx_http_gongkai_mp_ows(p, end);

    if ((size_t) (end - p) < sizeof("multipart/form-data") - 1
        || ngx_strncasecmp(p, (u_char *) "multipart/form-data",
                           sizeof("multipart/form-data") - 1)
           != 0)
    {
        return NGX_DECLINED;
    }

    p += sizeof("multipart/form-data") - 1;
    found = 0;

    for ( ;; ) {
        p = ngx_http_gongkai_mp_ows(p, end);

        if (p == end) {
            break;
        }

        if (*p != ';') {
            return NGX_DECLINED;
        }

        p = ngx_http_gongkai_mp_param(p, end, &param);
        if (p == NULL) {
            return NGX_DECLINED;
        }

        if (param.name.len != sizeof("boundary") - 1
            || ngx_strncasecmp(param.name.data, (u_char *) "boundary",
                               sizeof("boundary") - 1)
               != 0)
        {
            continue;
        }

        if (found || param.escaped) {
            return NGX_DECLINED;
        }

        found = 1;
        *boundary = param.value;
    }

    if (!found || boundary->len == 0 || boundary->len > 70
        || boundary->data[boundary->len - 1] == ' ')
    {
        return NGX_DECLINED;
    }

    for (i = 0; i < boundary->len; i++) {
        if (!ngx_http_gongkai_mp_bchar(boundary->data[i])) {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/*
 * One parameter, p at its ";": name "=" (token / quoted-string).  Returns
 * the position after it, or NULL if malformed.  A ";" with nothing after
 * it gives an empty name.
 */

static u_char *
ngx_http_gongkai_mp_param(u_char *p, u_char *end,
    ngx_http_gongkai_mp_param_t *param)
{
    u_char  *start;

    p = ngx_http_gongkai_mp_ows(p + 1, end);

    param->name.data = p;
    param->name.len = 0;
    param->value.data = p;
    param->value.len = 0;
    param->quoted = 0;
    param->escaped = 0;

    if (p == end) {
        return p;
    }

    while (p < end && ngx_http_gongkai_mp_tchar(*p)) {
        p++;
    }

    param->name.len = p - param->name.data;

    if (param->name.len == 0 || p == end || *p != '=') {
        return NULL;
    }

    p++;

    if (p < end && *p == '"') {
        param->quoted = 1;
        start = ++p;

        for ( /* void */ ; p < end && *p != '"'; p++) {

            if (*p == '\\') {
                if (++p == end) {
                    return NULL;
                }

                param->escaped = 1;
            }

            /* qdtext and quoted-pair: no controls but HT */

            if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
                return NULL;
            }
        }

        if (p == end) {
            return NULL;
        }

        param->value.data = start;
        param->value.len = p - start;

        return p + 1;
    }

    start = p;

    while (p < end && ngx_http_gongkai_mp_tchar(*p)) {
        p++;
    }

    if (p == start) {
        return NULL;
    }

    param->value.data = start;
    param->value.len = p - start;

    return p;
}


/* RFC 7230 tchar */

static ngx_uint_t
ngx_http_gongkai_mp_tchar(u_char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z'))
    {
        return 1;
    }

    return c != '\0' && ngx_strchr("!#$%&'*+-.^_`|~", c) != NULL;
}


/* RFC 2046 bchars */

static ngx_uint_t
ngx_http_gongkai_mp_bchar(u_char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z'))
    {
        return 1;
    }

    return c != '\0' && ngx_strchr("'()+_,-./:=? ", c) != NULL;
}


static u_char *
ngx_http_gongkai_mp_ows(u_char *p, u_char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    return p;
}


ngx_int_t
ngx_http_gongkai_multipart_parse(ngx_pool_t *pool, ngx_str_t *boundary,
    u_char *data, size_t len, ngx_array_t *parts)
{
    u_char                   *p, *q, *end, *hend, *delim;
    size_t                    dlen;
    ngx_uint_t                nelts, seen;
    ngx_http_gongkai_part_t   part, *pp;

    if (boundary->len == 0 || boundary->len > 70) {
        return NGX_DECLINED;
    }

    dlen = 4 + boundary->len;

    delim = ngx_pnalloc(pool, dlen);
    if (delim == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(delim, "\r\n--", 4);
    ngx_memcpy(delim + 4, boundary->data, boundary->len);

    end = data + len;
    nelts = parts->nelts;

    /* the first delimiter: at the start, or after the preamble */

    if (len >= dlen - 2 && ngx_memcmp(data, delim + 2, dlen - 2) == 0
        && ngx_http_gongkai_mp_delimiter(data + dlen - 2, end))
    {
        p = data + dlen - 2;

    } else {
        q = ngx_http_gongkai_mp_find(data, end, delim, dlen);
        if (q == NULL) {
            return NGX_DECLINED;
        }

        p = q + dlen;
    }

    /* p is just after a "--boundary" */

    for ( ;; ) {

        if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
            /* the close delimiter: what follows is the epilogue */
            return NGX_OK;
        }

        p = ngx_http_gongkai_mp_ows(p, end);
        p += 2;              /* the CR LF, checked by mp_delimiter() */

        if (parts->nelts - nelts == NGX_HTTP_GONGKAI_MULTIPART_MAX_PARTS) {
            goto declined;
        }

        ngx_memzero(&part, sizeof(ngx_http_gongkai_part_t));
        part.content_type.data = (u_char *) "";
        part.filename.data = (u_char *) "";

        /* the header block, up to an empty line */

        hend = ((size_t) (end - p) > NGX_HTTP_GONGKAI_MULTIPART_MAX_HEADERS)
               ? p + NGX_HTTP_GONGKAI_MULTIPART_MAX_HEADERS : end;
        seen = 0;

        for ( ;; ) {
            /* each line's CR LF within the limit */

            for (q = p; q + 1 < hend && !(q[0] == '\r' && q[1] == '\n'); q++)
            {
                if (*q == '\n' || *q == '\r') {
                    goto declined;
                }
            }

            if (q + 1 >= hend) {
                goto declined;
            }

            if (q == p) {
                p = q + 2;
                break;
            }

            switch (ngx_http_gongkai_mp_header(pool, p, q, &part, &seen)) {
            case NGX_OK:
                break;
            case NGX_DECLINED:
                goto declined;
            default:
                goto failed;
            }

            p = q + 2;
        }

        if (part.name.len == 0) {
            goto declined;
        }

        /* the data, up to the next delimiter */

        q = ngx_http_gongkai_mp_find(p, end, delim, dlen);
        if (q == NULL) {
            goto declined;
        }

        part.data.data = p;
        part.data.len = q - p;

        pp = ngx_array_push(parts);
        if (pp == NULL) {
            goto failed;
        }

        *pp = part;

        p = q + dlen;
    }

declined:

    parts->nelts = nelts;
    return NGX_DECLINED;

failed:

    parts->nelts = nelts;
    return NGX_ERROR;
}


/* the next delimiter (CR LF "--" boundary, properly ended) from p */

static u_char *
ngx_http_gongkai_mp_find(u_char *p, u_char *end, u_char *delim, size_t dlen)
{
    u_char  *q;

    while ((size_t) (end - p) >= dlen) {
        q = ngx_strlchr(p, end - dlen + 1, '\r');
        if (q == NULL) {
            return NULL;
        }

        if (ngx_memcmp(q, delim, dlen) == 0
            && ngx_http_gongkai_mp_delimiter(q + dlen, end))
        {
            return q;
        }

        p = q + 1;
    }

    return NULL;
}


/* after "--boundary": "--", or transport padding and CR LF */

static ngx_uint_t
ngx_http_gongkai_mp_delimiter(u_char *p, u_char *end)
{
    if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
        return 1;
    }

    p = ngx_http_gongkai_mp_ows(p, end);

    return end - p >= 2 && p[0] == '\r' && p[1] == '\n';
}


/* one header line [p, end), without its CR LF */

static ngx_int_t
ngx_http_gongkai_mp_header(ngx_pool_t *pool, u_char *p, u_char *end,
    ngx_http_gongkai_part_t *part, ngx_uint_t *seen)
{
    u_char     *name, *v, *ve;
    size_t      len;
    ngx_uint_t  bit;

    name = p;

    while (p < end && ngx_http_gongkai_mp_tchar(*p)) {
        p++;
    }

    len = p - name;

    /* no folding (a line starting with a space), no space before ":" */

    if (len == 0 || p == end || *p != ':') {
        return NGX_DECLINED;
    }

    v = ngx_http_gongkai_mp_ows(p + 1, end);
    ve = end;

    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) {
        ve--;
    }

    for (p = v; p < ve; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
            return NGX_DECLINED;
        }
    }

    if (len == sizeof("Content-Disposition") - 1
        && ngx_strncasecmp(name, (u_char *) "Content-Disposition", len) == 0)
    {
        bit = NGX_HTTP_GONGKAI_MP_DISPOSITION;

    } else if (len == sizeof("Content-Type") - 1
               && ngx_strncasecmp(name, (u_char *) "Content-Type", len) == 0)
    {
        bit = NGX_HTTP_GONGKAI_MP_TYPE;

    } else {
        /* Content-Transfer-Encoding and others: ignored (RFC 7578 4.7) */
        return NGX_OK;
    }

    if (*seen & bit) {
        return NGX_DECLINED;
    }

    *seen |= bit;

    if (bit == NGX_HTTP_GONGKAI_MP_TYPE) {
        part->content_type.data = v;
        part->content_type.len = ve - v;
        return NGX_OK;
    }

    return ngx_http_gongkai_mp_disposition(pool, v, ve, part);
}


/*
 * Content-Disposition: form-data; name="..."; filename="...";
 * filename*=UTF-8''...
 */

static ngx_int_t
ngx_http_gongkai_mp_disposition(ngx_pool_t *pool, u_char *p, u_char *end,
    ngx_http_gongkai_part_t *part)
{
    ngx_int_t                     rc;
    ngx_str_t                     ext;
    ngx_uint_t                    seen, bit;
    ngx_http_gongkai_mp_param_t   param;

    if ((size_t) (end - p) < sizeof("form-data") - 1
        || ngx_strncasecmp(p, (u_char *) "form-data",
                           sizeof("form-data") - 1)
           != 0)
    {
        return NGX_DECLINED;
    }

    p += sizeof("form-data") - 1;
    seen = 0;
    ngx_str_null(&ext);

    for ( ;; ) {
        p = ngx_http_gongkai_mp_ows(p, end);

        if (p == end) {
            break;
        }

        if (*p != ';') {
            return NGX_DECLINED;
        }

        p = ngx_http_gongkai_mp_param(p, end, &param);
        if (p == NULL) {
            return NGX_DECLINED;
        }

        if (param.name.len == 4
            && ngx_strncasecmp(param.name.data, (u_char *) "name", 4) == 0)
        {
            bit = NGX_HTTP_GONGKAI_MP_NAME;

        } else if (param.name.len == 8
                   && ngx_strncasecmp(param.name.data,
                                      (u_char *) "filename", 8)
                      == 0)
        {
            bit = NGX_HTTP_GONGKAI_MP_FILENAME;

        } else if (param.name.len == 9
                   && ngx_strncasecmp(param.name.data,
                                      (u_char *) "filename*", 9)
                      == 0)
        {
            bit = NGX_HTTP_GONGKAI_MP_FILENAME_EXT;

        } else {
            continue;
        }

        if (seen & bit) {
            return NGX_DECLINED;
        }

        seen |= bit;

        switch (bit) {

        case NGX_HTTP_GONGKAI_MP_NAME:
            rc = ngx_http_gongkai_mp_unquote(pool, &param, &part->name);
            break;

        case NGX_HTTP_GONGKAI_MP_FILENAME:
            part->has_filename = 1;
            rc = ngx_http_gongkai_mp_unquote(pool, &param, &part->filename);
            break;

        default: /* filename*: an ext-value is never quoted */
            if (param.quoted) {
                return NGX_DECLINED;
            }

            ext = param.value;
            rc = NGX_OK;
        }

        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (ext.data != NULL) {
        rc = ngx_http_gongkai_mp_ext_value(pool, &ext, &part->filename);

        if (rc == NGX_OK) {
            part->has_filename = 1;

        } else if (rc != NGX_DONE) {
            return rc;
        }
    }

    return NGX_OK;
}


/* a parameter's value with its quoted-pair escapes undone */

static ngx_int_t
ngx_http_gongkai_mp_unquote(ngx_pool_t *pool,
    ngx_http_gongkai_mp_param_t *param, ngx_str_t *out)
{
    u_char  *p, *end, *d;

    if (!param->escaped) {
        *out = param->value;
        return NGX_OK;
    }

    d = ngx_pnalloc(pool, param->value.len);
    if (d == NULL) {
        return NGX_ERROR;
    }

    out->data = d;
    end = param->value.data + param->value.len;

    for (p = param->value.data; p < end; p++) {
        if (*p == '\\') {
            p++;
        }

        *d++ = *p;
    }

    out->len = d - out->data;

    return NGX_OK;
}


/*
 * RFC 5987 ext-value: charset "'" [ language ] "'" value-chars.  Only
 * UTF-8 is decoded; another charset gives NGX_DONE (the plain filename
 * stands).  Malformed: NGX_DECLINED.
 */

static ngx_int_t
ngx_http_gongkai_mp_ext_value(ngx_pool_t *pool, ngx_str_t *v,
    ngx_str_t *out)
{
    u_char     *p, *end, *q, *d, c;
    ngx_int_t   hi, lo;

    p = v->data;
    end = p + v->len;

    q = ngx_strlchr(p, end, '\'');
    if (q == NULL) {
        return NGX_DECLINED;
    }

    p = ngx_strlchr(q + 1, end, '\'');
    if (p == NULL) {
        return NGX_DECLINED;
    }

    if (q - v->data != 5
        || ngx_strncasecmp(v->data, (u_char *) "UTF-8", 5) != 0)
    {
        return NGX_DONE;
    }

    p++;

    d = ngx_pnalloc(pool, end - p + 1);
    if (d == NULL) {
        return NGX_ERROR;
    }

    out->data = d;

    while (p < end) {
        c = *p++;

        if (c == '%') {
            if (end - p < 2) {
                return NGX_DECLINED;
            }

            hi = ngx_http_gongkai_mp_hex(p[0]);
            lo = ngx_http_gongkai_mp_hex(p[1]);

            if (hi < 0 || lo < 0) {
                return NGX_DECLINED;
            }

            c = (u_char) (hi * 16 + lo);
            p += 2;

        } else if (c == '\'') {
            /* not an attr-char */
            return NGX_DECLINED;
        }

        *d++ = c;
    }

    out->len = d - out->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_mp_hex(u_char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}
