/*
 * The public portal: home, catalogue, item pages and their attachments,
 * and the disclosure guide (条例第12条, seed 002 第十条: navigation,
 * query and retrieval; 001 第十一条: free viewing and download).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_page.h"
#include "ngx_http_gongkai_args.h"
#include "ngx_http_gongkai_index.h"
#include "ngx_http_gongkai_search.h"
#include "ngx_http_gongkai_domain.h"
#include "ngx_http_gongkai_site.h"
#include "ngx_http_gongkai_apply.h"
#include "ngx_http_gongkai_report.h"
#include "ngx_http_gongkai_cache.h"


/* the deepest page number a link may carry */
#define NGX_HTTP_GONGKAI_PAGE_MAX  100000


static ngx_int_t ngx_http_gongkai_host(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx);
static ngx_int_t ngx_http_gongkai_catalogue(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx);
static ngx_int_t ngx_http_gongkai_item(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, u_char *p, u_char *end);
static ngx_int_t ngx_http_gongkai_guide(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx);
static ngx_int_t ngx_http_gongkai_redirect_item(ngx_http_request_t *r,
    u_char *index, size_t len, ngx_str_t *rest);
static void ngx_http_gongkai_attachment_done(ngx_http_request_t *r,
    PGresult *res, ngx_int_t rc);
static ngx_uint_t ngx_http_gongkai_cursor(ngx_str_t *v);


