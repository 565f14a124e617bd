-- 0013: the audit page (issue 3 "Audit": an admin page searches the log
-- by item, user and date; "谁发布谁负责" needs a trail anyone answerable
-- can read).
--
-- Who may open it: see the comment above admin.page_audit below.

-- The names the page shows for the actions; an action missing here is
-- shown by its code.  Migrations that write new actions add their names.
create table audit_actions (
    action  text primary key check (action ~ '^[a-z][a-z_.]{0,63}$'),
    name    text not null check (btrim(name) <> '' and length(name) <= 50),
    sort    integer not null default 100
);

insert into audit_actions (action, name, sort) values
    ('login', '登录', 1),
    ('login.failed', '登录失败', 2),
    ('login.locked', '账户锁定', 3),
    ('login.refused', '拒绝登录', 4),
    ('logout', '退出登录', 5);

-- The names the page shows for the keys of audit_log.detail, likewise.
create table audit_detail_names (
    key   text primary key check (key ~ '^[a-z][a-z0-9_]{0,63}$'),
    name  text not null check (btrim(name) <> '' and length(name) <= 50)
);

insert into audit_detail_names (key, name) values
    ('session', '会话编号'),
    ('failures', '连续失败次数'),
    ('delay', '延迟应答（秒）'),
    ('reason', '原因'),
    ('locked_until', '锁定至');

-- audit_log.detail as one line of text: "名称：值；名称：值".
create function audit_detail_text(p_detail jsonb)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select string_agg(coalesce(n.name, d.key) || '：' || d.value, '；'
                      order by d.key)
    from jsonb_each_text(case when jsonb_typeof(p_detail) = 'object'
                              then p_detail end) d
    left join audit_detail_names n on n.key = d.key
$$;

-- the page's filters and its organ scope, newest first
create index audit_log_organ on audit_log (organ_id, at);
create index audit_log_login on audit_log (actor_login, at);
create index audit_log_action on audit_log (action, at);

-- 'YYYY-MM-DD' as a date, or null when it is not a real date.
create function parse_date(p_text text)
returns date
language plpgsql immutable
set search_path = gongkai, pg_temp
as $$
declare
    d  date;
begin
    if p_text !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then
        return null;
    end if;
    d := to_date(p_text, 'YYYY-MM-DD');
    if to_char(d, 'YYYY-MM-DD') <> p_text or d < date '2000-01-01'
       or d > date '2099-12-31'
    then
        return null;
    end if;
    return d;
exception
    when others then
        return null;
end
$$;

-- One query parameter as a trimmed string: '' when absent, null when it
-- is not a single string (a repeated name arrives as an array).
create function query_text(p_query jsonb, p_name text)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case
        when p_query is null or jsonb_typeof(p_query) <> 'object'
             or not (p_query ? p_name) then ''
        when jsonb_typeof(p_query -> p_name) = 'string'
            then btrim(p_query ->> p_name, E' \t\r\n')
        else null
    end
$$;

