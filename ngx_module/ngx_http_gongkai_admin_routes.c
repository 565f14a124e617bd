/*
 * The admin route table and its statements (sql/ADMIN.md).  Every
 * statement calls one function of schema admin with bound parameters.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_admin.h"


#define NGX_HTTP_GONGKAI_CALL4  "($1, $2::inet, $3::text[], $4::jsonb)"

#define ngx_http_gongkai_page(name, fn)                                      \
    { name, "select admin." fn NGX_HTTP_GONGKAI_CALL4, 4 }


/* indexes into ngx_http_gongkai_admin_stmts[] */
enum {
    GK_LOGIN = 0,
    GK_LOGOUT,
    GK_HOME,
    GK_ITEMS,
    GK_ITEM_NEW,
    GK_ITEM_CREATE,
    GK_ITEM,
    GK_ITEM_EDIT,
    GK_ITEM_SAVE,
    GK_ATTACHMENT_ADD,
    GK_ATTACHMENT_DELETE,
    GK_ATTACHMENT,
    GK_SCREEN_ITEM,
    GK_ITEM_SUBMIT,
    GK_ITEM_REVIEW,
    GK_ITEM_REFERRAL,
    GK_ITEM_CHANGE,
    GK_ITEM_WITHDRAW,
    GK_AUDIT,
    GK_NSTMTS
};


ngx_http_gongkai_stmt_t  ngx_http_gongkai_admin_stmts[] = {
    { "gk_admin_login", "select admin.login($1, $2, $3, $4::inet)", 4 },
    ngx_http_gongkai_page("gk_admin_logout", "do_logout"),
    ngx_http_gongkai_page("gk_admin_home", "page_home"),
    ngx_http_gongkai_page("gk_admin_items", "page_items"),
    ngx_http_gongkai_page("gk_admin_item_new", "page_item_new"),
    ngx_http_gongkai_page("gk_admin_item_create", "do_item_create"),
    ngx_http_gongkai_page("gk_admin_item", "page_item"),
    ngx_http_gongkai_page("gk_admin_item_edit", "page_item_edit"),
    ngx_http_gongkai_page("gk_admin_item_save", "do_item_save"),
    { "gk_admin_attachment_add",
      "select admin.do_attachment_add($1, $2::inet, $3::text[], $4::jsonb,"
      " $5::bytea)", 5 },
    ngx_http_gongkai_page("gk_admin_attachment_delete",
                          "do_attachment_delete"),
    { "gk_admin_attachment",
      "select file_name, content_type, data"
      " from admin.file_attachment($1, $2::inet, $3::text[])", 3 },
    { "gk_admin_screen_item",
      "select admin.screen_item($1, $2::inet, $3::text[])", 3 },
    ngx_http_gongkai_page("gk_admin_item_submit", "do_item_submit"),
    ngx_http_gongkai_page("gk_admin_item_review", "do_item_review"),
    ngx_http_gongkai_page("gk_admin_item_referral", "do_item_referral"),
    ngx_http_gongkai_page("gk_admin_item_change", "do_item_change"),
    ngx_http_gongkai_page("gk_admin_item_withdraw", "do_item_withdraw"),
    ngx_http_gongkai_page("gk_admin_audit", "page_audit"),
};


ngx_uint_t  ngx_http_gongkai_admin_nstmts = GK_NSTMTS;


#define GET   NGX_HTTP_GET
#define POST  NGX_HTTP_POST

#define PAGE        NGX_HTTP_GONGKAI_ROUTE_PAGE
#define ACTION      NGX_HTTP_GONGKAI_ROUTE_ACTION
#define UPLOAD      NGX_HTTP_GONGKAI_ROUTE_UPLOAD
#define SCREEN      NGX_HTTP_GONGKAI_ROUTE_SCREEN
#define FILE_       NGX_HTTP_GONGKAI_ROUTE_FILE
#define LOGIN_FORM  NGX_HTTP_GONGKAI_ROUTE_LOGIN_FORM
#define LOGIN       NGX_HTTP_GONGKAI_ROUTE_LOGIN
#define LOGOUT      NGX_HTTP_GONGKAI_ROUTE_LOGOUT


