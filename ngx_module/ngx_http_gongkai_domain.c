
/*
 * The domain rules of government sites (ngx_http_gongkai_domain.h).
 *
 * The same rules as the database's (sql/migrations/0060, 0061), in the
 * same order, with the same words where a sentence names the rule:
 *
 *   1. the repertoire: letters, digits, the hyphen and (in a .政务 name)
 *      the CJK ideographs of the basic block and extension A;
 *   2. no empty label;
 *   3. the suffix: .gov.cn or .政务, with at least one label before it;
 *   4. a .gov.cn name has letters, digits and hyphens only;
 *   5. each label: no hyphen at either end, not "??--" (reserved for
 *      the xn-- form), at most 63 characters in its ASCII form;
 *   6. at most 253 characters in all (ASCII form).
 *
 * Each rule that a pattern can say is a PCRE2 pattern, compiled once;
 * the conversions (UTF-8, IDNA mapping, punycode) are C.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH  8
#endif
#include <pcre2.h>

#include "ngx_http_gongkai_domain.h"


/* RFC 3492 section 5 */
#define GK_PUNY_BASE          36
#define GK_PUNY_TMIN          1
#define GK_PUNY_TMAX          26
#define GK_PUNY_SKEW          38
#define GK_PUNY_DAMP          700
#define GK_PUNY_INITIAL_BIAS  72
#define GK_PUNY_INITIAL_N     0x80
#define GK_PUNY_MAXINT        0x7fffffff

/* the most code points a domain of 253 ASCII bytes can have */
#define GK_DOMAIN_CPS         (NGX_HTTP_GONGKAI_DOMAIN_MAX + 1)

/* a label of LDH characters, as in the table's check constraint (0003) */
#define GK_LDH  "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"

/* the CJK ideographs a .政务 label may have (basic block, extension A) */
#define GK_HAN  "\\x{3400}-\\x{4DBF}\\x{4E00}-\\x{9FFF}"

/* the province abbreviations of filing numbers */
#define GK_PROVINCE                                                          \
    "[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫"                    \
    "鄂湘粤桂琼渝川蜀黔贵滇云藏陕甘陇青宁新]"


enum {
    GK_RE_HOST = 0,
    GK_RE_BAD_CHAR,
    GK_RE_EMPTY_LABEL,
    GK_RE_SUFFIX,
    GK_RE_NOT_LDH,
    GK_RE_RESERVED,
    GK_RE_SITE_SHAPE,
    GK_RE_CHINESE,
    GK_RE_CODE,
    GK_RE_ICP,
    GK_RE_PSB,
    GK_RE_N
};


static const char  *ngx_http_gongkai_domain_patterns[GK_RE_N] = {

    /* a lookup key: LDH labels (punycode ones too), .gov.cn or .政务 */
    "^(?:" GK_LDH "\\.)+(?:gov\\.cn|xn--zfr164b)$",

    /* a character outside the repertoire */
    "[^a-z0-9.\\-" GK_HAN "]",

    /* an empty label: two dots, or a dot at either end */
    "(?:^|\\.)(?:\\.|$)",

    /* the suffix, with at least one label before it */
    "^[^.]+(?:\\.[^.]+)*\\.(?:gov\\.cn|政务)$",

    /* a label of a .gov.cn name that is not LDH */
    "[^a-z0-9.-]",

    /* a label whose third and fourth characters are hyphens */
    "^[a-z0-9]{2}--",

    /* www.<place>.gov.cn or <dept>.<place>.gov.cn */
    "^" GK_LDH "\\." GK_LDH "\\.gov\\.cn$",

    /* the ASCII form of a .政务 name */
    "\\.xn--zfr164b$",

    /* 网站标识码 */
    "^(?:(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5])[0-9]{4}"
    "(?!0000)[0-9]{4}|bm[0-9]{8})$",

    /* ICP备案号 */
    "^" GK_PROVINCE "ICP备[0-9]{4,10}号(?:-[0-9]{1,4})?$",

    /* 公安备案号 */
    "^" GK_PROVINCE "公网安备 ?[0-9]{14}号$"
};


struct ngx_http_gongkai_domain_s {
    pcre2_code         *code[GK_RE_N];
    pcre2_match_data   *match;
};


static void ngx_http_gongkai_domain_cleanup(void *data);
static ngx_int_t ngx_http_gongkai_domain_match(ngx_http_gongkai_domain_t *d,
    ngx_uint_t re, u_char *p, size_t len, ngx_str_t *found);
static uint32_t ngx_http_gongkai_domain_map(uint32_t c);
static ngx_uint_t ngx_http_gongkai_domain_blank(uint32_t c);
static ngx_int_t ngx_http_gongkai_domain_decode(u_char *p, size_t len,
    uint32_t *cp, size_t *n);
