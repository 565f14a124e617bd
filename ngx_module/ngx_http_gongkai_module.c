/*
 * ngx_http_gongkai_module: a government information disclosure portal
 * (政府信息公开平台) served by nginx from PostgreSQL.
 *
 * This file holds the directives, the configuration and the process
 * hooks; the pages are in ngx_http_gongkai_catalogue.c, database access
 * in ngx_http_gongkai_db.c, templates in ngx_http_gongkai_tmpl.c.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_module.h"
#include "ngx_http_gongkai_page.h"
#include "ngx_http_gongkai_admin.h"
#include "ngx_http_gongkai_screen.h"
#include "ngx_http_gongkai_domain.h"
#include "ngx_http_gongkai_cache.h"


static void *ngx_http_gongkai_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_gongkai_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_gongkai_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_gongkai_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_gongkai_db(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_gongkai_templates(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_gongkai_portal(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_gongkai_admin(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_gongkai_init_admin(ngx_conf_t *cf,
    ngx_http_gongkai_main_conf_t *gmcf);
static ngx_int_t ngx_http_gongkai_init_process(ngx_cycle_t *cycle);
static void ngx_http_gongkai_exit_process(ngx_cycle_t *cycle);


static ngx_conf_num_bounds_t  ngx_http_gongkai_pool_bounds = {
    ngx_conf_check_num_bounds, 1, 1024
};


static ngx_command_t  ngx_http_gongkai_commands[] = {

    { ngx_string("gongkai_db"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_gongkai_db,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("gongkai_db_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_gongkai_main_conf_t, db.pool_size),
      &ngx_http_gongkai_pool_bounds },

    { ngx_string("gongkai_db_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_gongkai_main_conf_t, db.timeout),
      NULL },

    { ngx_string("gongkai_templates"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_gongkai_templates,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("gongkai_host"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_gongkai_loc_conf_t, host),
      NULL },

    { ngx_string("gongkai_portal"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_gongkai_portal,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("gongkai_admin"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_gongkai_admin,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("gongkai_cache"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_gongkai_cache_directive,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("gongkai_visits_flush"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_gongkai_main_conf_t, visits_flush),
      NULL },

    { ngx_string("gongkai_upload_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_gongkai_loc_conf_t, upload_max_size),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_gongkai_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_gongkai_create_main_conf,     /* create main configuration */
    ngx_http_gongkai_init_main_conf,       /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_gongkai_create_loc_conf,      /* create location configuration */
    ngx_http_gongkai_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_http_gongkai_module = {
    NGX_MODULE_V1,
    &ngx_http_gongkai_module_ctx,          /* module context */
    ngx_http_gongkai_commands,             /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_gongkai_init_process,         /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_gongkai_exit_process,         /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_gongkai_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_gongkai_main_conf_t  *gmcf;

    gmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_gongkai_main_conf_t));
    if (gmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     gmcf->db.conninfo = { 0, NULL };
     *     gmcf->templates_dir = { 0, NULL };
     *     gmcf->tmpls = NULL;
     *     gmcf->portal_file = { 0, NULL };
     */

    gmcf->db.pool_size = NGX_CONF_UNSET_UINT;
    gmcf->db.timeout = NGX_CONF_UNSET_MSEC;
    gmcf->visits_flush = NGX_CONF_UNSET_MSEC;

    if (ngx_array_init(&gmcf->cache_zones, cf->pool, 1,
                       sizeof(ngx_shm_zone_t *))
        != NGX_OK)
    {
        return NULL;
    }

    return gmcf;
}


