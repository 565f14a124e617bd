-- 0073: the public pages of the annual report (issue 5, sql/PAGES.md
-- "Annual reports"): the list by year and organ, a report's page with
-- the national tables (frozen when the version was submitted), its
-- earlier versions and their correction notes, the data of two charts
-- the template draws as SVG, and each table as CSV.  Only published
-- versions of organs in the site's scope are ever shown.

-- The published version of an organ's report: p_no, or the latest.
create function report_public_version(p_site sites, p_code text,
                                      p_year integer, p_no integer)
returns report_versions
language sql stable
set search_path = gongkai, pg_temp
as $$
    select v.*
      from organs o
      join annual_reports r on r.organ_id = o.id and r.year = p_year
      join report_versions v on v.report_id = r.id
                            and v.state = 'published'
     where o.unit_code = p_code
       and o.id = any (site_scope(p_site))
       and (p_no is null or v.no = p_no)
     order by v.no desc
     limit 1
$$;

-- A bar chart's geometry (viewBox 0 0 640 H, one bar a row): the
-- template only copies the numbers.  p_bars: [{"label", "value"}].
create function report_bars(p_bars jsonb)
returns jsonb
language sql immutable
set search_path = gongkai, pg_temp
as $$
    with b as (
        select x ->> 'label' label, (x ->> 'value')::integer val, o
          from jsonb_array_elements(p_bars) with ordinality e (x, o)),
    m as (select greatest(max(val), 1) mx, count(*) n from b)
    select jsonb_build_object(
        'height', 20 + 36 * m.n,
        'view_box', '0 0 640 ' || (20 + 36 * m.n),
        'bars', (select coalesce(jsonb_agg(jsonb_build_object(
                            'label', b.label, 'value', b.val,
                            'y', 10 + 36 * (b.o - 1),
                            'text_y', 10 + 36 * (b.o - 1) + 19,
                            'width', round(380.0 * b.val / m.mx),
                            'value_x', 214 + round(380.0 * b.val / m.mx))
                        order by b.o), '[]') from b))
      from m
$$;

-- TABLEs with the link of their CSV: p_base || id || '.csv' || p_suffix.
create function report_hrefs(p_tables jsonb, p_base text, p_suffix text)
returns jsonb
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select coalesce(jsonb_agg(t || jsonb_build_object(
                        'href', p_base || (t ->> 'id') || '.csv' || p_suffix)
                    order by o), '[]')
      from jsonb_array_elements(p_tables) with ordinality e (t, o)
     where t is not null and t <> 'null'
$$;

-- GET /reports?year=
create function portal.page_reports(p_host text, p_year text)
returns json
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site  sites;
    v_year  integer;
begin
    v_site := site_for_host(p_host);
    if v_site.id is null then
        return json_build_object('site', null);
    end if;
    if p_year ~ '^[0-9]{4}$' then
        v_year := p_year::integer;
    end if;
    return json_build_object(
        'site', site_json(v_site),
        'not_found', false,
        'filter', json_build_object('year', v_year),
        'years', (select coalesce(json_agg(json_build_object(
                             'year', y.year, 'selected', y.year = v_year)
                         order by y.year desc), '[]')
                    from (select distinct r.year
                            from annual_reports r
                           where r.organ_id = any (site_scope(v_site))
                             and exists (select 1 from report_versions v
                                          where v.report_id = r.id
                                            and v.state = 'published')) y),
        'groups', (select coalesce(json_agg(json_build_object(
                              'year', g.year, 'reports', g.reports)
                          order by g.year desc), '[]')
                     from (select r.year,
                                  json_agg(json_build_object(
                                      'organ', organ_json(o.id),
                                      'path', '/reports/' || o.unit_code
                                              || '/' || r.year,
                                      'published_on',
                                          fmt_day(v.first_at),
                                      'versions', v.n,
                                      'corrected', v.n > 1)
                                      order by o.level <> 'department'
                                               desc, o.unit_code) reports
                             from annual_reports r
                             join organs o on o.id = r.organ_id
                             join lateral (
                                  select count(*) n,
                                         min(published_at) first_at
                                    from report_versions
                                   where report_id = r.id
                                     and state = 'published') v on v.n > 0
                            where r.organ_id = any (site_scope(v_site))
                              and (v_year is null or r.year = v_year)
                            group by r.year) g));
end
$$;

-- GET /reports/<organ code>/<year>[?version=N]
create function portal.page_report(p_host text, p_code text, p_year text,
                                   p_no text)
returns json
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site  sites;
    v       report_versions;
    r       annual_reports;
    v_last  integer;
    v_d     jsonb;
    v_base  text;
    v_suffix text;