ngx_int_t
ngx_http_gongkai_portal_handler(ngx_http_request_t *r)
{
    u_char                  *p, *end;
    ngx_int_t                rc;
    ngx_uint_t               apply;
    ngx_http_gongkai_ctx_t  *ctx;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_gongkai_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_gongkai_module);

    if (r->error_page) {
        /*
         * "error_page 413 ..." (conf-examples: the application form):
         * a body over client_max_body_size, refused before it was read.
         */

        if (r->err_status == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE) {
            return ngx_http_gongkai_page_error_nosite(r,
                       NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                       "提交的内容过大",
                       "提交的内容超过了允许的大小，"
                       "没有保存。"
                       "请压缩所附文件或降低扫描分辨率后，"
                       "重新打开申请页面填写提交。");
        }

        /*
         * "error_page 400 ..." (or 414) sent here a request that nginx
         * refused while reading its request line (a NUL in the path, or
         * a line longer than its buffer): no Host is known yet, so the
         * page shows no site.
         */
        if (r->err_status == NGX_HTTP_REQUEST_URI_TOO_LARGE) {
            return ngx_http_gongkai_page_error_nosite(r,
                       NGX_HTTP_REQUEST_URI_TOO_LARGE, "网址过长",
                       "请求的网址过长，无法处理。"
                       "请缩短检索词或减少查询条件后重试。");
        }

        return ngx_http_gongkai_page_error_nosite(r,
                   r->err_status ? r->err_status : NGX_HTTP_BAD_REQUEST,
                   "请求有误",
                   "请求的网址格式不正确，无法处理。"
                   "请检查网址，或从首页重新进入。");
    }

    /* only the application form and the status page take a body */

    apply = ngx_http_gongkai_apply_route(r);

    if (!(apply && (r->method & NGX_HTTP_POST))) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (ngx_http_gongkai_host(r, ctx) != NGX_OK) {
        if (apply && (r->method & NGX_HTTP_POST)) {
            rc = ngx_http_discard_request_body(r);
            if (rc != NGX_OK) {
                return rc;
            }
        }

        return ngx_http_gongkai_unknown_site(r);
    }

    ctx->req = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
    if (ctx->req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (apply) {
        ngx_http_gongkai_value_set(ctx->req, "path",
            ngx_http_gongkai_value_string(r->pool, r->uri.data, r->uri.len));

        return ngx_http_gongkai_apply(r, ctx, apply);
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        ngx_table_elt_t  *h;

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Allow");
        ngx_str_set(&h->value, "GET, HEAD");

        return ngx_http_gongkai_page_error(r, NGX_HTTP_NOT_ALLOWED,
                   "不支持的请求方法",
                   "此页面只能浏览，不接受提交。");
    }

    if (!ngx_http_gongkai_utf8_valid(r->uri.data, r->uri.len)) {
        return ngx_http_gongkai_bad_request(r, "网址含有无效字符。");
    }

    /* before the length check: a long query gets the search page's answer */
    if (r->uri.len == sizeof("/search") - 1
        && ngx_strncmp(r->uri.data, "/search", r->uri.len) == 0)
    {
        return ngx_http_gongkai_search(r, ctx);
    }

    if (r->args.len > NGX_HTTP_GONGKAI_ARGS_MAX) {
        return ngx_http_gongkai_page_error(r, NGX_HTTP_REQUEST_URI_TOO_LARGE,
                   "网址过长",
                   "请求的网址过长，请减少查询条件后重试。");
    }

    ngx_http_gongkai_value_set(ctx->req, "path",
        ngx_http_gongkai_value_string(r->pool, r->uri.data, r->uri.len));

    p = r->uri.data;
    end = r->uri.data + r->uri.len;

    if (r->uri.len == 1 && *p == '/') {
        ctx->tmpl = "home";

        rc = ngx_http_gongkai_cache_page(r, ctx, &r->uri, NULL, NULL, 0);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_HOME, 1,
                                           &ctx->host);
    }

    if (r->uri.len == sizeof("/catalogue") - 1
        && ngx_strncmp(p, "/catalogue", r->uri.len) == 0)
    {
        return ngx_http_gongkai_catalogue(r, ctx);
    }

    if (r->uri.len == sizeof("/guide") - 1
        && ngx_strncmp(p, "/guide", r->uri.len) == 0)
    {
        return ngx_http_gongkai_guide(r, ctx);
    }

    /* 网站公示: openings, changes and closures (sql/PAGES.md) */

    if (r->uri.len == sizeof("/announcements") - 1
        && ngx_strncmp(p, "/announcements", r->uri.len) == 0)
    {
        ctx->tmpl = "announcements";

        rc = ngx_http_gongkai_cache_page(r, ctx, &r->uri, NULL, NULL, 0);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_gongkai_page_query(r,
                   NGX_HTTP_GONGKAI_STMT_ANNOUNCEMENTS, 1, &ctx->host);
    }

    /* 政府信息公开工作年度报告 (ngx_http_gongkai_report.c) */

    if (r->uri.len >= sizeof("/reports") - 1
        && ngx_strncmp(p, "/reports", sizeof("/reports") - 1) == 0
        && (r->uri.len == sizeof("/reports") - 1
            || p[sizeof("/reports") - 1] == '/'))
    {
        return ngx_http_gongkai_reports(r, ctx, p + sizeof("/reports") - 1,
                                        end);
    }

    if (r->uri.len > sizeof("/item/") - 1
        && ngx_strncmp(p, "/item/", sizeof("/item/") - 1) == 0)
    {
        return ngx_http_gongkai_item(r, ctx, p + sizeof("/item/") - 1, end);
    }

    return ngx_http_gongkai_page_error(r, NGX_HTTP_NOT_FOUND, "页面不存在",
               "您访问的页面不存在。"
               "请从首页或政府信息公开目录查找。");
}


/*
 * The Host a site is looked up by: gongkai_host's value ($host unless
 * configured), as the registry's key (ngx_http_gongkai_domain.h: lower
 * case, no port or trailing dot, punycode for a .政务 name).  A name no
 * registered site can have (not .gov.cn or .政务, an address, malformed)
 * is an unknown site straight away, without asking the database.
 */

static ngx_int_t
ngx_http_gongkai_host(ngx_http_request_t *r, ngx_http_gongkai_ctx_t *ctx)
{
    ngx_str_t                      v;
    ngx_http_gongkai_loc_conf_t   *glcf;
    ngx_http_gongkai_main_conf_t  *gmcf;

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);
    gmcf = ngx_http_get_module_main_conf(r, ngx_http_gongkai_module);

    if (glcf->host != NULL) {
        if (ngx_http_complex_value(r, glcf->host, &v) != NGX_OK) {
            return NGX_ERROR;
        }

    } else if (r->headers_in.server.len) {
        v = r->headers_in.server;

    } else {
        return NGX_DECLINED;
    }

    return ngx_http_gongkai_host_normalise(gmcf->domain, r->pool, &v,
                                           &ctx->host);
}


