/*
 * The admin pages: staff sign in, draft, review and publish (issue 3,
 * DOMAIN.md §2 and §6).  The route table is in
 * ngx_http_gongkai_admin_routes.c; what each route's SQL function gets
 * and returns is sql/ADMIN.md.
 *
 * The module's part at the door: it reads and checks the request (UTF-8,
 * field names, body types and sizes, attachment types by content), makes
 * the session token from the kernel's random source, keeps it in an
 * HttpOnly SameSite=Strict cookie, sanitises rich text, screens what is
 * submitted for review, and maps the database's answers to HTTP.  Every
 * rule is decided again by the database, which knows the session.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_admin.h"
#include "ngx_http_gongkai_page.h"
#include "ngx_http_gongkai_args.h"
#include "ngx_http_gongkai_sanitize.h"
#include "ngx_http_gongkai_screen.h"
#include "ngx_http_gongkai_sniff.h"
#include "ngx_http_gongkai_multipart.h"
#include "ngx_http_gongkai_domain.h"
#include "ngx_http_gongkai_request.h"


/* the longest failed-login delay the database may ask for, seconds */
#define NGX_HTTP_GONGKAI_DELAY_MAX    30


typedef struct {
    ngx_http_gongkai_route_t      *route;
    ngx_str_t                      base;        /* the location prefix */
    ngx_str_t                      params[5];   /* the statement's */
    ngx_uint_t                     nparams;
    ngx_str_t                      login_csrf;  /* gk_login cookie */
    ngx_str_t                      new_token;   /* LOGIN: for the cookie */
    ngx_http_gongkai_value_t      *form;
    ngx_http_gongkai_value_t      *req;

    /* a failed login is answered after a delay */
    ngx_event_t                    delay;
    ngx_http_gongkai_value_t      *delayed;
    ngx_uint_t                     delayed_status;
} ngx_http_gongkai_admin_ctx_t;


static ngx_int_t ngx_http_gongkai_admin_start(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_str_t *args, ngx_uint_t nargs);
static void ngx_http_gongkai_admin_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_gongkai_admin_post(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx);
static ngx_int_t ngx_http_gongkai_admin_login(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx);
static ngx_int_t ngx_http_gongkai_admin_upload(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_str_t *body);
static ngx_int_t ngx_http_gongkai_admin_sanitize(ngx_http_request_t *r,
    ngx_http_gongkai_value_t *form);
static ngx_int_t ngx_http_gongkai_admin_call(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_int_t stmt,
    ngx_http_gongkai_db_handler_pt handler);
static void ngx_http_gongkai_admin_screen_done(ngx_http_request_t *r,
    PGresult *res, ngx_int_t rc);
static ngx_int_t ngx_http_gongkai_admin_screen(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_http_gongkai_value_t *fields);
static void ngx_http_gongkai_admin_done(ngx_http_request_t *r,
    PGresult *res, ngx_int_t rc);
static ngx_http_gongkai_value_t *ngx_http_gongkai_admin_result(
    ngx_http_request_t *r, PGresult *res, ngx_int_t rc, ngx_int_t *rv);
static ngx_int_t ngx_http_gongkai_admin_respond(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_http_gongkai_value_t *data);
static void ngx_http_gongkai_admin_delay_handler(ngx_event_t *ev);
static void ngx_http_gongkai_admin_delay_cleanup(void *data);
static void ngx_http_gongkai_admin_file_done(ngx_http_request_t *r,
    PGresult *res, ngx_int_t rc);
static ngx_int_t ngx_http_gongkai_admin_render(ngx_http_request_t *r,
    ngx_uint_t status, const char *name, ngx_http_gongkai_value_t *data);
static ngx_int_t ngx_http_gongkai_admin_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *title, const char *message);
static ngx_int_t ngx_http_gongkai_admin_refuse(ngx_http_request_t *r,
    ngx_uint_t status, const char *title, const char *message);
static ngx_int_t ngx_http_gongkai_admin_redirect(ngx_http_request_t *r,
    ngx_str_t *path);
static ngx_int_t ngx_http_gongkai_admin_cookie(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);
static ngx_int_t ngx_http_gongkai_admin_get_cookie(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);
static void ngx_http_gongkai_admin_field_label(ngx_str_t *field,
    ngx_str_t *label);
static ngx_int_t ngx_http_gongkai_admin_set(ngx_pool_t *pool,
    ngx_http_gongkai_value_t *obj, const char *key, u_char *data,
    size_t len);


static ngx_str_t  ngx_http_gongkai_admin_html_type =
    ngx_string("text/html; charset=utf-8");


