
/*
 * gongkai: asynchronous PostgreSQL pool (see ngx_http_gongkai_db.h).
 *
 * Every worker process owns "pool_size" libpq connections.  Each one is
 * an nginx connection wrapped around PQsocket(), so that connecting,
 * sending and receiving are driven by the worker's event loop; libpq is
 * used only through its non-blocking calls.
 *
 * Life of a connection:
 *
 *   DOWN --timer--> CONNECTING --PQconnectPoll OK--> IDLE <--> BUSY
 *     ^                  |                                      |
 *     +---- backoff -----+-------- lost (EOF, error) <----------+
 *
 * A request enters a FIFO queue; an idle connection takes the head of the
 * queue, prepares the statement if this connection has not prepared it
 * yet (PQsendPrepare), then runs it (PQsendQueryPrepared).  One timer per
 * request covers both the wait in the queue and the query.
 *
 * nginx events are edge-triggered (epoll with EPOLLET) while libpq reads
 * and writes only as much as it wants to, so after every round the socket
 * is polled with a zero timeout (plus SSL_pending() for TLS) and the work
 * goes on while data is pending: an edge is never lost.
 *
 * With a LISTEN connection configured (listen_sql), one more connection
 * takes no requests: after connecting it runs listen_sql, then waits for
 * notifications, which it hands to notify_handler as they come.  While
 * it listens it may also run one "side" statement at a time for work
 * that belongs to no request (ngx_http_gongkai_db_listen_query: the visit
 * counters' flush); notifications keep coming meanwhile.
 *
 * Connect timeouts are ours to enforce: libpq's connect_timeout works only
 * in its blocking PQconnectdb().  Query protection on the server side is
 * statement_timeout, set to the pool timeout through the "options"
 * connection parameter, because a timed out query cannot be cancelled
 * without blocking (PQcancel): its connection is closed and reopened.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>
#include <poll.h>
#include <arpa/inet.h>
#include <libpq-fe.h>

#include "ngx_http_gongkai_db.h"


#define NGX_HTTP_GONGKAI_DB_DOWN          0
#define NGX_HTTP_GONGKAI_DB_CONNECTING    1
#define NGX_HTTP_GONGKAI_DB_IDLE          2
#define NGX_HTTP_GONGKAI_DB_BUSY          3

/* reconnect delays: doubled after each failure, reset by a success */
#define NGX_HTTP_GONGKAI_DB_BACKOFF_MIN   100
#define NGX_HTTP_GONGKAI_DB_BACKOFF_MAX   5000

/* while the server is down, a request may start a connect this often */
#define NGX_HTTP_GONGKAI_DB_PROBE         1000

/* rounds of libpq work per event before yielding to other events */
#define NGX_HTTP_GONGKAI_DB_ROUNDS        64

/* room for a libpq message in the log, flattened to one line */
#define NGX_HTTP_GONGKAI_DB_MSG_LEN       512


typedef struct ngx_http_gongkai_db_conn_s  ngx_http_gongkai_db_conn_t;
typedef struct ngx_http_gongkai_db_req_s   ngx_http_gongkai_db_req_t;


struct ngx_http_gongkai_db_req_s {
    ngx_http_request_t               *request;
    ngx_http_gongkai_db_handler_pt    handler;
    ngx_uint_t                        stmt;
    int                               nparams;
    int                               format;
    const char                      **values;

    /* the connection running the query, NULL while queued */
    ngx_http_gongkai_db_conn_t       *conn;

    /* the result given to the handler, freed by the pool cleanup */
    PGresult                         *res;

    ngx_queue_t                       queue;
    ngx_event_t                       timer;
    ngx_event_t                       post;
    ngx_int_t                         rc;

    unsigned                          queued:1;
    unsigned                          done:1;
};


struct ngx_http_gongkai_db_conn_s {
    PGconn                           *pg;
    ngx_connection_t                 *connection;
    ino_t                             ino;

    /* the request being served; NULL when idle or when it went away */
    ngx_http_gongkai_db_req_t        *req;
    ngx_uint_t                        stmt;
    PGresult                         *res;

    /* one flag per statement of the table: prepared on this session */
    u_char                           *prepared;

    /* DOWN: backoff; CONNECTING: connect timeout; BUSY: orphan query */
    ngx_event_t                       timer;
    ngx_msec_t                        delay;
    ngx_msec_t                        attempt;

    ngx_uint_t                        index;
    ngx_uint_t                        state;
    PostgresPollingStatusType         polling;

    unsigned                          preparing:1;
    unsigned                          flushing:1;
    unsigned                          error:1;
    unsigned                          unavailable:1;
    unsigned                          app_error:1;
    unsigned                          reset:1;
    unsigned                          failed:1;

    /* the LISTEN connection: listen_sql[step] runs, or it listens */
    unsigned                          listener:1;
    unsigned                          listening:1;
    unsigned                          side:1;
    ngx_uint_t                        step;
    const char                       *side_sql;
};


typedef struct {
    ngx_http_gongkai_db_conf_t       *conf;
    ngx_log_t                        *log;
    ngx_http_gongkai_db_conn_t       *conns;
    ngx_uint_t                        nconns;
    ngx_http_gongkai_db_conn_t       *listener;  /* or NULL */
    ngx_queue_t                       waiting;
    ngx_event_t                       dispatch;
    ngx_event_t                       probe;
    ngx_msec_t                        logged;
    const char                      **keywords;
    const char                      **values;
} ngx_http_gongkai_db_pool_t;


static ngx_int_t ngx_http_gongkai_db_conninfo(ngx_cycle_t *cycle,
    ngx_http_gongkai_db_pool_t *pool);
static void ngx_http_gongkai_db_check_hosts(ngx_log_t *log,
    const char *hosts);
static void ngx_http_gongkai_db_connect(ngx_http_gongkai_db_conn_t *conn);
static void ngx_http_gongkai_db_connect_poll(
    ngx_http_gongkai_db_conn_t *conn);
static void ngx_http_gongkai_db_connected(ngx_http_gongkai_db_conn_t *conn);
static void ngx_http_gongkai_db_connect_failed(
    ngx_http_gongkai_db_conn_t *conn, const char *what);
static ngx_int_t ngx_http_gongkai_db_wrap(ngx_http_gongkai_db_conn_t *conn);
static ngx_int_t ngx_http_gongkai_db_rewrap(
    ngx_http_gongkai_db_conn_t *conn);
static void ngx_http_gongkai_db_unwrap(ngx_http_gongkai_db_conn_t *conn);
static void ngx_http_gongkai_db_close(ngx_http_gongkai_db_conn_t *conn);
static void ngx_http_gongkai_db_lost(ngx_http_gongkai_db_conn_t *conn,
    const char *what);
static void ngx_http_gongkai_db_backoff(ngx_http_gongkai_db_conn_t *conn);
static void ngx_http_gongkai_db_conn_timer(ngx_event_t *ev);
static void ngx_http_gongkai_db_event_handler(ngx_event_t *ev);
static void ngx_http_gongkai_db_process(ngx_http_gongkai_db_conn_t *conn);
static void ngx_http_gongkai_db_listen_send(ngx_http_gongkai_db_conn_t *conn);
static void ngx_http_gongkai_db_listen_process(
    ngx_http_gongkai_db_conn_t *conn);
static ngx_int_t ngx_http_gongkai_db_side_result(
    ngx_http_gongkai_db_conn_t *conn);
static ngx_int_t ngx_http_gongkai_db_listen_result(
    ngx_http_gongkai_db_conn_t *conn);
static ngx_int_t ngx_http_gongkai_db_send(ngx_http_gongkai_db_conn_t *conn,
    ngx_http_gongkai_db_req_t *req);
static ngx_int_t ngx_http_gongkai_db_result(ngx_http_gongkai_db_conn_t *conn,
    PGresult *res);
static ngx_int_t ngx_http_gongkai_db_step_done(
    ngx_http_gongkai_db_conn_t *conn);
