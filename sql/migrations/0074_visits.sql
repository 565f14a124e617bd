-- 0074: the portal's own page view counters (issue 5: "visits come from
-- the portal's own counters"; 000 年度报告制度 第五条（一）: 本行政机关政府
-- 网站中政府信息公开专栏页面访问数量).
--
-- The nginx module counts the HTML pages it answers per host name and
-- hour in its cache zone and sends them every gongkai_visits_flush to
-- portal.visits_add() (ngx_module/ngx_http_gongkai_cache.h says what a
-- page view is).  Here they are added up per site and day (China time).

create table site_visits (
    site_id  bigint not null references sites (id) on delete cascade,
    day      date not null,
    n        bigint not null check (n >= 0),
    primary key (site_id, day)
);

-- p_counts: [{"host": "www.example.gov.cn", "hour": <UTC hours since
-- 1970-01-01>, "n": <views>}].  A host that is none of a site's domains
-- is dropped, and so is an element of another shape: the module sends
-- what the sites' pages answered, nothing here is worth a failed flush.
-- Returns the number of (site, day) rows written.
create function portal.visits_add(p_counts jsonb)
returns integer
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_rows  integer;
begin
    if jsonb_typeof(p_counts) is distinct from 'array' then
        return 0;
    end if;

    insert into site_visits as sv (site_id, day, n)
    select d.site_id,
           (to_timestamp(c.hour * 3600) at time zone 'Asia/Shanghai')::date,
           sum(c.n)
      from (select e ->> 'host' as host,
                   (e ->> 'hour')::bigint as hour,
                   (e ->> 'n')::bigint as n
              from jsonb_array_elements(p_counts) e
             where jsonb_typeof(e) = 'object'
               and e ->> 'hour' ~ '^[0-9]{1,9}$'
               and e ->> 'n' ~ '^[0-9]{1,12}$') c
      join site_domains d on d.domain = c.host
     group by 1, 2
    on conflict (site_id, day) do update set n = sv.n + excluded.n;

    get diagnostics v_rows = row_count;

    return v_rows;
end
$$;

grant execute on function portal.visits_add(jsonb) to gongkai_web;

-- The page views of an organ's sites in a year (its report's figure).
create function organ_visits(p_organ bigint, p_year integer)
returns bigint
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(sum(v.n), 0)::bigint
      from site_visits v
      join sites s on s.id = v.site_id
     where s.organ_id = p_organ
       and v.day between make_date(p_year, 1, 1) and make_date(p_year, 12, 31)
$$;
