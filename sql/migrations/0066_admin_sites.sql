-- 0066: the admin pages of the site registry and life cycle (issue 6,
-- sql/ADMIN.md "Sites"): the site administrator's dashboard with the
-- freshness warnings, a site's page with its domains, requests and the
-- change and closing forms, the opening form, and a request's page where
-- the competent authority decides.  Each function checks the session
-- (and, for actions, the CSRF token) and calls one function of 0062,
-- which applies the rules and writes the audit row.  Pages that a user
-- has no business with are 404 (GKA04), as for items.

-- ------------------------------------------------------------- helpers

-- May the user see the sites pages at all: site administrators and
-- system administrators.
create function sites_staff(s session_info)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if not (has_role(s, 'site_admin') or has_role(s, 'system_admin')) then
        raise exception '页面不存在' using errcode = 'GKA04';
    end if;
end
$$;

-- May the user see this site's page: its administrators, those of its
-- approving portal, and system administrators.
create function site_visible(p_user bigint, p_site sites)
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select user_has_role(p_user, 'system_admin')
        or site_admin_of(p_user, p_site.id)
        or (site_approver(p_site.kind, p_site.parent_id, p_site.organ_id)
            is not null
            and site_admin_of(p_user, site_approver(p_site.kind,
                                                    p_site.parent_id,
                                                    p_site.organ_id)))
$$;

create function site_request_visible(p_user bigint, r site_requests)
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select user_has_role(p_user, 'system_admin')
        or r.requested_by = p_user
        or r.organ_id = (select organ_id from users where id = p_user)
        or (r.site_id is not null and site_admin_of(p_user, r.site_id))
        or (r.approver_site_id is not null
            and site_admin_of(p_user, r.approver_site_id))
$$;

-- SITEROW: a site in a list.
create function site_row_json(s sites)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'id', s.id,
        'name', s.name,
        'kind', s.kind,
        'kind_name', case s.kind when 'portal' then '门户网站'
                                 else '部门网站' end,
        'state', s.state,
        'state_name', (select name from site_states where state = s.state),
        'is_active', s.state = 'active',
        'is_closed', s.state = 'closed',
        'domain', (select unicode from site_domains
                    where site_id = s.id and role = 'primary'),
        'chinese_domain', (select unicode from site_domains
                            where site_id = s.id and role = 'chinese'),
        'code', s.code,
        'icp_no', s.icp_no,
        'psb_no', s.psb_no,
        'organ_name', (select name from organs where id = s.organ_id),
        'host_organ_name', (select name from organs
                             where id = s.host_organ_id),
        'portal_name', (select name from sites where id = s.parent_id),
        'opened_on', fmt_day(s.opened_at),
        'closed_on', fmt_day(s.closed_at),
        'notice_until', fmt_day(s.notice_until),
        'close_reason', s.close_reason,
        'successor_name', (select name from sites
                            where id = s.successor_id))
$$;

