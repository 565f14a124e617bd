-- 0062: the site life cycle (issue 6; DOMAIN.md §5; seed 000 网站管理办法
-- 第十七条, 003 第十三条; 国办函〔2018〕55号).
--
-- Opening, changing the domain and closing a site are requested by the
-- site administrator (网站管理员) of the site's organ (for an existing
-- site: of its organ or its host organ, 主办单位) and decided by the
-- competent authority (网站主管部门): the site administrators of the
-- approving portal's organ or host organ.  The approving portal is, for
-- a department site, its own portal ("部门网站的新建，应当经同级网站主管
-- 部门批准"); for a portal, the portal of the nearest government above
-- ("县市人民政府门户网站的新建，应当经上一级政府网站主管部门批准");
-- a portal with no government above it is decided by a system
-- administrator.  Nobody decides a request they made.
--
-- An approval applies the request in the same transaction and writes
-- the public announcement (公示) shown on the approving portal
-- (site_announcements); every step is audited.  The states of a site:
--
--   pending  requested, not yet approved: not served, domains reserved
--   active   served on its primary, Chinese and alias domains
--   closed   its address shows the closure notice naming the successor
--            until notice_until (setting site.closure_notice_days, at
--            least 30 days), then answers 410
--
-- A rejected or withdrawn opening deletes the pending site (the request
-- keeps what was asked).  The state machine is enforced by triggers
-- whatever the caller: a site's state, dates and domains change only
-- while a request for it is being approved (or in a transaction that
-- declares gongkai.import, as the demo data and the tests' clock do).

-- ----------------------------------------------------------- the tables

create table site_requests (
    id                bigint generated always as identity primary key,
    kind              text not null check (kind in ('open', 'change',
                                                    'close')),
    site_id           bigint references sites (id) on delete set null,
    site_name         text not null,
    organ_id          bigint not null references organs (id),
    approver_site_id  bigint references sites (id),
    detail            jsonb not null default '{}',
    reason            text check (length(reason) <= 1000),
    state             text not null default 'pending'
                      check (state in ('pending', 'approved', 'rejected',
                                       'withdrawn')),
    requested_by      bigint not null references users (id),
    requested_at      timestamptz not null default now(),
    decided_by        bigint references users (id),
    decided_at        timestamptz,
    decision_note     text check (length(decision_note) <= 1000),
    check ((state = 'pending') = (decided_at is null)),
    check (state in ('pending', 'withdrawn') or decided_by is not null),
    check (decided_by is distinct from requested_by)
);

create unique index site_requests_one_open on site_requests (site_id)
    where state = 'pending';
create index site_requests_approver on site_requests (approver_site_id)
    where state = 'pending';
create index site_requests_organ on site_requests (organ_id, requested_at);

create table site_request_kinds (
    kind  text primary key,
    name  text not null
);

insert into site_request_kinds (kind, name) values
    ('open', '开设网站'),
    ('change', '变更域名'),
    ('close', '关停网站');

create table site_request_states (
    state  text primary key,
    name   text not null
);

insert into site_request_states (state, name) values
    ('pending', '待审批'),
    ('approved', '已批准'),
    ('rejected', '未批准'),
    ('withdrawn', '已撤回');

create table site_states (
    state  text primary key,
    name   text not null
);

insert into site_states (state, name) values
    ('pending', '待批准开通'),
    ('active', '运行中'),
    ('suspended', '暂停'),
    ('closed', '已关停');

-- 公示: the public announcement of an approved request, shown on the
-- approving portal (site_id) and on the site it is about (subject_id).
create table site_announcements (
    id            bigint generated always as identity primary key,
    site_id       bigint not null references sites (id),
    subject_id    bigint references sites (id) on delete set null,
    request_id    bigint unique references site_requests (id),
    kind          text not null check (kind in ('open', 'change',
                                                'close')),
    title         text not null check (btrim(title) <> ''),
    body          text not null check (btrim(body) <> ''),
    published_at  timestamptz not null default now()
);

create index site_announcements_site on site_announcements
    (site_id, published_at desc);
create index site_announcements_subject on site_announcements
    (subject_id, published_at desc);

-- Announcements are a public record: never changed or removed (but in a
-- declared import).
create function site_announcements_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if import_reason() is null then
        raise exception '网站公示一经发布不能修改或删除（%）', tg_op
            using errcode = 'GKA09';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end
$$;

create trigger site_announcements_guard
    before update or delete on site_announcements
    for each row execute function site_announcements_guard();

-- ------------------------------------------------------ the state machine

-- The request of this kind for the site that is being approved in this
-- very transaction (decided_at = now()), if any.
create function site_request_applying(p_site bigint, p_kinds text[])
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select exists (select 1 from site_requests
                    where site_id = p_site and kind = any (p_kinds)
                      and state = 'approved' and decided_at = now())
$$;

create function sites_life_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if import_reason() is not null then
        return case when tg_op = 'DELETE' then old else new end;
    end if;

    if tg_op = 'INSERT' then
        if new.state <> 'pending' or new.opened_at is not null
           or new.closed_at is not null
        then
            raise exception '新网站须经申请和主管部门批准后才能开通。'
                using errcode = 'GKA09';
        end if;
        return new;
    end if;

    if tg_op = 'DELETE' then
        if old.state <> 'pending'
           or exists (select 1 from site_requests
                       where site_id = old.id and state = 'pending')
        then
            raise exception '网站“%”不能删除：已开通的网站只能按程序关停。',
                old.name using errcode = 'GKA09';
        end if;
        return old;
    end if;

    if old.state = 'closed' and (new.state, new.closed_at, new.notice_until,
                                 new.successor_id)
                                is distinct from
                                (old.state, old.closed_at, old.notice_until,
                                 old.successor_id)
    then
        raise exception '网站“%”已关停，不能再改变。', old.name
            using errcode = 'GKA09';
    end if;

    if (new.state, new.opened_at, new.closed_at, new.notice_until,
        new.successor_id, new.kind, new.parent_id, new.organ_id)
       is not distinct from
       (old.state, old.opened_at, old.closed_at, old.notice_until,
        old.successor_id, old.kind, old.parent_id, old.organ_id)
    then
        return new;
    end if;

    if old.state = 'pending' and new.state = 'active'
       and site_request_applying(old.id, array['open'])
       and (new.kind, new.parent_id, new.organ_id)
           is not distinct from (old.kind, old.parent_id, old.organ_id)
    then
        return new;
    end if;

    if old.state = 'active' and new.state = 'closed'
       and site_request_applying(old.id, array['close'])
       and (new.kind, new.parent_id, new.organ_id, new.opened_at)
           is not distinct from
           (old.kind, old.parent_id, old.organ_id, old.opened_at)
    then
        return new;
    end if;

    raise exception '网站“%”的状态不能这样改变（%→%）：开通、变更和关停'
                    '都须经申请和主管部门批准。',
        old.name, old.state, new.state using errcode = 'GKA09';
end
$$;

create trigger sites_life_guard
    before insert or update or delete on sites
    for each row execute function sites_life_guard();

-- The domains of a site that is not pending change only while a change
-- of domain is approved (the old ones become "former", never deleted).
create function site_domains_life_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_site  bigint := case when tg_op = 'DELETE' then old.site_id
                           else new.site_id end;
    v_state text;
begin
    if import_reason() is not null then
        return case when tg_op = 'DELETE' then old else new end;
    end if;

    select state into v_state from sites where id = v_site;

    if tg_op = 'UPDATE' and old.site_id <> new.site_id then
        raise exception '域名不能转给另一个网站。' using errcode = 'GKA09';
    end if;

    if v_state = 'pending' and tg_op <> 'UPDATE' then
        return case when tg_op = 'DELETE' then old else new end;
    end if;

    if tg_op = 'DELETE' or v_state is distinct from 'active'
       or not site_request_applying(v_site, array['change'])
       or (tg_op = 'UPDATE' and (old.role = 'former'
                                 or new.domain <> old.domain))
    then
        raise exception '网站的域名只能经变更申请和主管部门批准后改变；'
                        '变更前的域名保留并转接到新域名。'
            using errcode = 'GKA09';
    end if;

    return new;
end
$$;

create trigger site_domains_life_guard
    before insert or update or delete on site_domains
    for each row execute function site_domains_life_guard();

-- ---------------------------------------------------------- who may act

-- A site administrator of the site: site_admin in its organ or its host
-- organ (主办单位).
create function site_admin_of(p_user bigint, p_site bigint)
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select exists (
        select 1
          from users u
          join user_roles r on r.user_id = u.id and r.role = 'site_admin'
          join sites s on s.id = p_site
         where u.id = p_user and u.active
           and u.organ_id in (s.organ_id, s.host_organ_id))
$$;

-- The active portal of the nearest organ strictly above p_organ.
create function portal_above(p_organ bigint)
returns bigint
language sql stable
set search_path = gongkai, pg_temp
as $$
    with recursive up (id, depth) as (
        select parent_id, 1 from organs where id = p_organ
        union all
        select o.parent_id, up.depth + 1
          from organs o join up on o.id = up.id
         where up.depth < 32
    )
    select s.id
      from up join sites s on s.organ_id = up.id
     where s.kind = 'portal' and s.state = 'active'
     order by up.depth
     limit 1
$$;

-- The portal whose competent authority decides for a site of this kind
-- under this parent portal and organ (null: a system administrator).
create function site_approver(p_kind text, p_parent bigint, p_organ bigint)
returns bigint
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case when p_kind = 'department' then p_parent
                else portal_above(p_organ) end
$$;

-- Why a user may not decide a request (null: they may).
create function site_may_decide(p_user bigint, p_request site_requests)
returns text
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
begin
    if p_request.state <> 'pending' then
        return '这份申请已经处理完毕。';
    end if;
    if p_request.requested_by = p_user then
        return '申请人不能审批自己提出的申请。';
    end if;
    if p_request.approver_site_id is null then
        if not user_has_role(p_user, 'system_admin') then
            return '这份申请由系统管理员（上级网站主管部门）审批。';
        end if;
    elsif not site_admin_of(p_user, p_request.approver_site_id) then
        return '只有“' || (select name from sites
                            where id = p_request.approver_site_id)
               || '”主办单位的网站管理员（网站主管部门）可以审批这份申请。';
    end if;
    return null;
end
$$;

-- ------------------------------------------------------------ the forms

-- A form value, trimmed, or null when empty.
create function form_value(p_form jsonb, p_key text)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select nullif(btrim(coalesce(form_text(p_form, p_key), ''),
                        E' \t\r\n\u3000'), '')
$$;

-- The module's own verdicts on a form (form.checked, sql/ADMIN.md): a
-- field the module refused stays refused even if the rules here let it
-- pass (they are the same rules, so this only shows a disagreement).
create function form_checked(p_form jsonb, p_errors jsonb)
returns jsonb
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select coalesce((select jsonb_object_agg(key, value)
                       from jsonb_each(case jsonb_typeof(p_form -> 'checked')
                                            when 'object'
                                            then p_form -> 'checked'
                                            else '{}' end)
                      where jsonb_typeof(value) = 'string'
                        and key in ('domain', 'chinese_domain', 'code',
                                    'icp_no', 'psb_no')), '{}')
           || coalesce(p_errors, '{}')
$$;

-- A domain field: its forms, and its rule problems for this site.
create type domain_field as (
    ascii    text,
    unicode  text,
    problem  text
);

create function site_domain_field(p_input text, p_role text, p_kind text,
                                  p_parent bigint, p_primary text,
                                  p_site bigint)
returns domain_field
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    f       record;
    r       domain_field;
    v_hold  text;
begin
    f := domain_forms(p_input);
    r.problem := f.problem;
    if r.problem is null then
        r.ascii := f.ascii;
        r.unicode := f.unicode;
        r.problem := site_domain_problem(r.ascii, p_role, p_kind, p_parent,
                                         coalesce(p_primary, r.ascii));
    end if;
    if r.problem is null then
        select s.name into v_hold
          from site_domains d join sites s on s.id = d.site_id
         where d.domain = r.ascii
           and (p_site is null or d.site_id <> p_site or d.role = 'former');
        if v_hold is not null then
            r.problem := '域名 ' || r.unicode || ' 已由“' || v_hold
                         || '”登记使用（变更前的旧域名也保留），不能重复登记。';
        end if;
    end if;
    return r;
end
$$;

-- The opening form (sql/ADMIN.md "sites/new") for a user: the fields
-- as they will be stored, and {field: message} for what is wrong.
create function site_open_form(p_user bigint, p_form jsonb,
                               out f jsonb, out errors jsonb)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    u        users;
    o        organs;
    v_kind   text;
    v_parent bigint;
    v_name   text := form_value(p_form, 'name');
    v_dom    domain_field;
    v_cn     domain_field;
    v_code   text := lower(form_value(p_form, 'code'));
    v_icp    text := form_value(p_form, 'icp_no');
    v_psb    text := form_value(p_form, 'psb_no');
    v_reason text := form_value(p_form, 'reason');
    v_prob   text;
    v_other  text;
begin
    errors := '{}';
    select * into u from users where id = p_user;
    select * into o from organs where id = u.organ_id;

    v_kind := case when o.level = 'department' then 'department'
                   else 'portal' end;
    if v_kind = 'department' then
        v_parent := portal_above(o.id);
    end if;

    -- a unit runs at most one site (国办发〔2017〕47号): its own, or the
    -- one it hosts (an office running its government's portal)
    select name into v_other from sites
     where organ_id = o.id or host_organ_id = o.id
     order by organ_id <> o.id
     limit 1;
    if v_other is not null then
        errors := errors || jsonb_build_object('organ',
            '本机关已有网站或已主办网站“' || v_other || '”：一个机关只能'
            || '开设一个网站（一级政府一个门户网站，一个部门一个子网站）。');
    elsif v_kind = 'department' and v_parent is null then
        errors := errors || jsonb_build_object('organ',
            '本机关所属政府还没有开通门户网站：部门网站须整合在本级政府'
            || '门户网站之下（seed 000 第十六条）。');
    end if;

    if v_name is null then
        errors := errors || '{"name": "请填写网站名称。"}';
    elsif length(v_name) > 100 then
        errors := errors || '{"name": "网站名称不能超过100个字。"}';
    end if;

    v_dom := site_domain_field(form_value(p_form, 'domain'), 'primary',
                               v_kind, v_parent, null, null);
    if v_dom.problem is not null then
        errors := errors || jsonb_build_object('domain', v_dom.problem);
    end if;

    if form_value(p_form, 'chinese_domain') is not null then
        v_cn := site_domain_field(form_value(p_form, 'chinese_domain'),
                                  'chinese', v_kind, v_parent, null, null);
        if v_cn.problem is not null then
            errors := errors || jsonb_build_object('chinese_domain',
                                                   v_cn.problem);
        end if;
    end if;

    v_prob := site_code_problem(v_code, v_kind, v_parent, null);
    if v_prob is not null then
        errors := errors || jsonb_build_object('code', v_prob);
    end if;

    v_prob := icp_problem(v_icp);
    if v_prob is not null then
        errors := errors || jsonb_build_object('icp_no', v_prob);
    end if;

    v_prob := psb_problem(v_psb);
    if v_prob is not null then
        errors := errors || jsonb_build_object('psb_no', v_prob);
    end if;

    if length(v_reason) > 1000 then
        errors := errors || '{"reason": "申请说明不能超过1000个字。"}';
    end if;

    errors := form_checked(p_form, errors);

    f := jsonb_build_object('name', v_name, 'kind', v_kind,
                            'organ_id', o.id, 'parent_id', v_parent,
                            'domain', v_dom.ascii,
                            'domain_unicode', v_dom.unicode,
                            'chinese_domain', v_cn.ascii,
                            'chinese_domain_unicode', v_cn.unicode,
                            'code', v_code, 'icp_no', v_icp,
                            'psb_no', v_psb, 'reason', v_reason);
end
$$;

-- The change-of-domain form for a site: the new primary domain and/or a
-- new Chinese domain.
create function site_change_form(p_site sites, p_form jsonb,
                                 out f jsonb, out errors jsonb)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_prim    text;
    v_cnow    text;
    v_dom     domain_field;
    v_cn      domain_field;
    v_reason  text := form_value(p_form, 'reason');
begin
    errors := '{}';
    select domain into v_prim from site_domains
     where site_id = p_site.id and role = 'primary';
    select domain into v_cnow from site_domains
     where site_id = p_site.id and role = 'chinese';

    if form_value(p_form, 'domain') is not null then
        v_dom := site_domain_field(form_value(p_form, 'domain'), 'primary',
                                   p_site.kind, p_site.parent_id, null,
                                   p_site.id);
        if v_dom.ascii = v_prim then
            v_dom.ascii := null;
            v_dom.problem := null;
        elsif v_dom.problem is not null then
            errors := errors || jsonb_build_object('domain', v_dom.problem);
        end if;
    end if;

    if form_value(p_form, 'chinese_domain') is not null then
        v_cn := site_domain_field(form_value(p_form, 'chinese_domain'),
                                  'chinese', p_site.kind, p_site.parent_id,
                                  v_prim, p_site.id);
        if v_cn.ascii = v_cnow then
            v_cn.ascii := null;
            v_cn.problem := null;
        elsif v_cn.problem is not null then
            errors := errors || jsonb_build_object('chinese_domain',
                                                   v_cn.problem);
        end if;
    end if;

    if errors = '{}' and v_dom.ascii is null and v_cn.ascii is null then
        errors := errors || '{"domain": "请填写新的域名（与现在的域名不同）。"}';
    end if;

    if v_reason is null then
        errors := errors || '{"reason": "请说明变更域名的原因。"}';
    elsif length(v_reason) > 1000 then
        errors := errors || '{"reason": "变更原因不能超过1000个字。"}';
    end if;

    errors := form_checked(p_form, errors);

    f := jsonb_build_object(
        'domain', v_dom.ascii, 'domain_unicode', v_dom.unicode,
        'chinese_domain', v_cn.ascii, 'chinese_domain_unicode', v_cn.unicode,
        'old_domain', v_prim, 'old_chinese_domain', v_cnow,
        'old_chinese_domain_unicode', idna_to_unicode(v_cnow),
        'reason', v_reason);
end
$$;

-- The closing form: the successor site (an active site other than this
-- one, named by its id) and the reason.
create function site_close_form(p_site sites, p_form jsonb,
                                out f jsonb, out errors jsonb)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_succ    text := form_value(p_form, 'successor');
    v_reason  text := form_value(p_form, 'reason');
    s         sites;
begin
    errors := '{}';
    if v_succ is null then
        errors := errors
            || '{"successor": "请选择承接本网站内容的网站（关停公告中注明）。"}';
    elsif v_succ !~ '^[0-9]{1,18}$' then
        errors := errors || '{"successor": "请选择有效的承接网站。"}';
    else
        select * into s from sites where id = v_succ::bigint;
        if s.id is null or s.state <> 'active' or s.id = p_site.id then
            errors := errors
                || '{"successor": "承接网站应为另一个正在运行的网站。"}';
        end if;
    end if;

    if v_reason is null then
        errors := errors || '{"reason": "请说明关停原因（如：整合至门户网站）。"}';
    elsif length(v_reason) > 1000 then
        errors := errors || '{"reason": "关停原因不能超过1000个字。"}';
    end if;

    f := jsonb_build_object('successor_id', s.id, 'successor_name', s.name,
                            'successor_domain', site_primary_domain(s.id),
                            'reason', v_reason);
end
$$;

-- ------------------------------------------------------------ the work

-- The site of a request or an action, locked; GKA04 when there is none.
create function site_locked(p_site bigint)
returns sites
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    s  sites;
begin
    select * into s from sites where id = p_site for update;
    if not found then
        raise exception '网站不存在' using errcode = 'GKA04';
    end if;
    return s;
end
$$;

-- A request to open a site for the user's organ: the pending site and
-- its domains are written at once (the domains are then reserved).
create function site_request_open(p_user bigint, p_client inet,
                                  p_form jsonb)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v       record;
    v_site  bigint;
    v_req   bigint;
    u       users;
begin
    perform require_role(p_user, 'site_admin', '申请开设网站');
    select * into u from users where id = p_user;
    v := site_open_form(p_user, p_form);
    perform raise_form_errors(v.errors);

    insert into sites (name, kind, organ_id, parent_id, state, code,
                       host_organ_id, icp_no, psb_no)
    values (v.f ->> 'name', v.f ->> 'kind', u.organ_id,
            (v.f ->> 'parent_id')::bigint, 'pending', v.f ->> 'code',
            u.organ_id, v.f ->> 'icp_no', v.f ->> 'psb_no')
    returning id into v_site;

    insert into site_domains (domain, site_id, role)
    values (v.f ->> 'domain', v_site, 'primary');
    if v.f ->> 'chinese_domain' is not null then
        insert into site_domains (domain, site_id, role)
        values (v.f ->> 'chinese_domain', v_site, 'chinese');
    end if;

    insert into site_requests (kind, site_id, site_name, organ_id,
                               approver_site_id, detail, reason,
                               requested_by)
    values ('open', v_site, v.f ->> 'name', u.organ_id,
            site_approver(v.f ->> 'kind', (v.f ->> 'parent_id')::bigint,
                          u.organ_id),
            v.f - 'reason', v.f ->> 'reason', p_user)
    returning id into v_req;

    perform audit(p_user, p_client, 'site.request', null, null,
                  jsonb_build_object('site_request', v_req,
                                     'site_request_kind', 'open',
                                     'site_name', v.f ->> 'name',
                                     'domain', v.f ->> 'domain_unicode'));
    return v_req;
end
$$;

-- The pending request of a site, if any, as a sentence for a refusal.
create function site_pending_note(p_site bigint)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select '该网站已有一份待审批的申请（' || k.name || '，编号 ' || r.id
           || '），请等审批完成后再提出新的申请。'
      from site_requests r join site_request_kinds k using (kind)
     where r.site_id = p_site and r.state = 'pending'
$$;

create function site_request_change(p_user bigint, p_client inet,
                                    p_site bigint, p_form jsonb)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    s      sites := site_locked(p_site);
    v      record;
    v_req  bigint;
begin
    if not site_admin_of(p_user, s.id) then
        raise exception '只有本网站的网站管理员可以申请变更域名'
            using errcode = 'GKA09';
    end if;
    if s.state <> 'active' then
        raise exception '只有运行中的网站可以变更域名' using errcode = 'GKA09';
    end if;
    if site_pending_note(s.id) is not null then
        raise exception '%', site_pending_note(s.id) using errcode = 'GKA09';
    end if;
    v := site_change_form(s, p_form);
    perform raise_form_errors(v.errors);

    insert into site_requests (kind, site_id, site_name, organ_id,
                               approver_site_id, detail, reason,
                               requested_by)
    values ('change', s.id, s.name, s.organ_id,
            site_approver(s.kind, s.parent_id, s.organ_id),
            v.f - 'reason', v.f ->> 'reason', p_user)
    returning id into v_req;

    perform audit(p_user, p_client, 'site.request', null, null,
                  jsonb_build_object('site_request', v_req,
                                     'site_request_kind', 'change',
                                     'site_name', s.name,
                                     'domain', coalesce(
                                         v.f ->> 'domain_unicode',
                                         v.f ->> 'chinese_domain_unicode')));
    return v_req;
end
$$;

create function site_request_close(p_user bigint, p_client inet,
                                   p_site bigint, p_form jsonb)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    s      sites := site_locked(p_site);
    v      record;
    v_req  bigint;
begin
    if not site_admin_of(p_user, s.id) then
        raise exception '只有本网站的网站管理员可以申请关停网站'
            using errcode = 'GKA09';
    end if;
    if s.state <> 'active' then
        raise exception '只有运行中的网站可以申请关停' using errcode = 'GKA09';
    end if;
    if site_pending_note(s.id) is not null then
        raise exception '%', site_pending_note(s.id) using errcode = 'GKA09';
    end if;
    if exists (select 1 from sites
                where parent_id = s.id and state in ('pending', 'active'))
    then
        raise exception '门户网站下还有运行中的部门网站，不能关停'
            using errcode = 'GKA09';
    end if;
    v := site_close_form(s, p_form);
    perform raise_form_errors(v.errors);

    insert into site_requests (kind, site_id, site_name, organ_id,
                               approver_site_id, detail, reason,
                               requested_by)
    values ('close', s.id, s.name, s.organ_id,
            site_approver(s.kind, s.parent_id, s.organ_id),
            v.f - 'reason', v.f ->> 'reason', p_user)
    returning id into v_req;

    perform audit(p_user, p_client, 'site.request', null, null,
                  jsonb_build_object('site_request', v_req,
                                     'site_request_kind', 'close',
                                     'site_name', s.name,
                                     'successor', v.f ->> 'successor_name'));
    return v_req;
end
$$;

-- The public announcement of an approved request (公示), on the
-- approving portal (or, for a portal with none above, on itself).
create function site_announce(p_req site_requests)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    s        sites;
    v_on     bigint;
    v_organ  text;
    v_dom    text;
    v_cn     text;
    v_title  text;
    v_body   text;
    v_id     bigint;
    v_day    text := fmt_day(p_req.decided_at);
begin
    select * into s from sites where id = p_req.site_id;
    v_on := coalesce(p_req.approver_site_id, s.id);
    select name into v_organ from organs where id = s.organ_id;
    select unicode into v_dom from site_domains
     where site_id = s.id and role = 'primary';
    select unicode into v_cn from site_domains
     where site_id = s.id and role = 'chinese';

    if p_req.kind = 'open' then
        v_title := '关于开通“' || s.name || '”的公示';
        v_body := '经网站主管部门审核同意，' || v_organ || '的“' || s.name
                  || '”（网站标识码 ' || coalesce(s.code, '—') || '）于 '
                  || v_day || ' 开通，域名为 ' || v_dom
                  || coalesce('，中文域名为 ' || v_cn, '') || '。特此公示。';
    elsif p_req.kind = 'change' then
        v_title := '关于“' || s.name || '”变更域名的公示';
        v_body := '经网站主管部门审核同意，自 ' || v_day || ' 起，'
                  || v_organ || '的“' || s.name || '”'
                  || case when p_req.detail ->> 'domain' is not null then
                         '域名由 ' || (p_req.detail ->> 'old_domain')
                         || ' 变更为 ' || (p_req.detail ->> 'domain_unicode')
                     else '' end
                  || case when p_req.detail ->> 'domain' is not null
                           and p_req.detail ->> 'chinese_domain' is not null
                          then '，' else '' end
                  || case when p_req.detail ->> 'chinese_domain' is not null
                     then '中文域名' || coalesce('由 ' || (p_req.detail
                              ->> 'old_chinese_domain_unicode') || ' ', '')
                          || '变更为 '
                          || (p_req.detail ->> 'chinese_domain_unicode')
                     else '' end
                  || '。原域名继续转接到新域名，请使用新域名访问。特此公示。';
    else
        v_title := '关于关停“' || s.name || '”的公示';
        v_body := '经网站主管部门审核同意，' || v_organ || '的“' || s.name
                  || '”（' || v_dom || '）于 ' || v_day || ' 关停，原有内容'
                  || '由“' || (p_req.detail ->> 'successor_name') || '”（'
                  || coalesce(idna_to_unicode(p_req.detail
                                              ->> 'successor_domain'), '')
                  || '）承接。原网址显示关停公告至 '
                  || fmt_day(s.notice_until) || '。特此公示。';
    end if;

    insert into site_announcements (site_id, subject_id, request_id, kind,
                                    title, body, published_at)
    values (v_on, s.id, p_req.id, p_req.kind, v_title, v_body,
            p_req.decided_at)
    returning id into v_id;
    return v_id;
end
$$;

-- Apply an approved request (called by site_request_decide only: the
-- guards accept the changes because the request is approved now).
create function site_request_apply(p_req site_requests)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_days  integer;
begin
    if p_req.kind = 'open' then
        update sites set state = 'active', opened_at = p_req.decided_at
         where id = p_req.site_id;

    elsif p_req.kind = 'change' then
        if p_req.detail ->> 'domain' is not null then
            update site_domains set role = 'former', retired_at = now()
             where site_id = p_req.site_id and role = 'primary';
            insert into site_domains (domain, site_id, role)
            values (p_req.detail ->> 'domain', p_req.site_id, 'primary');
        end if;
        if p_req.detail ->> 'chinese_domain' is not null then
            update site_domains set role = 'former', retired_at = now()
             where site_id = p_req.site_id and role = 'chinese';
            insert into site_domains (domain, site_id, role)
            values (p_req.detail ->> 'chinese_domain', p_req.site_id,
                    'chinese');
        end if;

    else
        -- at least 30 days whatever the setting says (国办函〔2018〕55号)
        v_days := greatest(coalesce(setting_int('site.closure_notice_days'),
                                    30), 30);
        update sites
           set state = 'closed', closed_at = p_req.decided_at,
               notice_until = p_req.decided_at
                              + make_interval(days => v_days),
               successor_id = (p_req.detail ->> 'successor_id')::bigint,
               close_reason = p_req.reason
         where id = p_req.site_id;
    end if;
end
$$;

-- Approve (apply, announce) or reject a request.  A rejected opening
-- frees the organ and the domains: the pending site is deleted.
create function site_request_decide(p_user bigint, p_client inet,
                                    p_req bigint, p_decision text,
                                    p_note text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    r       site_requests;
    s       sites;
    v_why   text;
    v_ann   bigint;
begin
    select * into r from site_requests where id = p_req for update;
    if not found then
        raise exception '申请不存在' using errcode = 'GKA04';
    end if;
    if r.site_id is not null then
        s := site_locked(r.site_id);
    end if;

    v_why := site_may_decide(p_user, r);
    if v_why is not null then
        raise exception '%', v_why using errcode = 'GKA09';
    end if;
    if p_decision not in ('approve', 'reject') then
        raise exception '请选择批准或不批准' using errcode = 'GKA22';
    end if;
    if p_decision = 'reject' and p_note is null then
        raise exception '不批准时请说明理由' using errcode = 'GKA22',
            column = 'note';
    end if;
    if length(p_note) > 1000 then
        raise exception '审批意见不能超过1000个字' using errcode = 'GKA22',
            column = 'note';
    end if;

    -- what may have changed since the request was made
    if p_decision = 'approve' then
        if r.kind = 'close' and not exists (
               select 1 from sites where id = (r.detail ->> 'successor_id')
                                              ::bigint
                                     and state = 'active')
        then
            raise exception '承接网站已不在运行，不能按这份申请关停'
                using errcode = 'GKA09';
        end if;
        if r.kind = 'change' and exists (
               select 1 from site_domains
                where domain in (r.detail ->> 'domain',
                                 r.detail ->> 'chinese_domain'))
        then
            raise exception '申请的新域名已被登记，不能按这份申请变更'
                using errcode = 'GKA09';
        end if;
    end if;

    update site_requests
       set state = case p_decision when 'approve' then 'approved'
                                   else 'rejected' end,
           decided_by = p_user, decided_at = now(), decision_note = p_note
     where id = r.id
    returning * into r;

    if p_decision = 'approve' then
        perform site_request_apply(r);
        v_ann := site_announce(r);
    elsif r.kind = 'open' then
        delete from site_domains where site_id = r.site_id;
        delete from sites where id = r.site_id;
    end if;

    perform audit(p_user, p_client,
                  case p_decision when 'approve' then 'site.approve'
                                  else 'site.reject' end,
                  null, null,
                  jsonb_build_object('site_request', r.id,
                                     'site_request_kind', r.kind,
                                     'site_name', r.site_name,
                                     'announcement', v_ann,
                                     'decision_note', p_note));
end
$$;

-- The requester (or another administrator of the site) withdraws a
-- pending request; a withdrawn opening deletes the pending site.
create function site_request_withdraw(p_user bigint, p_client inet,
                                      p_req bigint)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    r  site_requests;
begin
    select * into r from site_requests where id = p_req for update;
    if not found then
        raise exception '申请不存在' using errcode = 'GKA04';
    end if;
    if r.state <> 'pending' then
        raise exception '这份申请已经处理完毕，不能撤回' using errcode = 'GKA09';
    end if;
    if r.requested_by <> p_user
       and not (r.site_id is not null and site_admin_of(p_user, r.site_id))
    then
        raise exception '只有申请人或本网站的网站管理员可以撤回申请'
            using errcode = 'GKA09';
    end if;

    update site_requests
       set state = 'withdrawn', decided_at = now()
     where id = r.id;

    if r.kind = 'open' then
        delete from site_domains where site_id = r.site_id;
        delete from sites where id = r.site_id;
    end if;

    perform audit(p_user, p_client, 'site.withdraw', null, null,
                  jsonb_build_object('site_request', r.id,
                                     'site_request_kind', r.kind,
                                     'site_name', r.site_name));
end
$$;

-- ----------------------------------------------- audit page names (0013)

insert into audit_actions (action, name, sort) values
    ('site.request', '网站申请', 60),
    ('site.approve', '批准网站申请', 61),
    ('site.reject', '不批准网站申请', 62),
    ('site.withdraw', '撤回网站申请', 63)
on conflict (action) do nothing;

insert into audit_detail_names (key, name) values
    ('site_request', '网站申请编号'),
    ('site_request_kind', '申请类型'),
    ('site_name', '网站'),
    ('domain', '域名'),
    ('successor', '承接网站'),
    ('announcement', '公示编号'),
    ('decision_note', '审批意见')
on conflict (key) do nothing;
