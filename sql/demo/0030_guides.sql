-- Demo disclosure guides (政府信息公开指南) for every organ that has a
-- site, with the items of 条例第十二条: the office, classification and
-- arrangement of information, how to obtain it, how to apply, remedies.
-- Contact details are demo values.

create temporary table demo_guides (
    organ text, office_name text, address text, postcode text,
    phone text, fax text, email text, website text, superior text
) on commit drop;

insert into demo_guides values
    ('11533100000000100D', '德宏州人民政府办公室政务公开科',
     '云南省德宏傣族景颇族自治州芒市团结大街1号州级行政中心', '678400',
     '0692-2121001', '0692-2121002', 'zwgk@dh.gov.cn', 'www.dh.gov.cn',
     '云南省人民政府'),
    ('11533100000000102D', '德宏州财政局办公室',
     '云南省德宏傣族景颇族自治州芒市勇罕街15号', '678400',
     '0692-2123101', '0692-2123102', 'czj@dh.gov.cn', 'czj.dh.gov.cn',
     '德宏傣族景颇族自治州人民政府'),
    ('11533100000000103D', '德宏州司法局办公室',
     '云南省德宏傣族景颇族自治州芒市青年路28号', '678400',
     '0692-2125201', '0692-2125202', 'sfj@dh.gov.cn', 'sfj.dh.gov.cn',
     '德宏傣族景颇族自治州人民政府'),
    ('11511322000000100D', '营山县人民政府办公室政务公开股',
     '四川省南充市营山县朗池镇行政中心', '637700',
     '0817-8221001', '0817-8221002', 'zwgk@yingshan.gov.cn',
     'www.yingshan.gov.cn', '南充市人民政府'),
    ('11230400000000100D', '鹤岗市人民政府办公室政务公开办公室',
     '黑龙江省鹤岗市向阳区红军路行政中心', '154100',
     '0468-3221001', '0468-3221002', 'zwgk@hegang.gov.cn',
     'www.hegang.gov.cn', '黑龙江省人民政府'),
    ('11411600000000100D', '周口市人民政府办公室政务公开办公室',
     '河南省周口市川汇区市政府行政中心', '466000',
     '0394-8221001', '0394-8221002', 'zwgk@zhoukou.gov.cn',
     'www.zhoukou.gov.cn', '河南省人民政府'),
    ('11440783000000100D', '开平市人民政府办公室政务公开股',
     '广东省开平市长沙街道行政中心', '529300',
     '0750-2221001', '0750-2221002', 'zwgk@kaiping.gov.cn',
     'www.kaiping.gov.cn', '江门市人民政府'),
    ('11440783000000201D', '开平市司法局办公室',
     '广东省开平市长沙街道司法行政大楼', '529300',
     '0750-2225301', '0750-2225302', 'sfj@kaiping.gov.cn',
     'sfj.kaiping.gov.cn', '开平市人民政府');

insert into guides as g (organ_id, office_name, address, postcode,
                         office_hours, phone, fax, email, website,
                         classification, arrangement, obtaining, applying,
                         remedies, updated_on)
select o.id, v.office_name, v.address, v.postcode,
       '工作日上午8:30-12:00,下午14:30-18:00(法定节假日除外)',
       v.phone, v.fax, v.email, v.website,
       format('%s主动公开的政府信息按主题分为概况信息、规范性文件、规划计划、'
              '财政预决算、政府采购、行政审批、人事任免、应急管理、统计信息、'
              '工作动态、年度报告等类别,部分类别下设子类。', o.name),
       '政府信息公开目录按信息种类排列,同一类别内按发布时间由近及远排列。'
       '每条信息标注索引号(单位代码-分类号-生成年份-流水号)、信息名称、'
       '发布机构、生成日期、文号和有效性,可按类别、发布机构和年份浏览。',
       format('主动公开的政府信息通过本网站(%s)政府信息公开目录免费查阅和下载,'
              '也可在%s设置的政府信息公开查阅场所查阅。'
              '主动公开的信息自形成或者变更之日起15个工作日内公开。',
              v.website, o.name),
       format('公民、法人或者其他组织可以通过当面、信函、传真、电子邮件或本网站'
              '向%s提交《政府信息公开申请表》,写明申请人姓名或者名称、身份证明、'
              '联系方式,所需政府信息的名称、文号或者便于查询的其他特征性描述,'
              '以及获取信息的方式和途径。能够当场答复的当场答复;不能当场答复的,'
              '自收到申请之日起20个工作日内答复,需要延长答复期限的,经负责人同意'
              '并告知申请人,延长期限最长不超过20个工作日。', v.office_name),
       format('公民、法人或者其他组织认为%s在政府信息公开工作中侵犯其合法权益的,'
              '可以向%s或者政府信息公开工作主管部门投诉、举报,也可以依法申请'
              '行政复议或者提起行政诉讼。', o.name, v.superior),
       date '2025-01-06'
  from demo_guides v join organs o on o.unit_code = v.organ
on conflict (organ_id) do update
   set office_name = excluded.office_name, address = excluded.address,
       postcode = excluded.postcode, office_hours = excluded.office_hours,
       phone = excluded.phone, fax = excluded.fax, email = excluded.email,
       website = excluded.website,
       classification = excluded.classification,
       arrangement = excluded.arrangement, obtaining = excluded.obtaining,
       applying = excluded.applying, remedies = excluded.remedies,
       updated_on = excluded.updated_on
 where (g.office_name, g.address, g.postcode, g.office_hours, g.phone,
        g.fax, g.email, g.website, g.classification, g.arrangement,
        g.obtaining, g.applying, g.remedies, g.updated_on)
       is distinct from
       (excluded.office_name, excluded.address, excluded.postcode,
        excluded.office_hours, excluded.phone, excluded.fax, excluded.email,
        excluded.website, excluded.classification, excluded.arrangement,
        excluded.obtaining, excluded.applying, excluded.remedies,
        excluded.updated_on);