-- REQROW: a request in a list or on its page.
create function site_request_json(r site_requests)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'id', r.id,
        'kind', r.kind,
        'kind_name', (select name from site_request_kinds
                       where kind = r.kind),
        'site_id', r.site_id,
        'site_name', r.site_name,
        'organ_name', (select name from organs where id = r.organ_id),
        'approver_name', coalesce((select name from sites
                                    where id = r.approver_site_id)
                                  || '的网站主管部门',
                                  '系统管理员（上级网站主管部门）'),
        'state', r.state,
        'state_name', (select name from site_request_states
                        where state = r.state),
        'is_pending', r.state = 'pending',
        'is_approved', r.state = 'approved',
        'is_refused', r.state = 'rejected',
        'requested_by_name', user_name(r.requested_by),
        'requested_at', fmt_time(r.requested_at),
        'decided_by_name', user_name(r.decided_by),
        'decided_at', fmt_time(r.decided_at),
        'decision_note', r.decision_note,
        'reason', r.reason,
        'summary', case r.kind
            when 'open' then (r.detail ->> 'domain_unicode')
                             || coalesce('，' || (r.detail
                                          ->> 'chinese_domain_unicode'), '')
            when 'change' then concat_ws('；',
                (r.detail ->> 'old_domain') || ' → '
                || (r.detail ->> 'domain_unicode'),
                '中文域名 → ' || (r.detail ->> 'chinese_domain_unicode'))
            else '内容由“' || (r.detail ->> 'successor_name') || '”承接'
        end,
        'detail', (select coalesce(jsonb_agg(jsonb_build_object(
                                       'label', x.label, 'value', x.value)
                                   order by x.ord), '[]')
                     from (values
                        (1, '网站名称', r.detail ->> 'name'),
                        (2, '网站类型', case r.detail ->> 'kind'
                                            when 'portal' then '门户网站'
                                            when 'department' then '部门网站'
                                        end),
                        (3, '所属门户网站', (select name from sites
                                              where id = (r.detail
                                                  ->> 'parent_id')::bigint)),
                        (4, case r.kind when 'change' then '新域名'
                                        else '域名' end,
                            r.detail ->> 'domain_unicode'),
                        (5, '原域名', r.detail ->> 'old_domain'),
                        (6, case r.kind when 'change' then '新中文域名'
                                        else '中文域名' end,
                            r.detail ->> 'chinese_domain_unicode'),
                        (7, '原中文域名',
                            case when r.detail ->> 'chinese_domain'
                                      is not null
                                 then r.detail
                                      ->> 'old_chinese_domain_unicode' end),
                        (8, '网站标识码', r.detail ->> 'code'),
                        (9, 'ICP备案号', r.detail ->> 'icp_no'),
                        (10, '公安备案号', r.detail ->> 'psb_no'),
                        (11, '承接网站', r.detail ->> 'successor_name'))
                          x (ord, label, value)
                    where x.value is not null))
$$;

-- ------------------------------------------------------------ the pages

