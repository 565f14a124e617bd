/*
 * multipart/form-data (RFC 7578 over RFC 2046): the admin's forms with
 * attachments.  The caller collects the whole body in one buffer; parts
 * point into it.
 */

#ifndef _NGX_HTTP_GONGKAI_MULTIPART_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_MULTIPART_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


#define NGX_HTTP_GONGKAI_MULTIPART_MAX_PARTS    64
#define NGX_HTTP_GONGKAI_MULTIPART_MAX_HEADERS  8192   /* bytes per part */


typedef struct {
    ngx_str_t    name;            /* never empty */
    ngx_str_t    filename;        /* decoded; may be empty */
    ngx_uint_t   has_filename;    /* filename= or filename*= was given */
    ngx_str_t    content_type;    /* as sent, trimmed; empty if none */
    ngx_str_t    data;            /* points into the body */
} ngx_http_gongkai_part_t;


/*
 * The boundary from a Content-Type header value such as
 * 'multipart/form-data; boundary="a b"' (type and parameter names in any
 * case, the value a token or a quoted string).  RFC 2046: 1 to 70
 * characters from DIGIT ALPHA ' ( ) + _ , - . / : = ? and space, not
 * ending with a space.  *boundary points into content_type.
 * NGX_DECLINED when the type is not multipart/form-data, the boundary is
 * missing, given twice or not valid (a quoted value with a "\" escape
 * included: no boundary character needs one).
 */
ngx_int_t ngx_http_gongkai_multipart_boundary(ngx_str_t *content_type,
    ngx_str_t *boundary);

/*
 * Parse a whole multipart/form-data body, appending one
 * ngx_http_gongkai_part_t per part to parts (an array the caller
 * created).  Lines end with CR LF; bare LF is not accepted (see the .c
 * file).  The preamble and the epilogue are ignored.  Names and
 * filenames are decoded into pool memory when they need it (quoted-pair
 * escapes, RFC 5987 filename*=UTF-8''..., which wins over filename=);
 * everything else points into data.
 *
 * NGX_DECLINED (malformed, parts left as they were) on: no final
 * boundary, a header block over 8 KB, more than 64 parts, a part without
 * a Content-Disposition: form-data with a non-empty name, a malformed
 * header line or parameter, a header given twice.  NGX_ERROR on
 * allocation failure.
 */
ngx_int_t ngx_http_gongkai_multipart_parse(ngx_pool_t *pool,
    ngx_str_t *boundary, u_char *data, size_t len, ngx_array_t *parts);


#endif /* _NGX_HTTP_GONGKAI_MULTIPART_H_INCLUDED_ */
