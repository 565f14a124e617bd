
/*
 * Rich-text sanitiser (ngx_http_gongkai_sanitize.h).
 *
 * The fragment is parsed with libxml2's HTML parser behind an explicit
 * "<body>", so that text at the top level stays where it is instead of
 * being wrapped in an implied <p>.  (HTML_PARSE_NOIMPLIED would avoid the
 * wrapping too, but libxml2 2.9 then nests every top-level node inside
 * the first one.)  The encoding is forced to UTF-8, so a <meta charset>
 * in the input changes nothing.
 *
 * The tree is walked without recursion (a deeply nested input cannot
 * exhaust the stack) and written back out element by element: nothing
 * of libxml2's own serialiser is used, every text and attribute value is
 * escaped here, and only allow-listed names ever reach the output.
 * Mirroring the tree closes every element that is opened, so the output
 * is well-formed whatever the input was: even as XML, as the two void
 * elements are written "<br />" and "<hr />".
 *
 * URLs (a@href): libxml2 has already decoded character references, so
 * the decoded value is checked.  As browsers do, leading and trailing
 * spaces and C0 controls are removed and tabs and newlines are ignored
 * anywhere ("jav&#x09;ascript:" is "javascript:"); the cleaned value is
 * what is checked and what is written.  A ":" before the first "/", "?",
 * "#" or "\" makes what precedes it a scheme: only http and https
 * (case-insensitive) are kept; anything else, or a value with other
 * control characters, drops the attribute.  HTML5's named references
 * that libxml2 2.9 does not know ("&colon;", "&Tab;") stay text, and as
 * the "&" is written "&amp;" the browser sees them as text too.
 *
 * libxml2 stops at a nesting depth of 256: what lies deeper is lost (no
 * real body nests so deep), the output stays well-formed.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <libxml/HTMLparser.h>
#include "ngx_http_gongkai_sanitize.h"


#define NGX_HTTP_GONGKAI_SAN_UNWRAP   0
#define NGX_HTTP_GONGKAI_SAN_KEEP     1
#define NGX_HTTP_GONGKAI_SAN_VOID     2
#define NGX_HTTP_GONGKAI_SAN_DROP     3

/* the attributes an element may keep */
#define NGX_HTTP_GONGKAI_SAN_NONE     0
#define NGX_HTTP_GONGKAI_SAN_A        1     /* href, title */
#define NGX_HTTP_GONGKAI_SAN_TH       2     /* scope, colspan, rowspan */
#define NGX_HTTP_GONGKAI_SAN_TD       3     /* colspan, rowspan */
#define NGX_HTTP_GONGKAI_SAN_OL       4     /* start */

#define NGX_HTTP_GONGKAI_SAN_HREF     0x01
#define NGX_HTTP_GONGKAI_SAN_TITLE    0x02
#define NGX_HTTP_GONGKAI_SAN_SCOPE    0x04
#define NGX_HTTP_GONGKAI_SAN_COLSPAN  0x08
#define NGX_HTTP_GONGKAI_SAN_ROWSPAN  0x10
#define NGX_HTTP_GONGKAI_SAN_START    0x20

#define NGX_HTTP_GONGKAI_SAN_PREFIX   "<body>"


typedef struct {
    const char   *name;
    const char   *out;       /* the name written; NULL: the same */
    ngx_uint_t    action;
    ngx_uint_t    attrs;
} ngx_http_gongkai_san_elt_t;


typedef struct {
    ngx_pool_t   *pool;
    ngx_log_t    *log;
    u_char       *start;
    u_char       *pos;
    u_char       *end;
} ngx_http_gongkai_san_t;


static ngx_http_gongkai_san_elt_t *ngx_http_gongkai_san_lookup(
    const xmlChar *name);
static ngx_int_t ngx_http_gongkai_san_walk(ngx_http_gongkai_san_t *s,
    xmlNodePtr node);
static ngx_int_t ngx_http_gongkai_san_open(ngx_http_gongkai_san_t *s,
    xmlNodePtr node, ngx_http_gongkai_san_elt_t *elt);
