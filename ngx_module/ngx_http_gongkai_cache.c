/*
 * gongkai: the page cache (see ngx_http_gongkai_cache.h).
 *
 * One shared-memory zone per "gongkai_cache zone=NAME:SIZE", allocated
 * with nginx's slab allocator: an rbtree of entries by key (a CRC32 of
 * the key, then the key itself), a queue of the same entries from the
 * most to the least recently used (evicted from its tail when an
 * allocation fails), and an rbtree of host names.
 *
 * Staleness without touching the entries: the zone has a clock, a
 * counter moved on by every invalidation.  An entry keeps the clock's
 * value read before its page's query was sent; an invalidation of a host
 * name stamps the name with the next value, one of everything stamps the
 * zone ("all").  An entry is fresh while its stamp is not older than its
 * host's (the key's first part) and the zone's, it is younger than
 * max_age, and this worker's LISTEN connection is up.  A page whose
 * query started before the invalidation is therefore stale even when it
 * is stored after it.
 * Stale entries stay until evicted: they are what is served when the
 * database cannot be reached.
 *
 * Notifications (sql/migrations/0050): "<seq> <what> ...", one per
 * committed transaction, where <seq> numbers them in commit order and
 * each <what> is a host name (a domain of a site whose pages changed),
 * "*", or "*@<epoch>" (everything stale after
 * that second: a scheduled publication).  Every worker has its own LISTEN
 * connection and applies what it receives to every zone; doing it twice
 * is harmless.  The zone keeps the highest <seq> seen.
 *
 * A lost LISTEN connection may miss notifications: the worker serves no
 * fresh entry until it listens again.  When it does, it reads the number
 * of the last notification sent (portal.cache_state()): if the zone has
 * seen another number, something was missed and everything is stale;
 * if not, nothing changed meanwhile.  So "nginx -s reload" (new workers
 * listen when the old ones have stopped) and a restart of PostgreSQL
 * keep the cache unless something changed in between.
 *
 * Visit counters (see the header): an array of slots allocated with the
 * zone's shared structure, one per host name and hour (UTC hours since
 * the epoch: China's day begins on one), taken and added to under the
 * zone's mutex.  A worker's flush timer turns the used slots of every
 * zone into one JSON array, frees them, and hands it to the LISTEN
 * connection as a side statement; it waits while that connection is not
 * ready, so counts pile up in the zone while the database is away.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_md5.h>

#include "ngx_http_gongkai_cache.h"


/* changed whenever the shared structures change: see init_zone */
#define NGX_HTTP_GONGKAI_CACHE_MAGIC      0x676b6304

/* "0123456789abcdef": 64 bits of the body's MD5, quoted */
#define NGX_HTTP_GONGKAI_CACHE_ETAG_LEN   18

#define NGX_HTTP_GONGKAI_CACHE_CHANNEL    "gongkai_cache"

/* visit counters: a longer host name is not counted */
#define NGX_HTTP_GONGKAI_CACHE_HOST_LEN   255
#define NGX_HTTP_GONGKAI_CACHE_VISITS_MIN 4
#define NGX_HTTP_GONGKAI_CACHE_VISITS_MAX 1024

#define NGX_HTTP_GONGKAI_CACHE_VISITS_SQL                                    \
    "select portal.visits_add($1::jsonb)"


typedef struct {
    ngx_rbtree_node_t                  node;     /* key: crc32 of the name */
    uint64_t                           stamp;
    u_short                            len;
    u_char                             name[1];
} ngx_http_gongkai_cache_host_t;


typedef struct {
    ngx_rbtree_node_t                  node;     /* key: crc32 of the key */
    ngx_queue_t                        queue;
    uint64_t                           stamp;
    time_t                             created;
    time_t                             last_modified;
    size_t                             body_len;
    u_short                            key_len;
    u_short                            host_len;  /* the key's first part */
    u_short                            type_len;
    u_short                            disp_len;
    u_char                             etag[NGX_HTTP_GONGKAI_CACHE_ETAG_LEN];

    /* the key, the content type, the Content-Disposition, the body */
    u_char                             data[1];
} ngx_http_gongkai_cache_node_t;


/* the page views of one host name in one hour; hour 0: a free slot */
typedef struct {
    time_t                             hour;
    ngx_uint_t                         n;
    uint32_t                           hash;
    u_short                            len;
    u_char                             host[NGX_HTTP_GONGKAI_CACHE_HOST_LEN];
} ngx_http_gongkai_cache_visit_t;


typedef struct {
    ngx_uint_t                         magic;
    ngx_rbtree_t                       rbtree;
    ngx_rbtree_node_t                  sentinel;
    ngx_rbtree_t                       hosts;
    ngx_rbtree_node_t                  hosts_sentinel;
    ngx_queue_t                        lru;
    uint64_t                           clock;
    uint64_t                           all;
    time_t                             due;
    uint64_t                           seq;     /* last notification */
    ngx_http_gongkai_cache_visit_t    *visits;
    ngx_uint_t                         nvisits;
    ngx_uint_t                         lost;    /* views not counted */
} ngx_http_gongkai_cache_sh_t;


typedef struct {
    ngx_http_gongkai_cache_sh_t       *sh;
    ngx_slab_pool_t                   *shpool;
    size_t                             max_entry;
} ngx_http_gongkai_cache_zone_t;


/* a cached response copied out of the zone for one request */
typedef struct {
    ngx_str_t                          type;
    ngx_str_t                          disp;
    ngx_chain_t                       *body;     /* NULL: HEAD */
    size_t                             len;
    time_t                             last_modified;
    u_char                            *etag;
} ngx_http_gongkai_cache_copy_t;


static ngx_int_t ngx_http_gongkai_cache_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void ngx_http_gongkai_cache_rbtree_insert_value(
    ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel);
static void ngx_http_gongkai_cache_hosts_insert_value(
    ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel);
static ngx_http_gongkai_cache_host_t *ngx_http_gongkai_cache_host(
    ngx_http_gongkai_cache_zone_t *zone, u_char *name, size_t len);