static char *
ngx_http_gongkai_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_gongkai_main_conf_t *gmcf = conf;

    ngx_conf_init_uint_value(gmcf->db.pool_size, 4);
    ngx_conf_init_msec_value(gmcf->db.timeout, 5000);
    ngx_conf_init_msec_value(gmcf->visits_flush, 60000);

    /* one statement table: the portal's, then the admin's */

    gmcf->db.nstmts = NGX_HTTP_GONGKAI_NSTMTS + ngx_http_gongkai_admin_nstmts;
    gmcf->db.stmts = ngx_palloc(cf->pool, gmcf->db.nstmts
                                          * sizeof(ngx_http_gongkai_stmt_t));
    if (gmcf->db.stmts == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(gmcf->db.stmts, ngx_http_gongkai_stmts,
               NGX_HTTP_GONGKAI_NSTMTS * sizeof(ngx_http_gongkai_stmt_t));
    ngx_memcpy(gmcf->db.stmts + NGX_HTTP_GONGKAI_NSTMTS,
               ngx_http_gongkai_admin_stmts,
               ngx_http_gongkai_admin_nstmts
               * sizeof(ngx_http_gongkai_stmt_t));

    ngx_http_gongkai_cache_init_main_conf(cf, gmcf);

    if (gmcf->admin_file.len) {
        if (ngx_http_gongkai_init_admin(cf, gmcf) != NGX_CONF_OK) {
            return NGX_CONF_ERROR;
        }

        if (gmcf->portal_file.len == 0) {
            gmcf->portal_file = gmcf->admin_file;
            gmcf->portal_line = gmcf->admin_line;
        }
    }

    if (gmcf->portal_file.len == 0) {
        return NGX_CONF_OK;
    }

    /* the domain rules: the Host of every request, the site forms */

    gmcf->domain = ngx_http_gongkai_domain_create(cf);
    if (gmcf->domain == NULL) {
        return NGX_CONF_ERROR;
    }

    /* a portal cannot work without its database and its templates */

    if (gmcf->db.conninfo.len == 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"gongkai_portal\" in %V:%ui requires "
                      "\"gongkai_db\" in the http block",
                      &gmcf->portal_file, gmcf->portal_line);
        return NGX_CONF_ERROR;
    }

    if (gmcf->tmpls == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"gongkai_portal\" in %V:%ui requires "
                      "\"gongkai_templates\" in the http block",
                      &gmcf->portal_file, gmcf->portal_line);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_gongkai_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_gongkai_loc_conf_t  *glcf;

    glcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_gongkai_loc_conf_t));
    if (glcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     glcf->admin_base = { 0, NULL };
     */

    glcf->portal = NGX_CONF_UNSET;
    glcf->admin = NGX_CONF_UNSET;
    glcf->upload_max_size = NGX_CONF_UNSET_SIZE;
    glcf->host = NGX_CONF_UNSET_PTR;
    glcf->cache = NGX_CONF_UNSET_PTR;
    glcf->cache_max_age = NGX_CONF_UNSET;

    return glcf;
}


static char *
ngx_http_gongkai_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_gongkai_loc_conf_t *prev = parent;
    ngx_http_gongkai_loc_conf_t *conf = child;

    ngx_conf_merge_value(conf->portal, prev->portal, 0);
    ngx_conf_merge_value(conf->admin, prev->admin, 0);
    ngx_conf_merge_str_value(conf->admin_base, prev->admin_base, "");
    ngx_conf_merge_size_value(conf->upload_max_size, prev->upload_max_size,
                              20 * 1024 * 1024);
    ngx_conf_merge_ptr_value(conf->host, prev->host, NULL);
    ngx_conf_merge_ptr_value(conf->cache, prev->cache, NULL);
    ngx_conf_merge_sec_value(conf->cache_max_age, prev->cache_max_age,
                             NGX_HTTP_GONGKAI_CACHE_MAX_AGE);

    return NGX_CONF_OK;
}


static char *
ngx_http_gongkai_db(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_gongkai_main_conf_t *gmcf = conf;

    char              *err;
    ngx_str_t         *value;
    PQconninfoOption  *opts, *o;

    if (gmcf->db.conninfo.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "needs a connection string";
    }

    /* check the syntax now, so that "nginx -t" catches a typo */

    err = NULL;
    opts = PQconninfoParse((char *) value[1].data, &err);

    if (opts == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid connection string in \"gongkai_db\": %s",
                           err ? err : "out of memory");
        if (err != NULL) {
            PQfreemem(err);
        }

        return NGX_CONF_ERROR;
    }

    /*
     * No DNS lookups inside libpq on the event loop (ARCHITECTURE.md):
     * "host" must be a socket directory or a numeric address, unless a
     * numeric "hostaddr" is given.
     */

    for (o = opts; o->keyword != NULL; o++) {
        if (ngx_strcmp(o->keyword, "host") == 0 && o->val != NULL
            && o->val[0] != '/' && o->val[0] != '@')
        {
            ngx_uint_t  i, numeric = 1;

            for (i = 0; o->val[i]; i++) {
                if (!(ngx_strchr("0123456789.:,abcdefABCDEF[]", o->val[i]))) {
                    numeric = 0;
                    break;
                }
            }

            if (!numeric) {
                PQconninfoOption  *ha;

                for (ha = opts; ha->keyword != NULL; ha++) {
                    if (ngx_strcmp(ha->keyword, "hostaddr") == 0) {
                        break;
                    }
                }

                if (ha->keyword == NULL || ha->val == NULL) {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                        "\"gongkai_db\": host \"%s\" would need a DNS "
                        "lookup that blocks the worker; use a socket "
                        "directory, a numeric address, or \"hostaddr\"",
                        o->val);
                    PQconninfoFree(opts);
                    return NGX_CONF_ERROR;
                }
            }
        }
    }

    PQconninfoFree(opts);

    gmcf->db.conninfo = value[1];

    return NGX_CONF_OK;
}


