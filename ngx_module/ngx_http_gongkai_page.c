/*
 * Pages: query a page's data, render its template, respond.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_page.h"
#include "ngx_http_gongkai_site.h"
#include "ngx_http_gongkai_cache.h"


static void ngx_http_gongkai_page_done(ngx_http_request_t *r, PGresult *res,
    ngx_int_t rc);
static ngx_int_t ngx_http_gongkai_page_render(ngx_http_request_t *r,
    ngx_uint_t status, const char *name, ngx_http_gongkai_value_t *data);
static ngx_http_gongkai_value_t *ngx_http_gongkai_error_value(
    ngx_pool_t *pool, ngx_uint_t status, const char *title,
    const char *message);


/*
 * The statements: each calls one function of sql/; nothing else is ever
 * sent to the server.  Parameters are always bound, never spliced.
 */
ngx_http_gongkai_stmt_t  ngx_http_gongkai_stmts[] = {
    { "gk_page_site", "select portal.page_site($1)", 1 },
    { "gk_page_home", "select portal.page_home($1)", 1 },
    { "gk_page_catalogue",
      "select portal.page_catalogue($1, $2, $3, $4::int, $5, $6)", 6 },
    { "gk_page_item", "select portal.page_item($1, $2)", 2 },
    { "gk_page_guide", "select portal.page_guide($1, $2)", 2 },
    { "gk_attachment",
      "select site, file_name, content_type, data"
      " from portal.attachment($1, $2, $3::int)", 3 },
    { "gk_page_search",
      "select portal.page_search($1, $2, $3, $4, $5::int, $6::int)", 6 },
    { "gk_host_status", "select portal.host_status($1)", 1 },
    { "gk_page_announcements", "select portal.page_announcements($1)", 1 },
    { "gk_page_apply", "select portal.page_apply($1)", 1 },
    { "gk_apply_submit",
      "select portal.apply_submit($1, $2::jsonb, $3::inet, $4::bytea,"
      " $5::bytea)", 5 },
    { "gk_apply_status",
      "select portal.apply_status($1, $2::jsonb, $3::inet)", 3 },
    { "gk_page_reports", "select portal.page_reports($1, $2)", 2 },
    { "gk_page_report", "select portal.page_report($1, $2, $3, $4)", 4 },
    { "gk_report_csv",
      "select site, file_name, content_type, data"
      " from portal.report_csv($1, $2, $3, $4, $5)", 5 },
};


#ifndef NGX_HTTP_GONE
#define NGX_HTTP_GONE  410
#endif


static ngx_str_t  ngx_http_gongkai_html_type =
    ngx_string("text/html; charset=utf-8");


ngx_int_t
ngx_http_gongkai_page_query(ngx_http_request_t *r, ngx_uint_t stmt,
    ngx_uint_t nparams, ngx_str_t *params)
{
    if (ngx_http_gongkai_db_query(r, stmt, nparams, params, 0,
                                  ngx_http_gongkai_page_done)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_page_wait(r);

    return NGX_DONE;
}


void
ngx_http_gongkai_page_wait(ngx_http_request_t *r)
{
    r->main->count++;

    /* notice a client that goes away while its query runs */
    if (!r->discard_body) {
        r->read_event_handler = ngx_http_test_reading;
    }
}


ngx_int_t
ngx_http_gongkai_page_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *title, const char *message)
{
    ngx_http_gongkai_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    ctx->status = status;
    ctx->title = title;
    ctx->message = message;
    ctx->tmpl = "error";

    return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_SITE, 1,
                                       &ctx->host);
}


ngx_int_t
ngx_http_gongkai_page_error_nosite(ngx_http_request_t *r, ngx_uint_t status,
    const char *title, const char *message)
{
    ngx_http_gongkai_value_t  *data;

    data = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
    if (data == NULL) {
        return NGX_ERROR;
    }

    ngx_http_gongkai_value_set(data, "error",
        ngx_http_gongkai_error_value(r->pool, status, title, message));

    return ngx_http_gongkai_page_render(r, status, "error", data);
}


