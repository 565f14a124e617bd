-- 0075: the annual report's visits figure (政府信息公开专栏页面访问量,
-- 000 年度报告制度 第五条（一）) comes from the portal's own counters
-- (0074), no longer typed in (issue 5).
--
-- report_stat_defs.fmt 'auto': a figure of the extra part that the system
-- computes for every format; no form shows it, nobody enters it, and it
-- is never missing.  report_extras() fills it in (source note
-- "门户网站访问量统计").

alter table report_stat_defs drop constraint report_stat_defs_fmt_check;
alter table report_stat_defs add constraint report_stat_defs_fmt_check
    check (fmt in ('2019', '2021', 'any', 'auto'));

update report_stat_defs set fmt = 'auto' where key = 'column_visits';

-- what drafts had typed in goes (submitted versions keep their frozen data)
delete from report_stats s
 using report_versions v
 where v.id = s.version_id and v.state = 'draft'
   and s.key = 'column_visits';

-- A computed figure of the extra part: its value and source.
create function report_auto_stat(p_key text, p_organ bigint,
                                 p_year integer, out value numeric,
                                 out source text)
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case p_key when 'column_visits'
                then organ_visits(p_organ, p_year)::numeric end,
           case p_key when 'column_visits' then '门户网站访问量统计' end
$$;

-- As in 0071, the figures of fmt 'auto' computed.
create or replace function report_extras(p_version bigint, p_organ bigint,
                                         p_year integer)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_rows  jsonb := '[]';
    v_n     integer;
    x       record;
begin
    select count(*) into v_n from items i
     where i.organ_id = p_organ and i.state = 'published'
       and extract(year from (i.published_at at time zone 'Asia/Shanghai'))
           = p_year;
    v_rows := v_rows || jsonb_build_object(
        'code', 'items_total', 'label', '主动公开 全年主动公开政府信息总数',
        'heads', jsonb_build_array(report_head('主动公开'),
                                   report_head('全年主动公开政府信息总数')),
        'cells', jsonb_build_array(
            jsonb_build_object('value', v_n::text),
            jsonb_build_object('value', '条'),
            jsonb_build_object('value', '本系统政府信息公开目录')));
    for x in select c.name, count(i.id) n
               from categories c
               left join items i
                 on i.category_id = any (category_subtree(c.id))
                and i.organ_id = p_organ and i.state = 'published'
                and extract(year from (i.published_at
                                       at time zone 'Asia/Shanghai')) = p_year
              where c.parent_id is null
              group by c.id, c.name, c.sort, c.code
             having count(i.id) > 0
              order by c.sort, c.code loop
        v_rows := v_rows || jsonb_build_object(
            'code', 'items_cat', 'label', '主动公开 其中：' || x.name,
            'heads', jsonb_build_array(report_head('主动公开'),
                                       report_head('其中：' || x.name)),
            'cells', jsonb_build_array(
                jsonb_build_object('value', x.n::text),
                jsonb_build_object('value', '条'),
                jsonb_build_object('value', '本系统政府信息公开目录')));
    end loop;
    for x in select ch.name, count(a.id) n
               from apply_channels ch
               left join applications a
                 on a.channel = ch.code and a.organ_id = p_organ
                and extract(year from a.receipt_date) = p_year
              group by ch.code, ch.name, ch.sort
              order by ch.sort loop
        v_rows := v_rows || jsonb_build_object(
            'code', 'channel', 'label', '依申请公开 ' || x.name || '申请数',
            'heads', jsonb_build_array(report_head('依申请公开'),
                                       report_head(x.name || '申请数')),
            'cells', jsonb_build_array(
                jsonb_build_object('value', x.n::text),
                jsonb_build_object('value', '件'),
                jsonb_build_object('value', '本系统依申请公开案卷')));
    end loop;
    for x in select d.key, d.grp, d.row_label, d.unit, d.decimals,
                    case when d.fmt = 'auto' then a.value
                         else s.value end as value,
                    case when d.fmt = 'auto' then a.source
                         else s.source end as source
               from report_stat_defs d
               left join report_stats s
                 on s.version_id = p_version and s.key = d.key
              cross join lateral report_auto_stat(d.key, p_organ, p_year) a
              where d.part = 'extra'
              order by d.sort loop
        v_rows := v_rows || jsonb_build_object(
            'code', x.key, 'label', x.grp || ' ' || x.row_label,
            'heads', jsonb_build_array(report_head(x.grp),
                                       report_head(x.row_label)),
            'cells', jsonb_build_array(
                jsonb_build_object('value', report_num(x.value, x.decimals),
                                   'key', x.key),
                jsonb_build_object('value', coalesce(x.unit, '')),
                jsonb_build_object('value', coalesce(x.source, ''))));
    end loop;

    return jsonb_build_object(
        'id', 'x',
        'caption', '其他统计数据（德宏州政府信息公开工作年度报告制度第五条）',
        'csv', p_year || '-x.csv',
        'head', jsonb_build_array(jsonb_build_array(
            report_head('项目', 2, 1, 'col'), report_head('数值', 1, 1, 'col'),
            report_head('单位', 1, 1, 'col'),
            report_head('数据来源', 1, 1, 'col'))),
        'columns', '["数值", "单位", "数据来源"]'::jsonb,
        'rows', v_rows,
        'sources', '[]'::jsonb);
end
$$;
