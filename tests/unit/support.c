
/*
 * Unit-test support.  Debian's nginx-dev ships the nginx headers but no
 * nginx sources, so the handful of core functions the module calls are
 * written here against the same declarations.  The pool gives every
 * allocation its own malloc() block so that AddressSanitizer catches
 * overruns of pool memory; the formatter implements the nginx
 * conversions the module uses and aborts on any other one, so a test
 * never passes over a format it does not understand.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <dirent.h>
#include "support.h"


#define UNIT_LOG_SIZE  65536


typedef struct unit_block_s  unit_block_t;

struct unit_block_s {
    unit_block_t  *next;
    void          *pad;      /* keeps data 16-byte aligned */
    u_char         data[];
};


ngx_log_t            unit_log;
ngx_uint_t           ngx_pagesize = 4096;
volatile ngx_cycle_t  *ngx_cycle;

static char          unit_log_buf[UNIT_LOG_SIZE];
static size_t        unit_log_len;

/*
 * Pools a test did not destroy are destroyed at exit (before the leak
 * checker runs), so that only memory outside pools counts as leaked.
 */
#define UNIT_POOLS  4096
static ngx_pool_t   *unit_pools[UNIT_POOLS];


static void
unit_pools_destroy(void)
{
    ngx_uint_t  i;

    for (i = 0; i < UNIT_POOLS; i++) {
        if (unit_pools[i] != NULL) {
            ngx_destroy_pool(unit_pools[i]);
        }
    }
}


static void *
unit_block(ngx_pool_t *pool, size_t size)
{
    unit_block_t  *b;

    b = malloc(sizeof(unit_block_t) + (size ? size : 1));
    if (b == NULL) {
        return NULL;
    }

    b->next = (unit_block_t *) pool->large;
    pool->large = (ngx_pool_large_t *) b;

    return b->data;
}


ngx_pool_t *
ngx_create_pool(size_t size, ngx_log_t *log)
{
    ngx_uint_t   i;
    ngx_pool_t  *pool;

    static ngx_uint_t  registered;

    pool = calloc(1, sizeof(ngx_pool_t));
    if (pool == NULL) {
        return NULL;
    }

    pool->log = log;
    pool->max = size;

    if (!registered) {
        atexit(unit_pools_destroy);
        registered = 1;
    }

    for (i = 0; i < UNIT_POOLS; i++) {
        if (unit_pools[i] == NULL) {
            unit_pools[i] = pool;
            break;
        }
    }

    return pool;
}


void
ngx_destroy_pool(ngx_pool_t *pool)
{
    ngx_uint_t           i;
    unit_block_t        *b, *next;
    ngx_pool_cleanup_t  *c;

    for (i = 0; i < UNIT_POOLS; i++) {
        if (unit_pools[i] == pool) {
            unit_pools[i] = NULL;
            break;
        }
    }

    for (c = pool->cleanup; c != NULL; c = c->next) {
        if (c->handler != NULL) {
            c->handler(c->data);
        }
    }

    for (b = (unit_block_t *) pool->large; b != NULL; b = next) {
        next = b->next;
        free(b);
    }

    free(pool);
}


void *
ngx_palloc(ngx_pool_t *pool, size_t size)
{
    return unit_block(pool, size);
}


void *
ngx_pnalloc(ngx_pool_t *pool, size_t size)
{
    return unit_block(pool, size);
}


void *
ngx_pcalloc(ngx_pool_t *pool, size_t size)
{
    void  *p;

    p = unit_block(pool, size);
    if (p != NULL) {
        ngx_memzero(p, size);
    }

    return p;
}


void *
ngx_pmemalign(ngx_pool_t *pool, size_t size, size_t alignment)
{
    return (alignment <= 16) ? unit_block(pool, size) : NULL;
}


ngx_int_t
ngx_pfree(ngx_pool_t *pool, void *p)
{
    return NGX_DECLINED;
}


ngx_pool_cleanup_t *
ngx_pool_cleanup_add(ngx_pool_t *p, size_t size)
{
    ngx_pool_cleanup_t  *c;

    c = ngx_palloc(p, sizeof(ngx_pool_cleanup_t));
    if (c == NULL) {
        return NULL;
    }

    if (size) {
        c->data = ngx_palloc(p, size);
        if (c->data == NULL) {
            return NULL;
        }

    } else {
        c->data = NULL;
    }

    c->handler = NULL;
    c->next = p->cleanup;
    p->cleanup = c;

    return c;
}


