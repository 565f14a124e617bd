-- 0041: the identity numbers an application carries, checked by their
-- check characters (issue 4): the resident identity number (公民身份号码,
-- GB 11643-1999) and the unified social credit code (统一社会信用代码,
-- GB 32100-2015).  The module checks both again at the door
-- (ngx_http_gongkai_check.c), with the same rules.

-- 18 characters: 17 digits, then the ISO 7064 MOD 11-2 check character
-- (0-9 or X); characters 7..14 a real date of birth from 1900 on.  Upper
-- case only: callers normalise first (resident_id_normal).
create function resident_id_valid(p_id text)
returns boolean
language plpgsql immutable strict
set search_path = gongkai, pg_temp
as $$
declare
    w     constant integer[] := array[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9,
                                      10, 5, 8, 4, 2];
    v_sum  integer := 0;
    v_day  date;
begin
    if p_id !~ '^[0-9]{17}[0-9X]$' then
        return false;
    end if;
    begin
        v_day := to_date(substr(p_id, 7, 8), 'YYYYMMDD');
    exception when others then
        return false;
    end;
    if to_char(v_day, 'YYYYMMDD') <> substr(p_id, 7, 8)
       or v_day < date '1900-01-01'
    then
        return false;
    end if;
    for i in 1 .. 17 loop
        v_sum := v_sum + substr(p_id, i, 1)::integer * w[i];
    end loop;
    return substr('10X98765432', v_sum % 11 + 1, 1) = substr(p_id, 18, 1);
end
$$;

-- The birth date a valid resident ID number carries.
create function resident_id_birth(p_id text)
returns date
language sql immutable strict
set search_path = gongkai, pg_temp
as $$
    select case when resident_id_valid(p_id)
                then to_date(substr(p_id, 7, 8), 'YYYYMMDD') end
$$;

-- 18 characters of 0-9 and the 21 letters GB 32100 uses (no I, O, S, V,
-- Z); the last is the check character over the first 17, with weights
-- 3^i mod 31 in that 31-character set.
create function credit_code_valid(p_code text)
returns boolean
language plpgsql immutable strict
set search_path = gongkai, pg_temp
as $$
declare
    cs     constant text := '0123456789ABCDEFGHJKLMNPQRTUWXY';
    w      constant integer[] := array[1, 3, 9, 27, 19, 26, 16, 17, 20, 29,
                                       25, 13, 8, 24, 10, 30, 28];
    v_sum  integer := 0;
begin
    if p_code !~ '^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$' then
        return false;
    end if;
    for i in 1 .. 17 loop
        v_sum := v_sum + (strpos(cs, substr(p_code, i, 1)) - 1) * w[i];
    end loop;
    return substr(cs, (31 - v_sum % 31) % 31 + 1, 1) = substr(p_code, 18, 1);
end
$$;

-- Input as typed, normalised: blanks (also full-width ones) removed,
-- full-width digits and letters made ASCII, upper case.
create function id_normal(p_text text)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select upper(translate(regexp_replace(coalesce(p_text, ''),
                                          '[[:space:]\u3000-]', '', 'g'),
                           '０１２３４５６７８９ｘＸ', '0123456789XX'))
$$;
