/*
 * Identity numbers checked by their check characters: GB 11643-1999
 * (resident identity number) and GB 32100-2015 (unified social credit
 * code).  See ngx_http_gongkai_check.h.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_gongkai_check.h"


static ngx_uint_t ngx_http_gongkai_check_date(u_char *p);


size_t
ngx_http_gongkai_check_normal(u_char *p, size_t len, u_char *out)
{
    u_char  *end, *o, c;

    end = p + len;
    o = out;

    while (p < end) {
        c = *p;

        if (c < 0x80) {
            p++;

            if (c == ' ' || c == '\t' || c == '\r' || c == '\n'
                || c == '\f' || c == '\v' || c == '-')
            {
                continue;
            }

            c = ngx_toupper(c);

        } else if (end - p >= 3 && p[0] == 0xe3 && p[1] == 0x80
                   && p[2] == 0x80)
        {
            /* U+3000 ideographic space */
            p += 3;
            continue;

        } else if (end - p >= 3 && p[0] == 0xef && p[1] == 0xbc
                   && p[2] >= 0x90 && p[2] <= 0x99)
        {
            /* U+FF10..U+FF19 full-width digits */
            c = '0' + (p[2] - 0x90);
            p += 3;

        } else if (end - p >= 3 && p[0] == 0xef
                   && ((p[1] == 0xbc && p[2] == 0xb8)
                       || (p[1] == 0xbd && p[2] == 0x98)))
        {
            /* U+FF38, U+FF58 full-width X and x */
            c = 'X';
            p += 3;

        } else {
            return 0;
        }

        if (o - out == NGX_HTTP_GONGKAI_CHECK_MAX) {
            return 0;
        }

        *o++ = c;
    }

    return o - out;
}


ngx_uint_t
ngx_http_gongkai_resident_id_valid(u_char *p, size_t len)
{
    u_char      id[NGX_HTTP_GONGKAI_CHECK_MAX];
    ngx_uint_t  i, sum;

    static ngx_uint_t  weights[] = {
        7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
    };
    static u_char      check[] = "10X98765432";

    if (ngx_http_gongkai_check_normal(p, len, id) != 18) {
        return 0;
    }

    sum = 0;

    for (i = 0; i < 17; i++) {
        if (id[i] < '0' || id[i] > '9') {
            return 0;
        }

        sum += (id[i] - '0') * weights[i];
    }

    if (!ngx_http_gongkai_check_date(&id[6])) {
        return 0;
    }

    return check[sum % 11] == id[17];
}


/* YYYYMMDD: a real date, from 1900 on */

static ngx_uint_t
ngx_http_gongkai_check_date(u_char *p)
{
    ngx_uint_t  year, month, day, mdays;

    static ngx_uint_t  days[] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10
           + (p[3] - '0');
    month = (p[4] - '0') * 10 + (p[5] - '0');
    day = (p[6] - '0') * 10 + (p[7] - '0');

    if (year < 1900 || month < 1 || month > 12 || day < 1) {
        return 0;
    }

    mdays = days[month - 1];

    if (month == 2
        && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
    {
        mdays = 29;
    }

    return day <= mdays;
}


ngx_uint_t
ngx_http_gongkai_credit_code_valid(u_char *p, size_t len)
{
    u_char      code[NGX_HTTP_GONGKAI_CHECK_MAX], *c;
    ngx_uint_t  i, sum, v;

    static u_char      set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static ngx_uint_t  weights[] = {
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
    };

    if (ngx_http_gongkai_check_normal(p, len, code) != 18) {
        return 0;
    }

    sum = 0;

    for (i = 0; i < 18; i++) {
        c = (u_char *) ngx_strlchr(set, set + sizeof(set) - 1, code[i]);

        if (c == NULL) {
            return 0;
        }

        v = c - set;

        if (i == 17) {
            return v == (31 - sum % 31) % 31;
        }

        sum += v * weights[i];
    }

    return 0;
}
