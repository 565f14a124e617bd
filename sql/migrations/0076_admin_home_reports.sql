-- 0076: the admin home warns of the annual report (issue 5: "dashboards
-- warn 15 days ahead and mark late reports").  admin.page_home keeps its
-- JSON (0019, sql/ADMIN.md) and gains "reports": the user's organ's
-- annual reports not yet published whose publication deadline
-- (report_deadline, the organ level's setting) is at most
-- report.warn_days (15) away or past: last year's, created or not, and
-- any earlier one still unpublished.

-- 0019's function, unchanged, becomes the items part of the home page.
alter function admin.page_home(text, inet, text[], jsonb)
    rename to page_home_items;
alter function admin.page_home_items(text, inet, text[], jsonb)
    set schema gongkai;
revoke execute on function gongkai.page_home_items(text, inet, text[], jsonb)
    from gongkai_web;

-- The warnings: [{"year", "organ_name", "report_id" (null: not created
-- yet), "path" (admin path: reports/ID or reports), "state_name", "publish_by", "days_left"
-- (negative when late), "late", "note"}], the oldest first.
create function home_report_warnings(p_organ bigint)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'year', y.year,
               'organ_name', o.name,
               'report_id', r.id,
               'path', case when r.id is null then 'reports'
                            else 'reports/' || r.id end,
               'state_name', coalesce(st.name, '尚未编制'),
               'publish_by', to_char(d.due, 'YYYY-MM-DD'),
               'days_left', d.due - today_cn(),
               'late', today_cn() > d.due,
               'note', case
                   when today_cn() > d.due then
                       '已超过公布期限' || (today_cn() - d.due)
                       || '天，请尽快完成并公布'
                   when d.due = today_cn() then '今天是公布期限，请及时公布'
                   else '距公布期限还有' || (d.due - today_cn()) || '天'
                   end)
               order by y.year), '[]')
      from organs o
     cross join lateral (
               select extract(year from today_cn())::integer - 1 as year
               union
               select a.year from annual_reports a
                where a.organ_id = o.id
                  and a.year < extract(year from today_cn())::integer) y
     cross join lateral (
               select report_deadline(o.id, y.year, 'publish_by') as due) d
      left join annual_reports r on r.organ_id = o.id and r.year = y.year
      left join lateral report_current(r.id, false) v on r.id is not null
      left join report_states st on st.state = v.state
     where o.id = p_organ
       and d.due is not null
       and d.due - today_cn() <= setting_int('report.warn_days')
       and not exists (select 1 from report_versions pv
                        where pv.report_id = r.id
                          and pv.state = 'published')
$$;

-- GET (the home page): 0019's JSON and "reports".
create function admin.page_home(p_token text, p_client inet,
                                p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s       session_info;
    v_home  jsonb;
    v_reps  jsonb;
begin
    s := session_check(p_token, p_client);
    v_home := page_home_items(p_token, p_client, p_args, p_query);
    v_reps := home_report_warnings(s.organ_id);
    return v_home || jsonb_build_object(
        'reports', v_reps,
        'has_reports', jsonb_array_length(v_reps) > 0,
        'report_warn_days', setting_int('report.warn_days'));
end
$$;

grant execute on function admin.page_home(text, inet, text[], jsonb)
    to gongkai_web;
