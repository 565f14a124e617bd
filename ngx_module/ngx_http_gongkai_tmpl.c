
/*
 * Template compiler and renderer (the language: templates/README.md).
 *
 * Loading parses layout.html and every page NAME.html with libxml2's HTML
 * parser and compiles, for each page, the layout with the page's fills in
 * its slots into a flat array of operations:
 *
 *   LITERAL  bytes copied as they are (adjacent literals are merged)
 *   TEXT     a value, HTML-escaped
 *   RAW      a value copied unescaped (g-html, only for "*_html" names)
 *   ATTR     ' name="..."' with {path} interpolation, URL-checked for
 *            URL attributes
 *   IF       test a value; jump past the element when it fails
 *   EACH     start a loop over an array; jump past its END when empty
 *   END      next array element: jump back to the body, or leave
 *
 * The elements are serialised here, not by libxml2: void elements have no
 * end tag, attribute values are quoted and escaped, text is escaped, the
 * content of <script> and <style> is copied raw, comments are dropped.
 * The libxml2 documents are freed once compiled; rendering only walks the
 * operations and writes into pool buffers.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include "ngx_http_gongkai_value.h"
#include "ngx_http_gongkai_tmpl.h"


#define NGX_HTTP_GONGKAI_TMPL_MAX_LOOPS   16
#define NGX_HTTP_GONGKAI_TMPL_CHUNK       16384
#define NGX_HTTP_GONGKAI_TMPL_MIN_CHUNK   4096


typedef enum {
    NGX_HTTP_GONGKAI_OP_LITERAL = 0,
    NGX_HTTP_GONGKAI_OP_TEXT,
    NGX_HTTP_GONGKAI_OP_RAW,
    NGX_HTTP_GONGKAI_OP_ATTR,
    NGX_HTTP_GONGKAI_OP_IF,
    NGX_HTTP_GONGKAI_OP_EACH,
    NGX_HTTP_GONGKAI_OP_END
} ngx_http_gongkai_op_type_e;


typedef enum {
    NGX_HTTP_GONGKAI_PATH_NAME = 0,  /* a.b.c */
    NGX_HTTP_GONGKAI_PATH_SELF,      /* . */
    NGX_HTTP_GONGKAI_PATH_POS        /* # */
} ngx_http_gongkai_path_kind_e;


typedef struct {
    ngx_http_gongkai_path_kind_e    kind;
    ngx_uint_t                      nseg;
    ngx_str_t                      *seg;
} ngx_http_gongkai_path_t;


typedef struct {
    ngx_str_t                       text;    /* literal: escaped unless URL */
    ngx_http_gongkai_path_t        *path;    /* or a value */
} ngx_http_gongkai_part_t;


typedef struct {
    ngx_http_gongkai_op_type_e      type;
    ngx_uint_t                      jump;    /* IF, EACH, END: op index */
    ngx_uint_t                      flags;
    ngx_str_t                       data;    /* LITERAL; ATTR: ' name="' */
    ngx_http_gongkai_path_t        *path;
    ngx_http_gongkai_part_t        *parts;   /* ATTR */
    ngx_uint_t                      nparts;
} ngx_http_gongkai_op_t;


/* flags */
#define NGX_HTTP_GONGKAI_OP_NEGATE   0x01   /* IF: g-unless */
#define NGX_HTTP_GONGKAI_OP_URL      0x02   /* ATTR: URL attribute */
#define NGX_HTTP_GONGKAI_OP_WHOLE    0x04   /* ATTR: the path is all of it */


struct ngx_http_gongkai_tmpl_s {
    ngx_str_t                       name;
    ngx_http_gongkai_op_t          *ops;
    ngx_uint_t                      nops;
    size_t                          size;    /* literal bytes: size hint */
};


struct ngx_http_gongkai_tmpl_set_s {
    ngx_array_t                     tmpls;   /* ngx_http_gongkai_tmpl_t */
};


typedef struct {
    ngx_str_t                       name;
    xmlNodePtr                      node;
    ngx_uint_t                      used;
} ngx_http_gongkai_fill_t;


typedef struct {
    ngx_str_t                       name;    /* without ".html" */
    char                           *path;    /* DIR/NAME.html, NUL-ended */
} ngx_http_gongkai_file_t;


typedef struct {
    ngx_pool_t                     *pool;
    ngx_log_t                      *log;
    ngx_array_t                     ops;     /* ngx_http_gongkai_op_t */

    u_char                         *lit;     /* pending literal (malloc) */
    size_t                          lit_len;
    size_t                          lit_size;
    size_t                          total;   /* literal bytes of template */

    char                           *file;    /* file of the current node */
    char                           *layout_file;
    char                           *page_file;
    ngx_array_t                    *fills;   /* ngx_http_gongkai_fill_t */
    ngx_uint_t                      in_layout;
    ngx_uint_t                      loops;
} ngx_http_gongkai_compile_t;


typedef struct {
    ngx_log_t                      *log;
    char                           *file;
    ngx_uint_t                      failed;
} ngx_http_gongkai_parse_err_t;


typedef struct {
    ngx_http_gongkai_value_t       *cur;     /* current element (or root) */
    ngx_uint_t                      index;
    ngx_http_gongkai_value_t        pos;     /* "#" as a NUMBER value */
    u_char                          digits[NGX_INT_T_LEN];
} ngx_http_gongkai_frame_t;


typedef struct {
    ngx_pool_t                     *pool;
    ngx_chain_t                    *out;
    ngx_chain_t                   **last;
    ngx_buf_t                      *b;
    size_t                          len;
    u_char                         *scratch;
    size_t                          scratch_size;
    ngx_http_gongkai_frame_t       *top;
    ngx_http_gongkai_frame_t        frames[NGX_HTTP_GONGKAI_TMPL_MAX_LOOPS + 1];
} ngx_http_gongkai_render_t;


static xmlDocPtr ngx_http_gongkai_tmpl_parse(ngx_log_t *log, char *file);
static void ngx_http_gongkai_tmpl_xml_error(void *data, xmlErrorPtr err);
static ngx_int_t ngx_http_gongkai_tmpl_page_fills(
    ngx_http_gongkai_compile_t *c, xmlNodePtr node);
static ngx_http_gongkai_tmpl_t *ngx_http_gongkai_tmpl_compile(
    ngx_http_gongkai_compile_t *c, ngx_str_t *name, xmlDocPtr layout);
static ngx_int_t ngx_http_gongkai_tmpl_nodes(ngx_http_gongkai_compile_t *c,
    xmlNodePtr node, ngx_uint_t raw);
static ngx_int_t ngx_http_gongkai_tmpl_element(ngx_http_gongkai_compile_t *c,
    xmlNodePtr node);
static ngx_int_t ngx_http_gongkai_tmpl_attrs(ngx_http_gongkai_compile_t *c,
    xmlNodePtr node);
static ngx_int_t ngx_http_gongkai_tmpl_attr_op(ngx_http_gongkai_compile_t *c,
    xmlNodePtr node, u_char *name, ngx_str_t *value);
static ngx_int_t ngx_http_gongkai_tmpl_attr_value(
    ngx_http_gongkai_compile_t *c, xmlAttrPtr a, ngx_str_t *value);
static ngx_http_gongkai_path_t *ngx_http_gongkai_tmpl_path(
    ngx_http_gongkai_compile_t *c, xmlNodePtr node, u_char *p, size_t len);
static ngx_http_gongkai_op_t *ngx_http_gongkai_tmpl_op(
    ngx_http_gongkai_compile_t *c, ngx_http_gongkai_op_type_e type);
