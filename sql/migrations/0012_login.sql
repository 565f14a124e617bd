-- 0012: signing in and out of the admin (issue 3 "Accounts and
-- sessions", "Audit"): admin.login, admin.do_logout, the throttle of
-- failed logins, and sessions that end with their user's lock-out or
-- deactivation.
--
-- Failed logins (settings login.slow_after, login.lock_after,
-- login.lock_minutes):
--   * each failure counts; a run of failures starts again when its last
--     failure is login.lock_minutes old, or when a lock has run out;
--   * from the login.slow_after-th failure on, the module waits
--     2^(n - slow_after) seconds, at most 8, before it answers failure n
--     (a timer in nginx, the worker never sleeps);
--   * the login.lock_after-th failure locks the name for
--     login.lock_minutes; while locked, a login is refused with the time
--     the lock ends and the password is not even checked;
--   * nothing tells whether a name exists: an unknown name gets the same
--     message, the same delays and the same lock (counted in
--     login_throttle, keyed by the name as typed, trimmed and in lower
--     case), and costs one bcrypt like a known one.
-- Every failure is audited ('login.failed', with the count and the
-- delay), so is a lock ('login.locked') and a refusal of a locked or
-- deactivated account ('login.refused').

-- Failure counts of names that belong to no user.  Rows whose run of
-- failures is over are pruned by admin.login itself.
create table login_throttle (
    login           text primary key check (length(login) <= 64),
    failed_logins   integer not null default 0 check (failed_logins >= 0),
    last_failed_at  timestamptz,
    locked_until    timestamptz
);

create index login_throttle_last on login_throttle (last_failed_at);

-- A user who is locked out or deactivated loses every open session at
-- once (session_check refuses them anyway while the state lasts; ending
-- them means a lifted lock does not bring an old session back).
create function users_end_sessions()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if old.active and not new.active then
        update sessions set ended_at = now(), end_reason = 'disabled'
        where user_id = new.id and ended_at is null;
    elsif new.locked_until > now()
          and old.locked_until is distinct from new.locked_until then
        update sessions set ended_at = now(), end_reason = 'locked'
        where user_id = new.id and ended_at is null;
    end if;
    return null;
end
$$;

create trigger users_end_sessions
    after update of active, locked_until on users
    for each row execute function users_end_sessions();

-- A moment as the admin shows it: 'YYYY-MM-DD HH:MM:SS', Beijing time.
create function local_time(p_at timestamptz)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select to_char(p_at at time zone 'Asia/Shanghai',
                   'YYYY-MM-DD HH24:MI:SS')
$$;

-- The seconds to wait before answering the n-th failure in a row.
create function login_delay(p_failures integer)
returns integer
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case
        when p_failures < setting_int('login.slow_after') then 0
        else least(8, power(2, least(p_failures
                                      - setting_int('login.slow_after'),
                                      4))::integer)
    end
$$;

-- What a refused login returns (sql/ADMIN.md "login").
create function login_refusal(p_typed text, p_failures integer,
                              p_error text)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object('ok', false, 'status', 200,
                              'delay', login_delay(p_failures),
                              'error', p_error, 'invalid', true,
                              'login', p_typed)
$$;

create function login_locked_message(p_until timestamptz)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select '登录失败次数过多，该账户已被暂时锁定，请于 '
           || left(local_time(p_until), 16)
           || ' 后再试。如需帮助，请联系系统管理员。'
$$;

-- admin.login(login, password, token, client): the module has checked the
-- pre-login CSRF cookie and made a fresh 256-bit token for the session.
-- Returns {"ok": true, "redirect": ""} (the module sets the gk_session
-- cookie and answers 303 to the admin home), or
-- {"ok": false, "status", "delay", "error", "invalid": true, "login"}
-- (the login page is shown again with the message and the name typed,
-- after "delay" seconds).
create function admin.login(p_login text, p_password text, p_token text,
                            p_client inet)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    -- bcrypt (cost 10, like every stored hash) of a string nobody
    -- types: an unknown name costs the same time as a known one
    dummy    constant text :=
        '$2a$10$FR3o7kkm8ry5kIvsdObEGOk.VE8f0l1yJjp3DZ8FU0bDFV3SUkIRG';
    v_typed  text := left(coalesce(p_login, ''), 64);
    v_login  text := left(lower(btrim(coalesce(p_login, ''),
                                      E' \t\r\n')), 64);
    v_lock   interval :=
        make_interval(mins => setting_int('login.lock_minutes'));
    u        users;
    t        login_throttle;
    v_known  boolean;
    v_failed integer;
    v_last   timestamptz;
    v_until  timestamptz;
    v_ok     boolean;
    v_sid    bigint;
begin
    if v_login = '' or coalesce(p_password, '') = '' then
        return jsonb_build_object('ok', false, 'status', 422, 'delay', 0,
                                  'error', '请输入用户名和密码。',
                                  'invalid', true, 'login', v_typed);
    end if;

    -- one login at a time per name, so that every failure is counted
    select * into u from users where login = v_login for update;
    v_known := found;

    if v_known then
        v_failed := u.failed_logins;
        v_last := u.last_failed_at;
        v_until := u.locked_until;
    else
        delete from login_throttle
        where last_failed_at < now() - v_lock - interval '1 minute'
          and (locked_until is null or locked_until < now());
        insert into login_throttle (login) values (v_login)
        on conflict (login) do nothing;
        select * into t from login_throttle where login = v_login
        for update;
        v_failed := t.failed_logins;
        v_last := t.last_failed_at;
        v_until := t.locked_until;
    end if;

    -- locked: refused without looking at the password
    if v_until > now() then
        perform audit(u.id, p_client, 'login.refused', null, null,
                      jsonb_build_object('reason', '账户锁定中',
                                         'locked_until',
                                         local_time(v_until),
                                         'delay', login_delay(v_failed)),
                      v_login);
        return login_refusal(v_typed, v_failed,
                             login_locked_message(v_until));
    end if;

    -- a lock that ran out, or an old run of failures, counts no more
    if v_until is not null or v_last is null or v_last + v_lock <= now()
    then
        v_failed := 0;
        v_until := null;
    end if;

    if v_known then
        v_ok := ext.crypt(p_password, u.password_hash) = u.password_hash;
    else
        perform ext.crypt(p_password, dummy);
        v_ok := false;
    end if;

    if v_ok and not u.active then
        perform audit(u.id, p_client, 'login.refused', null, null,
                      jsonb_build_object('reason', '账户已停用'));
        return jsonb_build_object('ok', false, 'status', 200, 'delay', 0,
                                  'error', '该账户已停用，请联系系统管理员。',
                                  'invalid', true, 'login', v_typed);
    end if;

    if v_ok then
        update users
        set failed_logins = 0, last_failed_at = null, locked_until = null
        where id = u.id;
        v_sid := session_open(p_token, u.id, p_client);
        perform audit(u.id, p_client, 'login', null, null,
                      jsonb_build_object('session', v_sid));
        return jsonb_build_object('ok', true, 'redirect', '');
    end if;

    v_failed := v_failed + 1;
    if v_failed >= setting_int('login.lock_after') then
        v_until := now() + v_lock;
    end if;

    if v_known then
        update users
        set failed_logins = v_failed, last_failed_at = now(),
            locked_until = v_until
        where id = u.id;
    else
        update login_throttle
        set failed_logins = v_failed, last_failed_at = now(),
            locked_until = v_until
        where login = v_login;
    end if;

    perform audit(u.id, p_client, 'login.failed', null, null,
                  jsonb_build_object('failures', v_failed,
                                     'delay', login_delay(v_failed)),
                  v_login);

    if v_until is not null then
        perform audit(u.id, p_client, 'login.locked', null, null,
                      jsonb_build_object('failures', v_failed,
                                         'locked_until',
                                         local_time(v_until)),
                      v_login);
        return login_refusal(v_typed, v_failed,
                             login_locked_message(v_until));
    end if;

    return login_refusal(v_typed, v_failed, '用户名或密码错误。');
end
$$;

-- admin.do_logout: ends the session on the server (the module clears the
-- cookie) and goes back to the login page.  A form without the session's
-- CSRF token is refused (GKA03) and nothing ends.
create function admin.do_logout(p_token text, p_client inet,
                                p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
begin
    s := session_check_post(p_token, p_form ->> 'csrf', p_client);

    update sessions set ended_at = now(), end_reason = 'logout'
    where id = s.session_id;

    perform audit(s.user_id, p_client, 'logout', null, null,
                  jsonb_build_object('session', s.session_id));

    return jsonb_build_object('redirect', 'login');
end
$$;

revoke all on function admin.login(text, text, text, inet) from public;
revoke all on function admin.do_logout(text, inet, text[], jsonb)
    from public;
grant execute on function admin.login(text, text, text, inet)
    to gongkai_web;
grant execute on function admin.do_logout(text, inet, text[], jsonb)
    to gongkai_web;