static void
ngx_http_gongkai_page_done(ngx_http_request_t *r, PGresult *res,
    ngx_int_t rc)
{
    u_char                    *name;
    ngx_int_t                  n;
    ngx_uint_t                 status;
    const char                *tmpl;
    ngx_http_gongkai_ctx_t    *ctx;
    ngx_http_gongkai_value_t  *data, *site, *nf, *gone, *v;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    if (rc == NGX_HTTP_SERVICE_UNAVAILABLE) {

        /* stale-if-error: the cached page, if there is one */

        rc = ngx_http_gongkai_cache_stale(r, ctx);

        if (rc != NGX_DECLINED) {
            ngx_http_finalize_request(r, rc);
            return;
        }

        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_error_nosite(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                "服务暂时不可用",
                "网站的数据服务暂时无法访问，请稍后再试。"
                "给您带来不便，敬请谅解。"));
        return;
    }

    if (rc != NGX_OK) {
        goto internal;
    }

    data = ngx_http_gongkai_result_object(r, res);
    if (data == NULL) {
        goto internal;
    }

    site = ngx_http_gongkai_value_get(data, (u_char *) "site", 4);

    if (!ngx_http_gongkai_value_truthy(site)) {
        /* a former domain, a closed site, or none (site.c) */
        ngx_http_finalize_request(r, ngx_http_gongkai_site_missing(r));
        return;
    }

    if (ctx->req != NULL) {
        ngx_http_gongkai_value_set(data, "req", ctx->req);
    }

    if (ctx->status) {
        status = ctx->status;
        ngx_http_gongkai_value_set(data, "error",
            ngx_http_gongkai_error_value(r->pool, status, ctx->title,
                                         ctx->message));

        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_render(r, status, "error", data));
        return;
    }

    nf = ngx_http_gongkai_value_get(data, (u_char *) "not_found", 9);

    if (ngx_http_gongkai_value_truthy(nf)) {
        ngx_http_gongkai_value_set(data, "error",
            ngx_http_gongkai_error_value(r->pool, NGX_HTTP_NOT_FOUND,
                "页面不存在",
                "您要查找的信息不存在，或者尚未公开、"
                "已经撤回。"
                "请通过政府信息公开目录查找。"));

        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_render(r, NGX_HTTP_NOT_FOUND, "error",
                                         data));
        return;
    }

    /* an item its organ removed after approval (sql/PAGES.md: "gone") */
    gone = ngx_http_gongkai_value_get(data, (u_char *) "gone", 4);

    if (ngx_http_gongkai_value_truthy(gone)) {
        ngx_http_gongkai_value_set(data, "error",
            ngx_http_gongkai_error_value(r->pool, NGX_HTTP_GONE,
                "信息已删除",
                "该信息已由发布机构按规定程序删除，"
                "不再提供。请通过政府信息公开目录"
                "查找其他信息。"));

        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_render(r, NGX_HTTP_GONE, "error", data));
        return;
    }

    /*
     * A page function may name another template of the same family and
     * a status: a form shown again with its errors (422), say.
     */

    tmpl = ctx->tmpl;
    status = ctx->tmpl_status ? ctx->tmpl_status : NGX_HTTP_OK;

    v = ngx_http_gongkai_value_get(data, (u_char *) "template", 8);

    if (v != NULL && v->type == NGX_HTTP_GONGKAI_STRING && v->str.len
        && v->str.len < 64)
    {
        name = ngx_pnalloc(r->pool, v->str.len + 1);
        if (name == NULL) {
            goto internal;
        }

        ngx_cpystrn(name, v->str.data, v->str.len + 1);
        tmpl = (const char *) name;
    }

    v = ngx_http_gongkai_value_get(data, (u_char *) "status", 6);

    if (v != NULL && v->type == NGX_HTTP_GONGKAI_NUMBER) {
        n = ngx_atoi(v->str.data, v->str.len);

        if (n >= 200 && n <= 599) {
            status = n;
        }
    }

    ngx_http_finalize_request(r,
        ngx_http_gongkai_page_render(r, status, tmpl, data));
    return;