ngx_int_t
ngx_http_gongkai_admin_handler(ngx_http_request_t *r)
{
    u_char                        *p, *end;
    ngx_int_t                      rc;
    ngx_str_t                      rest, args[NGX_HTTP_GONGKAI_ROUTE_ARGS];
    ngx_uint_t                     method, nargs, other;
    ngx_table_elt_t               *h;
    ngx_http_gongkai_loc_conf_t   *glcf;
    ngx_http_gongkai_admin_ctx_t  *ctx;

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_gongkai_admin_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_gongkai_module);

    ctx->base = glcf->admin_base;

    ctx->req = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
    if (ctx->req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_value_set(ctx->req, "base",
        ngx_http_gongkai_value_string(r->pool, ctx->base.data,
                                      ctx->base.len));

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        method = NGX_HTTP_GET;

    } else if (r->method & NGX_HTTP_POST) {
        method = NGX_HTTP_POST;

    } else {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Allow");
        ngx_str_set(&h->value, "GET, HEAD, POST");

        return ngx_http_gongkai_admin_refuse(r, NGX_HTTP_NOT_ALLOWED,
                   "不支持的请求方法",
                   "此页面不接受这种请求。");
    }

    /* the location is a prefix one ending in "/" (gongkai_admin checks) */

    if (r->uri.len < ctx->base.len
        || ngx_strncmp(r->uri.data, ctx->base.data, ctx->base.len) != 0)
    {
        return ngx_http_gongkai_admin_refuse(r, NGX_HTTP_NOT_FOUND,
                   "页面不存在", "您访问的页面不存在。");
    }

    rest.data = r->uri.data + ctx->base.len;
    rest.len = r->uri.len - ctx->base.len;

    end = rest.data + rest.len;

    for (p = rest.data; p < end; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || *p == '/' || *p == '_'))
        {
            return ngx_http_gongkai_admin_refuse(r, NGX_HTTP_NOT_FOUND,
                       "页面不存在", "您访问的页面不存在。");
        }
    }

    if (r->args.len > NGX_HTTP_GONGKAI_ARGS_MAX) {
        return ngx_http_gongkai_admin_refuse(r,
                   NGX_HTTP_REQUEST_URI_TOO_LARGE, "网址过长",
                   "请求的网址过长，请减少查询条件后重试。");
    }

    ngx_http_gongkai_value_set(ctx->req, "path",
        ngx_http_gongkai_value_string(r->pool, r->uri.data, r->uri.len));

    ctx->route = ngx_http_gongkai_admin_route(method, rest.data, rest.len,
                                              args, &nargs, &other);

    if (ctx->route == NULL) {
        if (other) {
            h = ngx_list_push(&r->headers_out.headers);
            if (h == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            h->hash = 1;
            ngx_str_set(&h->key, "Allow");

            if (method == NGX_HTTP_GET) {
                ngx_str_set(&h->value, "POST");

            } else {
                ngx_str_set(&h->value, "GET, HEAD");
            }

            return ngx_http_gongkai_admin_refuse(r, NGX_HTTP_NOT_ALLOWED,
                       "不支持的请求方法",
                       "此页面不接受这种请求。");
        }

        return ngx_http_gongkai_admin_refuse(r, NGX_HTTP_NOT_FOUND,
                   "页面不存在", "您访问的页面不存在。");
    }

    if (method == NGX_HTTP_GET) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    return ngx_http_gongkai_admin_start(r, ctx, args, nargs);
}


/*
 * The common parameters: $1 the session token (NULL without a valid
 * looking cookie), $2 the client address, $3 the route's ids as a text[]
 * literal (digits only, so no quoting is needed).
 */

