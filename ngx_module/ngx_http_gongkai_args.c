/*
 * Request input checks: UTF-8 validation and query string parsing.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_args.h"
#include "ngx_http_gongkai_value.h"


static ngx_uint_t ngx_http_gongkai_utf8_check(u_char *p, size_t len,
    ngx_uint_t text);
static ngx_int_t ngx_http_gongkai_args_decode(ngx_pool_t *pool, u_char *p,
    size_t len, ngx_str_t *out);
static ngx_int_t ngx_http_gongkai_hex(u_char c);


ngx_uint_t
ngx_http_gongkai_utf8_valid(u_char *p, size_t len)
{
    return ngx_http_gongkai_utf8_check(p, len, 0);
}


ngx_uint_t
ngx_http_gongkai_utf8_text_valid(u_char *p, size_t len)
{
    return ngx_http_gongkai_utf8_check(p, len, 1);
}


/* text: TAB, LF and CR are allowed (a textarea's value) */

static ngx_uint_t
ngx_http_gongkai_utf8_check(u_char *p, size_t len, ngx_uint_t text)
{
    u_char     c;
    u_char    *end;
    uint32_t   cp, min;
    ngx_uint_t n, i;

    end = p + len;

    while (p < end) {
        c = *p++;

        if (c < 0x80) {
            if ((c < 0x20 || c == 0x7f)
                && !(text && (c == '\t' || c == '\n' || c == '\r')))
            {
                return 0;
            }
            continue;
        }

        if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1f;
            min = 0x80;

        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0f;
            min = 0x800;

        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07;
            min = 0x10000;

        } else {
            return 0;
        }

        if ((size_t) (end - p) < n) {
            return 0;
        }

        for (i = 0; i < n; i++) {
            c = *p++;

            if ((c & 0xc0) != 0x80) {
                return 0;
            }

            cp = (cp << 6) | (c & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }

        /* C1 controls */
        if (cp >= 0x80 && cp <= 0x9f) {
            return 0;
        }
    }

    return 1;
}


size_t
ngx_http_gongkai_utf8_prefix(u_char *p, size_t len, size_t chars)
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < len; i++) {
        /* every byte but a continuation byte starts a character */
        if ((p[i] & 0xc0) != 0x80 && n++ == chars) {
            return i;
        }
    }

    return len;
}