static ngx_http_gongkai_cache_node_t *ngx_http_gongkai_cache_lookup(
    ngx_http_gongkai_cache_zone_t *zone, ngx_str_t *key, uint32_t hash);
static ngx_uint_t ngx_http_gongkai_cache_fresh(
    ngx_http_gongkai_cache_zone_t *zone, ngx_http_gongkai_cache_node_t *node,
    time_t max_age);
static void ngx_http_gongkai_cache_expire_due(
    ngx_http_gongkai_cache_sh_t *sh);
static void ngx_http_gongkai_cache_evict(ngx_http_gongkai_cache_zone_t *zone,
    ngx_http_gongkai_cache_node_t *node);
static ngx_int_t ngx_http_gongkai_cache_copy(ngx_http_request_t *r,
    ngx_http_gongkai_cache_node_t *node, ngx_http_gongkai_cache_copy_t *c);
static ngx_int_t ngx_http_gongkai_cache_send(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, ngx_http_gongkai_cache_copy_t *c);
static ngx_int_t ngx_http_gongkai_cache_headers(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, u_char *etag, time_t last_modified);
static ngx_int_t ngx_http_gongkai_cache_push(ngx_http_request_t *r,
    ngx_str_t *key, u_char *value, size_t len, ngx_table_elt_t **elt);
static ngx_table_elt_t *ngx_http_gongkai_cache_find_header(
    ngx_http_request_t *r, ngx_str_t *name);
static void ngx_http_gongkai_cache_insert(ngx_http_gongkai_cache_zone_t *zone,
    ngx_http_request_t *r, ngx_http_gongkai_ctx_t *ctx, ngx_str_t *type,
    ngx_table_elt_t *disp, ngx_chain_t *body, size_t len, u_char *etag,
    time_t *last_modified);
static void ngx_http_gongkai_cache_listen(ngx_uint_t up, PGresult *res);
static void ngx_http_gongkai_cache_notify(const char *channel,
    const char *payload);
static ngx_int_t ngx_http_gongkai_cache_apply(
    ngx_http_gongkai_cache_zone_t *zone, u_char *what, size_t len);
static void ngx_http_gongkai_cache_invalidate_host(
    ngx_http_gongkai_cache_zone_t *zone, u_char *name, size_t len);
static void ngx_http_gongkai_cache_set_due(ngx_http_gongkai_cache_sh_t *sh,
    time_t due);
static void ngx_http_gongkai_cache_count(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, ngx_str_t *type);
static void ngx_http_gongkai_cache_flush_timer(ngx_event_t *ev);
static void ngx_http_gongkai_cache_flush(ngx_log_t *log);
static ngx_int_t ngx_http_gongkai_cache_drain(
    ngx_http_gongkai_cache_zone_t *zone, ngx_pool_t *pool, ngx_str_t *out);


/* statements of the LISTEN connection: each its own transaction */
static const char  *ngx_http_gongkai_cache_listen_sql[] = {
    "listen " NGX_HTTP_GONGKAI_CACHE_CHANNEL,
    "select due, seq from portal.cache_state()",
    NULL
};


static ngx_str_t  ngx_http_gongkai_cache_statuses[] = {
    ngx_string("BYPASS"),
    ngx_string("MISS"),
    ngx_string("HIT"),
    ngx_string("STALE")
};


/* this worker's zones, and whether its LISTEN connection is up */
static ngx_array_t  *ngx_http_gongkai_cache_zones;
static ngx_uint_t    ngx_http_gongkai_cache_listening;

/* this worker's visit counter flush */
static ngx_event_t   ngx_http_gongkai_cache_flush_event;
static ngx_msec_t    ngx_http_gongkai_cache_flush_every;


