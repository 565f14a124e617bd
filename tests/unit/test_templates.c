
/*
 * Unit tests: the real templates/ directory compiles, and every page
 * renders with sample data shaped like sql/PAGES.md, with values escaped
 * and no template attribute left in the output.  With UNIT_DUMP=DIR the
 * rendered samples are written to DIR (tools/unit test_templates).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <cmocka.h>
#include "ngx_http_gongkai_value.h"
#include "ngx_http_gongkai_tmpl.h"
#include "support.h"


#define EVIL  "<b>&\\\"x'</b>"
#define EVIL_ESCAPED  "&lt;b&gt;&amp;&quot;x&#39;&lt;/b&gt;"

#define SITE                                                                 \
    "\"site\":{\"name\":\"\xe7\xa4\xba\xe4\xbe\x8b\xe5\xb8\x82\","           \
    "\"kind\":\"department\",\"domain\":\"jyj.example.gov.cn\","             \
    "\"organ\":{\"unit_code\":\"11510100MB0000000X\",\"name\":\"" EVIL "\"," \
    "\"short_name\":\"s\"},\"portal\":{\"name\":\"P\","                      \
    "\"domain\":\"www.example.gov.cn\"}}"

#define ITEMROW                                                              \
    "{\"index_no\":\"11510100MB0000000X-01-2024-00001\",\"title\":\""        \
    EVIL "\",\"doc_no\":\"x\xe5\x8f\x91\xe3\x80\x94" "2024\xe3\x80\x95"      \
    "1\xe5\x8f\xb7\",\"generated_on\":\"2024-01-02\",\"published_on\":"      \
    "\"2024-01-03\",\"organ_name\":\"O\",\"category_name\":\"C\"}"

#define ORGAN                                                                \
    "{\"unit_code\":\"11510100MB0000000X\",\"name\":\"N\","                  \
    "\"short_name\":\"S\",\"count\":3}"


typedef struct {
    const char  *name;
    const char  *json;
} sample_t;


static sample_t  samples[] = {

    { "home",
      "{" SITE ",\"latest\":[" ITEMROW "," ITEMROW "],"
      "\"categories\":[{\"code\":\"01\",\"name\":\"" EVIL "\",\"count\":2}],"
      "\"organs\":[" ORGAN "],\"total\":2,\"req\":{\"path\":\"/\"}}" },

    { "catalogue",
      "{" SITE ",\"not_found\":false,"
      "\"filter\":{\"category\":{\"code\":\"01\",\"name\":\"" EVIL "\"},"
      "\"organ\":" ORGAN ",\"year\":2024},"
      "\"category_tree\":[{\"code\":\"01\",\"name\":\"A\",\"depth\":0,"
      "\"count\":1},{\"code\":\"0101\",\"name\":\"B\",\"depth\":1,"
      "\"count\":1}],\"organs\":[" ORGAN "],"
      "\"years\":[{\"year\":2024,\"count\":1}],\"total\":1,"
      "\"items\":[" ITEMROW "],\"next\":\"1700000000000000.12\","
      "\"prev\":null,\"req\":{\"path\":\"/catalogue\",\"page\":2,"
      "\"prev_page\":1,\"next_page\":3}}" },

    { "item",
      "{" SITE ",\"not_found\":false,\"item\":{"
      "\"index_no\":\"11510100MB0000000X-01-2024-00001\",\"title\":\""
      EVIL "\",\"summary\":\"S\",\"doc_no\":null,"
      "\"generated_on\":\"2024-01-02\",\"published_on\":\"2024-01-03\","
      "\"keywords\":\"k\",\"validity\":\"\xe6\x9c\x89\xe6\x95\x88\","
      "\"organ\":" ORGAN ",\"category\":{\"code\":\"01\",\"name\":\"C\"},"
      "\"body_html\":\"<p>\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1 RAW</p>\","
      "\"attachments\":[{\"no\":1,\"file_name\":\"" EVIL "\","
      "\"content_type\":\"application/pdf\",\"size\":1024}]}}" },

    { "guide",
      "{" SITE ",\"not_found\":false,\"organ\":" ORGAN ","
      "\"organs\":[" ORGAN "],\"guide\":{\"office_name\":\"" EVIL "\","
      "\"address\":\"A\",\"postcode\":\"610000\",\"office_hours\":\"H\","
      "\"phone\":\"028-1\",\"fax\":\"028-2\",\"email\":\"gk@example.gov.cn\","
      "\"website\":\"javascript:alert(1)\",\"classification\":\"c\","
      "\"arrangement\":\"a\",\"obtaining\":\"o\",\"applying\":\"p\","
      "\"remedies\":\"r\",\"updated_on\":\"2024-01-01\"}}" },

    { "error",
      "{" SITE ",\"error\":{\"status\":404,\"title\":\"" EVIL "\","
      "\"message\":\"m\"},\"req\":{\"path\":\"/x\"}}" },

    { "search",
      "{" SITE ",\"not_found\":false,\"query\":{\"q\":\"" EVIL "\","
      "\"searched\":true,\"too_long\":false,\"unsearchable\":false,"
      "\"max_length\":100},\"filter\":{\"category\":{\"code\":\"01\","
      "\"name\":\"C\"},\"organ\":null,\"year\":2024},"
      "\"categories\":[{\"code\":\"01\",\"name\":\"C\",\"depth\":0,"
      "\"label\":\"C\",\"selected\":true},{\"code\":\"0101\","
      "\"name\":\"D\",\"depth\":1,\"label\":\"D\","
      "\"selected\":false}],\"organs\":[" ORGAN "],"
      "\"years\":[{\"year\":2024,\"label\":\"2024\",\"selected\":true}],"
      "\"total\":21,\"total_exact\":true,\"total_capped\":false,"
      "\"total_approximate\":false,\"no_results\":false,\"page\":1,"
      "\"pages\":2,\"first\":1,\"last\":1,\"prev_page\":null,"
      "\"next_page\":2,\"items\":[{\"index_no\":"
      "\"11510100MB0000000X-01-2024-00001\",\"title\":\"T\","
      "\"doc_no\":\"N\",\"published_on\":\"2024-01-03\","
      "\"organ_name\":\"O\",\"match\":\"title\",\"title_parts\":["
      "{\"text\":\"a\",\"hit\":false},{\"text\":\"" EVIL "\","
      "\"hit\":true}],\"doc_no_parts\":[{\"text\":\"N\","
      "\"hit\":false}],\"summary_parts\":[{\"text\":\"" EVIL "\","
      "\"hit\":false}]}]}" },

    { NULL, NULL }
};


static const char *
sample(const char *name)
{
    sample_t  *s;

    for (s = samples; s->name != NULL; s++) {
        if (strcmp(s->name, name) == 0) {
            return s->json;
        }
    }

    /* a page added later: the site alone */
    return "{" SITE "}";
}


