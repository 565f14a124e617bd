/*
 * Screening before review: the text of a submitted item (title, body,
 * attachment names) is scanned for secrecy marks, which block the
 * submission, and for personal and organisational data (resident ID
 * numbers, mobile numbers, bank card numbers, email addresses, unified
 * social credit codes), which every reviewer is shown and the secrecy
 * reviewer must acknowledge.  The PCRE2 patterns are compiled once, when
 * the configuration is read.
 */

#ifndef _NGX_HTTP_GONGKAI_SCREEN_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_SCREEN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* context kept either side of a hit, in characters */
#define NGX_HTTP_GONGKAI_SCREEN_CONTEXT   20

/* hits reported per call at most (the first ones; marks come first) */
#define NGX_HTTP_GONGKAI_SCREEN_MAX_HITS  100


typedef struct ngx_http_gongkai_screen_s  ngx_http_gongkai_screen_t;


typedef struct {
    ngx_str_t    kind;       /* "secrecy_mark", "id_number", "mobile",
                                "bank_card", "email", "credit_code" */
    ngx_str_t    field;      /* as passed: "title", "attachment:通知.pdf" */
    ngx_str_t    match;
    ngx_str_t    before;     /* up to 20 characters of context */
    ngx_str_t    after;
    ngx_uint_t   blocking;   /* 1 for secrecy marks */
} ngx_http_gongkai_screen_hit_t;


/*
 * Compile the patterns (PCRE2_UTF|PCRE2_UCP, JIT when available) into
 * cf->pool; a pool cleanup frees them.  NULL on failure (logged).
 */
ngx_http_gongkai_screen_t *ngx_http_gongkai_screen_create(ngx_conf_t *cf);

/*
 * Screen len bytes of UTF-8 text and append one
 * ngx_http_gongkai_screen_hit_t per hit to hits.  The text may be HTML:
 * tags are removed first (block-level ones count as line breaks) and
 * the character references &amp; &lt; &gt; &quot; &#39; &nbsp; &#N; &#xH;
 * decoded; the hit strings point into that copy in pool memory.  field
 * is copied into the hits.
 *
 * Hits that overlap an earlier one are not reported (an ID number is not
 * also a bank card number).
 *
 * Returns NGX_OK; NGX_DECLINED if the text is not valid UTF-8; NGX_ERROR
 * on allocation or matching failure.
 */
ngx_int_t ngx_http_gongkai_screen(ngx_http_gongkai_screen_t *s,
    ngx_pool_t *pool, const char *field, u_char *text, size_t len,
    ngx_array_t *hits);

/*
 * The hits as a JSON array, in pool memory:
 *   [{"kind":"mobile","field":"body","match":"13800138000",
 *     "before":"联系电话：","after":"。","blocking":false}, ...]
 * Strings are escaped for JSON and also for embedding in HTML
 * ("<", ">", "&" as \u003c, \u003e, \u0026).
 */
ngx_int_t ngx_http_gongkai_screen_json(ngx_pool_t *pool, ngx_array_t *hits,
    ngx_str_t *json);


#endif /* _NGX_HTTP_GONGKAI_SCREEN_H_INCLUDED_ */