char *
ngx_http_gongkai_cache_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_gongkai_loc_conf_t *glcf = conf;

    u_char                         *p;
    time_t                          max_age;
    ssize_t                         size;
    ngx_str_t                      *value, name, s;
    ngx_uint_t                      i;
    ngx_shm_zone_t                 *shm_zone, **z;
    ngx_http_gongkai_cache_zone_t  *zone;
    ngx_http_gongkai_main_conf_t   *gmcf;

    if (glcf->cache != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        glcf->cache = NULL;
        return NGX_CONF_OK;
    }

    ngx_str_null(&name);
    size = 0;
    max_age = NGX_CONF_UNSET;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "zone=", 5) == 0) {

            name.data = value[i].data + 5;
            name.len = value[i].len - 5;

            p = (u_char *) ngx_strchr(name.data, ':');

            if (p != NULL) {
                s.data = p + 1;
                s.len = name.data + name.len - s.data;
                name.len = p - name.data;

                size = ngx_parse_size(&s);

                if (size == NGX_ERROR) {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "invalid zone size \"%V\"", &value[i]);
                    return NGX_CONF_ERROR;
                }

                if (size < (ssize_t) (8 * ngx_pagesize)) {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "zone \"%V\" is too small", &value[i]);
                    return NGX_CONF_ERROR;
                }
            }

            if (name.len == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid zone name \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "max_age=", 8) == 0) {

            s.data = value[i].data + 8;
            s.len = value[i].len - 8;

            max_age = ngx_parse_time(&s, 1);

            if (max_age == (time_t) NGX_ERROR || max_age == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid max_age \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (name.len == 0) {
        return "needs \"zone=NAME:SIZE\"";
    }

    /* a zone named before may be used again without its size */

    shm_zone = ngx_shared_memory_add(cf, &name, size,
                                     &ngx_http_gongkai_module);
    if (shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (shm_zone->data == NULL) {
        zone = ngx_pcalloc(cf->pool, sizeof(ngx_http_gongkai_cache_zone_t));
        if (zone == NULL) {
            return NGX_CONF_ERROR;
        }

        shm_zone->init = ngx_http_gongkai_cache_init_zone;
        shm_zone->data = zone;

        gmcf = ngx_http_conf_get_module_main_conf(cf,
                                                  ngx_http_gongkai_module);

        z = ngx_array_push(&gmcf->cache_zones);
        if (z == NULL) {
            return NGX_CONF_ERROR;
        }

        *z = shm_zone;
    }

    glcf->cache = shm_zone;

    if (max_age != NGX_CONF_UNSET) {
        glcf->cache_max_age = max_age;
    }

    return NGX_CONF_OK;
}


void
ngx_http_gongkai_cache_init_main_conf(ngx_conf_t *cf,
    ngx_http_gongkai_main_conf_t *gmcf)
{
    if (gmcf->cache_zones.nelts == 0) {
        return;
    }

    gmcf->db.listen_sql = ngx_http_gongkai_cache_listen_sql;
    gmcf->db.listen_handler = ngx_http_gongkai_cache_listen;
    gmcf->db.notify_handler = ngx_http_gongkai_cache_notify;
}


void
ngx_http_gongkai_cache_init_process(ngx_cycle_t *cycle,
    ngx_http_gongkai_main_conf_t *gmcf)
{
    ngx_event_t  *ev;

    ngx_http_gongkai_cache_zones = &gmcf->cache_zones;
    ngx_http_gongkai_cache_listening = 0;

    if (gmcf->cache_zones.nelts == 0) {
        return;
    }

    ev = &ngx_http_gongkai_cache_flush_event;

    ngx_memzero(ev, sizeof(ngx_event_t));

    ev->handler = ngx_http_gongkai_cache_flush_timer;
    ev->log = cycle->log;
    ev->data = ev;
    ev->cancelable = 1;

    ngx_http_gongkai_cache_flush_every = gmcf->visits_flush;

    ngx_add_timer(ev, gmcf->visits_flush);
}


void
ngx_http_gongkai_cache_exit_process(ngx_cycle_t *cycle)
{
    if (ngx_http_gongkai_cache_zones == NULL
        || ngx_http_gongkai_cache_zones->nelts == 0)
    {
        return;
    }

    /* sent before the connection closes: the server still runs it */
    ngx_http_gongkai_cache_flush(cycle->log);
}


/*
 * The zone of the previous configuration is kept as it is (nginx passes
 * its context as data): that is how entries survive "nginx -s reload".
 * A module built with other shared structures cannot use it, and says so.
 */

static ngx_int_t
ngx_http_gongkai_cache_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_gongkai_cache_zone_t *ozone = data;

    size_t                          len;
    ngx_uint_t                      n;
    ngx_http_gongkai_cache_zone_t  *zone;

    zone = shm_zone->data;
    zone->max_entry = shm_zone->shm.size / 8;

    if (ozone != NULL) {
        if (ozone->sh->magic != NGX_HTTP_GONGKAI_CACHE_MAGIC) {
            ngx_log_error(NGX_LOG_EMERG, shm_zone->shm.log, 0,
                          "gongkai_cache zone \"%V\" was made by another "
                          "version of the module: restart nginx instead "
                          "of reloading it", &shm_zone->shm.name);
            return NGX_ERROR;
        }

        zone->sh = ozone->sh;
        zone->shpool = ozone->shpool;

        return NGX_OK;
    }

    zone->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        zone->sh = zone->shpool->data;

        return NGX_OK;
    }

    zone->sh = ngx_slab_calloc(zone->shpool,
                               sizeof(ngx_http_gongkai_cache_sh_t));
    if (zone->sh == NULL) {
        return NGX_ERROR;
    }

    zone->shpool->data = zone->sh;

    zone->sh->magic = NGX_HTTP_GONGKAI_CACHE_MAGIC;

    n = shm_zone->shm.size / 64 / sizeof(ngx_http_gongkai_cache_visit_t);
    n = ngx_max(n, NGX_HTTP_GONGKAI_CACHE_VISITS_MIN);
    n = ngx_min(n, NGX_HTTP_GONGKAI_CACHE_VISITS_MAX);

    zone->sh->visits = ngx_slab_calloc(zone->shpool,
                                n * sizeof(ngx_http_gongkai_cache_visit_t));
    if (zone->sh->visits == NULL) {
        return NGX_ERROR;
    }

    zone->sh->nvisits = n;

    ngx_rbtree_init(&zone->sh->rbtree, &zone->sh->sentinel,
                    ngx_http_gongkai_cache_rbtree_insert_value);
    ngx_rbtree_init(&zone->sh->hosts, &zone->sh->hosts_sentinel,
                    ngx_http_gongkai_cache_hosts_insert_value);
    ngx_queue_init(&zone->sh->lru);

    /* the clock starts at 1: a page never stamped (0) is never fresh */
    zone->sh->clock = 1;
    zone->sh->all = 1;

    len = sizeof(" in gongkai_cache zone \"\"") + shm_zone->shm.name.len;

    zone->shpool->log_ctx = ngx_slab_alloc(zone->shpool, len);
    if (zone->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(zone->shpool->log_ctx, " in gongkai_cache zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* a full zone is normal: the least recently used entry goes */
    zone->shpool->log_nomem = 0;

    return NGX_OK;
}


static void
ngx_http_gongkai_cache_rbtree_insert_value(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t              **p;
    ngx_http_gongkai_cache_node_t   *n, *t;

    for ( ;; ) {

        if (node->key < temp->key) {

            p = &temp->left;

        } else if (node->key > temp->key) {

            p = &temp->right;

        } else { /* node->key == temp->key */

            n = (ngx_http_gongkai_cache_node_t *) node;
            t = (ngx_http_gongkai_cache_node_t *) temp;

            p = (ngx_memn2cmp(n->data, t->data, n->key_len, t->key_len) < 0)
                ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


static void
ngx_http_gongkai_cache_hosts_insert_value(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t              **p;
    ngx_http_gongkai_cache_host_t   *n, *t;

    for ( ;; ) {

        if (node->key < temp->key) {

            p = &temp->left;

        } else if (node->key > temp->key) {

            p = &temp->right;

        } else { /* node->key == temp->key */

            n = (ngx_http_gongkai_cache_host_t *) node;
            t = (ngx_http_gongkai_cache_host_t *) temp;

            p = (ngx_memn2cmp(n->name, t->name, n->len, t->len) < 0)
                ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


ngx_int_t
ngx_http_gongkai_cache_page(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, ngx_str_t *path, const char **names,
    ngx_str_t *values, ngx_uint_t nargs)
{
    uint32_t                        hash;
    ngx_int_t                       rc;
    ngx_str_t                       key;
    ngx_uint_t                      i;
    ngx_http_gongkai_cache_arg_t    args[NGX_HTTP_GONGKAI_CACHE_ARGS_MAX];
    ngx_http_gongkai_cache_copy_t   c;
    ngx_http_gongkai_cache_node_t  *node;
    ngx_http_gongkai_cache_zone_t  *zone;
    ngx_http_gongkai_loc_conf_t    *glcf;

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);

    /* the same for everybody: validators, and perhaps the zone */
    ctx->cacheable = 1;

    if (glcf->cache == NULL || !glcf->portal || r != r->main
        || !(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)))
    {
        return NGX_DECLINED;
    }

    if (nargs > NGX_HTTP_GONGKAI_CACHE_ARGS_MAX) {
        return NGX_DECLINED;
    }

    for (i = 0; i < nargs; i++) {
        args[i].name = names[i];
        args[i].value = values[i];
    }

    rc = ngx_http_gongkai_cache_key(r->pool, &ctx->host, path, args, nargs,
                                    &key);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        return NGX_DECLINED;
    }

    ctx->cache_key = key;
    ctx->cache_status = NGX_HTTP_GONGKAI_CACHE_MISS;

    /* invalidations that have arrived count before this request */
    ngx_http_gongkai_db_listen_check();

    zone = glcf->cache->data;
    hash = ngx_crc32_short(key.data, key.len);

    ngx_shmtx_lock(&zone->shpool->mutex);

    ngx_http_gongkai_cache_expire_due(zone->sh);

    /* read before the query: an invalidation from now on makes it stale */
    ctx->cache_stamp = zone->sh->clock;

    node = ngx_http_gongkai_cache_lookup(zone, &key, hash);

    if (node == NULL
        || !ngx_http_gongkai_cache_fresh(zone, node, glcf->cache_max_age))
    {
        ngx_shmtx_unlock(&zone->shpool->mutex);
        return NGX_DECLINED;
    }

    ngx_queue_remove(&node->queue);
    ngx_queue_insert_head(&zone->sh->lru, &node->queue);

    rc = ngx_http_gongkai_cache_copy(r, node, &c);

    ngx_shmtx_unlock(&zone->shpool->mutex);

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "gongkai cache: hit \"%V\"", &key);

    ctx->cache_status = NGX_HTTP_GONGKAI_CACHE_HIT;

    ngx_http_gongkai_cache_count(r, ctx, &c.type);

    return ngx_http_gongkai_cache_send(r, ctx, &c);
}


ngx_int_t
ngx_http_gongkai_cache_stale(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx)
{
    ngx_int_t                       rc;
    ngx_http_gongkai_cache_copy_t   c;
    ngx_http_gongkai_cache_node_t  *node;
    ngx_http_gongkai_cache_zone_t  *zone;
    ngx_http_gongkai_loc_conf_t    *glcf;

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);

    if (glcf->cache == NULL || ctx->cache_key.len == 0) {
        return NGX_DECLINED;
    }

    zone = glcf->cache->data;

    ngx_shmtx_lock(&zone->shpool->mutex);

    node = ngx_http_gongkai_cache_lookup(zone, &ctx->cache_key,
                                         ngx_crc32_short(ctx->cache_key.data,
                                                         ctx->cache_key.len));
    if (node == NULL) {
        ngx_shmtx_unlock(&zone->shpool->mutex);
        return NGX_DECLINED;
    }

    rc = ngx_http_gongkai_cache_copy(r, node, &c);

    ngx_shmtx_unlock(&zone->shpool->mutex);

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "gongkai cache: database unavailable, stale page sent");

    ctx->cache_status = NGX_HTTP_GONGKAI_CACHE_STALE;

    ngx_http_gongkai_cache_count(r, ctx, &c.type);

    return ngx_http_gongkai_cache_send(r, ctx, &c);
}


ngx_int_t
ngx_http_gongkai_cache_store(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, ngx_str_t *type, ngx_chain_t *body,
    size_t len)
{
    u_char                         *etag, *p, digest[16];
    size_t                          sum;
    time_t                          last_modified;
    ngx_md5_t                       md5;
    ngx_chain_t                    *cl;
    ngx_table_elt_t                *disp;
    ngx_http_gongkai_cache_zone_t  *zone;
    ngx_http_gongkai_loc_conf_t    *glcf;

    static ngx_str_t  set_cookie = ngx_string("Set-Cookie");
    static ngx_str_t  disposition = ngx_string("Content-Disposition");

    ngx_http_gongkai_cache_count(r, ctx, type);

    if (!ctx->cacheable) {
        /* a form, a status page: nothing to validate or share */
        return ngx_http_gongkai_cache_status(r, ctx);
    }

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);

    /* the ETag: the body's digest, the same whoever renders it */

    ngx_md5_init(&md5);

    sum = 0;

    for (cl = body; cl != NULL; cl = cl->next) {
        ngx_md5_update(&md5, cl->buf->pos, cl->buf->last - cl->buf->pos);
        sum += cl->buf->last - cl->buf->pos;
    }

    ngx_md5_final(digest, &md5);

    etag = ngx_pnalloc(r->pool, NGX_HTTP_GONGKAI_CACHE_ETAG_LEN);
    if (etag == NULL) {
        return NGX_ERROR;
    }

    p = etag;
    *p++ = '"';
    p = ngx_hex_dump(p, digest, 8);
    *p = '"';

    last_modified = ngx_time();

    if (glcf->cache != NULL && glcf->portal && ctx->cache_key.len
        && sum == len && r == r->main
        && ngx_http_gongkai_cache_find_header(r, &set_cookie) == NULL)
    {
        zone = glcf->cache->data;
        disp = ngx_http_gongkai_cache_find_header(r, &disposition);

        ngx_http_gongkai_cache_insert(zone, r, ctx, type, disp, body, len,
                                      etag, &last_modified);
    }

    return ngx_http_gongkai_cache_headers(r, ctx, etag, last_modified);
}


ngx_int_t
ngx_http_gongkai_cache_status(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx)
{
    ngx_str_t                    *v;
    ngx_http_gongkai_loc_conf_t  *glcf;

    static ngx_str_t  name = ngx_string("X-Gongkai-Cache");

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);

    if (glcf->cache == NULL) {
        return NGX_OK;
    }

    v = &ngx_http_gongkai_cache_statuses[ctx->cache_status];

    return ngx_http_gongkai_cache_push(r, &name, v->data, v->len, NULL);
}


