-- 0045: the public pages of disclosure on request (sql/PAGES.md): the
-- application form, its submission, and the applicant's status page.
--
--   page_apply(host)                the empty form
--   apply_submit(host, form, ip)    the form posted: the form again with
--                                   its errors (422), or the
--                                   confirmation with the tracking number
--                                   and the query code
--   apply_status(host, form, ip)    tracking number + query code (posted,
--                                   never in a URL) -> the case's stage,
--                                   deadline and delivered documents
--
-- None of them ever returns the applicant's personal data: the
-- applicants table is written by apply_submit and read by nobody here.
-- apply_submit makes its commit synchronous whatever the server's
-- setting, so that a confirmation page is only ever sent for a case
-- that is on disk.

-- The form's choices and the values shown in it (as posted, on a form
-- shown again).  p_form null: a first display.
create function apply_page_json(p_site sites, p_form jsonb, p_errors jsonb)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_organs  bigint[] := apply_organs(site_scope(p_site));
    v_form    jsonb := '{}';
    v_key     text;
    v_sel     text;
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
                                  'description', 'doc_ref', 'purpose',
                                  'wanted_form', 'delivery'])
                              with ordinality x (f, n)
                        where p_errors ? f),
        'error_count', (select count(*) from jsonb_object_keys(
                                                 coalesce(p_errors, '{}'))),
        'reply_days', setting_int('apply.reply_working_days'));
end
$$;

create function portal.page_apply(p_host text)
returns json
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  sites := site_for_host(p_host);
begin
    if s.id is null then
        return json_build_object('site', null);
    end if;
    return (jsonb_build_object('site', site_json(s))
            || apply_page_json(s, null, null))::json;
end
$$;

-- The confirmation page's data for a case.
create function apply_done_json(p_site sites, p_case bigint,
                                p_code text, p_duplicate boolean)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'site', site_json(p_site),
        'template', 'apply_done',
        'duplicate', p_duplicate,
        'done', jsonb_build_object(
            'tracking_no', a.tracking_no,
            'query_code', p_code,
            'organ_name', o.name,
            'receipt_date', to_char(a.receipt_date, 'YYYY-MM-DD'),
            'received_at', fmt_time(a.received_at),
            'reply_days', setting_int('apply.reply_working_days'),
            'due_on', to_char(working_deadline(a.clock_start,
                                               case_limit(a.id),
                                               case_pauses(a.id)),
                              'YYYY-MM-DD')))
      from applications a join organs o on o.id = a.organ_id
     where a.id = p_case
$$;

create function portal.apply_submit(p_host text, p_form jsonb,
                                    p_client inet)
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
    v        record;
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

    v := apply_form_parse(p_form, apply_organs(site_scope(s)));
    if v.errors <> '{}' then
        return (jsonb_build_object('site', site_json(s), 'template', 'apply',
                                   'status', 422)
                || apply_page_json(s, p_form, v.errors))::json;
    end if;

    v_id := apply_create(v.v, 'website', today_cn(), null, v_hash,
                         query_code_hash(v_code), null);
    if v_id is null then
        -- posted twice at the same moment: the other one made the case
        select id into v_id from applications where form_hash = v_hash;
        return apply_done_json(s, v_id, v_code, true)::json;
    end if;

    perform case_audit(null, p_client, 'case.submit', v_id,
                       jsonb_build_object(
                           'tracking_no', (select tracking_no
                                             from applications
                                            where id = v_id),
                           'applicant_kind', (select name
                                                from applicant_kinds
                                               where code = v.v ->>
                                                     'applicant_kind'),
                           'repeat', applicant_repeat_count(v_id)));
    return apply_done_json(s, v_id, v_code, false)::json;
end
$$;

-- What the applicant sees of a case.
create function apply_status_json(p_case bigint)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'tracking_no', a.tracking_no,
        'organ_name', o.name,
        'receipt_date', to_char(a.receipt_date, 'YYYY-MM-DD'),
        'channel_name', (select name from apply_channels
                          where code = a.channel),
        'kind_name', (select name from applicant_kinds
                       where code = a.applicant_kind),
        'description', a.description,
        'doc_ref', a.doc_ref,
        'form_name', apply_term('form', a.wanted_form),
        'delivery_name', apply_term('delivery', a.delivery),
        'stage', a.stage,
        'stage_name', apply_term('stage', a.stage),
        'is_closed', a.stage = 'closed',
        'is_correcting', a.stage = 'correcting',
        'accepted_on', to_char(a.accepted_on, 'YYYY-MM-DD'),
        'closed_on', fmt_day(a.closed_at),
        'outcome', outcome_label(a.outcome),
        'clock', case_clock_json(a.id),
        'correction', (select jsonb_build_object(
                                  'items', c.items,
                                  'notice_on', to_char(c.notice_on,
                                                       'YYYY-MM-DD'),
                                  'due_on', to_char(c.due_on, 'YYYY-MM-DD'),
                                  'received_on', to_char(c.received_on,
                                                         'YYYY-MM-DD'))
                         from case_corrections c where c.case_id = a.id),
        'extension', (select jsonb_build_object(
                                 'days', e.days,
                                 'decided_on', to_char(e.decided_on,
                                                       'YYYY-MM-DD'))
                        from case_extensions e
                       where e.case_id = a.id and e.decision = 'approved'),
        'documents', (select coalesce(jsonb_agg(jsonb_build_object(
                                 'title', d.title,
                                 'doc_no', d.doc_no,
                                 'issued_on', to_char(d.issued_on,
                                                      'YYYY-MM-DD'),
                                 'sent_on', to_char(d.sent_on, 'YYYY-MM-DD'),
                                 'sent_method', apply_term('sent',
                                                           d.sent_method),
                                 'issuer', d.issuer,
                                 'issued_cn', cn_date(d.issued_on),
                                 'paragraphs', (
                                     select jsonb_agg(p order by n)
                                       from regexp_split_to_table(d.body,
                                                                  E'\n')
                                            with ordinality x (p, n)))
                                 order by d.id), '[]')
                        from case_documents d
                       where d.case_id = a.id and d.sent_on is not null))
      from applications a join organs o on o.id = a.organ_id
     where a.id = p_case
