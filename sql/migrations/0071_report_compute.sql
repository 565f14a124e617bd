-- 0071: computing the annual report's tables from the records (issue 5;
-- NATIONAL.md "The annual report's national format"; 000 年度报告制度
-- 第五条).  Nothing countable is typed: section 二's 规章 / 行政规范性文件
-- rows come from the items, section 三 from the cases, section 四 from
-- their reconsiderations and suits; only the figures the records do not
-- hold (report_stat_defs) are entered, each with its source.
--
-- A TABLE (the JSON every page and the CSV are made from):
--   {"id", "caption", "csv" (file name),
--    "head": [[{"text", "colspan", "rowspan", "scope"}]]  header rows,
--    "columns": [text]  the data columns' names, for the CSV,
--    "rows": [{"code", "label" (the row's full name, for the CSV),
--              "heads": [{"text", "colspan", "rowspan", "scope"}],
--              "cells": [{"value" (text), "off" (a column that does not
--                         balance)}]}],
--    "sources": [{"label", "source"}]  where entered figures come from}

-- --------------------------------------------------------------- helpers

-- The national format of a year's report: 2019 up to 2020, 2021 after.
create function report_format(p_year integer)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case when p_year >= coalesce(
                    (select value::integer from settings
                      where key = 'report.format_2021_from'), 2021)
                then '2021' else '2019' end
$$;

-- A deadline of a year's report: p_what 'publish_by' or 'file_by'; the
-- setting of the organ's level, MM-DD of the next year, a day past the
-- month's end meaning its last day.
create function report_deadline(p_organ bigint, p_year integer,
                                p_what text)
returns date
language sql stable
set search_path = gongkai, pg_temp
as $$
    select make_date(p_year + 1, m, 1)
           + (least(d, extract(day from (make_date(p_year + 1, m, 1)
                                         + interval '1 month'
                                         - interval '1 day'))::integer)
              - 1)
      from (select split_part(s.value, '-', 1)::integer m,
                   split_part(s.value, '-', 2)::integer d
              from organs o
              join settings s on s.key = 'report.' || p_what || '.' || o.level
             where o.id = p_organ) x
$$;

-- Use a preset of deadlines ('national', 'dehong').
create function report_deadlines_apply(p_preset text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if not exists (select 1 from report_deadline_presets
                    where preset = p_preset) then
        raise exception '没有名为“%”的期限方案', p_preset
            using errcode = 'GKA22';
    end if;
    update settings s
       set value = case when s.key like 'report.publish_by.%'
                        then p.publish_by else p.file_by end
      from report_deadline_presets p
     where p.preset = p_preset
       and s.key in ('report.publish_by.' || p.level,
                     'report.file_by.' || p.level);
end
$$;

-- A number as the tables print it: integers without decimals, amounts
-- with at most p_decimals, trailing zeros dropped.
create function report_num(p_value numeric, p_decimals integer default 0)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case when p_value is null then ''
                when p_decimals = 0 then round(p_value)::bigint::text
                else rtrim(rtrim(round(p_value, p_decimals)::text, '0'),
                           '.') end
$$;

create function report_head(p_text text, p_colspan integer default 1,
                            p_rowspan integer default 1,
                            p_scope text default 'row')
returns jsonb
language sql immutable
as $$
    select jsonb_build_object(
        'text', p_text, 'colspan', p_colspan, 'rowspan', p_rowspan,
        'scope', case when p_scope = 'row' and p_rowspan > 1 then 'rowgroup'
                      when p_scope = 'col' and p_colspan > 1 then 'colgroup'
                      else p_scope end)
$$;

-- The day a published item stopped being valid (废止 or 失效): the
-- publication of its first approved version that says so; for an item
-- that came from before the system without versions, its last change or
-- its publication.  Null while it is valid.
create function report_invalid_since(p_item bigint)
returns date
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case when i.validity = '有效' then null
                else coalesce(
                    (select (min(v.published_at)
                             at time zone 'Asia/Shanghai')::date
                       from item_versions v
                      where v.item_id = i.id and v.no is not null
                        and v.validity <> '有效'
                        and not exists (
                            select 1 from item_versions w
                             where w.item_id = i.id and w.no > v.no
                               and w.validity = '有效')),
                    (coalesce(i.changed_at, i.published_at)
                     at time zone 'Asia/Shanghai')::date) end
      from items i where i.id = p_item
$$;

-- ---------------------------------------------------------- section 二

-- 第二十条第（一）项 from the items of kind 'rule' (规章) and 'normative'
-- (行政规范性文件) of the organ: published items only.
--   2021: 本年制发件数 (generated this year), 本年废止件数 (stopped being
--         valid this year), 现行有效件数 (generated by the year's end and
--         still valid then);
--   2019: 本年新制作数量 (generated this year), 本年新公开数量 (published
--         this year), 对外公开总数量 (published by the year's end).
create function report_items_counts(p_organ bigint, p_year integer)
returns table (kind text, made bigint, repealed bigint, valid bigint,
               published bigint, public_total bigint)
language sql stable
set search_path = gongkai, pg_temp
as $$
    with k (kind, sort) as (values ('rule', 1), ('normative', 2)),
    i as (
        select i.kind, i.generated_on,
               (i.published_at at time zone 'Asia/Shanghai')::date pub,
               report_invalid_since(i.id) gone
          from items i
         where i.organ_id = p_organ and i.state = 'published'
           and i.kind in ('rule', 'normative'))
    select k.kind,
           count(i.*) filter (where extract(year from i.generated_on)
                                    = p_year),
           count(i.*) filter (where extract(year from i.gone) = p_year),
           count(i.*) filter (where i.generated_on
                                    <= make_date(p_year, 12, 31)
                                and (i.gone is null
                                     or i.gone > make_date(p_year, 12, 31))),
           count(i.*) filter (where extract(year from i.pub) = p_year),
           count(i.*) filter (where i.pub <= make_date(p_year, 12, 31))
      from k left join i on i.kind = k.kind
     group by k.kind, k.sort
     order by k.sort
$$;

-- The tables of section 二: 2-1 from the items, the others from the
-- figures entered on the version.
create function report_section2(p_version bigint, p_organ bigint,
                                p_year integer, p_fmt text)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_tables  jsonb := '[]';
    v_rows    jsonb := '[]';
    v_grp     text;
    v_cols    text[];
    v_rlabels text[];
    v_cells   jsonb;
    v_sources jsonb;
    v_row     text;
    c         record;
    x         record;
begin
    for c in select * from report_items_counts(p_organ, p_year) loop
        v_rows := v_rows || jsonb_build_object(
            'code', c.kind,
            'label', case c.kind when 'rule' then '规章'
                     when 'normative' then
                         case p_fmt when '2021' then '行政规范性文件'
                                    else '规范性文件' end end,
            'heads', jsonb_build_array(report_head(
                case c.kind when 'rule' then '规章'
                     else case p_fmt when '2021' then '行政规范性文件'
                                     else '规范性文件' end end)),
            'cells', case p_fmt
                when '2021' then jsonb_build_array(
                    jsonb_build_object('value', c.made::text),
                    jsonb_build_object('value', c.repealed::text),
                    jsonb_build_object('value', c.valid::text))
                else jsonb_build_array(
                    jsonb_build_object('value', c.made::text),
                    jsonb_build_object('value', c.published::text),
                    jsonb_build_object('value', c.public_total::text)) end);
    end loop;

    v_cols := case p_fmt
        when '2021' then array['本年制发件数', '本年废止件数', '现行有效件数']
        else array['本年新制作数量', '本年新公开数量', '对外公开总数量'] end;

    v_tables := v_tables || jsonb_build_object(
        'id', '2-1', 'caption', '第二十条第（一）项',
        'csv', p_year || '-2-1.csv',
        'head', jsonb_build_array(
            jsonb_build_array(report_head('信息内容', 1, 1, 'col'))
            || (select jsonb_agg(report_head(t, 1, 1, 'col') order by o)
                  from unnest(v_cols) with ordinality u (t, o))),
        'columns', to_jsonb(v_cols),
        'rows', v_rows,
        'sources', jsonb_build_array(jsonb_build_object(
            'label', '规章、规范性文件',
            'source', '本系统政府信息公开目录（信息类别为规章、'
                      '行政规范性文件的已公开信息及其有效性）')));

    for v_grp in select distinct d.grp from report_stat_defs d
                  where d.part = 's2' and d.fmt = p_fmt order by 1 loop
        select array_agg(col_label order by s) into v_cols
          from (select col_label, min(sort) s from report_stat_defs
                 where part = 's2' and fmt = p_fmt and grp = v_grp
                 group by col_label) q;
        select array_agg(row_label order by s) into v_rlabels
          from (select row_label, min(sort) s from report_stat_defs
                 where part = 's2' and fmt = p_fmt and grp = v_grp
                 group by row_label) q;
        v_rows := '[]';
        v_sources := '[]';
        foreach v_row in array v_rlabels loop
            v_cells := '[]';
            for x in select d.*, s.value, s.source
                       from unnest(v_cols) with ordinality u (col, o)
                       left join report_stat_defs d
                         on d.part = 's2' and d.fmt = p_fmt
                        and d.grp = v_grp and d.row_label = v_row
                        and d.col_label = u.col
                       left join report_stats s
                         on s.version_id = p_version and s.key = d.key
                      order by u.o loop
                v_cells := v_cells || jsonb_build_object(
                    'key', x.key,
                    'value', case when x.key is null then '—'
                                  else report_num(x.value, x.decimals) end);
                if x.key is not null
                   and btrim(coalesce(x.source, '')) <> '' then
                    v_sources := v_sources || jsonb_build_object(
                        'label', x.row_label || '：' || x.col_label,
                        'source', x.source);
                end if;
            end loop;
            v_rows := v_rows || jsonb_build_object(
                'code', v_row, 'label', v_row,
                'heads', jsonb_build_array(report_head(v_row)),
                'cells', v_cells);
        end loop;
        v_tables := v_tables || jsonb_build_object(
            'id', v_grp,
            'caption', case v_grp when '2-5' then '第二十条第（五）项'
                                  when '2-6' then '第二十条第（六）项'
                                  when '2-8' then '第二十条第（八）项'
                                  when '2-9' then '第二十条第（九）项' end,
            'csv', p_year || '-' || v_grp || '.csv',
            'head', jsonb_build_array(
                jsonb_build_array(report_head('信息内容', 1, 1, 'col'))
                || (select jsonb_agg(report_head(t, 1, 1, 'col') order by o)
                      from unnest(v_cols) with ordinality u (t, o))),
            'columns', to_jsonb(v_cols),
            'rows', v_rows,
            'sources', v_sources);
    end loop;

    return v_tables;
end
$$;

-- ---------------------------------------------------------- section 三

-- Where each case of the organ stands in a year's table (NATIONAL.md
-- section 三; the case is counted for the organ applied to):
--   is_new      一: received this year
--   is_carried  二: received before this year, not closed before it
--   leaf        三: closed this year, with its outcome leaf
--   is_next     四: received by the year's end, not closed by then
-- Every case that should be counted appears in 一 or 二 and in 三 or 四
-- exactly once; a case that does not (closed before it was received,
-- say) unbalances its column.
create type report_case as (
    case_id bigint, tracking_no text, kind text, receipt_date date,
    closed_on date, is_new boolean, is_carried boolean, leaf text,
    is_next boolean);

create function report_case_rows(p_organ bigint, p_year integer)
returns setof report_case
language sql stable
set search_path = gongkai, pg_temp
as $$
    select a.id, a.tracking_no, a.applicant_kind, a.receipt_date,
           c.closed_on,
           a.receipt_date between make_date(p_year, 1, 1)
                              and make_date(p_year, 12, 31),
           a.receipt_date < make_date(p_year, 1, 1)
               and (c.closed_on is null
                    or c.closed_on >= make_date(p_year, 1, 1)),
           case when c.closed_on between make_date(p_year, 1, 1)
                                     and make_date(p_year, 12, 31)
                then a.outcome end,
           a.receipt_date <= make_date(p_year, 12, 31)
               and (c.closed_on is null
                    or c.closed_on > make_date(p_year, 12, 31))
      from applications a
     cross join lateral (select (a.closed_at at time zone 'Asia/Shanghai')
                                ::date closed_on) c
     where a.organ_id = p_organ
       and (a.receipt_date <= make_date(p_year, 12, 31)
            or c.closed_on <= make_date(p_year, 12, 31))
       and (c.closed_on is null or c.closed_on >= make_date(p_year, 1, 1)
            or a.receipt_date >= make_date(p_year, 1, 1))
$$;

-- The table of section 三 and its balance check (一 + 二 = 三（七） + 四
-- in every column).  Returns {"table": TABLE, "balance": {"ok",
-- "columns": [{"column", "name", "in", "out", "cases": [{"tracking_no",
-- "receipt_date", "closed_on", "why"}]}]}, "outcomes": {grp: n}}.
create function report_section3(p_organ bigint, p_year integer,
                                p_fmt text)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_kinds   text[];
    v_names   text[];
    v_rows    jsonb := '[]';
    v_cells   jsonb;
    v_heads   jsonb;
    v_bal     jsonb := '[]';
    v_off     text[] := '{}';
    v_n3      integer;
    v_grps    jsonb := '{}';
    v_cases   report_case[];
    oc        record;
    k         text;
    v_in      bigint;
    v_out     bigint;
begin
    select array_agg(code order by sort), array_agg(name order by sort)
      into v_kinds, v_names from applicant_kinds;

    -- the 2019 format has one row for （六）其他处理
    select coalesce(array_agg(row(c.case_id, c.tracking_no, c.kind,
                                  c.receipt_date, c.closed_on, c.is_new,
                                  c.is_carried,
                                  case when p_fmt = '2019'
                                            and c.leaf like '6.%'
                                       then '6' else c.leaf end,
                                  c.is_next)::report_case
                              order by c.tracking_no), '{}')
      into v_cases
      from report_case_rows(p_organ, p_year) c;

    -- the balance, column by column (the total column too)
    foreach k in array v_kinds || array['total'] loop
        select count(*) filter (where is_new) + count(*) filter (where is_carried),
               count(*) filter (where leaf is not null)
               + count(*) filter (where is_next)
          into v_in, v_out
          from unnest(v_cases) t where k = 'total' or t.kind = k;
        if v_in <> v_out then
            v_off := v_off || k;
            v_bal := v_bal || jsonb_build_object(
                'column', k,
                'name', coalesce((select name from applicant_kinds
                                   where code = k), '总计'),
                'in', v_in, 'out', v_out,
                'cases', (select coalesce(jsonb_agg(jsonb_build_object(
                              'tracking_no', t.tracking_no,
                              'case_id', t.case_id,
                              'receipt_date', t.receipt_date,
                              'closed_on', t.closed_on,
                              'why', case
                                  when t.closed_on < t.receipt_date then
                                      '办结日期（' || t.closed_on
                                      || '）早于收到日期（' || t.receipt_date
                                      || '）'
                                  when t.leaf is not null
                                       and not (t.is_new or t.is_carried) then
                                      '本年办结，但不在本年新收或上年结转之列'
                                  else '计入本年新收或上年结转，'
                                       || '但既未办结也未结转下年' end)
                              order by t.tracking_no), '[]')
                            from unnest(v_cases) t
                           where (k = 'total' or t.kind = k)
                             and (t.is_new::int + t.is_carried::int)
                                 <> ((t.leaf is not null)::int
                                     + t.is_next::int)));
        end if;
    end loop;

    -- the rows
    v_n3 := (select count(*) from apply_outcomes)
            - case p_fmt when '2019' then 2 else 0 end + 1;

    v_rows := v_rows || jsonb_build_object(
        'code', 'new', 'label', '一、本年新收政府信息公开申请数量',
        'heads', jsonb_build_array(report_head(
            '一、本年新收政府信息公开申请数量', 3)),
        'cells', report_cells(v_cases, v_kinds, 'is_new', null, v_off));
    v_rows := v_rows || jsonb_build_object(
        'code', 'carried', 'label', '二、上年结转政府信息公开申请数量',
        'heads', jsonb_build_array(report_head(
            '二、上年结转政府信息公开申请数量', 3)),
        'cells', report_cells(v_cases, v_kinds, 'is_carried', null, v_off));

    for oc in select a.*,
                    count(*) over (partition by a.grp) n,
                    row_number() over (partition by a.grp order by a.sort) i,
                    row_number() over (order by a.sort) r
               from (select code, grp, group_name, name, sort
                       from apply_outcomes
                      where p_fmt = '2021' or grp <> 6
                     union all
                     select '6', 6, '（六）其他处理', '其他处理', 19
                      where p_fmt = '2019') a
              order by a.sort loop
        v_heads := '[]';
        if oc.r = 1 then
            v_heads := v_heads || report_head('三、本年度办理结果', 1, v_n3);
        end if;
        if oc.grp in (1, 2) or oc.code = '6' then
            v_heads := v_heads || report_head(oc.group_name, 2);
        else
            if oc.i = 1 then
                v_heads := v_heads || report_head(oc.group_name, 1,
                                                  oc.n::integer);
            end if;
            v_heads := v_heads || report_head(oc.i || '.' || oc.name);
        end if;
        v_rows := v_rows || jsonb_build_object(
            'code', oc.code,
            'label', '三、本年度办理结果 ' || oc.group_name
                     || case when oc.grp in (1, 2) or oc.code = '6' then ''
                             else ' ' || oc.i || '.' || oc.name end,
            'heads', v_heads,
            'cells', report_cells(v_cases, v_kinds, 'leaf', oc.code, v_off));
        v_grps := v_grps || jsonb_build_object(oc.grp::text,
            coalesce((v_grps ->> oc.grp::text)::integer, 0)
            + (select count(*) from unnest(v_cases) t
                where t.leaf = oc.code));
    end loop;

    v_rows := v_rows || jsonb_build_object(
        'code', 'total', 'label', '三、本年度办理结果 （七）总计',
        'heads', jsonb_build_array(report_head('（七）总计', 2)),
        'cells', report_cells(v_cases, v_kinds, 'leaf', '*', v_off));
    v_rows := v_rows || jsonb_build_object(
        'code', 'next', 'label', '四、结转下年度继续办理',
        'heads', jsonb_build_array(report_head('四、结转下年度继续办理', 3)),
        'cells', report_cells(v_cases, v_kinds, 'is_next', null, v_off));

    return jsonb_build_object(
        'table', jsonb_build_object(
            'id', '3',
            'caption', '收到和处理政府信息公开申请情况',
            'csv', p_year || '-3.csv',
            'head', jsonb_build_array(
                jsonb_build_array(
                    report_head('本列数据的勾稽关系为：第一项加第二项之和，'
                                '等于第三项加第四项之和', 3, 3, 'col'),
                    report_head('申请人情况', 7, 1, 'col')),
                jsonb_build_array(
                    report_head('自然人', 1, 2, 'col'),
                    report_head('法人或其他组织', 5, 1, 'col'),
                    report_head('总计', 1, 2, 'col')),
                (select jsonb_agg(report_head(n, 1, 1, 'col') order by o)
                   from unnest(v_names[2:]) with ordinality u (n, o))),
            'columns', to_jsonb(v_names || array['总计']),
            'rows', v_rows,
            'sources', jsonb_build_array(jsonb_build_object(
                'label', '全部数据',
                'source', '本系统依申请公开案卷（按被申请机关、收到日期、'
                          '办结日期、办理结果和申请人类型统计）'))),
        'balance', jsonb_build_object('ok', jsonb_array_length(v_bal) = 0,
                                      'columns', v_bal),
        'outcomes', v_grps);
end
$$;

-- The cells of one row of section 三: p_what is 'is_new', 'is_carried',
-- 'is_next', or 'leaf' with p_leaf a leaf code ('*': every leaf, the
-- total); p_off: the columns that do not balance.
create function report_cells(p_cases report_case[], p_kinds text[],
                             p_what text, p_leaf text, p_off text[])
returns jsonb
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select jsonb_agg(jsonb_build_object(
               'value', (select count(*) from unnest(p_cases) t
                          where (k.k = 'total' or t.kind = k.k)
                            and case p_what
                                    when 'is_new' then t.is_new
                                    when 'is_carried' then t.is_carried
                                    when 'is_next' then t.is_next
                                    when 'leaf' then
                                        case when p_leaf = '*'
                                             then t.leaf is not null
                                             else t.leaf = p_leaf end
                                end)::text,
               'off', k.k = any (p_off))
           order by k.o)
      from unnest(p_kinds || array['total']) with ordinality k (k, o)
$$;

-- ---------------------------------------------------------- section 四

-- Reconsiderations and suits filed this year about the organ's cases,
-- with their result as at the year's end (尚未审结 when undecided then).
create function report_section4(p_organ bigint, p_year integer)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    with r as (
        select case when m.kind = 'reconsideration' then 'r'
                    when m.route = 'direct' then 'd' else 'a' end g,
               case when m.decided_on is null
                         or m.decided_on > make_date(p_year, 12, 31)
                    then 'pending' else m.result end res
          from case_remedies m
          join applications a on a.id = m.case_id
         where a.organ_id = p_organ
           and extract(year from m.filed_on) = p_year),
    cells as (
        select g.g, g.o go, x.res, x.o xo,
               (select count(*) from r
                 where r.g = g.g and (x.res = 'total' or r.res = x.res)) n
          from (values ('r', 1), ('d', 2), ('a', 3)) g (g, o),
               (values ('upheld', 1), ('corrected', 2), ('other', 3),
                       ('pending', 4), ('total', 5)) x (res, o))
    select jsonb_build_object(
        'id', '4',
        'caption', '政府信息公开行政复议、行政诉讼情况',
        'csv', p_year || '-4.csv',
        'head', jsonb_build_array(
            jsonb_build_array(report_head('行政复议', 5, 1, 'col'),
                              report_head('行政诉讼', 10, 1, 'col')),
            jsonb_build_array(report_head('结果维持', 1, 2, 'col'),
                              report_head('结果纠正', 1, 2, 'col'),
                              report_head('其他结果', 1, 2, 'col'),
                              report_head('尚未审结', 1, 2, 'col'),
                              report_head('总计', 1, 2, 'col'),
                              report_head('未经复议直接起诉', 5, 1, 'col'),
                              report_head('复议后起诉', 5, 1, 'col')),
            (select jsonb_agg(report_head(t, 1, 1, 'col') order by g, o)
               from unnest(array['结果维持', '结果纠正', '其他结果',
                                 '尚未审结', '总计']) with ordinality u (t, o),
                    (values (1), (2)) gg (g))),
        'columns', (select jsonb_agg(p || t order by g, o)
                      from unnest(array['结果维持', '结果纠正', '其他结果',
                                        '尚未审结', '总计'])
                           with ordinality u (t, o),
                           (values (1, '行政复议 '),
                                   (2, '行政诉讼 未经复议直接起诉 '),
                                   (3, '行政诉讼 复议后起诉 ')) gg (g, p)),
        'rows', jsonb_build_array(jsonb_build_object(
            'code', 'all', 'label', '件数', 'heads', '[]'::jsonb,
            'cells', (select jsonb_agg(jsonb_build_object(
                                 'value', n::text, 'off', false)
                             order by go, xo) from cells))),
        'sources', jsonb_build_array(jsonb_build_object(
            'label', '全部数据',
            'source', '本系统依申请公开案卷的行政复议、行政诉讼记录'
                      '（本年提起，结果以年末为准）')))
$$;

-- ------------------------------------------------ the further figures

-- 000 年度报告制度 第五条: the items published this year (total and by
-- top-level category), the applications received by channel, and the
-- figures entered on the version.
create function report_extras(p_version bigint, p_organ bigint,
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
    for x in select d.*, s.value, s.source
               from report_stat_defs d
               left join report_stats s
                 on s.version_id = p_version and s.key = d.key
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

-- --------------------------------------------------------- the report

-- Everything computed for a version: {"fmt", "year", "computed_at",
-- "s2": [TABLE], "s3": TABLE, "s4": TABLE, "extra": TABLE, "balance",
-- "outcomes" ({grp: n}), "missing": [{"key","label"}] (entered figures
-- without a value or a source)}.
create function report_compute(p_version bigint)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v   report_versions;
    r   annual_reports;
    s3  jsonb;
begin
    select * into v from report_versions where id = p_version;
    select * into r from annual_reports where id = v.report_id;
    s3 := report_section3(r.organ_id, r.year, v.fmt);
    return jsonb_build_object(
        'fmt', v.fmt,
        'year', r.year,
        'computed_at', fmt_time(now()),
        's2', report_section2(v.id, r.organ_id, r.year, v.fmt),
        's3', s3 -> 'table',
        's4', report_section4(r.organ_id, r.year),
        'extra', report_extras(v.id, r.organ_id, r.year),
        'balance', s3 -> 'balance',
        'outcomes', s3 -> 'outcomes',
        'missing', (select coalesce(jsonb_agg(jsonb_build_object(
                               'key', d.key,
                               'label', d.row_label || '：' || d.col_label)
                           order by d.sort), '[]')
                      from report_stat_defs d
                      left join report_stats s
                        on s.version_id = v.id and s.key = d.key
                     where d.fmt in (v.fmt, 'any')
                       and (s.value is null
                            or btrim(coalesce(s.source, '')) = '')));
end
$$;

-- The data of a version: frozen once submitted, computed while a draft.
create function report_data(p_version bigint)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(v.data, report_compute(v.id))
      from report_versions v where v.id = p_version
$$;

-- --------------------------------------------------------- who may act

-- Staff who write the report: the organ's drafters and unit heads.
create function report_may_edit(p_user bigint, p_organ bigint)
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select exists (select 1 from users u join user_roles ur
                     on ur.user_id = u.id
                    where u.id = p_user and u.organ_id = p_organ
                      and ur.role in ('drafter', 'unit_head'))
$$;

-- The principal leader (主要领导, 000 年度报告制度 第四条): the organ's
-- leader role.
create function report_may_sign(p_user bigint, p_organ bigint)
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select exists (select 1 from users u join user_roles ur
                     on ur.user_id = u.id
                    where u.id = p_user and u.organ_id = p_organ
                      and ur.role = 'leader')
$$;

-- The higher authority that receives the filing: any member of staff of
-- the parent organ, or of the office that does its disclosure work
-- (apply_desks: 000 年度报告制度 第四条 files with the e-government
-- office under the prefecture government), never of the organ itself;
-- for an organ with none above it in the system, a system administrator
-- records the filing made outside it.
create function report_may_file(p_user bigint, p_organ bigint)
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case when o.parent_id is not null
                then exists (select 1 from users u
                              where u.id = p_user and u.active
                                and u.organ_id <> o.id
                                and u.organ_id in (o.parent_id,
                                                   desk_of(o.parent_id))
                                and exists (select 1 from user_roles ur
                                             where ur.user_id = u.id))
                else user_has_role(p_user, 'system_admin') end
      from organs o where o.id = p_organ
$$;

create function report_visible(p_user bigint, p_organ bigint)
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select user_has_role(p_user, 'system_admin')
        or report_may_file(p_user, p_organ)
        or exists (select 1 from users u
                    where u.id = p_user and u.organ_id = p_organ
                      and exists (select 1 from user_roles ur
                                   where ur.user_id = u.id))
$$;

-- ------------------------------------------------------------ the work

-- The open (not yet published) version of a report, locked, or the last.
create function report_current(p_report bigint, p_lock boolean)
returns report_versions
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v  report_versions;
begin
    if p_lock then
        select * into v from report_versions where report_id = p_report
         order by no desc limit 1 for update;
    else
        select * into v from report_versions where report_id = p_report
         order by no desc limit 1;
    end if;
    return v;
end
$$;

-- Start the report of a year (version 1, a draft).
create function report_create(p_user bigint, p_client inet, p_organ bigint,
                              p_year integer)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_id  bigint;
begin
    if not report_may_edit(p_user, p_organ) then
        raise exception '只有本机关的经办人或股室负责人可以编制年度报告'
            using errcode = 'GKA09';
    end if;
    if p_year is null or p_year < 2008
       or p_year > extract(year from today_cn()) then
        raise exception '年度应为2008年至今年之间的年份'
            using errcode = 'GKA22', column = 'year';
    end if;
    if exists (select 1 from annual_reports
                where organ_id = p_organ and year = p_year) then
        raise exception '%年度的报告已经存在', p_year
            using errcode = 'GKA22', column = 'year';
    end if;
    insert into annual_reports (organ_id, year) values (p_organ, p_year)
    returning id into v_id;
    insert into report_versions (report_id, no, fmt, created_by, updated_by)
    values (v_id, 1, report_format(p_year), p_user, p_user);
    perform audit(p_user, p_client, 'report.create', null, null,
                  jsonb_build_object('report', v_id, 'year', p_year));
    return v_id;
end
$$;

-- Save the draft: narrative (sanitised *_html) and the entered figures
-- (form fields stat_<key> and source_<key>).  Returns the errors
-- ({field: message}), empty when saved.
create function report_save(p_user bigint, p_client inet, p_report bigint,
                            p_form jsonb)
returns jsonb
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v       report_versions;
    r       annual_reports;
    d       report_stat_defs;
    v_err   jsonb := '{}';
    v_txt   text;
    v_src   text;
    v_pat   text;
    v_num   numeric;
begin
    select * into r from annual_reports where id = p_report;
    if not report_may_edit(p_user, r.organ_id) then
        raise exception '只有本机关的经办人或股室负责人可以编制年度报告'
            using errcode = 'GKA09';
    end if;
    v := report_current(p_report, true);
    if v.state <> 'draft' then
        raise exception '年度报告已提交，不能再修改' using errcode = 'GKA09';
    end if;

    for d in select * from report_stat_defs
              where fmt in (v.fmt, 'any') order by sort loop
        v_txt := btrim(coalesce(form_text(p_form, 'stat_' || d.key), ''));
        v_src := btrim(coalesce(form_text(p_form, 'source_' || d.key), ''));
        v_num := null;
        if v_txt <> '' then
            v_pat := case when d.signed then '^[-+]?' else '^' end
                     || case when d.decimals > 0
                             then '[0-9]{1,12}(\.[0-9]{1,'
                                  || d.decimals || '})?$'
                             else '[0-9]{1,12}$' end;
            if v_txt !~ v_pat then
                v_err := v_err || jsonb_build_object('stat_' || d.key,
                    d.row_label || '：' || d.col_label || '应为'
                    || case when d.signed then '整数（可为负数）'
                            when d.decimals > 0 then '数字（最多'
                                 || d.decimals || '位小数）'
                            else '非负整数' end);
                continue;
            end if;
            v_num := v_txt::numeric;
        end if;
        if length(v_src) > 500 then
            v_err := v_err || jsonb_build_object('source_' || d.key,
                '数据来源说明不能超过500个字');
            continue;
        end if;
        insert into report_stats (version_id, key, value, source)
        values (v.id, d.key, v_num, nullif(v_src, ''))
        on conflict (version_id, key) do update
           set value = excluded.value, source = excluded.source
         where (report_stats.value, report_stats.source)
               is distinct from (excluded.value, excluded.source);
    end loop;

    if v_err <> '{}' then
        return v_err;
    end if;

    update report_versions
       set overview_html = coalesce(form_text(p_form, 'overview_html'), ''),
           problems_html = coalesce(form_text(p_form, 'problems_html'), ''),
           other_html = coalesce(form_text(p_form, 'other_html'), ''),
           correction_note = case when no > 1
                                  then coalesce(nullif(btrim(form_text(
                                           p_form, 'correction_note')), ''),
                                       correction_note)
                                  else correction_note end,
           updated_by = p_user, updated_at = now()
     where id = v.id;
    perform audit(p_user, p_client, 'report.save', null, null,
                  jsonb_build_object('report', p_report, 'version', v.no));
    return '{}';
end
$$;

-- Submit for signature: the tables are computed and frozen; a table that
-- does not balance, or an entered figure without value or source, stops
-- it (the message names the column and the cases).
create function report_submit(p_user bigint, p_client inet, p_report bigint)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v       report_versions;
    r       annual_reports;
    v_data  jsonb;
    c       jsonb;
begin
    select * into r from annual_reports where id = p_report;
    if not report_may_edit(p_user, r.organ_id) then
        raise exception '只有本机关的经办人或股室负责人可以提交年度报告'
            using errcode = 'GKA09';
    end if;
    v := report_current(p_report, true);
    if v.state <> 'draft' then
        raise exception '年度报告不在编制中' using errcode = 'GKA09';
    end if;
    v_data := report_compute(v.id);
    if not (v_data -> 'balance' ->> 'ok')::boolean then
        c := v_data -> 'balance' -> 'columns' -> 0;
        raise exception '申请情况表“%”一栏不平衡：新收与上年结转共 % 件，'
            '办结与结转下年共 % 件（涉及案件：%），不能提交',
            c ->> 'name', c ->> 'in', c ->> 'out',
            (select string_agg(x ->> 'tracking_no', '、')
               from jsonb_array_elements(c -> 'cases') x)
            using errcode = 'GKA09', column = c ->> 'column';
    end if;
    if jsonb_array_length(v_data -> 'missing') > 0 then
        raise exception '以下统计数据缺少数值或数据来源：%',
            (select string_agg(x ->> 'label', '；')
               from jsonb_array_elements(v_data -> 'missing') x)
            using errcode = 'GKA09';
    end if;
    if btrim(regexp_replace(v.overview_html, '<[^>]*>', '', 'g')) = '' then
        raise exception '请先填写“一、总体情况”' using errcode = 'GKA09';
    end if;
    update report_versions
       set state = 'submitted', data = v_data, submitted_by = p_user,
           submitted_at = now(), returned_reason = null
     where id = v.id;
    perform audit(p_user, p_client, 'report.submit', null, null,
                  jsonb_build_object('report', p_report, 'version', v.no));
end
$$;

-- The principal leader signs (签发) or returns it.
create function report_sign(p_user bigint, p_client inet, p_report bigint,
                            p_decision text, p_reason text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v  report_versions;
    r  annual_reports;
begin
    select * into r from annual_reports where id = p_report;
    if not report_may_sign(p_user, r.organ_id) then
        raise exception '年度报告须由本机关主要领导签发' using errcode = 'GKA09';
    end if;
    v := report_current(p_report, true);
    if v.state <> 'submitted' then
        raise exception '年度报告不在待签发状态' using errcode = 'GKA09';
    end if;
    if p_decision = 'return' then
        if btrim(coalesce(p_reason, '')) = '' then
            raise exception '退回时请写明理由'
                using errcode = 'GKA22', column = 'reason';
        end if;
        update report_versions
           set state = 'draft', returned_reason = p_reason
         where id = v.id;
        perform audit(p_user, p_client, 'report.return', null, null,
                      jsonb_build_object('report', p_report, 'version', v.no,
                                         'reason', p_reason));
        return;
    end if;
    if p_decision is distinct from 'sign' then
        raise exception '请选择签发或退回' using errcode = 'GKA22',
            column = 'decision';
    end if;
    if v.submitted_by = p_user then
        raise exception '提交人不能签发自己提交的年度报告'
            using errcode = 'GKA09';
    end if;
    update report_versions
       set state = 'signed', signed_by = p_user, signed_at = now()
     where id = v.id;
    perform audit(p_user, p_client, 'report.sign', null, null,
                  jsonb_build_object('report', p_report, 'version', v.no));
end
$$;

-- The higher authority confirms the filing (备案), or returns it.
create function report_file(p_user bigint, p_client inet, p_report bigint,
                            p_decision text, p_note text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v  report_versions;
    r  annual_reports;
begin
    select * into r from annual_reports where id = p_report;
    if not report_may_file(p_user, r.organ_id) then
        raise exception '备案须由上级机关确认' using errcode = 'GKA09';
    end if;
    v := report_current(p_report, true);
    if v.state <> 'signed' then
        raise exception '年度报告尚未签发，不能备案' using errcode = 'GKA09';
    end if;
    if p_decision = 'return' then
        if btrim(coalesce(p_note, '')) = '' then
            raise exception '退回时请写明理由'
                using errcode = 'GKA22', column = 'note';
        end if;
        update report_versions
           set state = 'draft', returned_reason = p_note
         where id = v.id;
        perform audit(p_user, p_client, 'report.return', null, null,
                      jsonb_build_object('report', p_report, 'version', v.no,
                                         'reason', p_note));
        return;
    end if;
    if p_decision is distinct from 'file' then
        raise exception '请选择备案或退回' using errcode = 'GKA22',
            column = 'decision';
    end if;
    update report_versions
       set state = 'filed', filed_by = p_user, filed_at = now(),
           filed_note = nullif(btrim(coalesce(p_note, '')), '')
     where id = v.id;
    perform audit(p_user, p_client, 'report.file', null, null,
                  jsonb_build_object('report', p_report, 'version', v.no));
end
$$;

create function report_publish(p_user bigint, p_client inet,
                               p_report bigint)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v  report_versions;
    r  annual_reports;
begin
    select * into r from annual_reports where id = p_report;
    if not report_may_edit(p_user, r.organ_id) then
        raise exception '只有本机关的经办人或股室负责人可以公布年度报告'
            using errcode = 'GKA09';
    end if;
    v := report_current(p_report, true);
    if v.state = 'published' then
        raise exception '年度报告已经公布' using errcode = 'GKA09';
    end if;
    -- the guard refuses it unless filed (先备案后公布)
    update report_versions
       set state = 'published', published_by = p_user, published_at = now()
     where id = v.id;
    perform audit(p_user, p_client, 'report.publish', null, null,
                  jsonb_build_object('report', p_report, 'version', v.no));
end
$$;

-- A correction of a published report: a new draft version with a note,
-- starting from the published text and figures.
create function report_correct(p_user bigint, p_client inet,
                               p_report bigint, p_note text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v     report_versions;
    r     annual_reports;
    v_id  bigint;
begin
    select * into r from annual_reports where id = p_report;
    if not report_may_edit(p_user, r.organ_id) then
        raise exception '只有本机关的经办人或股室负责人可以更正年度报告'
            using errcode = 'GKA09';
    end if;
    if btrim(coalesce(p_note, '')) = '' then
        raise exception '请写明更正的内容和理由'
            using errcode = 'GKA22', column = 'note';
    end if;
    v := report_current(p_report, true);
    if v.state <> 'published' then
        raise exception '只有已公布的年度报告才能更正' using errcode = 'GKA09';
    end if;
    insert into report_versions (report_id, no, fmt, overview_html,
                                 problems_html, other_html, correction_note,
                                 created_by, updated_by)
    values (p_report, v.no + 1, v.fmt, v.overview_html, v.problems_html,
            v.other_html, btrim(p_note), p_user, p_user)
    returning id into v_id;
    insert into report_stats (version_id, key, value, source)
    select v_id, key, value, source from report_stats
     where version_id = v.id;
    perform audit(p_user, p_client, 'report.correct', null, null,
                  jsonb_build_object('report', p_report, 'version', v.no + 1,
                                     'reason', btrim(p_note)));
end
$$;

revoke all on all functions in schema gongkai from public;
