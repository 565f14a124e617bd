/*
 * The page cache (gongkai_cache): public pages kept in a shared-memory
 * zone, made stale by NOTIFY from PostgreSQL, served stale when the
 * database is unreachable; ETag and Last-Modified on public pages.
 *
 * What is cached: a GET or HEAD answered 200 by a gongkai_portal location
 * whose page asked for it (ngx_http_gongkai_cache_page() before its
 * query), with no Set-Cookie, filed under the host name it was asked for.
 * A page that does not ask is never cached: admin pages (their own
 * handler, never here), forms, status pages, and anything that depends on
 * who asks.
 *
 * The zone also counts page views for the report's visits figure
 * (seed 000, 年度报告制度 第五条): a GET answered by a gongkai_portal
 * location of the zone with an HTML page, a 200 (or the 304 nginx makes of it
 * when the browser has the page already), HIT, MISS, STALE or BYPASS
 * alike.  Not counted: HEAD, error pages, attachments and CSV downloads
 * (not HTML), static files and the admin (other handlers).  Counts are
 * kept per host name and hour in the zone; every worker sends what has
 * accumulated every gongkai_visits_flush (default 60s) on its LISTEN
 * connection to portal.visits_add(), and once more when it exits.
 * Counts are lost when the statement fails, when nginx is killed, or
 * when more host-hours accumulate between two flushes than the zone has
 * room for (one slot per 64th of the zone, 4 to 1024 slots).
 */

#ifndef _NGX_HTTP_GONGKAI_CACHE_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_page.h"
#include "ngx_http_gongkai_cache_key.h"


/* ctx->cache_status, shown in the X-Gongkai-Cache header */
#define NGX_HTTP_GONGKAI_CACHE_BYPASS  0
#define NGX_HTTP_GONGKAI_CACHE_MISS    1
#define NGX_HTTP_GONGKAI_CACHE_HIT     2
#define NGX_HTTP_GONGKAI_CACHE_STALE   3

/* max_age when not given, in seconds */
#define NGX_HTTP_GONGKAI_CACHE_MAX_AGE  600


/* gongkai_cache zone=NAME[:SIZE] [max_age=TIME] | off */
char *ngx_http_gongkai_cache_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* init_main_conf: with any zone, the database pool gets a LISTEN link */
void ngx_http_gongkai_cache_init_main_conf(ngx_conf_t *cf,
    ngx_http_gongkai_main_conf_t *gmcf);

/* init_process: before the database pool starts */
void ngx_http_gongkai_cache_init_process(ngx_cycle_t *cycle,
    ngx_http_gongkai_main_conf_t *gmcf);

/* exit_process: before the database pool closes (the last flush) */
void ngx_http_gongkai_cache_exit_process(ngx_cycle_t *cycle);

/* the most parameters a cached page has */
#define NGX_HTTP_GONGKAI_CACHE_ARGS_MAX  8

/*
 * A page that may be cached: build its key from the host, the canonical
 * path and the parameters its parser kept, names[i] with values[i]
 * (normalised; see cache_key.h), then look it up.  Returns NGX_DECLINED
 * to go on with the query (a miss, or no cache here: the response is
 * stored when it is a 200), or the result of sending the cached page.
 */
ngx_int_t ngx_http_gongkai_cache_page(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, ngx_str_t *path, const char **names,
    ngx_str_t *values, ngx_uint_t nargs);

/*
 * The database is unreachable (a 503): send the cached page, however
 * stale, with "X-Gongkai-Cache: STALE".  Returns NGX_DECLINED when there
 * is none (the caller sends its 503 page), or the result of sending.
 */
ngx_int_t ngx_http_gongkai_cache_stale(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx);

/*
 * A 200 about to be sent.  Of a page that asked for the cache
 * (ngx_http_gongkai_cache_page): its ETag (a digest of the body),
 * Last-Modified and Cache-Control headers, and with a key the response
 * is stored; of any other (a form, a status page): nothing of that.
 * X-Gongkai-Cache on both.  Returns NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_gongkai_cache_store(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, ngx_str_t *type, ngx_chain_t *body,
    size_t len);

/* X-Gongkai-Cache on a response that is not a 200 (never stored) */
ngx_int_t ngx_http_gongkai_cache_status(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx);


#endif /* _NGX_HTTP_GONGKAI_CACHE_H_INCLUDED_ */