void *
ngx_alloc(size_t size, ngx_log_t *log)
{
    return malloc(size);
}


void *
ngx_calloc(size_t size, ngx_log_t *log)
{
    return calloc(1, size);
}


ngx_array_t *
ngx_array_create(ngx_pool_t *p, ngx_uint_t n, size_t size)
{
    ngx_array_t  *a;

    a = ngx_palloc(p, sizeof(ngx_array_t));
    if (a == NULL) {
        return NULL;
    }

    if (ngx_array_init(a, p, n, size) != NGX_OK) {
        return NULL;
    }

    return a;
}


void
ngx_array_destroy(ngx_array_t *a)
{
}


void *
ngx_array_push_n(ngx_array_t *a, ngx_uint_t n)
{
    void        *elts;
    ngx_uint_t   nalloc;

    if (a->nelts + n > a->nalloc) {
        nalloc = 2 * ngx_max(n, a->nalloc);

        elts = ngx_palloc(a->pool, nalloc * a->size);
        if (elts == NULL) {
            return NULL;
        }

        ngx_memcpy(elts, a->elts, a->nelts * a->size);
        a->elts = elts;
        a->nalloc = nalloc;
    }

    elts = (u_char *) a->elts + a->size * a->nelts;
    a->nelts += n;

    return elts;
}


void *
ngx_array_push(ngx_array_t *a)
{
    return ngx_array_push_n(a, 1);
}


ngx_buf_t *
ngx_create_temp_buf(ngx_pool_t *pool, size_t size)
{
    ngx_buf_t  *b;

    b = ngx_calloc_buf(pool);
    if (b == NULL) {
        return NULL;
    }

    b->start = ngx_palloc(pool, size);
    if (b->start == NULL) {
        return NULL;
    }

    b->pos = b->start;
    b->last = b->start;
    b->end = b->start + size;
    b->temporary = 1;

    return b;
}


ngx_chain_t *
ngx_alloc_chain_link(ngx_pool_t *pool)
{
    return ngx_palloc(pool, sizeof(ngx_chain_t));
}


ngx_int_t
ngx_open_dir(ngx_str_t *name, ngx_dir_t *dir)
{
    dir->dir = opendir((const char *) name->data);

    if (dir->dir == NULL) {
        return NGX_ERROR;
    }

    dir->valid_info = 0;

    return NGX_OK;
}


ngx_int_t
ngx_read_dir(ngx_dir_t *dir)
{
    dir->de = readdir(dir->dir);

    if (dir->de != NULL) {
        return NGX_OK;
    }

    return NGX_ERROR;
}


void
ngx_strlow(u_char *dst, u_char *src, size_t n)
{
    while (n--) {
        *dst++ = ngx_tolower(*src);
        src++;
    }
}


u_char *
ngx_cpystrn(u_char *dst, u_char *src, size_t n)
{
    if (n == 0) {
        return dst;
    }

    while (--n && *src) {
        *dst++ = *src++;
    }

    *dst = '\0';

    return dst;
}


u_char *
ngx_pstrdup(ngx_pool_t *pool, ngx_str_t *src)
{
    u_char  *dst;

    dst = ngx_pnalloc(pool, src->len);
    if (dst == NULL) {
        return NULL;
    }

    ngx_memcpy(dst, src->data, src->len);

    return dst;
}


ngx_int_t
ngx_strcasecmp(u_char *s1, u_char *s2)
{
    return strcasecmp((char *) s1, (char *) s2);
}


ngx_int_t
ngx_strncasecmp(u_char *s1, u_char *s2, size_t n)
{
    return strncasecmp((char *) s1, (char *) s2, n);
}


ngx_int_t
ngx_atoi(u_char *line, size_t n)
{
    ngx_int_t  value;

    if (n == 0) {
        return NGX_ERROR;
    }

    for (value = 0; n--; line++) {
        if (*line < '0' || *line > '9') {
            return NGX_ERROR;
        }

        if (value > (NGX_MAX_INT_T_VALUE - (*line - '0')) / 10) {
            return NGX_ERROR;
        }

        value = value * 10 + (*line - '0');
    }

    return value;
}


/* one UTF-8 character: the code point, or 0xffffffff when invalid */