static ngx_int_t ngx_http_gongkai_san_close(ngx_http_gongkai_san_t *s,
    ngx_http_gongkai_san_elt_t *elt);
static ngx_int_t ngx_http_gongkai_san_attr(ngx_http_gongkai_san_t *s,
    ngx_http_gongkai_san_elt_t *elt, xmlAttrPtr a, ngx_uint_t *seen,
    ngx_uint_t *external);
static ngx_uint_t ngx_http_gongkai_san_url(u_char *p, size_t len,
    ngx_str_t *url, ngx_uint_t *external);
static ngx_uint_t ngx_http_gongkai_san_number(u_char *p, size_t len,
    ngx_uint_t max, ngx_uint_t *n);
static ngx_str_t *ngx_http_gongkai_san_trim(ngx_str_t *v);
static ngx_int_t ngx_http_gongkai_san_attr_write(ngx_http_gongkai_san_t *s,
    const char *name, u_char *value, size_t len);
static ngx_int_t ngx_http_gongkai_san_write(ngx_http_gongkai_san_t *s,
    const char *p, size_t len);
static ngx_int_t ngx_http_gongkai_san_escape(ngx_http_gongkai_san_t *s,
    u_char *p, size_t len);
static ngx_int_t ngx_http_gongkai_san_reserve(ngx_http_gongkai_san_t *s,
    size_t n);


static ngx_http_gongkai_san_elt_t  ngx_http_gongkai_san_elts[] = {

    /* kept */

    { "p", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "br", NULL, NGX_HTTP_GONGKAI_SAN_VOID, NGX_HTTP_GONGKAI_SAN_NONE },
    { "h1", "h2", NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "h2", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "h3", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "h4", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "h5", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "h6", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "ul", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "ol", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_OL },
    { "li", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "dl", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "dt", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "dd", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "table", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "caption", NULL, NGX_HTTP_GONGKAI_SAN_KEEP,
      NGX_HTTP_GONGKAI_SAN_NONE },
    { "thead", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "tbody", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "tfoot", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "tr", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "th", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_TH },
    { "td", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_TD },
    { "a", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_A },
    { "strong", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "em", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "b", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "i", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "u", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "s", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "sub", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "sup", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "blockquote", NULL, NGX_HTTP_GONGKAI_SAN_KEEP,
      NGX_HTTP_GONGKAI_SAN_NONE },
    { "pre", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "code", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "hr", NULL, NGX_HTTP_GONGKAI_SAN_VOID, NGX_HTTP_GONGKAI_SAN_NONE },
    { "span", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },
    { "div", NULL, NGX_HTTP_GONGKAI_SAN_KEEP, NGX_HTTP_GONGKAI_SAN_NONE },

    /* dropped with their content */

    { "script", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "style", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "iframe", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "frame", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "frameset", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "object", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "applet", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "svg", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "math", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "form", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "input", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "button", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "select", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "textarea", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "template", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "noscript", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "link", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "meta", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "base", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "title", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "head", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "audio", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "video", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "canvas", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "param", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },

    /*
     * Void in HTML5 but not to libxml2 2.9, which makes what follows them
     * their children: the element goes, the content after it is walked.
     */

    { "embed", NULL, NGX_HTTP_GONGKAI_SAN_UNWRAP, 0 },
    { "source", NULL, NGX_HTTP_GONGKAI_SAN_UNWRAP, 0 },
    { "track", NULL, NGX_HTTP_GONGKAI_SAN_UNWRAP, 0 },
    { "wbr", NULL, NGX_HTTP_GONGKAI_SAN_UNWRAP, 0 },
    { "keygen", NULL, NGX_HTTP_GONGKAI_SAN_UNWRAP, 0 },

    /* raw-text and legacy elements browsers treat specially */

    { "xmp", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "plaintext", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "listing", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "noembed", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "noframes", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "option", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },
    { "optgroup", NULL, NGX_HTTP_GONGKAI_SAN_DROP, 0 },

    { NULL, NULL, 0, 0 }
};


