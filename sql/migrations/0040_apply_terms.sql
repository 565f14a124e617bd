-- 0040: what disclosure on request (依申请公开, issue 4; 条例 第二十七至
-- 四十五条; seed 000 工作规程; DOMAIN.md §3) talks about: the applicant
-- kinds and channels the annual report counts, the national outcome
-- codes (NATIONAL.md, section 三), the words of the case flow, the time
-- limits, and which office handles the applications made to an organ.

-- The columns of the annual report's section 三 (国办公开办函〔2021〕30号):
-- 自然人, then 法人或其他组织 in five kinds.  An application is counted in
-- exactly one column.
create table applicant_kinds (
    code    text primary key check (code ~ '^[a-z_]{1,32}$'),
    name    text not null unique check (btrim(name) <> ''),
    is_org  boolean not null,
    sort    integer not null unique
);

insert into applicant_kinds (code, name, is_org, sort) values
    ('citizen', '自然人', false, 1),
    ('business', '商业企业', true, 2),
    ('research', '科研机构', true, 3),
    ('public_interest', '社会公益组织', true, 4),
    ('legal_service', '法律服务机构', true, 5),
    ('other_org', '其他', true, 6);

-- How an application came in (seed 000 年度报告制度: 当面、传真、网站、
-- 电子邮件、信函和其他形式), counted in the annual report.
create table apply_channels (
    code  text primary key check (code ~ '^[a-z_]{1,32}$'),
    name  text not null unique check (btrim(name) <> ''),
    sort  integer not null unique
);

insert into apply_channels (code, name, sort) values
    ('in_person', '当面', 1),
    ('fax', '传真', 2),
    ('website', '网站', 3),
    ('email', '电子邮件', 4),
    ('letter', '信函', 5),
    ('other', '其他', 6);

-- The outcome of a closed case: exactly one leaf row of the national
-- table's "三、本年度办理结果" (NATIONAL.md section 三).  code is
-- "<group>" for a group without sub-rows, "<group>.<n>" otherwise;
-- group_name is the row's（一）…（六）heading.  The annual report is a
-- grouping of closed cases by this code and the applicant's kind.
create table apply_outcomes (
    code        text primary key check (code ~ '^[1-6](\.[1-8])?$'),
    grp         integer not null check (grp between 1 and 6),
    group_name  text not null check (btrim(group_name) <> ''),
    name        text not null check (btrim(name) <> ''),
    sort        integer not null unique,
    check (split_part(code, '.', 1)::integer = grp)
);

insert into apply_outcomes (code, grp, group_name, name, sort) values
    ('1', 1, '（一）予以公开', '予以公开', 1),
    ('2', 2, '（二）部分公开',
     '部分公开（区分处理的，只计这一情形，不计其他情形）', 2),
    ('3.1', 3, '（三）不予公开', '属于国家秘密', 3),
    ('3.2', 3, '（三）不予公开', '其他法律行政法规禁止公开', 4),
    ('3.3', 3, '（三）不予公开', '危及“三安全一稳定”', 5),
    ('3.4', 3, '（三）不予公开', '保护第三方合法权益', 6),
    ('3.5', 3, '（三）不予公开', '属于三类内部事务信息', 7),
    ('3.6', 3, '（三）不予公开', '属于四类过程性信息', 8),
    ('3.7', 3, '（三）不予公开', '属于行政执法案卷', 9),
    ('3.8', 3, '（三）不予公开', '属于行政查询事项', 10),
    ('4.1', 4, '（四）无法提供', '本机关不掌握相关政府信息', 11),
    ('4.2', 4, '（四）无法提供', '没有现成信息需要另行制作', 12),
    ('4.3', 4, '（四）无法提供', '补正后申请内容仍不明确', 13),
    ('5.1', 5, '（五）不予处理', '信访举报投诉类申请', 14),
    ('5.2', 5, '（五）不予处理', '重复申请', 15),
    ('5.3', 5, '（五）不予处理', '要求提供公开出版物', 16),
    ('5.4', 5, '（五）不予处理', '无正当理由大量反复申请', 17),
    ('5.5', 5, '（五）不予处理',
     '要求行政机关确认或重新出具已获取信息', 18),
    ('6.1', 6, '（六）其他处理',
     '申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请', 19),
    ('6.2', 6, '（六）其他处理',
     '申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请',
     20),
    ('6.3', 6, '（六）其他处理', '其他', 21);

-- The outcome as a page shows it: "（三）不予公开 · 属于国家秘密".
create function outcome_label(p_code text)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case when o.grp in (1, 2) then o.group_name
                else o.group_name || ' · '
                     || split_part(o.code, '.', 2) || '.' || o.name end
      from apply_outcomes o where o.code = p_code
$$;

-- The words of the case flow, for the pages and the documents.
create table apply_terms (
    term  text primary key check (term ~ '^[a-z_]{1,32}\.[a-z_0-9]{1,32}$'),
    name  text not null check (btrim(name) <> ''),
    sort  integer not null
);

