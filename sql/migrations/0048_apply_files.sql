-- 0048: the application form takes files (issue 4: "Optional
-- attachments (identity copy, authorisation) with size and type
-- limits"; "An agent may apply with an authorisation attachment").
--
-- The form is posted as multipart/form-data with up to two files:
--
--   id_file    a copy of an identity document (身份证明材料), optional
--   auth_file  the authorisation letter (授权委托书), required when the
--              applicant says an agent applies (by_agent; seed 000
--              工作规程 第五条)
--
-- The module reads them (ngx_http_gongkai_apply.c): it decides the type
-- by the content (PDF, OFD, Word, WPS, JPG, PNG; the name's extension
-- must agree), holds each to gongkai_upload_max_size, and tells this
-- function what it found in form.files:
--
--   {"id_file": {"file_name", "content_type", "size"} |
--               {"file_name"?, "refused": "type" | "size" | "name" |
--                                         "empty"}, "auth_file": ...}
--
-- with the bytes of each accepted file as $4 and $5 (null otherwise) and
-- the limit as the page shows it in form.file_limit ("5 MB").  A refused
-- file is named in the error next to its field; the other inputs stay.
--
-- A browser cannot put a chosen file back into a form shown again, so
-- the accepted files of a form that had errors are kept (table
-- apply_pending_files, by the form token's hash) and the form says so;
-- the same form submitted again takes them unless replaced or removed
-- (drop_id_file, drop_auth_file).  Kept files older than
-- apply.pending_file_hours are deleted at the next submission.

-- 12 345 bytes as "12.1 KB", and so on.
create function size_text(p_size bigint)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case
        when p_size < 1024 then p_size || ' 字节'
        when p_size < 1024 * 1024
            then round(p_size / 1024.0, 1) || ' KB'
        else round(p_size / 1048576.0, 1) || ' MB' end
$$;

-- The files kept for a form: {"id_file": {"file_name", "size"}, ...}.
create function apply_kept_files(p_form jsonb)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(jsonb_object_agg(
               case p.kind when 'id_copy' then 'id_file'
                           else 'auth_file' end,
               jsonb_build_object('file_name', p.file_name,
                                  'size', p.size,
                                  'size_text', size_text(p.size))), '{}')
      from apply_pending_files p
     where form_text(p_form, 'form_token') ~ '^[0-9a-f]{64}$'
       and p.form_hash = ext.digest(form_text(p_form, 'form_token'),
                                    'sha256')
       and p.uploaded_at > now() - make_interval(hours =>
               setting_int('apply.pending_file_hours'))
$$;

-- The database's own look at a file's first bytes, behind the module's
-- full check: the signature of the type the module named.
create function apply_file_ok(p_type text, p_data bytea)
returns boolean
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case p_type
        when 'application/pdf' then substr(p_data, 1, 5) = '\x255044462d'
        when 'image/jpeg' then substr(p_data, 1, 3) = '\xffd8ff'
        when 'image/png' then substr(p_data, 1, 8) = '\x89504e470d0a1a0a'
        when 'application/msword'
            then substr(p_data, 1, 8) = '\xd0cf11e0a1b11ae1'
        when 'application/kswps'
            then substr(p_data, 1, 8) = '\xd0cf11e0a1b11ae1'
        when 'application/ofd' then substr(p_data, 1, 4) = '\x504b0304'
        when 'application/vnd.openxmlformats-officedocument'
             || '.wordprocessingml.document'
            then substr(p_data, 1, 4) = '\x504b0304'
        else false end
$$;

-- The form's data (0045), with the kept files and the two file fields
-- in the error summary's order.
create or replace function apply_page_json(p_site sites, p_form jsonb,
                                           p_errors jsonb)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_organs  bigint[] := apply_organs(site_scope(p_site));
    v_form    jsonb := '{}';
    v_key     text;
    v_sel     text;
    v_files   jsonb := '{}';
begin
    if p_form is not null then
        foreach v_key in array array[
            'organ', 'applicant_kind', 'name', 'id_type', 'id_number',
            'work_unit', 'org_name', 'credit_code', 'legal_rep',
            'contact_person', 'address', 'postcode', 'phone', 'email', 'fax',
            'agent_name', 'agent_id_number', 'agent_phone', 'description',
            'doc_ref', 'purpose', 'wanted_form', 'delivery']
        loop
            v_form := v_form || jsonb_build_object(
                v_key, coalesce(form_text(p_form, v_key), ''));
        end loop;
        v_form := v_form || jsonb_build_object(
            'by_agent', form_flag(p_form, 'by_agent'));
        v_files := apply_kept_files(p_form);
    else
        v_form := jsonb_build_object(
            'applicant_kind', 'citizen', 'id_type', 'resident_id',
            'wanted_form', 'electronic', 'delivery', 'email',
            'by_agent', false);
    end if;

    -- the organ: as chosen, else the site's own when it takes
    -- applications, else the first
    v_sel := nullif(v_form ->> 'organ', '');
    if v_sel is null then
        select unit_code into v_sel from organs
         where id = case when p_site.organ_id = any (v_organs)
                         then p_site.organ_id else v_organs[1] end;
    end if;

    return jsonb_build_object(
        'accepting', cardinality(v_organs) > 0,
        'organs', (select coalesce(jsonb_agg(jsonb_build_object(
                              'unit_code', o.unit_code, 'name', o.name,
                              'checked', o.unit_code = upper(v_sel))
                          order by o.id = p_site.organ_id desc, o.unit_code),
                          '[]')
                     from organs o where o.id = any (v_organs)),
        'one_organ', cardinality(v_organs) = 1,
        'kinds', (select jsonb_agg(jsonb_build_object(
                             'value', k.code, 'name', k.name,
                             'is_org', k.is_org,
                             'checked', k.code = v_form ->> 'applicant_kind')
                         order by k.sort)
                    from applicant_kinds k),
        'org_kinds', (select jsonb_agg(jsonb_build_object(
                                 'value', k.code, 'name', k.name,
                                 'checked',
                                 k.code = v_form ->> 'applicant_kind')
                             order by k.sort)
                        from applicant_kinds k where k.is_org),
        'is_org', coalesce((select is_org from applicant_kinds
                             where code = v_form ->> 'applicant_kind'),
                           false),
        'id_types', (select jsonb_agg(jsonb_build_object(
                                'value', split_part(t.term, '.', 2),
                                'name', t.name,
                                'checked', split_part(t.term, '.', 2)
                                           = v_form ->> 'id_type')
                            order by t.sort)
                       from apply_terms t where t.term like 'id\_type.%'),
        'forms', (select jsonb_agg(jsonb_build_object(
                             'value', split_part(t.term, '.', 2),
                             'name', t.name,
                             'checked', split_part(t.term, '.', 2)
                                        = v_form ->> 'wanted_form')
                         order by t.sort)
                    from apply_terms t where t.term like 'form.%'),
        'deliveries', (select jsonb_agg(jsonb_build_object(
                                  'value', split_part(t.term, '.', 2),
                                  'name', t.name,
                                  'checked', split_part(t.term, '.', 2)
                                             = v_form ->> 'delivery')
                              order by t.sort)
                         from apply_terms t where t.term like 'delivery.%'),
        'form', v_form,
        -- the files kept from an earlier post of this form (0048)
        'kept', v_files,
        'errors', coalesce(p_errors, '{}'),
        'invalid', (select coalesce(jsonb_object_agg(e.key, true), '{}')
                      from jsonb_each(coalesce(p_errors, '{}')) e),
        'has_errors', coalesce(p_errors, '{}') <> '{}',
        -- in the order of the form, for the summary above it
        'error_list', (select coalesce(jsonb_agg(jsonb_build_object(
                                  'field', f, 'message', p_errors ->> f)
                              order by n), '[]')
                         from unnest(array[
                                  'form', 'organ', 'applicant_kind', 'name',
                                  'id_type', 'id_number', 'work_unit',
                                  'org_name', 'credit_code', 'legal_rep',
                                  'contact_person', 'phone', 'email', 'fax',
                                  'address', 'postcode', 'agent_name',
                                  'agent_id_number', 'agent_phone',
                                  'id_file', 'auth_file', 'description',
                                  'doc_ref', 'purpose',
                                  'wanted_form', 'delivery'])
                              with ordinality x (f, n)
                        where p_errors ? f),
        'error_count', (select count(*) from jsonb_object_keys(
                                                 coalesce(p_errors, '{}'))),
        'reply_days', setting_int('apply.reply_working_days'));
end
$$;

-- The files of a post: for each slot its kind, the error to show (a
-- refused file, a required one missing) and what to store.  Accepted
-- new files replace kept ones; kept ones are used unless removed.
create function apply_files_parse(p_form jsonb, p_hash bytea,
                                  p_agent boolean, p_id_file bytea,
                                  p_auth_file bytea, out errors jsonb,
                                  out files jsonb)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_meta   jsonb := case when jsonb_typeof(p_form -> 'files') = 'object'
                           then p_form -> 'files' else '{}' end;
    v_limit  text := coalesce(nullif(form_text(p_form, 'file_limit'), ''),
                              '规定');
    v_m      jsonb;
    v_name   text;
    v_data   bytea;
    v_kept   boolean;
    f        record;
begin
    errors := '{}';
    files := '{}';
    for f in select * from (values
            ('id_file', 'id_copy', '身份证明材料', 1),
            ('auth_file', 'authorisation', '授权委托书', 2))
            as x (field, kind, what, n)
    loop
        v_m := case when jsonb_typeof(v_meta -> f.field) = 'object'
                    then v_meta -> f.field else '{}' end;
        v_name := case when jsonb_typeof(v_m -> 'file_name') = 'string'
                       then left(v_m ->> 'file_name', 100) end;
        v_data := case f.n when 1 then p_id_file else p_auth_file end;
        v_kept := p_hash is not null
                  and not form_flag(p_form, 'drop_' || f.field)
                  and exists (select 1 from apply_pending_files p
                               where p.form_hash = p_hash
                                 and p.kind = f.kind
                                 and p.uploaded_at > now()
                                     - make_interval(hours =>
                                         setting_int(
                                             'apply.pending_file_hours')));

        if v_m ? 'refused' then
            errors := errors || jsonb_build_object(f.field,
                f.what || coalesce('“' || v_name || '”', '')
                || case v_m ->> 'refused'
                   when 'size' then '超过了' || v_limit
                        || '的大小限制，没有保存。请压缩或降低扫描分辨率后'
                        || '重新选择'
                   when 'empty' then '是空文件，没有保存。请重新选择'
                   when 'name' then '的文件名不正确，没有保存。文件名不能'
                        || '超过200字节、不能含有斜杠或控制字符，'
                        || '并且要有扩展名'
                   else '的类型不支持，没有保存。只能上传 PDF、OFD、'
                        || 'Word（doc、docx）、WPS、JPG 或 PNG 文件，'
                        || '并且文件内容要与扩展名一致' end);
        elsif v_data is not null then
            if v_name is null or octet_length(v_name) > 200
               or v_name ~ '[/\\[:cntrl:]]' or v_name ~ '^\.'
               or not apply_file_ok(v_m ->> 'content_type', v_data)
            then
                errors := errors || jsonb_build_object(f.field,
                    f.what || '的类型不支持，没有保存。只能上传 PDF、OFD、'
                    || 'Word（doc、docx）、WPS、JPG 或 PNG 文件');
            else
                files := files || jsonb_build_object(f.kind,
                    jsonb_build_object('new', true, 'n', f.n,
                                       'file_name', v_name,
                                       'content_type',
                                       v_m ->> 'content_type'));
            end if;
        elsif v_kept then
            files := files || jsonb_build_object(f.kind,
                jsonb_build_object('new', false, 'n', f.n));
        end if;

        -- 工作规程 第五条: an agent shows the authorisation
        if f.kind = 'authorisation' and p_agent
           and not (files ? 'authorisation') and not (errors ? f.field)
        then
            errors := errors || jsonb_build_object(f.field,
                '委托代理人申请的，请上传申请人签署的授权委托书');
        end if;
    end loop;
end
$$;

drop function portal.apply_submit(text, jsonb, inet);

create function portal.apply_submit(p_host text, p_form jsonb,
                                    p_client inet,
                                    p_id_file bytea default null,
                                    p_auth_file bytea default null)
returns json
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s        sites := site_for_host(p_host);
    v_token  text := form_text(p_form, 'form_token');
    v_hash   bytea;
    v_code   text;
    v_id     bigint;
    v_errors jsonb;
    v_kind   text;
    v_f      jsonb;
    v_data   bytea;
    v_no     integer := 0;
    v        record;
    fl       record;
begin
    if s.id is null then
        return json_build_object('site', null);
    end if;
    -- the confirmation is sent only for a case that is on disk
    perform set_config('synchronous_commit', 'on', true);

    if v_token is null or v_token !~ '^[0-9a-f]{64}$' then
        return (jsonb_build_object('site', site_json(s), 'template', 'apply',
                                   'status', 422)
                || apply_page_json(s, p_form, jsonb_build_object('form',
                       '表单已失效，请重新打开申请页面后填写提交。')))::json;
    end if;
    v_hash := ext.digest(v_token, 'sha256');
    v_code := query_code_from_token(v_token);

    -- the same form posted again: the same case
    select id into v_id from applications where form_hash = v_hash;
    if found then
        return apply_done_json(s, v_id, v_code, true)::json;
    end if;

    delete from apply_pending_files
     where uploaded_at <= now() - make_interval(hours =>
               setting_int('apply.pending_file_hours'));

    v := apply_form_parse(p_form, apply_organs(site_scope(s)));
    fl := apply_files_parse(p_form, v_hash,
                            coalesce((v.v ->> 'by_agent')::boolean, false),
                            p_id_file, p_auth_file);
    v_errors := v.errors || fl.errors;

    if v_errors <> '{}' then
        -- keep what was accepted for the form shown again; forget what
        -- the applicant removed
        delete from apply_pending_files p
         where p.form_hash = v_hash
           and ((p.kind = 'id_copy' and form_flag(p_form, 'drop_id_file'))
                or (p.kind = 'authorisation'
                    and form_flag(p_form, 'drop_auth_file')));
        for v_kind, v_f in select * from jsonb_each(fl.files) loop
            continue when not (v_f ->> 'new')::boolean;
            v_data := case (v_f ->> 'n')::integer when 1 then p_id_file
                                                  else p_auth_file end;
            insert into apply_pending_files as p
                   (form_hash, kind, file_name, content_type, size, data)
            values (v_hash, v_kind, v_f ->> 'file_name',
                    v_f ->> 'content_type', octet_length(v_data), v_data)
            on conflict (form_hash, kind) do update
               set file_name = excluded.file_name,
                   content_type = excluded.content_type,
                   size = excluded.size, data = excluded.data,
                   uploaded_at = now();
        end loop;
        return (jsonb_build_object('site', site_json(s), 'template', 'apply',
                                   'status', 422)
                || apply_page_json(s, p_form, v_errors))::json;
    end if;

    v_id := apply_create(v.v, 'website', today_cn(), null, v_hash,
                         query_code_hash(v_code), null);
    if v_id is null then
        -- posted twice at the same moment: the other one made the case
        select id into v_id from applications where form_hash = v_hash;
        return apply_done_json(s, v_id, v_code, true)::json;
    end if;

    -- the files go with the case (一案一卷), new ones or kept ones
    for v_kind, v_f in select * from jsonb_each(fl.files)
                        order by (value ->> 'n')::integer
    loop
        v_no := v_no + 1;
        if (v_f ->> 'new')::boolean then
            v_data := case (v_f ->> 'n')::integer when 1 then p_id_file
                                                  else p_auth_file end;
            insert into case_files (case_id, no, kind, file_name,
                                    content_type, size, data, sha256)
            values (v_id, v_no, v_kind, v_f ->> 'file_name',
                    v_f ->> 'content_type', octet_length(v_data), v_data,
                    ext.digest(v_data, 'sha256'));
        else
            insert into case_files (case_id, no, kind, file_name,
                                    content_type, size, data, sha256)
            select v_id, v_no, p.kind, p.file_name, p.content_type, p.size,
                   p.data, ext.digest(p.data, 'sha256')
              from apply_pending_files p
             where p.form_hash = v_hash and p.kind = v_kind;
        end if;
    end loop;
    delete from apply_pending_files where form_hash = v_hash;

    perform case_audit(null, p_client, 'case.submit', v_id,
                       jsonb_build_object(
                           'tracking_no', (select tracking_no
                                             from applications
                                            where id = v_id),
                           'applicant_kind', (select name
                                                from applicant_kinds
                                               where code = v.v ->>
                                                     'applicant_kind'),
                           'repeat', applicant_repeat_count(v_id),
                           'files', v_no));
    return apply_done_json(s, v_id, v_code, false)::json;
end
$$;

insert into audit_detail_names (key, name) values
    ('files', '所附材料数')
on conflict (key) do nothing;

revoke all on function portal.apply_submit(text, jsonb, inet, bytea, bytea)
    from public;
grant execute on function
    portal.apply_submit(text, jsonb, inet, bytea, bytea)
    to gongkai_web;
