
/*
 * Screening before review (ngx_http_gongkai_screen.h).
 *
 * Each rule is one PCRE2 pattern, compiled once at configuration time,
 * plus for some kinds a check in C that a pattern cannot express (dates,
 * check characters).  The text is first reduced to its characters: tags
 * removed (a block-level tag becomes a line break, an inline one
 * nothing, so "秘<b>密</b>★" is still seen), a few character references
 * decoded.
 *
 * Digit kinds never start or end inside a longer run of digits, so a
 * mobile number is never found inside an ID or card number.  Rules run in
 * the order of the table and a hit that overlaps an earlier one is
 * dropped, so an 18-digit run that is a valid ID number is not also a
 * bank card number, nor a credit code.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH  8
#endif
#include <pcre2.h>

#include "ngx_http_gongkai_screen.h"


typedef ngx_uint_t (*ngx_http_gongkai_screen_check_pt)(u_char *p,
    size_t len);


typedef struct {
    ngx_str_t                          kind;
    const char                        *pattern;
    ngx_http_gongkai_screen_check_pt   check;
    ngx_uint_t                         blocking;
} ngx_http_gongkai_screen_rule_t;


static ngx_uint_t ngx_http_gongkai_screen_id_ok(u_char *p, size_t len);
static ngx_uint_t ngx_http_gongkai_screen_card_ok(u_char *p, size_t len);
static ngx_uint_t ngx_http_gongkai_screen_code_ok(u_char *p, size_t len);


/*
 * Secrecy marks.  What marks a classified document, and only that:
 *
 * - the state-secret mark: "国家秘密的标志为'★'，
 *   '★'前标密级，'★'后标保密期限" (国家秘密文件、
 *   资料和其他物品标志的规定, 1990), which GB/T 9704-2012
 *   (党政机关公文格式) 7.2.2 prints as "秘密★1年",
 *   "机密★10年", "绝密★长期" at the top left of the first
 *   page: a level, the star, optionally the period;
 * - a "密级" label followed by a level ("密级：机密");
 * - a level standing alone on its line (GB/T 9704: the level without a
 *   period), also "工作秘密" and "内部" so placed;
 * - the internal-circulation markings printed on documents:
 *   "内部资料", "内部文件", "内部使用", "内部发行",
 *   "仅供内部…", "注意保密", "请勿外传".
 *
 * Not marks: prose that names the categories.  条例第14条 itself
 * reads "依法确定为国家秘密的政府信息…不予公开",
 * 第15条 "涉及商业秘密、个人隐私…", and items quote
 * them; "工作秘密", "内部控制", "内部事务信息",
 * "保密审查", "涉密信息不上网" are ordinary words of this
 * domain, as is "内部资料性出版物" (a legal term).  None of
 * the patterns matches them: a level inside a sentence needs the star or
 * the label to count.
 */

#define NGX_HTTP_GONGKAI_SCREEN_LEVEL  "(?:绝密|机密|秘密)"


static ngx_http_gongkai_screen_rule_t  ngx_http_gongkai_screen_rules[] = {

    { ngx_string("secrecy_mark"),
      NGX_HTTP_GONGKAI_SCREEN_LEVEL "\\h*[★☆*＊]"
      "(?:\\h*(?:长期|[0-9０-９]{1,3}\\h*(?:年|个月|月)))?",
      NULL, 1 },

    { ngx_string("secrecy_mark"),
      "密级\\h*[:：]?\\h*" NGX_HTTP_GONGKAI_SCREEN_LEVEL,
      NULL, 1 },

    { ngx_string("secrecy_mark"),
      "(?m)^\\h*[【\\[〔（(]?\\h*"
      "(?:绝密|机密|秘密|工作秘密|内部)"
      "\\h*[】\\]〕）)]?\\h*$",
      NULL, 1 },

    { ngx_string("secrecy_mark"),
      "内部资料(?!性)|内部文件|内部使用|内部发行"
      "|仅供内部|注意保密|请勿外传",
      NULL, 1 },

    { ngx_string("email"),
      "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@"
      "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+"
      "[A-Za-z]{2,24}(?![A-Za-z0-9-])",
      NULL, 0 },

    /* 18-digit resident ID: area, date of birth, sequence, check */

    { ngx_string("id_number"),
      "(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
      "(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])",
      ngx_http_gongkai_screen_id_ok, 0 },

    /* unified social credit code, GB 32100-2015: no I, O, Z, S, V */

    { ngx_string("credit_code"),
      "(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}"
      "[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])",
      ngx_http_gongkai_screen_code_ok, 0 },

    /* 1[3-9]x: 11 digits, maybe +86, maybe grouped 3-4-4 */

    { ngx_string("mobile"),
      "(?<![0-9])(?:(?:\\+|00)?86[\\h-]?)?1[3-9][0-9]"
      "(?:[0-9]{8}|([\\h-])[0-9]{4}\\1[0-9]{4})(?![0-9])",
      NULL, 0 },

    /* 13 to 19 digits, maybe in groups of four, passing Luhn */

    { ngx_string("bank_card"),
      "(?<![0-9A-Za-z])(?:[0-9]{13,19}"
      "|[0-9]{4}([\\h-])[0-9]{4}(?:\\1[0-9]{4}){1,3}(?:\\1[0-9]{1,3})?)"
      "(?![0-9A-Za-z])",
      ngx_http_gongkai_screen_card_ok, 0 },
};