static ngx_int_t ngx_http_gongkai_tmpl_literal(ngx_http_gongkai_compile_t *c,
    u_char *p, size_t len);
static ngx_int_t ngx_http_gongkai_tmpl_literal_escaped(
    ngx_http_gongkai_compile_t *c, u_char *p, size_t len);
static ngx_int_t ngx_http_gongkai_tmpl_flush(ngx_http_gongkai_compile_t *c);
static void ngx_http_gongkai_tmpl_error(ngx_http_gongkai_compile_t *c,
    xmlNodePtr node, const char *msg, u_char *arg);
static ngx_uint_t ngx_http_gongkai_tmpl_is(const u_char *name,
    const char **list);
static ngx_uint_t ngx_http_gongkai_tmpl_blank(xmlNodePtr node);

static ngx_int_t ngx_http_gongkai_render_write(ngx_http_gongkai_render_t *r,
    u_char *p, size_t len);
static ngx_int_t ngx_http_gongkai_render_escaped(ngx_http_gongkai_render_t *r,
    u_char *p, size_t len);
static ngx_int_t ngx_http_gongkai_render_attr(ngx_http_gongkai_render_t *r,
    ngx_http_gongkai_op_t *op);
static ngx_int_t ngx_http_gongkai_render_buf(ngx_http_gongkai_render_t *r,
    size_t size);
static ngx_http_gongkai_value_t *ngx_http_gongkai_render_path(
    ngx_http_gongkai_render_t *r, ngx_http_gongkai_path_t *path);
static void ngx_http_gongkai_render_text(ngx_http_gongkai_value_t *v,
    ngx_str_t *s);
static void ngx_http_gongkai_render_pos(ngx_http_gongkai_frame_t *f);
static ngx_uint_t ngx_http_gongkai_url_allowed(u_char *p, size_t len);


static const char  *ngx_http_gongkai_void_elements[] = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link",
    "meta", "param", "source", "track", "wbr", "basefont", "frame",
    "keygen", NULL
};

static const char  *ngx_http_gongkai_raw_elements[] = {
    "script", "style", NULL
};

static const char  *ngx_http_gongkai_url_attrs[] = {
    "href", "src", "action", "formaction", "cite", "poster", "background",
    "longdesc", "usemap", "data", "codebase", "manifest", "ping", "srcset",
    "xlink:href", NULL
};


/* bytes escaped in text and attribute values: & < > " ' */

static uint32_t  ngx_http_gongkai_html_special[] = {
    0x00000000,
    0x500000c4,  /* 0101 0000 0000 0000  0000 0000 1100 0100 */
    0x00000000,
    0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000
};

/* URL-unreserved bytes (RFC 3986): A-Z a-z 0-9 - . _ ~ */

static uint32_t  ngx_http_gongkai_unreserved[] = {
    0x00000000,
    0x03ff6000,  /* 0000 0011 1111 1111  0110 0000 0000 0000 */
    0x87fffffe,  /* 1000 0111 1111 1111  1111 1111 1111 1110 */
    0x47fffffe,  /* 0100 0111 1111 1111  1111 1111 1111 1110 */
    0x00000000, 0x00000000, 0x00000000, 0x00000000
};


#define ngx_http_gongkai_bit(map, c)                                          \
    ((map)[(c) >> 5] & (1U << ((c) & 0x1f)))


ngx_http_gongkai_tmpl_set_t *
ngx_http_gongkai_tmpl_load(ngx_pool_t *pool, ngx_log_t *log, ngx_str_t *dir)
{
    u_char                       *p, *name;
    size_t                        len;
    xmlDocPtr                     layout, page;
    ngx_int_t                     rc;
    ngx_dir_t                     d;
    ngx_err_t                     err;
    ngx_str_t                     dname;
    ngx_uint_t                    i, j;
    ngx_array_t                   files, fills;
    ngx_http_gongkai_file_t      *fl, file;
    ngx_http_gongkai_fill_t      *f;
    ngx_http_gongkai_tmpl_t      *t, *compiled;
    ngx_http_gongkai_compile_t    c;
    ngx_http_gongkai_tmpl_set_t  *set;

    set = ngx_pcalloc(pool, sizeof(ngx_http_gongkai_tmpl_set_t));
    if (set == NULL) {
        return NULL;
    }

    if (ngx_array_init(&set->tmpls, pool, 16,
                       sizeof(ngx_http_gongkai_tmpl_t))
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_array_init(&files, pool, 16, sizeof(ngx_http_gongkai_file_t))
        != NGX_OK)
    {
        return NULL;
    }

    /* the directory name, NUL-terminated, without trailing slashes */

    len = dir->len;
    while (len > 1 && dir->data[len - 1] == '/') {
        len--;
    }

    dname.len = len;
    dname.data = ngx_pnalloc(pool, len + 1);
    if (dname.data == NULL) {
        return NULL;
    }

    ngx_memcpy(dname.data, dir->data, len);
    dname.data[len] = '\0';

    if (ngx_open_dir(&dname, &d) == NGX_ERROR) {
        ngx_log_error(NGX_LOG_EMERG, log, ngx_errno,
                      "gongkai templates: " ngx_open_dir_n " \"%V\" failed",
                      &dname);
        return NULL;
    }

    for ( ;; ) {
        ngx_set_errno(0);

        if (ngx_read_dir(&d) == NGX_ERROR) {
            err = ngx_errno;

            if (err != NGX_ENOMOREFILES) {
                ngx_log_error(NGX_LOG_EMERG, log, err,
                              "gongkai templates: " ngx_read_dir_n
                              " \"%V\" failed", &dname);
                (void) ngx_close_dir(&d);
                return NULL;
            }

            break;
        }

        name = ngx_de_name(&d);
        len = ngx_de_namelen(&d);

        if (len <= 5 || name[0] == '.'
            || ngx_strncmp(name + len - 5, ".html", 5) != 0)
        {
            continue;
        }

        fl = ngx_array_push(&files);
        if (fl == NULL) {
            (void) ngx_close_dir(&d);
            return NULL;
        }

        fl->path = ngx_pnalloc(pool, dname.len + 1 + len + 1);
        if (fl->path == NULL) {
            (void) ngx_close_dir(&d);
            return NULL;
        }

        p = ngx_cpymem((u_char *) fl->path, dname.data, dname.len);
        *p++ = '/';
        fl->name.data = p;
        fl->name.len = len - 5;
        p = ngx_cpymem(p, name, len);
        *p = '\0';
    }

    (void) ngx_close_dir(&d);

    /* sorted, so that errors and the set's order do not depend on readdir */

    fl = files.elts;

    for (i = 1; i < files.nelts; i++) {
        file = fl[i];

        for (j = i; j > 0; j--) {
            if (ngx_strcmp(fl[j - 1].name.data, file.name.data) <= 0) {
                break;
            }

            fl[j] = fl[j - 1];
        }

        fl[j] = file;
    }

    ngx_memzero(&c, sizeof(ngx_http_gongkai_compile_t));
    c.pool = pool;
    c.log = log;
    c.fills = &fills;

    c.layout_file = ngx_pnalloc(pool, dname.len + sizeof("/layout.html"));
    if (c.layout_file == NULL) {
        return NULL;
    }

    ngx_sprintf((u_char *) c.layout_file, "%V/layout.html%Z", &dname);

    for (i = 0; i < files.nelts; i++) {
        if (fl[i].name.len == 6
            && ngx_strncmp(fl[i].name.data, "layout", 6) == 0)
        {
            break;
        }
    }

    if (i == files.nelts) {
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "gongkai template \"%s\": the layout is missing",
                      c.layout_file);
        return NULL;
    }

    xmlInitParser();

    layout = ngx_http_gongkai_tmpl_parse(log, c.layout_file);
    if (layout == NULL) {
        return NULL;
    }

    rc = NGX_OK;

    for (i = 0; i < files.nelts; i++) {

        if (ngx_array_init(&fills, pool, 4, sizeof(ngx_http_gongkai_fill_t))
            != NGX_OK)
        {
            rc = NGX_ERROR;
            break;
        }

        page = NULL;
        c.page_file = fl[i].path;

        if (fl[i].name.len != 6
            || ngx_strncmp(fl[i].name.data, "layout", 6) != 0)
        {
            page = ngx_http_gongkai_tmpl_parse(log, c.page_file);
            if (page == NULL) {
                rc = NGX_ERROR;
                break;
            }

            c.file = c.page_file;

            if (ngx_http_gongkai_tmpl_page_fills(&c, page->children)
                != NGX_OK)
            {
                xmlFreeDoc(page);
                rc = NGX_ERROR;
                break;
            }
        }

        compiled = ngx_http_gongkai_tmpl_compile(&c, &fl[i].name, layout);

        if (compiled != NULL) {
            f = fills.elts;

            for (j = 0; j < fills.nelts; j++) {
                if (!f[j].used) {
                    c.file = c.page_file;
                    ngx_http_gongkai_tmpl_error(&c, f[j].node,
                                    "g-fill has no matching g-slot in "
                                    "layout.html:", f[j].name.data);
                    compiled = NULL;
                    break;
                }
            }
        }

        if (page != NULL) {
            xmlFreeDoc(page);
        }

        if (compiled == NULL) {
            rc = NGX_ERROR;
            break;
        }

        t = ngx_array_push(&set->tmpls);
        if (t == NULL) {
            rc = NGX_ERROR;
            break;
        }

        *t = *compiled;
    }

    xmlFreeDoc(layout);

    if (c.lit != NULL) {
        ngx_free(c.lit);
    }

    return (rc == NGX_OK) ? set : NULL;
}


