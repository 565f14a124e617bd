
/*
 * Unit tests: the template compiler and renderer.  Each test writes a
 * small layout and pages into a temporary directory, loads it and renders
 * pages with JSON data.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ngx_http_gongkai_value.h"
#include "ngx_http_gongkai_tmpl.h"
#include "support.h"


#define LAYOUT                                                               \
    "<!DOCTYPE html>\n"                                                      \
    "<html lang=\"zh-CN\"><head><title g-slot=\"title\">Default</title>"     \
    "</head><body><main g-slot=\"main\">none</main></body></html>\n"

#define HEAD                                                                 \
    "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><title>Default</title>"     \
    "</head><body><main>"

#define TAIL  "</main></body></html>\n"


typedef struct {
    ngx_pool_t                   *pool;
    char                         *dir;
    ngx_http_gongkai_tmpl_set_t  *set;
} ctx_t;


static int
setup(void **state)
{
    ctx_t  *c;

    c = calloc(1, sizeof(ctx_t));
    c->pool = unit_pool();
    c->dir = unit_tmpdir();
    unit_log_reset();
    *state = c;

    return 0;
}


static int
teardown(void **state)
{
    ctx_t  *c = *state;

    unit_rmdir(c->dir);
    free(c->dir);
    ngx_destroy_pool(c->pool);
    free(c);

    return 0;
}


static ngx_http_gongkai_tmpl_set_t *
load(ctx_t *c)
{
    ngx_str_t  dir;

    dir.data = (u_char *) c->dir;
    dir.len = strlen(c->dir);

    c->set = ngx_http_gongkai_tmpl_load(c->pool, &unit_log, &dir);

    return c->set;
}


/* load the directory with the standard layout and one page "p" */

static void
page(ctx_t *c, const char *text)
{
    unit_write(c->dir, "layout.html", LAYOUT);
    unit_write(c->dir, "p.html", text);

    if (load(c) == NULL) {
        fail_msg("load failed: %s", unit_log_text());
    }
}


static char *
render(ctx_t *c, const char *name, const char *json)
{
    size_t                     len;
    const char                *err;
    ngx_chain_t               *out;
    ngx_http_gongkai_tmpl_t   *t;
    ngx_http_gongkai_value_t  *data;

    t = ngx_http_gongkai_tmpl_get(c->set, name);
    assert_non_null(t);

    data = ngx_http_gongkai_json_parse(c->pool, (u_char *) json,
                                       strlen(json), &err);
    if (data == NULL) {
        fail_msg("bad test JSON: %s", err);
    }

    assert_int_equal(ngx_http_gongkai_tmpl_render(c->pool, t, data, &out,
                                                  &len), NGX_OK);

    return unit_chain_text(c->pool, out, len);
}


/* the page's main slot content, with the layout around it checked */

static char *
main_of(ctx_t *c, const char *json)
{
    char    *s, *end;
    size_t   hl, tl, len;

    s = render(c, "p", json);
    hl = strlen(HEAD);
    tl = strlen(TAIL);
    len = strlen(s);

    if (len < hl + tl || strncmp(s, HEAD, hl) != 0
        || strcmp(s + len - tl, TAIL) != 0)
    {
        fail_msg("unexpected page: %s", s);
    }

    end = s + len - tl;
    *end = '\0';

    return s + hl;
}


static void
assert_error(ctx_t *c, const char *file, int line, const char *what)
{
    char        expect[1024];
    const char  *log;

    assert_null(load(c));

    log = unit_log_text();
    snprintf(expect, sizeof(expect), "gongkai template \"%s/%s\" line %d: ",
             c->dir, file, line);

    if (strstr(log, expect) == NULL || strstr(log, what) == NULL) {
        fail_msg("expected \"%s...%s\", logged: %s", expect, what, log);
    }
}


static void
test_layout_and_fill(void **state)
{
    ctx_t  *c = *state;

    page(c, "<span g-fill=\"main\"><p class=\"x\">Hello, <b>world</b></p>"
            "</span>\n");

    assert_string_equal(main_of(c, "{}"),
                        "<p class=\"x\">Hello, <b>world</b></p>");

    /* the layout itself, slots with their own content */
    assert_string_equal(render(c, "layout", "{}"), HEAD "none" TAIL);

    assert_null(ngx_http_gongkai_tmpl_get(c->set, "missing"));
    assert_null(ngx_http_gongkai_tmpl_get(c->set, "p.html"));
}


