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


/*
 * The LISTEN connection (optional): one more connection per worker that
 * runs no page statements.  Once connected it runs the statements of
 * listen_sql in order, each as its own transaction (so a LISTEN among
 * them is in effect before the next one runs), then calls
 * listen_handler with up = 1 and the last statement's result (freed
 * after the call); from then on every notification it receives is given
 * to notify_handler (channel and payload NUL-terminated).  When the
 * connection is lost or closed listen_handler is called with up = 0 and
 * res NULL, and the connection is retried like the others.
 */
typedef void (*ngx_http_gongkai_db_listen_pt)(ngx_uint_t up, PGresult *res);
typedef void (*ngx_http_gongkai_db_notify_pt)(const char *channel,
    const char *payload);


typedef struct {
    ngx_str_t                       conninfo;
    ngx_uint_t                      pool_size;
    ngx_msec_t                      timeout;
    ngx_http_gongkai_stmt_t        *stmts;
    ngx_uint_t                      nstmts;

    /* NULL-terminated constant SQL texts, or NULL: no LISTEN connection */
    const char                    **listen_sql;
    ngx_http_gongkai_db_listen_pt   listen_handler;
    ngx_http_gongkai_db_notify_pt   notify_handler;
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

/*
 * Take in, now, the notifications that have reached the LISTEN
 * connection's socket (one poll() when nothing has): a cached page is
 * served only after the invalidations that arrived before the request.
 */
void ngx_http_gongkai_db_listen_check(void);

/* the LISTEN connection listens and runs no side statement */
ngx_uint_t ngx_http_gongkai_db_listen_ready(void);

/*
 * Send "sql" (a constant text) with one text parameter on the LISTEN
 * connection, for work that belongs to no request (a timer's).  One at a
 * time: NGX_BUSY when the connection is down, not listening yet or still
 * running the previous one (try again later); NGX_DECLINED when there is
 * no LISTEN connection; NGX_ERROR when sending failed (the connection is
 * retried).  NGX_OK: sent.  Nobody hears of the result: a failure is
 * logged, and whatever the statement carried is lost.
 */
ngx_int_t ngx_http_gongkai_db_listen_query(const char *sql,
    const char *param);


#endif /* _NGX_HTTP_GONGKAI_DB_H_INCLUDED_ */
