-- Demo registry data (issue 6): the sites of 0010 get their
-- identification codes (网站标识码: the region code of 0010's unit codes
-- and a serial), their host organs (主办单位: the Dehong portal is run by
-- the prefecture government office, seed 000 网站管理办法 第五条) and
-- filing numbers (demo values shaped like real ones); the Dehong portal
-- gets its Chinese domain and the bare-zone alias; the justice bureau's
-- site shows a domain changed before this system (its old domain answers
-- 301); the emergency management bureau's site administrator has asked
-- to open a department site, waiting for dh.siteadmin's approval.
-- Columns (栏目) are classified for the freshness warnings.
--
-- Loaded with gongkai.import declared (tools/load-demo): the life-cycle
-- guards of 0062 let it write active sites and their history directly.
-- Idempotent: loading twice changes nothing.

create temporary table demo_registry (
    domain text, code text, host_organ text, icp_no text, psb_no text
) on commit drop;

insert into demo_registry values
    ('www.dh.gov.cn', '5331000001', '11533100000000101D',
     '滇ICP备05001458号', '滇公网安备 53310202000101号'),
    ('czj.dh.gov.cn', '5331000002', null,
     '滇ICP备05001458号-2', '滇公网安备 53310202000102号'),
    ('sfj.dh.gov.cn', '5331000003', null,
     '滇ICP备05001458号-3', '滇公网安备 53310202000103号'),
    ('www.yingshan.gov.cn', '5113220001', null,
     '川ICP备05012345号', '川公网安备 51132202000101号'),
    ('www.hegang.gov.cn', '2304000001', null,
     '黑ICP备05003456号', '黑公网安备 23040202000101号'),
    ('www.zhoukou.gov.cn', '4116000001', null,
     '豫ICP备05004567号', '豫公网安备 41160202000101号'),
    ('www.kaiping.gov.cn', '4407830001', null,
     '粤ICP备05005678号', '粤公网安备 44078302000101号'),
    ('sfj.kaiping.gov.cn', '4407830002', null,
     '粤ICP备05005678号-2', '粤公网安备 44078302000102号');

update sites s
   set code = v.code,
       host_organ_id = coalesce(h.id, s.organ_id),
       icp_no = v.icp_no,
       psb_no = v.psb_no
  from demo_registry v
  join site_domains d on d.domain = v.domain
  left join organs h on h.unit_code = v.host_organ
 where s.id = d.site_id
   and (s.code, s.host_organ_id, s.icp_no, s.psb_no)
       is distinct from (v.code, coalesce(h.id, s.organ_id), v.icp_no,
                         v.psb_no);

-- the Dehong portal's Chinese domain and alias
insert into site_domains (domain, site_id, role)
select v.domain, d.site_id, v.role
  from (values ('德宏州人民政府.政务', 'chinese'),
               ('dh.gov.cn', 'alias')) v (domain, role)
  join site_domains d on d.domain = 'www.dh.gov.cn'
 where not exists (select 1 from site_domains x
                    where x.domain = idna_to_ascii(domain_normalise(
                                                       v.domain)));

-- the justice bureau's former domain, and the announcement of the change
insert into site_domains (domain, site_id, role, added_at, retired_at)
select 'sfzj.dh.gov.cn', d.site_id, 'former',
       timestamptz '2019-06-01 08:00+08', timestamptz '2023-03-01 08:00+08'
  from site_domains d
 where d.domain = 'sfj.dh.gov.cn'
   and not exists (select 1 from site_domains
                    where domain = 'sfzj.dh.gov.cn');

insert into site_announcements (site_id, subject_id, kind, title, body,
                                published_at)
select p.site_id, d.site_id, 'change',
       '关于“德宏州司法局”变更域名的公示',
       '经网站主管部门审核同意，自 2023-03-01 起，'
       || '德宏傣族景颇族自治州司法局的“德宏州司法局”域名由 sfzj.dh.gov.cn '
       || '变更为 sfj.dh.gov.cn。原域名继续转接到新域名，请使用新域名访问。'
       || '特此公示。',
       timestamptz '2023-03-01 08:00+08'
  from site_domains d, site_domains p
 where d.domain = 'sfj.dh.gov.cn' and p.domain = 'www.dh.gov.cn'
   and not exists (select 1 from site_announcements
                    where subject_id = d.site_id and kind = 'change');

-- the site administrator of the emergency management bureau (password:
-- sql/demo/LOGINS), and the opening request she has made
insert into users (organ_id, login, name, password_hash)
select o.id, 'yjj.siteadmin', '孔德芳', password_hash('gongkai-demo-2025')
  from organs o
 where o.unit_code = '11533100000000104D'
   and not exists (select 1 from users where login = 'yjj.siteadmin');

insert into user_roles (user_id, role)
select id, 'site_admin' from users where login = 'yjj.siteadmin'
on conflict do nothing;

select site_request_open(u.id, null, jsonb_build_object(
           'name', '德宏州应急管理局',
           'domain', 'yjj.dh.gov.cn',
           'chinese_domain', '德宏州应急管理局.政务',
           'code', '5331000004',
           'icp_no', '滇ICP备05001458号-4',
           'psb_no', '滇公网安备 53310202000104号',
           'reason', '按照“一个部门一个子网站”的要求，申请在州政府门户'
                     || '网站平台开设本局部门网站。'))
  from users u
 where u.login = 'yjj.siteadmin'
   and not exists (select 1 from site_requests r
                    where r.organ_id = u.organ_id);

-- columns with an update limit (国办秘函〔2019〕19号): news columns two
-- weeks, notice and policy columns six months (0065)
update categories c
   set update_class = v.class
  from (values ('10', 'news'), ('02', 'policy'), ('12', 'policy'),
               ('05', 'notice'), ('07', 'notice')) v (code, class)
 where c.code = v.code and c.update_class is distinct from v.class;