/* the zone is locked */

static ngx_http_gongkai_cache_node_t *
ngx_http_gongkai_cache_lookup(ngx_http_gongkai_cache_zone_t *zone,
    ngx_str_t *key, uint32_t hash)
{
    ngx_int_t                       rc;
    ngx_rbtree_node_t              *node, *sentinel;
    ngx_http_gongkai_cache_node_t  *n;

    node = zone->sh->rbtree.root;
    sentinel = zone->sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash < node->key) {
            node = node->left;
            continue;
        }

        if (hash > node->key) {
            node = node->right;
            continue;
        }

        /* hash == node->key */

        n = (ngx_http_gongkai_cache_node_t *) node;

        rc = ngx_memn2cmp(key->data, n->data, key->len, n->key_len);

        if (rc == 0) {
            return n;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


/* the zone is locked */

static ngx_uint_t
ngx_http_gongkai_cache_fresh(ngx_http_gongkai_cache_zone_t *zone,
    ngx_http_gongkai_cache_node_t *node, time_t max_age)
{
    ngx_http_gongkai_cache_host_t  *host;

    if (!ngx_http_gongkai_cache_listening
        || node->stamp < zone->sh->all
        || ngx_time() - node->created >= max_age)
    {
        return 0;
    }

    host = ngx_http_gongkai_cache_host(zone, node->data, node->host_len);

    return host == NULL || node->stamp >= host->stamp;
}


/* the zone is locked: the stamp of a host name, or NULL */

static ngx_http_gongkai_cache_host_t *
ngx_http_gongkai_cache_host(ngx_http_gongkai_cache_zone_t *zone,
    u_char *name, size_t len)
{
    uint32_t                        hash;
    ngx_int_t                       rc;
    ngx_rbtree_node_t              *node, *sentinel;
    ngx_http_gongkai_cache_host_t  *h;

    hash = ngx_crc32_short(name, len);

    node = zone->sh->hosts.root;
    sentinel = zone->sh->hosts.sentinel;

    while (node != sentinel) {

        if (hash != node->key) {
            node = (hash < node->key) ? node->left : node->right;
            continue;
        }

        h = (ngx_http_gongkai_cache_host_t *) node;

        rc = ngx_memn2cmp(name, h->name, len, h->len);

        if (rc == 0) {
            return h;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


/* the zone is locked: a due time has passed, everything is stale */

static void
ngx_http_gongkai_cache_expire_due(ngx_http_gongkai_cache_sh_t *sh)
{
    /* strictly after the second it names: publish_due() sees it due */

    if (sh->due != 0 && ngx_time() > sh->due) {
        sh->all = ++sh->clock;
        sh->due = 0;
    }
}


/* the zone is locked */

static void
ngx_http_gongkai_cache_evict(ngx_http_gongkai_cache_zone_t *zone,
    ngx_http_gongkai_cache_node_t *node)
{
    ngx_queue_remove(&node->queue);
    ngx_rbtree_delete(&zone->sh->rbtree, &node->node);
    ngx_slab_free_locked(zone->shpool, node);
}


/* the zone is locked: copy what a response needs into the request pool */

static ngx_int_t
ngx_http_gongkai_cache_copy(ngx_http_request_t *r,
    ngx_http_gongkai_cache_node_t *node, ngx_http_gongkai_cache_copy_t *c)
{
    u_char     *p;
    ngx_buf_t  *b;

    p = node->data + node->key_len;

    c->len = node->body_len;
    c->last_modified = node->last_modified;
    c->body = NULL;

    c->etag = ngx_pnalloc(r->pool, NGX_HTTP_GONGKAI_CACHE_ETAG_LEN
                                   + node->type_len + node->disp_len);
    if (c->etag == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(c->etag, node->etag, NGX_HTTP_GONGKAI_CACHE_ETAG_LEN);

    c->type.data = c->etag + NGX_HTTP_GONGKAI_CACHE_ETAG_LEN;
    c->type.len = node->type_len;
    ngx_memcpy(c->type.data, p, node->type_len);
    p += node->type_len;

    c->disp.data = c->type.data + node->type_len;
    c->disp.len = node->disp_len;
    ngx_memcpy(c->disp.data, p, node->disp_len);
    p += node->disp_len;

    if (r->method == NGX_HTTP_HEAD || node->body_len == 0) {
        return NGX_OK;
    }

    b = ngx_create_temp_buf(r->pool, node->body_len);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->last = ngx_cpymem(b->pos, p, node->body_len);

    c->body = ngx_alloc_chain_link(r->pool);
    if (c->body == NULL) {
        return NGX_ERROR;
    }

    c->body->buf = b;
    c->body->next = NULL;

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_cache_send(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, ngx_http_gongkai_cache_copy_t *c)
{
    static ngx_str_t  disposition = ngx_string("Content-Disposition");

    if (c->disp.len
        && ngx_http_gongkai_cache_push(r, &disposition, c->disp.data,
                                       c->disp.len, NULL)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_gongkai_cache_headers(r, ctx, c->etag, c->last_modified)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_gongkai_send(r, NGX_HTTP_OK, &c->type, c->body, c->len);
}


/* ETag, Last-Modified, Cache-Control and X-Gongkai-Cache of a 200 */

static ngx_int_t
ngx_http_gongkai_cache_headers(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, u_char *etag, time_t last_modified)
{
    static ngx_str_t  etag_name = ngx_string("ETag");
    static ngx_str_t  cc_name = ngx_string("Cache-Control");
    static u_char     cc[] = "no-cache";

    if (ngx_http_gongkai_cache_push(r, &etag_name, etag,
                                    NGX_HTTP_GONGKAI_CACHE_ETAG_LEN,
                                    &r->headers_out.etag)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* conditional requests: nginx's not_modified filter answers 304 */
    r->headers_out.last_modified_time = last_modified;

    /* citizens' browsers ask again each time (a 304 is cheap) */
    if (ngx_http_gongkai_cache_push(r, &cc_name, cc, sizeof(cc) - 1, NULL)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_gongkai_cache_status(r, ctx);
}


static ngx_int_t
ngx_http_gongkai_cache_push(ngx_http_request_t *r, ngx_str_t *key,
    u_char *value, size_t len, ngx_table_elt_t **elt)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key = *key;
    h->value.data = value;
    h->value.len = len;

    if (elt != NULL) {
        *elt = h;
    }

    return NGX_OK;
}


static ngx_table_elt_t *
ngx_http_gongkai_cache_find_header(ngx_http_request_t *r, ngx_str_t *name)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash != 0 && h[i].key.len == name->len
            && ngx_strncasecmp(h[i].key.data, name->data, name->len) == 0)
        {
            return &h[i];
        }
    }
}


/*
 * Store a response, replacing the entry of the same key unless that one
 * was made from a newer query; an unchanged page keeps its Last-Modified.
 */

static void
ngx_http_gongkai_cache_insert(ngx_http_gongkai_cache_zone_t *zone,
    ngx_http_request_t *r, ngx_http_gongkai_ctx_t *ctx, ngx_str_t *type,
    ngx_table_elt_t *disp, ngx_chain_t *body, size_t len, u_char *etag,
    time_t *last_modified)
{
    u_char                         *p;
    size_t                          size, dlen;
    uint32_t                        hash;
    ngx_queue_t                    *q;
    ngx_chain_t                    *cl;
    ngx_http_gongkai_cache_node_t  *node, *old;

    dlen = disp ? disp->value.len : 0;

    if (type->len > 0xffff || dlen > 0xffff) {
        return;
    }

    /* the key begins with the host name the page was asked under */

    p = ngx_strlchr(ctx->cache_key.data,
                    ctx->cache_key.data + ctx->cache_key.len, '\n');
    if (p == NULL) {
        return;
    }

    size = offsetof(ngx_http_gongkai_cache_node_t, data)
           + ctx->cache_key.len + type->len + dlen + len;

    if (size > zone->max_entry) {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "gongkai cache: %uz bytes, too large for \"%V\"",
                       size, &ctx->cache_key);
        return;
    }

    hash = ngx_crc32_short(ctx->cache_key.data, ctx->cache_key.len);

    ngx_shmtx_lock(&zone->shpool->mutex);

    old = ngx_http_gongkai_cache_lookup(zone, &ctx->cache_key, hash);

    if (old != NULL) {
        if (old->stamp > ctx->cache_stamp) {
            /* another request stored a newer page meanwhile */
            ngx_shmtx_unlock(&zone->shpool->mutex);
            return;
        }

        if (ngx_memcmp(old->etag, etag, NGX_HTTP_GONGKAI_CACHE_ETAG_LEN)
            == 0)
        {
            *last_modified = old->last_modified;
        }

        ngx_http_gongkai_cache_evict(zone, old);
    }

    for ( ;; ) {
        node = ngx_slab_alloc_locked(zone->shpool, size);

        if (node != NULL) {
            break;
        }

        if (ngx_queue_empty(&zone->sh->lru)) {
            ngx_shmtx_unlock(&zone->shpool->mutex);

            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "gongkai cache: no room for %uz bytes", size);
            return;
        }

        /* full: the least recently used entry goes */

        q = ngx_queue_last(&zone->sh->lru);
        ngx_http_gongkai_cache_evict(zone,
            ngx_queue_data(q, ngx_http_gongkai_cache_node_t, queue));
    }

    node->node.key = hash;
    node->stamp = ctx->cache_stamp;
    node->created = ngx_time();
    node->last_modified = *last_modified;
    node->body_len = len;
    node->key_len = (u_short) ctx->cache_key.len;
    node->host_len = (u_short) (p - ctx->cache_key.data);
    node->type_len = (u_short) type->len;
    node->disp_len = (u_short) dlen;
    ngx_memcpy(node->etag, etag, NGX_HTTP_GONGKAI_CACHE_ETAG_LEN);

    p = ngx_cpymem(node->data, ctx->cache_key.data, ctx->cache_key.len);
    p = ngx_cpymem(p, type->data, type->len);

    if (dlen) {
        p = ngx_cpymem(p, disp->value.data, dlen);
    }

    for (cl = body; cl != NULL; cl = cl->next) {
        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    ngx_rbtree_insert(&zone->sh->rbtree, &node->node);
    ngx_queue_insert_head(&zone->sh->lru, &node->queue);

    ngx_shmtx_unlock(&zone->shpool->mutex);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "gongkai cache: stored \"%V\", %uz bytes",
                   &ctx->cache_key, size);
}


/*
 * The LISTEN connection came up (res: portal.cache_state()'s row) or
 * went down.
 */

static void
ngx_http_gongkai_cache_listen(ngx_uint_t up, PGresult *res)
{
    time_t                          due;
    off_t                           seq;
    ngx_uint_t                      i, missed;
    ngx_shm_zone_t                **zones;
    ngx_http_gongkai_cache_sh_t    *sh;
    ngx_http_gongkai_cache_zone_t  *zone;

    ngx_http_gongkai_cache_listening = 0;

    if (!up || ngx_http_gongkai_cache_zones == NULL) {
        return;
    }

    due = 0;
    seq = NGX_ERROR;

    if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK
        && PQntuples(res) == 1 && PQnfields(res) == 2)
    {
        if (!PQgetisnull(res, 0, 0)) {
            due = ngx_atotm((u_char *) PQgetvalue(res, 0, 0),
                            PQgetlength(res, 0, 0));
            if (due == NGX_ERROR) {
                due = 0;
            }
        }

        if (!PQgetisnull(res, 0, 1)) {
            seq = ngx_atoof((u_char *) PQgetvalue(res, 0, 1),
                            PQgetlength(res, 0, 1));
        }
    }

    zones = ngx_http_gongkai_cache_zones->elts;

    for (i = 0; i < ngx_http_gongkai_cache_zones->nelts; i++) {
        zone = zones[i]->data;
        sh = zone->sh;

        ngx_shmtx_lock(&zone->shpool->mutex);

        ngx_http_gongkai_cache_expire_due(sh);

        /*
         * Another number than the last one seen: notifications were sent
         * while nobody listened (or one is on its way: no harm either).
         */

        missed = (seq == NGX_ERROR || (uint64_t) seq != sh->seq);

        if (missed) {
            sh->all = ++sh->clock;

            if (seq != NGX_ERROR) {
                sh->seq = (uint64_t) seq;
            }
        }

        ngx_http_gongkai_cache_set_due(sh, due);

        ngx_shmtx_unlock(&zone->shpool->mutex);

        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "gongkai cache: listening, notification %O, %s",
                      seq, missed ? "everything cached is stale"
                                  : "nothing missed");
    }

    ngx_http_gongkai_cache_listening = 1;
}


static void
ngx_http_gongkai_cache_notify(const char *channel, const char *payload)
{
    u_char                         *p, *end, *sp;
    off_t                           seq;
    ngx_uint_t                      i;
    ngx_shm_zone_t                **zones;
    ngx_http_gongkai_cache_zone_t  *zone;

    if (ngx_http_gongkai_cache_zones == NULL
        || ngx_strcmp(channel, NGX_HTTP_GONGKAI_CACHE_CHANNEL) != 0)
    {
        return;
    }

    p = (u_char *) payload;
    end = p + ngx_strlen(payload);

    sp = ngx_strlchr(p, end, ' ');

    seq = ngx_atoof(p, (sp ? sp : end) - p);

    if (seq == NGX_ERROR || sp == NULL) {
        goto invalid;
    }

    zones = ngx_http_gongkai_cache_zones->elts;

    for (i = 0; i < ngx_http_gongkai_cache_zones->nelts; i++) {
        zone = zones[i]->data;

        ngx_shmtx_lock(&zone->shpool->mutex);

        ngx_http_gongkai_cache_expire_due(zone->sh);

        for (p = sp + 1; p < end; p = sp + 1) {
            sp = ngx_strlchr(p, end, ' ');
            if (sp == NULL) {
                sp = end;
            }

            if (ngx_http_gongkai_cache_apply(zone, p, sp - p) != NGX_OK) {
                /* not understood: everything, to be safe */
                zone->sh->all = ++zone->sh->clock;
            }
        }

        if ((uint64_t) seq > zone->sh->seq) {
            zone->sh->seq = (uint64_t) seq;
        }

        ngx_shmtx_unlock(&zone->shpool->mutex);
    }

    return;

invalid:

    ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                  "gongkai cache: ignored the notification \"%s\"", payload);
}


