
/*
 * A Host that no active site serves (ngx_http_gongkai_site.h).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_page.h"
#include "ngx_http_gongkai_site.h"


#ifndef NGX_HTTP_GONE
#define NGX_HTTP_GONE  410
#endif


static void ngx_http_gongkai_site_status_done(ngx_http_request_t *r,
    PGresult *res, ngx_int_t rc);
static ngx_int_t ngx_http_gongkai_site_redirect(ngx_http_request_t *r,
    ngx_str_t *domain);
static ngx_int_t ngx_http_gongkai_site_closed(ngx_http_request_t *r,
    ngx_http_gongkai_value_t *data, ngx_http_gongkai_value_t *closed);


static ngx_str_t  ngx_http_gongkai_site_html_type =
    ngx_string("text/html; charset=utf-8");


ngx_int_t
ngx_http_gongkai_site_missing(ngx_http_request_t *r)
{
    ngx_http_gongkai_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    if (ctx == NULL || ctx->host.len == 0) {
        return ngx_http_gongkai_unknown_site(r);
    }

    if (ngx_http_gongkai_db_query(r, NGX_HTTP_GONGKAI_STMT_HOST_STATUS, 1,
                                  &ctx->host, 0,
                                  ngx_http_gongkai_site_status_done)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_page_wait(r);

    return NGX_DONE;
}


static void
ngx_http_gongkai_site_status_done(ngx_http_request_t *r, PGresult *res,
    ngx_int_t rc)
{
    ngx_http_gongkai_value_t  *data, *moved, *closed;

    if (rc == NGX_HTTP_SERVICE_UNAVAILABLE) {
        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_error_nosite(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                "服务暂时不可用",
                "网站的数据服务暂时无法访问，"
                "请稍后再试。"));
        return;
    }

    data = (rc == NGX_OK) ? ngx_http_gongkai_result_object(r, res) : NULL;

    if (data == NULL) {
        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_error_nosite(r,
                NGX_HTTP_INTERNAL_SERVER_ERROR, "服务器内部错误",
                "处理您的请求时出现错误，请稍后再试。"));
        return;
    }

    moved = ngx_http_gongkai_value_get(data, (u_char *) "moved", 5);

    if (moved != NULL && moved->type == NGX_HTTP_GONGKAI_STRING) {
        ngx_http_finalize_request(r,
                                  ngx_http_gongkai_site_redirect(r,
                                                                 &moved->str));
        return;
    }

    closed = ngx_http_gongkai_value_get(data, (u_char *) "closed", 6);

    if (closed != NULL && closed->type == NGX_HTTP_GONGKAI_OBJECT
        && ngx_http_gongkai_value_truthy(
               ngx_http_gongkai_value_get(data, (u_char *) "site", 4)))
    {
        ngx_http_finalize_request(r,
                                  ngx_http_gongkai_site_closed(r, data,
                                                               closed));
        return;
    }

    ngx_http_finalize_request(r, ngx_http_gongkai_unknown_site(r));
}


/*
 * 301 to the same path and query on the primary domain, with the
 * request's scheme and the port the client used.
 */

static ngx_int_t
ngx_http_gongkai_site_redirect(ngx_http_request_t *r, ngx_str_t *domain)
{
    u_char           *p, *loc;
    size_t            i, len;
    ngx_str_t         port, scheme;
    ngx_table_elt_t  *h;

    if (domain->len == 0 || domain->len > 253) {
        goto bad;
    }

    for (i = 0; i < domain->len; i++) {
        if (!((domain->data[i] >= 'a' && domain->data[i] <= 'z')
              || (domain->data[i] >= '0' && domain->data[i] <= '9')
              || domain->data[i] == '-' || domain->data[i] == '.'))
        {
            goto bad;
        }
    }

    ngx_str_null(&port);

    if (r->headers_in.host != NULL && r->headers_in.host->value.len
        && r->headers_in.host->value.data[0] != '[')
    {
        h = r->headers_in.host;
        p = ngx_strlchr(h->value.data, h->value.data + h->value.len, ':');

        if (p != NULL) {
            port.data = p;
            port.len = h->value.data + h->value.len - p;

            for (i = 1; i < port.len; i++) {
                if (port.data[i] < '0' || port.data[i] > '9') {
                    break;
                }
            }

            if (port.len < 2 || port.len > 6 || i != port.len) {
                ngx_str_null(&port);
            }
        }
    }

    ngx_str_set(&scheme, "http://");

#if (NGX_HTTP_SSL)
    if (r->connection->ssl != NULL) {
        ngx_str_set(&scheme, "https://");
    }
#endif

    len = scheme.len + domain->len + port.len + r->unparsed_uri.len;

    loc = ngx_pnalloc(r->pool, len);
    if (loc == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(loc, scheme.data, scheme.len);
    p = ngx_cpymem(p, domain->data, domain->len);
    p = ngx_cpymem(p, port.data, port.len);
    p = ngx_cpymem(p, r->unparsed_uri.data, r->unparsed_uri.len);

    ngx_http_clear_location(r);

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Location");
    h->value.data = loc;
    h->value.len = p - loc;

    r->headers_out.location = h;

    return NGX_HTTP_MOVED_PERMANENTLY;

bad:

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "gongkai: refused redirect to domain \"%V\"", domain);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/*
 * The closure notice (关停公告) in the closed site's layout: 200 during
 * the notice period, 410 after it, whatever path was asked for.
 */

static ngx_int_t
ngx_http_gongkai_site_closed(ngx_http_request_t *r,
    ngx_http_gongkai_value_t *data, ngx_http_gongkai_value_t *closed)
{
    size_t                         len;
    ngx_uint_t                     status;
    ngx_chain_t                   *out;
    ngx_http_gongkai_ctx_t        *ctx;
    ngx_http_gongkai_tmpl_t       *t;
    ngx_http_gongkai_main_conf_t  *gmcf;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);
    gmcf = ngx_http_get_module_main_conf(r, ngx_http_gongkai_module);

    if (ctx->req != NULL) {
        ngx_http_gongkai_value_set(data, "req", ctx->req);
    }

    status = ngx_http_gongkai_value_truthy(
                 ngx_http_gongkai_value_get(closed, (u_char *) "gone", 4))
             ? NGX_HTTP_GONE : NGX_HTTP_OK;

    t = ngx_http_gongkai_tmpl_get(gmcf->tmpls, "closed");
    if (t == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai: no template \"closed\"");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_gongkai_tmpl_render(r->pool, t, data, &out, &len) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_gongkai_send(r, status, &ngx_http_gongkai_site_html_type,
                                 out, len);
}
