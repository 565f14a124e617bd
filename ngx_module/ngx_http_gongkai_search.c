/*
 * The search page (检索: seed 002 第十条 查询与检索, 条例第24条):
 * GET /search?q=&category=&organ=&year=&page=.
 *
 * The query is data: it is only checked to be UTF-8 (args.c) and cut to
 * one character more than portal.page_search searches, so that the page
 * can say it is too long; operators, quotes and brackets are passed on
 * as they are and mean nothing to the database (sql/PAGES.md).
 *
 * The page is the same for everybody who asks the same: it is cached
 * (gongkai_cache) under the parameters as they are searched, and made
 * stale with the site's other pages when an item in its scope changes.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_page.h"
#include "ngx_http_gongkai_args.h"
#include "ngx_http_gongkai_cache.h"
#include "ngx_http_gongkai_search.h"




ngx_int_t
ngx_http_gongkai_search(ngx_http_request_t *r, ngx_http_gongkai_ctx_t *ctx)
{
    ngx_int_t     year, page, rc;
    ngx_str_t     v[5], params[6];
    const char   *err;

    static const char  *names[] = {
        "q", "category", "organ", "year", "page"
    };

    ngx_http_gongkai_value_set(ctx->req, "path",
        ngx_http_gongkai_value_string(r->pool, r->uri.data, r->uri.len));

    if (ngx_http_gongkai_args_parse(r->pool, &r->args, names, v, 5, &err)
        != NGX_OK)
    {
        return ngx_http_gongkai_bad_request(r, err);
    }

    if (v[1].data && !ngx_http_gongkai_arg_code(&v[1], 8, 0)) {
        return ngx_http_gongkai_bad_request(r,
                   "信息分类代码格式不正确。");
    }

    if (v[2].data && !ngx_http_gongkai_arg_code(&v[2], 18, 1)) {
        return ngx_http_gongkai_bad_request(r,
                   "机构代码格式不正确。");
    }

    if (v[3].data) {
        year = ngx_http_gongkai_arg_number(&v[3], 4);

        if (v[3].len != 4 || year < 1949 || year > 2100) {
            return ngx_http_gongkai_bad_request(r,
                       "年份应为1949至2100之间的四位数字。");
        }
    }

    page = 1;

    if (v[4].data) {
        page = ngx_http_gongkai_arg_number(&v[4], 2);

        if (page < 1 || page > NGX_HTTP_GONGKAI_SEARCH_PAGE_MAX) {
            return ngx_http_gongkai_bad_request(r,
                       "页码应为1至50之间的整数："
                       "检索结果最多显示前50页。");
        }
    }

    /* one character more than is searched: the page says it is too long */
    if (v[0].data) {
        v[0].len = ngx_http_gongkai_utf8_prefix(v[0].data, v[0].len,
                                           NGX_HTTP_GONGKAI_SEARCH_Q_MAX + 1);
    }

    params[0] = ctx->host;
    params[1] = v[0];
    params[2] = v[1];
    params[3] = v[2];
    params[4] = v[3];
    params[5] = v[4];

    ctx->tmpl = "search";

    if (ngx_http_gongkai_cache_arg_number(r->pool, page, 1, &v[4])
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_gongkai_cache_page(r, ctx, &r->uri, names, v, 5);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_SEARCH, 6,
                                       params);
}