/* the zone is locked: one <what> of a notification */

static ngx_int_t
ngx_http_gongkai_cache_apply(ngx_http_gongkai_cache_zone_t *zone,
    u_char *what, size_t len)
{
    size_t  i;
    time_t  due;

    if (len == 1 && what[0] == '*') {
        zone->sh->all = ++zone->sh->clock;
        return NGX_OK;
    }

    if (len > 2 && what[0] == '*' && what[1] == '@') {
        due = ngx_atotm(what + 2, len - 2);

        if (due == NGX_ERROR || due == 0) {
            return NGX_ERROR;
        }

        ngx_http_gongkai_cache_set_due(zone->sh, due);
        return NGX_OK;
    }

    /* a host name as the module normalises it (lower case, punycode) */

    if (len == 0 || len > NGX_HTTP_GONGKAI_HOST_MAX) {
        return NGX_ERROR;
    }

    for (i = 0; i < len; i++) {
        if (!((what[i] >= 'a' && what[i] <= 'z')
              || (what[i] >= '0' && what[i] <= '9')
              || what[i] == '-' || what[i] == '.'))
        {
            return NGX_ERROR;
        }
    }

    ngx_http_gongkai_cache_invalidate_host(zone, what, len);

    return NGX_OK;
}


/* the zone is locked */