static void
test_fill_title_and_default(void **state)
{
    ctx_t  *c = *state;
    char   *s;

    unit_write(c->dir, "layout.html",
               "<!DOCTYPE html>\n<html><head>"
               "<title g-slot=\"title\">Site</title></head><body>"
               "<h1 g-slot=\"title\">Site</h1>"
               "<nav g-slot=\"nav\"><a href=\"/\">home</a></nav>"
               "<main g-slot=\"main\"></main></body></html>");
    unit_write(c->dir, "p.html",
               "<title g-fill=\"title\">T <i g-text=\"x\"></i></title>\n"
               "<div g-fill=\"main\">M</div>\n");
    assert_non_null(load(c));

    s = render(c, "p", "{\"x\":\"1\"}");
    assert_string_equal(s,
        "<!DOCTYPE html>\n<html><head><title>T <i>1</i></title></head>"
        "<body><h1>T <i>1</i></h1><nav><a href=\"/\">home</a></nav>"
        "<main>M</main></body></html>\n");
}


static void
test_serialisation(void **state)
{
    ctx_t  *c = *state;

    page(c, "<div g-fill=\"main\"><!-- gone -->"
            "<img src=\"/a.png\" alt=\"&quot;a&amp;b&quot;\"><br>"
            "<input type=\"checkbox\" checked name=q>"
            "<script>if (a < b && c > d) { x = \"<\\/p>\"; }</script>"
            "<style>p > b { color: red }</style>"
            "<p>&lt;tag&gt; &amp; &copy; 5 &gt; 3</p></div>");

    assert_string_equal(main_of(c, "{}"),
        "<img src=\"/a.png\" alt=\"&quot;a&amp;b&quot;\"><br>"
        "<input type=\"checkbox\" checked=\"checked\" name=\"q\">"
        "<script>if (a < b && c > d) { x = \"<\\/p>\"; }</script>"
        "<style>p > b { color: red }</style>"
        "<p>&lt;tag&gt; &amp; \xc2\xa9 5 &gt; 3</p>");
}


static void
test_text_escaping(void **state)
{
    ctx_t  *c = *state;

    page(c, "<div g-fill=\"main\"><p g-text=\"v\">placeholder <b>x</b></p>"
            "<p g-text=\"n\"></p><p g-text=\"t\"></p><p g-text=\"f\"></p>"
            "<p g-text=\"z\"></p><p g-text=\"o\"></p><p g-text=\"a\"></p>"
            "<p g-text=\"missing.deep\"></p></div>");

    assert_string_equal(main_of(c,
        "{\"v\":\"<script>alert('x') & \\\"y\\\"</script>\",\"n\":-1.5,"
        "\"t\":true,\"f\":false,\"z\":null,\"o\":{\"a\":1},\"a\":[1]}"),
        "<p>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;"
        "&lt;/script&gt;</p><p>-1.5</p><p>true</p><p>false</p><p></p>"
        "<p></p><p></p><p></p>");
}


static void
test_attr_escaping(void **state)
{
    ctx_t  *c = *state;

    page(c, "<div g-fill=\"main\"><a title=\"static\" "
            "g-attr-title=\"pre {v} post {{x}\" g-attr-data-n=\"{n}\" "
            "class=\"k\">x</a></div>");

    assert_string_equal(main_of(c,
        "{\"v\":\"\\\"><script>&'<\",\"n\":7}"),
        "<a title=\"pre &quot;&gt;&lt;script&gt;&amp;&#39;&lt; post {x}\" "
        "data-n=\"7\" class=\"k\">x</a>");
}


