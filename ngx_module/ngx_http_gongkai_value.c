
/*
 * The value tree and a strict JSON parser (RFC 8259).
 *
 * The parser is a recursive descent over the input with a depth limit.
 * All unescaped string and number bytes are written into one pool block
 * as large as the input (unescaping never makes text longer), so a
 * document costs one allocation for its text plus one per value node.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_http_gongkai_value.h"


#define NGX_HTTP_GONGKAI_JSON_MAX_DEPTH  64


typedef struct {
    u_char                         *pos;
    u_char                         *end;
    u_char                         *out;     /* next free byte of text */
    ngx_pool_t                     *pool;
    ngx_uint_t                      depth;
    const char                     *err;
} ngx_http_gongkai_json_t;


static ngx_http_gongkai_value_t *ngx_http_gongkai_json_value(
    ngx_http_gongkai_json_t *js);
static ngx_int_t ngx_http_gongkai_json_container(ngx_http_gongkai_json_t *js,
    ngx_http_gongkai_value_t *v, u_char close);
static ngx_int_t ngx_http_gongkai_json_string(ngx_http_gongkai_json_t *js,
    ngx_str_t *s);
static ngx_int_t ngx_http_gongkai_json_hex4(ngx_http_gongkai_json_t *js,
    uint32_t *cp);
static ngx_int_t ngx_http_gongkai_json_utf8(ngx_http_gongkai_json_t *js);
static ngx_int_t ngx_http_gongkai_json_number(ngx_http_gongkai_json_t *js,
    ngx_str_t *s);
static ngx_int_t ngx_http_gongkai_json_literal(ngx_http_gongkai_json_t *js,
    const char *word, size_t len);
static void ngx_http_gongkai_json_space(ngx_http_gongkai_json_t *js);
static ngx_uint_t ngx_http_gongkai_number_is_zero(ngx_str_t *s);


ngx_http_gongkai_value_t *
ngx_http_gongkai_json_parse(ngx_pool_t *pool, u_char *p, size_t len,
    const char **err)
{
    ngx_http_gongkai_json_t    js;
    ngx_http_gongkai_value_t  *v;

    js.pos = p;
    js.end = p + len;
    js.pool = pool;
    js.depth = 0;
    js.err = NULL;

    js.out = ngx_pnalloc(pool, len ? len : 1);
    if (js.out == NULL) {
        js.err = "out of memory";
        goto failed;
    }

    ngx_http_gongkai_json_space(&js);

    v = ngx_http_gongkai_json_value(&js);
    if (v == NULL) {
        goto failed;
    }

    ngx_http_gongkai_json_space(&js);

    if (js.pos != js.end) {
        js.err = "trailing characters after the JSON value";
        goto failed;
    }

    return v;

failed:

    if (err != NULL) {
        *err = js.err ? js.err : "malformed JSON";
    }

    return NULL;
}


static void
ngx_http_gongkai_json_space(ngx_http_gongkai_json_t *js)
{
    while (js->pos < js->end) {
        switch (*js->pos) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            js->pos++;
            continue;
        }

        break;
    }
}


static ngx_http_gongkai_value_t *
ngx_http_gongkai_json_value(ngx_http_gongkai_json_t *js)
{
    ngx_int_t                  rc;
    ngx_http_gongkai_value_t  *v;

    if (js->pos == js->end) {
        js->err = "unexpected end of JSON text";
        return NULL;
    }

    v = ngx_pcalloc(js->pool, sizeof(ngx_http_gongkai_value_t));
    if (v == NULL) {
        js->err = "out of memory";
        return NULL;
    }

    switch (*js->pos) {

    case '{':
    case '[':
        if (++js->depth > NGX_HTTP_GONGKAI_JSON_MAX_DEPTH) {
            js->err = "JSON nested too deeply";
            return NULL;
        }

        if (*js->pos == '{') {
            v->type = NGX_HTTP_GONGKAI_OBJECT;
            rc = ngx_http_gongkai_json_container(js, v, '}');

        } else {
            v->type = NGX_HTTP_GONGKAI_ARRAY;
            rc = ngx_http_gongkai_json_container(js, v, ']');
        }

        js->depth--;
        break;

    case '"':
        v->type = NGX_HTTP_GONGKAI_STRING;
        rc = ngx_http_gongkai_json_string(js, &v->str);
        break;

    case 't':
        v->type = NGX_HTTP_GONGKAI_TRUE;
        rc = ngx_http_gongkai_json_literal(js, "true", 4);
        break;

    case 'f':
        v->type = NGX_HTTP_GONGKAI_FALSE;
        rc = ngx_http_gongkai_json_literal(js, "false", 5);
        break;

    case 'n':
        v->type = NGX_HTTP_GONGKAI_NULL;
        rc = ngx_http_gongkai_json_literal(js, "null", 4);
        break;

    default:
        v->type = NGX_HTTP_GONGKAI_NUMBER;
        rc = ngx_http_gongkai_json_number(js, &v->str);
        break;
    }

    return rc == NGX_OK ? v : NULL;
}


