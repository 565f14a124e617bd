/*
 * A Host that no active site serves (issue 6, sql/PAGES.md
 * "host_status"): a former domain answers 301 to the same path on the
 * site's primary domain (域名转接, seed 000 网站管理办法
 * 第六条(四)); a closed site's address shows the closure notice naming
 * the successor site during the notice period, and 410 after it;
 * anything else gets the plain 404 that shows nothing of any site.
 */

#ifndef _NGX_HTTP_GONGKAI_SITE_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_SITE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * Called when a page statement said "site": null.  Asks the database
 * what the Host is (one more statement, only for such requests) and
 * answers as above.  Returns like ngx_http_gongkai_page_query: NGX_DONE
 * (the request is finalized later) or an HTTP status.
 */
ngx_int_t ngx_http_gongkai_site_missing(ngx_http_request_t *r);


#endif /* _NGX_HTTP_GONGKAI_SITE_H_INCLUDED_ */
