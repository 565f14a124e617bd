/*
 * Index numbers (索引号): 单位代码-分类号-YYYY-NNNNN.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_index.h"


/* the seed's long dash "—", U+2014, in UTF-8 */
#define NGX_HTTP_GONGKAI_EMDASH  "\xe2\x80\x94"


static u_char *ngx_http_gongkai_index_sep(u_char *p, u_char *end);


size_t
ngx_http_gongkai_index_parse(u_char *src, size_t len, u_char *dst)
{
    u_char      *p, *end, *part[4], *pend[4], *d;
    size_t       plen, i, k;
    ngx_uint_t   year, nparts;

    if (len == 0 || len > 2 * NGX_HTTP_GONGKAI_INDEX_MAX) {
        return 0;
    }

    p = src;
    end = src + len;
    nparts = 0;

    /* split on "-" or "—" into exactly four non-empty parts */

    part[0] = p;

    while (p < end) {
        if (*p == '-' || (*p == 0xe2 && end - p >= 3
                          && ngx_strncmp(p, NGX_HTTP_GONGKAI_EMDASH, 3) == 0))
        {
            if (nparts == 3) {
                return 0;
            }

            pend[nparts++] = p;
            p = ngx_http_gongkai_index_sep(p, end);
            part[nparts] = p;
            continue;
        }

        p++;
    }

    pend[nparts++] = end;

    if (nparts != 4) {
        return 0;
    }

    for (i = 0; i < 4; i++) {
        plen = pend[i] - part[i];

        if (plen == 0) {
            return 0;
        }

        for (k = 0; k < plen; k++) {
            u_char c = part[i][k];

            if (i >= 2) {
                if (c < '0' || c > '9') {
                    return 0;
                }

            } else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
                         || (c >= 'a' && c <= 'z')))
            {
                return 0;
            }
        }
    }

    if (pend[0] - part[0] > 18 || pend[1] - part[1] > 8
        || pend[2] - part[2] != 4 || pend[3] - part[3] > 10)
    {
        return 0;
    }

    year = ngx_atoi(part[2], 4);
    if (year < 1949 || year > 2999) {
        return 0;
    }

    d = dst;

    for (p = part[0]; p < pend[0]; p++) {
        *d++ = ngx_toupper(*p);
    }

    *d++ = '-';
    d = ngx_cpymem(d, part[1], pend[1] - part[1]);
    *d++ = '-';
    d = ngx_cpymem(d, part[2], 4);
    *d++ = '-';

    /* the serial: strip leading zeros, re-pad to at least 5 digits */

    p = part[3];
    while (p < pend[3] - 1 && *p == '0') {
        p++;
    }

    for (plen = pend[3] - p; plen < 5; plen++) {
        *d++ = '0';
    }

    d = ngx_cpymem(d, p, pend[3] - p);

    return d - dst;
}


static u_char *
ngx_http_gongkai_index_sep(u_char *p, u_char *end)
{
    return (*p == '-') ? p + 1 : p + 3;
}
