/*
 * The value tree templates are rendered from: the JSON document a page's
 * SQL function returns, parsed into pool memory, plus the few values the
 * module adds itself (request path, error details, form input).
 */

#ifndef _NGX_HTTP_GONGKAI_VALUE_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_VALUE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


typedef enum {
    NGX_HTTP_GONGKAI_NULL = 0,
    NGX_HTTP_GONGKAI_FALSE,
    NGX_HTTP_GONGKAI_TRUE,
    NGX_HTTP_GONGKAI_NUMBER,     /* kept as its JSON text in str */
    NGX_HTTP_GONGKAI_STRING,     /* UTF-8, unescaped, in str */
    NGX_HTTP_GONGKAI_ARRAY,
    NGX_HTTP_GONGKAI_OBJECT
} ngx_http_gongkai_value_type_e;


typedef struct ngx_http_gongkai_value_s  ngx_http_gongkai_value_t;

struct ngx_http_gongkai_value_s {
    ngx_http_gongkai_value_type_e   type;
    ngx_str_t                       str;     /* NUMBER, STRING */
    ngx_str_t                       key;     /* member name in an OBJECT */
    ngx_http_gongkai_value_t       *first;   /* first child: ARRAY, OBJECT */
    ngx_http_gongkai_value_t       *last;
    ngx_http_gongkai_value_t       *next;    /* next sibling */
    ngx_uint_t                      n;       /* number of children */
};


/*
 * Parse a JSON text (RFC 8259) into a tree allocated from pool.  Strings
 * are unescaped into UTF-8; \u0000 and unpaired surrogates are refused.
 * Returns NULL on malformed input or allocation failure; *err (if not
 * NULL) then points to a static message.
 */
ngx_http_gongkai_value_t *ngx_http_gongkai_json_parse(ngx_pool_t *pool,
    u_char *p, size_t len, const char **err);

ngx_http_gongkai_value_t *ngx_http_gongkai_value_new(ngx_pool_t *pool,
    ngx_http_gongkai_value_type_e type);
ngx_http_gongkai_value_t *ngx_http_gongkai_value_string(ngx_pool_t *pool,
    u_char *data, size_t len);
ngx_http_gongkai_value_t *ngx_http_gongkai_value_int(ngx_pool_t *pool,
    ngx_int_t n);

/* append to an ARRAY, or to an OBJECT under key (replacing a member) */
void ngx_http_gongkai_value_push(ngx_http_gongkai_value_t *arr,
    ngx_http_gongkai_value_t *v);
void ngx_http_gongkai_value_set(ngx_http_gongkai_value_t *obj,
    const char *key, ngx_http_gongkai_value_t *v);

/* member of an OBJECT by name (len bytes), or NULL */
ngx_http_gongkai_value_t *ngx_http_gongkai_value_get(
    ngx_http_gongkai_value_t *obj, u_char *key, size_t len);

/* the falsy values: NULL pointer, null, false, "", 0, [] and {} */
ngx_uint_t ngx_http_gongkai_value_truthy(ngx_http_gongkai_value_t *v);


/* the JSON text of a tree, in pool memory (a NULL pointer is null) */
ngx_int_t ngx_http_gongkai_json_encode(ngx_pool_t *pool,
    ngx_http_gongkai_value_t *v, ngx_str_t *out);


#endif /* _NGX_HTTP_GONGKAI_VALUE_H_INCLUDED_ */