static void
test_url_refused(void **state)
{
    ctx_t   *c = *state;
    char    *s, json[512];
    size_t   i;

    static const char  *bad[] = {
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  JaVa\\tScRipt:alert(1)",
        "\\u0001\\u0002 javascript:alert(1)",
        "\\n\\rjavascript:alert(1)",
        "java\\nscript:alert(1)",
        "java\\r\\nscript:alert(1)",
        "javascript\\t:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "DATA:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "file:///etc/passwd",
        "jav\\u0000ascript:x" + 0,
        "java\\u0001script:alert(1)",
        "\\u00a0javascript:alert(1)",
        ":alert(1)",
        "httpx://a",
        "https-evil:x",
    };

    page(c, "<div g-fill=\"main\"><a g-attr-href=\"{u}\">x</a>"
            "<img g-attr-src=\"{u}\"><form g-attr-action=\"{u}\"></form>"
            "</div>");

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (strstr(bad[i], "\\u0000") != NULL) {
            continue;   /* JSON refuses it before we get here */
        }

        snprintf(json, sizeof(json), "{\"u\":\"%s\"}", bad[i]);
        s = main_of(c, json);

        if (strcmp(s, "<a href=\"#\">x</a><img src=\"#\">"
                      "<form action=\"#\"></form>") != 0)
        {
            fail_msg("not refused: %s -> %s", bad[i], s);
        }
    }

    /* a value cannot complete a scheme written in the template */
    unit_rmdir(c->dir);
    free(c->dir);
    c->dir = unit_tmpdir();
    page(c, "<div g-fill=\"main\"><a g-attr-href=\"{s}:alert(1)\">x</a>"
            "<a g-attr-href=\"java{s}:alert(1)\">y</a></div>");
    assert_string_equal(main_of(c, "{\"s\":\"javascript\"}"),
                        "<a href=\"#\">x</a><a href=\"#\">y</a>");
}


static void
test_url_allowed(void **state)
{
    ctx_t   *c = *state;
    char    *s, json[512], expect[512];
    size_t   i;

    static const char  *good[][2] = {
        { "http://example.gov.cn/a?b=1&c=2",
          "http://example.gov.cn/a?b=1&amp;c=2" },
        { "HTTPS://EXAMPLE.GOV.CN/", "HTTPS://EXAMPLE.GOV.CN/" },
        { "mailto:gk@example.gov.cn", "mailto:gk@example.gov.cn" },
        { "tel:+86-10-12345678", "tel:+86-10-12345678" },
        { "/catalogue?year=2024", "/catalogue?year=2024" },
        { "item/1", "item/1" },
        { "?q=\\\"x\\\"", "?q=&quot;x&quot;" },
        { "#top", "#top" },
        { "a/b:c", "a/b:c" },
        { "//cdn.example/x.png", "//cdn.example/x.png" },
        { "", "" },
        { "jav&#x61;script:alert(1)", "jav&amp;#x61;script:alert(1)" },
    };

    page(c, "<div g-fill=\"main\"><a g-attr-href=\"{u}\">x</a></div>");

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        snprintf(json, sizeof(json), "{\"u\":\"%s\"}", good[i][0]);
        snprintf(expect, sizeof(expect), "<a href=\"%s\">x</a>", good[i][1]);
        s = main_of(c, json);

        if (strcmp(s, expect) != 0) {
            fail_msg("%s -> %s, expected %s", good[i][0], s, expect);
        }
    }
}


static void
test_url_percent_encoding(void **state)
{
    ctx_t  *c = *state;

    page(c, "<div g-fill=\"main\">"
            "<a href=\"/static?a=1&amp;b=2\" "
            "g-attr-cite=\"/item/{id}?q={q}&amp;y={n}\">x</a>"
            "<a g-attr-href=\"mailto:{m}\">m</a></div>");

    assert_string_equal(main_of(c,
        "{\"id\":\"2023 \xe5\x85\xac\xe5\x91\x8a/1\",\"q\":\"a-b._~c&d=e#f\","
        "\"n\":2024,\"m\":\"x@y.cn?subject=<\\\"'>\"}"),
        "<a href=\"/static?a=1&amp;b=2\" "
        "cite=\"/item/2023%20%E5%85%AC%E5%91%8A%2F1?q=a-b._~c%26d%3De%23f"
        "&amp;y=2024\">x</a>"
        "<a href=\"mailto:x%40y.cn%3Fsubject%3D%3C%22%27%3E\">m</a>");

    /* a value that begins the URL is a base: kept, the rest encoded */
    page(c, "<div g-fill=\"main\">"
            "<a g-attr-href=\"{base}items/{id}?s={q}\">x</a></div>");

    assert_string_equal(main_of(c,
        "{\"base\":\"/admin/\",\"id\":\"1/2\",\"q\":\"a b\"}"),
        "<a href=\"/admin/items/1%2F2?s=a%20b\">x</a>");

    assert_string_equal(main_of(c,
        "{\"base\":\"javascript:alert(1)//\",\"id\":1,\"q\":\"\"}"),
        "<a href=\"#\">x</a>");
}


