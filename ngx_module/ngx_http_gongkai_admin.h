/*
 * The admin pages (gongkai_admin): routes, their statements, the handler.
 * The contract between the routes, the SQL functions and the templates
 * is sql/ADMIN.md.
 */

#ifndef _NGX_HTTP_GONGKAI_ADMIN_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_ADMIN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_module.h"


/* what a route does with the request */
typedef enum {
    NGX_HTTP_GONGKAI_ROUTE_PAGE = 0,     /* GET: page function, template */
    NGX_HTTP_GONGKAI_ROUTE_ACTION,       /* POST urlencoded: do function */
    NGX_HTTP_GONGKAI_ROUTE_UPLOAD,       /* POST multipart with a file */
    NGX_HTTP_GONGKAI_ROUTE_SCREEN,       /* POST: screen, then act */
    NGX_HTTP_GONGKAI_ROUTE_FILE,         /* GET: a stored file */
    NGX_HTTP_GONGKAI_ROUTE_LOGIN_FORM,   /* GET login: no database */
    NGX_HTTP_GONGKAI_ROUTE_LOGIN,        /* POST login */
    NGX_HTTP_GONGKAI_ROUTE_LOGOUT        /* POST logout */
} ngx_http_gongkai_route_kind_e;


/*
 * A route: the path below the admin prefix, where each '#' stands for
 * one path segment of 1 to 18 digits (an id, passed to SQL in args).
 */
typedef struct {
    ngx_uint_t                     method;
    ngx_str_t                      path;
    ngx_http_gongkai_route_kind_e  kind;
    ngx_int_t                      stmt;     /* admin statement, or -1 */
    ngx_int_t                      stmt2;    /* SCREEN: the action */
    const char                    *tmpl;
} ngx_http_gongkai_route_t;


/* the most '#' segments a route has */
#define NGX_HTTP_GONGKAI_ROUTE_ARGS  4


extern ngx_http_gongkai_stmt_t   ngx_http_gongkai_admin_stmts[];
extern ngx_uint_t                ngx_http_gongkai_admin_nstmts;
extern ngx_http_gongkai_route_t  ngx_http_gongkai_admin_routes[];


/*
 * Find the route for a method and a path below the prefix; the '#'
 * segments are stored in args[] (at most NGX_HTTP_GONGKAI_ROUTE_ARGS).
 * Returns the route, or NULL; *other is set when the path has a route
 * for another method (405 rather than 404).
 */
ngx_http_gongkai_route_t *ngx_http_gongkai_admin_route(ngx_uint_t method,
    u_char *path, size_t len, ngx_str_t *args, ngx_uint_t *nargs,
    ngx_uint_t *other);

/* the content handler of locations with gongkai_admin */
ngx_int_t ngx_http_gongkai_admin_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_GONGKAI_ADMIN_H_INCLUDED_ */