#define NGX_HTTP_GONGKAI_SCREEN_RULES                                        \
    (sizeof(ngx_http_gongkai_screen_rules)                                   \
     / sizeof(ngx_http_gongkai_screen_rule_t))


struct ngx_http_gongkai_screen_s {
    pcre2_code         *code[NGX_HTTP_GONGKAI_SCREEN_RULES];
    pcre2_match_data   *match;
};


static void ngx_http_gongkai_screen_cleanup(void *data);
static ngx_int_t ngx_http_gongkai_screen_text(ngx_pool_t *pool, u_char *p,
    size_t len, ngx_str_t *out);
static ngx_uint_t ngx_http_gongkai_screen_block(u_char *p, u_char *end);
static size_t ngx_http_gongkai_screen_ref(u_char *p, u_char *end,
    u_char *dst, size_t *len);
static ngx_int_t ngx_http_gongkai_screen_hit(ngx_http_gongkai_screen_rule_t
    *rule, ngx_pool_t *pool, const char *field, ngx_str_t *text, u_char *m,
    u_char *e, ngx_array_t *hits, ngx_uint_t first);
static void ngx_http_gongkai_screen_sort(ngx_http_gongkai_screen_hit_t *h,
    ngx_uint_t n);
static size_t ngx_http_gongkai_screen_json_str(u_char *dst, ngx_str_t *s);


ngx_http_gongkai_screen_t *
ngx_http_gongkai_screen_create(ngx_conf_t *cf)
{
    int                         err;
    u_char                      msg[256];
    ngx_uint_t                  i;
    PCRE2_SIZE                  off;
    ngx_pool_cleanup_t         *cln;
    pcre2_compile_context      *cctx;
    ngx_http_gongkai_screen_t  *s;

    s = ngx_pcalloc(cf->pool, sizeof(ngx_http_gongkai_screen_t));
    if (s == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_gongkai_screen_cleanup;
    cln->data = s;

    cctx = pcre2_compile_context_create(NULL);
    if (cctx == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "gongkai screen: pcre2_compile_context_create() "
                      "failed");
        return NULL;
    }

    /* "^" and "$" also at CR LF, as text from a form has them */
    pcre2_set_newline(cctx, PCRE2_NEWLINE_ANYCRLF);

    for (i = 0; i < NGX_HTTP_GONGKAI_SCREEN_RULES; i++) {
        s->code[i] = pcre2_compile(
                       (PCRE2_SPTR) ngx_http_gongkai_screen_rules[i].pattern,
                       PCRE2_ZERO_TERMINATED, PCRE2_UTF|PCRE2_UCP, &err,
                       &off, cctx);

        if (s->code[i] == NULL) {
            pcre2_get_error_message(err, msg, sizeof(msg));
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "gongkai screen: pattern %ui: %s at offset %uz",
                          i, msg, (size_t) off);
            pcre2_compile_context_free(cctx);
            return NULL;
        }

        /* without JIT support (PCRE2_ERROR_JIT_BADOPTION) it interprets */
        (void) pcre2_jit_compile(s->code[i], PCRE2_JIT_COMPLETE);
    }

    pcre2_compile_context_free(cctx);

    s->match = pcre2_match_data_create(4, NULL);
    if (s->match == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "gongkai screen: pcre2_match_data_create() failed");
        return NULL;
    }

    return s;
}


