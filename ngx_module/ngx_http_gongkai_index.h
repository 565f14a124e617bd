/*
 * Index numbers (索引号): 单位代码-分类号-YYYY-NNNNN (DOMAIN.md §1,
 * seed 003 第四条).  Input may join the parts with "-" or with the long
 * dash "—" (U+2014) the seed prints; the canonical form uses "-".
 */

#ifndef _NGX_HTTP_GONGKAI_INDEX_H_INCLUDED_
#define _NGX_HTTP_GONGKAI_INDEX_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


#define NGX_HTTP_GONGKAI_INDEX_MAX  64


/*
 * Parse src (raw bytes, already percent-decoded) into its canonical form,
 * written to dst (at least NGX_HTTP_GONGKAI_INDEX_MAX bytes).  Parts:
 * unit code 1-18 of [0-9A-Z] (lower case is upper-cased), category 1-8
 * of [0-9A-Za-z], a 4-digit year 1949-2999, a serial of 1-10 digits
 * re-padded to 5.  Returns the canonical length, or 0 if src is not an
 * index number.
 */
size_t ngx_http_gongkai_index_parse(u_char *src, size_t len, u_char *dst);


#endif /* _NGX_HTTP_GONGKAI_INDEX_H_INCLUDED_ */