uint32_t
ngx_utf8_decode(u_char **p, size_t n)
{
    u_char    c;
    size_t    len, i;
    uint32_t  u, min;

    c = **p;

    if (c < 0x80) {
        (*p)++;
        return c;
    }

    if (c >= 0xf0) {
        len = 3; u = c & 0x07; min = 0x10000;

    } else if (c >= 0xe0) {
        len = 2; u = c & 0x0f; min = 0x800;

    } else if (c >= 0xc2) {
        len = 1; u = c & 0x1f; min = 0x80;

    } else {
        (*p)++;
        return 0xffffffff;
    }

    if (n - 1 < len) {
        return 0xfffffffe;
    }

    (*p)++;

    for (i = 0; i < len; i++) {
        c = *(*p)++;

        if ((c & 0xc0) != 0x80) {
            return 0xffffffff;
        }

        u = (u << 6) | (c & 0x3f);
    }

    return (u >= min && u <= 0x10ffff) ? u : 0xffffffff;
}


/*
 * The nginx formatter, for the conversions used by the module: %s, %*s,
 * %V, %d, %i, %ui, %uz, %z, %l, %ul, %xi/%Xi (with width and '0'), %c,
 * %p, %Z, %N, %%.
 */

static u_char *
unit_number(u_char *buf, u_char *last, uint64_t n, ngx_uint_t neg,
    ngx_uint_t hex, ngx_uint_t width, u_char zero)
{
    u_char       *p;
    size_t        len;
    u_char        tmp[32];
    const char   *digits;

    digits = (hex == 2) ? "0123456789ABCDEF" : "0123456789abcdef";
    p = tmp + sizeof(tmp);

    do {
        *--p = digits[hex ? n % 16 : n % 10];
        n = hex ? n / 16 : n / 10;
    } while (n);

    len = tmp + sizeof(tmp) - p;

    if (neg && buf < last) {
        *buf++ = '-';
    }

    while (width > len && buf < last) {
        *buf++ = zero;
        width--;
    }

    while (p < tmp + sizeof(tmp) && buf < last) {
        *buf++ = *p++;
    }

    return buf;
}


u_char *
ngx_vslprintf(u_char *buf, u_char *last, const char *fmt, va_list args)
{
    u_char      *s, zero;
    size_t       len;
    int64_t      i64;
    uint64_t     u64;
    ngx_str_t   *v;
    ngx_uint_t   width, sign, hex, star;

    while (*fmt && buf < last) {

        if (*fmt != '%') {
            *buf++ = *fmt++;
            continue;
        }

        fmt++;
        zero = (u_char) ((*fmt == '0') ? '0' : ' ');
        width = 0;
        sign = 1;
        hex = 0;
        star = 0;

        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10 + (*fmt++ - '0');
        }

        for ( ;; ) {
            switch (*fmt) {
            case 'u':
                sign = 0;
                fmt++;
                continue;
            case 'x':
                hex = 1;
                sign = 0;
                fmt++;
                continue;
            case 'X':
                hex = 2;
                sign = 0;
                fmt++;
                continue;
            case '*':
                star = 1;
                fmt++;
                continue;
            }

            break;
        }

        switch (*fmt++) {

        case 's':
            /* %*s takes the length first */
            len = star ? va_arg(args, size_t) : 0;
            s = va_arg(args, u_char *);

            while (buf < last && (star ? len-- > 0 : *s != '\0')) {
                *buf++ = *s++;
            }

            continue;

        case 'V':
            v = va_arg(args, ngx_str_t *);
            len = ngx_min((size_t) (last - buf), v->len);
            buf = ngx_cpymem(buf, v->data, len);
            continue;

        case 'd':
            i64 = va_arg(args, int);
            u64 = sign ? (uint64_t) (i64 < 0 ? -i64 : i64)
                       : (uint64_t) (unsigned int) i64;
            buf = unit_number(buf, last, u64, sign && i64 < 0, hex, width,
                              zero);
            continue;

        case 'i':
            if (sign) {
                i64 = va_arg(args, ngx_int_t);
                buf = unit_number(buf, last,
                                  i64 < 0 ? (uint64_t) 0 - (uint64_t) i64
                                          : (uint64_t) i64,
                                  i64 < 0, hex, width, zero);
            } else {
                u64 = va_arg(args, ngx_uint_t);
                buf = unit_number(buf, last, u64, 0, hex, width, zero);
            }

            continue;

        case 'l':
            if (sign) {
                i64 = va_arg(args, long);
                buf = unit_number(buf, last,
                                  i64 < 0 ? (uint64_t) 0 - (uint64_t) i64
                                          : (uint64_t) i64,
                                  i64 < 0, hex, width, zero);
            } else {
                u64 = va_arg(args, unsigned long);
                buf = unit_number(buf, last, u64, 0, hex, width, zero);
            }

            continue;

        case 'z':
            if (sign) {
                i64 = va_arg(args, ssize_t);
                buf = unit_number(buf, last,
                                  i64 < 0 ? (uint64_t) 0 - (uint64_t) i64
                                          : (uint64_t) i64,
                                  i64 < 0, hex, width, zero);
            } else {
                u64 = va_arg(args, size_t);
                buf = unit_number(buf, last, u64, 0, hex, width, zero);
            }

            continue;

        case 'c':
            *buf++ = (u_char) va_arg(args, int);
            continue;

        case 'p':
            u64 = (uintptr_t) va_arg(args, void *);
            buf = unit_number(buf, last, u64, 0, 1, 0, ' ');
            continue;

        case 'Z':
            *buf++ = '\0';
            continue;

        case 'N':
            *buf++ = '\n';
            continue;

        case '%':
            *buf++ = '%';
            continue;

        default:
            fprintf(stderr, "unit support: format \"%s\" not supported\n",
                    fmt - 1);
            abort();
        }
    }

    return buf;
}


