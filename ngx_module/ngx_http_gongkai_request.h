/*
 * What the admin and the application form share about a request that
 * carries a body or a token: the body in one piece, its type, cookies
 * and random tokens, and answers no browser or proxy may store.
 */

#ifndef _NGX_HTTP_GONGKAI_REQUEST_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_REQUEST_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/* random bytes in a token (256 bits), and its length in hex digits */
#define NGX_HTTP_GONGKAI_TOKEN_BYTES  32
#define NGX_HTTP_GONGKAI_TOKEN_HEX    (2 * NGX_HTTP_GONGKAI_TOKEN_BYTES)


/*
 * The request body in one piece of pool memory, followed by a NUL byte
 * (not counted).  A body nginx kept in a temporary file is read back (a
 * local disk read, as nginx's own static files are).
 */
ngx_int_t ngx_http_gongkai_body_data(ngx_http_request_t *r, ngx_str_t *body);

/* NGX_OK if the Content-Type is type, parameters allowed after it */
ngx_int_t ngx_http_gongkai_content_type_is(ngx_http_request_t *r,
    const char *type);

/* "Cache-Control: no-store" */
ngx_int_t ngx_http_gongkai_no_store(ngx_http_request_t *r);

/*
 * Set, or with an empty value clear, a cookie limited to path:
 * HttpOnly, SameSite=Strict, and Secure over TLS.  No Max-Age when set:
 * expiry is kept by the database.
 */
ngx_int_t ngx_http_gongkai_set_cookie(ngx_http_request_t *r,
    const char *name, ngx_str_t *value, ngx_str_t *path);

/* a new token: 256 bits from the kernel's random source, in hex */
ngx_int_t ngx_http_gongkai_random_hex(ngx_pool_t *pool, ngx_str_t *hex);

/* 1 if s has the shape of our tokens: 64 lower-case hex digits */
ngx_uint_t ngx_http_gongkai_token_shape(ngx_str_t *s);

/* 1 if equal and not empty, in time independent of the contents */
ngx_uint_t ngx_http_gongkai_token_equal(ngx_str_t *a, ngx_str_t *b);


#endif /* _NGX_HTTP_GONGKAI_REQUEST_H_INCLUDED_ */