static ngx_int_t
ngx_http_gongkai_json_container(ngx_http_gongkai_json_t *js,
    ngx_http_gongkai_value_t *v, u_char close)
{
    ngx_str_t                  key;
    ngx_http_gongkai_value_t  *child;

    js->pos++;   /* '{' or '[' */

    ngx_http_gongkai_json_space(js);

    if (js->pos < js->end && *js->pos == close) {
        js->pos++;
        return NGX_OK;
    }

    for ( ;; ) {

        if (close == '}') {
            if (js->pos == js->end || *js->pos != '"') {
                js->err = "expected a member name";
                return NGX_ERROR;
            }

            if (ngx_http_gongkai_json_string(js, &key) != NGX_OK) {
                return NGX_ERROR;
            }

            ngx_http_gongkai_json_space(js);

            if (js->pos == js->end || *js->pos != ':') {
                js->err = "expected \":\" after a member name";
                return NGX_ERROR;
            }

            js->pos++;
            ngx_http_gongkai_json_space(js);
        }

        child = ngx_http_gongkai_json_value(js);
        if (child == NULL) {
            return NGX_ERROR;
        }

        if (close == '}') {
            child->key = key;
        }

        ngx_http_gongkai_value_push(v, child);

        ngx_http_gongkai_json_space(js);

        if (js->pos == js->end) {
            js->err = "unexpected end of JSON text";
            return NGX_ERROR;
        }

        if (*js->pos == ',') {
            js->pos++;
            ngx_http_gongkai_json_space(js);
            continue;
        }

        if (*js->pos == close) {
            js->pos++;
            return NGX_OK;
        }

        js->err = (close == '}') ? "expected \",\" or \"}\""
                                 : "expected \",\" or \"]\"";
        return NGX_ERROR;
    }
}