static ngx_int_t ngx_http_gongkai_db_pending(ngx_http_gongkai_db_conn_t *conn,
    short events);
static ngx_int_t ngx_http_gongkai_db_arm(ngx_http_gongkai_db_conn_t *conn,
    ngx_uint_t write);
static void ngx_http_gongkai_db_notice(void *arg, const char *message);
static ngx_uint_t ngx_http_gongkai_db_usable(void);
static void ngx_http_gongkai_db_probe(ngx_event_t *ev);
static void ngx_http_gongkai_db_check(void);
static void ngx_http_gongkai_db_dispatch(ngx_event_t *ev);
static void ngx_http_gongkai_db_complete(ngx_http_gongkai_db_req_t *req,
    ngx_int_t rc, PGresult *res);
static void ngx_http_gongkai_db_req_timeout(ngx_event_t *ev);
static void ngx_http_gongkai_db_req_posted(ngx_event_t *ev);
static void ngx_http_gongkai_db_req_cleanup(void *data);
static const char *ngx_http_gongkai_db_strdup(ngx_pool_t *pool,
    const char *s);
static size_t ngx_http_gongkai_db_flatten(u_char *buf, const char *s);


/* one pool per worker process */
static ngx_http_gongkai_db_pool_t  *ngx_http_gongkai_db_pool;


ngx_int_t
ngx_http_gongkai_db_init_process(ngx_cycle_t *cycle,
    ngx_http_gongkai_db_conf_t *dbcf)
{
    ngx_uint_t                   i, n;
    ngx_http_gongkai_db_conn_t  *conn;
    ngx_http_gongkai_db_pool_t  *pool;

    if (dbcf == NULL || dbcf->conninfo.len == 0) {
        return NGX_OK;
    }

    /* the clock may be stale after a long configuration load */
    ngx_time_update();

    pool = ngx_pcalloc(cycle->pool, sizeof(ngx_http_gongkai_db_pool_t));
    if (pool == NULL) {
        return NGX_ERROR;
    }

    pool->conf = dbcf;
    pool->log = cycle->log;
    pool->nconns = dbcf->pool_size ? dbcf->pool_size : 1;

    ngx_queue_init(&pool->waiting);

    pool->dispatch.handler = ngx_http_gongkai_db_dispatch;
    pool->dispatch.data = pool;
    pool->dispatch.log = cycle->log;

    pool->probe.handler = ngx_http_gongkai_db_probe;
    pool->probe.data = pool;
    pool->probe.log = cycle->log;

    if (ngx_http_gongkai_db_conninfo(cycle, pool) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the LISTEN connection, if any, follows the pool's */

    n = pool->nconns + (dbcf->listen_sql != NULL ? 1 : 0);

    pool->conns = ngx_pcalloc(cycle->pool,
                              n * sizeof(ngx_http_gongkai_db_conn_t));
    if (pool->conns == NULL) {
        return NGX_ERROR;
    }

    if (dbcf->listen_sql != NULL) {
        pool->listener = &pool->conns[pool->nconns];
        pool->listener->listener = 1;
    }

    for (i = 0; i < n; i++) {
        conn = &pool->conns[i];

        conn->index = i;
        conn->state = NGX_HTTP_GONGKAI_DB_DOWN;

        if (dbcf->nstmts && !conn->listener) {
            conn->prepared = ngx_pcalloc(cycle->pool, dbcf->nstmts);
            if (conn->prepared == NULL) {
                return NGX_ERROR;
            }
        }

        conn->timer.handler = ngx_http_gongkai_db_conn_timer;
        conn->timer.data = conn;
        conn->timer.log = cycle->log;
        conn->timer.cancelable = 1;
    }

    ngx_http_gongkai_db_pool = pool;

    for (i = 0; i < n; i++) {
        ngx_http_gongkai_db_connect(&pool->conns[i]);
    }

    return NGX_OK;
}


void
ngx_http_gongkai_db_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                   i;
    ngx_queue_t                 *q;
    ngx_http_gongkai_db_req_t   *req;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    if (pool == NULL) {
        return;
    }

    if (pool->dispatch.posted) {
        ngx_delete_posted_event(&pool->dispatch);
    }

    if (pool->probe.posted) {
        ngx_delete_posted_event(&pool->probe);
    }

    /* the process is going away: forget waiting requests silently */

    while (!ngx_queue_empty(&pool->waiting)) {
        q = ngx_queue_head(&pool->waiting);
        ngx_queue_remove(q);

        req = ngx_queue_data(q, ngx_http_gongkai_db_req_t, queue);
        req->queued = 0;
        req->done = 1;
    }

    for (i = 0; i < pool->nconns; i++) {
        if (pool->conns[i].req) {
            pool->conns[i].req->done = 1;
        }

        ngx_http_gongkai_db_close(&pool->conns[i]);
    }

    if (pool->listener != NULL) {
        ngx_http_gongkai_db_close(pool->listener);
    }

    ngx_http_gongkai_db_pool = NULL;
}


ngx_int_t
ngx_http_gongkai_db_query(ngx_http_request_t *r, ngx_uint_t stmt,
    ngx_uint_t nparams, ngx_str_t *params, int result_format,
    ngx_http_gongkai_db_handler_pt handler)
{
    u_char                      *p;
    ngx_uint_t                   i, nul;
    ngx_pool_cleanup_t          *cln;
    ngx_http_gongkai_db_req_t   *req;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    if (pool == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai db: no database pool in this worker "
                      "(is \"gongkai_db\" set?)");
        return NGX_ERROR;
    }

    if (stmt >= pool->conf->nstmts
        || nparams != (ngx_uint_t) pool->conf->stmts[stmt].nparams)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai db: statement %ui called with %ui "
                      "parameters", stmt, nparams);
        return NGX_ERROR;
    }

    req = ngx_pcalloc(r->pool, sizeof(ngx_http_gongkai_db_req_t));
    if (req == NULL) {
        return NGX_ERROR;
    }

    nul = 0;

    if (nparams) {
        req->values = ngx_palloc(r->pool, nparams * sizeof(char *));
        if (req->values == NULL) {
            return NGX_ERROR;
        }

        for (i = 0; i < nparams; i++) {
            if (params[i].data == NULL) {
                req->values[i] = NULL;
                continue;
            }

            p = ngx_pnalloc(r->pool, params[i].len + 1);
            if (p == NULL) {
                return NGX_ERROR;
            }

            ngx_memcpy(p, params[i].data, params[i].len);
            p[params[i].len] = '\0';

            if (ngx_strlen(p) != params[i].len) {
                nul = 1;
            }

            req->values[i] = (const char *) p;
        }
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    req->request = r;
    req->handler = handler;
    req->stmt = stmt;
    req->nparams = (int) nparams;
    req->format = result_format ? 1 : 0;

    req->timer.handler = ngx_http_gongkai_db_req_timeout;
    req->timer.data = req;
    req->timer.log = r->connection->log;

    req->post.handler = ngx_http_gongkai_db_req_posted;
    req->post.data = req;
    req->post.log = r->connection->log;

    cln->handler = ngx_http_gongkai_db_req_cleanup;
    cln->data = req;

    if (nul) {
        /* PostgreSQL text cannot hold NUL: the server would refuse it */

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "gongkai db: parameter of statement \"%s\" "
                      "contains a NUL byte", pool->conf->stmts[stmt].name);

        req->rc = NGX_ERROR;
        ngx_post_event(&req->post, &ngx_posted_events);
        return NGX_OK;
    }

    if (!ngx_http_gongkai_db_usable()) {

        /*
         * Known down: fail fast rather than wait for the timeout, and
         * perhaps try a connection now instead of at the end of a long
         * backoff, so that traffic notices a recovery sooner.
         */

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "gongkai db: no usable connection to PostgreSQL");

        ngx_post_event(&pool->probe, &ngx_posted_events);

        req->rc = NGX_HTTP_SERVICE_UNAVAILABLE;
        ngx_post_event(&req->post, &ngx_posted_events);
        return NGX_OK;
    }

    ngx_add_timer(&req->timer, pool->conf->timeout);

    ngx_queue_insert_tail(&pool->waiting, &req->queue);
    req->queued = 1;

    ngx_post_event(&pool->dispatch, &ngx_posted_events);

    return NGX_OK;
}