static char *
render(ngx_pool_t *pool, ngx_http_gongkai_tmpl_set_t *set, const char *name,
    const char *json)
{
    size_t                     len;
    const char                *err;
    ngx_chain_t               *out;
    ngx_http_gongkai_tmpl_t   *t;
    ngx_http_gongkai_value_t  *data;

    t = ngx_http_gongkai_tmpl_get(set, name);
    if (t == NULL) {
        fail_msg("template \"%s\" not in the set", name);
    }

    data = ngx_http_gongkai_json_parse(pool, (u_char *) json, strlen(json),
                                       &err);
    if (data == NULL) {
        fail_msg("bad sample JSON for %s: %s", name, err);
    }

    assert_int_equal(ngx_http_gongkai_tmpl_render(pool, t, data, &out, &len),
                     NGX_OK);

    return unit_chain_text(pool, out, len);
}


static void
check_page(const char *name, const char *s)
{
    if (strncmp(s, "<!DOCTYPE html>\n<html", 21) != 0) {
        fail_msg("%s: no doctype: %.80s", name, s);
    }

    if (strstr(s, " g-") != NULL) {
        fail_msg("%s: a g- attribute is left: %s", name, strstr(s, " g-"));
    }

    if (strstr(s, "<b>&") != NULL || strstr(s, "=\"javascript:") != NULL) {
        fail_msg("%s: unescaped sample value", name);
    }

    if (strstr(s, "</html>") == NULL) {
        fail_msg("%s: no </html>", name);
    }
}


