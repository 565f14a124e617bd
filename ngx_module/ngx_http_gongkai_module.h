/*
 * ngx_http_gongkai_module: configuration shared by the module's files.
 */

#ifndef _NGX_HTTP_GONGKAI_MODULE_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_db.h"
#include "ngx_http_gongkai_value.h"
#include "ngx_http_gongkai_tmpl.h"


typedef struct {
    ngx_http_gongkai_db_conf_t     db;
    ngx_str_t                      templates_dir;
    ngx_http_gongkai_tmpl_set_t   *tmpls;

    /* where the first gongkai_portal was configured, for error messages */
    ngx_str_t                      portal_file;
    ngx_uint_t                     portal_line;

    /* the admin: its templates (templates/admin/), screening patterns */
    ngx_str_t                      admin_file;
    ngx_uint_t                     admin_line;
    ngx_http_gongkai_tmpl_set_t   *admin_tmpls;
    void                          *screen;     /* screen_t */

    /* the domain rules (ngx_http_gongkai_domain.h) */
    void                          *domain;     /* domain_t */

    /* every gongkai_cache zone (ngx_shm_zone_t *): all are invalidated */
    ngx_array_t                    cache_zones;

    /* gongkai_visits_flush: how often the visit counters are sent */
    ngx_msec_t                     visits_flush;
} ngx_http_gongkai_main_conf_t;


typedef struct {
    ngx_flag_t                     portal;
    ngx_flag_t                     admin;
    ngx_str_t                      admin_base;     /* location prefix */
    size_t                         upload_max_size;
    ngx_http_complex_value_t      *host;

    /* gongkai_cache: the zone (NULL: off) and max_age */
    ngx_shm_zone_t                *cache;
    time_t                         cache_max_age;
} ngx_http_gongkai_loc_conf_t;


extern ngx_module_t  ngx_http_gongkai_module;


#endif /* _NGX_HTTP_GONGKAI_MODULE_H_INCLUDED_ */