static char *
ngx_http_gongkai_templates(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_gongkai_main_conf_t *gmcf = conf;

    ngx_str_t  *value;

    if (gmcf->templates_dir.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    gmcf->templates_dir = value[1];

    if (ngx_conf_full_name(cf->cycle, &gmcf->templates_dir, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    gmcf->tmpls = ngx_http_gongkai_tmpl_load(cf->pool, cf->log,
                                             &gmcf->templates_dir);
    if (gmcf->tmpls == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot compile the templates in \"%V\"",
                           &gmcf->templates_dir);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_gongkai_portal(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_gongkai_loc_conf_t *glcf = conf;

    ngx_http_core_loc_conf_t      *clcf;
    ngx_http_gongkai_main_conf_t  *gmcf;

    if (glcf->portal != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    glcf->portal = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_gongkai_portal_handler;

    gmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_gongkai_module);

    if (gmcf->portal_file.len == 0) {
        gmcf->portal_file = cf->conf_file->file.name;
        gmcf->portal_line = cf->conf_file->line;
    }

    return NGX_CONF_OK;
}


/*
 * gongkai_admin: the admin pages below this location's prefix, which
 * must end in "/" (the session cookie's Path, the base of redirects).
 */

static char *
ngx_http_gongkai_admin(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_gongkai_loc_conf_t *glcf = conf;

    ngx_http_core_loc_conf_t      *clcf;
    ngx_http_gongkai_main_conf_t  *gmcf;

    if (glcf->admin != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->exact_match || clcf->named
#if (NGX_PCRE)
        || clcf->regex
#endif
        || clcf->name.len == 0 || clcf->name.data[clcf->name.len - 1] != '/')
    {
        return "must be in a prefix location that ends with \"/\", "
               "such as \"location /admin/\"";
    }

    glcf->admin = 1;
    glcf->admin_base = clcf->name;

    clcf->handler = ngx_http_gongkai_admin_handler;

    gmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_gongkai_module);

    if (gmcf->admin_file.len == 0) {
        gmcf->admin_file = cf->conf_file->file.name;
        gmcf->admin_line = cf->conf_file->line;
    }

    return NGX_CONF_OK;
}


/*
 * What the admin needs beyond the portal: its templates, compiled from
 * the "admin" directory of gongkai_templates, and the screening patterns,
 * compiled once here.
 */

static char *
ngx_http_gongkai_init_admin(ngx_conf_t *cf,
    ngx_http_gongkai_main_conf_t *gmcf)
{
    ngx_str_t  dir;

    if (gmcf->templates_dir.len == 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"gongkai_admin\" in %V:%ui requires "
                      "\"gongkai_templates\" in the http block",
                      &gmcf->admin_file, gmcf->admin_line);
        return NGX_CONF_ERROR;
    }

    dir.len = gmcf->templates_dir.len + sizeof("/admin") - 1;
    dir.data = ngx_pnalloc(cf->pool, dir.len + 1);
    if (dir.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf(dir.data, "%V/admin%Z", &gmcf->templates_dir);

    gmcf->admin_tmpls = ngx_http_gongkai_tmpl_load(cf->pool, cf->log, &dir);
    if (gmcf->admin_tmpls == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"gongkai_admin\" in %V:%ui: cannot compile the "
                      "admin templates in \"%V\"",
                      &gmcf->admin_file, gmcf->admin_line, &dir);
        return NGX_CONF_ERROR;
    }

    gmcf->screen = ngx_http_gongkai_screen_create(cf);
    if (gmcf->screen == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_gongkai_init_process(ngx_cycle_t *cycle)
{
    ngx_http_gongkai_main_conf_t  *gmcf;

    gmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_gongkai_module);

    if (gmcf == NULL || gmcf->portal_file.len == 0) {
        return NGX_OK;
    }

    ngx_http_gongkai_cache_init_process(cycle, gmcf);

    return ngx_http_gongkai_db_init_process(cycle, &gmcf->db);
}


static void
ngx_http_gongkai_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_gongkai_main_conf_t  *gmcf;

    gmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_gongkai_module);

    if (gmcf == NULL || gmcf->portal_file.len == 0) {
        return;
    }

    ngx_http_gongkai_cache_exit_process(cycle);

    ngx_http_gongkai_db_exit_process(cycle);
}
