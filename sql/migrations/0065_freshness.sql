-- 0065: how fresh a site is (issue 6 "Freshness"; NATIONAL.md
-- "Inspection points", 国办秘函〔2019〕19号): one strike fails a site when
-- its homepage has not been updated for 2 weeks, when 5 or more columns
-- are not updated (news columns over 2 weeks, notice and policy columns
-- over 6 months), or when 5 or more columns are empty.
--
-- A site's columns (栏目) are the top-level categories of the catalogue,
-- counted over the site's scope (sql/PAGES.md: a portal's organ and the
-- organs below it, a department site's own organ).  A column's last
-- update is the latest publication or approved change of a published
-- item in it or below it; the homepage's is the latest of any column
-- and of the announcements the site shows.  Which columns are news,
-- notice or policy columns is data (categories.update_class); the limits
-- are settings, and the dashboard warns before a limit is reached.

alter table categories
    add column update_class text
        check (update_class in ('news', 'notice', 'policy'));

comment on column categories.update_class is
    'For the freshness rule: news (动态类, 2 weeks), notice (通知公告类, '
    '6 months), policy (政策文件类, 6 months), or null (no limit).';

insert into settings (key, value, note) values
    ('freshness.home_warn_days', '10',
     '首页超过此天数未更新时在网站管理员工作台提醒（国家规定不超过14天）'),
    ('freshness.home_limit_days', '14',
     '首页未更新的最长天数（国办秘函〔2019〕19号：2周）'),
    ('freshness.news_limit_days', '14',
     '动态类栏目未更新的最长天数（国办秘函〔2019〕19号：2周）'),
    ('freshness.column_limit_months', '6',
     '通知公告、政策文件类栏目未更新的最长月数（国办秘函〔2019〕19号）'),
    ('freshness.warn_ahead_days', '30',
     '栏目距离未更新期限不足此天数时提前提醒'),
    ('freshness.strike_columns', '5',
     '未更新或空白栏目达到此数即为单项否决（国办秘函〔2019〕19号）')
on conflict (key) do nothing;

create table update_classes (
    class  text primary key,
    name   text not null
);

insert into update_classes (class, name) values
    ('news', '动态类'),
    ('notice', '通知公告类'),
    ('policy', '政策文件类');

-- Days between a moment and now, counted in Beijing calendar days.
create function days_since(p_at timestamptz)
returns integer
language sql stable
set search_path = gongkai, pg_temp
as $$
    select today_cn() - (p_at at time zone 'Asia/Shanghai')::date
$$;

-- The freshness of a site (sql/ADMIN.md "sites"):
--   {"home": {"last_update", "days", "warn", "overdue"},
--    "columns": [{"code","name","class","class_name","count",
--                 "last_update","days","deadline","days_left","warn",
--                 "overdue","empty"}],
--    "warnings": [{"level": "overdue"|"warn", "overdue", "message"}],
--    "empty_columns": [{"code","name"}], "empty_count", "stale_count",
--    "strike": bool}
create function site_freshness(p_site bigint)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    s         sites;
    v_scope   bigint[];
    v_home    timestamptz;
    v_days    integer;
    v_warn    integer := setting_int('freshness.home_warn_days');
    v_limit   integer := setting_int('freshness.home_limit_days');
    v_news    integer := setting_int('freshness.news_limit_days');
    v_months  integer := setting_int('freshness.column_limit_months');
    v_ahead   integer := setting_int('freshness.warn_ahead_days');
    v_strike  integer := setting_int('freshness.strike_columns');
    v_cols    jsonb;
    v_warns   jsonb := '[]';
    v_empty   jsonb;
    v_nempty  integer;
    v_nstale  integer;
    c         jsonb;
