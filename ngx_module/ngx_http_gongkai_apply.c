/*
 * The public application form (依申请公开, 条例 第二十九条) and the
 * applicant's status page:
 *
 *   GET  /apply          the form, with a fresh form token
 *   POST /apply          the form again with its errors (422), or the
 *                        confirmation with the tracking number and the
 *                        secret query code; the same form token posted
 *                        twice is one case (the database decides)
 *   GET  /apply/status   the lookup form
 *   POST /apply/status   tracking number + query code -> the case
 *
 * The module's part at the door: only these two paths take a body, an
 * application/x-www-form-urlencoded one within client_max_body_size, or
 * at /apply a multipart/form-data one with up to two files (id_file, a
 * copy of an identity document; auth_file, the authorisation letter of
 * an agent); a CSRF token paired with the gk_apply cookie (HttpOnly,
 * SameSite=Strict, Path=/apply); the identity numbers checked by their
 * check characters (ngx_http_gongkai_check.c), whose refusals go to the
 * database as form.door; each file's type decided by its content
 * (ngx_http_gongkai_sniff.c: PDF, OFD, Word, WPS, JPG, PNG) and held to
 * gongkai_upload_max_size, what was found going to the database as
 * form.files, the bytes as bytea parameters; "Cache-Control: no-store"
 * on every answer.  Nothing of what the applicant typed or attached is
 * ever logged or put in a URL.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_gongkai_apply.h"
#include "ngx_http_gongkai_args.h"
#include "ngx_http_gongkai_check.h"
#include "ngx_http_gongkai_sniff.h"
#include "ngx_http_gongkai_multipart.h"
#include "ngx_http_gongkai_request.h"

/* the files the form takes: id_file, auth_file (sql/PAGES.md) */
#define NGX_HTTP_GONGKAI_APPLY_FILES        2


/* the gk_apply cookie (CSRF of the form) is sent back to /apply only */
static ngx_str_t  ngx_http_gongkai_apply_path = ngx_string("/apply");


static void ngx_http_gongkai_apply_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_gongkai_apply_post(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx);
static ngx_int_t ngx_http_gongkai_apply_again(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx);
static ngx_int_t ngx_http_gongkai_apply_door(ngx_http_request_t *r,
    ngx_http_gongkai_value_t *form);
static ngx_int_t ngx_http_gongkai_apply_multipart(ngx_http_request_t *r,
    ngx_str_t *body, ngx_http_gongkai_value_t **form,
    ngx_http_gongkai_value_t *meta, ngx_str_t *files);
static ngx_int_t ngx_http_gongkai_apply_file(ngx_http_request_t *r,
    ngx_http_gongkai_part_t *part, ngx_http_gongkai_value_t *meta,
    ngx_str_t *data);
static ngx_int_t ngx_http_gongkai_apply_hexa(ngx_pool_t *pool,
    ngx_str_t *data, ngx_str_t *param);
static ngx_http_gongkai_value_t *ngx_http_gongkai_apply_limit(
    ngx_http_request_t *r);
static ngx_str_t *ngx_http_gongkai_apply_field(
    ngx_http_gongkai_value_t *form, const char *name);


ngx_uint_t
ngx_http_gongkai_apply_route(ngx_http_request_t *r)
{
    if (r->uri.len == sizeof("/apply") - 1
        && ngx_strncmp(r->uri.data, "/apply", r->uri.len) == 0)
    {
        return NGX_HTTP_GONGKAI_APPLY_FORM;
    }

    if (r->uri.len == sizeof("/apply/status") - 1
        && ngx_strncmp(r->uri.data, "/apply/status", r->uri.len) == 0)
    {
        return NGX_HTTP_GONGKAI_APPLY_STATUS;
    }

    return 0;
}