static ngx_int_t
ngx_http_gongkai_json_string(ngx_http_gongkai_json_t *js, ngx_str_t *s)
{
    u_char    c, *start;
    uint32_t  cp, lo;

    js->pos++;   /* opening quote */

    start = js->out;

    for ( ;; ) {

        if (js->pos == js->end) {
            js->err = "unterminated string";
            return NGX_ERROR;
        }

        c = *js->pos;

        if (c == '"') {
            js->pos++;
            break;
        }

        if (c < 0x20) {
            js->err = "control character in string";
            return NGX_ERROR;
        }

        if (c >= 0x80) {
            if (ngx_http_gongkai_json_utf8(js) != NGX_OK) {
                return NGX_ERROR;
            }

            continue;
        }

        if (c != '\\') {
            *js->out++ = c;
            js->pos++;
            continue;
        }

        if (js->end - js->pos < 2) {
            js->err = "unterminated string";
            return NGX_ERROR;
        }

        c = js->pos[1];
        js->pos += 2;

        switch (c) {
        case '"':
        case '\\':
        case '/':
            *js->out++ = c;
            continue;
        case 'b':
            *js->out++ = '\b';
            continue;
        case 'f':
            *js->out++ = '\f';
            continue;
        case 'n':
            *js->out++ = '\n';
            continue;
        case 'r':
            *js->out++ = '\r';
            continue;
        case 't':
            *js->out++ = '\t';
            continue;
        case 'u':
            break;
        default:
            js->err = "invalid escape in string";
            return NGX_ERROR;
        }

        if (ngx_http_gongkai_json_hex4(js, &cp) != NGX_OK) {
            return NGX_ERROR;
        }

        if (cp == 0) {
            js->err = "\\u0000 in string";
            return NGX_ERROR;
        }

        if (cp >= 0xdc00 && cp <= 0xdfff) {
            js->err = "unpaired surrogate in string";
            return NGX_ERROR;
        }

        if (cp >= 0xd800 && cp <= 0xdbff) {

            if (js->end - js->pos < 2 || js->pos[0] != '\\'
                || js->pos[1] != 'u')
            {
                js->err = "unpaired surrogate in string";
                return NGX_ERROR;
            }

            js->pos += 2;

            if (ngx_http_gongkai_json_hex4(js, &lo) != NGX_OK) {
                return NGX_ERROR;
            }

            if (lo < 0xdc00 || lo > 0xdfff) {
                js->err = "unpaired surrogate in string";
                return NGX_ERROR;
            }

            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }

        /*
         * "\uXXXX" is 6 input bytes for at most 3 output bytes, a pair
         * 12 bytes for 4, so the output never overtakes the input
         */

        if (cp < 0x80) {
            *js->out++ = (u_char) cp;

        } else if (cp < 0x800) {
            *js->out++ = (u_char) (0xc0 | (cp >> 6));
            *js->out++ = (u_char) (0x80 | (cp & 0x3f));

        } else if (cp < 0x10000) {
            *js->out++ = (u_char) (0xe0 | (cp >> 12));
            *js->out++ = (u_char) (0x80 | ((cp >> 6) & 0x3f));
            *js->out++ = (u_char) (0x80 | (cp & 0x3f));

        } else {
            *js->out++ = (u_char) (0xf0 | (cp >> 18));
            *js->out++ = (u_char) (0x80 | ((cp >> 12) & 0x3f));
            *js->out++ = (u_char) (0x80 | ((cp >> 6) & 0x3f));
            *js->out++ = (u_char) (0x80 | (cp & 0x3f));
        }
    }

    s->data = start;
    s->len = js->out - start;

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_json_hex4(ngx_http_gongkai_json_t *js, uint32_t *cp)
{
    u_char      c;
    uint32_t    n;
    ngx_uint_t  i;

    if (js->end - js->pos < 4) {
        js->err = "truncated \\u escape";
        return NGX_ERROR;
    }

    n = 0;

    for (i = 0; i < 4; i++) {
        c = js->pos[i];

        if (c >= '0' && c <= '9') {
            n = n * 16 + (c - '0');

        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            n = n * 16 + ((c | 0x20) - 'a' + 10);

        } else {
            js->err = "invalid \\u escape";
            return NGX_ERROR;
        }
    }

    js->pos += 4;
    *cp = n;

    return NGX_OK;
}


/*
 * Copy one UTF-8 encoded character, refusing overlong forms, surrogates,
 * code points above U+10FFFF and truncated sequences (RFC 3629).
 */

static ngx_int_t
ngx_http_gongkai_json_utf8(ngx_http_gongkai_json_t *js)
{
    u_char      c, *p;
    uint32_t    cp, min;
    ngx_uint_t  i, n;

    p = js->pos;
    c = *p;

    if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        cp = c & 0x1f;
        min = 0x80;

    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        cp = c & 0x0f;
        min = 0x800;

    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        cp = c & 0x07;
        min = 0x10000;

    } else {
        goto invalid;
    }

    if ((size_t) (js->end - p) < n + 1) {
        goto invalid;
    }

    for (i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            goto invalid;
        }

        cp = (cp << 6) | (p[i] & 0x3f);
    }

    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        goto invalid;
    }

    js->out = ngx_cpymem(js->out, p, n + 1);
    js->pos += n + 1;

    return NGX_OK;

invalid:

    js->err = "invalid UTF-8 in string";
    return NGX_ERROR;
}