static ngx_int_t
ngx_http_gongkai_admin_start(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_str_t *args, ngx_uint_t nargs)
{
    u_char                     *p;
    size_t                      len;
    ngx_int_t                   rc;
    ngx_str_t                   token;
    ngx_uint_t                  i;
    const char                 *err;
    ngx_http_gongkai_value_t   *query;
    ngx_http_gongkai_route_t   *rt;

    rt = ctx->route;

    if (ngx_http_gongkai_admin_get_cookie(r, "gk_session", &token) == NGX_OK
        && token.len == NGX_HTTP_GONGKAI_TOKEN_HEX)
    {
        ctx->params[0] = token;

    } else {
        ngx_str_null(&ctx->params[0]);
    }

    if (r->connection->sockaddr->sa_family == AF_UNIX) {
        ngx_str_null(&ctx->params[1]);

    } else {
        ctx->params[1] = r->connection->addr_text;
    }

    len = sizeof("{}");
    for (i = 0; i < nargs; i++) {
        len += args[i].len + 1;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->params[2].data = p;
    *p++ = '{';

    for (i = 0; i < nargs; i++) {
        if (i) {
            *p++ = ',';
        }

        p = ngx_cpymem(p, args[i].data, args[i].len);
    }

    *p++ = '}';
    ctx->params[2].len = p - ctx->params[2].data;

    switch (rt->kind) {

    case NGX_HTTP_GONGKAI_ROUTE_LOGIN_FORM:

        /* a fresh token for the login form, kept in a cookie as well */

        if (ngx_http_gongkai_random_hex(r->pool, &ctx->login_csrf)
            != NGX_OK
            || ngx_http_gongkai_admin_cookie(r, "gk_login", &ctx->login_csrf)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_gongkai_value_set(ctx->req, "login_csrf",
            ngx_http_gongkai_value_string(r->pool, ctx->login_csrf.data,
                                          ctx->login_csrf.len));

        query = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
        if (query == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_gongkai_value_set(query, "req", ctx->req);

        return ngx_http_gongkai_admin_render(r, NGX_HTTP_OK, rt->tmpl, query);

    case NGX_HTTP_GONGKAI_ROUTE_PAGE:
    case NGX_HTTP_GONGKAI_ROUTE_FILE:

        if (ngx_http_gongkai_form_parse(r->pool, r->args.data, r->args.len,
                                        &query, &err)
            != NGX_OK)
        {
            return ngx_http_gongkai_admin_error(r, NGX_HTTP_BAD_REQUEST,
                                                "请求有误", err);
        }

        if (ngx_http_gongkai_json_encode(r->pool, query, &ctx->params[3])
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rt->kind == NGX_HTTP_GONGKAI_ROUTE_FILE) {
            ctx->nparams = 3;
            return ngx_http_gongkai_admin_call(r, ctx, rt->stmt,
                       ngx_http_gongkai_admin_file_done);
        }

        ctx->nparams = 4;
        return ngx_http_gongkai_admin_call(r, ctx, rt->stmt,
                                           ngx_http_gongkai_admin_done);

    default:

        /* nothing is read from a POST without a session cookie but login */

        rc = ngx_http_read_client_request_body(r,
                                               ngx_http_gongkai_admin_body);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }
}


static void
ngx_http_gongkai_admin_body(ngx_http_request_t *r)
{
    ngx_http_gongkai_admin_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    ngx_http_finalize_request(r, ngx_http_gongkai_admin_post(r, ctx));
}


static ngx_int_t
ngx_http_gongkai_admin_post(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx)
{
    ngx_int_t                      rc;
    ngx_str_t                      body;
    const char                    *err;
    ngx_http_gongkai_route_t      *rt;
    ngx_http_gongkai_main_conf_t  *gmcf;

    rt = ctx->route;
    gmcf = ngx_http_get_module_main_conf(r, ngx_http_gongkai_module);

    if (r->request_body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_gongkai_body_data(r, &body);
    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rt->kind == NGX_HTTP_GONGKAI_ROUTE_UPLOAD) {
        return ngx_http_gongkai_admin_upload(r, ctx, &body);
    }

    /* an empty body without a type is an empty form */

    if ((body.len || r->headers_in.content_type != NULL)
        && ngx_http_gongkai_content_type_is(r,
                                   "application/x-www-form-urlencoded")
           != NGX_OK)
    {
        return ngx_http_gongkai_admin_error(r,
                   NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, "提交方式不正确",
                   "请通过页面上的表单提交。");
    }

    if (ngx_http_gongkai_form_parse(r->pool, body.data, body.len,
                                    &ctx->form, &err)
        != NGX_OK)
    {
        return ngx_http_gongkai_admin_error(r, NGX_HTTP_BAD_REQUEST,
                                            "提交内容有误", err);
    }

    if (rt->kind == NGX_HTTP_GONGKAI_ROUTE_LOGIN) {
        return ngx_http_gongkai_admin_login(r, ctx);
    }

    if (ngx_http_gongkai_admin_sanitize(r, ctx->form) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the site forms: the domain rules at the door (form.checked) */

    if (rt->path.len >= sizeof("sites") - 1
        && ngx_strncmp(rt->path.data, "sites", sizeof("sites") - 1) == 0
        && ngx_http_gongkai_domain_form(gmcf->domain, r->pool, ctx->form)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rt->kind == NGX_HTTP_GONGKAI_ROUTE_SCREEN) {
        /* first the texts to screen: token, client, ids */
        ctx->nparams = 3;
        return ngx_http_gongkai_admin_call(r, ctx, rt->stmt,
                                           ngx_http_gongkai_admin_screen_done);
    }

    if (ngx_http_gongkai_json_encode(r->pool, ctx->form, &ctx->params[3])
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->nparams = 4;

    return ngx_http_gongkai_admin_call(r, ctx, rt->stmt,
                                       ngx_http_gongkai_admin_done);
}


/*
 * Login: the form's token must be the one in the gk_login cookie set
 * with the form (a login form posted from elsewhere is refused); the new
 * session's token is made here and only its hash is stored.
 */

static ngx_int_t
ngx_http_gongkai_admin_login(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx)
{
    ngx_str_t                  form_csrf;
    ngx_http_gongkai_value_t  *v;

    ngx_str_null(&form_csrf);

    v = ngx_http_gongkai_value_get(ctx->form, (u_char *) "csrf", 4);
    if (v != NULL && v->type == NGX_HTTP_GONGKAI_STRING) {
        form_csrf = v->str;
    }

    if (ngx_http_gongkai_admin_get_cookie(r, "gk_login", &ctx->login_csrf)
        != NGX_OK
        || ctx->login_csrf.len != NGX_HTTP_GONGKAI_TOKEN_HEX
        || !ngx_http_gongkai_token_equal(&ctx->login_csrf, &form_csrf))
    {
        return ngx_http_gongkai_admin_error(r, NGX_HTTP_FORBIDDEN,
                   "登录表单已失效",
                   "登录表单已失效或不是从本站打开的，"
                   "请重新打开登录页面后再登录。");
    }

    ngx_http_gongkai_value_set(ctx->req, "login_csrf",
        ngx_http_gongkai_value_string(r->pool, ctx->login_csrf.data,
                                      ctx->login_csrf.len));

    ngx_str_null(&ctx->params[0]);

    v = ngx_http_gongkai_value_get(ctx->form, (u_char *) "login", 5);
    if (v != NULL && v->type == NGX_HTTP_GONGKAI_STRING) {
        ctx->params[0] = v->str;
    }

    /* admin.login($1 login, $2 password, $3 new token, $4 client) */
    ctx->params[3] = ctx->params[1];

    ngx_str_null(&ctx->params[1]);

    v = ngx_http_gongkai_value_get(ctx->form, (u_char *) "password", 8);
    if (v != NULL && v->type == NGX_HTTP_GONGKAI_STRING) {
        ctx->params[1] = v->str;
    }

    if (ngx_http_gongkai_random_hex(r->pool, &ctx->new_token) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->params[2] = ctx->new_token;
    ctx->nparams = 4;

    return ngx_http_gongkai_admin_call(r, ctx, ctx->route->stmt,
                                       ngx_http_gongkai_admin_done);
}


static ngx_int_t
ngx_http_gongkai_admin_upload(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_str_t *body)
{
    u_char                       *p;
    ngx_str_t                     boundary, type, ext;
    ngx_uint_t                    i;
    ngx_array_t                   parts;
    ngx_http_gongkai_part_t      *part, *file;
    ngx_http_gongkai_value_t     *v;
    ngx_http_gongkai_loc_conf_t  *glcf;

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);

    if (r->headers_in.content_type == NULL
        || ngx_http_gongkai_multipart_boundary(
               &r->headers_in.content_type->value, &boundary)
           != NGX_OK)
    {
        return ngx_http_gongkai_admin_error(r,
                   NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, "提交方式不正确",
                   "请通过页面上的上传表单提交附件。");
    }

    if (ngx_array_init(&parts, r->pool, 8, sizeof(ngx_http_gongkai_part_t))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_gongkai_multipart_parse(r->pool, &boundary, body->data,
                                         body->len, &parts)
        != NGX_OK)
    {
        return ngx_http_gongkai_admin_error(r, NGX_HTTP_BAD_REQUEST,
                   "提交内容有误",
                   "上传的内容格式不正确，"
                   "请重新选择文件上传。");
    }

    ctx->form = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
    if (ctx->form == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    file = NULL;
    part = parts.elts;

    for (i = 0; i < parts.nelts; i++) {

        if (part[i].has_filename) {
            if (part[i].name.len == 4
                && ngx_strncmp(part[i].name.data, "file", 4) == 0
                && file == NULL)
            {
                file = &part[i];
                continue;
            }

            return ngx_http_gongkai_admin_error(r, NGX_HTTP_BAD_REQUEST,
                       "提交内容有误",
                       "每次只能上传一个文件。");
        }

        for (p = part[i].name.data;
             p < part[i].name.data + part[i].name.len;
             p++)
        {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
                  || *p == '_'))
            {
                return ngx_http_gongkai_admin_error(r, NGX_HTTP_BAD_REQUEST,
                           "提交内容有误",
                           "提交的字段名不正确。");
            }
        }

        if (part[i].name.len > 64
            || !ngx_http_gongkai_utf8_text_valid(part[i].data.data,
                                                 part[i].data.len)
            || ngx_http_gongkai_value_get(ctx->form, part[i].name.data,
                                          part[i].name.len)
               != NULL)
        {
            return ngx_http_gongkai_admin_error(r, NGX_HTTP_BAD_REQUEST,
                       "提交内容有误",
                       "提交的内容含有无效字符。");
        }

        v = ngx_http_gongkai_value_string(r->pool, part[i].data.data,
                                          part[i].data.len);
        if (v == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        v->key = part[i].name;
        ngx_http_gongkai_value_push(ctx->form, v);
    }

    if (file == NULL || file->data.len == 0) {
        return ngx_http_gongkai_admin_error(r, 422, "没有选择文件",
                   "请选择要上传的附件，空文件不能上传。");
    }

    if (file->data.len > glcf->upload_max_size) {
        return ngx_http_gongkai_admin_error(r,
                   NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, "附件过大",
                   "附件超过了允许的大小，"
                   "请压缩或拆分后再上传。");
    }

    if (ngx_http_gongkai_file_name_ok(file->filename.data,
                                      file->filename.len)
        != NGX_OK)
    {
        return ngx_http_gongkai_admin_error(r, 422, "文件名不正确",
                   "文件名不能为空、不能超过200字节，"
                   "不能含有斜杠或控制字符，"
                   "并且要有扩展名。");
    }

    /* the type is decided by the content; the name must agree with it */

    if (ngx_http_gongkai_sniff(file->filename.data, file->filename.len,
                               file->data.data, file->data.len, &type, &ext)
        != NGX_OK)
    {
        return ngx_http_gongkai_admin_error(r,
                   NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, "不支持的附件类型",
                   "附件只能是 PDF、OFD、Word、Excel、WPS、"
                   "JPG、PNG 或 ZIP 文件，"
                   "并且文件内容要与扩展名一致。");
    }

    if (ngx_http_gongkai_admin_set(r->pool, ctx->form, "file_name",
                                   file->filename.data, file->filename.len)
        != NGX_OK
        || ngx_http_gongkai_admin_set(r->pool, ctx->form, "content_type",
                                      type.data, type.len)
           != NGX_OK
        || ngx_http_gongkai_admin_set(r->pool, ctx->form, "ext",
                                      ext.data, ext.len)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_value_set(ctx->form, "size",
        ngx_http_gongkai_value_int(r->pool, file->data.len));

    if (ngx_http_gongkai_json_encode(r->pool, ctx->form, &ctx->params[3])
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* bytea in its hex input form: "\x" and two digits a byte */

    p = ngx_pnalloc(r->pool, 2 + 2 * file->data.len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->params[4].data = p;
    *p++ = '\\';
    *p++ = 'x';
    p = ngx_hex_dump(p, file->data.data, file->data.len);
    ctx->params[4].len = p - ctx->params[4].data;

    ctx->nparams = 5;

    return ngx_http_gongkai_admin_call(r, ctx, ctx->route->stmt,
                                       ngx_http_gongkai_admin_done);
}


/* every field whose name ends in "_html" is rich text: sanitise it */

static ngx_int_t
ngx_http_gongkai_admin_sanitize(ngx_http_request_t *r,
    ngx_http_gongkai_value_t *form)
{
    ngx_str_t                  out;
    ngx_http_gongkai_value_t  *v;

    for (v = form->first; v != NULL; v = v->next) {

        if (v->type != NGX_HTTP_GONGKAI_STRING
            || v->key.len < sizeof("_html") - 1
            || ngx_strncmp(v->key.data + v->key.len - 5, "_html", 5) != 0)
        {
            continue;
        }

        if (ngx_http_gongkai_sanitize_html(r->pool, r->connection->log,
                                           v->str.data, v->str.len, &out)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        v->str = out;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_admin_call(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_int_t stmt,
    ngx_http_gongkai_db_handler_pt handler)
{
    int  binary;

    /* files come as binary results: bytea without its text encoding */
    binary = (handler == ngx_http_gongkai_admin_file_done);

    if (stmt < 0
        || ngx_http_gongkai_db_query(r, NGX_HTTP_GONGKAI_NSTMTS + stmt,
                                     ctx->nparams, ctx->params, binary,
                                     handler)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_page_wait(r);

    return NGX_DONE;
}


/* the texts to screen have come: screen them, then run the action */

static void
ngx_http_gongkai_admin_screen_done(ngx_http_request_t *r, PGresult *res,
    ngx_int_t rc)
{
    ngx_int_t                      rv;
    ngx_http_gongkai_value_t      *data, *fields;
    ngx_http_gongkai_admin_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    data = ngx_http_gongkai_admin_result(r, res, rc, &rv);

    if (data == NULL) {
        ngx_http_finalize_request(r, rv);
        return;
    }

    fields = ngx_http_gongkai_value_get(data, (u_char *) "fields", 6);

    if (fields == NULL || fields->type != NGX_HTTP_GONGKAI_OBJECT) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai admin: the screen statement returned no "
                      "\"fields\" object");
        ngx_http_finalize_request(r, ngx_http_gongkai_admin_error(r,
            NGX_HTTP_INTERNAL_SERVER_ERROR, "服务器内部错误",
            "处理您的请求时出现错误，请稍后再试。"));
        return;
    }

    ngx_http_finalize_request(r, ngx_http_gongkai_admin_screen(r, ctx,
                                                               fields));
}


/*
 * Screening before review (issue 3): secrecy marks stop the submission
 * here and in the database; other hits go with the submission, to be
 * shown to every reviewer.
 */

static ngx_int_t
ngx_http_gongkai_admin_screen(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_http_gongkai_value_t *fields)
{
    u_char                         *p, *field;
    size_t                          len;
    ngx_str_t                       json, label;
    ngx_uint_t                      i;
    ngx_array_t                     hits;
    const char                     *err;
    ngx_http_gongkai_value_t       *f, *hv;
    ngx_http_gongkai_screen_hit_t  *hit;
    ngx_http_gongkai_main_conf_t   *gmcf;

    gmcf = ngx_http_get_module_main_conf(r, ngx_http_gongkai_module);

    if (ngx_array_init(&hits, r->pool, 4,
                       sizeof(ngx_http_gongkai_screen_hit_t))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (f = fields->first; f != NULL; f = f->next) {
        if (f->type != NGX_HTTP_GONGKAI_STRING) {
            continue;
        }

        field = ngx_pnalloc(r->pool, f->key.len + 1);
        if (field == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_cpystrn(field, f->key.data, f->key.len + 1);

        if (ngx_http_gongkai_screen(gmcf->screen, r->pool, (char *) field,
                                    f->str.data, f->str.len, &hits)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    hit = hits.elts;
    len = 0;

    for (i = 0; i < hits.nelts; i++) {
        if (hit[i].blocking) {
            ngx_http_gongkai_admin_field_label(&hit[i].field, &label);
            len += hit[i].match.len + label.len + sizeof("“”（）、");
        }
    }

    if (len) {
        static u_char  head[] = "提交的内容含有密级标志：";
        static u_char  tail[] = "。涉密信息不得公开，"
                                "请按保密规定处理后再提交。";

        p = ngx_pnalloc(r->pool, sizeof(head) + len + sizeof(tail));
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        err = (const char *) p;
        p = ngx_cpymem(p, head, sizeof(head) - 1);

        for (i = 0; i < hits.nelts; i++) {
            if (!hit[i].blocking) {
                continue;
            }

            if ((u_char *) err + sizeof(head) - 1 != p) {
                p = ngx_cpymem(p, "、", sizeof("、") - 1);
            }

            ngx_http_gongkai_admin_field_label(&hit[i].field, &label);
            p = ngx_sprintf(p, "“%V”（%V）", &hit[i].match, &label);
        }

        ngx_cpystrn(p, tail, sizeof(tail));

        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "gongkai admin: submission refused: secrecy mark");

        return ngx_http_gongkai_admin_error(r, NGX_HTTP_CONFLICT,
                                            "不能提交审核", err);
    }

    if (ngx_http_gongkai_screen_json(r->pool, &hits, &json) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hv = ngx_http_gongkai_json_parse(r->pool, json.data, json.len, &err);
    if (hv == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "gongkai admin: screening made bad JSON: %s", err);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_value_set(ctx->form, "screen_hits", hv);

    if (ngx_http_gongkai_json_encode(r->pool, ctx->form, &ctx->params[3])
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->nparams = 4;

    return ngx_http_gongkai_admin_call(r, ctx, ctx->route->stmt2,
                                       ngx_http_gongkai_admin_done);
}


static void
ngx_http_gongkai_admin_done(ngx_http_request_t *r, PGresult *res,
    ngx_int_t rc)
{
    ngx_int_t                      rv;
    ngx_http_gongkai_value_t      *data;
    ngx_http_gongkai_admin_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    data = ngx_http_gongkai_admin_result(r, res, rc, &rv);

    if (data == NULL) {
        ngx_http_finalize_request(r, rv);
        return;
    }

    rv = ngx_http_gongkai_admin_respond(r, ctx, data);

    if (rv == NGX_AGAIN) {
        /* a delayed answer: the timer finalizes the request */
        return;
    }

    ngx_http_finalize_request(r, rv);
}


/*
 * The JSON object of a statement; or NULL, with *rv what to finalize the
 * request with, after an error was answered: the project's SQLSTATEs
 * become redirects and error pages (sql/ADMIN.md).
 */

static ngx_http_gongkai_value_t *
ngx_http_gongkai_admin_result(ngx_http_request_t *r, PGresult *res,
    ngx_int_t rc, ngx_int_t *rv)
{
    char                          *state, *msg;
    ngx_str_t                      login;
    ngx_http_gongkai_value_t      *data;
    ngx_http_gongkai_admin_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    if (rc == NGX_HTTP_SERVICE_UNAVAILABLE) {
        *rv = ngx_http_gongkai_admin_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                  "服务暂时不可用",
                  "数据服务暂时无法访问，请稍后再试。"
                  "您刚才提交的内容没有保存。");
        return NULL;
    }

    if (rc == NGX_DECLINED) {
        state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

        if (msg == NULL) {
            msg = "";
        }

        if (ngx_strcmp(state, "GKA01") == 0) {
            ngx_str_set(&login, "login");
            *rv = ngx_http_gongkai_admin_redirect(r, &login);
            return NULL;
        }

        if (ngx_strcmp(state, "GKA03") == 0) {
            *rv = ngx_http_gongkai_admin_error(r, NGX_HTTP_FORBIDDEN,
                      "表单已失效", msg);
            return NULL;
        }

        if (ngx_strcmp(state, "GKA04") == 0) {
            *rv = ngx_http_gongkai_admin_error(r, NGX_HTTP_NOT_FOUND,
                      "页面不存在",
                      "您要查看的记录不存在，"
                      "或者不属于您所在的机关。");
            return NULL;
        }

        if (ngx_strcmp(state, "GKA09") == 0) {
            *rv = ngx_http_gongkai_admin_error(r, NGX_HTTP_CONFLICT,
                      "无法办理", msg);
            return NULL;
        }

        if (ngx_strcmp(state, "GKA22") == 0) {
            *rv = ngx_http_gongkai_admin_error(r, 422, "填写有误", msg);
            return NULL;
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai admin: statement \"%s\" raised "
                      "SQLSTATE %s: %s",
                      ngx_http_gongkai_admin_stmts[ctx->route->stmt].name,
                      state, msg);

        goto internal;
    }

    if (rc != NGX_OK) {
        goto internal;
    }

    data = ngx_http_gongkai_result_object(r, res);
    if (data == NULL) {
        goto internal;
    }

    return data;

internal:

    *rv = ngx_http_gongkai_admin_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
              "服务器内部错误",
              "处理您的请求时出现错误，"
              "我们已记录此问题，请稍后再试。");
    return NULL;
}


static ngx_int_t
ngx_http_gongkai_admin_respond(ngx_http_request_t *r,
    ngx_http_gongkai_admin_ctx_t *ctx, ngx_http_gongkai_value_t *data)
{
    ngx_int_t                   n;
    ngx_str_t                   cleared;
    ngx_uint_t                  status;
    const char                 *tmpl;
    ngx_pool_cleanup_t         *cln;
    ngx_http_gongkai_value_t   *v;

    if (ctx->route->kind == NGX_HTTP_GONGKAI_ROUTE_LOGIN) {
        v = ngx_http_gongkai_value_get(data, (u_char *) "ok", 2);

        if (v != NULL && v->type == NGX_HTTP_GONGKAI_TRUE) {
            ngx_str_null(&cleared);

            if (ngx_http_gongkai_admin_cookie(r, "gk_session",
                                              &ctx->new_token)
                != NGX_OK
                || ngx_http_gongkai_admin_cookie(r, "gk_login", &cleared)
                   != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }
    }

    if (ctx->route->kind == NGX_HTTP_GONGKAI_ROUTE_LOGOUT) {
        ngx_str_null(&cleared);

        if (ngx_http_gongkai_admin_cookie(r, "gk_session", &cleared)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    v = ngx_http_gongkai_value_get(data, (u_char *) "redirect", 8);

    if (v != NULL && v->type == NGX_HTTP_GONGKAI_STRING) {
        return ngx_http_gongkai_admin_redirect(r, &v->str);
    }

    tmpl = ctx->route->tmpl;
    status = NGX_HTTP_OK;

    v = ngx_http_gongkai_value_get(data, (u_char *) "template", 8);

    if (v != NULL && v->type == NGX_HTTP_GONGKAI_STRING && v->str.len < 64) {
        tmpl = (const char *) ngx_pnalloc(r->pool, v->str.len + 1);
        if (tmpl == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_cpystrn((u_char *) tmpl, v->str.data, v->str.len + 1);
    }

    v = ngx_http_gongkai_value_get(data, (u_char *) "status", 6);

    if (v != NULL && v->type == NGX_HTTP_GONGKAI_NUMBER) {
        n = ngx_atoi(v->str.data, v->str.len);

        if (n >= 200 && n <= 599) {
            status = n;
        }
    }

    if (tmpl == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai admin: statement \"%s\" returned neither "
                      "\"redirect\" nor \"template\"",
                      ngx_http_gongkai_admin_stmts[ctx->route->stmt].name);
        return ngx_http_gongkai_admin_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                   "服务器内部错误",
                   "处理您的请求时出现错误，请稍后再试。");
    }

    ngx_http_gongkai_value_set(data, "req", ctx->req);

    /* failed logins are answered late, without holding a worker */

    v = ngx_http_gongkai_value_get(data, (u_char *) "delay", 5);

    if (ctx->route->kind == NGX_HTTP_GONGKAI_ROUTE_LOGIN
        && v != NULL && v->type == NGX_HTTP_GONGKAI_NUMBER)
    {
        n = ngx_atoi(v->str.data, v->str.len);

        if (n > 0) {
            n = ngx_min(n, NGX_HTTP_GONGKAI_DELAY_MAX);

            cln = ngx_pool_cleanup_add(r->pool, 0);
            if (cln == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            cln->handler = ngx_http_gongkai_admin_delay_cleanup;
            cln->data = ctx;

            ctx->delayed = data;
            ctx->delayed_status = status;
            ctx->delay.data = r;
            ctx->delay.log = r->connection->log;
            ctx->delay.handler = ngx_http_gongkai_admin_delay_handler;

            ngx_add_timer(&ctx->delay, (ngx_msec_t) n * 1000);

            return NGX_AGAIN;
        }
    }

    return ngx_http_gongkai_admin_render(r, status, tmpl, data);
}


static void
ngx_http_gongkai_admin_delay_handler(ngx_event_t *ev)
{
    ngx_connection_t              *c;
    ngx_http_request_t            *r;
    ngx_http_gongkai_admin_ctx_t  *ctx;

    r = ev->data;
    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    ngx_http_set_log_request(c->log, r);

    ngx_http_finalize_request(r,
        ngx_http_gongkai_admin_render(r, ctx->delayed_status,
                                      ctx->route->tmpl, ctx->delayed));

    ngx_http_run_posted_requests(c);
}


static void
ngx_http_gongkai_admin_delay_cleanup(void *data)
{
    ngx_http_gongkai_admin_ctx_t  *ctx = data;

    if (ctx->delay.timer_set) {
        ngx_del_timer(&ctx->delay);
    }
}


static void
ngx_http_gongkai_admin_file_done(ngx_http_request_t *r, PGresult *res,
    ngx_int_t rc)
{
    ngx_int_t  rv;

    if (rc != NGX_OK) {
        /* errors come the same way as a page's */
        (void) ngx_http_gongkai_admin_result(r, res, rc, &rv);
        ngx_http_finalize_request(r, rv);
        return;
    }

    if (PQntuples(res) == 0) {
        ngx_http_finalize_request(r, ngx_http_gongkai_admin_error(r,
            NGX_HTTP_NOT_FOUND, "附件不存在",
            "您要下载的附件不存在。"));
        return;
    }

    if (PQntuples(res) != 1 || PQnfields(res) != 3
        || PQgetisnull(res, 0, 0) || PQgetisnull(res, 0, 2))
    {
        ngx_http_finalize_request(r, ngx_http_gongkai_admin_error(r,
            NGX_HTTP_INTERNAL_SERVER_ERROR, "服务器内部错误",
            "处理您的请求时出现错误，请稍后再试。"));
        return;
    }

    if (ngx_http_gongkai_no_store(r) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_http_finalize_request(r, ngx_http_gongkai_send_file(r, res, 0, 1, 2));
}


static ngx_int_t
ngx_http_gongkai_admin_render(ngx_http_request_t *r, ngx_uint_t status,
    const char *name, ngx_http_gongkai_value_t *data)
{
    size_t                         len;
    ngx_chain_t                   *out;
    ngx_http_gongkai_tmpl_t       *t;
    ngx_http_gongkai_main_conf_t  *gmcf;

    gmcf = ngx_http_get_module_main_conf(r, ngx_http_gongkai_module);

    if (data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    t = ngx_http_gongkai_tmpl_get(gmcf->admin_tmpls, name);
    if (t == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "gongkai admin: no template \"%s\"", name);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_gongkai_tmpl_render(r->pool, t, data, &out, &len)
        != NGX_OK
        || ngx_http_gongkai_no_store(r) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_gongkai_send(r, status, &ngx_http_gongkai_admin_html_type,
                                 out, len);
}


static ngx_int_t
ngx_http_gongkai_admin_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *title, const char *message)
{
    ngx_http_gongkai_value_t      *data, *e;
    ngx_http_gongkai_admin_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    data = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
    e = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);

    if (data == NULL || e == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_value_set(e, "status",
                               ngx_http_gongkai_value_int(r->pool, status));
    ngx_http_gongkai_value_set(e, "title",
                               ngx_http_gongkai_cstr(r->pool, title));
    ngx_http_gongkai_value_set(e, "message",
                               ngx_http_gongkai_cstr(r->pool, message));

    ngx_http_gongkai_value_set(data, "error", e);
    ngx_http_gongkai_value_set(data, "req", ctx->req);

    return ngx_http_gongkai_admin_render(r, status, "error", data);
}


/*
 * An error answered before the body was read: the body is discarded
 * first, or on a kept-alive connection it would be read as the next
 * request.
 */

static ngx_int_t
ngx_http_gongkai_admin_refuse(ngx_http_request_t *r, ngx_uint_t status,
    const char *title, const char *message)
{
    ngx_int_t  rc;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_gongkai_admin_error(r, status, title, message);
}


/*
 * 303 See Other to a path below the admin prefix.  The path comes from
 * SQL; only the characters of our own routes and query strings pass.
 */

static ngx_int_t
ngx_http_gongkai_admin_redirect(ngx_http_request_t *r, ngx_str_t *path)
{
    u_char                        *p, *d;
    ngx_table_elt_t               *h;
    ngx_http_gongkai_admin_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    for (p = path->data; p < path->data + path->len; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || ngx_strchr("/_?=&.-", *p) != NULL))
        {
            goto bad;
        }
    }

    if ((path->len && path->data[0] == '/')
        || ngx_strnstr(path->data, "//", path->len) != NULL
        || ngx_strnstr(path->data, "..", path->len) != NULL)
    {
        goto bad;
    }

    d = ngx_pnalloc(r->pool, ctx->base.len + path->len);
    if (d == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Location");
    h->value.data = d;
    h->value.len = ngx_cpymem(ngx_cpymem(d, ctx->base.data, ctx->base.len),
                              path->data, path->len)
                   - d;

    r->headers_out.location = h;

    if (ngx_http_gongkai_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_gongkai_send(r, NGX_HTTP_SEE_OTHER,
                                 &ngx_http_gongkai_admin_html_type, NULL, 0);

bad:

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "gongkai admin: refused redirect \"%V\"", path);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/*
 * Set (or, with an empty value, clear) a cookie limited to the admin
 * prefix: HttpOnly, SameSite=Strict, and Secure over TLS.  No Max-Age:
 * the session's expiry is kept by the database.
 */

static ngx_int_t
ngx_http_gongkai_admin_cookie(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    ngx_http_gongkai_admin_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    return ngx_http_gongkai_set_cookie(r, name, value, &ctx->base);
}


/* a cookie's value; only [0-9a-f] values are ours, others are absent */

static ngx_int_t
ngx_http_gongkai_admin_get_cookie(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    u_char     *p;
    ngx_str_t   n;

    n.data = (u_char *) name;
    n.len = ngx_strlen(name);

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies, &n, value)
        == NGX_DECLINED)
    {
        ngx_str_null(value);
        return NGX_DECLINED;
    }

    for (p = value->data; p < value->data + value->len; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
            ngx_str_null(value);
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_gongkai_admin_set(ngx_pool_t *pool, ngx_http_gongkai_value_t *obj,
    const char *key, u_char *data, size_t len)
{
    ngx_http_gongkai_value_t  *v;

    v = ngx_http_gongkai_value_string(pool, data, len);
    if (v == NULL) {
        return NGX_ERROR;
    }

    ngx_http_gongkai_value_set(obj, key, v);

    return NGX_OK;
}


/* where a screened text came from, in words: "body" is 正文 */

static void
ngx_http_gongkai_admin_field_label(ngx_str_t *field, ngx_str_t *label)
{
    ngx_uint_t  i;

    static struct {
        ngx_str_t  key;
        ngx_str_t  label;
    }  labels[] = {
        { ngx_string("title"), ngx_string("标题") },
        { ngx_string("summary"), ngx_string("内容概述") },
        { ngx_string("body"), ngx_string("正文") },
        { ngx_string("doc_no"), ngx_string("文号") },
        { ngx_string("keywords"), ngx_string("主题词") },
        { ngx_string("change_note"), ngx_string("修改说明") },
    };

    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (field->len == labels[i].key.len
            && ngx_strncmp(field->data, labels[i].key.data, field->len) == 0)
        {
            *label = labels[i].label;
            return;
        }
    }

    /* "attachment:通知.pdf" and anything else: as it is */
    *label = *field;
}