begin
    v_site := site_for_host(p_host);
    if v_site.id is null then
        return json_build_object('site', null);
    end if;
    if p_year !~ '^[0-9]{4}$' or (p_no is not null
                                   and p_no !~ '^[0-9]{1,6}$') then
        return json_build_object('site', site_json(v_site),
                                 'not_found', true);
    end if;
    v := report_public_version(v_site, p_code, p_year::integer,
                               p_no::integer);
    if v.id is null then
        return json_build_object('site', site_json(v_site),
                                 'not_found', true);
    end if;
    select * into r from annual_reports where id = v.report_id;
    select max(no) into v_last from report_versions
     where report_id = r.id and state = 'published';
    v_d := v.data;
    v_base := '/reports/' || p_code || '/' || r.year || '/';
    v_suffix := case when v.no = v_last then ''
                     else '?version=' || v.no end;

    return json_build_object(
        'site', site_json(v_site),
        'not_found', false,
        'report', json_build_object(
            'organ', organ_json(r.organ_id),
            'year', r.year,
            'fmt', v.fmt,
            'fmt_name', case v.fmt when '2021'
                             then '2021年版（国办公开办函〔2021〕30号）'
                             else '2019年版' end,
            'version', v.no,
            'is_latest', v.no = v_last,
            'latest_path', '/reports/' || p_code || '/' || r.year,
            'published_on', fmt_day(v.published_at),
            'signed_on', fmt_day(v.signed_at),
            'filed_on', fmt_day(v.filed_at),
            'correction_note', v.correction_note,
            'overview_html', v.overview_html,
            'problems_html', v.problems_html,
            'other_html', v.other_html,
            'csv_base', '/reports/' || p_code || '/' || r.year || '/'),
        'versions', (select coalesce(json_agg(json_build_object(
                                'no', x.no,
                                'published_on', fmt_day(x.published_at),
                                'correction_note', x.correction_note,
                                'path', '/reports/' || p_code || '/'
                                        || r.year || '?version=' || x.no,
                                'current', x.no = v.no)
                            order by x.no desc), '[]')
                       from report_versions x
                      where x.report_id = r.id and x.state = 'published'),
        'corrected', v_last > 1,
        -- each a list of TABLEs with "href", the CSV's link
        's2', report_hrefs(v_d -> 's2', v_base, v_suffix),
        's3', report_hrefs(jsonb_build_array(v_d -> 's3'), v_base,
                           v_suffix),
        's4', report_hrefs(jsonb_build_array(v_d -> 's4'), v_base,
                           v_suffix),
        'extra', report_hrefs(jsonb_build_array(v_d -> 'extra'), v_base,
                              v_suffix),
        -- this year's outcomes by group, and the last five years' new
        -- applications (from the published reports of those years)
        'chart_outcomes', report_bars((
            select jsonb_agg(jsonb_build_object(
                       'label', g.name,
                       'value', coalesce((v_d -> 'outcomes' ->> g.grp::text)
                                         ::integer, 0))
                   order by g.grp)
              from (select distinct grp, group_name name
                      from apply_outcomes) g)),
        'chart_years', report_bars((
            select jsonb_agg(jsonb_build_object(
                       'label', y || '年',
                       'value', coalesce((
                           select (pv.data -> 's3' -> 'rows' -> 0 -> 'cells'
                                   -> 6 ->> 'value')::integer
                             from annual_reports pr
                             join lateral (
                                  select data from report_versions
                                   where report_id = pr.id
                                     and state = 'published'
                                   order by no desc limit 1) pv on true
                            where pr.organ_id = r.organ_id
                              and pr.year = y), 0))
                   order by y)
              from generate_series(r.year - 4, r.year) y)));
end
$$;

-- One table as CSV (UTF-8 with a byte-order mark, RFC 4180 quoting): a
-- header line ("项目" and the columns), then one line per row: its full
-- label and its cells, the same values as the page's table.
create function report_csv_text(p_table jsonb)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select E'\ufeff'
           || (select string_agg('"' || replace(c, '"', '""') || '"', ','
                                 order by o)
                 from (select '项目' c, 0 o
                       union all
                       select value, o
                         from jsonb_array_elements_text(p_table -> 'columns')
                              with ordinality e (value, o)) h)
           || E'\r\n'
           || (select string_agg(line, E'\r\n' order by ro)
                 from (select (select string_agg('"'
                                      || replace(c, '"', '""') || '"', ','
                                      order by o)
                                 from (select x ->> 'label' c, 0 o
                                       union all
                                       select cell ->> 'value', o
                                         from jsonb_array_elements(
                                                  x -> 'cells')
                                              with ordinality e (cell, o)) q)
                              line, ro
                         from jsonb_array_elements(p_table -> 'rows')
                              with ordinality r (x, ro)) l)
           || E'\r\n'
$$;

-- GET /reports/<code>/<year>/<table>.csv: table is 2-1, 2-5, 2-6, 2-8,
-- 2-9, 3, 4 or x.
create function portal.report_csv(p_host text, p_code text, p_year text,
                                  p_table text, p_no text)
returns table (site json, file_name text, content_type text, data bytea)
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site  sites;
    v       report_versions;
    v_t     jsonb;
begin
    v_site := site_for_host(p_host);
    if v_site.id is null then
        return query select null::json, null::text, null::text, null::bytea;
        return;
    end if;
    if p_year ~ '^[0-9]{4}$' and (p_no is null or p_no ~ '^[0-9]{1,6}$')
    then
        v := report_public_version(v_site, p_code, p_year::integer,
                                   p_no::integer);
    end if;
    if v.id is not null then
        v_t := case p_table
                   when '3' then v.data -> 's3'
                   when '4' then v.data -> 's4'
                   when 'x' then v.data -> 'extra'
                   else (select t from jsonb_array_elements(v.data -> 's2') t
                          where t ->> 'id' = p_table) end;
    end if;
    return query
    select site_json(v_site),
           case when v_t is not null
                then p_code || '-' || p_year || '-' || p_table
                     || case when v.no > 1 then '-v' || v.no else '' end
                     || '.csv' end,
           'text/csv; charset=utf-8'::text,
           case when v_t is not null
                then convert_to(report_csv_text(v_t), 'UTF8') end;
end
$$;

revoke all on all functions in schema gongkai from public;

grant execute on function
    portal.page_reports(text, text),
    portal.page_report(text, text, text, text),
    portal.report_csv(text, text, text, text, text)
    to gongkai_web;