/*
 * The connection parameters: the "gongkai_db" string is parsed by libpq
 * (key=value or URI form), its values are passed as keywords to
 * PQconnectStartParams, and statement_timeout is appended to "options".
 * Nothing here comes from a client.
 */

static ngx_int_t
ngx_http_gongkai_db_conninfo(ngx_cycle_t *cycle,
    ngx_http_gongkai_db_pool_t *pool)
{
    char                *err, *conninfo;
    u_char              *p, msg[NGX_HTTP_GONGKAI_DB_MSG_LEN];
    size_t               len;
    ngx_uint_t           n, i, app, enc;
    const char          *options, *hosts, *hostaddrs;
    PQconninfoOption    *opts, *o;

    conninfo = ngx_pnalloc(cycle->pool, pool->conf->conninfo.len + 1);
    if (conninfo == NULL) {
        return NGX_ERROR;
    }

    ngx_cpystrn((u_char *) conninfo, pool->conf->conninfo.data,
                pool->conf->conninfo.len + 1);

    err = NULL;
    opts = PQconninfoParse(conninfo, &err);

    if (opts == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "gongkai db: invalid \"gongkai_db\" connection "
                      "string: %*s",
                      ngx_http_gongkai_db_flatten(msg, err ? err
                                                           : "out of memory"),
                      msg);
        if (err) {
            PQfreemem(err);
        }

        return NGX_ERROR;
    }

    n = 0;

    for (o = opts; o->keyword; o++) {
        if (o->val != NULL && o->val[0] != '\0') {
            n++;
        }
    }

    /* room for options, fallback_application_name, client_encoding, NULL */

    pool->keywords = ngx_pcalloc(cycle->pool, (n + 4) * sizeof(char *));
    pool->values = ngx_pcalloc(cycle->pool, (n + 4) * sizeof(char *));

    if (pool->keywords == NULL || pool->values == NULL) {
        PQconninfoFree(opts);
        return NGX_ERROR;
    }

    i = 0;
    app = 0;
    enc = 0;
    options = NULL;
    hosts = NULL;
    hostaddrs = NULL;

    for (o = opts; o->keyword; o++) {
        if (o->val == NULL || o->val[0] == '\0') {
            continue;
        }

        if (ngx_strcmp(o->keyword, "options") == 0) {
            options = o->val;
            continue;
        }

        pool->keywords[i] = ngx_http_gongkai_db_strdup(cycle->pool,
                                                       o->keyword);
        pool->values[i] = ngx_http_gongkai_db_strdup(cycle->pool, o->val);

        if (pool->keywords[i] == NULL || pool->values[i] == NULL) {
            PQconninfoFree(opts);
            return NGX_ERROR;
        }

        if (ngx_strcmp(o->keyword, "fallback_application_name") == 0
            || ngx_strcmp(o->keyword, "application_name") == 0)
        {
            app = 1;

        } else if (ngx_strcmp(o->keyword, "client_encoding") == 0) {
            enc = 1;

        } else if (ngx_strcmp(o->keyword, "host") == 0) {
            hosts = pool->values[i];

        } else if (ngx_strcmp(o->keyword, "hostaddr") == 0) {
            hostaddrs = pool->values[i];
        }

        i++;
    }

    if (options != NULL || pool->conf->timeout) {
        len = (options ? ngx_strlen(options) + 1 : 0)
              + sizeof("-c statement_timeout=") - 1 + NGX_INT_T_LEN + 1;

        p = ngx_pnalloc(cycle->pool, len);
        if (p == NULL) {
            PQconninfoFree(opts);
            return NGX_ERROR;
        }

        pool->keywords[i] = "options";
        pool->values[i] = (const char *) p;
        i++;

        if (options) {
            p = ngx_sprintf(p, "%s", options);
        }

        if (pool->conf->timeout) {
            p = ngx_sprintf(p, "%s-c statement_timeout=%M",
                            options ? " " : "", pool->conf->timeout);
        }

        *p = '\0';
    }

    PQconninfoFree(opts);

    if (!app) {
        pool->keywords[i] = "fallback_application_name";
        pool->values[i] = "gongkai";
        i++;
    }

    if (!enc) {
        pool->keywords[i] = "client_encoding";
        pool->values[i] = "UTF8";
        i++;
    }

    pool->keywords[i] = NULL;
    pool->values[i] = NULL;

    if (hostaddrs == NULL && hosts != NULL) {
        ngx_http_gongkai_db_check_hosts(cycle->log, hosts);
    }

    return NGX_OK;
}


/* a host name would make libpq call getaddrinfo(), which blocks */

static void
ngx_http_gongkai_db_check_hosts(ngx_log_t *log, const char *hosts)
{
    u_char       buf[128];
    u_char       addr[sizeof(struct in6_addr)];
    size_t       len;
    const char  *p, *end;

    for (p = hosts; *p; p = *end ? end + 1 : end) {
        end = p;
        while (*end && *end != ',') {
            end++;
        }

        len = end - p;

        if (len == 0 || *p == '/' || *p == '@' || len >= sizeof(buf)) {
            continue;
        }

        ngx_cpystrn(buf, (u_char *) p, len + 1);

        if (inet_pton(AF_INET, (char *) buf, addr) == 1
            || inet_pton(AF_INET6, (char *) buf, addr) == 1)
        {
            continue;
        }

        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "gongkai db: host \"%s\" is a name: libpq resolves "
                      "it with a blocking DNS lookup; use \"hostaddr\" or "
                      "a socket directory", buf);
    }
}


static void
ngx_http_gongkai_db_connect(ngx_http_gongkai_db_conn_t *conn)
{
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    conn->attempt = ngx_current_msec;
    conn->pg = PQconnectStartParams(pool->keywords, pool->values, 0);

    if (conn->pg == NULL) {
        ngx_log_error(NGX_LOG_ERR, pool->log, 0,
                      "gongkai db: connection #%ui: out of memory",
                      conn->index);
        ngx_http_gongkai_db_backoff(conn);
        ngx_http_gongkai_db_check();
        return;
    }

    if (PQstatus(conn->pg) == CONNECTION_BAD) {
        ngx_http_gongkai_db_connect_failed(conn, "could not connect");
        return;
    }

    PQsetNoticeProcessor(conn->pg, ngx_http_gongkai_db_notice, conn);

    if (ngx_http_gongkai_db_wrap(conn) != NGX_OK) {
        ngx_http_gongkai_db_connect_failed(conn, "could not connect");
        return;
    }

    conn->state = NGX_HTTP_GONGKAI_DB_CONNECTING;

    /* libpq: before the first PQconnectPoll, act as if it said WRITING */
    conn->polling = PGRES_POLLING_WRITING;

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    ngx_add_timer(&conn->timer, pool->conf->timeout);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, pool->log, 0,
                   "gongkai db: connection #%ui connecting", conn->index);

    ngx_http_gongkai_db_connect_poll(conn);
}


