-- 0070: the annual report (政府信息公开工作年度报告, issue 5; DOMAIN.md §4;
-- NATIONAL.md "The annual report's national format"; seed 000 年度报告
-- 制度): per organ and year, in versions.  A version is written as a
-- draft, submitted, signed by the organ's principal leader, filed with
-- the higher authority (备案: a user of the parent organ confirms) and
-- then published (先备案后公布, 000 年度报告制度 第四条).  A published
-- version never changes; a correction is a new version with a note, and
-- the public page shows both.  The tables are computed from the records
-- (0071) and frozen into the version when it is submitted.

-- ------------------------------------------------------- the items' part

-- Section 二 counts 规章 and 行政规范性文件 (条例 第二十条第（一）项) made,
-- repealed and valid.  An item says what it is by its kind (the review
-- chain's item_kinds, 0015): both are "已生效的……规章和规范性文件" of
-- 004 第十七条(一), so they skip the secrecy step like 'law'.  Validity
-- is the item's (有效 / 失效 / 废止); the day it stopped being valid is
-- the publication of the first approved version that says so (0071).
insert into item_kinds (kind, name, secrecy_exempt, basis, sort) values
    ('rule', '规章', true,
     '开平市司法局政务网站管理办法第十七条(一)：已生效的法律、行政法规、'
     '规章和规范性文件，不再进行保密审查', 60),
    ('normative', '行政规范性文件', true,
     '开平市司法局政务网站管理办法第十七条(一)：已生效的法律、行政法规、'
     '规章和规范性文件，不再进行保密审查', 61);

-- --------------------------------------------------------------- settings

-- Deadlines by organ level, as MM-DD of the year after the report's year
-- (a day past the month's end means its last day: 02-29 is 2月底).
-- National defaults (条例 第四十九、五十条): departments publish by 31
-- January, governments by 31 March.  The filing deadline defaults to the
-- same day (the regulation sets none).  Seed 000 年度报告制度 第三、四条
-- (the Dehong variant, report_deadline_presets 'dehong'): the prefecture
-- by 03-31, counties by 02-20, departments by 2月底; departments and
-- counties file by 01-31.
insert into settings (key, value, note) values
    ('report.publish_by.province', '03-31',
     '省级人民政府年度报告公布期限（次年月-日，条例第五十条）'),
    ('report.publish_by.prefecture', '03-31',
     '市（州）人民政府年度报告公布期限（次年月-日，条例第五十条）'),
    ('report.publish_by.county', '03-31',
     '县（市、区）人民政府年度报告公布期限（次年月-日，条例第五十条；'
     '德宏州制度为02-20）'),
    ('report.publish_by.township', '03-31',
     '乡镇人民政府年度报告公布期限（次年月-日）'),
    ('report.publish_by.department', '01-31',
     '政府部门年度报告公布期限（次年月-日，条例第四十九条；'
     '德宏州制度为2月底02-29）'),
    ('report.file_by.province', '03-31', '省级人民政府年度报告备案期限'),
    ('report.file_by.prefecture', '03-31', '市（州）人民政府年度报告备案期限'),
    ('report.file_by.county', '03-31',
     '县（市、区）人民政府年度报告备案期限（德宏州制度第四条为01-31）'),
    ('report.file_by.township', '03-31', '乡镇人民政府年度报告备案期限'),
    ('report.file_by.department', '01-31',
     '政府部门年度报告备案期限（德宏州制度第四条为01-31）'),
    ('report.warn_days', '15', '年度报告公布期限前多少天开始提醒'),
    ('report.format_2021_from', '2021',
     '自该年度起使用2021年版年度报告格式（国办公开办函〔2021〕30号），'
     '之前的年度使用2019年版');

-- The deadline sets one may apply (report_deadlines_apply, 0071).
create table report_deadline_presets (
    preset      text not null check (preset ~ '^[a-z_]{1,32}$'),
    level       text not null
                check (level in ('province', 'prefecture', 'county',
                                 'township', 'department')),
    publish_by  text not null check (publish_by ~ '^(0[1-9]|1[0-2])-[0-3][0-9]$'),
    file_by     text not null check (file_by ~ '^(0[1-9]|1[0-2])-[0-3][0-9]$'),
    note        text not null,
    primary key (preset, level)
);

insert into report_deadline_presets values
    ('national', 'province', '03-31', '03-31', '条例第五十条'),
    ('national', 'prefecture', '03-31', '03-31', '条例第五十条'),
    ('national', 'county', '03-31', '03-31', '条例第五十条'),
    ('national', 'township', '03-31', '03-31', '条例第五十条'),
    ('national', 'department', '01-31', '01-31', '条例第四十九条'),
    ('dehong', 'province', '03-31', '03-31', '条例第五十条'),
    ('dehong', 'prefecture', '03-31', '03-31',
     '德宏州年度报告制度第三条（州报告报省政府备案）'),
    ('dehong', 'county', '02-20', '01-31',
     '德宏州年度报告制度第三、四条'),
    ('dehong', 'township', '03-31', '03-31', '由县市主管部门规定'),
    ('dehong', 'department', '02-29', '01-31',
     '德宏州年度报告制度第三条（2月底前公布）、第四条（1月31日前备案）');

-- ------------------------------------------------ staff-entered figures

-- The figures the records do not hold: section 二's licensing, penalty,
-- coercion and fee rows, and the extra figures of 000 年度报告制度 第五条.
-- fmt: the format that has the figure ('2019', '2021' or 'any');
-- part: 's2' (the national table) or 'extra'; grp / row_label /
-- col_label place it in its table.
create table report_stat_defs (
    key        text primary key check (key ~ '^[a-z0-9_]{1,40}$'),
    fmt        text not null check (fmt in ('2019', '2021', 'any')),
    part       text not null check (part in ('s2', 'extra')),
    grp        text not null,
    row_label  text not null,
    col_label  text not null,
    unit       text,
    decimals   integer not null default 0 check (decimals between 0 and 4),
    signed     boolean not null default false,
    sort       integer not null unique
);

insert into report_stat_defs
    (key, fmt, part, grp, row_label, col_label, unit, decimals, signed,
     sort) values
    -- 2021: 第二十条第（五）、（六）、（八）项
    ('license_decisions', '2021', 's2', '2-5', '行政许可', '本年处理决定数量',
     null, 0, false, 101),
    ('penalty_decisions', '2021', 's2', '2-6', '行政处罚', '本年处理决定数量',
     null, 0, false, 102),
    ('coercion_decisions', '2021', 's2', '2-6', '行政强制', '本年处理决定数量',
     null, 0, false, 103),
    ('fee_amount', '2021', 's2', '2-8', '行政事业性收费',
     '本年收费金额（单位：万元）', '万元', 4, false, 104),
    -- 2019: 第二十条第（五）、（六）、（八）、（九）项
    ('license_prev', '2019', 's2', '2-5', '行政许可', '上一年项目数量',
     null, 0, false, 201),
    ('license_change', '2019', 's2', '2-5', '行政许可', '本年增/减',
     null, 0, true, 202),
    ('license_decisions19', '2019', 's2', '2-5', '行政许可', '处理决定数量',
     null, 0, false, 203),
    ('service_prev', '2019', 's2', '2-5', '其他对外管理服务事项',
     '上一年项目数量', null, 0, false, 204),
    ('service_change', '2019', 's2', '2-5', '其他对外管理服务事项',
     '本年增/减', null, 0, true, 205),
    ('service_decisions', '2019', 's2', '2-5', '其他对外管理服务事项',
     '处理决定数量', null, 0, false, 206),
    ('penalty_prev', '2019', 's2', '2-6', '行政处罚', '上一年项目数量',
     null, 0, false, 207),
    ('penalty_change', '2019', 's2', '2-6', '行政处罚', '本年增/减',
     null, 0, true, 208),
    ('penalty_decisions19', '2019', 's2', '2-6', '行政处罚', '处理决定数量',
     null, 0, false, 209),
    ('coercion_prev', '2019', 's2', '2-6', '行政强制', '上一年项目数量',
     null, 0, false, 210),
    ('coercion_change', '2019', 's2', '2-6', '行政强制', '本年增/减',
     null, 0, true, 211),
    ('coercion_decisions19', '2019', 's2', '2-6', '行政强制', '处理决定数量',
     null, 0, false, 212),
    ('fee_prev', '2019', 's2', '2-8', '行政事业性收费', '上一年项目数量',
     null, 0, false, 213),
    ('fee_change', '2019', 's2', '2-8', '行政事业性收费', '本年增/减',
     null, 0, true, 214),
    ('procurement_count', '2019', 's2', '2-9', '政府集中采购', '采购项目数量',
     null, 0, false, 215),
    ('procurement_amount', '2019', 's2', '2-9', '政府集中采购', '采购总金额',
     '万元', 4, false, 216),
    -- 000 年度报告制度 第五条: the further figures
    ('reading_room_visitors', 'any', 'extra', '主动公开', '公开查阅场所查阅人数',
     '数量', '人次', 0, false, 301),
    ('column_visits', 'any', 'extra', '主动公开',
     '政府信息公开专栏页面访问量', '数量', '次', 0, false, 302),
    ('hot_responses', 'any', 'extra', '回应解读', '回应公众关注热点或重大舆情数',
     '数量', '件', 0, false, 311),
    ('press_conferences', 'any', 'extra', '回应解读', '参加和举办新闻发布会次数',
     '数量', '次', 0, false, 312),
    ('online_interviews', 'any', 'extra', '回应解读', '政府网站在线访谈次数',
     '数量', '次', 0, false, 313),
    ('interpretations', 'any', 'extra', '回应解读', '政策解读稿件发布次数',
     '数量', '篇', 0, false, 314),
    ('weibo_responses', 'any', 'extra', '回应解读', '微博回应事件数',
     '数量', '件', 0, false, 315),
    ('other_responses', 'any', 'extra', '回应解读', '其他方式回应事件数',
     '数量', '件', 0, false, 316),
    ('fees_charged', 'any', 'extra', '依申请公开', '依申请公开收取费用',
     '金额', '元', 2, false, 321),
    ('fees_waived', 'any', 'extra', '依申请公开', '依申请公开减免费用',
     '金额', '元', 2, false, 322),
    ('complaints', 'any', 'extra', '依申请公开', '举报投诉数',
     '数量', '件', 0, false, 323),
    ('offices', 'any', 'extra', '机构建设和保障经费', '政府信息公开工作专门机构数',
     '数量', '个', 0, false, 331),
    ('reading_points', 'any', 'extra', '机构建设和保障经费',
     '设置政府信息公开查阅点数', '数量', '个', 0, false, 332),
    ('staff_full', 'any', 'extra', '机构建设和保障经费', '专职人员数',
     '数量', '人', 0, false, 333),
    ('staff_part', 'any', 'extra', '机构建设和保障经费', '兼职人员数',
     '数量', '人', 0, false, 334),
    ('budget', 'any', 'extra', '机构建设和保障经费', '政府信息公开事务财政预算',
     '金额', '万元', 4, false, 335),
    ('spending', 'any', 'extra', '机构建设和保障经费', '政府信息公开事务实际支出',
     '金额', '万元', 4, false, 336),
    ('meetings', 'any', 'extra', '会议和培训', '召开政府信息公开工作会议或专题会议数',
     '数量', '次', 0, false, 341),
    ('trainings', 'any', 'extra', '会议和培训', '举办各类培训班数',
     '数量', '次', 0, false, 342),
    ('trainees', 'any', 'extra', '会议和培训', '接受培训人员数',
     '数量', '人次', 0, false, 343);

-- ------------------------------------------------------------ the reports

create table annual_reports (
    id          bigint generated always as identity primary key,
    organ_id    bigint not null references organs (id),
    year        integer not null check (year between 2008 and 2100),
    created_at  timestamptz not null default now(),
    unique (organ_id, year)
);

create table report_states (
    state  text primary key,
    name   text not null,
    sort   integer not null unique
);

insert into report_states values
    ('draft', '编制中', 1),
    ('submitted', '待主要领导签发', 2),
    ('signed', '已签发，待备案', 3),
    ('filed', '已备案，待公布', 4),
    ('published', '已公布', 5);

-- One version of a report.  Version 1 is the report; every later one is
-- a correction of a published version (correction_note says what and
-- why).  At most one version of a report is not published.
create table report_versions (
    id               bigint generated always as identity primary key,
    report_id        bigint not null references annual_reports (id),
    no               integer not null check (no >= 1),
    fmt              text not null check (fmt in ('2019', '2021')),
    state            text not null default 'draft'
                     references report_states (state),
    -- sections 一, 五, 六: sanitised rich text (the module's allow-list
    -- runs on every *_html field); the check is a last line of defence
    overview_html    text not null default ''
                     check (overview_html !~* '<\s*/?\s*(script|style|iframe|object|embed|form|base|meta|link)\M|\son[a-z]+\s*=|javascript:'),
    problems_html    text not null default ''
                     check (problems_html !~* '<\s*/?\s*(script|style|iframe|object|embed|form|base|meta|link)\M|\son[a-z]+\s*=|javascript:'),
    other_html       text not null default ''
                     check (other_html !~* '<\s*/?\s*(script|style|iframe|object|embed|form|base|meta|link)\M|\son[a-z]+\s*=|javascript:'),
    correction_note  text check (length(correction_note) <= 2000),
    -- the computed tables, frozen when submitted (report_compute, 0071)
    data             jsonb,
    created_by       bigint references users (id),
    created_at       timestamptz not null default now(),
    updated_by       bigint references users (id),
    updated_at       timestamptz not null default now(),
    submitted_by     bigint references users (id),
    submitted_at     timestamptz,
    signed_by        bigint references users (id),
    signed_at        timestamptz,
    filed_by         bigint references users (id),
    filed_at         timestamptz,
    filed_note       text check (length(filed_note) <= 1000),
    published_by     bigint references users (id),
    published_at     timestamptz,
    returned_reason  text check (length(returned_reason) <= 2000),
    unique (report_id, no),
    -- 先备案后公布 (000 年度报告制度 第四条): no published version without
    -- its signature and its filing
    constraint report_published_after_filing check (
        state <> 'published'
        or (signed_at is not null and filed_at is not null
            and published_at is not null and published_at >= filed_at)),
    constraint report_filed_after_signing check (
        filed_at is null or (signed_at is not null and filed_at >= signed_at)),
    constraint report_frozen_data check (
        (state = 'draft') = (data is null)),
    constraint report_correction_note check (
        no = 1 or btrim(coalesce(correction_note, '')) <> '')
);

create unique index report_versions_one_open on report_versions (report_id)
    where state <> 'published';

-- The staff-entered figures of a version, each with where it comes from.
create table report_stats (
    version_id  bigint not null references report_versions (id),
    key         text not null references report_stat_defs (key),
    value       numeric(16, 4),
    source      text check (length(source) <= 500),
    primary key (version_id, key)
);

-- ---------------------------------------------------------------- guards

-- The workflow, whoever writes (the owner included):
--   draft -> submitted -> signed -> filed -> published
--   submitted | signed -> draft (returned, with a reason)
-- Content changes only in a draft; a published version never changes and
-- is never deleted.
create function report_versions_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_max   integer;
begin
    if tg_op = 'DELETE' then
        if old.state <> 'draft' then
            raise exception '已提交的年度报告不能删除' using errcode = 'GKA09';
        end if;
        return old;
    end if;

    if tg_op = 'INSERT' then
        if new.state <> 'draft' or new.data is not null
           or new.submitted_at is not null or new.signed_at is not null
           or new.filed_at is not null or new.published_at is not null
        then
            raise exception '年度报告只能从编制开始' using errcode = 'GKA09';
        end if;
        select max(no) into v_max from report_versions
         where report_id = new.report_id;
        if new.no <> coalesce(v_max, 0) + 1 then
            raise exception '年度报告版本号应为 %', coalesce(v_max, 0) + 1
                using errcode = 'GKA09';
        end if;
        if v_max is not null and exists (
               select 1 from report_versions
                where report_id = new.report_id and state <> 'published')
        then
            raise exception '该年度报告已有未公布的版本' using errcode = 'GKA09';
        end if;
        return new;
    end if;

    if old.state = 'published' then
        raise exception '已公布的年度报告不能修改；如需更正，请发布更正版本'
            using errcode = 'GKA09';
    end if;

    if (new.id, new.report_id, new.no, new.created_by, new.created_at)
       is distinct from
       (old.id, old.report_id, old.no, old.created_by, old.created_at)
    then
        raise exception '年度报告的版本信息不能修改' using errcode = 'GKA09';
    end if;

    if new.state = old.state then
        if old.state <> 'draft'
           and (new.fmt, new.overview_html, new.problems_html,
                new.other_html, new.correction_note, new.data,
                new.submitted_at, new.signed_at, new.filed_at)
               is distinct from
               (old.fmt, old.overview_html, old.problems_html,
                old.other_html, old.correction_note, old.data,
                old.submitted_at, old.signed_at, old.filed_at)
        then
            raise exception '年度报告已提交，不能再修改内容'
                using errcode = 'GKA09';
        end if;
        return new;
    end if;

    if not ((old.state, new.state) in (('draft', 'submitted'),
                                       ('submitted', 'signed'),
                                       ('signed', 'filed'),
                                       ('filed', 'published'),
                                       ('submitted', 'draft'),
                                       ('signed', 'draft')))
    then
        if new.state = 'published' then
            raise exception '年度报告须先经主要领导签发并备案，才能公布'
                '（先备案后公布）' using errcode = 'GKA09';
        end if;
        raise exception '年度报告不能从“%”变为“%”',
            (select name from report_states where state = old.state),
            (select name from report_states where state = new.state)
            using errcode = 'GKA09';
    end if;

    if new.state <> 'draft'
       and (new.fmt, new.overview_html, new.problems_html, new.other_html,
            new.correction_note)
           is distinct from
           (old.fmt, old.overview_html, old.problems_html, old.other_html,
            old.correction_note)
    then
        raise exception '年度报告已提交，不能再修改内容' using errcode = 'GKA09';
    end if;

    if new.state = 'submitted'
       and (new.data is null
            or coalesce((new.data -> 'balance' ->> 'ok')::boolean, false)
               is not true)
    then
        raise exception '申请情况表不平衡，不能提交' using errcode = 'GKA09';
    end if;

    if new.state = 'signed' and (new.signed_by is null
                                 or new.signed_by = new.submitted_by)
    then
        raise exception '年度报告须由主要领导签发，且不能由提交人签发'
            using errcode = 'GKA09';
    end if;

    if new.state = 'draft' then
        new.data := null;
        new.submitted_at := null;
        new.submitted_by := null;
        new.signed_at := null;
        new.signed_by := null;
    end if;

    return new;
end
$$;

create trigger report_versions_guard
    before insert or update or delete on report_versions
    for each row execute function report_versions_guard();

-- The figures of a version change only while it is a draft.
create function report_stats_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if exists (select 1 from report_versions
                where id = coalesce(new.version_id, old.version_id)
                  and state <> 'draft')
    then
        raise exception '年度报告已提交，不能再修改统计数据'
            using errcode = 'GKA09';
    end if;
    return coalesce(new, old);
end
$$;

create trigger report_stats_guard
    before insert or update or delete on report_stats
    for each row execute function report_stats_guard();

-- A report (organ and year) is never deleted or moved.
create function annual_reports_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    raise exception '年度报告不能删除或改变机关、年度' using errcode = 'GKA09';
end
$$;

create trigger annual_reports_guard
    before delete or update on annual_reports
    for each row execute function annual_reports_guard();

insert into audit_actions (action, name, sort) values
    ('report.create', '创建年度报告', 80),
    ('report.save', '保存年度报告', 81),
    ('report.submit', '提交年度报告', 82),
    ('report.sign', '签发年度报告', 83),
    ('report.return', '退回年度报告', 84),
    ('report.file', '年度报告备案', 85),
    ('report.publish', '公布年度报告', 86),
    ('report.correct', '更正年度报告', 87);
