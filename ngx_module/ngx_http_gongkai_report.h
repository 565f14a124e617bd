/*
 * The annual reports (政府信息公开工作年度报告, issue 5): the
 * list, a report's page and the CSV of each of its tables
 * (sql/PAGES.md).
 */

#ifndef _NGX_HTTP_GONGKAI_REPORT_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_REPORT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_page.h"


/*
 * The routes below /reports: p..end is the rest of the path after
 * "/reports".  Returns like ngx_http_gongkai_page_query().
 */
ngx_int_t ngx_http_gongkai_reports(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, u_char *p, u_char *end);


#endif /* _NGX_HTTP_GONGKAI_REPORT_H_INCLUDED_ */