static void
ngx_http_gongkai_cache_invalidate_host(ngx_http_gongkai_cache_zone_t *zone,
    u_char *name, size_t len)
{
    ngx_http_gongkai_cache_host_t  *h;

    h = ngx_http_gongkai_cache_host(zone, name, len);

    if (h == NULL) {
        h = ngx_slab_alloc_locked(zone->shpool,
                  offsetof(ngx_http_gongkai_cache_host_t, name) + len);

        if (h == NULL) {
            /* no room for the name: everything, then */
            zone->sh->all = ++zone->sh->clock;
            return;
        }

        h->node.key = ngx_crc32_short(name, len);
        h->len = (u_short) len;
        ngx_memcpy(h->name, name, len);

        ngx_rbtree_insert(&zone->sh->hosts, &h->node);
    }

    h->stamp = ++zone->sh->clock;
}


/*
 * The zone is locked.  The next due time: the earliest of those not yet
 * passed (the database sends its earliest each time rounds change).
 */

static void
ngx_http_gongkai_cache_set_due(ngx_http_gongkai_cache_sh_t *sh, time_t due)
{
    if (due == 0) {
        return;
    }

    if (sh->due == 0 || due < sh->due) {
        sh->due = due;
    }
}


/* a page view (see the header): one more in its host's current hour */