static void
ngx_http_gongkai_db_connect_poll(ngx_http_gongkai_db_conn_t *conn)
{
    ngx_uint_t  n;

    for (n = 0; n < NGX_HTTP_GONGKAI_DB_ROUNDS; n++) {

        /*
         * A Unix socket connect() completes at once (CONNECTION_MADE
         * right after PQconnectStart): the zero-timeout poll sees the
         * socket writable and libpq is polled without waiting for an
         * edge that has already happened.
         */

        if (conn->polling == PGRES_POLLING_READING) {
            if (!ngx_http_gongkai_db_pending(conn, POLLIN)) {
                if (ngx_http_gongkai_db_arm(conn, 0) != NGX_OK) {
                    ngx_http_gongkai_db_connect_failed(conn,
                                                      "could not connect");
                }
                return;
            }

        } else {
            if (!ngx_http_gongkai_db_pending(conn, POLLOUT)) {
                if (ngx_http_gongkai_db_arm(conn, 1) != NGX_OK) {
                    ngx_http_gongkai_db_connect_failed(conn,
                                                      "could not connect");
                }
                return;
            }
        }

        conn->polling = PQconnectPoll(conn->pg);

        switch (conn->polling) {

        case PGRES_POLLING_OK:
            ngx_http_gongkai_db_connected(conn);
            return;

        case PGRES_POLLING_FAILED:
            ngx_http_gongkai_db_connect_failed(conn, "could not connect");
            return;

        default: /* PGRES_POLLING_READING, PGRES_POLLING_WRITING */
            break;
        }

        /* libpq may have moved to another socket (next host, SSL retry) */

        if (ngx_http_gongkai_db_rewrap(conn) != NGX_OK) {
            ngx_http_gongkai_db_connect_failed(conn, "could not connect");
            return;
        }
    }

    ngx_post_event(conn->connection->write, &ngx_posted_events);
}


static void
ngx_http_gongkai_db_connected(ngx_http_gongkai_db_conn_t *conn)
{
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    if (ngx_http_gongkai_db_rewrap(conn) != NGX_OK) {
        ngx_http_gongkai_db_connect_failed(conn, "could not connect");
        return;
    }

    if (PQsetnonblocking(conn->pg, 1) == -1) {
        ngx_http_gongkai_db_connect_failed(conn,
                                          "could not set non-blocking mode");
        return;
    }

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    if (conn->failed) {
        ngx_log_error(NGX_LOG_NOTICE, pool->log, 0,
                      "gongkai db: connection #%ui to PostgreSQL "
                      "re-established", conn->index);
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, pool->log, 0,
                   "gongkai db: connection #%ui ready, fd:%d pid:%d",
                   conn->index, conn->connection->fd,
                   PQbackendPID(conn->pg));

    conn->failed = 0;
    conn->delay = 0;

    if (conn->listener) {
        conn->state = NGX_HTTP_GONGKAI_DB_BUSY;
        conn->step = 0;
        conn->error = 0;

        ngx_http_gongkai_db_listen_send(conn);

        if (conn->pg != NULL) {
            ngx_http_gongkai_db_listen_process(conn);
        }

        return;
    }

    conn->state = NGX_HTTP_GONGKAI_DB_IDLE;

    ngx_http_gongkai_db_process(conn);
}


static void
ngx_http_gongkai_db_connect_failed(ngx_http_gongkai_db_conn_t *conn,
    const char *what)
{
    u_char                       msg[NGX_HTTP_GONGKAI_DB_MSG_LEN];
    size_t                       len;
    ngx_uint_t                   level;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    /* libpq's message is complete only once it has given up */

    len = 0;

    if (conn->pg != NULL && PQstatus(conn->pg) == CONNECTION_BAD) {
        len = ngx_http_gongkai_db_flatten(msg, PQerrorMessage(conn->pg));
    }

    /*
     * The first failure is an error; while the server stays down, the
     * retries of all connections say so once per backoff maximum.
     */

    if (!conn->failed
        || ngx_current_msec - pool->logged >= NGX_HTTP_GONGKAI_DB_BACKOFF_MAX)
    {
        level = NGX_LOG_ERR;
        pool->logged = ngx_current_msec;

    } else {
        level = NGX_LOG_INFO;
    }

    ngx_log_error(level, pool->log, 0,
                  "gongkai db: connection #%ui %s%s%*s", conn->index, what,
                  len ? ": " : "", len, msg);

    ngx_http_gongkai_db_close(conn);

    conn->failed = 1;

    ngx_http_gongkai_db_backoff(conn);
    ngx_http_gongkai_db_check();
}