internal:

    ngx_http_finalize_request(r,
        ngx_http_gongkai_page_error_nosite(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
            "服务器内部错误",
            "处理您的请求时出现错误，我们已记录此问题，"
            "请稍后再试。"));
}


static ngx_int_t
ngx_http_gongkai_page_render(ngx_http_request_t *r, ngx_uint_t status,
    const char *name, ngx_http_gongkai_value_t *data)
{
    size_t                         len;
    ngx_int_t                      rc;
    ngx_chain_t                   *out;
    ngx_http_gongkai_ctx_t        *ctx;
    ngx_http_gongkai_tmpl_t       *t;
    ngx_http_gongkai_main_conf_t  *gmcf;

    gmcf = ngx_http_get_module_main_conf(r, ngx_http_gongkai_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    t = ngx_http_gongkai_tmpl_get(gmcf->tmpls, name);
    if (t == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai: no template \"%s\"", name);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_gongkai_tmpl_render(r->pool, t, data, &out, &len)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (status == NGX_HTTP_SERVICE_UNAVAILABLE) {
        ngx_table_elt_t  *h;

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Retry-After");
        ngx_str_set(&h->value, "30");
    }

    if (ctx != NULL) {
        if (status == NGX_HTTP_OK) {
            rc = ngx_http_gongkai_cache_store(r, ctx,
                                              &ngx_http_gongkai_html_type,
                                              out, len);
        } else {
            rc = ngx_http_gongkai_cache_status(r, ctx);
        }

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return ngx_http_gongkai_send(r, status, &ngx_http_gongkai_html_type, out,
                                 len);
}


ngx_int_t
ngx_http_gongkai_unknown_site(ngx_http_request_t *r)
{
    size_t                   len;
    ngx_buf_t               *b;
    ngx_chain_t             *out;
    ngx_http_gongkai_ctx_t  *ctx;

    /* deliberately no layout: nothing of any registered site is shown */
    static u_char  page[] =
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n"
        "<title>网站未登记</title>\n</head>\n<body>\n"
        "<h1>网站未登记</h1>\n"
        "<p>此地址没有已登记的政府网站。请核对网址，"
        "或通过上级政府门户网站查找。</p>\n"
        "<p>No registered government site is at this address.</p>\n"
        "</body>\n</html>\n";

    len = sizeof(page) - 1;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = page;
    b->last = page + len;
    b->memory = 1;

    out = ngx_alloc_chain_link(r->pool);
    if (out == NULL) {
        return NGX_ERROR;
    }

    out->buf = b;
    out->next = NULL;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    if (ctx != NULL && ngx_http_gongkai_cache_status(r, ctx) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_gongkai_send(r, NGX_HTTP_NOT_FOUND,
                                 &ngx_http_gongkai_html_type, out, len);
}


ngx_int_t
ngx_http_gongkai_security_headers(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_table_elt_t  *h;

    static ngx_str_t  headers[][2] = {
        { ngx_string("X-Content-Type-Options"), ngx_string("nosniff") },
        { ngx_string("Content-Security-Policy"),
          ngx_string("default-src 'none'; style-src 'self'; "
                     "img-src 'self' data:; form-action 'self'; "
                     "base-uri 'none'; frame-ancestors 'none'") },
        { ngx_string("Referrer-Policy"),
          ngx_string("strict-origin-when-cross-origin") },
    };

    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = 1;
        h->key = headers[i][0];
        h->value = headers[i][1];
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_send(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, ngx_chain_t *body, size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    r->headers_out.status = status;
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_length_n = len;

    if (ngx_http_gongkai_security_headers(r) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    if (body == NULL) {
        b = ngx_calloc_buf(r->pool);
        if (b == NULL) {
            return NGX_ERROR;
        }

        body = ngx_alloc_chain_link(r->pool);
        if (body == NULL) {
            return NGX_ERROR;
        }

        body->buf = b;
        body->next = NULL;
    }

    for (cl = body; cl->next != NULL; cl = cl->next) { /* void */ }

    cl->buf->last_buf = (r == r->main) ? 1 : 0;
    cl->buf->last_in_chain = 1;

    return ngx_http_output_filter(r, body);
}


ngx_http_gongkai_value_t *
ngx_http_gongkai_cstr(ngx_pool_t *pool, const char *s)
{
    return ngx_http_gongkai_value_string(pool, (u_char *) s, ngx_strlen(s));
}


static ngx_http_gongkai_value_t *
ngx_http_gongkai_error_value(ngx_pool_t *pool, ngx_uint_t status,
    const char *title, const char *message)
{
    ngx_http_gongkai_value_t  *e;

    e = ngx_http_gongkai_value_new(pool, NGX_HTTP_GONGKAI_OBJECT);
    if (e == NULL) {
        return NULL;
    }

    ngx_http_gongkai_value_set(e, "status",
                               ngx_http_gongkai_value_int(pool, status));
    ngx_http_gongkai_value_set(e, "title", ngx_http_gongkai_cstr(pool, title));
    ngx_http_gongkai_value_set(e, "message",
                               ngx_http_gongkai_cstr(pool, message));

    return e;
}


ngx_int_t
ngx_http_gongkai_send_file(ngx_http_request_t *r, PGresult *res, int name,
    int type, int data)
{
    size_t        len;
    ngx_str_t     ct;
    ngx_chain_t  *out;

    if (ngx_http_gongkai_file_body(r, res, name, type, data, &ct, &out, &len)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_gongkai_send(r, NGX_HTTP_OK, &ct, out, len);
}


ngx_int_t
ngx_http_gongkai_file_body(ngx_http_request_t *r, PGresult *res, int name,
    int type, int data, ngx_str_t *ct, ngx_chain_t **out, size_t *len)
{
    ngx_buf_t  *b;

    if (PQgetisnull(res, 0, type) || PQgetlength(res, 0, type) == 0) {
        ngx_str_set(ct, "application/octet-stream");

    } else {
        ct->data = (u_char *) PQgetvalue(res, 0, type);
        ct->len = PQgetlength(res, 0, type);
    }

    if (ngx_http_gongkai_disposition(r, (u_char *) PQgetvalue(res, 0, name),
                                     PQgetlength(res, 0, name))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    *len = PQgetlength(res, 0, data);
    *out = NULL;

    if (*len) {
        b = ngx_calloc_buf(r->pool);
        *out = ngx_alloc_chain_link(r->pool);

        if (b == NULL || *out == NULL) {
            return NGX_ERROR;
        }

        /* the result lives until the request pool is freed */
        b->pos = (u_char *) PQgetvalue(res, 0, data);
        b->last = b->pos + *len;
        b->memory = 1;

        (*out)->buf = b;
        (*out)->next = NULL;
    }

    return NGX_OK;
}


ngx_http_gongkai_value_t *
ngx_http_gongkai_result_object(ngx_http_request_t *r, PGresult *res)
{
    const char                *err;
    ngx_http_gongkai_value_t  *data;

    if (PQntuples(res) != 1 || PQnfields(res) != 1 || PQgetisnull(res, 0, 0))
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai: statement returned no page data");
        return NULL;
    }

    data = ngx_http_gongkai_json_parse(r->pool,
                                       (u_char *) PQgetvalue(res, 0, 0),
                                       PQgetlength(res, 0, 0), &err);

    if (data == NULL || data->type != NGX_HTTP_GONGKAI_OBJECT) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai: page data is not a JSON object: %s",
                      data == NULL ? err : "wrong type");
        return NULL;
    }

    return data;
}


ngx_int_t
ngx_http_gongkai_bad_request(ngx_http_request_t *r, const char *message)
{
    return ngx_http_gongkai_page_error(r, NGX_HTTP_BAD_REQUEST, "请求有误",
                                       message);
}
