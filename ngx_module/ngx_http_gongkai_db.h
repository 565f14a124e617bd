/*
 * Asynchronous PostgreSQL access for gongkai: a pool of libpq connections
 * per worker process, driven entirely by nginx's event loop.
 *
 * A request asks for one prepared statement by its index in the statement
 * table; the pool prepares each statement lazily, once per connection,
 * with PQsendPrepare, then runs it with PQsendQueryPrepared.  When all
 * connections are busy the request waits in a FIFO queue.  The handler is
 * called exactly once per query, unless the request was finalized first
 * (its pool cleanup detaches it and the result is drained and discarded).
 */

#ifndef _NGX_HTTP_GONGKAI_DB_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_DB_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <libpq-fe.h>


/* a named statement: its name on the server, its text and arity */
typedef struct {
    const char                 *name;
    const char                 *sql;
    int                         nparams;
} ngx_http_gongkai_stmt_t;


/*
 * The outcome passed to a handler:
 *   NGX_OK                       res is a PGRES_TUPLES_OK result; it is
 *                                freed by a cleanup of r->pool, so the
 *                                handler may keep pointers into it;
 *   NGX_HTTP_SERVICE_UNAVAILABLE no connection could be had (the server
 *                                is known to be down: immediately), the
 *                                queue wait or the query exceeded the
 *                                timeout, the connection was lost, or the
 *                                server gave a class 57 or 08 error such
 *                                as statement_timeout or shutdown (res
 *                                NULL; logged already);
 *   NGX_DECLINED                 the statement raised one of the
 *                                project's own SQLSTATEs (class "GK",
 *                                sql/ADMIN.md): res is the error result
 *                                (freed like a NGX_OK one), read it with
 *                                PQresultErrorField; not logged;
 *   NGX_ERROR                    the server reported another error for
 *                                the statement, or a parameter holds a
 *                                NUL byte, which PostgreSQL text cannot
 *                                (res NULL; logged already).
 */
typedef void (*ngx_http_gongkai_db_handler_pt)(ngx_http_request_t *r,
    PGresult *res, ngx_int_t rc);


typedef struct {
    ngx_str_t                   conninfo;
    ngx_uint_t                  pool_size;
    ngx_msec_t                  timeout;
    ngx_http_gongkai_stmt_t    *stmts;
    ngx_uint_t                  nstmts;
} ngx_http_gongkai_db_conf_t;


/* called from init_process: allocate the pool and start connecting */
ngx_int_t ngx_http_gongkai_db_init_process(ngx_cycle_t *cycle,
    ngx_http_gongkai_db_conf_t *dbcf);

/* called from exit_process: close every connection */
void ngx_http_gongkai_db_exit_process(ngx_cycle_t *cycle);

/*
 * Run statement "stmt" with "nparams" text parameters (a param whose
 * data is NULL is SQL NULL).  The parameters are copied, the caller's
 * memory may go away.  result_format is 0 (text) or 1 (binary).
 * Returns NGX_OK when the query was queued or sent: the handler will be
 * called later, from the event loop, never from inside this call.  The
 * caller must then have incremented r->main->count and return NGX_DONE.
 * Returns NGX_ERROR on allocation failure (handler never called).
 */
ngx_int_t ngx_http_gongkai_db_query(ngx_http_request_t *r, ngx_uint_t stmt,
    ngx_uint_t nparams, ngx_str_t *params, int result_format,
    ngx_http_gongkai_db_handler_pt handler);


#endif /* _NGX_HTTP_GONGKAI_DB_H_INCLUDED_ */