static ngx_int_t
ngx_http_gongkai_db_wrap(ngx_http_gongkai_db_conn_t *conn)
{
    int                          fd;
    struct stat                  st;
    ngx_event_t                 *rev, *wev;
    ngx_connection_t            *c;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    fd = PQsocket(conn->pg);
    if (fd == -1) {
        return NGX_ERROR;
    }

    if (fstat(fd, &st) == -1) {
        ngx_log_error(NGX_LOG_ERR, pool->log, ngx_errno,
                      "gongkai db: fstat() failed");
        return NGX_ERROR;
    }

    c = ngx_get_connection(fd, pool->log);
    if (c == NULL) {
        return NGX_ERROR;
    }

    c->data = conn;
    c->log = pool->log;
    c->number = ngx_atomic_fetch_add(ngx_connection_counter, 1);

    rev = c->read;
    wev = c->write;

    rev->log = pool->log;
    wev->log = pool->log;
    rev->handler = ngx_http_gongkai_db_event_handler;
    wev->handler = ngx_http_gongkai_db_event_handler;

    conn->connection = c;
    conn->ino = st.st_ino;

    if (ngx_add_conn) {
        /* epoll: both directions, edge-triggered, for the socket's life */

        if (ngx_add_conn(c) == NGX_ERROR) {
            ngx_http_gongkai_db_unwrap(conn);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_db_rewrap(ngx_http_gongkai_db_conn_t *conn)
{
    int           fd;
    struct stat   st;

    fd = PQsocket(conn->pg);

    /*
     * A new socket may get the number of the one libpq just closed, so
     * the inode tells whether this is still the socket we registered.
     */

    if (conn->connection != NULL
        && fd == conn->connection->fd
        && fstat(fd, &st) == 0
        && st.st_ino == conn->ino)
    {
        return NGX_OK;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ngx_http_gongkai_db_pool->log, 0,
                   "gongkai db: connection #%ui moved to fd:%d",
                   conn->index, fd);

    ngx_http_gongkai_db_unwrap(conn);

    return ngx_http_gongkai_db_wrap(conn);
}


/* forget the nginx side of the socket; libpq closes the descriptor */

static void
ngx_http_gongkai_db_unwrap(ngx_http_gongkai_db_conn_t *conn)
{
    ngx_connection_t  *c;

    c = conn->connection;

    if (c == NULL) {
        return;
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    /*
     * NGX_CLOSE_EVENT: the descriptor is (or is about to be) closed by
     * libpq, which drops it from epoll; a socket libpq replaced during
     * connect is already closed.
     */

    if (ngx_del_conn) {
        ngx_del_conn(c, NGX_CLOSE_EVENT);

    } else {
        if (c->read->active || c->read->disabled) {
            ngx_del_event(c->read, NGX_READ_EVENT, NGX_CLOSE_EVENT);
        }

        if (c->write->active || c->write->disabled) {
            ngx_del_event(c->write, NGX_WRITE_EVENT, NGX_CLOSE_EVENT);
        }
    }

    ngx_free_connection(c);

    c->fd = (ngx_socket_t) -1;
    conn->connection = NULL;
}


static void
ngx_http_gongkai_db_close(ngx_http_gongkai_db_conn_t *conn)
{
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    ngx_http_gongkai_db_unwrap(conn);

    if (conn->pg) {
        PQfinish(conn->pg);
        conn->pg = NULL;
    }

    if (conn->listening) {
        conn->listening = 0;

        if (pool->conf->listen_handler != NULL) {
            pool->conf->listen_handler(0, NULL);
        }
    }

    if (conn->res) {
        PQclear(conn->res);
        conn->res = NULL;
    }

    if (conn->req) {
        conn->req->conn = NULL;
        conn->req = NULL;
    }

    if (conn->prepared && !conn->listener) {
        ngx_memzero(conn->prepared, pool->conf->nstmts);
    }

    conn->state = NGX_HTTP_GONGKAI_DB_DOWN;
    conn->preparing = 0;
    conn->flushing = 0;
    conn->error = 0;
    conn->unavailable = 0;
    conn->app_error = 0;
    conn->reset = 0;
    conn->side = 0;
}


/* an established connection broke: its request gets 503 */

static void
ngx_http_gongkai_db_lost(ngx_http_gongkai_db_conn_t *conn, const char *what)
{
    u_char                       msg[NGX_HTTP_GONGKAI_DB_MSG_LEN];
    size_t                       len;
    ngx_http_gongkai_db_req_t   *req;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    len = ngx_http_gongkai_db_flatten(msg, PQerrorMessage(conn->pg));

    ngx_log_error(NGX_LOG_ERR, pool->log, 0,
                  "gongkai db: connection #%ui lost (%s): %*s",
                  conn->index, what, len, msg);

    pool->logged = ngx_current_msec;

    req = conn->req;

    ngx_http_gongkai_db_close(conn);

    conn->failed = 1;

    ngx_http_gongkai_db_backoff(conn);

    if (req) {
        ngx_http_gongkai_db_complete(req, NGX_HTTP_SERVICE_UNAVAILABLE,
                                     NULL);
    }

    ngx_http_gongkai_db_check();
}


static void
ngx_http_gongkai_db_backoff(ngx_http_gongkai_db_conn_t *conn)
{
    if (conn->delay == 0) {
        conn->delay = NGX_HTTP_GONGKAI_DB_BACKOFF_MIN;

    } else {
        conn->delay = ngx_min(conn->delay * 2,
                              NGX_HTTP_GONGKAI_DB_BACKOFF_MAX);
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ngx_http_gongkai_db_pool->log, 0,
                   "gongkai db: connection #%ui retry in %M ms",
                   conn->index, conn->delay);

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    ngx_add_timer(&conn->timer, conn->delay);
}


static void
ngx_http_gongkai_db_conn_timer(ngx_event_t *ev)
{
    ngx_http_gongkai_db_conn_t  *conn;

    conn = ev->data;

    if (conn->listener && conn->side) {
        ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                      "gongkai db: connection #%ui: \"%s\" timed out, "
                      "reconnecting", conn->index, conn->side_sql);

        ngx_http_gongkai_db_close(conn);
        ngx_http_gongkai_db_connect(conn);
        return;
    }

    if (conn->listener && conn->state == NGX_HTTP_GONGKAI_DB_BUSY) {
        ngx_http_gongkai_db_connect_failed(conn, "timed out starting to "
                                                 "listen");
        return;
    }

    switch (conn->state) {

    case NGX_HTTP_GONGKAI_DB_DOWN:
        ngx_http_gongkai_db_connect(conn);
        return;

    case NGX_HTTP_GONGKAI_DB_CONNECTING:
        ngx_http_gongkai_db_connect_failed(conn, "timed out connecting");
        return;

    case NGX_HTTP_GONGKAI_DB_BUSY:

        /* the request went away and its query has not finished either */

        ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                      "gongkai db: connection #%ui: abandoned statement "
                      "\"%s\" still running, reconnecting", conn->index,
                      ngx_http_gongkai_db_pool->conf->stmts[conn->stmt].name);

        ngx_http_gongkai_db_close(conn);
        ngx_http_gongkai_db_connect(conn);
        return;

    default: /* NGX_HTTP_GONGKAI_DB_IDLE */
        return;
    }
}


static void
ngx_http_gongkai_db_event_handler(ngx_event_t *ev)
{
    ngx_connection_t            *c;
    ngx_http_gongkai_db_conn_t  *conn;

    c = ev->data;
    conn = c->data;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "gongkai db: connection #%ui %s event, state %ui",
                   conn->index, ev->write ? "write" : "read", conn->state);

    if (conn->pg == NULL) {
        return;
    }

    if (conn->state == NGX_HTTP_GONGKAI_DB_CONNECTING) {
        ngx_http_gongkai_db_connect_poll(conn);
        return;
    }

    if (conn->listener) {
        ngx_http_gongkai_db_listen_process(conn);
        return;
    }

    ngx_http_gongkai_db_process(conn);
}


/*
 * Everything an established connection does: take the next request when
 * idle, flush, read, collect results; repeat while the socket has more.
 */

static void
ngx_http_gongkai_db_process(ngx_http_gongkai_db_conn_t *conn)
{
    int                          rc;
    short                        events;
    PGresult                    *res;
    PGnotify                    *notify;
    ngx_uint_t                   n;
    ngx_queue_t                 *q;
    ngx_http_gongkai_db_req_t   *req;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    for (n = 0; n < NGX_HTTP_GONGKAI_DB_ROUNDS; n++) {

        if (conn->state == NGX_HTTP_GONGKAI_DB_IDLE
            && !ngx_queue_empty(&pool->waiting))
        {
            q = ngx_queue_head(&pool->waiting);
            ngx_queue_remove(q);

            req = ngx_queue_data(q, ngx_http_gongkai_db_req_t, queue);
            req->queued = 0;

            if (ngx_http_gongkai_db_send(conn, req) != NGX_OK) {
                return;
            }
        }

        if (conn->flushing) {
            rc = PQflush(conn->pg);

            if (rc == -1) {
                ngx_http_gongkai_db_lost(conn, "write failed");
                return;
            }

            if (rc == 0) {
                conn->flushing = 0;
            }
        }

        if (!PQconsumeInput(conn->pg)) {
            ngx_http_gongkai_db_lost(conn, "read failed");
            return;
        }

        while ((notify = PQnotifies(conn->pg)) != NULL) {
            PQfreemem(notify);
        }

        if (conn->state == NGX_HTTP_GONGKAI_DB_BUSY
            && !conn->flushing
            && !PQisBusy(conn->pg))
        {
            res = PQgetResult(conn->pg);

            if (res != NULL) {
                if (ngx_http_gongkai_db_result(conn, res) != NGX_OK) {
                    return;
                }

                continue;
            }

            if (ngx_http_gongkai_db_step_done(conn) != NGX_OK) {
                return;
            }

            continue;
        }

        if (PQstatus(conn->pg) == CONNECTION_BAD) {
            ngx_http_gongkai_db_lost(conn, "connection closed");
            return;
        }

        events = conn->flushing ? POLLIN|POLLOUT : POLLIN;

        if (ngx_http_gongkai_db_pending(conn, events)) {
            continue;
        }

        if (ngx_http_gongkai_db_arm(conn, conn->flushing) != NGX_OK) {
            ngx_http_gongkai_db_lost(conn, "event registration failed");
        }

        return;
    }

    /* plenty of work: let other events run, then come back */

    ngx_post_event(conn->connection->read, &ngx_posted_events);
}


/* the LISTEN connection: send listen_sql[step] */

static void
ngx_http_gongkai_db_listen_send(ngx_http_gongkai_db_conn_t *conn)
{
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    /* a constant text from the configuration, never a client's input */

    if (!PQsendQuery(conn->pg, pool->conf->listen_sql[conn->step])) {
        ngx_http_gongkai_db_lost(conn, "send failed");
        return;
    }

    conn->flushing = 1;

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    ngx_add_timer(&conn->timer, pool->conf->timeout);
}


/*
 * Everything the LISTEN connection does: flush, read, collect the
 * results of listen_sql while it runs, pass on notifications; repeat
 * while the socket has more.
 */

static void
ngx_http_gongkai_db_listen_process(ngx_http_gongkai_db_conn_t *conn)
{
    int                          rc;
    short                        events;
    PGnotify                    *notify;
    ngx_uint_t                   n;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    for (n = 0; n < NGX_HTTP_GONGKAI_DB_ROUNDS; n++) {

        if (conn->flushing) {
            rc = PQflush(conn->pg);

            if (rc == -1) {
                ngx_http_gongkai_db_lost(conn, "write failed");
                return;
            }

            if (rc == 0) {
                conn->flushing = 0;
            }
        }

        if (!PQconsumeInput(conn->pg)) {
            ngx_http_gongkai_db_lost(conn, "read failed");
            return;
        }

        while ((notify = PQnotifies(conn->pg)) != NULL) {
            ngx_log_debug2(NGX_LOG_DEBUG_HTTP, pool->log, 0,
                           "gongkai db: notification \"%s\" \"%s\"",
                           notify->relname, notify->extra);

            if (pool->conf->notify_handler != NULL) {
                pool->conf->notify_handler(notify->relname, notify->extra);
            }

            PQfreemem(notify);
        }

        if (conn->state == NGX_HTTP_GONGKAI_DB_BUSY
            && !conn->flushing
            && !PQisBusy(conn->pg))
        {
            /*
             * NGX_AGAIN: a result; NGX_OK: the next statement was sent,
             * or the connection listens now
             */

            rc = conn->side ? ngx_http_gongkai_db_side_result(conn)
                            : ngx_http_gongkai_db_listen_result(conn);

            if (rc == NGX_ERROR) {
                return;
            }

            continue;
        }

        if (PQstatus(conn->pg) == CONNECTION_BAD) {
            ngx_http_gongkai_db_lost(conn, "connection closed");
            return;
        }

        events = conn->flushing ? POLLIN|POLLOUT : POLLIN;

        if (ngx_http_gongkai_db_pending(conn, events)) {
            continue;
        }

        if (ngx_http_gongkai_db_arm(conn, conn->flushing) != NGX_OK) {
            ngx_http_gongkai_db_lost(conn, "event registration failed");
        }

        return;
    }

    ngx_post_event(conn->connection->read, &ngx_posted_events);
}


/*
 * One result of listen_sql[step] (NGX_AGAIN: more may follow), or the
 * end of the statement: the next one is sent, or the connection now
 * listens (NGX_OK).  NGX_ERROR: the connection was closed.
 */

static ngx_int_t
ngx_http_gongkai_db_listen_result(ngx_http_gongkai_db_conn_t *conn)
{
    u_char                       msg[NGX_HTTP_GONGKAI_DB_MSG_LEN];
    size_t                       len;
    PGresult                    *res;
    const char                  *state;
    ExecStatusType               status;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    res = PQgetResult(conn->pg);

    if (res != NULL) {
        status = PQresultStatus(res);

        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            if (conn->res != NULL) {
                PQclear(conn->res);
            }

            conn->res = res;
            return NGX_AGAIN;
        }

        state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        len = ngx_http_gongkai_db_flatten(msg, PQresultErrorMessage(res));

        ngx_log_error(NGX_LOG_ERR, pool->log, 0,
                      "gongkai db: connection #%ui: \"%s\" failed: "
                      "SQLSTATE %s: %*s", conn->index,
                      pool->conf->listen_sql[conn->step],
                      state ? state : "-", len, msg);

        conn->error = 1;
        PQclear(res);

        return NGX_AGAIN;
    }

    if (PQstatus(conn->pg) == CONNECTION_BAD) {
        ngx_http_gongkai_db_lost(conn, "connection closed");
        return NGX_ERROR;
    }

    if (conn->error) {
        /* retried with backoff, like a failed connect */
        ngx_http_gongkai_db_close(conn);
        conn->failed = 1;
        ngx_http_gongkai_db_backoff(conn);
        return NGX_ERROR;
    }

    conn->step++;

    if (pool->conf->listen_sql[conn->step] != NULL) {
        ngx_http_gongkai_db_listen_send(conn);

        return conn->pg != NULL ? NGX_OK : NGX_ERROR;
    }

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    conn->state = NGX_HTTP_GONGKAI_DB_IDLE;
    conn->listening = 1;

    ngx_log_error(NGX_LOG_NOTICE, pool->log, 0,
                  "gongkai db: connection #%ui listening, backend pid %d",
                  conn->index, PQbackendPID(conn->pg));

    res = conn->res;
    conn->res = NULL;

    if (pool->conf->listen_handler != NULL) {
        pool->conf->listen_handler(1, res);
    }

    if (res != NULL) {
        PQclear(res);
    }

    return NGX_OK;
}


