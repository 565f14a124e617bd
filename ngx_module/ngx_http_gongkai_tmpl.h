/*
 * Templates: HTML files parsed once at configuration time with libxml2's
 * HTML parser and compiled into a flat array of operations.  Rendering
 * walks the operations against a value tree and produces a buffer chain;
 * every value is escaped for its context (text, attribute, URL).  The
 * template language is described in templates/README.md.
 */

#ifndef _NGX_HTTP_GONGKAI_TMPL_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_TMPL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_gongkai_value.h"


typedef struct ngx_http_gongkai_tmpl_s      ngx_http_gongkai_tmpl_t;
typedef struct ngx_http_gongkai_tmpl_set_s  ngx_http_gongkai_tmpl_set_t;


/*
 * Compile every *.html file of dir (layout.html is the shared layout the
 * page templates fill).  Memory comes from pool.  On any error (missing
 * or unreadable directory or file, a syntax error, an unknown directive,
 * a g-fill without its slot) logs NGX_LOG_EMERG to log naming the file
 * and line, and returns NULL.
 */
ngx_http_gongkai_tmpl_set_t *ngx_http_gongkai_tmpl_load(ngx_pool_t *pool,
    ngx_log_t *log, ngx_str_t *dir);

/* a page template by its file name without ".html", or NULL */
ngx_http_gongkai_tmpl_t *ngx_http_gongkai_tmpl_get(
    ngx_http_gongkai_tmpl_set_t *set, const char *name);

/*
 * Render t (already merged into the layout) with data as the root scope.
 * On success *out is a chain of memory buffers from pool (last_buf is not
 * set) and *len its total size.  Missing names render as empty.
 */
ngx_int_t ngx_http_gongkai_tmpl_render(ngx_pool_t *pool,
    ngx_http_gongkai_tmpl_t *t, ngx_http_gongkai_value_t *data,
    ngx_chain_t **out, size_t *len);


#endif /* _NGX_HTTP_GONGKAI_TMPL_H_INCLUDED_ */