ngx_int_t
ngx_http_gongkai_sanitize_html(ngx_pool_t *pool, ngx_log_t *log,
    u_char *in, size_t len, ngx_str_t *out)
{
    u_char                 *buf;
    size_t                  size;
    ngx_int_t               rc;
    xmlDocPtr               doc;
    htmlParserCtxtPtr       ctxt;
    ngx_http_gongkai_san_t  s;

    out->len = 0;
    out->data = (u_char *) "";

    if (len == 0) {
        return NGX_OK;
    }

    size = sizeof(NGX_HTTP_GONGKAI_SAN_PREFIX) - 1 + len;

    if (size > NGX_MAX_INT32_VALUE) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "gongkai sanitize: input of %uz bytes is too long",
                      len);
        return NGX_ERROR;
    }

    buf = ngx_pnalloc(pool, size);
    if (buf == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(ngx_cpymem(buf, NGX_HTTP_GONGKAI_SAN_PREFIX,
                          sizeof(NGX_HTTP_GONGKAI_SAN_PREFIX) - 1),
               in, len);

    ctxt = htmlNewParserCtxt();
    if (ctxt == NULL) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "gongkai sanitize: htmlNewParserCtxt() failed");
        return NGX_ERROR;
    }

    doc = htmlCtxtReadMemory(ctxt, (const char *) buf, (int) size, NULL,
                             "UTF-8",
                             HTML_PARSE_NONET|HTML_PARSE_NOERROR
                             |HTML_PARSE_NOWARNING|HTML_PARSE_NODEFDTD);

    htmlFreeParserCtxt(ctxt);

    if (doc == NULL) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "gongkai sanitize: the HTML parser failed");
        return NGX_ERROR;
    }

    s.pool = pool;
    s.log = log;
    s.start = NULL;
    s.pos = NULL;
    s.end = NULL;

    rc = ngx_http_gongkai_san_walk(&s, doc->children);

    xmlFreeDoc(doc);

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "gongkai sanitize: out of memory");
        return NGX_ERROR;
    }

    if (s.start != NULL) {
        out->data = s.start;
        out->len = s.pos - s.start;
    }

    return NGX_OK;
}


static ngx_http_gongkai_san_elt_t *
ngx_http_gongkai_san_lookup(const xmlChar *name)
{
    ngx_http_gongkai_san_elt_t  *e;

    for (e = ngx_http_gongkai_san_elts; e->name != NULL; e++) {
        if (ngx_strcmp(name, e->name) == 0) {
            return e;
        }
    }

    return NULL;
}


/*
 * Depth-first, without recursion: down into kept and unwrapped elements,
 * and on the way back up the end tags of the kept ones.
 */