insert into apply_terms (term, name, sort) values
    -- stages of a case
    ('stage.received', '已收到，待审查', 1),
    ('stage.correcting', '待申请人补正', 2),
    ('stage.processing', '已受理，办理中', 3),
    ('stage.closed', '已办结', 4),
    -- identity documents of a citizen (工作规程 第五条)
    ('id_type.resident_id', '居民身份证', 1),
    ('id_type.passport', '护照', 2),
    ('id_type.hk_macao', '港澳居民来往内地通行证', 3),
    ('id_type.taiwan', '台湾居民来往大陆通行证', 4),
    ('id_type.foreign_pr', '外国人永久居留身份证', 5),
    ('id_type.other', '其他有效身份证件', 6),
    -- the form in which the information is wanted (条例 第二十九条)
    ('form.paper', '纸质', 1),
    ('form.electronic', '电子文档', 2),
    -- how it is delivered (工作规程 第十三条)
    ('delivery.pickup', '自行领取', 1),
    ('delivery.post', '邮寄', 2),
    ('delivery.email', '电子邮件', 3),
    ('delivery.fax', '传真', 4),
    -- how a document reached the applicant (送达, 工作规程 第十二条)
    ('sent.in_person', '当面送达', 1),
    ('sent.pickup', '申请人自行领取', 2),
    ('sent.post', '邮寄', 3),
    ('sent.email', '电子邮件', 4),
    ('sent.fax', '传真', 5),
    -- a department's answer to an assignment (工作规程 第八条)
    ('answer.open', '公开', 1),
    ('answer.partial', '部分公开', 2),
    ('answer.exempt', '免予公开', 3),
    ('answer.not_ours', '不属于本机关', 4),
    ('answer.not_exist', '不存在', 5),
    -- consultations that pause the clock (条例 第三十二、三十四条)
    ('consult.third_party', '征求第三方意见', 1),
    ('consult.organ', '征求其他机关意见', 2),
    ('consult_answer.agree', '同意公开', 1),
    ('consult_answer.disagree', '不同意公开', 2),
    ('consult_answer.no_answer', '逾期未提出意见', 3),
    -- documents of the dossier
    ('doc.acceptance', '受理政府信息公开申请通知书', 1),
    ('doc.correction', '补正政府信息公开申请通知书', 2),
    ('doc.extension', '延期答复告知书', 3),
    ('doc.reply', '政府信息公开申请答复书', 4),
    ('doc.refusal', '不予处理告知书', 5),
    -- the reply's way to the applicant (issue 4: draft, secrecy review,
    -- approval, delivery)
    ('reply.secrecy', '待保密审查', 1),
    ('reply.approval', '待审批', 2),
    ('reply.approved', '已批准', 3),
    ('reply.returned', '已退回', 4),
    ('reply_step.secrecy', '保密审查', 1),
    ('reply_step.approval', '审批', 2),
    ('reply_decision.approve', '同意', 1),
    ('reply_decision.return', '退回修改', 2),
    -- reconsideration and litigation (NATIONAL.md section 四)
    ('remedy.reconsideration', '行政复议', 1),
    ('remedy.litigation', '行政诉讼', 2),
    ('route.direct', '未经复议直接起诉', 1),
    ('route.after_reconsideration', '复议后起诉', 2),
    ('result.upheld', '维持', 1),
    ('result.corrected', '纠正', 2),
    ('result.other', '其他', 3),
    ('result.pending', '尚未审结', 4);

create function apply_term(p_group text, p_code text)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select name from apply_terms where term = p_group || '.' || p_code
$$;

-- The time limits (条例 第三十、三十二、三十三条; 工作规程 第八条), in
-- working days of the holiday calendar.
insert into settings (key, value, note) values
    ('apply.reply_working_days', '20',
     '依申请公开：自收到申请之日起答复的工作日数（条例第三十三条）'),
    ('apply.extension_max_working_days', '20',
     '依申请公开：延长答复期限最多的工作日数（条例第三十三条）'),
    ('apply.correction_notice_working_days', '7',
     '依申请公开：收到申请后发出补正通知的工作日数（条例第三十条）'),
    ('apply.department_working_days', '5',
     '依申请公开：承办部门书面答复的工作日数（工作规程第八条）'),
    ('apply.consult_working_days', '15',
     '依申请公开：第三方或其他机关提出意见的工作日数（条例第三十二、'
     '三十四条）'),
    ('apply.due_soon_working_days', '3',
     '依申请公开：办理队列标为“即将到期”的剩余工作日数'),
    ('apply.repeat_window_days', '365',
     '依申请公开：判断同一申请人大量、频繁申请的时间范围（日，条例第三十五条）'),
    ('apply.repeat_threshold', '10',
     '依申请公开：同一申请人在时间范围内的申请达到此数时提示（条例第三十五条）'),
    ('apply.status_lock_after', '10',
     '依申请公开：查询码连续输错此次数后暂停查询'),
    ('apply.status_lock_minutes', '15',
     '依申请公开：查询码输错过多时暂停查询的分钟数');

-- The office that handles the applications made to an organ (工作规程
-- 第二条: applications to the prefecture government are received and
-- handled by its office's e-government office).  An organ without a row
-- handles its own.  The handling organ's application officers (role
-- application_officer) see and handle the cases.
create table apply_desks (
    organ_id       bigint primary key references organs (id),
    desk_organ_id  bigint not null references organs (id)
);

-- The abbreviation that begins the numbers of a handling organ's case
-- documents ("德政办" in 德政办公复〔2025〕12号); without a row, the
-- organ's short name.
create table apply_offices (
    organ_id  bigint primary key references organs (id),
    doc_abbr  text not null check (doc_abbr ~ '^[^[:space:]]{1,12}$')
);

create function desk_of(p_organ bigint)
returns bigint
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce((select desk_organ_id from apply_desks
                      where organ_id = p_organ), p_organ)
$$;