ngx_http_gongkai_tmpl_t *
ngx_http_gongkai_tmpl_get(ngx_http_gongkai_tmpl_set_t *set, const char *name)
{
    size_t                    len;
    ngx_uint_t                i;
    ngx_http_gongkai_tmpl_t  *t;

    len = ngx_strlen(name);
    t = set->tmpls.elts;

    for (i = 0; i < set->tmpls.nelts; i++) {
        if (t[i].name.len == len
            && ngx_strncmp(t[i].name.data, name, len) == 0)
        {
            return &t[i];
        }
    }

    return NULL;
}


static xmlDocPtr
ngx_http_gongkai_tmpl_parse(ngx_log_t *log, char *file)
{
    xmlDocPtr                     doc;
    ngx_http_gongkai_parse_err_t  pe;

    pe.log = log;
    pe.file = file;
    pe.failed = 0;

    xmlSetStructuredErrorFunc(&pe, ngx_http_gongkai_tmpl_xml_error);

    doc = htmlReadFile(file, "UTF-8",
                       HTML_PARSE_NONET|HTML_PARSE_NODEFDTD
                       |HTML_PARSE_NOWARNING);

    xmlSetStructuredErrorFunc(NULL, NULL);

    if (doc == NULL) {
        if (!pe.failed) {
            ngx_log_error(NGX_LOG_EMERG, log, 0,
                          "gongkai template \"%s\" line 0: cannot be read "
                          "or parsed", file);
        }

        return NULL;
    }

    if (pe.failed) {
        xmlFreeDoc(doc);
        return NULL;
    }

    return doc;
}


static void
ngx_http_gongkai_tmpl_xml_error(void *data, xmlErrorPtr err)
{
    ngx_http_gongkai_parse_err_t *pe = data;

    size_t  len;

    if (err->level < XML_ERR_ERROR) {
        return;
    }

    /* libxml2 2.9 does not know the HTML5 elements: <main>, <nav> ... */

    if (err->code == XML_HTML_UNKNOWN_TAG) {
        return;
    }

    pe->failed = 1;

    len = err->message ? ngx_strlen(err->message) : 0;

    while (len && (err->message[len - 1] == '\n'
                   || err->message[len - 1] == ' '))
    {
        len--;
    }

    ngx_log_error(NGX_LOG_EMERG, pe->log, 0,
                  "gongkai template \"%s\" line %d: %*s",
                  pe->file, err->line, len, err->message);
}


/*
 * Collect a page's fills: the elements with g-fill at the top level.
 * The HTML parser wraps a fragment in implied <html>, <head> and <body>
 * elements; these are looked through.  Anything else is an error.
 */

static ngx_int_t
ngx_http_gongkai_tmpl_page_fills(ngx_http_gongkai_compile_t *c,
    xmlNodePtr node)
{
    xmlAttrPtr                a;
    ngx_str_t                 name;
    ngx_uint_t                i;
    ngx_http_gongkai_fill_t  *f;

    static const char  *wrappers[] = { "html", "head", "body", NULL };

    for ( /* void */ ; node != NULL; node = node->next) {

        switch (node->type) {

        case XML_ELEMENT_NODE:
            break;

        case XML_TEXT_NODE:
            if (!ngx_http_gongkai_tmpl_blank(node)) {
                ngx_http_gongkai_tmpl_error(c, node,
                                    "text outside g-fill", NULL);
                return NGX_ERROR;
            }

            continue;

        default:  /* comments, the doctype */
            continue;
        }

        name.data = NULL;

        for (a = node->properties; a != NULL; a = a->next) {

            if (ngx_strcmp(a->name, "g-fill") == 0) {
                if (ngx_http_gongkai_tmpl_attr_value(c, a, &name) != NGX_OK) {
                    return NGX_ERROR;
                }

            } else if (ngx_strncmp(a->name, "g-", 2) == 0) {
                ngx_http_gongkai_tmpl_error(c, node,
                                    "g-fill element with another g- "
                                    "attribute:", (u_char *) a->name);
                return NGX_ERROR;
            }
        }

        if (name.data == NULL) {
            if (ngx_http_gongkai_tmpl_is(node->name, wrappers)) {
                if (ngx_http_gongkai_tmpl_page_fills(c, node->children)
                    != NGX_OK)
                {
                    return NGX_ERROR;
                }

                continue;
            }

            ngx_http_gongkai_tmpl_error(c, node,
                                "element outside g-fill:",
                                (u_char *) node->name);
            return NGX_ERROR;
        }

        if (name.len == 0) {
            ngx_http_gongkai_tmpl_error(c, node, "empty g-fill name", NULL);
            return NGX_ERROR;
        }

        f = c->fills->elts;

        for (i = 0; i < c->fills->nelts; i++) {
            if (f[i].name.len == name.len
                && ngx_strncmp(f[i].name.data, name.data, name.len) == 0)
            {
                ngx_http_gongkai_tmpl_error(c, node,
                                    "duplicate g-fill", name.data);
                return NGX_ERROR;
            }
        }

        f = ngx_array_push(c->fills);
        if (f == NULL) {
            return NGX_ERROR;
        }

        f->name = name;
        f->node = node;
        f->used = 0;
    }

    return NGX_OK;
}