static void
test_conditions(void **state)
{
    ctx_t  *c = *state;
    char   *s;

    page(c, "<div g-fill=\"main\">"
            "<i g-if=\"a\">a</i><i g-unless=\"a\">!a</i>"
            "<i g-if=\"o.b\">b</i><i g-unless=\"o.b\">!b</i>"
            "<i g-if=\"missing\">m</i><i g-unless=\"missing\">!m</i>"
            "</div>");

    s = main_of(c, "{\"a\":1,\"o\":{\"b\":[]}}");
    assert_string_equal(s, "<i>a</i><i>!b</i><i>!m</i>");

    s = main_of(c, "{\"a\":\"\",\"o\":{\"b\":{\"x\":0}}}");
    assert_string_equal(s, "<i>!a</i><i>b</i><i>!m</i>");

    s = main_of(c, "{\"a\":0.0,\"o\":null}");
    assert_string_equal(s, "<i>!a</i><i>!b</i><i>!m</i>");
}


static void
test_each(void **state)
{
    ctx_t  *c = *state;

    page(c, "<div g-fill=\"main\"><ul>"
            "<li g-each=\"items\" g-attr-id=\"i{#}\">"
            "<b g-text=\"#\"></b>:<i g-text=\"title\"></i>"
            "(<u g-text=\"site\"></u>)"
            "<s g-each=\"tags\" g-text=\".\"></s>"
            "<em g-each=\"tags\"><q g-text=\"#\"></q><q g-text=\"title\"></q>"
            "</em></li></ul><p g-each=\"empty\">never</p>"
            "<p g-each=\"notarray\">never</p>"
            "<p g-each=\"missing\">never</p></div>");

    assert_string_equal(main_of(c,
        "{\"site\":\"S\",\"items\":[{\"title\":\"A\",\"tags\":[\"x\",\"y\"]},"
        "{\"title\":\"B\",\"site\":\"own\",\"tags\":[]},{\"tags\":[1]}],"
        "\"empty\":[],\"notarray\":{\"a\":1},\"title\":\"root\"}"),
        "<ul>"
        "<li id=\"i1\"><b>1</b>:<i>A</i>(<u>S</u>)<s>x</s><s>y</s>"
        "<em><q>1</q><q>A</q></em><em><q>2</q><q>A</q></em></li>"
        "<li id=\"i2\"><b>2</b>:<i>B</i>(<u>own</u>)</li>"
        "<li id=\"i3\"><b>3</b>:<i>root</i>(<u>S</u>)<s>1</s>"
        "<em><q>1</q><q>root</q></em></li>"
        "</ul>");
}


static void
test_each_with_if_and_strip(void **state)
{
    ctx_t  *c = *state;

    page(c, "<div g-fill=\"main\">"
            "<span g-each=\"rows\" g-if=\"show\" g-strip>"
            "[<b g-text=\"v\"></b>]</span>"
            "<span g-strip g-text=\"t\">x</span>|"
            "<span g-strip>plain</span>|"
            "<span g-each=\"rows\" g-unless=\"show\" g-text=\"#\"></span>"
            "</div>");

    assert_string_equal(main_of(c,
        "{\"t\":\"<t>\",\"rows\":[{\"show\":true,\"v\":1},{\"show\":false,"
        "\"v\":2},{\"show\":1,\"v\":3}]}"),
        "[<b>1</b>][<b>3</b>]&lt;t&gt;|plain|<span>2</span>");
}