-- admin.page_audit(token, client, args, query).  Filters, each optional:
-- query.item (an item's number or index number), query.user (a login, as
-- typed for an unknown name, or a person's name), query.action (an action
-- code or its name), query.from / query.to (YYYY-MM-DD, Beijing time,
-- both days included), query.page (1, 2, ...).  50 rows a page, newest
-- first.  An invalid value is reported in "errors" (and marked in
-- "invalid") and then no row is shown, rather than a wider search.
-- Returns session_json(s) and
--   {"scope_all": bool, "filter": {"item","user","action","from","to"}
--    (as typed, for the form), "filtered": bool,
--    "errors": [{"field","message"}], "invalid": {"item": bool, ...},
--    "actions": [{"action","name","selected"}], "action_other": bool,
--    "rows": [{"id","at","actor_login","actor_name","organ_name",
--              "client","action","action_name","item_id","case_id",
--              "detail_text"}],
--    "total" (at most 10000), "total_more" (more than that),
--    "per_page", "page", "pages", "prev_page", "next_page" (or null)}
-- Who may open it (issue 3):
-- "谁发布谁负责": whoever drafts or reviews answers for what was done, so
-- every role may read the record of its own organ's work — the drafter
-- (经办人) and the application officer (依申请公开经办人) too, as the
-- admin's navigation offers the page to everyone.  The scope stays: staff
-- see their own organ's rows only; system_admin sees every organ's rows
-- and the failed logins of unknown names (which belong to no organ).  A
-- user who holds no role at all gets 404 (GKA04).
create function admin.page_audit(p_token text,
                                            p_client inet, p_args text[],
                                            p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    per_page  constant integer := 50;
    max_count constant integer := 10000;
    s         session_info;
    v_all     boolean;
    v_item    text := query_text(p_query, 'item');
    v_user    text := query_text(p_query, 'user');
    v_action  text := query_text(p_query, 'action');
    v_from    text := query_text(p_query, 'from');
    v_to      text := query_text(p_query, 'to');
    v_page    text := query_text(p_query, 'page');
    v_errors  jsonb := '[]';
    f_item    bigint;
    f_users   bigint[];
    f_login   text;
    f_actions text[];
    f_from    timestamptz;
    f_to      timestamptz;
    d_from    date;
    d_to      date;
    n_page    integer := 1;
    v_total   integer := 0;
    v_rows    jsonb := '[]';
    v_more    boolean := false;
begin
    s := session_check(p_token, p_client);

    if cardinality(s.roles) = 0 then
        raise exception '没有查看操作日志的权限' using errcode = 'GKA04';
    end if;
    v_all := has_role(s, 'system_admin');

    -- the filters, each checked on its own
    if v_item is null or length(v_item) > 64 then
        v_errors := v_errors || jsonb_build_object('field', 'item',
            'message', '信息编号无效。');
        v_item := coalesce(left(v_item, 64), '');
    elsif v_item ~ '^[0-9]{1,18}$' then
        f_item := v_item::bigint;
    elsif v_item ~ '^[0-9A-Z]{1,18}-[0-9A-Za-z]{1,8}-[0-9]{4}-[0-9]{5,10}$'
    then
        select id into f_item from items where index_no = v_item;
        f_item := coalesce(f_item, -1);
    elsif v_item <> '' then
        v_errors := v_errors || jsonb_build_object('field', 'item',
            'message', '信息编号应为数字编号或索引号（如 '
                       || '11533100000000101D-0202-2025-00001）。');
    end if;

    if v_user is null or length(v_user) > 64 then
        v_errors := v_errors || jsonb_build_object('field', 'user',
            'message', '用户无效：请输入用户名或姓名。');
        v_user := coalesce(left(v_user, 64), '');
    elsif v_user <> '' then
        f_login := lower(v_user);
        select coalesce(array_agg(id), '{}') into f_users
        from users where login = f_login or name = v_user;
    end if;

    if v_action is null or length(v_action) > 64 then
        v_errors := v_errors || jsonb_build_object('field', 'action',
            'message', '操作类型无效。');
        v_action := coalesce(left(v_action, 64), '');
    elsif v_action <> '' then
        select coalesce(array_agg(action), '{}') into f_actions
        from audit_actions where name = v_action;
        if lower(v_action) ~ '^[a-z][a-z_.]{0,63}$' then
            f_actions := f_actions || lower(v_action);
        elsif f_actions = '{}' then
            v_errors := v_errors || jsonb_build_object('field', 'action',
                'message', '没有名为“' || v_action || '”的操作类型。');
        end if;
    end if;

    if v_from is null or (v_from <> '' and parse_date(v_from) is null) then
        v_errors := v_errors || jsonb_build_object('field', 'from',
            'message', '开始日期应为有效日期，格式如 2025-01-31。');
        v_from := coalesce(left(v_from, 64), '');
    elsif v_from <> '' then
        d_from := parse_date(v_from);
        f_from := d_from::timestamp at time zone 'Asia/Shanghai';
    end if;

    if v_to is null or (v_to <> '' and parse_date(v_to) is null) then
        v_errors := v_errors || jsonb_build_object('field', 'to',
            'message', '结束日期应为有效日期，格式如 2025-12-31。');
        v_to := coalesce(left(v_to, 64), '');
    elsif v_to <> '' then
        d_to := parse_date(v_to);
        f_to := (d_to + 1)::timestamp at time zone 'Asia/Shanghai';
    end if;

    if d_from > d_to then
        v_errors := v_errors || jsonb_build_object('field', 'to',
            'message', '结束日期不能早于开始日期。');
    end if;

    if v_page is null or (v_page <> '' and v_page !~ '^[1-9][0-9]{0,5}$')
    then
        v_errors := v_errors || jsonb_build_object('field', 'page',
            'message', '页码无效。');
    elsif v_page <> '' then
        n_page := v_page::integer;
        if n_page > max_count / per_page then
            v_errors := v_errors || jsonb_build_object('field', 'page',
                'message', '页码超出范围：最多可翻到第 '
                           || max_count / per_page
                           || ' 页，请用筛选条件缩小范围。');
            n_page := 1;
        end if;
    end if;

    if jsonb_array_length(v_errors) = 0 then
        -- counted up to max_count + 1 (beyond, the page says "10000+")
        with hits as materialized (
            select a.id, a.at
            from audit_log a
            where (v_all or a.organ_id = s.organ_id)
              and (f_item is null or a.item_id = f_item)
              and (f_login is null or a.actor_id = any (f_users)
                   or a.actor_login = f_login)
              and (f_actions is null or a.action = any (f_actions))
              and (f_from is null or a.at >= f_from)
              and (f_to is null or a.at < f_to)
            order by a.at desc, a.id desc
            limit max_count + 1
        ),
        page_ids as (
            select id from hits
            order by at desc, id desc
            limit per_page offset (n_page - 1) * per_page
        )
        select (select count(*) from hits),
               (select coalesce(jsonb_agg(jsonb_build_object(
                    'id', r.id,
                    'at', local_time(r.at),
                    'actor_login', r.actor_login,
                    'actor_name', u.name,
                    'organ_name', o.name,
                    'client', host(r.client),
                    'action', r.action,
                    'action_name', coalesce(aa.name, r.action),
                    'item_id', r.item_id,
                    'case_id', r.case_id,
                    'detail_text', audit_detail_text(r.detail))
                    order by r.at desc, r.id desc), '[]')
                from audit_log r
                left join users u on u.id = r.actor_id
                left join organs o on o.id = r.organ_id
                left join audit_actions aa on aa.action = r.action
                where r.id in (select id from page_ids))
        into v_total, v_rows;

        v_more := v_total > max_count;
        v_total := least(v_total, max_count);
    end if;

    return session_json(s) || jsonb_build_object(
        'scope_all', v_all,
        'filter', jsonb_build_object('item', v_item, 'user', v_user,
                                     'action', v_action, 'from', v_from,
                                     'to', v_to),
        'filtered', (v_item || v_user || v_action || v_from || v_to) <> '',
        'errors', v_errors,
        'invalid', (select jsonb_object_agg(f, exists (
                               select 1 from jsonb_array_elements(v_errors) e
                               where e ->> 'field' = f))
                    from unnest(array['item', 'user', 'action', 'from',
                                      'to', 'page']) f),
        'actions', (select jsonb_agg(jsonb_build_object(
                               'action', action, 'name', name,
                               'selected', action = lower(v_action)
                                           or name = v_action)
                           order by sort, action)
                    from audit_actions),
        -- an action the list does not name
        'action_other', v_action <> ''
                        and not exists (select 1 from audit_actions
                                        where action = lower(v_action)
                                           or name = v_action),
        'rows', v_rows,
        'total', v_total,
        'total_more', v_more,
        'per_page', per_page,
        'page', n_page,
        'pages', greatest(1, (v_total + per_page - 1) / per_page),
        'prev_page', case when n_page > 1 then n_page - 1 end,
        'next_page', case when n_page * per_page < v_total
                          then n_page + 1 end);
end
$$;

revoke all on function admin.page_audit(text, inet, text[], jsonb)
    from public;
grant execute on function admin.page_audit(text, inet, text[], jsonb)
    to gongkai_web;