static void
ngx_http_gongkai_screen_cleanup(void *data)
{
    ngx_http_gongkai_screen_t *s = data;

    ngx_uint_t  i;

    for (i = 0; i < NGX_HTTP_GONGKAI_SCREEN_RULES; i++) {
        if (s->code[i] != NULL) {
            pcre2_code_free(s->code[i]);
            s->code[i] = NULL;
        }
    }

    if (s->match != NULL) {
        pcre2_match_data_free(s->match);
        s->match = NULL;
    }
}


ngx_int_t
ngx_http_gongkai_screen(ngx_http_gongkai_screen_t *s, ngx_pool_t *pool,
    const char *field, u_char *text, size_t len, ngx_array_t *hits)
{
    int                              rc;
    size_t                           off;
    uint32_t                         opts;
    ngx_str_t                        t;
    ngx_uint_t                       i, first;
    PCRE2_SIZE                      *ov;
    ngx_http_gongkai_screen_rule_t  *rule;

    if (ngx_http_gongkai_screen_text(pool, text, len, &t) != NGX_OK) {
        return NGX_ERROR;
    }

    if (t.len == 0) {
        return NGX_OK;
    }

    first = hits->nelts;
    opts = 0;    /* the first match checks the UTF-8, the others need not */

    for (i = 0; i < NGX_HTTP_GONGKAI_SCREEN_RULES; i++) {
        rule = &ngx_http_gongkai_screen_rules[i];
        off = 0;

        while (off < t.len
               && hits->nelts - first < NGX_HTTP_GONGKAI_SCREEN_MAX_HITS)
        {
            rc = pcre2_match(s->code[i], t.data, t.len, off, opts,
                             s->match, NULL);

            if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
            {
                hits->nelts = first;
                return NGX_DECLINED;
            }

            opts = PCRE2_NO_UTF_CHECK;

            if (rc == PCRE2_ERROR_NOMATCH) {
                break;
            }

            if (rc < 0) {
                ngx_log_error(NGX_LOG_ERR, pool->log, 0,
                              "gongkai screen: pcre2_match() failed: %d",
                              rc);
                hits->nelts = first;
                return NGX_ERROR;
            }

            ov = pcre2_get_ovector_pointer(s->match);

            if (ngx_http_gongkai_screen_hit(rule, pool, field, &t,
                                            t.data + ov[0], t.data + ov[1],
                                            hits, first)
                != NGX_OK)
            {
                hits->nelts = first;
                return NGX_ERROR;
            }

            /* no pattern matches the empty string; guard all the same */
            off = (ov[1] > ov[0]) ? ov[1] : ov[0] + 1;

            while (off < t.len && (t.data[off] & 0xc0) == 0x80) {
                off++;
            }
        }
    }

    ngx_http_gongkai_screen_sort((ngx_http_gongkai_screen_hit_t *)
                                 hits->elts + first, hits->nelts - first);

    return NGX_OK;
}


/*
 * One match: checked, compared with the hits this call already found,
 * and appended with its context.
 */

