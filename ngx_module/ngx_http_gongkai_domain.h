/*
 * The domain rules of government sites (DOMAIN.md §5, NATIONAL.md
 * "Sites"), at the module's door: a request's Host is normalised to the
 * key the registry is looked up by (lower case, no port, no trailing
 * dot, punycode for a .政务 name), and a Host that no registered site
 * can have (anything but .gov.cn and .政务) is refused before the
 * database is asked; the site registration forms of the admin are
 * checked with the same rules as the database's (sql/migrations/0061).
 *
 * The PCRE2 patterns are compiled once, when the configuration is read.
 * Punycode is RFC 3492, exactly.
 */

#ifndef _NGX_HTTP_GONGKAI_DOMAIN_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_DOMAIN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_value.h"


/* the longest domain name in its ASCII form (RFC 1035) */
#define NGX_HTTP_GONGKAI_DOMAIN_MAX  253

/* the longest label in its ASCII form */
#define NGX_HTTP_GONGKAI_LABEL_MAX   63


typedef struct ngx_http_gongkai_domain_s  ngx_http_gongkai_domain_t;


/* which domain of a site a form field is */
typedef enum {
    NGX_HTTP_GONGKAI_DOMAIN_PRIMARY = 0,   /* www.<place>.gov.cn, ... */
    NGX_HTTP_GONGKAI_DOMAIN_CHINESE        /* <名称>.政务 */
} ngx_http_gongkai_domain_role_e;


/*
 * Compile the patterns into cf->pool (a pool cleanup frees them).  NULL
 * on failure (logged).
 */
ngx_http_gongkai_domain_t *ngx_http_gongkai_domain_create(ngx_conf_t *cf);

/*
 * The punycode of n code points (RFC 3492 6.3, without "xn--"), written
 * to out, which has room for *len bytes; *len is set to the length.
 * Basic code points are copied as they are.  NGX_DECLINED when out is
 * too small or the arithmetic would overflow.
 */
ngx_int_t ngx_http_gongkai_punycode_encode(uint32_t *cp, size_t n,
    u_char *out, size_t *len);

/*
 * The code points of a punycode (RFC 3492 6.2), written to cp, which has
 * room for *n of them; *n is set to their number.  Digits are
 * case-insensitive.  NGX_DECLINED for invalid input (a bad digit, an
 * overflow, a value that is not a Unicode scalar value) or too little
 * room.
 */
ngx_int_t ngx_http_gongkai_punycode_decode(u_char *in, size_t len,
    uint32_t *cp, size_t *n);

/*
 * What a person typed as a domain: its ASCII form (punycode labels
 * "xn--...") and its Unicode form, both in pool memory.  Blanks around
 * it, the full-width forms of letters, digits, the hyphen and the full
 * stops (。．｡) and upper case are mapped as IDNA maps them; trailing
 * dots are removed.  Returns NGX_OK; NGX_DECLINED with the first rule
 * broken as a Chinese sentence in *msg; NGX_ERROR on allocation failure.
 */
ngx_int_t ngx_http_gongkai_domain_forms(ngx_http_gongkai_domain_t *d,
    ngx_pool_t *pool, u_char *in, size_t len, ngx_str_t *ascii,
    ngx_str_t *unicode, ngx_str_t *msg);

/*
 * The shape rule of a site's domain in its role (ASCII form, general
 * rules passed): a primary domain is www.<place>.gov.cn (a portal) or
 * <dept>.<place>.gov.cn (a department site); the Chinese one ends in
 * .政务.  (Which portal a department lives under is the database's
 * part.)  NGX_OK, or NGX_DECLINED with *msg.
 */
ngx_int_t ngx_http_gongkai_domain_shape(ngx_http_gongkai_domain_t *d,
    ngx_str_t *ascii, ngx_http_gongkai_domain_role_e role, ngx_str_t *msg);

/*
 * 网站标识码, ICP备案号, 公安备案号: NGX_OK, or NGX_DECLINED with
 * *msg.
 */
ngx_int_t ngx_http_gongkai_site_code_check(ngx_http_gongkai_domain_t *d,
    ngx_str_t *code, ngx_str_t *msg);
ngx_int_t ngx_http_gongkai_icp_check(ngx_http_gongkai_domain_t *d,
    ngx_str_t *v, ngx_str_t *msg);
ngx_int_t ngx_http_gongkai_psb_check(ngx_http_gongkai_domain_t *d,
    ngx_str_t *v, ngx_str_t *msg);

/*
 * A request's Host (or gongkai_host's value) as the registry's lookup
 * key: without a port and trailing dots, in lower case, a Unicode name
 * in its punycode form.  NGX_DECLINED when no registered site can have
 * it: not a .gov.cn or .政务 name, an IP address, too long, malformed.
 */
ngx_int_t ngx_http_gongkai_host_normalise(ngx_http_gongkai_domain_t *d,
    ngx_pool_t *pool, ngx_str_t *host, ngx_str_t *key);

/*
 * The registration forms of the admin (sql/ADMIN.md "Sites"): checks
 * the fields "domain", "chinese_domain", "code", "icp_no" and "psb_no"
 * that are present and not blank, and sets form.checked to an object
 * {field: message} of the ones that break a rule (the database shows
 * them, beside its own verdicts).  NGX_OK, or NGX_ERROR on allocation
 * failure.
 */
ngx_int_t ngx_http_gongkai_domain_form(ngx_http_gongkai_domain_t *d,
    ngx_pool_t *pool, ngx_http_gongkai_value_t *form);


#endif /* _NGX_HTTP_GONGKAI_DOMAIN_H_INCLUDED_ */
