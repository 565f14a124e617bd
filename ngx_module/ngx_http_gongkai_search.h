/*
 * The search page: GET /search (检索: seed 002 第十条, 条例第24条).
 */

#ifndef _NGX_HTTP_GONGKAI_SEARCH_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_SEARCH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_page.h"


/* the longest query portal.page_search searches, in characters */
#define NGX_HTTP_GONGKAI_SEARCH_Q_MAX     100

/* the deepest result page (portal.page_search offers 1000 results) */
#define NGX_HTTP_GONGKAI_SEARCH_PAGE_MAX  50


/*
 * Check the query string of /search and run portal.page_search.
 * Returns like ngx_http_gongkai_page_query.
 */
ngx_int_t ngx_http_gongkai_search(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx);


#endif /* _NGX_HTTP_GONGKAI_SEARCH_H_INCLUDED_ */