void
ngx_http_gongkai_db_listen_check(void)
{
    ngx_http_gongkai_db_conn_t  *conn;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    if (pool == NULL || pool->listener == NULL) {
        return;
    }

    conn = pool->listener;

    if (conn->pg == NULL || !conn->listening) {
        return;
    }

    if (ngx_http_gongkai_db_pending(conn, POLLIN)) {
        ngx_http_gongkai_db_listen_process(conn);
    }
}


ngx_uint_t
ngx_http_gongkai_db_listen_ready(void)
{
    ngx_http_gongkai_db_conn_t  *conn;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    if (pool == NULL || pool->listener == NULL) {
        return 0;
    }

    conn = pool->listener;

    return conn->pg != NULL && conn->listening
           && conn->state == NGX_HTTP_GONGKAI_DB_IDLE;
}


ngx_int_t
ngx_http_gongkai_db_listen_query(const char *sql, const char *param)
{
    ngx_http_gongkai_db_conn_t  *conn;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    if (pool == NULL || pool->listener == NULL) {
        return NGX_DECLINED;
    }

    conn = pool->listener;

    if (conn->pg == NULL
        || !conn->listening
        || conn->state != NGX_HTTP_GONGKAI_DB_IDLE)
    {
        return NGX_BUSY;
    }

    /* libpq copies the parameter into its output buffer */

    if (!PQsendQueryParams(conn->pg, sql, 1, NULL, &param, NULL, NULL, 0)) {
        ngx_http_gongkai_db_lost(conn, "send failed");
        return NGX_ERROR;
    }

    conn->state = NGX_HTTP_GONGKAI_DB_BUSY;
    conn->side = 1;
    conn->side_sql = sql;
    conn->flushing = 1;

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    ngx_add_timer(&conn->timer, pool->conf->timeout);

    ngx_http_gongkai_db_listen_process(conn);

    return NGX_OK;
}


/*
 * One result of the side statement (NGX_AGAIN), or its end: the
 * connection only listens again (NGX_OK).  An error is logged, nothing
 * more: the statement's work is lost.  NGX_ERROR: the connection was
 * closed.
 */