$$;

create function portal.apply_status(p_host text, p_form jsonb,
                                    p_client inet)
returns json
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s        sites := site_for_host(p_host);
    v_no     text := upper(btrim(coalesce(form_text(p_form, 'tracking_no'),
                                          '')));
    v_code   text := btrim(coalesce(form_text(p_form, 'query_code'), ''));
    v_errors jsonb := '{}';
    a        applications;
    t        case_status_throttle;
    v_page   jsonb;
begin
    if s.id is null then
        return json_build_object('site', null);
    end if;
    v_page := jsonb_build_object('site', site_json(s),
                                 'template', 'apply_status',
                                 'form', jsonb_build_object(
                                     'tracking_no', left(v_no, 40)));

    if v_no = '' then
        v_errors := v_errors || '{"tracking_no": "请填写申请编号"}';
    elsif v_no !~ '^YS[0-9]{4}-[0-9]{6,12}$' then
        v_errors := v_errors
            || '{"tracking_no": "申请编号的格式应如 YS2025-000123"}';
    end if;
    if v_code = '' then
        v_errors := v_errors || '{"query_code": "请填写查询码"}';
    elsif length(v_code) > 40 then
        v_errors := v_errors || '{"query_code": "查询码不正确"}';
    end if;
    if v_errors <> '{}' then
        return (v_page || jsonb_build_object(
            'status', 422, 'errors', v_errors,
            'invalid', (select jsonb_object_agg(k, true)
                          from jsonb_object_keys(v_errors) k)))::json;
    end if;

    select * into a from applications
     where tracking_no = v_no and organ_id = any (site_scope(s));
    if found then
        select * into t from case_status_throttle
         where case_id = a.id for update;
        if t.locked_until > now() then
            return (v_page || jsonb_build_object(
                'status', 429,
                'invalid', '{"query_code": true}'::jsonb,
                'errors', jsonb_build_object('query_code',
                    '查询码输错次数过多，请于'
                    || to_char(t.locked_until at time zone 'Asia/Shanghai',
                               'HH24:MI')
                    || '（北京时间）后再试。')))::json;
        end if;
    end if;

    if a.id is null or a.query_hash is null
       or a.query_hash <> query_code_hash(v_code)
    then
        if a.id is not null then
            insert into case_status_throttle as x (case_id, failures)
            values (a.id, 1)
            on conflict (case_id) do update
               set failures = case when x.locked_until <= now()
                                   then 1 else x.failures + 1 end,
                   locked_until = null
            returning * into t;
            if t.failures >= setting_int('apply.status_lock_after') then
                update case_status_throttle
                   set failures = 0,
                       locked_until = now() + make_interval(mins =>
                           setting_int('apply.status_lock_minutes'))
                 where case_id = a.id;
            end if;
            perform case_audit(null, p_client, 'case.status_failed', a.id,
                               jsonb_build_object('tracking_no',
                                                  a.tracking_no));
        end if;
        return (v_page || jsonb_build_object(
            'status', 422,
            'invalid', '{"tracking_no": true, "query_code": true}'::jsonb,
            'errors', jsonb_build_object('query_code',
                '申请编号或查询码不正确，请核对后重新输入。')))::json;
    end if;

    if t.failures > 0 or t.locked_until is not null then
        update case_status_throttle set failures = 0, locked_until = null
         where case_id = a.id;
    end if;
    perform case_audit(null, p_client, 'case.status_view', a.id,
                       jsonb_build_object('tracking_no', a.tracking_no));
    return (v_page || jsonb_build_object('found', true,
                                         'case', apply_status_json(a.id)))
           ::json;
end
$$;

revoke all on function portal.page_apply(text),
                       portal.apply_submit(text, jsonb, inet),
                       portal.apply_status(text, jsonb, inet)
    from public;
grant execute on function portal.page_apply(text),
                          portal.apply_submit(text, jsonb, inet),
                          portal.apply_status(text, jsonb, inet)
    to gongkai_web;