static void
ngx_http_gongkai_cache_count(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx, ngx_str_t *type)
{
    time_t                           hour;
    uint32_t                         hash;
    ngx_uint_t                       i;
    ngx_http_gongkai_cache_sh_t     *sh;
    ngx_http_gongkai_cache_zone_t   *zone;
    ngx_http_gongkai_loc_conf_t     *glcf;
    ngx_http_gongkai_cache_visit_t  *v, *free;

    static u_char  html[] = "text/html";

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);

    if (glcf->cache == NULL || !glcf->portal || r != r->main
        || r->method != NGX_HTTP_GET
        || type->len < sizeof(html) - 1
        || ngx_strncasecmp(type->data, html, sizeof(html) - 1) != 0
        || ctx->host.len == 0
        || ctx->host.len > NGX_HTTP_GONGKAI_CACHE_HOST_LEN)
    {
        return;
    }

    zone = glcf->cache->data;
    sh = zone->sh;
    hour = ngx_time() / 3600;
    hash = ngx_crc32_short(ctx->host.data, ctx->host.len);
    free = NULL;

    ngx_shmtx_lock(&zone->shpool->mutex);

    for (i = 0; i < sh->nvisits; i++) {
        v = &sh->visits[i];

        if (v->hour == 0) {
            if (free == NULL) {
                free = v;
            }

            continue;
        }

        if (v->hour == hour && v->hash == hash && v->len == ctx->host.len
            && ngx_memcmp(v->host, ctx->host.data, v->len) == 0)
        {
            v->n++;
            ngx_shmtx_unlock(&zone->shpool->mutex);
            return;
        }
    }

    if (free != NULL) {
        free->hour = hour;
        free->hash = hash;
        free->len = (u_short) ctx->host.len;
        free->n = 1;
        ngx_memcpy(free->host, ctx->host.data, ctx->host.len);

    } else {
        sh->lost++;
    }

    ngx_shmtx_unlock(&zone->shpool->mutex);

    if (free == NULL) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "gongkai cache: no room for a visit counter, "
                      "page view not counted");
    }
}