static ngx_http_gongkai_tmpl_t *
ngx_http_gongkai_tmpl_compile(ngx_http_gongkai_compile_t *c, ngx_str_t *name,
    xmlDocPtr layout)
{
    ngx_http_gongkai_tmpl_t  *t;

    if (ngx_array_init(&c->ops, c->pool, 64, sizeof(ngx_http_gongkai_op_t))
        != NGX_OK)
    {
        return NULL;
    }

    c->lit_len = 0;
    c->total = 0;
    c->loops = 0;
    c->in_layout = 1;
    c->file = c->layout_file;

    if (layout->intSubset != NULL) {
        if (ngx_http_gongkai_tmpl_literal(c, (u_char *) "<!DOCTYPE html>\n",
                                          sizeof("<!DOCTYPE html>\n") - 1)
            != NGX_OK)
        {
            return NULL;
        }
    }

    if (ngx_http_gongkai_tmpl_nodes(c, layout->children, 0) != NGX_OK) {
        return NULL;
    }

    if (ngx_http_gongkai_tmpl_literal(c, (u_char *) "\n", 1) != NGX_OK
        || ngx_http_gongkai_tmpl_flush(c) != NGX_OK)
    {
        return NULL;
    }

    t = ngx_palloc(c->pool, sizeof(ngx_http_gongkai_tmpl_t));
    if (t == NULL) {
        return NULL;
    }

    t->name = *name;
    t->ops = c->ops.elts;
    t->nops = c->ops.nelts;
    t->size = c->total;

    return t;
}