static ngx_int_t
ngx_http_gongkai_catalogue(ngx_http_request_t *r, ngx_http_gongkai_ctx_t *ctx)
{
    ngx_int_t     page, year, rc;
    ngx_str_t     v[6], params[6];
    const char   *err;

    static const char  *names[] = {
        "category", "organ", "year", "after", "before", "page"
    };

    if (ngx_http_gongkai_args_parse(r->pool, &r->args, names, v, 6, &err)
        != NGX_OK)
    {
        return ngx_http_gongkai_bad_request(r, err);
    }

    if (v[0].data && !ngx_http_gongkai_arg_code(&v[0], 8, 0)) {
        return ngx_http_gongkai_bad_request(r,
            "信息分类代码格式不正确。");
    }

    if (v[1].data && !ngx_http_gongkai_arg_code(&v[1], 18, 1)) {
        return ngx_http_gongkai_bad_request(r,
            "机构代码格式不正确。");
    }

    if (v[2].data) {
        year = ngx_http_gongkai_arg_number(&v[2], 4);

        if (v[2].len != 4 || year < 1949 || year > 2100) {
            return ngx_http_gongkai_bad_request(r,
                       "年份应为1949至2100之间的四位数字。");
        }
    }

    if ((v[3].data && !ngx_http_gongkai_cursor(&v[3]))
        || (v[4].data && !ngx_http_gongkai_cursor(&v[4])))
    {
        return ngx_http_gongkai_bad_request(r,
            "翻页参数格式不正确。");
    }

    if (v[3].data && v[4].data) {
        return ngx_http_gongkai_bad_request(r,
                   "翻页参数不能同时向前和向后。");
    }

    page = 1;

    if (v[5].data) {
        page = ngx_http_gongkai_arg_number(&v[5], 6);

        if (page < 1 || page > NGX_HTTP_GONGKAI_PAGE_MAX) {
            return ngx_http_gongkai_bad_request(r,
                       "页码应为1至100000之间的整数。");
        }
    }

    ngx_http_gongkai_value_set(ctx->req, "page",
                               ngx_http_gongkai_value_int(r->pool, page));
    ngx_http_gongkai_value_set(ctx->req, "next_page",
                               ngx_http_gongkai_value_int(r->pool, page + 1));
    ngx_http_gongkai_value_set(ctx->req, "prev_page",
        ngx_http_gongkai_value_int(r->pool, page > 1 ? page - 1 : 1));

    params[0] = ctx->host;
    params[1] = v[0];
    params[2] = v[1];
    params[3] = v[2];
    params[4] = v[3];
    params[5] = v[4];

    ctx->tmpl = "catalogue";

    if (ngx_http_gongkai_cache_arg_number(r->pool, page, 1, &v[5])
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_gongkai_cache_page(r, ctx, &r->uri, names, v, 6);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_CATALOGUE, 6,
                                       params);
}