static void
test_real_templates(void **state)
{
    DIR                          *d;
    char                         *s, path[1024], name[256];
    size_t                        len, pages;
    ngx_str_t                     dir;
    const char                   *root;
    ngx_pool_t                   *pool;
    struct dirent                *de;
    ngx_http_gongkai_tmpl_set_t  *set;

    root = getenv("UNIT_ROOT");
    snprintf(path, sizeof(path), "%s/templates", root ? root : ".");

    pool = unit_pool();
    unit_log_reset();

    dir.data = (u_char *) path;
    dir.len = strlen(path);

    set = ngx_http_gongkai_tmpl_load(pool, &unit_log, &dir);
    if (set == NULL) {
        fail_msg("templates do not compile:\n%s", unit_log_text());
    }

    d = opendir(path);
    assert_non_null(d);
    pages = 0;

    while ((de = readdir(d)) != NULL) {
        len = strlen(de->d_name);

        if (len <= 5 || de->d_name[0] == '.'
            || strcmp(de->d_name + len - 5, ".html") != 0)
        {
            continue;
        }

        snprintf(name, sizeof(name), "%.*s", (int) (len - 5), de->d_name);

        s = render(pool, set, name, sample(name));
        check_page(name, s);

        /* UNIT_DUMP=DIR keeps the rendered samples for a look */
        if (getenv("UNIT_DUMP") != NULL) {
            unit_write(getenv("UNIT_DUMP"), de->d_name, s);
        }

        /* and with no data at all: every name missing */
        s = render(pool, set, name, "{}");
        check_page(name, s);

        pages++;
    }

    closedir(d);
    assert_true(pages >= 2);

    /* the pages the module asks for exist and show their data */

    s = render(pool, set, "item", sample("item"));
    assert_non_null(strstr(s, "<p>\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1 RAW"
                              "</p>"));
    assert_non_null(strstr(s, EVIL_ESCAPED));
    assert_non_null(strstr(s,
                    "/item/11510100MB0000000X-01-2024-00001/files/1"));

    s = render(pool, set, "home", sample("home"));
    assert_non_null(strstr(s, EVIL_ESCAPED));
    assert_non_null(strstr(s, "/item/11510100MB0000000X-01-2024-00001"));

    s = render(pool, set, "catalogue", sample("catalogue"));
    assert_non_null(strstr(s, EVIL_ESCAPED));

    s = render(pool, set, "error", sample("error"));
    assert_non_null(strstr(s, EVIL_ESCAPED));

    /* hits in <mark> around escaped text; the filters keep their values */
    s = render(pool, set, "search", sample("search"));
    assert_non_null(strstr(s, "a<mark>" EVIL_ESCAPED "</mark></a>"));
    assert_non_null(strstr(s, "value=\"" EVIL_ESCAPED "\""));
    assert_non_null(strstr(s, "<option selected=\"selected\" "
                              "value=\"01\">C</option>"));
    assert_non_null(strstr(s, "<option value=\"0101\">D</option>"));
    assert_non_null(strstr(s, "q=%3Cb%3E%26%22x%27%3C%2Fb%3E&amp;category=01"
                              "&amp;organ=&amp;year=2024&amp;page=2\">"));
    assert_null(strstr(s, "rel=\"prev\""));

    assert_non_null(ngx_http_gongkai_tmpl_get(set, "guide"));

    ngx_destroy_pool(pool);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_real_templates),
    };

    return cmocka_run_group_tests_name("templates", tests, NULL, NULL);
}