static void
test_each_scalars(void **state)
{
    ctx_t  *c = *state;

    page(c, "<div g-fill=\"main\"><i g-each=\"tags\" g-if=\".\" "
            "g-text=\".\"></i>|<b g-each=\"m\"><u g-each=\".\" "
            "g-text=\".\"></u>;</b></div>");

    assert_string_equal(main_of(c,
        "{\"tags\":[\"a\",\"\",0,\"<b>\",null,false,[]],"
        "\"m\":[[1,2],[],[3]]}"),
        "<i>a</i><i>&lt;b&gt;</i>|<b><u>1</u><u>2</u>;</b><b>;</b>"
        "<b><u>3</u>;</b>");
}


static void
test_err_nesting(void **state)
{
    ctx_t   *c = *state;
    char     text[2048], *p;
    size_t   i;

    unit_write(c->dir, "layout.html", LAYOUT);

    /* 16 nested loops compile, 17 do not */

    p = text + sprintf(text, "<div g-fill=\"main\">\n");
    for (i = 0; i < 16; i++) {
        p += sprintf(p, "<div g-each=\".\">");
    }
    for (i = 0; i < 16; i++) {
        p += sprintf(p, "</div>");
    }
    strcpy(p, "</div>");
    unit_write(c->dir, "p.html", text);
    assert_non_null(load(c));

    p = text + sprintf(text, "<div g-fill=\"main\">\n");
    for (i = 0; i < 17; i++) {
        p += sprintf(p, "<div g-each=\".\">");
    }
    for (i = 0; i < 17; i++) {
        p += sprintf(p, "</div>");
    }
    strcpy(p, "</div>");
    unit_write(c->dir, "p.html", text);
    assert_error(c, "p.html", 2, "g-each nested too deeply");
}


static void
test_html(void **state)
{
    ctx_t  *c = *state;

    page(c, "<div g-fill=\"main\"><article g-html=\"item.body_html\">"
            "x</article><p g-text=\"item.body_html\"></p></div>");

    assert_string_equal(main_of(c,
        "{\"item\":{\"body_html\":\"<p>\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1"
        " &amp; <b>x</b></p>\"}}"),
        "<article><p>\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1 &amp; <b>x</b>"
        "</p></article>"
        "<p>&lt;p&gt;\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1 &amp;amp; "
        "&lt;b&gt;x&lt;/b&gt;&lt;/p&gt;</p>");
}


static void
test_large_output(void **state)
{
    ctx_t   *c = *state;
    char    *json, *p, *s;
    size_t   i, n;

    page(c, "<div g-fill=\"main\"><p g-each=\"r\" g-text=\"t\"></p></div>");

    n = 5000;
    json = ngx_pnalloc(c->pool, n * 64 + 32);
    p = json + sprintf(json, "{\"r\":[");

    for (i = 0; i < n; i++) {
        p += sprintf(p, "%s{\"t\":\"row %zu <&> \xe8\xa1\x8c\"}",
                     i ? "," : "", i);
    }

    strcpy(p, "]}");

    s = main_of(c, json);

    assert_non_null(strstr(s, "<p>row 0 &lt;&amp;&gt; \xe8\xa1\x8c</p>"));
    assert_non_null(strstr(s, "<p>row 4999 &lt;&amp;&gt; \xe8\xa1\x8c</p>"
                              "\0"));
    assert_true(strlen(s) > 16384 * 4);
}


static void
test_err_unknown_attribute(void **state)
{
    ctx_t  *c = *state;

    unit_write(c->dir, "layout.html", LAYOUT);
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n\n"
                                 "<p g-txet=\"x\">x</p></div>");
    assert_error(c, "p.html", 3, "unknown attribute \"g-txet\"");
}