static ngx_int_t
ngx_http_gongkai_item(ngx_http_request_t *r, ngx_http_gongkai_ctx_t *ctx,
    u_char *p, u_char *end)
{
    u_char      *slash, *canon;
    size_t       len;
    ngx_int_t    no, rc;
    ngx_str_t    params[3], rest, path;

    static u_char  files[] = "/files/";

    slash = ngx_strlchr(p, end, '/');

    canon = ngx_pnalloc(r->pool, NGX_HTTP_GONGKAI_INDEX_MAX);
    if (canon == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = ngx_http_gongkai_index_parse(p, (slash ? slash : end) - p, canon);
    if (len == 0) {
        return ngx_http_gongkai_bad_request(r,
                   "索引号格式不正确。"
                   "索引号由单位代码、分类号、"
                   "年份和流水号组成，"
                   "例如 11530000015012345X-01-2024-00017。");
    }

    rest.data = slash;
    rest.len = slash ? (size_t) (end - slash) : 0;

    if ((size_t) ((slash ? slash : end) - p) != len
        || ngx_strncmp(p, canon, len) != 0)
    {
        return ngx_http_gongkai_redirect_item(r, canon, len, &rest);
    }

    params[0] = ctx->host;
    params[1].data = canon;
    params[1].len = len;

    if (slash == NULL) {
        ctx->tmpl = "item";

        rc = ngx_http_gongkai_cache_page(r, ctx, &r->uri, NULL, NULL, 0);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_ITEM, 2,
                                           params);
    }

    if (rest.len <= sizeof(files) - 1
        || ngx_strncmp(rest.data, files, sizeof(files) - 1) != 0)
    {
        return ngx_http_gongkai_page_error(r, NGX_HTTP_NOT_FOUND,
                   "页面不存在", "您访问的页面不存在。");
    }

    params[2].data = rest.data + sizeof(files) - 1;
    params[2].len = rest.len - (sizeof(files) - 1);

    /* the statement casts it to int */
    no = ngx_http_gongkai_arg_number(&params[2], 10);
    if (no < 1 || no > NGX_MAX_INT32_VALUE) {
        return ngx_http_gongkai_bad_request(r,
            "附件编号格式不正确。");
    }

    /* cached under the number as a number: "/files/01" is "/files/1" */

    path.data = ngx_pnalloc(r->pool, sizeof("/item//files/") - 1 + len
                                     + NGX_INT_T_LEN);
    if (path.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    path.len = ngx_sprintf(path.data, "/item/%*s/files/%i", len, canon, no)
               - path.data;

    rc = ngx_http_gongkai_cache_page(r, ctx, &path, NULL, NULL, 0);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    if (ngx_http_gongkai_db_query(r, NGX_HTTP_GONGKAI_STMT_ATTACHMENT, 3,
                                  params, 1, ngx_http_gongkai_attachment_done)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_page_wait(r);

    return NGX_DONE;
}


static ngx_int_t
ngx_http_gongkai_redirect_item(ngx_http_request_t *r, u_char *index,
    size_t len, ngx_str_t *rest)
{
    u_char           *p, *loc;
    size_t            size;
    ngx_table_elt_t  *h;

    size = sizeof("/item/") - 1 + len + rest->len;

    loc = ngx_pnalloc(r->pool, size);
    if (loc == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(loc, "/item/", sizeof("/item/") - 1);
    p = ngx_cpymem(p, index, len);

    /* rest is a decoded path: only the /files/N form is passed on */
    if (rest->len && ngx_strlchr(rest->data, rest->data + rest->len, '?')
                     == NULL)
    {
        p = ngx_cpymem(p, rest->data, rest->len);
    }

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
}


static ngx_int_t
ngx_http_gongkai_guide(ngx_http_request_t *r, ngx_http_gongkai_ctx_t *ctx)
{
    ngx_int_t     rc;
    ngx_str_t     v[1], params[2];
    const char   *err;

    static const char  *names[] = { "organ" };

    if (ngx_http_gongkai_args_parse(r->pool, &r->args, names, v, 1, &err)
        != NGX_OK)
    {
        return ngx_http_gongkai_bad_request(r, err);
    }

    if (v[0].data && !ngx_http_gongkai_arg_code(&v[0], 18, 1)) {
        return ngx_http_gongkai_bad_request(r,
            "机构代码格式不正确。");
    }

    params[0] = ctx->host;
    params[1] = v[0];

    ctx->tmpl = "guide";

    rc = ngx_http_gongkai_cache_page(r, ctx, &r->uri, names, v, 1);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_GUIDE, 2,
                                       params);
}


static void
ngx_http_gongkai_attachment_done(ngx_http_request_t *r, PGresult *res,
    ngx_int_t rc)
{
    size_t                   len;
    ngx_str_t                type;
    ngx_chain_t             *out;
    ngx_http_gongkai_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    if (rc == NGX_HTTP_SERVICE_UNAVAILABLE) {

        /* stale-if-error: the cached file, if there is one */

        rc = ngx_http_gongkai_cache_stale(r, ctx);

        if (rc != NGX_DECLINED) {
            ngx_http_finalize_request(r, rc);
            return;
        }

        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_error_nosite(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                "服务暂时不可用",
                "网站的数据服务暂时无法访问，"
                "请稍后再试。"));
        return;
    }

    if (rc != NGX_OK || PQntuples(res) != 1 || PQnfields(res) != 4) {
        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_error_nosite(r,
                NGX_HTTP_INTERNAL_SERVER_ERROR, "服务器内部错误",
                "处理您的请求时出现错误，请稍后再试。"));
        return;
    }

    if (PQgetisnull(res, 0, 0)
        || ngx_strncmp(PQgetvalue(res, 0, 0), "null", 4) == 0)
    {
        /* a former domain, a closed site, or none */
        ngx_http_finalize_request(r, ngx_http_gongkai_site_missing(r));
        return;
    }

    if (PQgetisnull(res, 0, 1) || PQgetisnull(res, 0, 3)) {
        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_error(r, NGX_HTTP_NOT_FOUND,
                "附件不存在",
                "您要下载的附件不存在，"
                "或者所属信息尚未公开、已经撤回。"));
        return;
    }

    if (ngx_http_gongkai_file_body(r, res, 1, 2, 3, &type, &out, &len)
        != NGX_OK)
    {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (ngx_http_gongkai_cache_store(r, ctx, &type, out, len) != NGX_OK)
    {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_http_finalize_request(r, ngx_http_gongkai_send(r, NGX_HTTP_OK, &type,
                                                       out, len));
}


/*
 * Content-Disposition with the original file name: an ASCII fallback in
 * "filename" and the UTF-8 name in "filename*" (RFC 6266, RFC 5987).
 */

ngx_int_t
ngx_http_gongkai_disposition(ngx_http_request_t *r, u_char *name, size_t len)
{
    u_char           *p, *q, c;
    size_t            i;
    ngx_table_elt_t  *h;

    static u_char  hex[] = "0123456789ABCDEF";

    if (len == 0 || len > 1024) {
        name = (u_char *) "attachment";
        len = sizeof("attachment") - 1;
    }

    p = ngx_pnalloc(r->pool, sizeof("attachment; filename=\"\"; "
                                    "filename*=UTF-8''") + 4 * len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Content-Disposition");
    h->value.data = p;

    q = ngx_cpymem(p, "attachment; filename=\"",
                   sizeof("attachment; filename=\"") - 1);

    for (i = 0; i < len; i++) {
        c = name[i];

        if (c >= 0x80) {
            /* one "_" per non-ASCII character, not per byte */
            if ((c & 0xc0) != 0x80) {
                *q++ = '_';
            }
            continue;
        }

        *q++ = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '_' : c;
    }

    q = ngx_cpymem(q, "\"; filename*=UTF-8''",
                   sizeof("\"; filename*=UTF-8''") - 1);

    for (i = 0; i < len; i++) {
        c = name[i];

        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
            || (c >= 'a' && c <= 'z') || ngx_strchr("!#$&+-.^_`|~", c))
        {
            *q++ = c;
            continue;
        }

        *q++ = '%';
        *q++ = hex[c >> 4];
        *q++ = hex[c & 0xf];
    }

    h->value.len = q - p;

    return NGX_OK;
}


/* a keyset cursor: <digits>.<digits>, each part at most 19 digits */

static ngx_uint_t
ngx_http_gongkai_cursor(ngx_str_t *v)
{
    size_t  i, dot, digits;

    dot = 0;
    digits = 0;

    for (i = 0; i < v->len; i++) {
        if (v->data[i] == '.') {
            if (dot || digits == 0) {
                return 0;
            }

            dot = 1;
            digits = 0;
            continue;
        }

        if (v->data[i] < '0' || v->data[i] > '9' || ++digits > 19) {
            return 0;
        }
    }

    return dot && digits;
}