ngx_int_t
ngx_http_gongkai_args_parse(ngx_pool_t *pool, ngx_str_t *args,
    const char **names, ngx_str_t *values, ngx_uint_t n, const char **err)
{
    u_char      *p, *end, *amp, *eq;
    size_t       nlen;
    ngx_str_t    name, value;
    ngx_uint_t   i, *seen;

    seen = ngx_pcalloc(pool, n * sizeof(ngx_uint_t));
    if (seen == NULL) {
        *err = "服务器内存不足";
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        ngx_str_null(&values[i]);
    }

    p = args->data;
    end = args->data + args->len;

    while (p < end) {
        amp = ngx_strlchr(p, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        if (amp == p) {
            p++;
            continue;
        }

        eq = ngx_strlchr(p, amp, '=');

        if (ngx_http_gongkai_args_decode(pool, p, (eq ? eq : amp) - p, &name)
            != NGX_OK)
        {
            *err = "查询参数的编码不正确";
            return NGX_DECLINED;
        }

        if (eq != NULL) {
            if (ngx_http_gongkai_args_decode(pool, eq + 1, amp - eq - 1,
                                             &value)
                != NGX_OK)
            {
                *err = "查询参数的编码不正确";
                return NGX_DECLINED;
            }

        } else {
            ngx_str_null(&value);
        }

        if (!ngx_http_gongkai_utf8_valid(name.data, name.len)
            || !ngx_http_gongkai_utf8_valid(value.data, value.len))
        {
            *err = "查询参数含有无效字符";
            return NGX_DECLINED;
        }

        for (i = 0; i < n; i++) {
            nlen = ngx_strlen(names[i]);

            if (name.len != nlen
                || ngx_strncmp(name.data, names[i], nlen) != 0)
            {
                continue;
            }

            if (seen[i]) {
                *err = "同一个查询参数只能出现一次";
                return NGX_DECLINED;
            }

            seen[i] = 1;

            if (value.len) {
                values[i] = value;
            }

            break;
        }

        p = amp + 1;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_form_parse(ngx_pool_t *pool, u_char *p, size_t len,
    ngx_http_gongkai_value_t **form, const char **err)
{
    u_char                    *end, *amp, *eq, *c;
    ngx_str_t                  name, value;
    ngx_uint_t                 nfields;
    ngx_http_gongkai_value_t  *obj, *v, *old, *arr;

    obj = ngx_http_gongkai_value_new(pool, NGX_HTTP_GONGKAI_OBJECT);
    if (obj == NULL) {
        *err = "服务器内存不足";
        return NGX_ERROR;
    }

    *form = obj;
    nfields = 0;
    end = p + len;

    while (p < end) {
        amp = ngx_strlchr(p, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        if (amp == p) {
            p++;
            continue;
        }

        if (++nfields > NGX_HTTP_GONGKAI_FORM_FIELDS_MAX) {
            *err = "提交的字段过多";
            return NGX_DECLINED;
        }

        eq = ngx_strlchr(p, amp, '=');

        if (ngx_http_gongkai_args_decode(pool, p, (eq ? eq : amp) - p, &name)
            != NGX_OK
            || (eq != NULL
                && ngx_http_gongkai_args_decode(pool, eq + 1, amp - eq - 1,
                                                &value)
                   != NGX_OK))
        {
            *err = "提交内容的编码不正确";
            return NGX_DECLINED;
        }

        if (eq == NULL) {
            ngx_str_set(&value, "");
        }

        /* field names are ours: [a-z0-9_], at most 64 bytes */

        if (name.len == 0 || name.len > 64) {
            *err = "提交的字段名不正确";
            return NGX_DECLINED;
        }

        for (c = name.data; c < name.data + name.len; c++) {
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')
                  || *c == '_'))
            {
                *err = "提交的字段名不正确";
                return NGX_DECLINED;
            }
        }

        if (!ngx_http_gongkai_utf8_text_valid(value.data, value.len)) {
            *err = "提交的内容含有无效字符";
            return NGX_DECLINED;
        }

        v = ngx_http_gongkai_value_string(pool, value.data, value.len);
        if (v == NULL) {
            *err = "服务器内存不足";
            return NGX_ERROR;
        }

        /* a repeated name (checkboxes) gives an array of its values */

        old = ngx_http_gongkai_value_get(obj, name.data, name.len);

        if (old == NULL) {
            v->key = name;
            ngx_http_gongkai_value_push(obj, v);

        } else if (old->type == NGX_HTTP_GONGKAI_ARRAY) {
            ngx_http_gongkai_value_push(old, v);

        } else {
            /* the member becomes an array of its old and new values */
            arr = ngx_http_gongkai_value_string(pool, old->str.data,
                                                old->str.len);
            if (arr == NULL) {
                *err = "服务器内存不足";
                return NGX_ERROR;
            }

            old->type = NGX_HTTP_GONGKAI_ARRAY;
            ngx_str_null(&old->str);
            old->first = NULL;
            old->last = NULL;
            old->n = 0;

            ngx_http_gongkai_value_push(old, arr);
            ngx_http_gongkai_value_push(old, v);
        }

        p = amp + 1;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_args_decode(ngx_pool_t *pool, u_char *p, size_t len,
    ngx_str_t *out)
{
    u_char     *d, *end;
    ngx_int_t   hi, lo;

    out->len = 0;
    out->data = (u_char *) "";

    if (len == 0) {
        return NGX_OK;
    }

    d = ngx_pnalloc(pool, len);
    if (d == NULL) {
        return NGX_ERROR;
    }

    out->data = d;
    end = p + len;

    while (p < end) {

        if (*p == '+') {
            *d++ = ' ';
            p++;
            continue;
        }

        if (*p != '%') {
            *d++ = *p++;
            continue;
        }

        if (end - p < 3) {
            return NGX_ERROR;
        }

        hi = ngx_http_gongkai_hex(p[1]);
        lo = ngx_http_gongkai_hex(p[2]);

        if (hi < 0 || lo < 0) {
            return NGX_ERROR;
        }

        *d++ = (u_char) (hi << 4 | lo);
        p += 3;
    }

    out->len = d - out->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_hex(u_char c)
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


ngx_uint_t
ngx_http_gongkai_arg_code(ngx_str_t *v, size_t max, ngx_uint_t upper)
{
    size_t  i;

    if (v->len == 0 || v->len > max) {
        return 0;
    }

    for (i = 0; i < v->len; i++) {
        if (!((v->data[i] >= '0' && v->data[i] <= '9')
              || (v->data[i] >= 'A' && v->data[i] <= 'Z')
              || (v->data[i] >= 'a' && v->data[i] <= 'z')))
        {
            return 0;
        }

        if (upper) {
            v->data[i] = ngx_toupper(v->data[i]);
        }
    }

    return 1;
}


ngx_int_t
ngx_http_gongkai_arg_number(ngx_str_t *v, size_t max)
{
    if (v->len == 0 || v->len > max) {
        return -1;
    }

    return ngx_atoi(v->data, v->len);
}
