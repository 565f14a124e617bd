-- 0005: the official holiday calendar and working-day arithmetic.
--
-- Time limits are counted in working days (工作日): the 2019 national
-- regulation's 20 working days for a reply, the seeds' 15 working days for
-- proactive publication, 5 and 2 for departments (DOMAIN.md §1, §3).
-- The calendar is data: one row per date that the State Council's annual
-- notice changes.  Every other date is a working day Monday to Friday and
-- a rest day on Saturday and Sunday.

create table holidays (
    day         date primary key,
    -- true: a holiday (放假); false: a make-up working day (调休上班)
    is_off_day  boolean not null,
    name        text not null check (btrim(name) <> '')
);

create function is_working_day(p_day date)
returns boolean
language sql stable strict
set search_path = gongkai, pg_temp
as $$
    select coalesce((select not h.is_off_day from holidays h
                      where h.day = p_day),
                    extract(isodow from p_day) < 6)
$$;

comment on function is_working_day(date) is
    'Whether a date is a working day: the holidays table first (holiday or '
    'make-up working day), otherwise Monday to Friday.';

create function add_working_days(p_start date, p_n integer)
returns date
language plpgsql stable strict
set search_path = gongkai, pg_temp
as $$
declare
    v_day  date;
begin
    if p_n < 0 then
        raise exception 'add_working_days: n must not be negative (%)', p_n
            using errcode = 'invalid_parameter_value';
    end if;
    if p_n = 0 then
        return p_start;
    end if;

    -- n working days always fit in 2n + 30 calendar days: the longest
    -- official break is 9 days and there are at most 5 weekend days in 7.
    select d into v_day
      from (select g::date as d,
                   row_number() over (order by g) as k
              from generate_series(p_start + 1, p_start + 2 * p_n + 30,
                                   interval '1 day') g
              left join holidays h on h.day = g::date
             where coalesce(not h.is_off_day,
                            extract(isodow from g) < 6)) w
     where k = p_n;

    return v_day;
end
$$;

comment on function add_working_days(date, integer) is
    'The date n working days after start.  Counting starts the day after '
    'start: the day of receipt (or of formation) is not counted, as in the '
    'national regulation''s "自收到申请之日起20个工作日内" (receipt day not '
    'counted).  add_working_days(d, 0) = d.  Holidays and make-up working '
    'days come from the holidays table; a year whose calendar is not loaded '
    'counts Monday to Friday only.';

create function working_days_between(p_a date, p_b date)
returns integer
language sql stable strict
set search_path = gongkai, pg_temp
as $$
    select case when p_b >= p_a then c else -c end::integer
      from (select count(*) as c
              from generate_series(least(p_a, p_b) + 1, greatest(p_a, p_b),
                                   interval '1 day') g
              left join holidays h on h.day = g::date
             where coalesce(not h.is_off_day,
                            extract(isodow from g) < 6)) w
$$;

comment on function working_days_between(date, date) is
    'The number of working days d with a < d <= b (the same convention as '
    'add_working_days: the first day is not counted), negative when b < a. '
    'For n >= 1, working_days_between(a, add_working_days(a, n)) = n.';