static void
test_err_bad_path(void **state)
{
    ctx_t       *c = *state;
    size_t       i;
    char         text[256];

    static const char  *bad[] = {
        "a..b", ".a", "a.", "a b", "a[0]", "{x}", "", "#.a", "..", "a.#"
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unit_log_reset();
        unit_write(c->dir, "layout.html", LAYOUT);
        snprintf(text, sizeof(text),
                 "<div g-fill=\"main\">\n<p g-text=\"%s\">x</p></div>",
                 bad[i]);
        unit_write(c->dir, "p.html", text);
        assert_error(c, "p.html", 2, "bad path");
    }

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<a g-attr-href=\"/x/{a b}\">x</a></div>");
    assert_error(c, "p.html", 2, "bad path \"a b\"");

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<a g-attr-href=\"/x/{a\">x</a></div>");
    assert_error(c, "p.html", 2, "unclosed");

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<i g-text=\"#\"></i></div>");
    assert_error(c, "p.html", 2, "\"#\" outside g-each");
}


static void
test_err_html_name(void **state)
{
    ctx_t  *c = *state;

    unit_write(c->dir, "layout.html", LAYOUT);
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<div g-html=\"item.body\"></div></div>");
    assert_error(c, "p.html", 2, "g-html needs a name ending in _html");

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<div g-html=\".\"></div></div>");
    assert_error(c, "p.html", 2, "g-html needs a name ending in _html");
}


static void
test_err_fill_without_slot(void **state)
{
    ctx_t  *c = *state;

    unit_write(c->dir, "layout.html", LAYOUT);
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">x</div>\n"
                                 "<div g-fill=\"sidebar\">y</div>");
    assert_error(c, "p.html", 2,
                 "g-fill has no matching g-slot in layout.html: \"sidebar\"");
}


static void
test_err_missing_layout(void **state)
{
    ctx_t  *c = *state;
    char    expect[512];

    unit_write(c->dir, "p.html", "<div g-fill=\"main\">x</div>");
    assert_null(load(c));

    snprintf(expect, sizeof(expect), "gongkai template \"%s/layout.html\": "
             "the layout is missing", c->dir);
    assert_non_null(strstr(unit_log_text(), expect));

    /* a directory that does not exist */
    unit_log_reset();
    unit_rmdir(c->dir);
    assert_null(load(c));
    assert_non_null(strstr(unit_log_text(), "opendir()"));
    mkdir(c->dir, 0700);
}


static void
test_err_structure(void **state)
{
    ctx_t  *c = *state;

    unit_write(c->dir, "layout.html", LAYOUT);

    unit_write(c->dir, "p.html", "<div g-fill=\"main\">x</div>\n"
                                 "<p>stray</p>");
    assert_error(c, "p.html", 2, "element outside g-fill: \"p\"");

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">x</div>\n\n"
                                 "<div g-fill=\"main\">y</div>");
    assert_error(c, "p.html", 3, "duplicate g-fill \"main\"");

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<div g-fill=\"title\">y</div></div>");
    assert_error(c, "p.html", 2, "g-fill is only allowed on top-level");

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<div g-slot=\"x\">y</div></div>");
    assert_error(c, "p.html", 2, "g-slot outside layout.html");

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<br g-text=\"x\"></div>");
    assert_error(c, "p.html", 2, "g-text or g-html not allowed on \"br\"");

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<a g-attr-onclick=\"{x}\">y</a></div>");
    assert_error(c, "p.html", 2, "not allowed in g-attr-");

    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n"
                                 "<i g-if=\"a\" g-unless=\"b\">y</i></div>");
    assert_error(c, "p.html", 2, "more than one g-if or g-unless");

    /* libxml2's own parse errors carry the line too */
    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">\n\n"
                                 "<p>a</b></p></div>");
    assert_error(c, "p.html", 3, "end tag");

    /* errors in the layout name the layout */
    unit_log_reset();
    unit_write(c->dir, "p.html", "<div g-fill=\"main\">x</div>");
    unit_write(c->dir, "layout.html", "<html><body>\n"
                                      "<main g-slot=\"main\" g-each=\"a b\">"
                                      "</main></body></html>");
    assert_error(c, "layout.html", 2, "bad path \"a b\"");
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test_setup_teardown(test_layout_and_fill, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fill_title_and_default, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_serialisation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attr_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_url_percent_encoding, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_with_if_and_strip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_each_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_unknown_attribute, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_err_bad_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_html_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_err_fill_without_slot, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_err_missing_layout, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_err_structure, setup, teardown),
    };

    return cmocka_run_group_tests_name("tmpl", tests, NULL, NULL);
}
