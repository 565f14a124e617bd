/*
 * Pages: the statement table, the per-request context, and the helpers
 * every page family uses to query, render and respond.
 */

#ifndef _NGX_HTTP_GONGKAI_PAGE_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_PAGE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_module.h"


/* indexes into ngx_http_gongkai_stmts[]; the SQL is in sql/PAGES.md */
enum {
    NGX_HTTP_GONGKAI_STMT_SITE = 0,
    NGX_HTTP_GONGKAI_STMT_HOME,
    NGX_HTTP_GONGKAI_STMT_CATALOGUE,
    NGX_HTTP_GONGKAI_STMT_ITEM,
    NGX_HTTP_GONGKAI_STMT_GUIDE,
    NGX_HTTP_GONGKAI_STMT_ATTACHMENT,
    NGX_HTTP_GONGKAI_STMT_SEARCH,
    NGX_HTTP_GONGKAI_STMT_HOST_STATUS,        /* ngx_http_gongkai_site.c */
    NGX_HTTP_GONGKAI_STMT_ANNOUNCEMENTS,
    NGX_HTTP_GONGKAI_STMT_APPLY_FORM,
    NGX_HTTP_GONGKAI_STMT_APPLY_SUBMIT,
    NGX_HTTP_GONGKAI_STMT_APPLY_STATUS,
    NGX_HTTP_GONGKAI_STMT_REPORTS,            /* ngx_http_gongkai_report.c */
    NGX_HTTP_GONGKAI_STMT_REPORT,
    NGX_HTTP_GONGKAI_STMT_REPORT_CSV,
    NGX_HTTP_GONGKAI_NSTMTS
};


/* the longest Host we look up (RFC 1035: 253 bytes) */
#define NGX_HTTP_GONGKAI_HOST_MAX  253


typedef struct {
    ngx_str_t                      host;     /* normalised */
    const char                    *tmpl;     /* page template name */
    ngx_http_gongkai_value_t      *req;      /* values the module adds */

    /* an error page instead of tmpl when status != 0 */
    ngx_uint_t                     status;
    const char                    *title;
    const char                    *message;

    /* the status tmpl is rendered with when the data names none */
    ngx_uint_t                     tmpl_status;

    /* the apply routes (ngx_http_gongkai_apply.c): which, and the CSRF
       token of the gk_apply cookie */
    ngx_uint_t                     apply;
    ngx_str_t                      csrf;

    /* the page cache (ngx_http_gongkai_cache.c): the same page for
       everybody (cacheable), and its key (none: not stored) */
    ngx_uint_t                     cacheable;
    ngx_str_t                      cache_key;
    uint64_t                       cache_stamp;
    ngx_uint_t                     cache_status;
} ngx_http_gongkai_ctx_t;


extern ngx_http_gongkai_stmt_t  ngx_http_gongkai_stmts[];


/* the content handler of locations with gongkai_portal */
ngx_int_t ngx_http_gongkai_portal_handler(ngx_http_request_t *r);

/*
 * Run a page statement whose single json column is rendered with the
 * template ctx->tmpl.  Returns NGX_DONE (the request is finalized later)
 * or an HTTP error code.
 */
ngx_int_t ngx_http_gongkai_page_query(ngx_http_request_t *r,
    ngx_uint_t stmt, ngx_uint_t nparams, ngx_str_t *params);

/* the request waits for a query: keep it alive, watch the client */
void ngx_http_gongkai_page_wait(ngx_http_request_t *r);

/*
 * Answer with the error page (status, title, message) in the site's
 * layout: looks the site up first, so an unknown Host still gets the
 * plain "no registered site" answer.  Returns like page_query.
 */
ngx_int_t ngx_http_gongkai_page_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *title, const char *message);

/* render the error page with no site data (database unavailable) */
ngx_int_t ngx_http_gongkai_page_error_nosite(ngx_http_request_t *r,
    ngx_uint_t status, const char *title, const char *message);

/* the 400 page with a message for the citizen */
ngx_int_t ngx_http_gongkai_bad_request(ngx_http_request_t *r,
    const char *message);

/* the plain 404 for a Host no registered site has */
ngx_int_t ngx_http_gongkai_unknown_site(ngx_http_request_t *r);

/* headers every response gets (nosniff, CSP, referrer policy) */
ngx_int_t ngx_http_gongkai_security_headers(ngx_http_request_t *r);

/* send a complete response; the chain may be NULL when len is 0 */
ngx_int_t ngx_http_gongkai_send(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, ngx_chain_t *body, size_t len);

/* Content-Disposition: attachment with the file's name (RFC 5987) */
ngx_int_t ngx_http_gongkai_disposition(ngx_http_request_t *r, u_char *name,
    size_t len);

/*
 * Send one row's bytea column "data" as a download named by column
 * "name" with the type of column "type" (a binary-format result).
 */
ngx_int_t ngx_http_gongkai_send_file(ngx_http_request_t *r, PGresult *res,
    int name, int type, int data);

/*
 * The same, not sent: pushes Content-Disposition, sets *ct, *out (NULL
 * when empty) and *len.  Returns NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_gongkai_file_body(ngx_http_request_t *r, PGresult *res,
    int name, int type, int data, ngx_str_t *ct, ngx_chain_t **out,
    size_t *len);

/* the JSON object of a one-row, one-column result, or NULL (logged) */
ngx_http_gongkai_value_t *ngx_http_gongkai_result_object(
    ngx_http_request_t *r, PGresult *res);

/* a string value from a C string constant */
ngx_http_gongkai_value_t *ngx_http_gongkai_cstr(ngx_pool_t *pool,
    const char *s);


#endif /* _NGX_HTTP_GONGKAI_PAGE_H_INCLUDED_ */
