/*
 * Rich-text sanitiser for item bodies: libxml2's HTML parser builds the
 * tree, and only an allow-list of elements and attributes is written back
 * out, with our own escaping.  The result is the only HTML the templates
 * ever insert unescaped (g-html, "*_html" values).
 */

#ifndef _NGX_HTTP_GONGKAI_SANITIZE_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_SANITIZE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * Sanitise an HTML fragment (UTF-8, already checked by the caller).
 *
 * Kept: p br h2..h6 (h1 becomes h2) ul ol li dl dt dd table caption thead
 * tbody tfoot tr th td a strong em b i u s sub sup blockquote pre code hr
 * span div; with the attributes a@href (http:, https: or relative URLs
 * only), a@title, th@scope, th/td@colspan/rowspan (1..1000), ol@start.
 * Links with a scheme or starting with "//" get rel="noopener noreferrer".
 * Dropped with their content: script, style, iframe, embeds, forms,
 * media, head elements and the like; comments and processing
 * instructions.  Any other element is unwrapped (its content kept).
 *
 * *out is well-formed, escaped (& < > " ' in text and attributes) UTF-8
 * in pool memory; empty input gives an empty string.  Returns NGX_OK, or
 * NGX_ERROR on allocation or parser failure (logged to log).
 */
ngx_int_t ngx_http_gongkai_sanitize_html(ngx_pool_t *pool, ngx_log_t *log,
    u_char *in, size_t len, ngx_str_t *out);


#endif /* _NGX_HTTP_GONGKAI_SANITIZE_H_INCLUDED_ */
