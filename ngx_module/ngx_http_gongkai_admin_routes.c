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
    GK_SITES,
    GK_SITE_NEW,
    GK_SITE_OPEN,
    GK_SITE,
    GK_SITE_CHANGE,
    GK_SITE_CLOSE,
    GK_SITE_REQUEST,
    GK_SITE_DECIDE,
    GK_SITE_WITHDRAW,
    GK_CASES,
    GK_CASE_NEW,
    GK_CASE_REGISTER,
    GK_CASE,
    GK_CASE_DOSSIER,
    GK_CASE_DOCUMENT,
    GK_CASE_FILE,
    GK_CASE_ACCEPT,
    GK_CASE_CORRECTION,
    GK_CASE_CORRECTED,
    GK_CASE_ASSIGN,
    GK_CASE_ANSWER,
    GK_CASE_CONSULT,
    GK_CASE_CONSULT_ANSWER,
    GK_CASE_EXTENSION,
    GK_CASE_EXTENSION_DECIDE,
    GK_CASE_REPLY,
    GK_CASE_REPLY_REVIEW,
    GK_CASE_DELIVER,
    GK_CASE_CLOSE,
    GK_CASE_REMEDY,
    GK_CASE_REMEDY_UPDATE,
    GK_REPORTS,
    GK_REPORT_CREATE,
    GK_REPORT,
    GK_REPORT_EDIT,
    GK_REPORT_SAVE,
    GK_REPORT_SUBMIT,
    GK_REPORT_SIGN,
    GK_REPORT_FILE,
    GK_REPORT_PUBLISH,
    GK_REPORT_CORRECTION,
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

    /* sites: registry and life cycle (issue 6) */
    ngx_http_gongkai_page("gk_admin_sites", "page_sites"),
    ngx_http_gongkai_page("gk_admin_site_new", "page_site_new"),
    ngx_http_gongkai_page("gk_admin_site_open", "do_site_open"),
    ngx_http_gongkai_page("gk_admin_site", "page_site"),
    ngx_http_gongkai_page("gk_admin_site_change", "do_site_change"),
    ngx_http_gongkai_page("gk_admin_site_close", "do_site_close"),
    ngx_http_gongkai_page("gk_admin_site_request", "page_site_request"),
    ngx_http_gongkai_page("gk_admin_site_decide", "do_site_decide"),
    ngx_http_gongkai_page("gk_admin_site_withdraw", "do_site_withdraw"),
    ngx_http_gongkai_page("gk_admin_cases", "page_cases"),
    ngx_http_gongkai_page("gk_admin_case_new", "page_case_new"),
    ngx_http_gongkai_page("gk_admin_case_register", "do_case_register"),
    ngx_http_gongkai_page("gk_admin_case", "page_case"),
    ngx_http_gongkai_page("gk_admin_case_dossier", "page_case_dossier"),
    ngx_http_gongkai_page("gk_admin_case_document", "page_case_document"),
    { "gk_admin_case_file",
      "select file_name, content_type, data"
      " from admin.file_case_file($1, $2::inet, $3::text[])", 3 },
    ngx_http_gongkai_page("gk_admin_case_accept", "do_case_accept"),
    ngx_http_gongkai_page("gk_admin_case_correction", "do_case_correction"),
    ngx_http_gongkai_page("gk_admin_case_corrected", "do_case_corrected"),
    ngx_http_gongkai_page("gk_admin_case_assign", "do_case_assign"),
    ngx_http_gongkai_page("gk_admin_case_answer", "do_case_answer"),
    ngx_http_gongkai_page("gk_admin_case_consult", "do_case_consult"),
    ngx_http_gongkai_page("gk_admin_case_consult_answer",
                          "do_case_consult_answer"),
    ngx_http_gongkai_page("gk_admin_case_extension", "do_case_extension"),
    ngx_http_gongkai_page("gk_admin_case_extension_decide",
                          "do_case_extension_decide"),
    ngx_http_gongkai_page("gk_admin_case_reply", "do_case_reply"),
    ngx_http_gongkai_page("gk_admin_case_reply_review",
                          "do_case_reply_review"),
    ngx_http_gongkai_page("gk_admin_case_deliver", "do_case_deliver"),
    ngx_http_gongkai_page("gk_admin_case_close", "do_case_close"),
    ngx_http_gongkai_page("gk_admin_case_remedy", "do_case_remedy"),
    ngx_http_gongkai_page("gk_admin_case_remedy_update",
                          "do_case_remedy_update"),

    /* annual reports (issue 5) */
    ngx_http_gongkai_page("gk_admin_reports", "page_reports"),
    ngx_http_gongkai_page("gk_admin_report_create", "do_report_create"),
    ngx_http_gongkai_page("gk_admin_report", "page_report"),
    ngx_http_gongkai_page("gk_admin_report_edit", "page_report_edit"),
    ngx_http_gongkai_page("gk_admin_report_save", "do_report_save"),
    ngx_http_gongkai_page("gk_admin_report_submit", "do_report_submit"),
    ngx_http_gongkai_page("gk_admin_report_sign", "do_report_sign"),
    ngx_http_gongkai_page("gk_admin_report_file", "do_report_file"),
    ngx_http_gongkai_page("gk_admin_report_publish", "do_report_publish"),
    ngx_http_gongkai_page("gk_admin_report_correction",
                          "do_report_correction"),
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

    /* sites: registry and life cycle (issue 6) */
    { GET,  ngx_string("sites"), PAGE, GK_SITES, -1, "sites" },
    { GET,  ngx_string("sites/new"), PAGE, GK_SITE_NEW, -1, "site_new" },
    { POST, ngx_string("sites/new"), ACTION, GK_SITE_OPEN, -1,
      "site_new" },
    { GET,  ngx_string("sites/#"), PAGE, GK_SITE, -1, "site" },
    { POST, ngx_string("sites/#/change"), ACTION, GK_SITE_CHANGE, -1,
      "site" },
    { POST, ngx_string("sites/#/close"), ACTION, GK_SITE_CLOSE, -1,
      "site" },
    { GET,  ngx_string("sites/requests/#"), PAGE, GK_SITE_REQUEST, -1,
      "site_request" },
    { POST, ngx_string("sites/requests/#/decide"), ACTION, GK_SITE_DECIDE,
      -1, "site_request" },
    { POST, ngx_string("sites/requests/#/withdraw"), ACTION,
      GK_SITE_WITHDRAW, -1, "site_request" },

    /* disclosure on request: the cases (sql/ADMIN.md) */
    { GET,  ngx_string("cases"), PAGE, GK_CASES, -1, "cases" },
    { GET,  ngx_string("cases/new"), PAGE, GK_CASE_NEW, -1, "case_new" },
    { POST, ngx_string("cases/new"), ACTION, GK_CASE_REGISTER, -1,
      "case_new" },
    { GET,  ngx_string("cases/#"), PAGE, GK_CASE, -1, "case" },
    { GET,  ngx_string("cases/#/dossier"), PAGE, GK_CASE_DOSSIER, -1,
      "case_dossier" },
    { GET,  ngx_string("cases/#/documents/#"), PAGE, GK_CASE_DOCUMENT, -1,
      "case_document" },
    { GET,  ngx_string("cases/#/files/#"), FILE_, GK_CASE_FILE, -1, NULL },
    { POST, ngx_string("cases/#/accept"), ACTION, GK_CASE_ACCEPT, -1,
      "case" },
    { POST, ngx_string("cases/#/correction"), ACTION, GK_CASE_CORRECTION,
      -1, "case" },
    { POST, ngx_string("cases/#/corrected"), ACTION, GK_CASE_CORRECTED, -1,
      "case" },
    { POST, ngx_string("cases/#/assign"), ACTION, GK_CASE_ASSIGN, -1,
      "case" },
    { POST, ngx_string("cases/#/assignments/#/answer"), ACTION,
      GK_CASE_ANSWER, -1, "case" },
    { POST, ngx_string("cases/#/consult"), ACTION, GK_CASE_CONSULT, -1,
      "case" },
    { POST, ngx_string("cases/#/consultations/#/answer"), ACTION,
      GK_CASE_CONSULT_ANSWER, -1, "case" },
    { POST, ngx_string("cases/#/extension"), ACTION, GK_CASE_EXTENSION, -1,
      "case" },
    { POST, ngx_string("cases/#/extension/decide"), ACTION,
      GK_CASE_EXTENSION_DECIDE, -1, "case" },
    { POST, ngx_string("cases/#/reply"), ACTION, GK_CASE_REPLY, -1,
      "case" },
    { POST, ngx_string("cases/#/reply/review"), ACTION,
      GK_CASE_REPLY_REVIEW, -1, "case" },
    { POST, ngx_string("cases/#/documents/#/deliver"), ACTION,
      GK_CASE_DELIVER, -1, "case" },
    { POST, ngx_string("cases/#/close"), ACTION, GK_CASE_CLOSE, -1,
      "case" },
    { POST, ngx_string("cases/#/remedies"), ACTION, GK_CASE_REMEDY, -1,
      "case" },
    { POST, ngx_string("cases/#/remedies/#"), ACTION, GK_CASE_REMEDY_UPDATE,
      -1, "case" },

    /* annual reports (sql/ADMIN.md) */
    { GET,  ngx_string("reports"), PAGE, GK_REPORTS, -1, "reports" },
    { POST, ngx_string("reports/new"), ACTION, GK_REPORT_CREATE, -1,
      "reports" },
    { GET,  ngx_string("reports/#"), PAGE, GK_REPORT, -1, "report" },
    { GET,  ngx_string("reports/#/edit"), PAGE, GK_REPORT_EDIT, -1,
      "report_edit" },
    { POST, ngx_string("reports/#/edit"), ACTION, GK_REPORT_SAVE, -1,
      "report_edit" },
    { POST, ngx_string("reports/#/submit"), ACTION, GK_REPORT_SUBMIT, -1,
      "report" },
    { POST, ngx_string("reports/#/sign"), ACTION, GK_REPORT_SIGN, -1,
      "report" },
    { POST, ngx_string("reports/#/file"), ACTION, GK_REPORT_FILE, -1,
      "report" },
    { POST, ngx_string("reports/#/publish"), ACTION, GK_REPORT_PUBLISH, -1,
      "report" },
    { POST, ngx_string("reports/#/correction"), ACTION,
      GK_REPORT_CORRECTION, -1, "report" },
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