static ngx_int_t
ngx_http_gongkai_tmpl_nodes(ngx_http_gongkai_compile_t *c, xmlNodePtr node,
    ngx_uint_t raw)
{
    size_t  len;

    for ( /* void */ ; node != NULL; node = node->next) {

        switch (node->type) {

        case XML_ELEMENT_NODE:
            if (ngx_http_gongkai_tmpl_element(c, node) != NGX_OK) {
                return NGX_ERROR;
            }

            break;

        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            if (node->content == NULL) {
                break;
            }

            len = ngx_strlen(node->content);

            if (raw || node->type == XML_CDATA_SECTION_NODE) {
                if (ngx_http_gongkai_tmpl_literal(c, node->content, len)
                    != NGX_OK)
                {
                    return NGX_ERROR;
                }

            } else if (ngx_http_gongkai_tmpl_literal_escaped(c,
                                                             node->content,
                                                             len)
                       != NGX_OK)
            {
                return NGX_ERROR;
            }

            break;

        case XML_ENTITY_REF_NODE:
            ngx_http_gongkai_tmpl_error(c, node, "unknown entity",
                                        (u_char *) node->name);
            return NGX_ERROR;

        default:  /* comments, processing instructions, the doctype */
            break;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_tmpl_element(ngx_http_gongkai_compile_t *c, xmlNodePtr node)
{
    char                     *file;
    u_char                   *an;
    xmlAttrPtr                a;
    ngx_str_t                 v, slot;
    ngx_uint_t                i, strip, is_void, is_raw, each_at, if_at,
                              in_layout;
    xmlNodePtr                content_node;
    ngx_http_gongkai_op_t    *op;
    ngx_http_gongkai_fill_t  *f;
    ngx_http_gongkai_path_t  *each, *cond, *text, *html;

    each = NULL;
    cond = NULL;
    text = NULL;
    html = NULL;
    strip = 0;
    slot.data = NULL;
    slot.len = 0;
    each_at = 0;
    if_at = 0;

    /* the loop first: g-each's own path is looked up outside the loop */

    for (a = node->properties; a != NULL; a = a->next) {
        if (ngx_strcmp(a->name, "g-each") == 0) {
            if (ngx_http_gongkai_tmpl_attr_value(c, a, &v) != NGX_OK) {
                return NGX_ERROR;
            }

            each = ngx_http_gongkai_tmpl_path(c, node, v.data, v.len);
            if (each == NULL) {
                return NGX_ERROR;
            }
        }
    }

    if (each != NULL) {
        if (c->loops == NGX_HTTP_GONGKAI_TMPL_MAX_LOOPS) {
            ngx_http_gongkai_tmpl_error(c, node, "g-each nested too deeply",
                                        NULL);
            return NGX_ERROR;
        }

        c->loops++;
    }

    for (a = node->properties; a != NULL; a = a->next) {
        an = (u_char *) a->name;

        if (ngx_strncmp(an, "g-", 2) != 0 || ngx_strcmp(an, "g-each") == 0
            || ngx_strncmp(an, "g-attr-", 7) == 0)
        {
            continue;
        }

        if (ngx_http_gongkai_tmpl_attr_value(c, a, &v) != NGX_OK) {
            return NGX_ERROR;
        }

        if (ngx_strcmp(an, "g-if") == 0 || ngx_strcmp(an, "g-unless") == 0) {
            if (cond != NULL) {
                ngx_http_gongkai_tmpl_error(c, node,
                                    "more than one g-if or g-unless", NULL);
                return NGX_ERROR;
            }

            cond = ngx_http_gongkai_tmpl_path(c, node, v.data, v.len);
            if (cond == NULL) {
                return NGX_ERROR;
            }

        } else if (ngx_strcmp(an, "g-text") == 0) {
            text = ngx_http_gongkai_tmpl_path(c, node, v.data, v.len);
            if (text == NULL) {
                return NGX_ERROR;
            }

        } else if (ngx_strcmp(an, "g-html") == 0) {
            html = ngx_http_gongkai_tmpl_path(c, node, v.data, v.len);
            if (html == NULL) {
                return NGX_ERROR;
            }

            if (html->kind != NGX_HTTP_GONGKAI_PATH_NAME
                || html->seg[html->nseg - 1].len < 5
                || ngx_strncmp(html->seg[html->nseg - 1].data
                               + html->seg[html->nseg - 1].len - 5,
                               "_html", 5) != 0)
            {
                ngx_http_gongkai_tmpl_error(c, node,
                                    "g-html needs a name ending in _html:",
                                    v.data);
                return NGX_ERROR;
            }

        } else if (ngx_strcmp(an, "g-strip") == 0) {
            strip = 1;

        } else if (ngx_strcmp(an, "g-slot") == 0) {
            if (!c->in_layout) {
                ngx_http_gongkai_tmpl_error(c, node,
                                    "g-slot outside layout.html", NULL);
                return NGX_ERROR;
            }

            if (v.len == 0) {
                ngx_http_gongkai_tmpl_error(c, node, "empty g-slot name",
                                            NULL);
                return NGX_ERROR;
            }

            slot = v;

        } else if (ngx_strcmp(an, "g-fill") == 0) {
            ngx_http_gongkai_tmpl_error(c, node, c->in_layout
                                ? "g-fill in layout.html"
                                : "g-fill is only allowed on top-level "
                                  "elements", NULL);
            return NGX_ERROR;

        } else {
            ngx_http_gongkai_tmpl_error(c, node, "unknown attribute", an);
            return NGX_ERROR;
        }
    }

    if (text != NULL && html != NULL) {
        ngx_http_gongkai_tmpl_error(c, node, "both g-text and g-html", NULL);
        return NGX_ERROR;
    }

    if (slot.data != NULL && (text != NULL || html != NULL)) {
        ngx_http_gongkai_tmpl_error(c, node,
                                    "g-slot with g-text or g-html", NULL);
        return NGX_ERROR;
    }

    is_void = ngx_http_gongkai_tmpl_is(node->name,
                                       ngx_http_gongkai_void_elements);
    is_raw = ngx_http_gongkai_tmpl_is(node->name,
                                      ngx_http_gongkai_raw_elements);

    if ((is_void || is_raw) && (text != NULL || html != NULL)) {
        ngx_http_gongkai_tmpl_error(c, node,
                                    "g-text or g-html not allowed on",
                                    (u_char *) node->name);
        return NGX_ERROR;
    }

    if (each != NULL) {
        op = ngx_http_gongkai_tmpl_op(c, NGX_HTTP_GONGKAI_OP_EACH);
        if (op == NULL) {
            return NGX_ERROR;
        }

        op->path = each;
        each_at = c->ops.nelts - 1;
    }

    if (cond != NULL) {
        op = ngx_http_gongkai_tmpl_op(c, NGX_HTTP_GONGKAI_OP_IF);
        if (op == NULL) {
            return NGX_ERROR;
        }

        op->path = cond;

        for (a = node->properties; a != NULL; a = a->next) {
            if (ngx_strcmp(a->name, "g-unless") == 0) {
                op->flags = NGX_HTTP_GONGKAI_OP_NEGATE;
            }
        }

        if_at = c->ops.nelts - 1;
    }

    if (!strip) {
        if (ngx_http_gongkai_tmpl_literal(c, (u_char *) "<", 1) != NGX_OK
            || ngx_http_gongkai_tmpl_literal(c, (u_char *) node->name,
                                             ngx_strlen(node->name))
               != NGX_OK
            || ngx_http_gongkai_tmpl_attrs(c, node) != NGX_OK
            || ngx_http_gongkai_tmpl_literal(c, (u_char *) ">", 1) != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else {
        /* still validate g-attr-* even though the tag is dropped */

        for (a = node->properties; a != NULL; a = a->next) {
            if (ngx_strncmp(a->name, "g-attr-", 7) == 0) {
                ngx_http_gongkai_tmpl_error(c, node,
                                            "g-attr- with g-strip", NULL);
                return NGX_ERROR;
            }
        }
    }

    if (text != NULL || html != NULL) {
        op = ngx_http_gongkai_tmpl_op(c, text ? NGX_HTTP_GONGKAI_OP_TEXT
                                              : NGX_HTTP_GONGKAI_OP_RAW);
        if (op == NULL) {
            return NGX_ERROR;
        }

        op->path = text ? text : html;

    } else if (!is_void) {
        content_node = node->children;
        file = c->file;
        in_layout = c->in_layout;

        if (slot.data != NULL) {
            f = c->fills->elts;

            for (i = 0; i < c->fills->nelts; i++) {
                if (f[i].name.len == slot.len
                    && ngx_strncmp(f[i].name.data, slot.data, slot.len) == 0)
                {
                    f[i].used = 1;
                    content_node = f[i].node->children;
                    c->file = c->page_file;
                    c->in_layout = 0;
                    break;
                }
            }
        }

        if (ngx_http_gongkai_tmpl_nodes(c, content_node, is_raw) != NGX_OK) {
            return NGX_ERROR;
        }

        c->file = file;
        c->in_layout = in_layout;
    }

    if (!strip && !is_void) {
        if (ngx_http_gongkai_tmpl_literal(c, (u_char *) "</", 2) != NGX_OK
            || ngx_http_gongkai_tmpl_literal(c, (u_char *) node->name,
                                             ngx_strlen(node->name))
               != NGX_OK
            || ngx_http_gongkai_tmpl_literal(c, (u_char *) ">", 1) != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if ((cond != NULL || each != NULL)
        && ngx_http_gongkai_tmpl_flush(c) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (cond != NULL) {
        op = c->ops.elts;
        op[if_at].jump = c->ops.nelts;
    }

    if (each != NULL) {
        op = ngx_http_gongkai_tmpl_op(c, NGX_HTTP_GONGKAI_OP_END);
        if (op == NULL) {
            return NGX_ERROR;
        }

        op->jump = each_at + 1;

        op = c->ops.elts;
        op[each_at].jump = c->ops.nelts;

        c->loops--;
    }

    return NGX_OK;
}


/* the attributes of a start tag: static ones and g-attr-NAME */

static ngx_int_t
ngx_http_gongkai_tmpl_attrs(ngx_http_gongkai_compile_t *c, xmlNodePtr node)
{
    u_char      *an;
    xmlAttrPtr   a, b;
    ngx_str_t    v;
    ngx_uint_t   overridden;

    for (a = node->properties; a != NULL; a = a->next) {
        an = (u_char *) a->name;

        if (ngx_strncmp(an, "g-attr-", 7) == 0) {
            if (ngx_http_gongkai_tmpl_attr_value(c, a, &v) != NGX_OK
                || ngx_http_gongkai_tmpl_attr_op(c, node, an + 7, &v)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            continue;
        }

        if (ngx_strncmp(an, "g-", 2) == 0) {
            continue;
        }

        /* a static attribute that a g-attr-NAME replaces is left out */

        overridden = 0;

        for (b = node->properties; b != NULL; b = b->next) {
            if (ngx_strncmp(b->name, "g-attr-", 7) == 0
                && ngx_strcmp(b->name + 7, an) == 0)
            {
                overridden = 1;
                break;
            }
        }

        if (overridden) {
            continue;
        }

        if (ngx_http_gongkai_tmpl_literal(c, (u_char *) " ", 1) != NGX_OK) {
            return NGX_ERROR;
        }

        if (a->ns != NULL && a->ns->prefix != NULL) {
            if (ngx_http_gongkai_tmpl_literal(c, (u_char *) a->ns->prefix,
                                     ngx_strlen(a->ns->prefix)) != NGX_OK
                || ngx_http_gongkai_tmpl_literal(c, (u_char *) ":", 1)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        if (ngx_http_gongkai_tmpl_literal(c, an, ngx_strlen(an)) != NGX_OK) {
            return NGX_ERROR;
        }

        if (a->children == NULL) {
            continue;   /* a boolean attribute: <input required> */
        }

        if (ngx_http_gongkai_tmpl_attr_value(c, a, &v) != NGX_OK
            || ngx_http_gongkai_tmpl_literal(c, (u_char *) "=\"", 2)
               != NGX_OK
            || ngx_http_gongkai_tmpl_literal_escaped(c, v.data, v.len)
               != NGX_OK
            || ngx_http_gongkai_tmpl_literal(c, (u_char *) "\"", 1)
               != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* g-attr-NAME="text {path} text": parts, "{{" is a literal "{" */

static ngx_int_t
ngx_http_gongkai_tmpl_attr_op(ngx_http_gongkai_compile_t *c,
    xmlNodePtr node, u_char *name, ngx_str_t *value)
{
    u_char                   *p, *end, *q, *start, *lit;
    size_t                    nlen;
    ngx_uint_t                url, n, i;
    ngx_array_t               parts;
    ngx_http_gongkai_op_t    *op;
    ngx_http_gongkai_part_t  *part;

    nlen = ngx_strlen(name);

    if (nlen == 0) {
        ngx_http_gongkai_tmpl_error(c, node, "g-attr- without a name", NULL);
        return NGX_ERROR;
    }

    for (i = 0; i < nlen; i++) {
        if (!((name[i] >= 'a' && name[i] <= 'z')
              || (name[i] >= '0' && name[i] <= '9')
              || name[i] == '-' || name[i] == '_' || name[i] == ':'))
        {
            ngx_http_gongkai_tmpl_error(c, node, "bad attribute name", name);
            return NGX_ERROR;
        }
    }

    /* event handlers and srcdoc would make a value code */

    if ((nlen > 2 && name[0] == 'o' && name[1] == 'n')
        || ngx_strcmp(name, "srcdoc") == 0
        || ngx_strncmp(name, "g-", 2) == 0)
    {
        ngx_http_gongkai_tmpl_error(c, node,
                                    "attribute not allowed in g-attr-:",
                                    name);
        return NGX_ERROR;
    }

    url = ngx_http_gongkai_tmpl_is(name, ngx_http_gongkai_url_attrs);

    if (ngx_array_init(&parts, c->pool, 4, sizeof(ngx_http_gongkai_part_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* literal bytes are collected unescaped into lit, then stored */

    lit = ngx_pnalloc(c->pool, value->len + 1);
    if (lit == NULL) {
        return NGX_ERROR;
    }

    n = 0;
    p = value->data;
    end = value->data + value->len;

    while (p <= end) {

        if (p < end && !(*p == '{' && (p + 1 == end || p[1] != '{'))) {
            lit[n++] = *p;
            p += (*p == '{') ? 2 : 1;
            continue;
        }

        /* the end, or "{path}" */

        if (n) {
            part = ngx_array_push(&parts);
            if (part == NULL) {
                return NGX_ERROR;
            }

            part->path = NULL;
            part->text.len = n;
            part->text.data = ngx_pnalloc(c->pool, url ? n : 6 * n);
            if (part->text.data == NULL) {
                return NGX_ERROR;
            }

            if (url) {
                ngx_memcpy(part->text.data, lit, n);

            } else {
                /* escape now: plain attributes are streamed */

                q = part->text.data;

                for (i = 0; i < n; i++) {
                    switch (lit[i]) {
                    case '&': q = ngx_cpymem(q, "&amp;", 5); break;
                    case '<': q = ngx_cpymem(q, "&lt;", 4); break;
                    case '>': q = ngx_cpymem(q, "&gt;", 4); break;
                    case '"': q = ngx_cpymem(q, "&quot;", 6); break;
                    case '\'': q = ngx_cpymem(q, "&#39;", 5); break;
                    default: *q++ = lit[i];
                    }
                }

                part->text.len = q - part->text.data;
            }

            n = 0;
        }

        if (p == end) {
            break;
        }

        start = ++p;

        while (p < end && *p != '}') {
            p++;
        }

        if (p == end) {
            ngx_http_gongkai_tmpl_error(c, node, "unclosed \"{\" in g-attr-",
                                        name);
            return NGX_ERROR;
        }

        part = ngx_array_push(&parts);
        if (part == NULL) {
            return NGX_ERROR;
        }

        part->text.len = 0;
        part->text.data = NULL;
        part->path = ngx_http_gongkai_tmpl_path(c, node, start, p - start);
        if (part->path == NULL) {
            return NGX_ERROR;
        }

        p++;
    }

    op = ngx_http_gongkai_tmpl_op(c, NGX_HTTP_GONGKAI_OP_ATTR);
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->parts = parts.elts;
    op->nparts = parts.nelts;

    if (url) {
        op->flags |= NGX_HTTP_GONGKAI_OP_URL;

        if (parts.nelts == 1 && op->parts[0].path != NULL) {
            op->flags |= NGX_HTTP_GONGKAI_OP_WHOLE;
        }
    }

    op->data.len = 1 + nlen + 2;
    op->data.data = ngx_pnalloc(c->pool, op->data.len);
    if (op->data.data == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(op->data.data, " %s=\"", name);

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_tmpl_attr_value(ngx_http_gongkai_compile_t *c, xmlAttrPtr a,
    ngx_str_t *value)
{
    size_t    len;
    xmlChar  *s;

    s = xmlNodeGetContent((xmlNodePtr) a);

    len = (s != NULL) ? ngx_strlen(s) : 0;

    value->len = len;
    value->data = ngx_pnalloc(c->pool, len + 1);
    if (value->data == NULL) {
        if (s != NULL) {
            xmlFree(s);
        }

        return NGX_ERROR;
    }

    if (len) {
        ngx_memcpy(value->data, s, len);
    }

    value->data[len] = '\0';

    if (s != NULL) {
        xmlFree(s);
    }

    return NGX_OK;
}


/* "." | "#" | name ("." name)*, name = [A-Za-z0-9_-]+ */

static ngx_http_gongkai_path_t *
ngx_http_gongkai_tmpl_path(ngx_http_gongkai_compile_t *c, xmlNodePtr node,
    u_char *p, size_t len)
{
    u_char                   *s, *end, *start, *copy;
    ngx_uint_t                n;
    ngx_http_gongkai_path_t  *path;

    path = ngx_pcalloc(c->pool, sizeof(ngx_http_gongkai_path_t));
    if (path == NULL) {
        return NULL;
    }

    copy = ngx_pnalloc(c->pool, len + 1);
    if (copy == NULL) {
        return NULL;
    }

    ngx_memcpy(copy, p, len);
    copy[len] = '\0';

    if (len == 1 && p[0] == '.') {
        path->kind = NGX_HTTP_GONGKAI_PATH_SELF;
        return path;
    }

    if (len == 1 && p[0] == '#') {
        if (c->loops == 0) {
            ngx_http_gongkai_tmpl_error(c, node, "\"#\" outside g-each",
                                        NULL);
            return NULL;
        }

        path->kind = NGX_HTTP_GONGKAI_PATH_POS;
        return path;
    }

    end = copy + len;
    n = 1;

    for (s = copy; s < end; s++) {
        if (*s == '.') {
            n++;

        } else if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
                     || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
        {
            goto bad;
        }
    }

    path->kind = NGX_HTTP_GONGKAI_PATH_NAME;
    path->nseg = n;
    path->seg = ngx_palloc(c->pool, n * sizeof(ngx_str_t));
    if (path->seg == NULL) {
        return NULL;
    }

    n = 0;
    start = copy;

    for (s = copy; s <= end; s++) {
        if (s == end || *s == '.') {
            if (s == start) {
                goto bad;
            }

            path->seg[n].data = start;
            path->seg[n].len = s - start;
            n++;
            start = s + 1;
        }
    }

    return path;

bad:

    ngx_http_gongkai_tmpl_error(c, node, "bad path", copy);
    return NULL;
}


static ngx_http_gongkai_op_t *
ngx_http_gongkai_tmpl_op(ngx_http_gongkai_compile_t *c,
    ngx_http_gongkai_op_type_e type)
{
    ngx_http_gongkai_op_t  *op;

    if (ngx_http_gongkai_tmpl_flush(c) != NGX_OK) {
        return NULL;
    }

    op = ngx_array_push(&c->ops);
    if (op == NULL) {
        return NULL;
    }

    ngx_memzero(op, sizeof(ngx_http_gongkai_op_t));
    op->type = type;

    return op;
}


static ngx_int_t
ngx_http_gongkai_tmpl_literal(ngx_http_gongkai_compile_t *c, u_char *p,
    size_t len)
{
    u_char  *lit;
    size_t   size;

    if (c->lit_len + len > c->lit_size) {
        size = ngx_max(2 * c->lit_size, c->lit_len + len);
        size = ngx_max(size, 1024);

        lit = ngx_alloc(size, c->log);
        if (lit == NULL) {
            return NGX_ERROR;
        }

        if (c->lit != NULL) {
            ngx_memcpy(lit, c->lit, c->lit_len);
            ngx_free(c->lit);
        }

        c->lit = lit;
        c->lit_size = size;
    }

    ngx_memcpy(c->lit + c->lit_len, p, len);
    c->lit_len += len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_tmpl_literal_escaped(ngx_http_gongkai_compile_t *c,
    u_char *p, size_t len)
{
    u_char     *end, *start;
    ngx_int_t   rc;

    end = p + len;
    start = p;

    for ( /* void */ ; p < end; p++) {

        if (!ngx_http_gongkai_bit(ngx_http_gongkai_html_special, *p)) {
            continue;
        }

        if (ngx_http_gongkai_tmpl_literal(c, start, p - start) != NGX_OK) {
            return NGX_ERROR;
        }

        switch (*p) {
        case '&':
            rc = ngx_http_gongkai_tmpl_literal(c, (u_char *) "&amp;", 5);
            break;
        case '<':
            rc = ngx_http_gongkai_tmpl_literal(c, (u_char *) "&lt;", 4);
            break;
        case '>':
            rc = ngx_http_gongkai_tmpl_literal(c, (u_char *) "&gt;", 4);
            break;
        case '"':
            rc = ngx_http_gongkai_tmpl_literal(c, (u_char *) "&quot;", 6);
            break;
        default: /* '\'' */
            rc = ngx_http_gongkai_tmpl_literal(c, (u_char *) "&#39;", 5);
            break;
        }

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }

        start = p + 1;
    }

    return ngx_http_gongkai_tmpl_literal(c, start, p - start);
}


static ngx_int_t
ngx_http_gongkai_tmpl_flush(ngx_http_gongkai_compile_t *c)
{
    ngx_http_gongkai_op_t  *op;

    if (c->lit_len == 0) {
        return NGX_OK;
    }

    op = ngx_array_push(&c->ops);
    if (op == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(op, sizeof(ngx_http_gongkai_op_t));
    op->type = NGX_HTTP_GONGKAI_OP_LITERAL;

    op->data.data = ngx_pnalloc(c->pool, c->lit_len);
    if (op->data.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(op->data.data, c->lit, c->lit_len);
    op->data.len = c->lit_len;

    c->total += c->lit_len;
    c->lit_len = 0;

    return NGX_OK;
}


static void
ngx_http_gongkai_tmpl_error(ngx_http_gongkai_compile_t *c, xmlNodePtr node,
    const char *msg, u_char *arg)
{
    if (arg != NULL) {
        ngx_log_error(NGX_LOG_EMERG, c->log, 0,
                      "gongkai template \"%s\" line %d: %s \"%s\"",
                      c->file, (int) xmlGetLineNo(node), msg, arg);

    } else {
        ngx_log_error(NGX_LOG_EMERG, c->log, 0,
                      "gongkai template \"%s\" line %d: %s",
                      c->file, (int) xmlGetLineNo(node), msg);
    }
}


static ngx_uint_t
ngx_http_gongkai_tmpl_is(const u_char *name, const char **list)
{
    for ( /* void */ ; *list != NULL; list++) {
        if (ngx_strcmp(name, *list) == 0) {
            return 1;
        }
    }

    return 0;
}


static ngx_uint_t
ngx_http_gongkai_tmpl_blank(xmlNodePtr node)
{
    u_char  *p;

    for (p = node->content; p != NULL && *p; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r'
            && *p != '\f')
        {
            return 0;
        }
    }

    return 1;
}


ngx_int_t
ngx_http_gongkai_tmpl_render(ngx_pool_t *pool, ngx_http_gongkai_tmpl_t *t,
    ngx_http_gongkai_value_t *data, ngx_chain_t **out, size_t *len)
{
    ngx_str_t                   s;
    ngx_uint_t                  i, ok;
    ngx_http_gongkai_op_t      *op;
    ngx_http_gongkai_frame_t   *f;
    ngx_http_gongkai_value_t   *v;
    ngx_http_gongkai_render_t   r;

    r.pool = pool;
    r.out = NULL;
    r.last = &r.out;
    r.b = NULL;
    r.len = 0;
    r.scratch = NULL;
    r.scratch_size = 0;
    r.top = &r.frames[0];
    r.frames[0].cur = data;
    r.frames[0].index = 0;

    if (ngx_http_gongkai_render_buf(&r, ngx_max(t->size + 1024,
                                        NGX_HTTP_GONGKAI_TMPL_MIN_CHUNK))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    op = t->ops;
    i = 0;

    while (i < t->nops) {

        switch (op[i].type) {

        case NGX_HTTP_GONGKAI_OP_LITERAL:
            if (ngx_http_gongkai_render_write(&r, op[i].data.data,
                                              op[i].data.len)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            i++;
            break;

        case NGX_HTTP_GONGKAI_OP_TEXT:
        case NGX_HTTP_GONGKAI_OP_RAW:
            v = ngx_http_gongkai_render_path(&r, op[i].path);
            ngx_http_gongkai_render_text(v, &s);

            if (s.len) {
                if ((op[i].type == NGX_HTTP_GONGKAI_OP_TEXT
                     ? ngx_http_gongkai_render_escaped(&r, s.data, s.len)
                     : ngx_http_gongkai_render_write(&r, s.data, s.len))
                    != NGX_OK)
                {
                    return NGX_ERROR;
                }
            }

            i++;
            break;

        case NGX_HTTP_GONGKAI_OP_ATTR:
            if (ngx_http_gongkai_render_attr(&r, &op[i]) != NGX_OK) {
                return NGX_ERROR;
            }

            i++;
            break;

        case NGX_HTTP_GONGKAI_OP_IF:
            v = ngx_http_gongkai_render_path(&r, op[i].path);
            ok = ngx_http_gongkai_value_truthy(v);

            if (op[i].flags & NGX_HTTP_GONGKAI_OP_NEGATE) {
                ok = !ok;
            }

            i = ok ? i + 1 : op[i].jump;
            break;

        case NGX_HTTP_GONGKAI_OP_EACH:
            v = ngx_http_gongkai_render_path(&r, op[i].path);

            if (v == NULL || v->type != NGX_HTTP_GONGKAI_ARRAY
                || v->first == NULL)
            {
                i = op[i].jump;
                break;
            }

            /* the compiler limits the nesting to the frames available */

            f = ++r.top;
            f->cur = v->first;
            f->index = 0;
            ngx_http_gongkai_render_pos(f);

            i++;
            break;

        default: /* NGX_HTTP_GONGKAI_OP_END */
            f = r.top;
            f->cur = f->cur->next;

            if (f->cur != NULL) {
                f->index++;
                ngx_http_gongkai_render_pos(f);
                i = op[i].jump;

            } else {
                r.top--;
                i++;
            }

            break;
        }
    }

    *out = r.out;
    *len = r.len;

    return NGX_OK;
}


static void
ngx_http_gongkai_render_pos(ngx_http_gongkai_frame_t *f)
{
    u_char  *p;

    p = ngx_sprintf(f->digits, "%ui", f->index + 1);

    f->pos.type = NGX_HTTP_GONGKAI_NUMBER;
    f->pos.str.data = f->digits;
    f->pos.str.len = p - f->digits;
    f->pos.first = NULL;
    f->pos.n = 0;
}


static ngx_http_gongkai_value_t *
ngx_http_gongkai_render_path(ngx_http_gongkai_render_t *r,
    ngx_http_gongkai_path_t *path)
{
    ngx_uint_t                 i;
    ngx_http_gongkai_frame_t  *f;
    ngx_http_gongkai_value_t  *v;

    switch (path->kind) {

    case NGX_HTTP_GONGKAI_PATH_SELF:
        return r->top->cur;

    case NGX_HTTP_GONGKAI_PATH_POS:
        return &r->top->pos;

    default: /* NGX_HTTP_GONGKAI_PATH_NAME */
        break;
    }

    v = NULL;

    for (f = r->top; f >= r->frames; f--) {
        v = ngx_http_gongkai_value_get(f->cur, path->seg[0].data,
                                       path->seg[0].len);
        if (v != NULL) {
            break;
        }
    }

    for (i = 1; v != NULL && i < path->nseg; i++) {
        v = ngx_http_gongkai_value_get(v, path->seg[i].data,
                                       path->seg[i].len);
    }

    return v;
}


/* strings and numbers as they are, true and false as words, else nothing */

static void
ngx_http_gongkai_render_text(ngx_http_gongkai_value_t *v, ngx_str_t *s)
{
    if (v == NULL) {
        ngx_str_null(s);
        return;
    }

    switch (v->type) {

    case NGX_HTTP_GONGKAI_STRING:
    case NGX_HTTP_GONGKAI_NUMBER:
        *s = v->str;
        return;

    case NGX_HTTP_GONGKAI_TRUE:
        ngx_str_set(s, "true");
        return;

    case NGX_HTTP_GONGKAI_FALSE:
        ngx_str_set(s, "false");
        return;

    default:
        ngx_str_null(s);
        return;
    }
}


static ngx_int_t
ngx_http_gongkai_render_attr(ngx_http_gongkai_render_t *r,
    ngx_http_gongkai_op_t *op)
{
    u_char                   *p, *q, *end;
    size_t                    size;
    ngx_str_t                 s;
    ngx_uint_t                i;
    ngx_http_gongkai_part_t  *part;

    static u_char  hex[] = "0123456789ABCDEF";

    if (ngx_http_gongkai_render_write(r, op->data.data, op->data.len)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    part = op->parts;

    if (!(op->flags & NGX_HTTP_GONGKAI_OP_URL)) {

        for (i = 0; i < op->nparts; i++) {
            if (part[i].path == NULL) {
                if (ngx_http_gongkai_render_write(r, part[i].text.data,
                                                  part[i].text.len)
                    != NGX_OK)
                {
                    return NGX_ERROR;
                }

                continue;
            }

            ngx_http_gongkai_render_text(
                ngx_http_gongkai_render_path(r, part[i].path), &s);

            if (ngx_http_gongkai_render_escaped(r, s.data, s.len)
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        return ngx_http_gongkai_render_write(r, (u_char *) "\"", 1);
    }

    /* a URL: assemble it in the scratch area, check it, then escape it */

    size = 0;

    for (i = 0; i < op->nparts; i++) {
        if (part[i].path == NULL) {
            size += part[i].text.len;

        } else {
            ngx_http_gongkai_render_text(
                ngx_http_gongkai_render_path(r, part[i].path), &s);
            size += 3 * s.len;
        }
    }

    if (size > r->scratch_size) {
        r->scratch_size = ngx_max(size, 1024);
        r->scratch = ngx_pnalloc(r->pool, r->scratch_size);
        if (r->scratch == NULL) {
            return NGX_ERROR;
        }
    }

    q = r->scratch;

    for (i = 0; i < op->nparts; i++) {
        if (part[i].path == NULL) {
            q = ngx_cpymem(q, part[i].text.data, part[i].text.len);
            continue;
        }

        ngx_http_gongkai_render_text(
            ngx_http_gongkai_render_path(r, part[i].path), &s);

        /*
         * a value that begins the URL is a base ("{req.base}items/{id}"),
         * copied as it is like a whole-attribute value; the check below
         * still sees the complete URL
         */

        if ((op->flags & NGX_HTTP_GONGKAI_OP_WHOLE) || i == 0) {
            if (s.len) {
                q = ngx_cpymem(q, s.data, s.len);
            }

            continue;
        }

        end = s.data + s.len;

        for (p = s.data; p < end; p++) {
            if (ngx_http_gongkai_bit(ngx_http_gongkai_unreserved, *p)) {
                *q++ = *p;

            } else {
                *q++ = '%';
                *q++ = hex[*p >> 4];
                *q++ = hex[*p & 0xf];
            }
        }
    }

    if (ngx_http_gongkai_url_allowed(r->scratch, q - r->scratch)) {
        if (ngx_http_gongkai_render_escaped(r, r->scratch, q - r->scratch)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else if (ngx_http_gongkai_render_write(r, (u_char *) "#", 1)
               != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_gongkai_render_write(r, (u_char *) "\"", 1);
}


/*
 * A URL is allowed when it is relative or its scheme is http, https,
 * mailto or tel.  As browsers do, leading C0 controls and spaces are
 * skipped and tabs and newlines are ignored anywhere.  A ":" before the
 * first "/", "?" or "#" makes what precedes it a scheme; a scheme that is
 * not allowed, or not well-formed, is refused.
 */

static ngx_uint_t
ngx_http_gongkai_url_allowed(u_char *p, size_t len)
{
    u_char      c, *end;
    ngx_uint_t  n, bad;
    u_char      scheme[8];

    end = p + len;

    while (p < end && *p <= 0x20) {
        p++;
    }

    n = 0;
    bad = 0;

    for ( /* void */ ; p < end; p++) {
        c = *p;

        if (c == '\t' || c == '\n' || c == '\r') {
            continue;
        }

        if (c == ':') {
            break;
        }

        if (c == '/' || c == '?' || c == '#' || c == '\\') {
            return 1;
        }

        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;
        }

        if (!((c >= 'a' && c <= 'z') || (n && ((c >= '0' && c <= '9')
                                               || c == '+' || c == '-'
                                               || c == '.'))))
        {
            bad = 1;
        }

        if (n < sizeof(scheme)) {
            scheme[n] = c;
        }

        n++;
    }

    if (p == end) {
        return 1;   /* no scheme: a relative URL */
    }

    if (bad) {
        return 0;
    }

    switch (n) {
    case 3:
        return ngx_strncmp(scheme, "tel", 3) == 0;
    case 4:
        return ngx_strncmp(scheme, "http", 4) == 0;
    case 5:
        return ngx_strncmp(scheme, "https", 5) == 0;
    case 6:
        return ngx_strncmp(scheme, "mailto", 6) == 0;
    default:
        return 0;
    }
}


static ngx_int_t
ngx_http_gongkai_render_buf(ngx_http_gongkai_render_t *r, size_t size)
{
    ngx_chain_t  *cl;

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = ngx_create_temp_buf(r->pool, size);
    if (cl->buf == NULL) {
        return NGX_ERROR;
    }

    cl->next = NULL;
    *r->last = cl;
    r->last = &cl->next;
    r->b = cl->buf;

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_render_write(ngx_http_gongkai_render_t *r, u_char *p,
    size_t len)
{
    size_t  n;

    if (len == 0) {
        return NGX_OK;
    }

    r->len += len;

    for ( ;; ) {
        n = r->b->end - r->b->last;

        if (len <= n) {
            r->b->last = ngx_cpymem(r->b->last, p, len);
            return NGX_OK;
        }

        r->b->last = ngx_cpymem(r->b->last, p, n);
        p += n;
        len -= n;

        if (ngx_http_gongkai_render_buf(r, NGX_HTTP_GONGKAI_TMPL_CHUNK)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }
}


static ngx_int_t
ngx_http_gongkai_render_escaped(ngx_http_gongkai_render_t *r, u_char *p,
    size_t len)
{
    u_char     *end, *start;
    ngx_str_t   e;

    end = p + len;
    start = p;

    for ( /* void */ ; p < end; p++) {

        if (!ngx_http_gongkai_bit(ngx_http_gongkai_html_special, *p)) {
            continue;
        }

        switch (*p) {
        case '&':
            ngx_str_set(&e, "&amp;");
            break;
        case '<':
            ngx_str_set(&e, "&lt;");
            break;
        case '>':
            ngx_str_set(&e, "&gt;");
            break;
        case '"':
            ngx_str_set(&e, "&quot;");
            break;
        default: /* '\'' */
            ngx_str_set(&e, "&#39;");
            break;
        }

        if (ngx_http_gongkai_render_write(r, start, p - start) != NGX_OK
            || ngx_http_gongkai_render_write(r, e.data, e.len) != NGX_OK)
        {
            return NGX_ERROR;
        }

        start = p + 1;
    }

    return ngx_http_gongkai_render_write(r, start, p - start);
}