static u_char *ngx_http_gongkai_domain_utf8(u_char *p, uint32_t c);
static ngx_int_t ngx_http_gongkai_domain_message(ngx_pool_t *pool,
    ngx_str_t *msg, const char *fmt, ngx_str_t *arg);
static ngx_int_t ngx_http_gongkai_domain_to_ascii(ngx_pool_t *pool,
    uint32_t *cp, size_t n, ngx_str_t *ascii);
static ngx_int_t ngx_http_gongkai_domain_to_unicode(ngx_pool_t *pool,
    ngx_str_t *ascii, ngx_str_t *unicode);
static uint32_t ngx_http_gongkai_puny_adapt(uint32_t delta,
    uint32_t numpoints, ngx_uint_t first);
static ngx_int_t ngx_http_gongkai_domain_field(ngx_http_gongkai_domain_t *d,
    ngx_pool_t *pool, ngx_http_gongkai_value_t *form, const char *name,
    ngx_http_gongkai_value_t *checked);


ngx_http_gongkai_domain_t *
ngx_http_gongkai_domain_create(ngx_conf_t *cf)
{
    int                         err;
    u_char                      msg[256];
    ngx_uint_t                  i;
    PCRE2_SIZE                  off;
    ngx_pool_cleanup_t         *cln;
    ngx_http_gongkai_domain_t  *d;

    d = ngx_pcalloc(cf->pool, sizeof(ngx_http_gongkai_domain_t));
    if (d == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_gongkai_domain_cleanup;
    cln->data = d;

    for (i = 0; i < GK_RE_N; i++) {
        d->code[i] = pcre2_compile(
                         (PCRE2_SPTR) ngx_http_gongkai_domain_patterns[i],
                         PCRE2_ZERO_TERMINATED, PCRE2_UTF|PCRE2_UCP, &err,
                         &off, NULL);

        if (d->code[i] == NULL) {
            pcre2_get_error_message(err, msg, sizeof(msg));
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "gongkai domain: pattern %ui: %s at offset %uz",
                          i, msg, (size_t) off);
            return NULL;
        }

        (void) pcre2_jit_compile(d->code[i], PCRE2_JIT_COMPLETE);
    }

    d->match = pcre2_match_data_create(2, NULL);
    if (d->match == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "gongkai domain: pcre2_match_data_create() failed");
        return NULL;
    }

    return d;
}


static void
ngx_http_gongkai_domain_cleanup(void *data)
{
    ngx_http_gongkai_domain_t *d = data;

    ngx_uint_t  i;

    for (i = 0; i < GK_RE_N; i++) {
        if (d->code[i] != NULL) {
            pcre2_code_free(d->code[i]);
            d->code[i] = NULL;
        }
    }

    if (d->match != NULL) {
        pcre2_match_data_free(d->match);
        d->match = NULL;
    }
}


/*
 * NGX_OK when pattern re matches (found, if not NULL, is the match),
 * NGX_DECLINED when it does not, NGX_ERROR when matching failed (the
 * text is not UTF-8, say: callers pass only text they have decoded).
 */

static ngx_int_t
ngx_http_gongkai_domain_match(ngx_http_gongkai_domain_t *d, ngx_uint_t re,
    u_char *p, size_t len, ngx_str_t *found)
{
    int          rc;
    PCRE2_SIZE  *ov;

    rc = pcre2_match(d->code[re], p, len, 0, 0, d->match, NULL);

    if (rc == PCRE2_ERROR_NOMATCH) {
        return NGX_DECLINED;
    }

    if (rc < 0) {
        return NGX_ERROR;
    }

    if (found != NULL) {
        ov = pcre2_get_ovector_pointer(d->match);
        found->data = p + ov[0];
        found->len = ov[1] - ov[0];
    }

    return NGX_OK;
}


/* ------------------------------------------------------------ punycode */


static uint32_t
ngx_http_gongkai_puny_adapt(uint32_t delta, uint32_t numpoints,
    ngx_uint_t first)
{
    uint32_t  k;

    delta = first ? delta / GK_PUNY_DAMP : delta / 2;
    delta += delta / numpoints;

    for (k = 0;
         delta > ((GK_PUNY_BASE - GK_PUNY_TMIN) * GK_PUNY_TMAX) / 2;
         k += GK_PUNY_BASE)
    {
        delta /= GK_PUNY_BASE - GK_PUNY_TMIN;
    }

    return k + (GK_PUNY_BASE - GK_PUNY_TMIN + 1) * delta
               / (delta + GK_PUNY_SKEW);
}


