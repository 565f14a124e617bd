/*
 * Request input checks: UTF-8 validation and query string parsing.
 * Everything a citizen types is data; input that is not well-formed is
 * refused with a message, never passed on.
 */

#ifndef _NGX_HTTP_GONGKAI_ARGS_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_ARGS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_value.h"


/* most fields a form may have */
#define NGX_HTTP_GONGKAI_FORM_FIELDS_MAX  200

/* longest query string accepted, in bytes (longer: 414) */
#define NGX_HTTP_GONGKAI_ARGS_MAX  2048


/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF; also refuses C0 controls and DEL.  Returns 1 if valid.
 */
ngx_uint_t ngx_http_gongkai_utf8_valid(u_char *p, size_t len);

/* the same, but TAB, LF and CR are allowed (the value of a textarea) */
ngx_uint_t ngx_http_gongkai_utf8_text_valid(u_char *p, size_t len);

/*
 * The length in bytes of the first `chars` characters of a valid UTF-8
 * string (all of it when it has fewer).
 */
size_t ngx_http_gongkai_utf8_prefix(u_char *p, size_t len, size_t chars);

/*
 * Parse a query string ("a=1&b=%E4%B8%AD") and pick out the parameters
 * named in names[0..n-1] into values[0..n-1] (data NULL when absent or
 * empty).  Names not listed are ignored but must still be well-formed.
 * Values are percent-decoded ('+' is a space) into pool memory.
 * Returns NGX_OK, or NGX_DECLINED with *err set to a Chinese message for
 * the citizen (bad percent-encoding, invalid UTF-8, control characters,
 * a listed parameter given twice).
 */
ngx_int_t ngx_http_gongkai_args_parse(ngx_pool_t *pool, ngx_str_t *args,
    const char **names, ngx_str_t *values, ngx_uint_t n, const char **err);


/*
 * Parse an application/x-www-form-urlencoded body (or a query string)
 * into an OBJECT of STRING members, in order; a name given more than
 * once becomes an ARRAY of its values (checkboxes).  Names must be
 * [a-z0-9_]{1,64}; values valid UTF-8 where TAB, LF and CR are allowed.
 * Returns NGX_OK, NGX_DECLINED with *err for the user, or NGX_ERROR.
 */
ngx_int_t ngx_http_gongkai_form_parse(ngx_pool_t *pool, u_char *p,
    size_t len, ngx_http_gongkai_value_t **form, const char **err);


/*
 * 1 if v is letters and digits only, 1..max of them; upper-cased in
 * place when upper is set.
 */
ngx_uint_t ngx_http_gongkai_arg_code(ngx_str_t *v, size_t max,
    ngx_uint_t upper);

/* a decimal number of at most max digits, or -1 (NGX_ERROR) */
ngx_int_t ngx_http_gongkai_arg_number(ngx_str_t *v, size_t max);


#endif /* _NGX_HTTP_GONGKAI_ARGS_H_INCLUDED_ */