ngx_int_t
ngx_http_gongkai_apply(ngx_http_request_t *r, ngx_http_gongkai_ctx_t *ctx,
    ngx_uint_t route)
{
    ngx_int_t                  rc;
    ngx_str_t                  cookie, name, token;
    ngx_table_elt_t           *h;
    ngx_http_gongkai_value_t  *limit;

    ctx->apply = route;

    if (ngx_http_gongkai_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the CSRF token: the browser's gk_apply cookie, made when missing */

    ngx_str_set(&name, "gk_apply");

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies, &name,
                                          &cookie)
        != NGX_DECLINED
        && ngx_http_gongkai_token_shape(&cookie))
    {
        ctx->csrf = cookie;

    } else if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        if (ngx_http_gongkai_random_hex(r->pool, &ctx->csrf) != NGX_OK
            || ngx_http_gongkai_set_cookie(r, "gk_apply", &ctx->csrf,
                                           &ngx_http_gongkai_apply_path)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {

        if (r->args.len > NGX_HTTP_GONGKAI_ARGS_MAX) {
            return ngx_http_gongkai_page_error(r,
                       NGX_HTTP_REQUEST_URI_TOO_LARGE, "网址过长",
                       "请求的网址过长。");
        }

        ngx_http_gongkai_value_set(ctx->req, "csrf",
            ngx_http_gongkai_value_string(r->pool, ctx->csrf.data,
                                          ctx->csrf.len));

        if (route == NGX_HTTP_GONGKAI_APPLY_STATUS) {
            ctx->tmpl = "apply_status";
            return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_SITE,
                                               1, &ctx->host);
        }

        /* a fresh token for this form: posting it twice is one case */

        if (ngx_http_gongkai_random_hex(r->pool, &token) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_gongkai_value_set(ctx->req, "form_token",
            ngx_http_gongkai_value_string(r->pool, token.data, token.len));

        limit = ngx_http_gongkai_apply_limit(r);
        if (limit == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_gongkai_value_set(ctx->req, "file_limit", limit);

        ctx->tmpl = "apply";

        return ngx_http_gongkai_page_query(r,
                                           NGX_HTTP_GONGKAI_STMT_APPLY_FORM,
                                           1, &ctx->host);
    }

    if (!(r->method & NGX_HTTP_POST)) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Allow");
        ngx_str_set(&h->value, "GET, HEAD, POST");

        return ngx_http_gongkai_page_error(r, NGX_HTTP_NOT_ALLOWED,
                   "不支持的请求方法",
                   "请通过页面上的表单提交。");
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_gongkai_apply_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_gongkai_apply_body(ngx_http_request_t *r)
{
    ngx_http_gongkai_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_gongkai_module);

    ngx_http_finalize_request(r, ngx_http_gongkai_apply_post(r, ctx));
}


static ngx_int_t
ngx_http_gongkai_apply_post(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx)
{
    ngx_int_t                  rc;
    ngx_str_t                  body, params[5], *csrf, *token;
    ngx_str_t                  files[NGX_HTTP_GONGKAI_APPLY_FILES];
    ngx_uint_t                 i, stmt, nparams;
    const char                *err;
    ngx_http_gongkai_value_t  *form, *meta, *limit, *v;

    if (r->request_body == NULL
        || ngx_http_gongkai_body_data(r, &body) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    meta = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
    if (meta == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < NGX_HTTP_GONGKAI_APPLY_FILES; i++) {
        ngx_str_null(&files[i]);
    }

    /*
     * The form with its files (multipart/form-data), at /apply only; else
     * a plain form.  A body that is not well-formed (invalid UTF-8, a
     * broken multipart body, a file field we do not know): the page
     * again, empty, with a message and status 400; nothing of it is kept
     * or logged.
     */

    if (ctx->apply == NGX_HTTP_GONGKAI_APPLY_FORM
        && ngx_http_gongkai_content_type_is(r, "multipart/form-data")
           == NGX_OK)
    {
        rc = ngx_http_gongkai_apply_multipart(r, &body, &form, meta,
                                              files);

        if (rc == NGX_ERROR) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc != NGX_OK) {
            return ngx_http_gongkai_apply_again(r, ctx);
        }

    } else {

        if ((r->headers_in.content_type != NULL || body.len)
            && ngx_http_gongkai_content_type_is(r,
                                   "application/x-www-form-urlencoded")
               != NGX_OK)
        {
            return ngx_http_gongkai_page_error(r,
                       NGX_HTTP_UNSUPPORTED_MEDIA_TYPE, "提交方式不正确",
                       "请通过本站页面上的表单提交。");
        }

        if (ngx_http_gongkai_form_parse(r->pool, body.data, body.len, &form,
                                        &err)
            != NGX_OK)
        {
            return ngx_http_gongkai_apply_again(r, ctx);
        }
    }

    csrf = ngx_http_gongkai_apply_field(form, "csrf");

    if (csrf == NULL || ctx->csrf.len == 0
        || !ngx_http_gongkai_token_equal(csrf, &ctx->csrf))
    {
        return ngx_http_gongkai_page_error(r, NGX_HTTP_FORBIDDEN,
                   "表单已失效",
                   "表单已失效或不是从本站打开的，"
                   "提交的内容没有保存。"
                   "请重新打开本站的申请页面后填写提交"
                   "（浏览器须允许本站使用Cookie）。");
    }

    ngx_http_gongkai_value_set(ctx->req, "csrf",
        ngx_http_gongkai_value_string(r->pool, ctx->csrf.data,
                                      ctx->csrf.len));

    nparams = 3;

    if (ctx->apply == NGX_HTTP_GONGKAI_APPLY_FORM) {
        token = ngx_http_gongkai_apply_field(form, "form_token");

        if (token == NULL || !ngx_http_gongkai_token_shape(token)) {
            return ngx_http_gongkai_page_error(r, NGX_HTTP_BAD_REQUEST,
                       "表单已失效",
                       "表单已失效，提交的内容没有保存。"
                       "请重新打开申请页面后填写提交。");
        }

        ngx_http_gongkai_value_set(ctx->req, "form_token",
            ngx_http_gongkai_value_string(r->pool, token->data,
                                          token->len));

        if (ngx_http_gongkai_apply_door(r, form) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        /* form.files and form.file_limit are the module's, never posted */

        ngx_http_gongkai_value_set(form, "files", meta);

        v = ngx_http_gongkai_apply_limit(r);
        limit = ngx_http_gongkai_apply_limit(r);

        if (v == NULL || limit == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_gongkai_value_set(form, "file_limit", v);
        ngx_http_gongkai_value_set(ctx->req, "file_limit", limit);

        for (i = 0; i < NGX_HTTP_GONGKAI_APPLY_FILES; i++) {
            if (ngx_http_gongkai_apply_hexa(r->pool, &files[i],
                                            &params[3 + i])
                != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }

        nparams = 5;
        ctx->tmpl = "apply";
        stmt = NGX_HTTP_GONGKAI_STMT_APPLY_SUBMIT;

    } else {
        ctx->tmpl = "apply_status";
        stmt = NGX_HTTP_GONGKAI_STMT_APPLY_STATUS;
    }

    params[0] = ctx->host;

    if (ngx_http_gongkai_json_encode(r->pool, form, &params[1]) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (r->connection->sockaddr->sa_family == AF_UNIX) {
        ngx_str_null(&params[2]);

    } else {
        params[2] = r->connection->addr_text;
    }

    return ngx_http_gongkai_page_query(r, stmt, nparams, params);
}


static ngx_int_t
ngx_http_gongkai_apply_again(ngx_http_request_t *r,
    ngx_http_gongkai_ctx_t *ctx)
{
    ngx_str_t                  token;
    ngx_http_gongkai_value_t  *limit;

    ngx_http_gongkai_value_set(ctx->req, "input_error",
        ngx_http_gongkai_cstr(r->pool,
            "提交的内容含有无效字符或编码不正确，"
            "没有保存。"
            "请重新填写后提交；如果问题反复出现，"
            "请换用其他浏览器，或按政府信息公开指南"
            "以其他方式提出申请。"));

    ngx_http_gongkai_value_set(ctx->req, "csrf",
        ngx_http_gongkai_value_string(r->pool, ctx->csrf.data,
                                      ctx->csrf.len));

    ctx->tmpl_status = NGX_HTTP_BAD_REQUEST;

    if (ctx->apply == NGX_HTTP_GONGKAI_APPLY_STATUS) {
        ctx->tmpl = "apply_status";
        return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_SITE, 1,
                                           &ctx->host);
    }

    if (ngx_http_gongkai_random_hex(r->pool, &token) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_value_set(ctx->req, "form_token",
        ngx_http_gongkai_value_string(r->pool, token.data, token.len));

    limit = ngx_http_gongkai_apply_limit(r);
    if (limit == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_gongkai_value_set(ctx->req, "file_limit", limit);

    ctx->tmpl = "apply";

    return ngx_http_gongkai_page_query(r, NGX_HTTP_GONGKAI_STMT_APPLY_FORM, 1,
                                       &ctx->host);
}


/*
 * The identity numbers by their check characters, again at the door:
 * form.door = {"id_number": false, ...} for each one refused.  The
 * database refuses them too, and shows the message next to the field.
 */

static ngx_int_t
ngx_http_gongkai_apply_door(ngx_http_request_t *r,
    ngx_http_gongkai_value_t *form)
{
    u_char                     buf[NGX_HTTP_GONGKAI_CHECK_MAX];
    ngx_str_t                 *kind, *type, *v;
    ngx_http_gongkai_value_t  *door, *no;

    door = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
    no = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_FALSE);

    if (door == NULL || no == NULL) {
        return NGX_ERROR;
    }

    kind = ngx_http_gongkai_apply_field(form, "applicant_kind");
    type = ngx_http_gongkai_apply_field(form, "id_type");

    if (kind != NULL && kind->len == sizeof("citizen") - 1
        && ngx_strncmp(kind->data, "citizen", kind->len) == 0)
    {
        v = ngx_http_gongkai_apply_field(form, "id_number");

        if (type != NULL && type->len == sizeof("resident_id") - 1
            && ngx_strncmp(type->data, "resident_id", type->len) == 0
            && v != NULL && v->len
            && !ngx_http_gongkai_resident_id_valid(v->data, v->len))
        {
            ngx_http_gongkai_value_set(door, "id_number", no);
        }

    } else {
        v = ngx_http_gongkai_apply_field(form, "credit_code");

        if (v != NULL && v->len
            && !ngx_http_gongkai_credit_code_valid(v->data, v->len))
        {
            ngx_http_gongkai_value_set(door, "credit_code", no);
        }
    }

    /* an agent's number is checked when it looks like a resident ID */

    v = ngx_http_gongkai_apply_field(form, "agent_id_number");

    if (v != NULL
        && ngx_http_gongkai_check_normal(v->data, v->len, buf) == 18
        && !ngx_http_gongkai_resident_id_valid(v->data, v->len))
    {
        ngx_http_gongkai_value_set(door, "agent_id_number", no);
    }

    ngx_http_gongkai_value_set(form, "door", door);

    return NGX_OK;
}


/*
 * The form posted with its files: the text fields become form members
 * as ngx_http_gongkai_form_parse makes them (names [a-z0-9_]{1,64},
 * UTF-8 values, each name once), the file fields id_file and auth_file
 * (each at most once) go through ngx_http_gongkai_apply_file into
 * meta.<name> and files[0], files[1].  NGX_DECLINED for a body that is
 * not such a form.
 */

static ngx_int_t
ngx_http_gongkai_apply_multipart(ngx_http_request_t *r, ngx_str_t *body,
    ngx_http_gongkai_value_t **form, ngx_http_gongkai_value_t *meta,
    ngx_str_t *files)
{
    u_char                    *p;
    ngx_int_t                  rc;
    ngx_str_t                  boundary;
    ngx_uint_t                 i, n;
    ngx_array_t                parts;
    ngx_http_gongkai_part_t   *part;
    ngx_http_gongkai_value_t  *obj, *v;

    static const char  *names[NGX_HTTP_GONGKAI_APPLY_FILES] = {
        "id_file", "auth_file"
    };

    if (ngx_http_gongkai_multipart_boundary(
            &r->headers_in.content_type->value, &boundary)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    if (ngx_array_init(&parts, r->pool, 32, sizeof(ngx_http_gongkai_part_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    rc = ngx_http_gongkai_multipart_parse(r->pool, &boundary, body->data,
                                          body->len, &parts);
    if (rc != NGX_OK) {
        return rc;
    }

    obj = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
    if (obj == NULL) {
        return NGX_ERROR;
    }

    *form = obj;
    part = parts.elts;

    for (i = 0; i < parts.nelts; i++) {

        if (part[i].has_filename) {
            for (n = 0; n < NGX_HTTP_GONGKAI_APPLY_FILES; n++) {
                if (part[i].name.len == ngx_strlen(names[n])
                    && ngx_strncmp(part[i].name.data, names[n],
                                   part[i].name.len)
                       == 0)
                {
                    break;
                }
            }

            if (n == NGX_HTTP_GONGKAI_APPLY_FILES
                || ngx_http_gongkai_value_get(meta, part[i].name.data,
                                              part[i].name.len)
                   != NULL
                || files[n].data != NULL)
            {
                return NGX_DECLINED;
            }

            v = ngx_http_gongkai_value_new(r->pool, NGX_HTTP_GONGKAI_OBJECT);
            if (v == NULL) {
                return NGX_ERROR;
            }

            rc = ngx_http_gongkai_apply_file(r, &part[i], v, &files[n]);

            if (rc == NGX_ERROR) {
                return NGX_ERROR;
            }

            /* NGX_DECLINED: no file chosen, the browser's empty part */

            if (rc == NGX_OK) {
                ngx_http_gongkai_value_set(meta, names[n], v);
            }

            continue;
        }

        if (part[i].name.len > 64) {
            return NGX_DECLINED;
        }

        for (p = part[i].name.data;
             p < part[i].name.data + part[i].name.len;
             p++)
        {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
                  || *p == '_'))
            {
                return NGX_DECLINED;
            }
        }

        if (!ngx_http_gongkai_utf8_text_valid(part[i].data.data,
                                              part[i].data.len)
            || ngx_http_gongkai_value_get(obj, part[i].name.data,
                                          part[i].name.len)
               != NULL)
        {
            return NGX_DECLINED;
        }

        v = ngx_http_gongkai_value_string(r->pool, part[i].data.data,
                                          part[i].data.len);
        if (v == NULL) {
            return NGX_ERROR;
        }

        v->key = part[i].name;
        ngx_http_gongkai_value_push(obj, v);
    }

    return NGX_OK;
}


/*
 * One file of the form.  NGX_DECLINED when no file was chosen (an empty
 * part without a name).  Otherwise NGX_OK with meta {"file_name",
 * "content_type", "size"} and *data the file's bytes, or, for a file we
 * refuse, meta {"file_name" (when it is valid UTF-8), "refused": "empty"
 * | "size" | "name" | "type"} and *data left null; the database words
 * the message next to the field.
 */

static ngx_int_t
ngx_http_gongkai_apply_file(ngx_http_request_t *r,
    ngx_http_gongkai_part_t *part, ngx_http_gongkai_value_t *meta,
    ngx_str_t *data)
{
    ngx_str_t                     type, ext;
    ngx_uint_t                    i;
    const char                   *refused;
    ngx_http_gongkai_value_t     *v;
    ngx_http_gongkai_loc_conf_t  *glcf;

    /* what a citizen may attach: documents and scans, no archives */
    static ngx_str_t  exts[] = {
        ngx_string("pdf"), ngx_string("ofd"), ngx_string("doc"),
        ngx_string("docx"), ngx_string("wps"), ngx_string("jpg"),
        ngx_string("jpeg"), ngx_string("png")
    };

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);

    if (part->filename.len == 0 && part->data.len == 0) {
        return NGX_DECLINED;
    }

    if (part->filename.len
        && part->filename.len <= NGX_HTTP_GONGKAI_FILE_NAME_MAX
        && ngx_http_gongkai_utf8_valid(part->filename.data,
                                       part->filename.len))
    {
        v = ngx_http_gongkai_value_string(r->pool, part->filename.data,
                                          part->filename.len);
        if (v == NULL) {
            return NGX_ERROR;
        }

        ngx_http_gongkai_value_set(meta, "file_name", v);
    }

    refused = NULL;

    if (part->data.len == 0) {
        refused = "empty";

    } else if (part->data.len > glcf->upload_max_size) {
        refused = "size";

    } else if (ngx_http_gongkai_file_name_ok(part->filename.data,
                                             part->filename.len)
               != NGX_OK)
    {
        refused = "name";

    } else if (ngx_http_gongkai_sniff(part->filename.data,
                                      part->filename.len, part->data.data,
                                      part->data.len, &type, &ext)
               != NGX_OK)
    {
        refused = "type";

    } else {
        for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
            if (ext.len == exts[i].len
                && ngx_strncmp(ext.data, exts[i].data, ext.len) == 0)
            {
                break;
            }
        }

        if (i == sizeof(exts) / sizeof(exts[0])) {
            refused = "type";
        }
    }

    if (refused != NULL) {
        ngx_http_gongkai_value_set(meta, "refused",
                                   ngx_http_gongkai_cstr(r->pool, refused));
        return NGX_OK;
    }

    v = ngx_http_gongkai_value_string(r->pool, type.data, type.len);
    if (v == NULL) {
        return NGX_ERROR;
    }

    ngx_http_gongkai_value_set(meta, "content_type", v);
    ngx_http_gongkai_value_set(meta, "size",
        ngx_http_gongkai_value_int(r->pool, part->data.len));

    *data = part->data;

    return NGX_OK;
}


/* bytea in its hex input form, "\x" and two digits a byte; null if none */

static ngx_int_t
ngx_http_gongkai_apply_hexa(ngx_pool_t *pool, ngx_str_t *data,
    ngx_str_t *param)
{
    u_char  *p;

    if (data->data == NULL) {
        ngx_str_null(param);
        return NGX_OK;
    }

    p = ngx_pnalloc(pool, 2 + 2 * data->len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    param->data = p;
    *p++ = '\\';
    *p++ = 'x';
    p = ngx_hex_dump(p, data->data, data->len);
    param->len = p - param->data;

    return NGX_OK;
}


/* gongkai_upload_max_size as the page shows it: "5 MB", "800 KB" */

static ngx_http_gongkai_value_t *
ngx_http_gongkai_apply_limit(ngx_http_request_t *r)
{
    u_char                       *p;
    size_t                        max;
    ngx_http_gongkai_loc_conf_t  *glcf;

    glcf = ngx_http_get_module_loc_conf(r, ngx_http_gongkai_module);
    max = glcf->upload_max_size;

    p = ngx_pnalloc(r->pool, NGX_SIZE_T_LEN + sizeof(" 字节"));
    if (p == NULL) {
        return NULL;
    }

    if (max && max % (1024 * 1024) == 0) {
        return ngx_http_gongkai_value_string(r->pool, p,
                   ngx_sprintf(p, "%uz MB", max / (1024 * 1024)) - p);
    }

    if (max && max % 1024 == 0) {
        return ngx_http_gongkai_value_string(r->pool, p,
                   ngx_sprintf(p, "%uz KB", max / 1024) - p);
    }

    return ngx_http_gongkai_value_string(r->pool, p,
               ngx_sprintf(p, "%uz 字节", max) - p);
}


/* a form field that is one string, or NULL */

static ngx_str_t *
ngx_http_gongkai_apply_field(ngx_http_gongkai_value_t *form,
    const char *name)
{
    ngx_http_gongkai_value_t  *v;

    v = ngx_http_gongkai_value_get(form, (u_char *) name, ngx_strlen(name));

    if (v == NULL || v->type != NGX_HTTP_GONGKAI_STRING) {
        return NULL;
    }

    return &v->str;
}