static ngx_int_t
ngx_http_gongkai_db_side_result(ngx_http_gongkai_db_conn_t *conn)
{
    u_char                       msg[NGX_HTTP_GONGKAI_DB_MSG_LEN];
    size_t                       len;
    PGresult                    *res;
    const char                  *state;
    ExecStatusType               status;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    res = PQgetResult(conn->pg);

    if (res != NULL) {
        status = PQresultStatus(res);

        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            len = ngx_http_gongkai_db_flatten(msg,
                                              PQresultErrorMessage(res));

            ngx_log_error(NGX_LOG_ERR, pool->log, 0,
                          "gongkai db: connection #%ui: \"%s\" failed: "
                          "SQLSTATE %s: %*s", conn->index, conn->side_sql,
                          state ? state : "-", len, msg);
        }

        PQclear(res);

        return NGX_AGAIN;
    }

    if (PQstatus(conn->pg) == CONNECTION_BAD) {
        ngx_http_gongkai_db_lost(conn, "connection closed");
        return NGX_ERROR;
    }

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    conn->side = 0;
    conn->state = NGX_HTTP_GONGKAI_DB_IDLE;

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_db_send(ngx_http_gongkai_db_conn_t *conn,
    ngx_http_gongkai_db_req_t *req)
{
    int                          ok;
    ngx_http_gongkai_stmt_t     *stmt;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;
    stmt = &pool->conf->stmts[req->stmt];

    conn->req = req;
    conn->stmt = req->stmt;
    conn->state = NGX_HTTP_GONGKAI_DB_BUSY;
    conn->error = 0;
    conn->unavailable = 0;
    conn->app_error = 0;
    req->conn = conn;

    if (conn->prepared[req->stmt]) {
        ok = PQsendQueryPrepared(conn->pg, stmt->name, req->nparams,
                                 req->values, NULL, NULL, req->format);

    } else {
        conn->preparing = 1;
        ok = PQsendPrepare(conn->pg, stmt->name, stmt->sql, stmt->nparams,
                           NULL);
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, req->request->connection->log, 0,
                   "gongkai db: connection #%ui %s \"%s\": %d",
                   conn->index, conn->preparing ? "prepare" : "execute",
                   stmt->name, ok);

    if (!ok) {
        /* back to the head of the queue for another connection */

        conn->req = NULL;
        req->conn = NULL;

        ngx_queue_insert_head(&pool->waiting, &req->queue);
        req->queued = 1;

        ngx_http_gongkai_db_lost(conn, "send failed");
        return NGX_ERROR;
    }

    conn->flushing = 1;

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_db_result(ngx_http_gongkai_db_conn_t *conn, PGresult *res)
{
    u_char                       msg[NGX_HTTP_GONGKAI_DB_MSG_LEN];
    size_t                       len;
    ngx_log_t                   *log;
    const char                  *text, *state;
    ExecStatusType               status;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;
    status = PQresultStatus(res);

    if (status == PGRES_TUPLES_OK && !conn->preparing && conn->res == NULL) {
        conn->res = res;
        return NGX_OK;
    }

    if (status == PGRES_COMMAND_OK && conn->preparing) {
        PQclear(res);
        return NGX_OK;
    }

    log = conn->req ? conn->req->request->connection->log : pool->log;

    if (status == PGRES_COPY_IN
        || status == PGRES_COPY_OUT
        || status == PGRES_COPY_BOTH)
    {
        PQclear(res);
        ngx_http_gongkai_db_lost(conn, "statement started COPY");
        return NGX_ERROR;
    }

    if (status == PGRES_FATAL_ERROR
        || status == PGRES_NONFATAL_ERROR
        || status == PGRES_BAD_RESPONSE)
    {
        state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        text = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

        /*
         * The project's own SQLSTATEs (class "GK", sql/ADMIN.md) are
         * answers for the user, not faults: the handler gets the result.
         */

        if (status == PGRES_FATAL_ERROR && !conn->preparing
            && state != NULL && state[0] == 'G' && state[1] == 'K')
        {
            ngx_log_debug2(NGX_LOG_DEBUG_HTTP, log, 0,
                           "gongkai db: statement \"%s\": SQLSTATE %s",
                           pool->conf->stmts[conn->stmt].name, state);

            if (conn->res != NULL) {
                PQclear(conn->res);
            }

            conn->res = res;
            conn->app_error = 1;
            return NGX_OK;
        }

        len = ngx_http_gongkai_db_flatten(msg, text ? text
                                              : PQresultErrorMessage(res));

        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "gongkai db: %s of statement \"%s\" failed: "
                      "SQLSTATE %s: %*s",
                      conn->preparing ? "preparation" : "execution",
                      pool->conf->stmts[conn->stmt].name,
                      state ? state : "-", len, msg);

        /*
         * 26000 invalid_sql_statement_name, 42P05 duplicate_prepared_
         * statement, 0A000 "cached plan must not change result type" (a
         * migration replaced a function): the session's prepared
         * statements are not what we think, a fresh session prepares
         * everything again.
         */

        if (state != NULL
            && (ngx_strcmp(state, "26000") == 0
                || ngx_strcmp(state, "42P05") == 0
                || ngx_strcmp(state, "0A000") == 0))
        {
            conn->reset = 1;
        }

        /*
         * Class 57 (operator intervention: statement_timeout, shutdown)
         * and class 08 (connection exception) say "try again later", not
         * "this page is broken".
         */

        if (state != NULL
            && (ngx_strncmp(state, "57", 2) == 0
                || ngx_strncmp(state, "08", 2) == 0))
        {
            conn->unavailable = 1;
        }

    } else {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "gongkai db: statement \"%s\" returned %s, "
                      "expected rows", pool->conf->stmts[conn->stmt].name,
                      PQresStatus(status));
    }

    conn->error = 1;
    PQclear(res);

    return NGX_OK;
}


/* PQgetResult() returned NULL: the prepare or the execution is over */

static ngx_int_t
ngx_http_gongkai_db_step_done(ngx_http_gongkai_db_conn_t *conn)
{
    PGresult                    *res;
    ngx_int_t                    rc;
    ngx_uint_t                   error;
    ngx_http_gongkai_db_req_t   *req;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;
    req = conn->req;

    if (PQstatus(conn->pg) == CONNECTION_BAD) {
        /* a FATAL error (shutdown, terminated backend) closed it */
        ngx_http_gongkai_db_lost(conn, "connection closed");
        return NGX_ERROR;
    }

    if (conn->preparing && !conn->error) {
        conn->preparing = 0;
        conn->prepared[conn->stmt] = 1;

        if (req != NULL) {
            if (!PQsendQueryPrepared(conn->pg,
                                     pool->conf->stmts[conn->stmt].name,
                                     req->nparams, req->values, NULL, NULL,
                                     req->format))
            {
                ngx_http_gongkai_db_lost(conn, "send failed");
                return NGX_ERROR;
            }

            conn->flushing = 1;
            return NGX_OK;
        }

        conn->state = NGX_HTTP_GONGKAI_DB_IDLE;

        if (conn->timer.timer_set) {
            ngx_del_timer(&conn->timer);
        }

        return NGX_OK;
    }

    res = conn->res;
    error = conn->error || res == NULL;
    rc = conn->unavailable ? NGX_HTTP_SERVICE_UNAVAILABLE : NGX_ERROR;

    if (conn->app_error && !conn->error && res != NULL) {
        rc = NGX_DECLINED;
    }

    conn->res = NULL;
    conn->req = NULL;
    conn->error = 0;
    conn->unavailable = 0;
    conn->app_error = 0;
    conn->preparing = 0;
    conn->state = NGX_HTTP_GONGKAI_DB_IDLE;

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    if (req == NULL) {
        if (res) {
            PQclear(res);
        }

    } else {
        req->conn = NULL;

        if (error) {
            if (res) {
                PQclear(res);
            }

            ngx_http_gongkai_db_complete(req, rc, NULL);

        } else {
            ngx_http_gongkai_db_complete(req, rc == NGX_DECLINED ? rc : NGX_OK,
                                         res);
        }
    }

    if (conn->reset && conn->state == NGX_HTTP_GONGKAI_DB_IDLE) {
        ngx_log_error(NGX_LOG_NOTICE, pool->log, 0,
                      "gongkai db: connection #%ui: prepared statements "
                      "are stale, reconnecting", conn->index);

        ngx_http_gongkai_db_close(conn);
        ngx_http_gongkai_db_connect(conn);
        return NGX_DONE;
    }

    return NGX_OK;
}


/* whether the socket (or the TLS layer) has more for us right now */

static ngx_int_t
ngx_http_gongkai_db_pending(ngx_http_gongkai_db_conn_t *conn, short events)
{
    struct pollfd  pfd;
#if (NGX_OPENSSL)
    SSL           *ssl;

    if (events & POLLIN) {
        ssl = PQsslStruct(conn->pg, "OpenSSL");

        if (ssl != NULL && SSL_pending(ssl) > 0) {
            return 1;
        }
    }
#endif

    pfd.fd = PQsocket(conn->pg);
    pfd.events = events;
    pfd.revents = 0;

    if (pfd.fd == -1) {
        return 0;
    }

    if (poll(&pfd, 1, 0) <= 0) {
        return 0;
    }

    return (pfd.revents & (events | POLLERR | POLLHUP)) != 0;
}


/* wait for the next edge; a no-op with epoll, where ngx_add_conn did it */