ngx_int_t
ngx_http_gongkai_punycode_encode(uint32_t *cp, size_t n, u_char *out,
    size_t *len)
{
    size_t    i, o, max;
    uint32_t  m, c, q, k, t, d, delta, bias, h, b, nn;

    max = *len;
    o = 0;

    for (i = 0; i < n; i++) {
        if (cp[i] < 0x80) {
            if (o == max) {
                return NGX_DECLINED;
            }

            out[o++] = (u_char) cp[i];
        }
    }

    h = b = (uint32_t) o;

    if (b > 0) {
        if (o == max) {
            return NGX_DECLINED;
        }

        out[o++] = '-';
    }

    nn = GK_PUNY_INITIAL_N;
    delta = 0;
    bias = GK_PUNY_INITIAL_BIAS;

    while (h < n) {

        m = GK_PUNY_MAXINT;

        for (i = 0; i < n; i++) {
            if (cp[i] >= nn && cp[i] < m) {
                m = cp[i];
            }
        }

        if (m - nn > (GK_PUNY_MAXINT - delta) / (h + 1)) {
            return NGX_DECLINED;
        }

        delta += (m - nn) * (h + 1);
        nn = m;

        for (i = 0; i < n; i++) {
            c = cp[i];

            if (c < nn && ++delta > GK_PUNY_MAXINT) {
                return NGX_DECLINED;
            }

            if (c != nn) {
                continue;
            }

            for (q = delta, k = GK_PUNY_BASE; /* void */; k += GK_PUNY_BASE)
            {
                t = (k <= bias) ? GK_PUNY_TMIN
                    : (k >= bias + GK_PUNY_TMAX) ? GK_PUNY_TMAX : k - bias;

                if (q < t) {
                    break;
                }

                d = t + (q - t) % (GK_PUNY_BASE - t);

                if (o == max) {
                    return NGX_DECLINED;
                }

                out[o++] = (u_char) (d < 26 ? 'a' + d : '0' + d - 26);
                q = (q - t) / (GK_PUNY_BASE - t);
            }

            if (o == max) {
                return NGX_DECLINED;
            }

            out[o++] = (u_char) (q < 26 ? 'a' + q : '0' + q - 26);

            bias = ngx_http_gongkai_puny_adapt(delta, h + 1, h == b);
            delta = 0;
            h++;
        }

        delta++;
        nn++;
    }

    *len = o;

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_punycode_decode(u_char *in, size_t len, uint32_t *cp,
    size_t *n)
{
    u_char    c;
    size_t    b, j, o, max, pos;
    uint32_t  nn, i, bias, oldi, w, k, t, digit;

    max = *n;

    /* the basic code points: what precedes the last delimiter */

    b = 0;

    for (j = 0; j < len; j++) {
        if (in[j] >= 0x80) {
            return NGX_DECLINED;
        }

        if (in[j] == '-') {
            b = j;
        }
    }

    if (b > max) {
        return NGX_DECLINED;
    }

    for (o = 0; o < b; o++) {
        cp[o] = in[o];
    }

    pos = (b > 0) ? b + 1 : 0;

    nn = GK_PUNY_INITIAL_N;
    i = 0;
    bias = GK_PUNY_INITIAL_BIAS;

    while (pos < len) {

        oldi = i;
        w = 1;

        for (k = GK_PUNY_BASE; /* void */; k += GK_PUNY_BASE) {

            if (pos >= len) {
                return NGX_DECLINED;
            }

            c = in[pos++];

            if (c >= '0' && c <= '9') {
                digit = c - '0' + 26;

            } else if (c >= 'A' && c <= 'Z') {
                digit = c - 'A';

            } else if (c >= 'a' && c <= 'z') {
                digit = c - 'a';

            } else {
                return NGX_DECLINED;
            }

            if (digit > (GK_PUNY_MAXINT - i) / w) {
                return NGX_DECLINED;
            }

            i += digit * w;

            t = (k <= bias) ? GK_PUNY_TMIN
                : (k >= bias + GK_PUNY_TMAX) ? GK_PUNY_TMAX : k - bias;

            if (digit < t) {
                break;
            }

            if (w > GK_PUNY_MAXINT / (GK_PUNY_BASE - t)) {
                return NGX_DECLINED;
            }

            w *= GK_PUNY_BASE - t;
        }

        bias = ngx_http_gongkai_puny_adapt(i - oldi, (uint32_t) o + 1,
                                           oldi == 0);

        if (i / (o + 1) > GK_PUNY_MAXINT - nn) {
            return NGX_DECLINED;
        }

        nn += i / (o + 1);
        i %= o + 1;

        if (nn > 0x10ffff || (nn >= 0xd800 && nn <= 0xdfff) || o == max) {
            return NGX_DECLINED;
        }

        ngx_memmove(cp + i + 1, cp + i, (o - i) * sizeof(uint32_t));
        cp[i++] = nn;
        o++;
    }

    *n = o;

    return NGX_OK;
}


/* --------------------------------------------------------- the mapping */


/*
 * IDNA's mapping for the characters a Chinese keyboard gives: the
 * ideographic and full-width full stops, full-width ASCII letters,
 * digits and hyphen; upper case to lower case.
 */

static uint32_t
ngx_http_gongkai_domain_map(uint32_t c)
{
    if (c == 0x3002 || c == 0xff0e || c == 0xff61) {
        return '.';
    }

    if (c == 0xff0d) {
        return '-';
    }

    if (c >= 0xff10 && c <= 0xff19) {
        return '0' + c - 0xff10;
    }

    if (c >= 0xff21 && c <= 0xff3a) {
        return 'a' + c - 0xff21;
    }

    if (c >= 0xff41 && c <= 0xff5a) {
        return 'a' + c - 0xff41;
    }

    if (c >= 'A' && c <= 'Z') {
        return c + ('a' - 'A');
    }

    return c;
}


static ngx_uint_t
ngx_http_gongkai_domain_blank(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x3000;
}


/*
 * UTF-8 to code points, mapped; NGX_DECLINED if it is not UTF-8,
 * NGX_ABORT if there are more than *n code points.
 */

static ngx_int_t
ngx_http_gongkai_domain_decode(u_char *p, size_t len, uint32_t *cp,
    size_t *n)
{
    u_char    *end;
    size_t     o;
    uint32_t   c;

    end = p + len;
    o = 0;

    while (p < end) {

        /* nginx's ngx_utf8_decode() is for bytes of 0x80 and above */

        if (*p < 0x80) {
            c = *p++;

        } else {
            c = ngx_utf8_decode(&p, end - p);
        }

        if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0) {
            return NGX_DECLINED;
        }

        if (o == *n) {
            return NGX_ABORT;
        }

        cp[o++] = ngx_http_gongkai_domain_map(c);
    }

    *n = o;

    return NGX_OK;
}