static ngx_int_t
ngx_http_gongkai_json_number(ngx_http_gongkai_json_t *js, ngx_str_t *s)
{
    u_char  *p, *start;

    p = js->pos;
    start = p;

    if (p < js->end && *p == '-') {
        p++;
    }

    if (p == js->end || *p < '0' || *p > '9') {
        js->err = "unexpected character";
        return NGX_ERROR;
    }

    if (*p == '0') {
        p++;

    } else {
        while (p < js->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    if (p < js->end && *p == '.') {
        p++;

        if (p == js->end || *p < '0' || *p > '9') {
            js->err = "digits expected after decimal point";
            return NGX_ERROR;
        }

        while (p < js->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    if (p < js->end && (*p == 'e' || *p == 'E')) {
        p++;

        if (p < js->end && (*p == '+' || *p == '-')) {
            p++;
        }

        if (p == js->end || *p < '0' || *p > '9') {
            js->err = "digits expected in exponent";
            return NGX_ERROR;
        }

        while (p < js->end && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    s->data = js->out;
    s->len = p - start;
    js->out = ngx_cpymem(js->out, start, s->len);
    js->pos = p;

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_json_literal(ngx_http_gongkai_json_t *js, const char *word,
    size_t len)
{
    if ((size_t) (js->end - js->pos) < len
        || ngx_strncmp(js->pos, word, len) != 0)
    {
        js->err = "unexpected character";
        return NGX_ERROR;
    }

    js->pos += len;

    return NGX_OK;
}


ngx_http_gongkai_value_t *
ngx_http_gongkai_value_new(ngx_pool_t *pool,
    ngx_http_gongkai_value_type_e type)
{
    ngx_http_gongkai_value_t  *v;

    v = ngx_pcalloc(pool, sizeof(ngx_http_gongkai_value_t));
    if (v == NULL) {
        return NULL;
    }

    v->type = type;

    return v;
}


ngx_http_gongkai_value_t *
ngx_http_gongkai_value_string(ngx_pool_t *pool, u_char *data, size_t len)
{
    ngx_http_gongkai_value_t  *v;

    v = ngx_http_gongkai_value_new(pool, NGX_HTTP_GONGKAI_STRING);
    if (v == NULL) {
        return NULL;
    }

    if (len) {
        v->str.data = ngx_pnalloc(pool, len);
        if (v->str.data == NULL) {
            return NULL;
        }

        ngx_memcpy(v->str.data, data, len);
        v->str.len = len;
    }

    return v;
}


ngx_http_gongkai_value_t *
ngx_http_gongkai_value_int(ngx_pool_t *pool, ngx_int_t n)
{
    u_char                    *p, *last;
    ngx_uint_t                 u;
    ngx_http_gongkai_value_t  *v;
    u_char                     digits[NGX_INT64_LEN + 1];

    v = ngx_http_gongkai_value_new(pool, NGX_HTTP_GONGKAI_NUMBER);
    if (v == NULL) {
        return NULL;
    }

    last = digits + sizeof(digits);
    p = last;

    /* negate in unsigned arithmetic so that the minimum value works too */
    u = (n < 0) ? (ngx_uint_t) 0 - (ngx_uint_t) n : (ngx_uint_t) n;

    do {
        *--p = (u_char) ('0' + u % 10);
        u /= 10;
    } while (u);

    if (n < 0) {
        *--p = '-';
    }

    v->str.len = last - p;
    v->str.data = ngx_pnalloc(pool, v->str.len);
    if (v->str.data == NULL) {
        return NULL;
    }

    ngx_memcpy(v->str.data, p, v->str.len);

    return v;
}


void
ngx_http_gongkai_value_push(ngx_http_gongkai_value_t *arr,
    ngx_http_gongkai_value_t *v)
{
    v->next = NULL;

    if (arr->last != NULL) {
        arr->last->next = v;

    } else {
        arr->first = v;
    }

    arr->last = v;
    arr->n++;
}


/*
 * key must outlive the tree (it is normally a string literal)
 */

void
ngx_http_gongkai_value_set(ngx_http_gongkai_value_t *obj, const char *key,
    ngx_http_gongkai_value_t *v)
{
    size_t                     len;
    ngx_http_gongkai_value_t  *m, *prev;

    len = ngx_strlen(key);

    v->key.data = (u_char *) key;
    v->key.len = len;

    prev = NULL;

    for (m = obj->first; m != NULL; m = m->next) {

        if (m->key.len == len && ngx_memcmp(m->key.data, key, len) == 0) {
            v->next = m->next;

            if (prev != NULL) {
                prev->next = v;

            } else {
                obj->first = v;
            }

            if (obj->last == m) {
                obj->last = v;
            }

            return;
        }

        prev = m;
    }

    ngx_http_gongkai_value_push(obj, v);
}


/*
 * Members are searched in order; with duplicate names in a parsed
 * document the first one wins.
 */

ngx_http_gongkai_value_t *
ngx_http_gongkai_value_get(ngx_http_gongkai_value_t *obj, u_char *key,
    size_t len)
{
    ngx_http_gongkai_value_t  *m;

    if (obj == NULL || obj->type != NGX_HTTP_GONGKAI_OBJECT) {
        return NULL;
    }

    if (len == 0) {
        for (m = obj->first; m != NULL; m = m->next) {
            if (m->key.len == 0) {
                return m;
            }
        }

        return NULL;
    }

    /* this is on every template lookup: the first byte before memcmp() */

    for (m = obj->first; m != NULL; m = m->next) {
        if (m->key.len == len && m->key.data[0] == key[0]
            && ngx_memcmp(m->key.data, key, len) == 0)
        {
            return m;
        }
    }

    return NULL;
}


ngx_uint_t
ngx_http_gongkai_value_truthy(ngx_http_gongkai_value_t *v)
{
    if (v == NULL) {
        return 0;
    }

    switch (v->type) {

    case NGX_HTTP_GONGKAI_TRUE:
        return 1;

    case NGX_HTTP_GONGKAI_STRING:
        return v->str.len != 0;

    case NGX_HTTP_GONGKAI_NUMBER:
        return !ngx_http_gongkai_number_is_zero(&v->str);

    case NGX_HTTP_GONGKAI_ARRAY:
    case NGX_HTTP_GONGKAI_OBJECT:
        return v->n != 0;

    default: /* NGX_HTTP_GONGKAI_NULL, NGX_HTTP_GONGKAI_FALSE */
        return 0;
    }
}


/* "0", "-0", "0.00", "0e7": every digit of the mantissa is zero */

static ngx_uint_t
ngx_http_gongkai_number_is_zero(ngx_str_t *s)
{
    u_char  *p, *end;

    end = s->data + s->len;

    for (p = s->data; p < end; p++) {

        if (*p == 'e' || *p == 'E') {
            break;
        }

        if (*p >= '1' && *p <= '9') {
            return 0;
        }
    }

    return 1;
}


/*
 * JSON text of a tree (RFC 8259): the values the module sends to
 * PostgreSQL as jsonb parameters.  Strings are valid UTF-8 already;
 * quotes, backslashes and control characters are escaped.
 */

static size_t ngx_http_gongkai_json_write(u_char *d,
    ngx_http_gongkai_value_t *v);
static size_t ngx_http_gongkai_json_quote(u_char *d, ngx_str_t *s);

static ngx_http_gongkai_value_t  ngx_http_gongkai_null_value;


ngx_int_t
ngx_http_gongkai_json_encode(ngx_pool_t *pool, ngx_http_gongkai_value_t *v,
    ngx_str_t *out)
{
    size_t   len;
    u_char  *d;

    len = ngx_http_gongkai_json_write(NULL, v);

    d = ngx_pnalloc(pool, len);
    if (d == NULL) {
        return NGX_ERROR;
    }

    out->data = d;
    out->len = ngx_http_gongkai_json_write(d, v);

    return NGX_OK;
}


/* with d NULL, only count */

static size_t
ngx_http_gongkai_json_write(u_char *d, ngx_http_gongkai_value_t *v)
{
    size_t                     n;
    ngx_http_gongkai_value_t  *c;

    if (v == NULL) {
        v = &ngx_http_gongkai_null_value;
    }

    switch (v->type) {

    case NGX_HTTP_GONGKAI_FALSE:
        if (d) {
            ngx_memcpy(d, "false", 5);
        }
        return 5;

    case NGX_HTTP_GONGKAI_TRUE:
        if (d) {
            ngx_memcpy(d, "true", 4);
        }
        return 4;

    case NGX_HTTP_GONGKAI_NUMBER:
        if (d) {
            ngx_memcpy(d, v->str.data, v->str.len);
        }
        return v->str.len;

    case NGX_HTTP_GONGKAI_STRING:
        return ngx_http_gongkai_json_quote(d, &v->str);

    case NGX_HTTP_GONGKAI_ARRAY:
    case NGX_HTTP_GONGKAI_OBJECT:
        n = 0;

        if (d) {
            d[n] = (v->type == NGX_HTTP_GONGKAI_ARRAY) ? '[' : '{';
        }
        n++;

        for (c = v->first; c != NULL; c = c->next) {
            if (c != v->first) {
                if (d) {
                    d[n] = ',';
                }
                n++;
            }

            if (v->type == NGX_HTTP_GONGKAI_OBJECT) {
                n += ngx_http_gongkai_json_quote(d ? d + n : NULL, &c->key);

                if (d) {
                    d[n] = ':';
                }
                n++;
            }

            n += ngx_http_gongkai_json_write(d ? d + n : NULL, c);
        }

        if (d) {
            d[n] = (v->type == NGX_HTTP_GONGKAI_ARRAY) ? ']' : '}';
        }
        n++;

        return n;

    default: /* NGX_HTTP_GONGKAI_NULL */
        if (d) {
            ngx_memcpy(d, "null", 4);
        }
        return 4;
    }
}


static size_t
ngx_http_gongkai_json_quote(u_char *d, ngx_str_t *s)
{
    u_char   c;
    size_t   i, n;

    static u_char  hex[] = "0123456789abcdef";

    n = 0;

    if (d) {
        d[n] = '"';
    }
    n++;

    for (i = 0; i < s->len; i++) {
        c = s->data[i];

        if (c == '"' || c == '\\') {
            if (d) {
                d[n] = '\\';
                d[n + 1] = c;
            }
            n += 2;

        } else if (c < 0x20 || c == 0x7f) {
            if (d) {
                ngx_memcpy(d + n, "\\u00", 4);
                d[n + 4] = hex[c >> 4];
                d[n + 5] = hex[c & 0xf];
            }
            n += 6;

        } else {
            if (d) {
                d[n] = c;
            }
            n++;
        }
    }

    if (d) {
        d[n] = '"';
    }
    n++;

    return n;
}
