/*
 * The page cache's keys (gongkai_cache): which requests share a cached
 * response.  Kept apart from the shared-memory code so that the unit
 * tests can check it alone.
 */

#ifndef _NGX_HTTP_GONGKAI_CACHE_KEY_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_CACHE_KEY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* the longest key kept; a longer one is not cached */
#define NGX_HTTP_GONGKAI_CACHE_KEY_MAX  4096


/* one query parameter as the page's own parser understood it */
typedef struct {
    const char                *name;
    ngx_str_t                  value;    /* data NULL: absent or empty */
} ngx_http_gongkai_cache_arg_t;


/*
 * The key of a page:
 *
 *     host "\n" path [ "?" name "=" value { "&" name "=" value } ]
 *
 * host is the site's normalised host name (ngx_http_gongkai_host), path
 * the decoded, canonical path, and the parameters are the values the
 * page's parser kept (decoded and normalised: an organ code upper-cased,
 * a number without leading zeros), the absent ones left out and the
 * others sorted by name.  So parameters the page ignores, their order
 * and their percent-encoding do not make different keys.  In path and
 * values the bytes "%", "?", "&", "=" and controls are percent-encoded,
 * so no two requests share a key by accident.
 *
 * args[] is sorted in place.  Returns NGX_OK, NGX_DECLINED when the key
 * would be longer than NGX_HTTP_GONGKAI_CACHE_KEY_MAX, or NGX_ERROR.
 */
ngx_int_t ngx_http_gongkai_cache_key(ngx_pool_t *pool, ngx_str_t *host,
    ngx_str_t *path, ngx_http_gongkai_cache_arg_t *args, ngx_uint_t n,
    ngx_str_t *key);


/*
 * A number parameter as the key holds it: decimal without leading zeros,
 * or absent (data NULL) when it is the page's default ("page=1" is the
 * same page as no page).  Returns NGX_OK or NGX_ERROR.
 */
ngx_int_t ngx_http_gongkai_cache_arg_number(ngx_pool_t *pool, ngx_int_t n,
    ngx_int_t dflt, ngx_str_t *value);


#endif /* _NGX_HTTP_GONGKAI_CACHE_KEY_H_INCLUDED_ */
