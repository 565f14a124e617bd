-- Demo organs and sites.  Unit codes are demo values shaped like unified
-- social credit codes: 1 1 <6-digit region code> 00000000<n> D (the
-- trailing D marks them as demo; real codes end in a check character).
-- Upserts: loading twice changes nothing.

create temporary table demo_organs (
    pass int, unit_code text, name text, short_name text,
    parent_code text, level text
) on commit drop;

insert into demo_organs values
    (1, '11533100000000100D', '德宏傣族景颇族自治州人民政府', '德宏州人民政府',
        null, 'prefecture'),
    (2, '11533100000000101D', '德宏傣族景颇族自治州人民政府办公室',
        '德宏州人民政府办公室', '11533100000000100D', 'department'),
    (2, '11533100000000102D', '德宏傣族景颇族自治州财政局', '德宏州财政局',
        '11533100000000100D', 'department'),
    (2, '11533100000000103D', '德宏傣族景颇族自治州司法局', '德宏州司法局',
        '11533100000000100D', 'department'),
    (2, '11533100000000104D', '德宏傣族景颇族自治州应急管理局',
        '德宏州应急管理局', '11533100000000100D', 'department'),
    (2, '11533100000000105D', '德宏傣族景颇族自治州统计局', '德宏州统计局',
        '11533100000000100D', 'department'),
    (2, '11533100000000106D', '德宏傣族景颇族自治州水务局', '德宏州水务局',
        '11533100000000100D', 'department'),
    (2, '11533103000000100D', '芒市人民政府', '芒市政府',
        '11533100000000100D', 'county'),
    (1, '11511322000000100D', '营山县人民政府', '营山县政府', null, 'county'),
    (2, '11511322000000101D', '营山县人民政府办公室', '营山县政府办',
        '11511322000000100D', 'department'),
    (1, '11230400000000100D', '鹤岗市人民政府', '鹤岗市政府', null,
        'prefecture'),
    (2, '11230400000000101D', '鹤岗市人民政府办公室', '鹤岗市政府办',
        '11230400000000100D', 'department'),
    (1, '11411600000000100D', '周口市人民政府', '周口市政府', null,
        'prefecture'),
    (2, '11411600000000101D', '周口市人民政府办公室', '周口市政府办',
        '11411600000000100D', 'department'),
    (1, '11440783000000100D', '开平市人民政府', '开平市政府', null, 'county'),
    (2, '11440783000000201D', '开平市司法局', '开平市司法局',
        '11440783000000100D', 'department');

-- parents first, then the organs below them
insert into organs as o (unit_code, name, short_name, parent_id, level)
select v.unit_code, v.name, v.short_name, p.id, v.level
  from demo_organs v left join organs p on p.unit_code = v.parent_code
 where v.pass = 1
on conflict (unit_code) do update
   set name = excluded.name, short_name = excluded.short_name,
       parent_id = excluded.parent_id, level = excluded.level
 where (o.name, o.short_name, o.parent_id, o.level)
       is distinct from (excluded.name, excluded.short_name,
                         excluded.parent_id, excluded.level);

insert into organs as o (unit_code, name, short_name, parent_id, level)
select v.unit_code, v.name, v.short_name, p.id, v.level
  from demo_organs v join organs p on p.unit_code = v.parent_code
 where v.pass = 2
on conflict (unit_code) do update
   set name = excluded.name, short_name = excluded.short_name,
       parent_id = excluded.parent_id, level = excluded.level
 where (o.name, o.short_name, o.parent_id, o.level)
       is distinct from (excluded.name, excluded.short_name,
                         excluded.parent_id, excluded.level);

-- Sites: one portal per government, department sub-sites under the
-- Dehong and Kaiping portals (seed 001 第五条).  www.dh.gov.cn is what the
-- dev nginx config maps 127.0.0.1 and localhost to.
create temporary table demo_sites (
    pass int, organ text, name text, kind text, domain text
) on commit drop;

insert into demo_sites values
    (1, '11533100000000100D', '德宏州人民政府门户网站', 'portal',
        'www.dh.gov.cn'),
    (2, '11533100000000102D', '德宏州财政局', 'department', 'czj.dh.gov.cn'),
    (2, '11533100000000103D', '德宏州司法局', 'department', 'sfj.dh.gov.cn'),
    (1, '11511322000000100D', '营山县人民政府门户网站', 'portal',
        'www.yingshan.gov.cn'),
    (1, '11230400000000100D', '鹤岗市人民政府门户网站', 'portal',
        'www.hegang.gov.cn'),
    (1, '11411600000000100D', '周口市人民政府门户网站', 'portal',
        'www.zhoukou.gov.cn'),
    (1, '11440783000000100D', '开平市人民政府门户网站', 'portal',
        'www.kaiping.gov.cn'),
    (2, '11440783000000201D', '开平市司法局', 'department',
        'sfj.kaiping.gov.cn');

insert into sites as s (name, kind, organ_id, parent_id)
select v.name, v.kind, o.id, null
  from demo_sites v join organs o on o.unit_code = v.organ
 where v.pass = 1
on conflict (organ_id) do update
   set name = excluded.name, kind = excluded.kind
 where (s.name, s.kind) is distinct from (excluded.name, excluded.kind);

insert into site_domains as d (domain, site_id, is_primary)
select v.domain, s.id, true
  from demo_sites v
  join organs o on o.unit_code = v.organ
  join sites s on s.organ_id = o.id
 where v.pass = 1
on conflict (domain) do nothing;

-- a department's portal is the portal of the organ above it
insert into sites as s (name, kind, organ_id, parent_id)
select v.name, v.kind, o.id, ps.id
  from demo_sites v
  join organs o on o.unit_code = v.organ
  join sites ps on ps.organ_id = o.parent_id and ps.kind = 'portal'
 where v.pass = 2
on conflict (organ_id) do update
   set name = excluded.name, kind = excluded.kind,
       parent_id = excluded.parent_id
 where (s.name, s.kind, s.parent_id)
       is distinct from (excluded.name, excluded.kind, excluded.parent_id);

insert into site_domains as d (domain, site_id, is_primary)
select v.domain, s.id, true
  from demo_sites v
  join organs o on o.unit_code = v.organ
  join sites s on s.organ_id = o.id
 where v.pass = 2
on conflict (domain) do nothing;