static u_char *
ngx_http_gongkai_domain_utf8(u_char *p, uint32_t c)
{
    if (c < 0x80) {
        *p++ = (u_char) c;

    } else if (c < 0x800) {
        *p++ = (u_char) (0xc0 | (c >> 6));
        *p++ = (u_char) (0x80 | (c & 0x3f));

    } else if (c < 0x10000) {
        *p++ = (u_char) (0xe0 | (c >> 12));
        *p++ = (u_char) (0x80 | ((c >> 6) & 0x3f));
        *p++ = (u_char) (0x80 | (c & 0x3f));

    } else {
        *p++ = (u_char) (0xf0 | (c >> 18));
        *p++ = (u_char) (0x80 | ((c >> 12) & 0x3f));
        *p++ = (u_char) (0x80 | ((c >> 6) & 0x3f));
        *p++ = (u_char) (0x80 | (c & 0x3f));
    }

    return p;
}


/* a message with one "%V" argument, in pool memory */

static ngx_int_t
ngx_http_gongkai_domain_message(ngx_pool_t *pool, ngx_str_t *msg,
    const char *fmt, ngx_str_t *arg)
{
    size_t  len;

    len = ngx_strlen(fmt) + (arg ? arg->len : 0);

    msg->data = ngx_pnalloc(pool, len);
    if (msg->data == NULL) {
        return NGX_ERROR;
    }

    msg->len = ngx_snprintf(msg->data, len, fmt, arg) - msg->data;

    return NGX_DECLINED;
}


/* the ASCII form of mapped code points: "xn--" labels where needed */

static ngx_int_t
ngx_http_gongkai_domain_to_ascii(ngx_pool_t *pool, uint32_t *cp, size_t n,
    ngx_str_t *ascii)
{
    u_char      *p, *last;
    size_t       i, start, len;
    ngx_uint_t   wide;

    /*
     * 4 bytes of "xn--" and at most 4 output bytes per code point;
     * zeroed, as PCRE2's JIT may read past the end of what it matches
     */

    p = ngx_pcalloc(pool, 8 * n + 8);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ascii->data = p;
    last = p + 8 * n + 8;
    start = 0;

    for (i = 0; i <= n; i++) {

        if (i < n && cp[i] != '.') {
            continue;
        }

        wide = 0;

        for (len = start; len < i; len++) {
            if (cp[len] >= 0x80) {
                wide = 1;
            }
        }

        if (wide) {
            p = ngx_cpymem(p, "xn--", 4);
            len = last - p;

            if (ngx_http_gongkai_punycode_encode(cp + start, i - start, p,
                                                 &len)
                != NGX_OK)
            {
                return NGX_DECLINED;
            }

            p += len;

        } else {
            for (len = start; len < i; len++) {
                *p++ = (u_char) cp[len];
            }
        }

        if (i < n) {
            *p++ = '.';
        }

        start = i + 1;
    }

    ascii->len = p - ascii->data;

    return NGX_OK;
}


