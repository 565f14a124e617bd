-- 0072: the admin pages of the annual report (issue 5, sql/ADMIN.md
-- "Annual reports"): the list with deadlines (warned
-- report.warn_days ahead, late marked), a report's page with its tables
-- and the balance check, the edit form (narrative and entered figures),
-- and the steps: submit, sign, file, publish, correct.  Each function
-- checks the session (and the CSRF token for actions) and calls one
-- function of 0071, which applies the rules and writes the audit row.

-- REPORTROW
create function report_row_json(r annual_reports)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'id', r.id,
        'year', r.year,
        'organ_name', o.name,
        'organ_code', o.unit_code,
        'version', v.no,
        'fmt', v.fmt,
        'state', v.state,
        'state_name', st.name,
        'is_published', v.state = 'published',
        'published_on', (select fmt_day(max(published_at))
                           from report_versions
                          where report_id = r.id and state = 'published'),
        'has_public', exists (select 1 from report_versions
                               where report_id = r.id
                                 and state = 'published'),
        'public_path', '/reports/' || o.unit_code || '/' || r.year,
        'publish_by', to_char(report_deadline(o.id, r.year, 'publish_by'),
                              'YYYY-MM-DD'),
        'file_by', to_char(report_deadline(o.id, r.year, 'file_by'),
                           'YYYY-MM-DD'),
        'days_left', report_deadline(o.id, r.year, 'publish_by')
                     - today_cn(),
        'warn', v.no = 1 and v.state <> 'published'
                and report_deadline(o.id, r.year, 'publish_by') - today_cn()
                    between 0 and setting_int('report.warn_days'),
        'late', v.no = 1
                and coalesce((v.published_at at time zone 'Asia/Shanghai')
                             ::date, today_cn())
                    > report_deadline(o.id, r.year, 'publish_by'))
      from organs o,
           lateral report_current(r.id, false) v
      join report_states st on st.state = v.state
     where o.id = r.organ_id
$$;

-- GET reports
create function admin.page_reports(p_token text, p_client inet,
                                   p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s       session_info;
begin
    s := session_check(p_token, p_client);
    return session_json(s) || reports_list_json(s, '{}', '{}');
end
$$;

create function reports_list_json(s session_info, p_form jsonb,
                                   p_errors jsonb)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'reports', (select coalesce(jsonb_agg(report_row_json(r)
                                              order by r.year desc), '[]')
                      from annual_reports r where r.organ_id = s.organ_id),
        'to_file', (select coalesce(jsonb_agg(report_row_json(r)
                                              order by r.year desc, r.id),
                                    '[]')
                      from annual_reports r
                     where report_may_file(s.user_id, r.organ_id)
                       and (report_current(r.id, false)).state = 'signed'),
        'others', (select coalesce(jsonb_agg(report_row_json(r)
                                             order by r.year desc, r.id),
                                   '[]')
                     from annual_reports r
                    where r.organ_id <> s.organ_id
                      and report_visible(s.user_id, r.organ_id)),
        'may_create', report_may_edit(s.user_id, s.organ_id),
        'missing_years', (select coalesce(jsonb_agg(y order by y desc), '[]')
                            from generate_series(
                                     extract(year from today_cn())::integer
                                     - 5,
                                     extract(year from today_cn())::integer
                                     - 1) y
                           where not exists (
                                     select 1 from annual_reports
                                      where organ_id = s.organ_id
                                        and year = y)),
        'form', coalesce(p_form, '{}'),
        'errors', coalesce(p_errors, '{}'),
        'has_errors', coalesce(p_errors, '{}') <> '{}',
        'warn_days', setting_int('report.warn_days'),
        'today', to_char(today_cn(), 'YYYY-MM-DD'))
$$;

