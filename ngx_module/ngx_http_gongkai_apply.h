/*
 * Disclosure on request (依申请公开, issue 4): the public application
 * form and the applicant's status page, the portal's only routes that
 * accept POST.  The SQL functions and their JSON are in sql/PAGES.md.
 */

#ifndef _NGX_HTTP_GONGKAI_APPLY_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_APPLY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_page.h"


#define NGX_HTTP_GONGKAI_APPLY_FORM    1     /* /apply */
#define NGX_HTTP_GONGKAI_APPLY_STATUS  2     /* /apply/status */


/* which apply route the request's path is, or 0 */
ngx_uint_t ngx_http_gongkai_apply_route(ngx_http_request_t *r);

/*
 * Serve an apply route (ctx->host and ctx->req are set; the body of a
 * POST is still unread).  Returns like ngx_http_gongkai_page_query.
 */
ngx_int_t ngx_http_gongkai_apply(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, ngx_uint_t route);


#endif /* _NGX_HTTP_GONGKAI_APPLY_H_INCLUDED_ */