begin
    select * into s from sites where id = p_site;
    v_scope := site_scope(s);

    with recursive clo (top, id) as (
        select c.id, c.id from categories c where c.parent_id is null
        union all
        select clo.top, c.id from clo join categories c on c.parent_id = clo.id
    ), upd as (
        select clo.top, count(i.id) as n,
               max(greatest(i.published_at, i.changed_at)) as last_at
          from clo
          left join items i on i.category_id = clo.id
                           and i.state = 'published'
                           and i.organ_id = any (v_scope)
         group by clo.top
    ), col as (
        select c.code, c.name, c.sort, c.update_class, u.n, u.last_at,
               case c.update_class
                   when 'news' then (u.last_at at time zone 'Asia/Shanghai')
                                    ::date + v_news
                   when 'notice' then ((u.last_at at time zone
                                        'Asia/Shanghai')
                                       + make_interval(months => v_months))
                                      ::date
                   when 'policy' then ((u.last_at at time zone
                                        'Asia/Shanghai')
                                       + make_interval(months => v_months))
                                      ::date
               end as deadline
          from categories c join upd u on u.top = c.id
    )
    select coalesce(jsonb_agg(jsonb_build_object(
               'code', col.code,
               'name', col.name,
               'class', col.update_class,
               'class_name', uc.name,
               'count', col.n,
               'last_update', fmt_time(col.last_at),
               'days', days_since(col.last_at),
               'deadline', to_char(col.deadline, 'YYYY-MM-DD'),
               'days_left', col.deadline - today_cn(),
               'overdue', coalesce(col.deadline <= today_cn(), false),
               'warn', coalesce(col.deadline > today_cn()
                                and col.deadline - today_cn()
                                    <= case col.update_class
                                           when 'news'
                                           then v_news - v_warn
                                           else v_ahead end, false),
               'empty', col.n = 0)
               order by col.sort, col.code), '[]')
      into v_cols
      from col left join update_classes uc on uc.class = col.update_class;

    select max(x) into v_home
      from (select max(greatest(i.published_at, i.changed_at)) as x
              from items i
             where i.state = 'published' and i.organ_id = any (v_scope)
            union all
            select max(a.published_at) from site_announcements a
             where a.site_id = s.id or a.subject_id = s.id) m;
    v_days := days_since(v_home);

    if v_home is null then
        v_warns := v_warns || jsonb_build_object('level', 'overdue',
            'message', '网站还没有发布任何信息，首页没有更新记录。');
    elsif v_days >= v_limit then
        v_warns := v_warns || jsonb_build_object('level', 'overdue',
            'message', '首页已 ' || v_days || ' 天未更新，超过了 ' || v_limit
                       || ' 天的期限（国办秘函〔2019〕19号：首页2周未更新'
                       || '即为单项否决），请尽快发布信息。');
    elsif v_days >= v_warn then
        v_warns := v_warns || jsonb_build_object('level', 'warn',
            'message', '首页已 ' || v_days || ' 天未更新，再过 '
                       || v_limit - v_days || ' 天将超过 ' || v_limit
                       || ' 天的期限。');
    end if;

    for c in select * from jsonb_array_elements(v_cols) loop
        if (c ->> 'overdue')::boolean and not (c ->> 'empty')::boolean then
            v_warns := v_warns || jsonb_build_object('level', 'overdue',
                'message', (c ->> 'class_name') || '栏目“' || (c ->> 'name')
                           || '”自 ' || left(c ->> 'last_update', 10)
                           || ' 起未更新，已超过期限（'
                           || case c ->> 'class' when 'news'
                                   then v_news || ' 天'
                                   else v_months || ' 个月' end
                           || '）。');
        elsif (c ->> 'warn')::boolean then
            v_warns := v_warns || jsonb_build_object('level', 'warn',
                'message', (c ->> 'class_name') || '栏目“' || (c ->> 'name')
                           || '”自 ' || left(c ->> 'last_update', 10)
                           || ' 起未更新，将于 ' || (c ->> 'deadline')
                           || ' 超过期限（还有 ' || (c ->> 'days_left')
                           || ' 天）。');
        end if;
    end loop;

    select coalesce(jsonb_agg(jsonb_build_object('code', e ->> 'code',
                                                 'name', e ->> 'name')),
                    '[]'),
           count(*)
      into v_empty, v_nempty
      from jsonb_array_elements(v_cols) e
     where (e ->> 'empty')::boolean;

    select count(*) into v_nstale
      from jsonb_array_elements(v_cols) e
     where (e ->> 'overdue')::boolean and not (e ->> 'empty')::boolean;

    if v_nempty > 0 then
        v_warns := v_warns || jsonb_build_object(
            'level', case when v_nempty >= v_strike then 'overdue'
                          else 'warn' end,
            'message', '有 ' || v_nempty || ' 个空白栏目（'
                       || (select string_agg(e ->> 'name', '、')
                             from jsonb_array_elements(v_empty) e)
                       || '）' || case when v_nempty >= v_strike
                                       then '，达到 ' || v_strike
                                            || ' 个即为单项否决'
                                       else '' end || '。');
    end if;

    if v_nstale >= v_strike then
        v_warns := v_warns || jsonb_build_object('level', 'overdue',
            'message', '有 ' || v_nstale || ' 个栏目超过期限未更新，达到 '
                       || v_strike || ' 个即为单项否决。');
    end if;

    return jsonb_build_object(
        'home', jsonb_build_object(
            'last_update', fmt_time(v_home),
            'days', v_days,
            'warn', coalesce(v_days >= v_warn and v_days < v_limit, false),
            'overdue', v_home is null or v_days >= v_limit),
        'columns', v_cols,
        'warnings', (select coalesce(jsonb_agg(w || jsonb_build_object(
                                         'overdue', w ->> 'level' = 'overdue')
                                     order by o), '[]')
                       from jsonb_array_elements(v_warns)
                            with ordinality x (w, o)),
        'has_warnings', jsonb_array_length(v_warns) > 0,
        'empty_columns', v_empty,
        'empty_count', v_nempty,
        'stale_count', v_nstale,
        'strike', v_home is null or v_days >= v_limit
                  or v_nempty >= v_strike or v_nstale >= v_strike);
end
$$;
