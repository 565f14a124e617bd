-- 0011: staff accounts, roles, sessions, settings and the audit log
-- (issue 3; DOMAIN.md §2 and §6: every step is answerable, 谁发布谁负责).
--
-- The web role never reads these tables.  The admin.* functions (later
-- migrations) take the session token the module holds in a cookie, and
-- call session_check / session_check_post below, which fail with the
-- project's own SQLSTATEs; the module maps them to HTTP answers:
--   GKA01  no valid session (absent, unknown, idle, expired, logged out,
--          locked or inactive user)              -> 303 to the login page
--   GKA03  the form's CSRF token is wrong         -> 403, nothing changed
--   GKA04  not found, or another organ's record   -> 404
--   GKA09  the action breaks a rule (message for the user)   -> 409
--   GKA22  invalid input (message for the user)   -> 422
-- sql/ADMIN.md lists them with every admin function.

create schema admin;

-- Tunable values, with the rule they come from.
create table settings (
    key    text primary key check (key ~ '^[a-z][a-z0-9_.]{0,63}$'),
    value  text not null,
    note   text not null
);

insert into settings (key, value, note) values
    ('session.idle_minutes', '30', '管理后台会话空闲超时（分钟）'),
    ('session.max_hours', '12', '管理后台会话最长有效期（小时）'),
    ('login.slow_after', '1',
     '连续登录失败达到此次数后，每次失败的响应延迟加倍'),
    ('login.lock_after', '5', '连续登录失败达到此次数后锁定账户'),
    ('login.lock_minutes', '15', '账户锁定时长（分钟）');

create function setting_int(p_key text)
returns integer
language sql stable
set search_path = gongkai, pg_temp
as $$
    select value::integer from settings where key = p_key
$$;

-- The roles of DOMAIN.md §2 and §6; a user may hold several.
create table staff_roles (
    role  text primary key check (role ~ '^[a-z_]{1,32}$'),
    name  text not null,
    sort  integer not null unique
);

insert into staff_roles (role, name, sort) values
    ('drafter', '经办人', 1),
    ('unit_head', '股室负责人', 2),
    ('secrecy_reviewer', '保密审查员', 3),
    ('leader', '分管领导', 4),
    ('application_officer', '依申请公开经办人', 5),
    ('site_admin', '网站管理员', 6),
    ('system_admin', '系统管理员', 7);

-- Passwords are bcrypt hashes made by pgcrypto, cost 10 or more.
create table users (
    id              bigint generated always as identity primary key,
    organ_id        bigint not null references organs (id),
    login           text not null unique
                    check (login ~ '^[a-z][a-z0-9_.-]{2,31}$'),
    name            text not null
                    check (btrim(name) <> '' and length(name) <= 50),
    password_hash   text not null
                    check (password_hash ~ '^\$2[aby]\$(1[0-9]|2[0-9]|3[01])\$'),
    active          boolean not null default true,
    failed_logins   integer not null default 0 check (failed_logins >= 0),
    last_failed_at  timestamptz,
    locked_until    timestamptz,
    created_at      timestamptz not null default now()
);

create index users_organ on users (organ_id);

create table user_roles (
    user_id  bigint not null references users (id) on delete cascade,
    role     text not null references staff_roles (role),
    primary key (user_id, role)
);

-- A new bcrypt hash; passwords of fewer than 8 characters are refused.
create function password_hash(p_password text)
returns text
language plpgsql volatile
set search_path = gongkai, pg_temp
as $$
begin
    if p_password is null or length(p_password) < 8 then
        raise exception '密码至少需要8个字符' using errcode = 'GKA22';
    end if;
    return ext.crypt(p_password, ext.gen_salt('bf', 10));
end
$$;

-- Sessions: the module makes a random 256-bit token (the kernel's random
-- source) and keeps it only in the browser's cookie; the database keeps
-- its SHA-256.  Each session has its own CSRF token for its forms.
create table sessions (
    id          bigint generated always as identity primary key,
    token_hash  bytea not null unique
                check (octet_length(token_hash) = 32),
    user_id     bigint not null references users (id),
    csrf        text not null check (csrf ~ '^[0-9a-f]{64}$'),
    client      inet,
    created_at  timestamptz not null default now(),
    last_seen   timestamptz not null default now(),
    expires_at  timestamptz not null,
    ended_at    timestamptz,
    end_reason  text check (end_reason in ('logout', 'locked', 'disabled'))
);

create index sessions_user on sessions (user_id) where ended_at is null;

-- What session_check returns: who acts, in which organ, with what roles.
create type session_info as (
    session_id  bigint,
    user_id     bigint,
    organ_id    bigint,
    login       text,
    name        text,
    roles       text[],
    csrf        text
);

-- The audit log (issue 3 "Audit"): append-only for every role, the owner
-- included (the trigger), and the web role has no right on it at all.
-- item_id and case_id are plain numbers, not foreign keys: the record of
-- an action outlives what it was about.
create table audit_log (
    id           bigint generated always as identity primary key,
    at           timestamptz not null default clock_timestamp(),
    actor_id     bigint references users (id),
    actor_login  text check (length(actor_login) <= 64),
    client       inet,
    action       text not null check (action ~ '^[a-z][a-z_.]{0,63}$'),
    organ_id     bigint references organs (id),
    item_id      bigint,
    case_id      bigint,
    detail       jsonb not null default '{}'
);