static ngx_int_t
ngx_http_gongkai_db_arm(ngx_http_gongkai_db_conn_t *conn, ngx_uint_t write)
{
    ngx_connection_t  *c;

    c = conn->connection;

    c->read->ready = 0;

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    if (write) {
        c->write->ready = 0;

        if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* NOTICE and WARNING messages from the server (libpq prints to stderr) */

static void
ngx_http_gongkai_db_notice(void *arg, const char *message)
{
    u_char                       msg[NGX_HTTP_GONGKAI_DB_MSG_LEN];
    size_t                       len;
    ngx_http_gongkai_db_conn_t  *conn;

    conn = arg;

    len = ngx_http_gongkai_db_flatten(msg, message);

    ngx_log_error(NGX_LOG_INFO, ngx_http_gongkai_db_pool->log, 0,
                  "gongkai db: connection #%ui: %*s", conn->index, len, msg);
}


/*
 * A connection is up, or coming up without having failed before (at
 * start, or after a query timeout), so a request may wait for it.  A
 * retry after a failure does not count: the server is known to be down.
 */

static ngx_uint_t
ngx_http_gongkai_db_usable(void)
{
    ngx_uint_t                   i;
    ngx_http_gongkai_db_conn_t  *conn;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    for (i = 0; i < pool->nconns; i++) {
        conn = &pool->conns[i];

        if (conn->state == NGX_HTTP_GONGKAI_DB_IDLE
            || conn->state == NGX_HTTP_GONGKAI_DB_BUSY
            || (conn->state == NGX_HTTP_GONGKAI_DB_CONNECTING
                && !conn->failed))
        {
            return 1;
        }
    }

    return 0;
}


/* a request met a down pool: retry one connection before its backoff */

static void
ngx_http_gongkai_db_probe(ngx_event_t *ev)
{
    ngx_uint_t                   i;
    ngx_http_gongkai_db_conn_t  *conn;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ev->data;

    for (i = 0; i < pool->nconns; i++) {
        conn = &pool->conns[i];

        if (conn->state == NGX_HTTP_GONGKAI_DB_CONNECTING) {
            return;
        }
    }

    /* the LISTEN connection too: a cache is stale until it is back */

    conn = pool->listener;

    if (conn != NULL
        && conn->state == NGX_HTTP_GONGKAI_DB_DOWN
        && conn->timer.timer_set
        && ngx_current_msec - conn->attempt >= NGX_HTTP_GONGKAI_DB_PROBE)
    {
        ngx_del_timer(&conn->timer);
        ngx_http_gongkai_db_connect(conn);
    }

    for (i = 0; i < pool->nconns; i++) {
        conn = &pool->conns[i];

        if (conn->state == NGX_HTTP_GONGKAI_DB_DOWN
            && conn->timer.timer_set
            && ngx_current_msec - conn->attempt >= NGX_HTTP_GONGKAI_DB_PROBE)
        {
            ngx_del_timer(&conn->timer);
            ngx_http_gongkai_db_connect(conn);
            return;
        }
    }
}


/* after a connection went down: nobody left to serve the queue? */

static void
ngx_http_gongkai_db_check(void)
{
    ngx_uint_t                   i;
    ngx_queue_t                 *q;
    ngx_http_gongkai_db_req_t   *req;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ngx_http_gongkai_db_pool;

    if (ngx_queue_empty(&pool->waiting)) {
        return;
    }

    if (!ngx_http_gongkai_db_usable()) {
        while (!ngx_queue_empty(&pool->waiting)) {
            q = ngx_queue_head(&pool->waiting);
            req = ngx_queue_data(q, ngx_http_gongkai_db_req_t, queue);

            ngx_log_error(NGX_LOG_INFO, req->request->connection->log, 0,
                          "gongkai db: no usable connection to PostgreSQL");

            ngx_http_gongkai_db_complete(req, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         NULL);
        }

        return;
    }

    for (i = 0; i < pool->nconns; i++) {
        if (pool->conns[i].state == NGX_HTTP_GONGKAI_DB_IDLE) {
            ngx_post_event(&pool->dispatch, &ngx_posted_events);
            return;
        }
    }
}


static void
ngx_http_gongkai_db_dispatch(ngx_event_t *ev)
{
    ngx_uint_t                   i;
    ngx_http_gongkai_db_pool_t  *pool;

    pool = ev->data;

    for (i = 0; i < pool->nconns; i++) {
        if (ngx_queue_empty(&pool->waiting)) {
            return;
        }

        if (pool->conns[i].state == NGX_HTTP_GONGKAI_DB_IDLE) {
            ngx_http_gongkai_db_process(&pool->conns[i]);
        }
    }
}


/* call the handler once; the caller is the event loop */

static void
ngx_http_gongkai_db_complete(ngx_http_gongkai_db_req_t *req, ngx_int_t rc,
    PGresult *res)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    if (req->timer.timer_set) {
        ngx_del_timer(&req->timer);
    }

    if (req->post.posted) {
        ngx_delete_posted_event(&req->post);
    }

    if (req->queued) {
        ngx_queue_remove(&req->queue);
        req->queued = 0;
    }

    if (req->conn) {
        req->conn->req = NULL;
        req->conn = NULL;
    }

    req->done = 1;
    req->res = res;

    r = req->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "gongkai db: query done, rc:%i", rc);

    req->handler(r, res, rc);

    ngx_http_run_posted_requests(c);
}


static void
ngx_http_gongkai_db_req_timeout(ngx_event_t *ev)
{
    ngx_http_gongkai_db_req_t   *req;
    ngx_http_gongkai_db_conn_t  *conn;
    ngx_http_gongkai_db_pool_t  *pool;

    req = ev->data;
    pool = ngx_http_gongkai_db_pool;
    conn = req->conn;

    if (conn == NULL) {
        ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                      "gongkai db: no connection free within %M ms for "
                      "statement \"%s\"", pool->conf->timeout,
                      pool->conf->stmts[req->stmt].name);

        ngx_http_gongkai_db_complete(req, NGX_HTTP_SERVICE_UNAVAILABLE,
                                     NULL);
        return;
    }

    ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                  "gongkai db: statement \"%s\" timed out after %M ms, "
                  "closing connection #%ui", pool->conf->stmts[req->stmt].name,
                  pool->conf->timeout, conn->index);

    /* PQcancel() would block: drop the session, the server cleans up */

    ngx_http_gongkai_db_close(conn);

    ngx_http_gongkai_db_complete(req, NGX_HTTP_SERVICE_UNAVAILABLE, NULL);

    /* the server is up, only slow: no backoff */

    ngx_http_gongkai_db_connect(conn);
}


static void
ngx_http_gongkai_db_req_posted(ngx_event_t *ev)
{
    ngx_http_gongkai_db_req_t  *req;

    req = ev->data;

    ngx_http_gongkai_db_complete(req, req->rc, NULL);
}


/* r->pool goes away: never call back, free the result */

static void
ngx_http_gongkai_db_req_cleanup(void *data)
{
    ngx_http_gongkai_db_req_t  *req = data;

    ngx_http_gongkai_db_conn_t  *conn;

    if (req->res) {
        PQclear(req->res);
        req->res = NULL;
    }

    if (req->done) {
        return;
    }

    req->done = 1;

    if (req->timer.timer_set) {
        ngx_del_timer(&req->timer);
    }

    if (req->post.posted) {
        ngx_delete_posted_event(&req->post);
    }

    if (req->queued) {
        ngx_queue_remove(&req->queue);
        req->queued = 0;
    }

    conn = req->conn;

    if (conn != NULL) {

        /* the connection drains and discards the result, then is free */

        conn->req = NULL;
        req->conn = NULL;

        if (!conn->timer.timer_set) {
            ngx_add_timer(&conn->timer,
                          ngx_http_gongkai_db_pool->conf->timeout);
        }
    }
}


static const char *
ngx_http_gongkai_db_strdup(ngx_pool_t *pool, const char *s)
{
    u_char  *p;
    size_t   len;

    len = ngx_strlen(s) + 1;

    p = ngx_pnalloc(pool, len);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s, len);

    return (const char *) p;
}


/* a libpq message on one line: newlines and tabs become spaces */

static size_t
ngx_http_gongkai_db_flatten(u_char *buf, const char *s)
{
    u_char  *p, *last;

    p = buf;
    last = buf + NGX_HTTP_GONGKAI_DB_MSG_LEN;

    for ( /* void */ ; *s && p < last; s++) {
        if (*s == '\n' || *s == '\t' || *s == '\r') {
            if (p > buf && p[-1] != ' ') {
                *p++ = ' ';
            }

            continue;
        }

        *p++ = (u_char) *s;
    }

    while (p > buf && p[-1] == ' ') {
        p--;
    }

    return p - buf;
}