-- sites: the dashboard.  The sites the user administers (a system
-- administrator: every site) with their freshness, the requests waiting
-- for the user's decision, and the requests of the user's organ.
create function admin.page_sites(p_token text, p_client inet,
                                 p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s        session_info;
    v_all    boolean;
    v_sites  jsonb;
    v_dec    jsonb;
    v_mine   jsonb;
    v_open   boolean;
begin
    s := session_check(p_token, p_client);
    perform sites_staff(s);
    v_all := has_role(s, 'system_admin');

    select coalesce(jsonb_agg(site_row_json(x)
                              || jsonb_build_object(
                                     'freshness',
                                     case when x.state = 'active'
                                          then site_freshness(x.id) end)
                              order by x.kind desc, x.name), '[]')
      into v_sites
      from sites x
     where x.state <> 'pending'
       and (v_all or site_admin_of(s.user_id, x.id));

    select coalesce(jsonb_agg(site_request_json(r) order by r.requested_at),
                    '[]')
      into v_dec
      from site_requests r
     where r.state = 'pending' and site_may_decide(s.user_id, r) is null;

    select coalesce(jsonb_agg(site_request_json(r)
                              order by r.requested_at desc), '[]')
      into v_mine
      from (select * from site_requests r
             where r.organ_id = s.organ_id
                or (r.site_id is not null
                    and site_admin_of(s.user_id, r.site_id))
             order by r.requested_at desc
             limit 20) r;

    v_open := has_role(s, 'site_admin')
              and not exists (select 1 from sites
                               where organ_id = s.organ_id
                                  or host_organ_id = s.organ_id);

    return session_json(s) || jsonb_build_object(
        'scope_all', v_all,
        'sites', v_sites,
        'has_sites', jsonb_array_length(v_sites) > 0,
        'warning_count', (select count(*)
                            from jsonb_array_elements(v_sites) x,
                                 jsonb_array_elements(coalesce(
                                     x -> 'freshness' -> 'warnings', '[]'))),
        'to_decide', v_dec,
        'has_to_decide', jsonb_array_length(v_dec) > 0,
        'my_requests', v_mine,
        'can_open', v_open,
        'today', to_char(today_cn(), 'YYYY-MM-DD'));
end
$$;

-- The site page's data; p_change / p_close: a form shown again.
create function site_page_json(p_user bigint, p_site bigint,
                               p_form jsonb, p_which text,
                               p_errors jsonb)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    x        sites;
    v_admin  boolean;
    v_pend   site_requests;
begin
    select * into x from sites where id = p_site;
    if x.id is null or not site_visible(p_user, x) then
        raise exception '网站不存在' using errcode = 'GKA04';
    end if;
    v_admin := site_admin_of(p_user, x.id);
    select * into v_pend from site_requests
     where site_id = x.id and state = 'pending';

    return jsonb_build_object(
        'site', site_row_json(x) || jsonb_build_object(
            'domains', (select coalesce(jsonb_agg(jsonb_build_object(
                                   'domain', d.domain,
                                   'unicode', d.unicode,
                                   'is_idn', d.domain <> d.unicode,
                                   'role', d.role,
                                   'role_name', case d.role
                                       when 'primary' then '主域名'
                                       when 'chinese' then '中文域名'
                                       when 'alias' then '别名'
                                       else '原域名（转接到主域名）' end,
                                   'is_former', d.role = 'former',
                                   'added_on', fmt_day(d.added_at),
                                   'retired_on', fmt_day(d.retired_at))
                               order by d.role = 'former', d.is_primary desc,
                                        d.role, d.added_at), '[]')
                          from site_domains d where d.site_id = x.id),
            'zone', case when x.kind = 'portal' then site_zone(x.id)
                         else site_zone(x.parent_id) end),
        'freshness', case when x.state = 'active'
                          then site_freshness(x.id) end,
        'requests', (select coalesce(jsonb_agg(site_request_json(r)
                                               order by r.requested_at desc),
                                     '[]')
                       from site_requests r where r.site_id = x.id),
        'pending', case when v_pend.id is not null
                        then site_request_json(v_pend) end,
        'can', jsonb_build_object(
            'change', v_admin and x.state = 'active' and v_pend.id is null,
            'close', v_admin and x.state = 'active' and v_pend.id is null
                     and not exists (select 1 from sites
                                      where parent_id = x.id
                                        and state in ('pending', 'active'))),
        'successors', (select coalesce(jsonb_agg(jsonb_build_object(
                                   'id', o.id, 'name', o.name,
                                   'domain', site_primary_domain(o.id),
                                   'label', o.name || '（'
                                            || site_primary_domain(o.id)
                                            || '）',
                                   'selected', p_which = 'close'
                                       and form_text(p_form, 'successor')
                                           = o.id::text)
                               order by o.id <> x.parent_id, o.kind desc,
                                        o.name), '[]')
                         from sites o
                        where o.state = 'active' and o.id <> x.id),
        'change_form', case when p_which = 'change'
                            then form_echo(p_form) else '{}' end,
        'close_form', case when p_which = 'close'
                           then form_echo(p_form) else '{}' end,
        'change_errors', case when p_which = 'change'
                              then coalesce(p_errors, '{}') else '{}' end,
        'close_errors', case when p_which = 'close'
                             then coalesce(p_errors, '{}') else '{}' end,
        'change_invalid', (select coalesce(jsonb_object_agg(e.key, true),
                                           '{}')
                             from jsonb_each(case when p_which = 'change'
                                                  then p_errors end) e),
        'close_invalid', (select coalesce(jsonb_object_agg(e.key, true),
                                          '{}')
                            from jsonb_each(case when p_which = 'close'
                                                 then p_errors end) e),
        'has_errors', coalesce(p_errors, '{}') <> '{}',
        'notice_days', greatest(coalesce(setting_int(
                                    'site.closure_notice_days'), 30), 30));
end
$$;

-- sites/N
create function admin.page_site(p_token text, p_client inet,
                                p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
begin
    s := session_check(p_token, p_client);
    perform sites_staff(s);
    return session_json(s)
           || site_page_json(s.user_id, arg_id(p_args, 1), null, null, null);
end
$$;

-- The opening form's page data.
create function site_new_json(p_user bigint, p_form jsonb, p_errors jsonb)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    u         users;
    o         organs;
    v_kind    text;
    v_parent  bigint;
    v_appr    bigint;
begin
    select * into u from users where id = p_user;
    select * into o from organs where id = u.organ_id;
    v_kind := case when o.level = 'department' then 'department'
                   else 'portal' end;
    if v_kind = 'department' then
        v_parent := portal_above(o.id);
    end if;
    v_appr := site_approver(v_kind, v_parent, o.id);

    return jsonb_build_object(
        'organ', jsonb_build_object('id', o.id, 'name', o.name,
                                    'unit_code', o.unit_code),
        'kind', v_kind,
        'is_department', v_kind = 'department',
        'kind_name', case v_kind when 'portal' then '门户网站'
                                 else '部门网站' end,
        'portal', case when v_parent is not null then jsonb_build_object(
                      'name', (select name from sites where id = v_parent),
                      'zone', site_zone(v_parent),
                      'code', (select code from sites where id = v_parent))
                  end,
        'approver_name', coalesce((select name from sites where id = v_appr)
                                  || '的网站主管部门',
                                  '系统管理员（上级网站主管部门）'),
        'has_site', exists (select 1 from sites
                             where organ_id = o.id or host_organ_id = o.id),
        'form', coalesce(form_echo(p_form), '{}'),
        'errors', coalesce(p_errors, '{}'),
        'invalid', (select coalesce(jsonb_object_agg(e.key, true), '{}')
                      from jsonb_each(coalesce(p_errors, '{}')) e),
        'has_errors', coalesce(p_errors, '{}') <> '{}');
end
$$;

-- sites/new
create function admin.page_site_new(p_token text, p_client inet,
                                    p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
begin
    s := session_check(p_token, p_client);
    perform sites_staff(s);
    perform require_role(s.user_id, 'site_admin', '申请开设网站');
    return session_json(s) || site_new_json(s.user_id, null, null);
end
$$;

-- sites/requests/N
create function site_request_page_json(p_user bigint, p_req bigint,
                                       p_form jsonb, p_errors jsonb)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    r      site_requests;
    v_why  text;
begin
    select * into r from site_requests where id = p_req;
    if r.id is null or not site_request_visible(p_user, r) then
        raise exception '申请不存在' using errcode = 'GKA04';
    end if;
    v_why := site_may_decide(p_user, r);

    return jsonb_build_object(
        'request', site_request_json(r),
        'site', (select site_row_json(x) from sites x where x.id = r.site_id),
        'announcement', (select announcement_json(a)::jsonb
                           from site_announcements a
                          where a.request_id = r.id),
        'can', jsonb_build_object(
            'decide', v_why is null,
            'withdraw', r.state = 'pending'
                        and (r.requested_by = p_user
                             or (r.site_id is not null
                                 and site_admin_of(p_user, r.site_id)))),
        'decide_notice', case when r.state = 'pending' then v_why end,
        'decisions', choices_json(array['approve', 'reject'],
                                  array['批准', '不批准'],
                                  form_text(p_form, 'decision')),
        'form', coalesce(form_echo(p_form), '{}'),
        'errors', coalesce(p_errors, '{}'),
        'invalid', (select coalesce(jsonb_object_agg(e.key, true), '{}')
                      from jsonb_each(coalesce(p_errors, '{}')) e),
        'has_errors', coalesce(p_errors, '{}') <> '{}');
end
$$;

create function admin.page_site_request(p_token text, p_client inet,
                                        p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
begin
    s := session_check(p_token, p_client);
    perform sites_staff(s);
    return session_json(s)
           || site_request_page_json(s.user_id, arg_id(p_args, 1), null,
                                     null);
end
$$;

-- ---------------------------------------------------------- the actions

-- POST sites/new
create function admin.do_site_open(p_token text, p_client inet,
                                   p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s      session_info;
    v      record;
    v_req  bigint;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    perform sites_staff(s);
    perform require_role(s.user_id, 'site_admin', '申请开设网站');
    v := site_open_form(s.user_id, p_form);
    if v.errors <> '{}' then
        return session_json(s) || site_new_json(s.user_id, p_form, v.errors)
               || '{"template": "site_new", "status": 422}';
    end if;
    v_req := site_request_open(s.user_id, p_client, p_form);
    return jsonb_build_object('redirect', 'sites/requests/' || v_req);
end
$$;

-- POST sites/N/change
create function admin.do_site_change(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s      session_info;
    x      sites;
    v      record;
    v_req  bigint;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    perform sites_staff(s);
    select * into x from sites where id = arg_id(p_args, 1);
    if x.id is null or not site_visible(s.user_id, x) then
        raise exception '网站不存在' using errcode = 'GKA04';
    end if;
    v := site_change_form(x, p_form);
    if v.errors <> '{}' and site_admin_of(s.user_id, x.id)
       and x.state = 'active' and site_pending_note(x.id) is null
    then
        return session_json(s)
               || site_page_json(s.user_id, x.id, p_form, 'change', v.errors)
               || '{"template": "site", "status": 422}';
    end if;
    v_req := site_request_change(s.user_id, p_client, x.id, p_form);
    return jsonb_build_object('redirect', 'sites/requests/' || v_req);
end
$$;

-- POST sites/N/close
create function admin.do_site_close(p_token text, p_client inet,
                                    p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s      session_info;
    x      sites;
    v      record;
    v_req  bigint;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    perform sites_staff(s);
    select * into x from sites where id = arg_id(p_args, 1);
    if x.id is null or not site_visible(s.user_id, x) then
        raise exception '网站不存在' using errcode = 'GKA04';
    end if;
    v := site_close_form(x, p_form);
    if v.errors <> '{}' and site_admin_of(s.user_id, x.id)
       and x.state = 'active' and site_pending_note(x.id) is null
    then
        return session_json(s)
               || site_page_json(s.user_id, x.id, p_form, 'close', v.errors)
               || '{"template": "site", "status": 422}';
    end if;
    v_req := site_request_close(s.user_id, p_client, x.id, p_form);
    return jsonb_build_object('redirect', 'sites/requests/' || v_req);
end
$$;

-- POST sites/requests/N/decide
create function admin.do_site_decide(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s           session_info;
    r           site_requests;
    v_decision  text := form_value(p_form, 'decision');
    v_note      text := form_value(p_form, 'note');
    v_errors    jsonb := '{}';
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    perform sites_staff(s);
    select * into r from site_requests where id = arg_id(p_args, 1);
    if r.id is null or not site_request_visible(s.user_id, r) then
        raise exception '申请不存在' using errcode = 'GKA04';
    end if;

    if site_may_decide(s.user_id, r) is null then
        if v_decision is null or v_decision not in ('approve', 'reject') then
            v_errors := v_errors || '{"decision": "请选择批准或不批准。"}';
        end if;
        if v_decision = 'reject' and v_note is null then
            v_errors := v_errors || '{"note": "不批准时请说明理由。"}';
        end if;
        if length(v_note) > 1000 then
            v_errors := v_errors || '{"note": "审批意见不能超过1000个字。"}';
        end if;
        if v_errors <> '{}' then
            return session_json(s)
                   || site_request_page_json(s.user_id, r.id, p_form,
                                             v_errors)
                   || '{"template": "site_request", "status": 422}';
        end if;
    end if;

    perform site_request_decide(s.user_id, p_client, r.id, v_decision,
                                v_note);
    return jsonb_build_object('redirect', 'sites/requests/' || r.id);
end
$$;

-- POST sites/requests/N/withdraw
create function admin.do_site_withdraw(p_token text, p_client inet,
                                       p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
    r  site_requests;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    perform sites_staff(s);
    select * into r from site_requests where id = arg_id(p_args, 1);
    if r.id is null or not site_request_visible(s.user_id, r) then
        raise exception '申请不存在' using errcode = 'GKA04';
    end if;
    perform site_request_withdraw(s.user_id, p_client, r.id);
    return jsonb_build_object('redirect', 'sites/requests/' || r.id);
end
$$;

grant execute on function
    admin.page_sites(text, inet, text[], jsonb),
    admin.page_site(text, inet, text[], jsonb),
    admin.page_site_new(text, inet, text[], jsonb),
    admin.page_site_request(text, inet, text[], jsonb),
    admin.do_site_open(text, inet, text[], jsonb),
    admin.do_site_change(text, inet, text[], jsonb),
    admin.do_site_close(text, inet, text[], jsonb),
    admin.do_site_decide(text, inet, text[], jsonb),
    admin.do_site_withdraw(text, inet, text[], jsonb)
    to gongkai_web;