static ngx_int_t
ngx_http_gongkai_san_walk(ngx_http_gongkai_san_t *s, xmlNodePtr node)
{
    ngx_uint_t                   down;
    ngx_http_gongkai_san_elt_t  *elt;

    while (node != NULL) {

        down = 0;

        switch (node->type) {

        case XML_ELEMENT_NODE:
            elt = ngx_http_gongkai_san_lookup(node->name);

            if (elt == NULL || elt->action == NGX_HTTP_GONGKAI_SAN_UNWRAP) {
                down = 1;
                break;
            }

            if (elt->action == NGX_HTTP_GONGKAI_SAN_DROP) {
                break;
            }

            if (ngx_http_gongkai_san_open(s, node, elt) != NGX_OK) {
                return NGX_ERROR;
            }

            if (elt->action == NGX_HTTP_GONGKAI_SAN_VOID) {
                break;
            }

            if (node->children == NULL) {
                if (ngx_http_gongkai_san_close(s, elt) != NGX_OK) {
                    return NGX_ERROR;
                }

                break;
            }

            down = 1;
            break;

        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            if (node->content != NULL
                && ngx_http_gongkai_san_escape(s, node->content,
                                       ngx_strlen(node->content))
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            break;

        default:
            /* comments, processing instructions, DTDs, entities */
            break;
        }

        if (down && node->children != NULL) {
            node = node->children;
            continue;
        }

        while (node->next == NULL) {
            node = node->parent;

            if (node == NULL || node->type != XML_ELEMENT_NODE) {
                return NGX_OK;
            }

            elt = ngx_http_gongkai_san_lookup(node->name);

            if (elt != NULL && elt->action == NGX_HTTP_GONGKAI_SAN_KEEP
                && ngx_http_gongkai_san_close(s, elt) != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        node = node->next;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_san_open(ngx_http_gongkai_san_t *s, xmlNodePtr node,
    ngx_http_gongkai_san_elt_t *elt)
{
    const char  *name;
    xmlAttrPtr   a;
    ngx_uint_t   seen, external;

    name = elt->out ? elt->out : elt->name;

    if (ngx_http_gongkai_san_write(s, "<", 1) != NGX_OK
        || ngx_http_gongkai_san_write(s, name, ngx_strlen(name)) != NGX_OK)
    {
        return NGX_ERROR;
    }

    seen = 0;
    external = 0;

    if (elt->attrs != NGX_HTTP_GONGKAI_SAN_NONE) {
        for (a = node->properties; a != NULL; a = a->next) {
            if (ngx_http_gongkai_san_attr(s, elt, a, &seen, &external)
                != NGX_OK)
            {
                return NGX_ERROR;
            }
        }
    }

    if (external) {
        if (ngx_http_gongkai_san_write(s, " rel=\"noopener noreferrer\"",
                        sizeof(" rel=\"noopener noreferrer\"") - 1)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (elt->action == NGX_HTTP_GONGKAI_SAN_VOID) {
        return ngx_http_gongkai_san_write(s, " />", 3);
    }

    return ngx_http_gongkai_san_write(s, ">", 1);
}


static ngx_int_t
ngx_http_gongkai_san_close(ngx_http_gongkai_san_t *s,
    ngx_http_gongkai_san_elt_t *elt)
{
    const char  *name;

    if (elt->action != NGX_HTTP_GONGKAI_SAN_KEEP) {
        return NGX_OK;
    }

    name = elt->out ? elt->out : elt->name;

    if (ngx_http_gongkai_san_write(s, "</", 2) != NGX_OK
        || ngx_http_gongkai_san_write(s, name, ngx_strlen(name)) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_gongkai_san_write(s, ">", 1);
}


/*
 * One attribute of a kept element: written when its name is allowed for
 * the element, its value passes the check and the same name was not
 * written already.
 */

static ngx_int_t
ngx_http_gongkai_san_attr(ngx_http_gongkai_san_t *s,
    ngx_http_gongkai_san_elt_t *elt, xmlAttrPtr a, ngx_uint_t *seen,
    ngx_uint_t *external)
{
    u_char       *value, num[NGX_INT_T_LEN];
    ngx_str_t     v, url;
    ngx_int_t     rc;
    ngx_uint_t    bit, n, ext;
    const char   *name;

    if (a->type != XML_ATTRIBUTE_NODE || a->ns != NULL) {
        return NGX_OK;
    }

    name = (const char *) a->name;
    bit = 0;

    switch (elt->attrs) {

    case NGX_HTTP_GONGKAI_SAN_A:
        if (ngx_strcmp(name, "href") == 0) {
            bit = NGX_HTTP_GONGKAI_SAN_HREF;

        } else if (ngx_strcmp(name, "title") == 0) {
            bit = NGX_HTTP_GONGKAI_SAN_TITLE;
        }

        break;

    case NGX_HTTP_GONGKAI_SAN_TH:
        if (ngx_strcmp(name, "scope") == 0) {
            bit = NGX_HTTP_GONGKAI_SAN_SCOPE;
            break;
        }

        /* fall through */

    case NGX_HTTP_GONGKAI_SAN_TD:
        if (ngx_strcmp(name, "colspan") == 0) {
            bit = NGX_HTTP_GONGKAI_SAN_COLSPAN;

        } else if (ngx_strcmp(name, "rowspan") == 0) {
            bit = NGX_HTTP_GONGKAI_SAN_ROWSPAN;
        }

        break;

    case NGX_HTTP_GONGKAI_SAN_OL:
        if (ngx_strcmp(name, "start") == 0) {
            bit = NGX_HTTP_GONGKAI_SAN_START;
        }

        break;
    }

    if (bit == 0 || (*seen & bit)) {
        return NGX_OK;
    }

    value = xmlNodeGetContent((xmlNodePtr) a);
    if (value == NULL) {
        /* no value at all: nothing worth keeping */
        return NGX_OK;
    }

    v.data = value;
    v.len = ngx_strlen(value);

    rc = NGX_OK;

    switch (bit) {

    case NGX_HTTP_GONGKAI_SAN_HREF:
        if (ngx_http_gongkai_san_url(v.data, v.len, &url, &ext)) {
            *seen |= bit;
            *external = ext;
            rc = ngx_http_gongkai_san_attr_write(s, name, url.data, url.len);
        }

        break;

    case NGX_HTTP_GONGKAI_SAN_TITLE:
        *seen |= bit;
        rc = ngx_http_gongkai_san_attr_write(s, name, v.data, v.len);
        break;

    case NGX_HTTP_GONGKAI_SAN_SCOPE:
        ngx_http_gongkai_san_trim(&v);
        ngx_strlow(v.data, v.data, v.len);

        if ((v.len == 3 && ngx_strncmp(v.data, "row", 3) == 0)
            || (v.len == 3 && ngx_strncmp(v.data, "col", 3) == 0)
            || (v.len == 8 && ngx_strncmp(v.data, "rowgroup", 8) == 0)
            || (v.len == 8 && ngx_strncmp(v.data, "colgroup", 8) == 0))
        {
            *seen |= bit;
            rc = ngx_http_gongkai_san_attr_write(s, name, v.data, v.len);
        }

        break;

    default: /* colspan, rowspan, start */
        ngx_http_gongkai_san_trim(&v);

        if (ngx_http_gongkai_san_number(v.data, v.len,
                                        (bit == NGX_HTTP_GONGKAI_SAN_START)
                                        ? 999999999 : 1000, &n)
            && (n >= 1 || bit == NGX_HTTP_GONGKAI_SAN_START))
        {
            *seen |= bit;
            rc = ngx_http_gongkai_san_attr_write(s, name, num,
                                           ngx_sprintf(num, "%ui", n) - num);
        }

        break;
    }

    xmlFree(value);

    return rc;
}


/*
 * Clean a URL in place (see the top of the file) and decide whether it
 * may be kept; *external is set for a URL with a scheme or one that
 * starts with two slashes (a link to another host).
 */

static ngx_uint_t
ngx_http_gongkai_san_url(u_char *p, size_t len, ngx_str_t *url,
    ngx_uint_t *external)
{
    u_char      c, *end, *d, *q;
    ngx_uint_t  n;

    end = p + len;

    while (p < end && *p <= 0x20) {
        p++;
    }

    while (end > p && end[-1] <= 0x20) {
        end--;
    }

    /* tabs and newlines are ignored anywhere; other controls refused */

    for (d = p, q = p; q < end; q++) {
        c = *q;

        if (c == '\t' || c == '\n' || c == '\r') {
            continue;
        }

        if (c < 0x20 || c == 0x7f) {
            return 0;
        }

        *d++ = c;
    }

    url->data = p;
    url->len = d - p;
    end = d;

    *external = 0;

    for (q = p; q < end; q++) {
        c = *q;

        if (c == '/' || c == '?' || c == '#' || c == '\\') {
            /* no scheme: a relative URL, maybe network-path ("//host") */

            if (q == p && url->len > 1
                && (p[1] == '/' || p[1] == '\\'))
            {
                *external = 1;
            }

            return 1;
        }

        if (c == ':') {
            break;
        }
    }

    if (q == end) {
        return 1;
    }

    n = q - p;

    if ((n == 4 && ngx_strncasecmp(p, (u_char *) "http", 4) == 0)
        || (n == 5 && ngx_strncasecmp(p, (u_char *) "https", 5) == 0))
    {
        *external = 1;
        return 1;
    }

    return 0;
}


/* decimal digits only, at most max; *n gets the value */

static ngx_uint_t
ngx_http_gongkai_san_number(u_char *p, size_t len, ngx_uint_t max,
    ngx_uint_t *n)
{
    u_char      *end;
    ngx_uint_t   v;

    if (len == 0) {
        return 0;
    }

    v = 0;

    for (end = p + len; p < end; p++) {
        if (*p < '0' || *p > '9') {
            return 0;
        }

        v = v * 10 + (*p - '0');

        if (v > max) {
            return 0;
        }
    }

    *n = v;

    return 1;
}


/* HTML's ASCII whitespace around a keyword or number */

static ngx_str_t *
ngx_http_gongkai_san_trim(ngx_str_t *v)
{
    while (v->len
           && (v->data[0] == ' ' || v->data[0] == '\t'
               || v->data[0] == '\n' || v->data[0] == '\r'
               || v->data[0] == '\f'))
    {
        v->data++;
        v->len--;
    }

    while (v->len
           && (v->data[v->len - 1] == ' ' || v->data[v->len - 1] == '\t'
               || v->data[v->len - 1] == '\n'
               || v->data[v->len - 1] == '\r'
               || v->data[v->len - 1] == '\f'))
    {
        v->len--;
    }

    return v;
}


static ngx_int_t
ngx_http_gongkai_san_attr_write(ngx_http_gongkai_san_t *s, const char *name,
    u_char *value, size_t len)
{
    if (ngx_http_gongkai_san_write(s, " ", 1) != NGX_OK
        || ngx_http_gongkai_san_write(s, name, ngx_strlen(name)) != NGX_OK
        || ngx_http_gongkai_san_write(s, "=\"", 2) != NGX_OK
        || ngx_http_gongkai_san_escape(s, value, len) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_gongkai_san_write(s, "\"", 1);
}


static ngx_int_t
ngx_http_gongkai_san_write(ngx_http_gongkai_san_t *s, const char *p,
    size_t len)
{
    if (ngx_http_gongkai_san_reserve(s, len) != NGX_OK) {
        return NGX_ERROR;
    }

    s->pos = ngx_cpymem(s->pos, p, len);

    return NGX_OK;
}


/*
 * Text and attribute values: & < > " ' become references; C0 controls
 * other than tab, newline and carriage return, and DEL, are dropped.
 */

static ngx_int_t
ngx_http_gongkai_san_escape(ngx_http_gongkai_san_t *s, u_char *p,
    size_t len)
{
    u_char  c, *q, *end;
    size_t  size;

    end = p + len;
    size = len;

    for (q = p; q < end; q++) {
        switch (*q) {
        case '&':
        case '\'':
            size += 4;
            break;
        case '<':
        case '>':
            size += 3;
            break;
        case '"':
            size += 5;
            break;
        }
    }

    if (ngx_http_gongkai_san_reserve(s, size) != NGX_OK) {
        return NGX_ERROR;
    }

    for ( /* void */ ; p < end; p++) {
        c = *p;

        switch (c) {

        case '&':
            s->pos = ngx_cpymem(s->pos, "&amp;", 5);
            break;

        case '<':
            s->pos = ngx_cpymem(s->pos, "&lt;", 4);
            break;

        case '>':
            s->pos = ngx_cpymem(s->pos, "&gt;", 4);
            break;

        case '"':
            s->pos = ngx_cpymem(s->pos, "&quot;", 6);
            break;

        case '\'':
            s->pos = ngx_cpymem(s->pos, "&#39;", 5);
            break;

        default:
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                || c == 0x7f)
            {
                break;
            }

            *s->pos++ = c;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_san_reserve(ngx_http_gongkai_san_t *s, size_t n)
{
    size_t   size, used;
    u_char  *p;

    if ((size_t) (s->end - s->pos) >= n) {
        return NGX_OK;
    }

    used = s->pos - s->start;
    size = ngx_max(2 * (size_t) (s->end - s->start), used + n);
    size = ngx_max(size, 1024);

    p = ngx_pnalloc(s->pool, size);
    if (p == NULL) {
        return NGX_ERROR;
    }

    if (used) {
        ngx_memcpy(p, s->start, used);
    }

    s->start = p;
    s->pos = p + used;
    s->end = p + size;

    return NGX_OK;
}
