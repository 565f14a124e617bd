/*
 * The annual reports (政府信息公开工作年度报告, issue 5;
 * 条例 第四十九、五十条):
 *
 *   /reports?year=YYYY                       the list by year and organ
 *   /reports/<单位代码>/<YYYY>?version=N      a report (the latest version)
 *   /reports/<单位代码>/<YYYY>/<table>.csv    one of its tables as CSV
 *
 * <table> is one of 2-1 2-5 2-6 2-8 2-9 3 4 x (sql/PAGES.md).
 *
 * The list and the report pages are cached (gongkai_cache) under the
 * path with the unit code upper-cased and the version as a number; the
 * database makes them stale when a version of a report of an organ in
 * the site's scope is published (sql/migrations/0082).  The CSV files
 * are not cached: they are downloads, not pages.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_report.h"
#include "ngx_http_gongkai_args.h"
#include "ngx_http_gongkai_cache.h"
#include "ngx_http_gongkai_site.h"


static ngx_int_t ngx_http_gongkai_report_digits(ngx_str_t *v, size_t min,
    size_t max);
static ngx_int_t ngx_http_gongkai_report_table(ngx_str_t *v);
static void ngx_http_gongkai_report_csv_done(ngx_http_request_t *r,
    PGresult *res, ngx_int_t rc);


ngx_int_t
ngx_http_gongkai_reports(ngx_http_request_t *r, ngx_http_gongkai_ctx_t *ctx,
    u_char *p, u_char *end)
{
    u_char       *s;
    ngx_int_t     rc;
    ngx_str_t     v[1], params[5], code, year, table, version;
    const char   *err;

    static const char  *year_names[] = { "year" };
    static const char  *version_names[] = { "version" };

    if (p == end) {
        if (ngx_http_gongkai_args_parse(r->pool, &r->args, year_names, v, 1,
                                        &err)
            != NGX_OK)
        {
            return ngx_http_gongkai_bad_request(r, err);
        }

        if (v[0].data && !ngx_http_gongkai_report_digits(&v[0], 4, 4)) {
            return ngx_http_gongkai_bad_request(r,
                       "年度应为四位数字，例如 2024。");
        }

        params[0] = ctx->host;
        params[1] = v[0];

        ctx->tmpl = "reports";

        rc = ngx_http_gongkai_cache_page(r, ctx, &r->uri, year_names, v, 1);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_REPORTS,
                                           2, params);
    }

    if (*p++ != '/') {
        goto not_found;
    }

    /* the unit code: letters and digits, upper-cased */

    for (s = p; p < end && *p != '/'; p++) {
        if (*p >= 'a' && *p <= 'z') {
            *p = ngx_toupper(*p);
            continue;
        }

        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z'))) {
            return ngx_http_gongkai_bad_request(r,
                       "机构代码格式不正确。");
        }
    }

    code.data = s;
    code.len = p - s;

    if (code.len == 0 || code.len > 18 || p == end) {
        goto not_found;
    }

    p++;

    for (s = p; p < end && *p != '/'; p++) { /* void */ }

    year.data = s;
    year.len = p - s;

    if (!ngx_http_gongkai_report_digits(&year, 4, 4)) {
        return ngx_http_gongkai_bad_request(r,
                   "年度应为四位数字，例如 2024。");
    }

    if (ngx_http_gongkai_args_parse(r->pool, &r->args, version_names, v, 1,
                                    &err)
        != NGX_OK)
    {
        return ngx_http_gongkai_bad_request(r, err);
    }

    if (v[0].data && !ngx_http_gongkai_report_digits(&v[0], 1, 6)) {
        return ngx_http_gongkai_bad_request(r,
                   "版本号应为数字。");
    }

    params[0] = ctx->host;
    params[1] = code;
    params[2] = year;

    if (p == end) {
        params[3] = v[0];

        ctx->tmpl = "report";

        /* the path's unit code is upper-cased above, in place */

        ngx_str_null(&version);

        if (v[0].data
            && ngx_http_gongkai_cache_arg_number(r->pool,
                   ngx_http_gongkai_arg_number(&v[0], 6), -1, &version)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        rc = ngx_http_gongkai_cache_page(r, ctx, &r->uri, version_names,
                                         &version, 1);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_REPORT,
                                           4, params);
    }

    /* /<table>.csv */

    p++;

    if (end - p < (ssize_t) sizeof(".csv")
        || ngx_strncmp(end - 4, ".csv", 4) != 0)
    {
        goto not_found;
    }

    table.data = p;
    table.len = end - 4 - p;

    if (!ngx_http_gongkai_report_table(&table)) {
        goto not_found;
    }

    params[3] = table;
    params[4] = v[0];

    if (ngx_http_gongkai_db_query(r, NGX_HTTP_GONGKAI_STMT_REPORT_CSV, 5,
                                  params, 1,
                                  ngx_http_gongkai_report_csv_done)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_page_wait(r);

    return NGX_DONE;

not_found:

    return ngx_http_gongkai_page_error(r, NGX_HTTP_NOT_FOUND, "页面不存在",
               "您访问的年度报告页面不存在。"
               "请从年度报告列表查找。");
}


/* min..max decimal digits */

static ngx_int_t
ngx_http_gongkai_report_digits(ngx_str_t *v, size_t min, size_t max)
{
    size_t  i;

    if (v->len < min || v->len > max) {
        return 0;
    }

    for (i = 0; i < v->len; i++) {
        if (v->data[i] < '0' || v->data[i] > '9') {
            return 0;
        }
    }

    return 1;
}


static ngx_int_t
ngx_http_gongkai_report_table(ngx_str_t *v)
{
    ngx_uint_t  i;

    static ngx_str_t  tables[] = {
        ngx_string("2-1"), ngx_string("2-5"), ngx_string("2-6"),
        ngx_string("2-8"), ngx_string("2-9"), ngx_string("3"),
        ngx_string("4"), ngx_string("x")
    };

    for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (v->len == tables[i].len
            && ngx_strncmp(v->data, tables[i].data, v->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static void
ngx_http_gongkai_report_csv_done(ngx_http_request_t *r, PGresult *res,
    ngx_int_t rc)
{
    if (rc == NGX_HTTP_SERVICE_UNAVAILABLE) {
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
        ngx_http_finalize_request(r, ngx_http_gongkai_site_missing(r));
        return;
    }

    if (PQgetisnull(res, 0, 1) || PQgetisnull(res, 0, 3)) {
        ngx_http_finalize_request(r,
            ngx_http_gongkai_page_error(r, NGX_HTTP_NOT_FOUND,
                "表格不存在",
                "您要下载的年度报告表格不存在，"
                "或者该年度报告尚未公布。"));
        return;
    }

    ngx_http_finalize_request(r, ngx_http_gongkai_send_file(r, res, 1, 2, 3));
}


