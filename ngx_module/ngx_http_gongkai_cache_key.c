/*
 * The page cache's keys (see ngx_http_gongkai_cache_key.h).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_cache_key.h"


static size_t ngx_http_gongkai_cache_key_escape(u_char *dst, u_char *src,
    size_t len);


ngx_int_t
ngx_http_gongkai_cache_key(ngx_pool_t *pool, ngx_str_t *host,
    ngx_str_t *path, ngx_http_gongkai_cache_arg_t *args, ngx_uint_t n,
    ngx_str_t *key)
{
    u_char                        *p;
    size_t                         len;
    ngx_uint_t                     i, j, first;
    ngx_http_gongkai_cache_arg_t   a;

    /* a handful of parameters: insertion sort by name */

    for (i = 1; i < n; i++) {
        a = args[i];

        for (j = i; j > 0 && ngx_strcmp(args[j - 1].name, a.name) > 0; j--) {
            args[j] = args[j - 1];
        }

        args[j] = a;
    }

    len = host->len + 1 + ngx_http_gongkai_cache_key_escape(NULL, path->data,
                                                            path->len);

    for (i = 0; i < n; i++) {
        if (args[i].value.data == NULL) {
            continue;
        }

        len += 1 + ngx_strlen(args[i].name) + 1
               + ngx_http_gongkai_cache_key_escape(NULL, args[i].value.data,
                                                   args[i].value.len);
    }

    if (len > NGX_HTTP_GONGKAI_CACHE_KEY_MAX) {
        return NGX_DECLINED;
    }

    key->data = ngx_pnalloc(pool, len);
    if (key->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(key->data, host->data, host->len);
    *p++ = '\n';
    p += ngx_http_gongkai_cache_key_escape(p, path->data, path->len);

    first = 1;

    for (i = 0; i < n; i++) {
        if (args[i].value.data == NULL) {
            continue;
        }

        *p++ = first ? '?' : '&';
        first = 0;

        p = ngx_cpymem(p, args[i].name, ngx_strlen(args[i].name));
        *p++ = '=';
        p += ngx_http_gongkai_cache_key_escape(p, args[i].value.data,
                                               args[i].value.len);
    }

    key->len = p - key->data;

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_cache_arg_number(ngx_pool_t *pool, ngx_int_t n,
    ngx_int_t dflt, ngx_str_t *value)
{
    u_char  *p;

    if (n == dflt) {
        ngx_str_null(value);
        return NGX_OK;
    }

    p = ngx_pnalloc(pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    value->data = p;
    value->len = ngx_sprintf(p, "%i", n) - p;

    return NGX_OK;
}


/* copy src to dst (when not NULL) escaping the key's separators */

static size_t
ngx_http_gongkai_cache_key_escape(u_char *dst, u_char *src, size_t len)
{
    u_char   c;
    size_t   n, i;

    static u_char  hex[] = "0123456789ABCDEF";

    n = 0;

    for (i = 0; i < len; i++) {
        c = src[i];

        if (c < 0x20 || c == 0x7f || c == '%' || c == '?' || c == '&'
            || c == '=')
        {
            if (dst != NULL) {
                dst[n] = '%';
                dst[n + 1] = hex[c >> 4];
                dst[n + 2] = hex[c & 0xf];
            }

            n += 3;
            continue;
        }

        if (dst != NULL) {
            dst[n] = c;
        }

        n++;
    }

    return n;
}