/* the Unicode form of an ASCII name; NGX_DECLINED for a bad xn-- label */

static ngx_int_t
ngx_http_gongkai_domain_to_unicode(ngx_pool_t *pool, ngx_str_t *ascii,
    ngx_str_t *unicode)
{
    u_char    *p, *s, *e, *end, re[NGX_HTTP_GONGKAI_LABEL_MAX * 4];
    size_t     i, n, len;
    uint32_t   cp[NGX_HTTP_GONGKAI_LABEL_MAX];

    p = ngx_pcalloc(pool, 4 * ascii->len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    unicode->data = p;
    end = ascii->data + ascii->len;

    for (s = ascii->data; s <= end; s = e + 1) {

        e = ngx_strlchr(s, end, '.');
        if (e == NULL) {
            e = end;
        }

        if (e - s > 4 && ngx_strncasecmp(s, (u_char *) "xn--", 4) == 0) {
            n = NGX_HTTP_GONGKAI_LABEL_MAX;

            if (ngx_http_gongkai_punycode_decode(s + 4, e - s - 4, cp, &n)
                != NGX_OK)
            {
                return NGX_DECLINED;
            }

            /* RFC 5891 5.5: it must encode back to itself, not be ASCII */

            len = sizeof(re);

            if (ngx_http_gongkai_punycode_encode(cp, n, re, &len) != NGX_OK
                || len != (size_t) (e - s - 4)
                || ngx_strncmp(re, s + 4, len) != 0)
            {
                return NGX_DECLINED;
            }

            for (i = 0; i < n && cp[i] < 0x80; i++) { /* void */ }

            if (i == n) {
                return NGX_DECLINED;
            }

            for (i = 0; i < n; i++) {
                p = ngx_http_gongkai_domain_utf8(p, cp[i]);
            }

        } else {
            p = ngx_cpymem(p, s, e - s);
        }

        if (e < end) {
            *p++ = '.';
        }
    }

    unicode->len = p - unicode->data;

    return NGX_OK;
}


/* ----------------------------------------------------------- the rules */


ngx_int_t
ngx_http_gongkai_domain_forms(ngx_http_gongkai_domain_t *d,
    ngx_pool_t *pool, u_char *in, size_t len, ngx_str_t *ascii,
    ngx_str_t *unicode, ngx_str_t *msg)
{
    u_char      *p, *s, *e, *end;
    size_t       n, i, start, alen;
    uint32_t     cp[GK_DOMAIN_CPS];
    ngx_int_t    rc;
    ngx_str_t    found, label, mapped;
    ngx_uint_t   wide, gov;

    ngx_str_null(ascii);
    ngx_str_null(unicode);

    if (len > 4 * GK_DOMAIN_CPS) {
        ngx_str_set(msg, "域名太长：最多253个字符"
                         "（按编码后的长度计算）。");
        return NGX_DECLINED;
    }

    n = GK_DOMAIN_CPS;
    rc = ngx_http_gongkai_domain_decode(in, len, cp, &n);

    if (rc == NGX_ABORT) {
        ngx_str_set(msg, "域名太长：最多253个字符"
                         "（按编码后的长度计算）。");
        return NGX_DECLINED;
    }

    if (rc != NGX_OK) {
        ngx_str_set(msg, "域名含有无效的字符编码。");
        return NGX_DECLINED;
    }

    /* blanks around it, then trailing dots */

    for (start = 0; start < n && ngx_http_gongkai_domain_blank(cp[start]);
         start++)
    {
        /* void */
    }

    while (n > start && ngx_http_gongkai_domain_blank(cp[n - 1])) {
        n--;
    }

    while (n > start && cp[n - 1] == '.') {
        n--;
    }

    if (n == start) {
        ngx_str_set(msg, "请填写域名。");
        return NGX_DECLINED;
    }

    /* the mapped text in UTF-8 */

    p = ngx_pcalloc(pool, 4 * (n - start));
    if (p == NULL) {
        return NGX_ERROR;
    }

    mapped.data = p;
    wide = 0;

    for (i = start; i < n; i++) {
        p = ngx_http_gongkai_domain_utf8(p, cp[i]);
        wide |= (cp[i] >= 0x80);
    }

    mapped.len = p - mapped.data;

    /* an ASCII name may carry Chinese labels as "xn--" */

    if (wide) {
        *unicode = mapped;

    } else {
        rc = ngx_http_gongkai_domain_to_unicode(pool, &mapped, unicode);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_DECLINED) {
            return ngx_http_gongkai_domain_message(pool, msg,
                       "域名“%V”中的 xn-- 标签不是有效的"
                       "国际化域名编码。", &mapped);
        }
    }

    rc = ngx_http_gongkai_domain_match(d, GK_RE_BAD_CHAR, unicode->data,
                                       unicode->len, &found);
    if (rc == NGX_ERROR) {
        ngx_str_set(msg, "域名含有无效的字符编码。");
        return NGX_DECLINED;
    }

    if (rc == NGX_OK) {
        if (!wide
            && (unicode->len != mapped.len
                || ngx_strncmp(unicode->data, mapped.data, mapped.len) != 0))
        {
            return ngx_http_gongkai_domain_message(pool, msg,
                       "域名“%V”中的 xn-- 标签编码了不允许的"
                       "字符：中文域名只能使用汉字、英文字母"
                       "、数字和连字符。", &mapped);
        }

        return ngx_http_gongkai_domain_message(pool, msg,
                   "域名含有不允许的字符“%V”：只能使用英文"
                   "字母、数字、连字符（-）和汉字，各级之间"
                   "用点（.）分隔。", &found);
    }

    if (ngx_http_gongkai_domain_match(d, GK_RE_EMPTY_LABEL, unicode->data,
                                      unicode->len, NULL)
        == NGX_OK)
    {
        ngx_str_set(msg, "域名中有空的一级"
                         "（连续的点，或以点开头）。");
        return NGX_DECLINED;
    }

    if ((unicode->len == 6
         && ngx_strncmp(unicode->data, "gov.cn", 6) == 0)
        || (unicode->len == 6
            && ngx_strncmp(unicode->data, "政务", 6) == 0))
    {
        ngx_str_set(msg, "域名在 .gov.cn 或 .政务 之前至少还要有"
                         "一级名称。");
        return NGX_DECLINED;
    }

    if (ngx_http_gongkai_domain_match(d, GK_RE_SUFFIX, unicode->data,
                                      unicode->len, NULL)
        != NGX_OK)
    {
        return ngx_http_gongkai_domain_message(pool, msg,
                   "政府网站的域名只能以 .gov.cn（英文域名）或"
                   " .政务（中文域名）结尾，“%V”不符合"
                   "。", unicode);
    }

    gov = (unicode->len > 7
           && ngx_strncmp(unicode->data + unicode->len - 7, ".gov.cn", 7)
              == 0);

    /* label by label */

    end = unicode->data + unicode->len;

    for (s = unicode->data; s < end; s = e + 1) {

        e = ngx_strlchr(s, end, '.');
        if (e == NULL) {
            e = end;
        }

        label.data = s;
        label.len = e - s;

        if (gov && ngx_http_gongkai_domain_match(d, GK_RE_NOT_LDH, s,
                                                 label.len, NULL)
                   == NGX_OK)
        {
            return ngx_http_gongkai_domain_message(pool, msg,
                       "英文域名（.gov.cn）只能使用英文字母、数"
                       "字和连字符，“%V”不符合；中文名称请"
                       "使用 .政务 域名。", &label);
        }

        if (s[0] == '-' || e[-1] == '-') {
            return ngx_http_gongkai_domain_message(pool, msg,
                       "域名的一级“%V”不能以连字符开头"
                       "或结尾。",
                       &label);
        }

        if (ngx_http_gongkai_domain_match(d, GK_RE_RESERVED, s, label.len,
                                          NULL)
            == NGX_OK)
        {
            return ngx_http_gongkai_domain_message(pool, msg,
                       "域名的一级“%V”第3、4位不能都是连字符"
                       "（这是国际化域名编码的保留形式）"
                       "。", &label);
        }
    }

    /* the ASCII form, and its lengths */

    n = GK_DOMAIN_CPS;

    if (ngx_http_gongkai_domain_decode(unicode->data, unicode->len, cp, &n)
        != NGX_OK)
    {
        ngx_str_set(msg, "域名含有无效的字符编码。");
        return NGX_DECLINED;
    }

    rc = ngx_http_gongkai_domain_to_ascii(pool, cp, n, ascii);
    if (rc != NGX_OK) {
        if (rc == NGX_DECLINED) {
            ngx_str_set(msg, "域名无法转换为国际化域名编码。");
        }

        return rc;
    }

    end = ascii->data + ascii->len;

    for (s = ascii->data, i = 0; s < end; s = e + 1, i++) {

        e = ngx_strlchr(s, end, '.');
        if (e == NULL) {
            e = end;
        }

        alen = e - s;

        if (alen > NGX_HTTP_GONGKAI_LABEL_MAX) {

            /* the same label in the Unicode form, for the message */

            label.data = unicode->data;
            label.len = 0;

            for (start = 0, p = unicode->data;
                 p <= unicode->data + unicode->len;
                 p++)
            {
                if (p == unicode->data + unicode->len || *p == '.') {
                    if (start++ == i) {
                        label.len = p - label.data;
                        break;
                    }

                    label.data = p + 1;
                }
            }

            return ngx_http_gongkai_domain_message(pool, msg,
                       "域名的一级“%V”太长：每一级最多63个字"
                       "符（中文按编码后的长度计算）。", &label);
        }
    }

    if (ascii->len > NGX_HTTP_GONGKAI_DOMAIN_MAX) {
        ngx_str_set(msg, "域名太长：最多253个字符"
                         "（按编码后的长度计算）。");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_domain_shape(ngx_http_gongkai_domain_t *d,
    ngx_str_t *ascii, ngx_http_gongkai_domain_role_e role, ngx_str_t *msg)
{
    ngx_int_t  cn;

    cn = ngx_http_gongkai_domain_match(d, GK_RE_CHINESE, ascii->data,
                                       ascii->len, NULL);

    if (role == NGX_HTTP_GONGKAI_DOMAIN_CHINESE) {
        if (cn != NGX_OK) {
            ngx_str_set(msg, "中文域名应以 .政务 结尾（如 德宏州"
                             "人民政府.政务）。");
            return NGX_DECLINED;
        }

        return NGX_OK;
    }

    if (cn == NGX_OK) {
        ngx_str_set(msg, ".政务 中文域名请填在“中文域名”一栏"
                         "；网站的主域名和别名应为 .gov.cn 英文"
                         "域名。");
        return NGX_DECLINED;
    }

    if (ngx_http_gongkai_domain_match(d, GK_RE_SITE_SHAPE, ascii->data,
                                      ascii->len, NULL)
        != NGX_OK)
    {
        ngx_str_set(msg, "网站的域名应为 www.<地名>.gov.cn（门户网"
                         "站）或 <部门简称>.<地名>.gov.cn（部门网"
                         "站）的形式。");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_site_code_check(ngx_http_gongkai_domain_t *d,
    ngx_str_t *code, ngx_str_t *msg)
{
    if (ngx_http_gongkai_domain_match(d, GK_RE_CODE, code->data, code->len,
                                      NULL)
        != NGX_OK)
    {
        ngx_str_set(msg, "网站标识码应为10位：6位行政区划代码"
                         "（前两位为省级代码）加4位顺序号（如 "
                         "5331000001，顺序号不能是0000），国务院部"
                         "门为 bm 加8位数字。");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_icp_check(ngx_http_gongkai_domain_t *d, ngx_str_t *v,
    ngx_str_t *msg)
{
    if (ngx_http_gongkai_domain_match(d, GK_RE_ICP, v->data, v->len, NULL)
        != NGX_OK)
    {
        ngx_str_set(msg, "ICP备案号的格式应为“省份简称ICP备+数"
                         "字+号”，如 滇ICP备05001458号 或 滇ICP备05"
                         "001458号-1。");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_psb_check(ngx_http_gongkai_domain_t *d, ngx_str_t *v,
    ngx_str_t *msg)
{
    if (ngx_http_gongkai_domain_match(d, GK_RE_PSB, v->data, v->len, NULL)
        != NGX_OK)
    {
        ngx_str_set(msg, "公安备案号的格式应为“省份简称公网"
                         "安备+14位数字+号”，如 滇公网安备 53310"
                         "202000001号。");
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_gongkai_host_normalise(ngx_http_gongkai_domain_t *d,
    ngx_pool_t *pool, ngx_str_t *host, ngx_str_t *key)
{
    u_char      *p;
    size_t       i, n, len;
    uint32_t     cp[GK_DOMAIN_CPS];
    ngx_str_t    v;
    ngx_uint_t   wide;

    v = *host;

    /* an IP literal is no site's; then the port */

    if (v.len == 0 || v.data[0] == '[') {
        return NGX_DECLINED;
    }

    p = ngx_strlchr(v.data, v.data + v.len, ':');
    if (p != NULL) {
        v.len = p - v.data;
    }

    while (v.len && v.data[v.len - 1] == '.') {
        v.len--;
    }

    if (v.len == 0 || v.len > 4 * NGX_HTTP_GONGKAI_DOMAIN_MAX) {
        return NGX_DECLINED;
    }

    wide = 0;

    for (i = 0; i < v.len; i++) {
        if (v.data[i] >= 0x80) {
            wide = 1;
            break;
        }
    }

    if (wide) {

        /* a Unicode name (browsers send punycode; some clients do not) */

        n = GK_DOMAIN_CPS;

        if (ngx_http_gongkai_domain_decode(v.data, v.len, cp, &n) != NGX_OK
            || ngx_http_gongkai_domain_to_ascii(pool, cp, n, key) != NGX_OK)
        {
            return NGX_DECLINED;
        }

        len = key->len;

        while (len && key->data[len - 1] == '.') {
            len--;
        }

        key->len = len;

    } else {
        if (v.len > NGX_HTTP_GONGKAI_DOMAIN_MAX) {
            return NGX_DECLINED;
        }

        key->data = ngx_pcalloc(pool, v.len + 1);
        if (key->data == NULL) {
            return NGX_ERROR;
        }

        ngx_strlow(key->data, v.data, v.len);
        key->len = v.len;
    }

    if (key->len == 0 || key->len > NGX_HTTP_GONGKAI_DOMAIN_MAX
        || ngx_http_gongkai_domain_match(d, GK_RE_HOST, key->data, key->len,
                                         NULL)
           != NGX_OK)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* ----------------------------------------------------------- the forms */


ngx_int_t
ngx_http_gongkai_domain_form(ngx_http_gongkai_domain_t *d, ngx_pool_t *pool,
    ngx_http_gongkai_value_t *form)
{
    ngx_uint_t                 i;
    ngx_http_gongkai_value_t  *checked;

    static const char  *fields[] = {
        "domain", "chinese_domain", "code", "icp_no", "psb_no"
    };

    checked = ngx_http_gongkai_value_new(pool, NGX_HTTP_GONGKAI_OBJECT);
    if (checked == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (ngx_http_gongkai_domain_field(d, pool, form, fields[i], checked)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    ngx_http_gongkai_value_set(form, "checked", checked);

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_domain_field(ngx_http_gongkai_domain_t *d,
    ngx_pool_t *pool, ngx_http_gongkai_value_t *form, const char *name,
    ngx_http_gongkai_value_t *checked)
{
    size_t                     len;
    ngx_int_t                  rc;
    ngx_str_t                  v, ascii, unicode, msg;
    ngx_http_gongkai_value_t  *f, *m;

    len = ngx_strlen(name);

    f = ngx_http_gongkai_value_get(form, (u_char *) name, len);

    if (f == NULL || f->type != NGX_HTTP_GONGKAI_STRING) {
        return NGX_OK;
    }

    /* blanks around the value do not count (the database trims too) */

    v = f->str;

    while (v.len && (v.data[0] == ' ' || v.data[0] == '\t'
                     || v.data[0] == '\r' || v.data[0] == '\n'))
    {
        v.data++;
        v.len--;
    }

    while (v.len && (v.data[v.len - 1] == ' ' || v.data[v.len - 1] == '\t'
                     || v.data[v.len - 1] == '\r'
                     || v.data[v.len - 1] == '\n'))
    {
        v.len--;
    }

    if (v.len == 0) {
        return NGX_OK;
    }

    if (name[0] == 'd' || (name[0] == 'c' && name[1] == 'h')) {
        rc = ngx_http_gongkai_domain_forms(d, pool, v.data, v.len, &ascii,
                                           &unicode, &msg);

        if (rc == NGX_OK) {
            rc = ngx_http_gongkai_domain_shape(d, &ascii,
                     name[0] == 'd' ? NGX_HTTP_GONGKAI_DOMAIN_PRIMARY
                                    : NGX_HTTP_GONGKAI_DOMAIN_CHINESE,
                     &msg);
        }

    } else if (name[0] == 'c') {

        /* "BM12345678" is bm12345678, as the database stores it */

        ascii.data = ngx_pcalloc(pool, v.len + 1);
        if (ascii.data == NULL) {
            return NGX_ERROR;
        }

        ngx_strlow(ascii.data, v.data, v.len);
        ascii.len = v.len;

        rc = ngx_http_gongkai_site_code_check(d, &ascii, &msg);

    } else if (name[0] == 'i') {
        rc = ngx_http_gongkai_icp_check(d, &v, &msg);

    } else {
        rc = ngx_http_gongkai_psb_check(d, &v, &msg);
    }

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        m = ngx_http_gongkai_value_string(pool, msg.data, msg.len);
        if (m == NULL) {
            return NGX_ERROR;
        }

        ngx_http_gongkai_value_set(checked, name, m);
    }

    return NGX_OK;
}