static void
ngx_http_gongkai_cache_flush_timer(ngx_event_t *ev)
{
    ngx_http_gongkai_cache_flush(ev->log);

    if (!ngx_exiting && !ngx_quit && !ngx_terminate) {
        ngx_add_timer(ev, ngx_http_gongkai_cache_flush_every);
    }
}


/*
 * Every zone's counts as one JSON array [{"host", "hour", "n"}], sent to
 * portal.visits_add() on the LISTEN connection when it is ready; when it
 * is not, the counts stay for the next time.
 */

static void
ngx_http_gongkai_cache_flush(ngx_log_t *log)
{
    u_char           *p, *json;
    size_t            len;
    ngx_str_t        *parts;
    ngx_uint_t        i, n;
    ngx_pool_t       *pool;
    ngx_shm_zone_t  **zones;

    if (ngx_http_gongkai_cache_zones == NULL
        || !ngx_http_gongkai_db_listen_ready())
    {
        return;
    }

    pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, log);
    if (pool == NULL) {
        return;
    }

    zones = ngx_http_gongkai_cache_zones->elts;
    n = ngx_http_gongkai_cache_zones->nelts;

    parts = ngx_pcalloc(pool, n * sizeof(ngx_str_t));
    if (parts == NULL) {
        goto done;
    }

    len = sizeof("[]");

    for (i = 0; i < n; i++) {
        if (ngx_http_gongkai_cache_drain(zones[i]->data, pool, &parts[i])
            != NGX_OK)
        {
            goto done;
        }

        len += parts[i].len + 1;
    }

    if (len == sizeof("[]") + n) {
        goto done;
    }

    json = ngx_pnalloc(pool, len);
    if (json == NULL) {
        goto done;
    }

    p = json;
    *p++ = '[';

    for (i = 0; i < n; i++) {
        if (parts[i].len == 0) {
            continue;
        }

        if (p != json + 1) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, parts[i].data, parts[i].len);
    }

    *p++ = ']';
    *p = '\0';

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log, 0,
                   "gongkai cache: visits %s", json);

    if (ngx_http_gongkai_db_listen_query(NGX_HTTP_GONGKAI_CACHE_VISITS_SQL,
                                         (const char *) json)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "gongkai cache: visit counts could not be sent "
                      "and are lost");
    }

done:

    ngx_destroy_pool(pool);
}


/* the used slots of a zone, freed, as "{...},{...}" (empty: none) */

static ngx_int_t
ngx_http_gongkai_cache_drain(ngx_http_gongkai_cache_zone_t *zone,
    ngx_pool_t *pool, ngx_str_t *out)
{
    u_char                          *p;
    size_t                           len;
    ngx_uint_t                       i;
    ngx_http_gongkai_cache_sh_t     *sh;
    ngx_http_gongkai_cache_visit_t  *v;

    sh = zone->sh;
    len = 0;

    ngx_shmtx_lock(&zone->shpool->mutex);

    for (i = 0; i < sh->nvisits; i++) {
        v = &sh->visits[i];

        if (v->hour != 0) {
            len += sizeof("{\"host\":\"\",\"hour\":,\"n\":},") - 1
                   + v->len + ngx_escape_json(NULL, v->host, v->len)
                   + NGX_TIME_T_LEN + NGX_INT_T_LEN;
        }
    }

    if (len == 0) {
        ngx_shmtx_unlock(&zone->shpool->mutex);
        ngx_str_null(out);
        return NGX_OK;
    }

    out->data = ngx_pnalloc(pool, len);
    if (out->data == NULL) {
        ngx_shmtx_unlock(&zone->shpool->mutex);
        return NGX_ERROR;
    }

    p = out->data;

    for (i = 0; i < sh->nvisits; i++) {
        v = &sh->visits[i];

        if (v->hour == 0) {
            continue;
        }

        if (p != out->data) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, "{\"host\":\"", sizeof("{\"host\":\"") - 1);
        p = (u_char *) ngx_escape_json(p, v->host, v->len);
        p = ngx_sprintf(p, "\",\"hour\":%T,\"n\":%ui}", v->hour, v->n);

        v->hour = 0;
        v->n = 0;
    }

    ngx_shmtx_unlock(&zone->shpool->mutex);

    out->len = p - out->data;

    return NGX_OK;
}