ngx_http_gongkai_route_t  ngx_http_gongkai_admin_routes[] = {
    { GET,  ngx_string("login"), LOGIN_FORM, -1, -1, "login" },
    { POST, ngx_string("login"), LOGIN, GK_LOGIN, -1, "login" },
    { POST, ngx_string("logout"), LOGOUT, GK_LOGOUT, -1, NULL },
    { GET,  ngx_string(""), PAGE, GK_HOME, -1, "home" },
    { GET,  ngx_string("items"), PAGE, GK_ITEMS, -1, "items" },
    { GET,  ngx_string("items/new"), PAGE, GK_ITEM_NEW, -1, "item_edit" },
    { POST, ngx_string("items/new"), ACTION, GK_ITEM_CREATE, -1,
      "item_edit" },
    { GET,  ngx_string("items/#"), PAGE, GK_ITEM, -1, "item" },
    { GET,  ngx_string("items/#/edit"), PAGE, GK_ITEM_EDIT, -1,
      "item_edit" },
    { POST, ngx_string("items/#/edit"), ACTION, GK_ITEM_SAVE, -1,
      "item_edit" },
    { POST, ngx_string("items/#/attachments"), UPLOAD, GK_ATTACHMENT_ADD,
      -1, "item" },
    { POST, ngx_string("items/#/attachments/#/delete"), ACTION,
      GK_ATTACHMENT_DELETE, -1, "item" },
    { GET,  ngx_string("items/#/attachments/#"), FILE_, GK_ATTACHMENT, -1,
      NULL },
    { POST, ngx_string("items/#/submit"), SCREEN, GK_SCREEN_ITEM,
      GK_ITEM_SUBMIT, "item" },
    { POST, ngx_string("items/#/review"), ACTION, GK_ITEM_REVIEW, -1,
      "item" },
    { POST, ngx_string("items/#/referral"), ACTION, GK_ITEM_REFERRAL, -1,
      "item" },
    { POST, ngx_string("items/#/change"), ACTION, GK_ITEM_CHANGE, -1,
      "item" },
    { POST, ngx_string("items/#/withdraw"), ACTION, GK_ITEM_WITHDRAW, -1,
      "item" },
    { GET,  ngx_string("audit"), PAGE, GK_AUDIT, -1, "audit" },
    { 0, ngx_null_string, PAGE, -1, -1, NULL }
};


ngx_http_gongkai_route_t *
ngx_http_gongkai_admin_route(ngx_uint_t method, u_char *path, size_t len,
    ngx_str_t *args, ngx_uint_t *nargs, ngx_uint_t *other)
{
    u_char                    *p, *end, *q, *qend, *s;
    ngx_uint_t                 n;
    ngx_http_gongkai_route_t  *rt;

    *other = 0;

    for (rt = ngx_http_gongkai_admin_routes; rt->method; rt++) {
        p = path;
        end = path + len;
        q = rt->path.data;
        qend = rt->path.data + rt->path.len;
        n = 0;

        while (p < end && q < qend) {
            if (*q != '#') {
                if (*p != *q) {
                    break;
                }

                p++;
                q++;
                continue;
            }

            for (s = p; p < end && *p >= '0' && *p <= '9'; p++) {
                /* void */
            }

            if (p == s || p - s > 18 || n == NGX_HTTP_GONGKAI_ROUTE_ARGS) {
                break;
            }

            args[n].data = s;
            args[n].len = p - s;
            n++;
            q++;
        }

        if (p != end || q != qend) {
            continue;
        }

        if (rt->method != method) {
            *other = 1;
            continue;
        }

        *nargs = n;
        return rt;
    }

    return NULL;
}