create index audit_log_at on audit_log (at);
create index audit_log_actor on audit_log (actor_id, at);
create index audit_log_item on audit_log (item_id, at)
    where item_id is not null;
create index audit_log_case on audit_log (case_id, at)
    where case_id is not null;

create function audit_log_append_only()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    raise exception 'audit_log is append-only (% refused)', tg_op
        using errcode = 'GKA09';
end
$$;

create trigger audit_log_no_update
    before update or delete on audit_log
    for each row execute function audit_log_append_only();

create trigger audit_log_no_truncate
    before truncate on audit_log
    for each statement execute function audit_log_append_only();

-- One audit row.  p_actor may be null (a failed login of an unknown
-- name: then p_login says what was typed).
create function audit(p_actor bigint, p_client inet, p_action text,
                      p_item bigint, p_case bigint, p_detail jsonb,
                      p_login text default null)
returns void
language sql volatile
set search_path = gongkai, pg_temp
as $$
    insert into audit_log (actor_id, actor_login, client, action, organ_id,
                           item_id, case_id, detail)
    select p_actor,
           coalesce(u.login, left(p_login, 64)),
           p_client, p_action, u.organ_id, p_item, p_case,
           coalesce(p_detail, '{}')
    from (select 1) one
    left join users u on u.id = p_actor
$$;

-- Open a session for a user; p_token is the 64 hex digits of the cookie.
create function session_open(p_token text, p_user bigint, p_client inet)
returns bigint
language plpgsql volatile
set search_path = gongkai, pg_temp
as $$
declare
    v_id  bigint;
begin
    if p_token is null or p_token !~ '^[0-9a-f]{64}$' then
        raise exception 'malformed session token' using errcode = 'GKA22';
    end if;

    insert into sessions (token_hash, user_id, csrf, client, expires_at)
    values (ext.digest(p_token, 'sha256'), p_user,
            encode(ext.gen_random_bytes(32), 'hex'), p_client,
            now() + make_interval(hours => setting_int('session.max_hours')))
    returning id into v_id;

    return v_id;
end
$$;

-- The session of a cookie, or GKA01.  Idle and absolute expiry are
-- checked here, on every request; a live session's last_seen moves on.
create function session_check(p_token text, p_client inet)
returns session_info
language plpgsql volatile
set search_path = gongkai, pg_temp
as $$
declare
    s  sessions;
    u  users;
    r  session_info;
begin
    if p_token is null or p_token !~ '^[0-9a-f]{64}$' then
        raise exception '请先登录' using errcode = 'GKA01';
    end if;

    select * into s from sessions
    where token_hash = ext.digest(p_token, 'sha256');

    if not found or s.ended_at is not null or s.expires_at <= now()
       or s.last_seen
          + make_interval(mins => setting_int('session.idle_minutes'))
          <= now()
    then
        raise exception '登录已失效，请重新登录' using errcode = 'GKA01';
    end if;

    select * into u from users where id = s.user_id;

    if not u.active or coalesce(u.locked_until > now(), false) then
        raise exception '账户不可用，请联系系统管理员'
            using errcode = 'GKA01';
    end if;

    update sessions set last_seen = now() where id = s.id;

    r.session_id := s.id;
    r.user_id := u.id;
    r.organ_id := u.organ_id;
    r.login := u.login;
    r.name := u.name;
    r.csrf := s.csrf;
    select coalesce(array_agg(ur.role order by sr.sort), '{}')
    into r.roles
    from user_roles ur join staff_roles sr using (role)
    where ur.user_id = u.id;

    return r;
end
$$;

-- session_check for a POST: the form's CSRF token must be the session's.
create function session_check_post(p_token text, p_csrf text,
                                   p_client inet)
returns session_info
language plpgsql volatile
set search_path = gongkai, pg_temp
as $$
declare
    r  session_info;
begin
    r := session_check(p_token, p_client);

    if p_csrf is null or p_csrf <> r.csrf then
        raise exception '表单已失效，请返回后刷新页面再提交'
            using errcode = 'GKA03';
    end if;

    return r;
end
$$;

create function has_role(s session_info, p_role text)
returns boolean
language sql immutable
as $$
    select p_role = any (s.roles)
$$;

-- The part of every admin page's JSON that says who is signed in:
-- {"me": {...}, "csrf": "..."} (sql/ADMIN.md).
create function session_json(s session_info)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'me', jsonb_build_object(
            'id', s.user_id,
            'login', s.login,
            'name', s.name,
            'organ', jsonb_build_object('id', o.id, 'name', o.name),
            'roles', (select coalesce(jsonb_agg(jsonb_build_object(
                                 'role', sr.role, 'name', sr.name)
                             order by sr.sort), '[]')
                      from staff_roles sr where sr.role = any (s.roles)),
            'is', (select coalesce(jsonb_object_agg(sr.role,
                                                    sr.role = any (s.roles)),
                                   '{}')
                   from staff_roles sr)),
        'csrf', s.csrf)
    from organs o
    where o.id = s.organ_id
$$;

revoke all on all functions in schema gongkai from public;
revoke all on schema admin from public;
grant usage on schema admin to gongkai_web;