u_char * ngx_cdecl
ngx_sprintf(u_char *buf, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf(buf, (void *) -1, fmt, args);
    va_end(args);

    return p;
}


u_char * ngx_cdecl
ngx_snprintf(u_char *buf, size_t max, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf(buf, buf + max, fmt, args);
    va_end(args);

    return p;
}


u_char * ngx_cdecl
ngx_slprintf(u_char *buf, u_char *last, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf(buf, last, fmt, args);
    va_end(args);

    return p;
}


void ngx_cdecl
ngx_log_error_core(ngx_uint_t level, ngx_log_t *log, ngx_err_t err,
    const char *fmt, ...)
{
    u_char   *p, *last;
    va_list   args;

    if (unit_log_len + 1024 >= UNIT_LOG_SIZE) {
        unit_log_len = 0;
    }

    p = (u_char *) unit_log_buf + unit_log_len;
    last = (u_char *) unit_log_buf + UNIT_LOG_SIZE - 2;

    va_start(args, fmt);
    p = ngx_vslprintf(p, last, fmt, args);
    va_end(args);

    if (err) {
        p = ngx_slprintf(p, last, " (%d: %s)", err, strerror(err));
    }

    *p++ = '\n';
    *p = '\0';

    if (getenv("UNIT_VERBOSE") != NULL) {
        fputs(unit_log_buf + unit_log_len, stderr);
    }

    unit_log_len = (char *) p - unit_log_buf;
}


const char *
unit_log_text(void)
{
    unit_log_buf[unit_log_len] = '\0';
    return unit_log_buf;
}


void
unit_log_reset(void)
{
    unit_log_len = 0;
    unit_log_buf[0] = '\0';
}


ngx_pool_t *
unit_pool(void)
{
    unit_log.log_level = NGX_LOG_DEBUG;

    return ngx_create_pool(4096, &unit_log);
}


char *
unit_tmpdir(void)
{
    char  *dir;

    dir = strdup("/tmp/gongkai-unit-XXXXXX");
    if (dir == NULL || mkdtemp(dir) == NULL) {
        fprintf(stderr, "unit support: mkdtemp failed\n");
        abort();
    }

    return dir;
}


void
unit_write(const char *dir, const char *name, const char *text)
{
    FILE  *f;
    char   path[1024];

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    f = fopen(path, "w");
    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "unit support: cannot write %s\n", path);
        abort();
    }
}


void
unit_rmdir(const char *dir)
{
    DIR            *d;
    char            path[1024];
    struct dirent  *de;

    d = opendir(dir);
    if (d == NULL) {
        return;
    }

    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }

        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        unlink(path);
    }

    closedir(d);
    rmdir(dir);
}


char *
unit_chain_text(ngx_pool_t *pool, ngx_chain_t *cl, size_t len)
{
    char    *s;
    u_char  *p;
    size_t   total;

    s = ngx_pnalloc(pool, len + 1);
    if (s == NULL) {
        return NULL;
    }

    p = (u_char *) s;
    total = 0;

    for ( /* void */ ; cl != NULL; cl = cl->next) {
        total += cl->buf->last - cl->buf->pos;

        if (total > len) {
            fprintf(stderr, "unit support: chain longer than its length\n");
            abort();
        }

        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    if (total != len) {
        fprintf(stderr, "unit support: chain shorter than its length\n");
        abort();
    }

    *p = '\0';

    return s;
}
