/*
 * Request helpers shared by the admin and the application form.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <sys/random.h>

#include "ngx_http_gongkai_request.h"


ngx_int_t
ngx_http_gongkai_body_data(ngx_http_request_t *r, ngx_str_t *body)
{
    u_char       *p;
    size_t        len;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        len += b->in_file ? (size_t) (b->file_last - b->file_pos)
                          : (size_t) (b->last - b->pos);
    }

    body->len = len;

    if (len == 0) {
        body->data = (u_char *) "";
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    body->data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
            continue;
        }

        n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                          b->file_pos);

        if (n != b->file_last - b->file_pos) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "gongkai: cannot read the request body "
                          "back from \"%V\"", &b->file->name);
            return NGX_ERROR;
        }

        p += n;
    }

    *p = '\0';

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_content_type_is(ngx_http_request_t *r, const char *type)
{
    size_t      len;
    ngx_str_t  *ct;

    if (r->headers_in.content_type == NULL) {
        return NGX_DECLINED;
    }

    ct = &r->headers_in.content_type->value;
    len = ngx_strlen(type);

    if (ct->len < len
        || ngx_strncasecmp(ct->data, (u_char *) type, len) != 0
        || (ct->len > len && ct->data[len] != ';' && ct->data[len] != ' '))
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_no_store(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Cache-Control");
    ngx_str_set(&h->value, "no-store");

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_set_cookie(ngx_http_request_t *r, const char *name,
    ngx_str_t *value, ngx_str_t *path)
{
    u_char           *p;
    size_t            len;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name) + sizeof("=") - 1 + value->len
          + sizeof("; Path=") - 1 + path->len
          + sizeof("; Max-Age=0") - 1
          + sizeof("; HttpOnly; SameSite=Strict") - 1
          + sizeof("; Secure") - 1;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Set-Cookie");
    h->value.data = p;

    p = ngx_sprintf(p, "%s=%V; Path=%V", name, value, path);

    if (value->len == 0) {
        p = ngx_cpymem(p, "; Max-Age=0", sizeof("; Max-Age=0") - 1);
    }

    p = ngx_cpymem(p, "; HttpOnly; SameSite=Strict",
                   sizeof("; HttpOnly; SameSite=Strict") - 1);

#if (NGX_HTTP_SSL)
    if (r->connection->ssl != NULL) {
        p = ngx_cpymem(p, "; Secure", sizeof("; Secure") - 1);
    }
#endif

    h->value.len = p - h->value.data;

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_random_hex(ngx_pool_t *pool, ngx_str_t *hex)
{
    u_char   buf[NGX_HTTP_GONGKAI_TOKEN_BYTES];
    size_t   got;
    ssize_t  n;

    for (got = 0; got < sizeof(buf); got += n) {
        n = getrandom(buf + got, sizeof(buf) - got, 0);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                n = 0;
                continue;
            }

            ngx_log_error(NGX_LOG_ALERT, pool->log, ngx_errno,
                          "gongkai: getrandom() failed");
            return NGX_ERROR;
        }
    }

    hex->data = ngx_pnalloc(pool, NGX_HTTP_GONGKAI_TOKEN_HEX);
    if (hex->data == NULL) {
        return NGX_ERROR;
    }

    hex->len = ngx_hex_dump(hex->data, buf, sizeof(buf)) - hex->data;

    ngx_explicit_memzero(buf, sizeof(buf));

    return NGX_OK;
}


ngx_uint_t
ngx_http_gongkai_token_shape(ngx_str_t *s)
{
    size_t  i;

    if (s->len != NGX_HTTP_GONGKAI_TOKEN_HEX) {
        return 0;
    }

    for (i = 0; i < s->len; i++) {
        if (!((s->data[i] >= '0' && s->data[i] <= '9')
              || (s->data[i] >= 'a' && s->data[i] <= 'f')))
        {
            return 0;
        }
    }

    return 1;
}


ngx_uint_t
ngx_http_gongkai_token_equal(ngx_str_t *a, ngx_str_t *b)
{
    u_char      d;
    ngx_uint_t  i;

    if (a->len != b->len || a->len == 0) {
        return 0;
    }

    d = 0;

    for (i = 0; i < a->len; i++) {
        d |= a->data[i] ^ b->data[i];
    }

    return d == 0;
}