static ngx_int_t
ngx_http_gongkai_screen_hit(ngx_http_gongkai_screen_rule_t *rule,
    ngx_pool_t *pool, const char *field, ngx_str_t *text, u_char *m,
    u_char *e, ngx_array_t *hits, ngx_uint_t first)
{
    u_char                         *p, *end, *f;
    size_t                          n;
    ngx_uint_t                      i, c;
    ngx_http_gongkai_screen_hit_t  *h;

    if (rule->check != NULL && !rule->check(m, e - m)) {
        return NGX_OK;
    }

    h = hits->elts;

    for (i = first; i < hits->nelts; i++) {
        if (m < h[i].match.data + h[i].match.len && h[i].match.data < e) {
            return NGX_OK;
        }
    }

    h = ngx_array_push(hits);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->kind = rule->kind;
    h->blocking = rule->blocking;
    h->match.data = m;
    h->match.len = e - m;

    /* the field name is copied once per call */

    if (hits->nelts - 1 > first) {
        h->field = ((ngx_http_gongkai_screen_hit_t *) hits->elts)[first]
                   .field;

    } else {
        n = ngx_strlen(field);

        f = ngx_pnalloc(pool, n ? n : 1);
        if (f == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(f, field, n);
        h->field.data = f;
        h->field.len = n;
    }

    /* context: whole UTF-8 characters only */

    p = m;

    for (c = 0; c < NGX_HTTP_GONGKAI_SCREEN_CONTEXT && p > text->data; c++) {
        do {
            p--;
        } while (p > text->data && (*p & 0xc0) == 0x80);
    }

    h->before.data = p;
    h->before.len = m - p;

    p = e;
    end = text->data + text->len;

    for (c = 0; c < NGX_HTTP_GONGKAI_SCREEN_CONTEXT && p < end; c++) {
        do {
            p++;
        } while (p < end && (*p & 0xc0) == 0x80);
    }

    h->after.data = e;
    h->after.len = p - e;

    return NGX_OK;
}


/* by position in the text: insertion sort, there are few */

static void
ngx_http_gongkai_screen_sort(ngx_http_gongkai_screen_hit_t *h, ngx_uint_t n)
{
    ngx_uint_t                     i, j;
    ngx_http_gongkai_screen_hit_t  t;

    for (i = 1; i < n; i++) {
        t = h[i];

        for (j = i; j > 0 && h[j - 1].match.data > t.match.data; j--) {
            h[j] = h[j - 1];
        }

        h[j] = t;
    }
}


/*
 * 18 characters: a valid date of birth at 7..14 and the ISO 7064
 * MOD 11-2 check character (GB 11643-1999).
 */

static ngx_uint_t
ngx_http_gongkai_screen_id_ok(u_char *p, size_t len)
{
    ngx_uint_t  i, sum, year, month, day, mdays;

    static ngx_uint_t  weights[] = {
        7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
    };
    static u_char      check[] = "10X98765432";
    static ngx_uint_t  days[] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    if (len != 18) {
        return 0;
    }

    for (i = 0; i < 17; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return 0;
        }
    }

    year = (p[6] - '0') * 1000 + (p[7] - '0') * 100 + (p[8] - '0') * 10
           + (p[9] - '0');
    month = (p[10] - '0') * 10 + (p[11] - '0');
    day = (p[12] - '0') * 10 + (p[13] - '0');

    if (year < 1900 || month < 1 || month > 12 || day < 1) {
        return 0;
    }

    mdays = days[month - 1];

    if (month == 2
        && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
    {
        mdays = 29;
    }

    if (day > mdays) {
        return 0;
    }

    sum = 0;

    for (i = 0; i < 17; i++) {
        sum += (p[i] - '0') * weights[i];
    }

    return check[sum % 11] == ngx_toupper(p[17]);
}


/* the digits, without group separators: 13..19 of them, Luhn, not an ID */

static ngx_uint_t
ngx_http_gongkai_screen_card_ok(u_char *p, size_t len)
{
    u_char      digits[20];
    size_t      i, n;
    ngx_uint_t  sum, d;

    n = 0;

    for (i = 0; i < len; i++) {
        if (p[i] >= '0' && p[i] <= '9') {
            if (n == sizeof(digits)) {
                return 0;
            }

            digits[n++] = p[i];
        }
    }

    if (n < 13 || n > 19) {
        return 0;
    }

    sum = 0;

    for (i = 0; i < n; i++) {
        d = digits[n - 1 - i] - '0';

        if (i % 2 == 1) {
            d *= 2;

            if (d > 9) {
                d -= 9;
            }
        }

        sum += d;
    }

    if (sum % 10 != 0) {
        return 0;
    }

    return !(n == 18 && ngx_http_gongkai_screen_id_ok(digits, n));
}


/*
 * GB 32100-2015: the 18th character is the check character over the
 * first 17, weights 3^i mod 31 in the 31-character set.
 */

static ngx_uint_t
ngx_http_gongkai_screen_code_ok(u_char *p, size_t len)
{
    u_char      *c;
    ngx_uint_t   i, sum, v;

    static u_char      set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static ngx_uint_t  weights[] = {
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
    };

    if (len != 18) {
        return 0;
    }

    sum = 0;

    for (i = 0; i < 18; i++) {
        c = (u_char *) ngx_strchr(set, p[i]);

        if (p[i] == '\0' || c == NULL) {
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


/*
 * The characters of the text: tags out, a few references decoded.  The
 * copy is never longer than the input.
 */

static ngx_int_t
ngx_http_gongkai_screen_text(ngx_pool_t *pool, u_char *p, size_t len,
    ngx_str_t *out)
{
    u_char      *d, *end, *q;
    size_t       n, used;
    ngx_uint_t   tags;

    out->len = 0;
    out->data = (u_char *) "";

    if (len == 0) {
        return NGX_OK;
    }

    d = ngx_pnalloc(pool, len);
    if (d == NULL) {
        return NGX_ERROR;
    }

    out->data = d;
    end = p + len;

    /* once a "<" has no ">" after it, no later one has: plain text */
    tags = 1;

    while (p < end) {

        if (tags && *p == '<' && end - p > 1
            && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')
                || p[1] == '/' || p[1] == '!' || p[1] == '?'))
        {
            if (end - p >= 4 && ngx_strncmp(p, "<!--", 4) == 0) {
                for (q = p + 4; q + 3 <= end; q++) {
                    if (ngx_strncmp(q, "-->", 3) == 0) {
                        break;
                    }
                }

                q = (q + 3 <= end) ? q + 2 : end - 1;

            } else {
                q = ngx_strlchr(p, end, '>');
            }

            if (q != NULL) {
                if (ngx_http_gongkai_screen_block(p + 1, q)
                    && d > out->data && d[-1] != '\n')
                {
                    *d++ = '\n';
                }

                p = q + 1;
                continue;
            }

            /* no ">": not a tag, and no tags from here on */
            tags = 0;
        }

        if (*p == '&') {
            n = ngx_http_gongkai_screen_ref(p, end, d, &used);

            if (n) {
                p += n;
                d += used;
                continue;
            }
        }

        *d++ = *p++;
    }

    out->len = d - out->data;

    return NGX_OK;
}


/* is the tag (after its "<") a block-level one: a line break */

static ngx_uint_t
ngx_http_gongkai_screen_block(u_char *p, u_char *end)
{
    u_char      name[12];
    ngx_uint_t  n, i;

    static const char  *blocks[] = {
        "p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "tr",
        "td", "th", "table", "caption", "thead", "tbody", "tfoot", "h1",
        "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section",
        "article", "header", "footer", NULL
    };

    if (p < end && *p == '/') {
        p++;
    }

    for (n = 0; p < end && n < sizeof(name) - 1; p++, n++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9')))
        {
            break;
        }

        name[n] = ngx_tolower(*p);
    }

    name[n] = '\0';

    for (i = 0; blocks[i] != NULL; i++) {
        if (ngx_strcmp(name, blocks[i]) == 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * A character reference at p: its length (0 if none we decode), and the
 * UTF-8 written to dst (*len bytes, never more than the reference).
 */

static size_t
ngx_http_gongkai_screen_ref(u_char *p, u_char *end, u_char *dst,
    size_t *len)
{
    u_char      *q, c;
    uint32_t     cp;
    ngx_uint_t   i, hex;

    static struct {
        const char  *name;
        size_t       len;
        const char  *utf8;
    } named[] = {
        { "&amp;", 5, "&" },
        { "&lt;", 4, "<" },
        { "&gt;", 4, ">" },
        { "&quot;", 6, "\"" },
        { "&apos;", 6, "'" },
        { "&nbsp;", 6, "\xc2\xa0" },
        { NULL, 0, NULL }
    };

    for (i = 0; named[i].name != NULL; i++) {
        if ((size_t) (end - p) >= named[i].len
            && ngx_strncmp(p, named[i].name, named[i].len) == 0)
        {
            *len = ngx_strlen(named[i].utf8);
            ngx_memcpy(dst, named[i].utf8, *len);
            return named[i].len;
        }
    }

    if (end - p < 4 || p[1] != '#') {
        return 0;
    }

    q = p + 2;
    hex = 0;

    if (*q == 'x' || *q == 'X') {
        hex = 1;
        q++;
    }

    cp = 0;

    for (i = 0; q < end && i < 8; q++, i++) {
        c = *q;

        if (c >= '0' && c <= '9') {
            cp = cp * (hex ? 16 : 10) + (c - '0');

        } else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            cp = cp * 16 + ((c | 0x20) - 'a' + 10);

        } else {
            break;
        }
    }

    if (i == 0 || q == end || *q != ';') {
        return 0;
    }

    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }

    q++;

    /* "&#N;" is at least 4 bytes: room for any UTF-8 sequence */

    if (cp < 0x80) {
        dst[0] = (u_char) cp;
        *len = 1;

    } else if (cp < 0x800) {
        dst[0] = (u_char) (0xc0 | (cp >> 6));
        dst[1] = (u_char) (0x80 | (cp & 0x3f));
        *len = 2;

    } else if (cp < 0x10000) {
        dst[0] = (u_char) (0xe0 | (cp >> 12));
        dst[1] = (u_char) (0x80 | ((cp >> 6) & 0x3f));
        dst[2] = (u_char) (0x80 | (cp & 0x3f));
        *len = 3;

    } else {
        dst[0] = (u_char) (0xf0 | (cp >> 18));
        dst[1] = (u_char) (0x80 | ((cp >> 12) & 0x3f));
        dst[2] = (u_char) (0x80 | ((cp >> 6) & 0x3f));
        dst[3] = (u_char) (0x80 | (cp & 0x3f));
        *len = 4;
    }

    return q - p;
}


ngx_int_t
ngx_http_gongkai_screen_json(ngx_pool_t *pool, ngx_array_t *hits,
    ngx_str_t *json)
{
    u_char                         *p;
    size_t                          size;
    ngx_uint_t                      i;
    ngx_http_gongkai_screen_hit_t  *h;

    h = hits->elts;
    size = sizeof("[]") - 1;

    for (i = 0; i < hits->nelts; i++) {
        size += sizeof(",{\"kind\":,\"field\":,\"match\":,\"before\":,"
                       "\"after\":,\"blocking\":false}") - 1
                + ngx_http_gongkai_screen_json_str(NULL, &h[i].kind)
                + ngx_http_gongkai_screen_json_str(NULL, &h[i].field)
                + ngx_http_gongkai_screen_json_str(NULL, &h[i].match)
                + ngx_http_gongkai_screen_json_str(NULL, &h[i].before)
                + ngx_http_gongkai_screen_json_str(NULL, &h[i].after);
    }

    p = ngx_pnalloc(pool, size);
    if (p == NULL) {
        return NGX_ERROR;
    }

    json->data = p;

    *p++ = '[';

    for (i = 0; i < hits->nelts; i++) {
        if (i) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, "{\"kind\":", sizeof("{\"kind\":") - 1);
        p += ngx_http_gongkai_screen_json_str(p, &h[i].kind);
        p = ngx_cpymem(p, ",\"field\":", sizeof(",\"field\":") - 1);
        p += ngx_http_gongkai_screen_json_str(p, &h[i].field);
        p = ngx_cpymem(p, ",\"match\":", sizeof(",\"match\":") - 1);
        p += ngx_http_gongkai_screen_json_str(p, &h[i].match);
        p = ngx_cpymem(p, ",\"before\":", sizeof(",\"before\":") - 1);
        p += ngx_http_gongkai_screen_json_str(p, &h[i].before);
        p = ngx_cpymem(p, ",\"after\":", sizeof(",\"after\":") - 1);
        p += ngx_http_gongkai_screen_json_str(p, &h[i].after);

        if (h[i].blocking) {
            p = ngx_cpymem(p, ",\"blocking\":true}",
                           sizeof(",\"blocking\":true}") - 1);

        } else {
            p = ngx_cpymem(p, ",\"blocking\":false}",
                           sizeof(",\"blocking\":false}") - 1);
        }
    }

    *p++ = ']';

    json->len = p - json->data;

    return NGX_OK;
}


/*
 * A JSON string with its quotes; with dst NULL only its length.  Besides
 * what JSON requires, "<", ">", "&", U+2028 and U+2029 are escaped so
 * that the text is also safe inside HTML and JavaScript.
 */

static size_t
ngx_http_gongkai_screen_json_str(u_char *dst, ngx_str_t *s)
{
    u_char   c, *p, *end, *d;
    size_t   n;

    static u_char  hex[] = "0123456789abcdef";

    n = 2;
    d = dst;

    if (d != NULL) {
        *d++ = '"';
    }

    end = s->data + s->len;

    for (p = s->data; p < end; p++) {
        c = *p;

        if (c == '"' || c == '\\') {
            n += 2;

            if (d != NULL) {
                *d++ = '\\';
                *d++ = c;
            }

            continue;
        }

        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            n += 6;

            if (d != NULL) {
                d = ngx_cpymem(d, "\\u00", 4);
                *d++ = hex[c >> 4];
                *d++ = hex[c & 0xf];
            }

            continue;
        }

        if (c == 0xe2 && end - p >= 3 && p[1] == 0x80
            && (p[2] == 0xa8 || p[2] == 0xa9))
        {
            n += 6;

            if (d != NULL) {
                d = ngx_cpymem(d, (p[2] == 0xa8) ? "\\u2028" : "\\u2029",
                               6);
            }

            p += 2;
            continue;
        }

        n++;

        if (d != NULL) {
            *d++ = c;
        }
    }

    if (d != NULL) {
        *d++ = '"';
    }

    return n;
}
