-- Demo classification (主题分类): the portal's key classes of seed 001
-- 第十三条 and 000 第十条, the department classes of seed 002, and a few
-- sub-categories.  Codes are the 分类号 of index numbers.

create temporary table demo_categories (
    code text, name text, parent_code text, sort int
) on commit drop;

insert into demo_categories values
    ('01', '概况信息', null, 10),
    ('0101', '机构职能', '01', 10),
    ('0102', '领导信息', '01', 20),
    ('0103', '内设机构', '01', 30),
    ('02', '规范性文件', null, 20),
    ('0201', '政府文件', '02', 10),
    ('0202', '政府办公室文件', '02', 20),
    ('0203', '部门文件', '02', 30),
    ('03', '规划计划', null, 30),
    ('0301', '发展规划', '03', 10),
    ('0302', '年度计划', '03', 20),
    ('04', '财政预决算', null, 40),
    ('0401', '财政预算', '04', 10),
    ('0402', '财政决算', '04', 20),
    ('0403', '部门预决算', '04', 30),
    ('0404', '“三公”经费', '04', 40),
    ('05', '政府采购', null, 50),
    ('06', '行政审批', null, 60),
    ('07', '人事任免', null, 70),
    ('08', '应急管理', null, 80),
    ('0801', '应急预案', '08', 10),
    ('0802', '防汛抗旱', '08', 20),
    ('09', '统计信息', null, 90),
    ('10', '工作动态', null, 100),
    ('11', '年度报告', null, 110),
    ('12', '政策解读', null, 120),
    ('13', '办事指南', null, 130),
    ('14', '表格下载', null, 140),
    ('15', '问题解答', null, 150);

insert into categories as c (code, name, parent_id, sort)
select v.code, v.name, null, v.sort
  from demo_categories v where v.parent_code is null
on conflict (code) do update
   set name = excluded.name, parent_id = null, sort = excluded.sort
 where (c.name, c.parent_id, c.sort)
       is distinct from (excluded.name, null::integer, excluded.sort);

insert into categories as c (code, name, parent_id, sort)
select v.code, v.name, p.id, v.sort
  from demo_categories v join categories p on p.code = v.parent_code
on conflict (code) do update
   set name = excluded.name, parent_id = excluded.parent_id,
       sort = excluded.sort
 where (c.name, c.parent_id, c.sort)
       is distinct from (excluded.name, excluded.parent_id, excluded.sort);
