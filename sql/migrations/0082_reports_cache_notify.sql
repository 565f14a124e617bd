-- 0082: the annual reports' pages (/reports, /reports/<单位代码>/<YYYY>)
-- are cached now (ngx_http_gongkai_report.c), so publishing a version of
-- a report makes the pages of the sites that show its organ stale, as
-- 0050 asks of a route that starts caching them.  A version is shown
-- only once published (0073); one that is published and then changed
-- (never, the workflow freezes it, but an owner's UPDATE could) is
-- notified as well.

create function report_versions_cache_notify()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_organs  bigint[];
begin
    if tg_op = 'INSERT' then
        select array_agg(distinct r.organ_id) into v_organs
          from new_rows v join annual_reports r on r.id = v.report_id
         where v.state = 'published';
    elsif tg_op = 'DELETE' then
        select array_agg(distinct r.organ_id) into v_organs
          from old_rows v join annual_reports r on r.id = v.report_id
         where v.state = 'published';
    else
        select array_agg(distinct r.organ_id) into v_organs
          from (select report_id, state from new_rows
                union all
                select report_id, state from old_rows) v
          join annual_reports r on r.id = v.report_id
         where v.state = 'published';
    end if;
    perform cache_notify_organs(v_organs);
    return null;
end
$$;

create trigger report_versions_cache_notify_insert
    after insert on report_versions
    referencing new table as new_rows
    for each statement execute function report_versions_cache_notify();

create trigger report_versions_cache_notify_update
    after update on report_versions
    referencing old table as old_rows new table as new_rows
    for each statement execute function report_versions_cache_notify();

create trigger report_versions_cache_notify_delete
    after delete on report_versions
    referencing old table as old_rows
    for each statement execute function report_versions_cache_notify();