-- POST reports/new
create function admin.do_report_create(p_token text, p_client inet,
                                       p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s       session_info;
    v_txt   text;
    v_id    bigint;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    v_txt := btrim(coalesce(form_text(p_form, 'year'), ''));
    if v_txt !~ '^[0-9]{4}$' then
        return session_json(s) || reports_list_json(s, form_echo(p_form),
                   jsonb_build_object('year', '请填写四位数字的年度'))
               || jsonb_build_object('template', 'reports', 'status', 422);
    end if;
    begin
        v_id := report_create(s.user_id, p_client, s.organ_id,
                              v_txt::integer);
    exception when sqlstate 'GKA22' then
        return session_json(s) || reports_list_json(s, form_echo(p_form),
                   jsonb_build_object('year', sqlerrm))
               || jsonb_build_object('template', 'reports', 'status', 422);
    end;
    return jsonb_build_object('redirect', 'reports/' || v_id);
end
$$;

-- The report for a user who may see it, or GKA04.
create function report_for(s session_info, p_args text[])
returns annual_reports
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    r  annual_reports;
begin
    select * into r from annual_reports where id = arg_id(p_args, 1);
    if r.id is null or not report_visible(s.user_id, r.organ_id) then
        raise exception '年度报告不存在' using errcode = 'GKA04';
    end if;
    return r;
end
$$;

-- GET reports/N
create function admin.page_report(p_token text, p_client inet,
                                  p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s       session_info;
    r       annual_reports;
    v       report_versions;
    v_data  jsonb;
begin
    s := session_check(p_token, p_client);
    r := report_for(s, p_args);
    v := report_current(r.id, false);
    v_data := report_data(v.id);
    return session_json(s) || jsonb_build_object(
        'report', report_row_json(r),
        'version', jsonb_build_object(
            'id', v.id, 'no', v.no, 'fmt', v.fmt,
            'state', v.state,
            'is_draft', v.state = 'draft',
            'frozen', v.data is not null,
            'overview_html', v.overview_html,
            'problems_html', v.problems_html,
            'other_html', v.other_html,
            'correction_note', v.correction_note,
            'returned_reason', v.returned_reason,
            'created_by_name', user_name(v.created_by),
            'submitted_by_name', user_name(v.submitted_by),
            'submitted_at', fmt_time(v.submitted_at),
            'signed_by_name', user_name(v.signed_by),
            'signed_at', fmt_time(v.signed_at),
            'filed_by_name', user_name(v.filed_by),
            'filed_at', fmt_time(v.filed_at),
            'filed_note', v.filed_note,
            'published_at', fmt_time(v.published_at)),
        'versions', (select coalesce(jsonb_agg(jsonb_build_object(
                                'no', x.no, 'state_name', st.name,
                                'published_at', fmt_time(x.published_at),
                                'correction_note', x.correction_note)
                            order by x.no desc), '[]')
                       from report_versions x
                       join report_states st on st.state = x.state
                      where x.report_id = r.id),
        'data', v_data,
        's2', v_data -> 's2',
        's3', jsonb_build_array(v_data -> 's3'),
        's4', jsonb_build_array(v_data -> 's4'),
        'extra', jsonb_build_array(v_data -> 'extra'),
        'balance', v_data -> 'balance',
        'unbalanced', not coalesce((v_data -> 'balance' ->> 'ok')::boolean,
                                   false),
        'missing', v_data -> 'missing',
        'has_missing', jsonb_array_length(v_data -> 'missing') > 0,
        'can', jsonb_build_object(
            'edit', v.state = 'draft'
                    and report_may_edit(s.user_id, r.organ_id),
            'submit', v.state = 'draft'
                      and report_may_edit(s.user_id, r.organ_id),
            'sign', v.state = 'submitted'
                    and report_may_sign(s.user_id, r.organ_id),
            'file', v.state = 'signed'
                    and report_may_file(s.user_id, r.organ_id),
            'publish', v.state = 'filed'
                       and report_may_edit(s.user_id, r.organ_id),
            'correct', v.state = 'published'
                       and report_may_edit(s.user_id, r.organ_id)));
end
$$;

-- The edit form's data.
create function report_edit_json(p_version bigint, p_form jsonb,
                                 p_errors jsonb)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'version', jsonb_build_object('id', v.id, 'no', v.no, 'fmt', v.fmt,
                                      'is_correction', v.no > 1),
        'form', coalesce(p_form, jsonb_build_object(
            'overview_html', v.overview_html,
            'problems_html', v.problems_html,
            'other_html', v.other_html,
            'correction_note', v.correction_note)),
        'stats', (select coalesce(jsonb_agg(jsonb_build_object(
                         'key', d.key,
                         'field', 'stat_' || d.key,
                         'source_field', 'source_' || d.key,
                         'part', d.part,
                         'group', case d.part when 's2'
                                  then '二、主动公开政府信息情况 '
                                       || case d.grp
                                          when '2-5' then '第二十条第（五）项'
                                          when '2-6' then '第二十条第（六）项'
                                          when '2-8' then '第二十条第（八）项'
                                          else '第二十条第（九）项' end
                                  else '其他统计数据：' || d.grp end,
                         'label', d.row_label || '：' || d.col_label,
                         'unit', d.unit,
                         'value', coalesce(
                             p_form ->> ('stat_' || d.key),
                             report_num(st.value, d.decimals)),
                         'source', coalesce(
                             p_form ->> ('source_' || d.key), st.source),
                         'error', p_errors ->> ('stat_' || d.key),
                         'source_error', p_errors ->> ('source_' || d.key))
                     order by d.sort), '[]')
                    from report_stat_defs d
                    left join report_stats st
                      on st.version_id = v.id and st.key = d.key
                   where d.fmt in (v.fmt, 'any')),
        'errors', coalesce(p_errors, '{}'),
        'has_errors', coalesce(p_errors, '{}') <> '{}')
      from report_versions v where v.id = p_version
$$;

-- GET reports/N/edit
create function admin.page_report_edit(p_token text, p_client inet,
                                       p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
    r  annual_reports;
    v  report_versions;
begin
    s := session_check(p_token, p_client);
    r := report_for(s, p_args);
    v := report_current(r.id, false);
    if v.state <> 'draft' or not report_may_edit(s.user_id, r.organ_id) then
        raise exception '年度报告现在不能编辑' using errcode = 'GKA09';
    end if;
    return session_json(s) || jsonb_build_object('report',
                                                 report_row_json(r))
           || report_edit_json(v.id, null, null);
end
$$;

-- POST reports/N/edit
create function admin.do_report_save(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s      session_info;
    r      annual_reports;
    v_err  jsonb;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    r := report_for(s, p_args);
    v_err := report_save(s.user_id, p_client, r.id, p_form);
    if v_err <> '{}' then
        return session_json(s) || jsonb_build_object(
                   'report', report_row_json(r),
                   'template', 'report_edit', 'status', 422)
               || report_edit_json((report_current(r.id, false)).id,
                                   form_echo(p_form), v_err);
    end if;
    return jsonb_build_object('redirect', 'reports/' || r.id);
end
$$;

-- POST reports/N/submit | sign | file | publish | correction
create function admin.do_report_step(p_token text, p_client inet,
                                     p_args text[], p_form jsonb,
                                     p_step text)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
    r  annual_reports;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    r := report_for(s, p_args);
    case p_step
        when 'submit' then
            perform report_submit(s.user_id, p_client, r.id);
        when 'sign' then
            perform report_sign(s.user_id, p_client, r.id,
                                form_text(p_form, 'decision'),
                                form_text(p_form, 'reason'));
        when 'file' then
            perform report_file(s.user_id, p_client, r.id,
                                form_text(p_form, 'decision'),
                                form_text(p_form, 'note'));
        when 'publish' then
            perform report_publish(s.user_id, p_client, r.id);
        when 'correction' then
            perform report_correct(s.user_id, p_client, r.id,
                                   form_text(p_form, 'note'));
            return jsonb_build_object('redirect',
                                      'reports/' || r.id || '/edit');
    end case;
    return jsonb_build_object('redirect', 'reports/' || r.id);
end
$$;

revoke all on function admin.do_report_step(text, inet, text[], jsonb, text)
    from public;

create function admin.do_report_submit(p_token text, p_client inet,
                                       p_args text[], p_form jsonb)
returns jsonb language sql volatile security definer
set search_path = gongkai, pg_temp
as $$ select admin.do_report_step(p_token, p_client, p_args, p_form,
                                  'submit') $$;

create function admin.do_report_sign(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb language sql volatile security definer
set search_path = gongkai, pg_temp
as $$ select admin.do_report_step(p_token, p_client, p_args, p_form,
                                  'sign') $$;

create function admin.do_report_file(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb language sql volatile security definer
set search_path = gongkai, pg_temp
as $$ select admin.do_report_step(p_token, p_client, p_args, p_form,
                                  'file') $$;

create function admin.do_report_publish(p_token text, p_client inet,
                                        p_args text[], p_form jsonb)
returns jsonb language sql volatile security definer
set search_path = gongkai, pg_temp
as $$ select admin.do_report_step(p_token, p_client, p_args, p_form,
                                  'publish') $$;

create function admin.do_report_correction(p_token text, p_client inet,
                                           p_args text[], p_form jsonb)
returns jsonb language sql volatile security definer
set search_path = gongkai, pg_temp
as $$ select admin.do_report_step(p_token, p_client, p_args, p_form,
                                  'correction') $$;

insert into audit_detail_names (key, name)
select k, n from (values ('report', '年度报告'), ('year', '年度'),
                         ('version', '版本')) x (k, n)
 where not exists (select 1 from audit_detail_names where key = x.k);

revoke all on all functions in schema gongkai from public;

grant execute on function
    admin.page_reports(text, inet, text[], jsonb),
    admin.page_report(text, inet, text[], jsonb),
    admin.page_report_edit(text, inet, text[], jsonb),
    admin.do_report_create(text, inet, text[], jsonb),
    admin.do_report_save(text, inet, text[], jsonb),
    admin.do_report_submit(text, inet, text[], jsonb),
    admin.do_report_sign(text, inet, text[], jsonb),
    admin.do_report_file(text, inet, text[], jsonb),
    admin.do_report_publish(text, inet, text[], jsonb),
    admin.do_report_correction(text, inet, text[], jsonb)
    to gongkai_web;
