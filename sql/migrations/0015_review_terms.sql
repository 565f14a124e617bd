-- 0015: what the review chain (先审后发, seed 003 第六至十一条, 004 第十六至
-- 二十一条, DOMAIN.md §2) talks about: the item states it adds, item kinds
-- with the secrecy-review exemption of 004 第十七条, the grounds for not
-- publishing (条例 第十四至十六条), the words of the chain, the timeliness
-- setting, and the item and attachment columns the chain maintains.

-- The chain's states (0004 left room for them as rows).  Only 'published'
-- is ever public.
--   draft       草稿 (also an item sent back by a reviewer: 已退回)
--   review      in the chain for its first publication
--   scheduled   approved, waiting for its publication time
--   published   public
--   withdrawn   撤回: its URL shows a withdrawal notice, nothing else
--   removed     删除: its URL answers 410 Gone
--   not_public  the chain confirmed the drafter's opinion 依申请公开 or
--               不予公开: kept, never on the site
insert into item_states (state, name, is_public) values
    ('review', '审核中', false),
    ('scheduled', '待定时发布', false),
    ('removed', '已删除', false),
    ('not_public', '不予主动公开', false);

alter table item_states add column sort integer;
update item_states set sort = case state
    when 'draft' then 1 when 'review' then 2 when 'scheduled' then 3
    when 'published' then 4 when 'not_public' then 5 when 'withdrawn' then 6
    when 'removed' then 7 end;
alter table item_states alter column sort set not null;

-- Item kinds (信息类型).  secrecy_exempt is the setting per kind of 004
-- 第十七条: an item of an exempt kind skips the secrecy step, and its
-- approval record keeps the kind and this basis (copied when it is
-- submitted, so a later change of the setting does not rewrite history).
create table item_kinds (
    kind            text primary key check (kind ~ '^[a-z_]{1,32}$'),
    name            text not null unique check (btrim(name) <> ''),
    secrecy_exempt  boolean not null default false,
    basis           text,
    sort            integer not null unique,
    check (not secrecy_exempt or btrim(coalesce(basis, '')) <> '')
);

insert into item_kinds (kind, name, secrecy_exempt, basis, sort) values
    ('general', '一般政府信息', false, null, 1),
    ('law', '已生效的法律、行政法规、规章和规范性文件', true,
     '开平市司法局政务网站管理办法第十七条(一)：已生效的法律、行政法规、'
     '规章和规范性文件，不再进行保密审查', 2),
    ('reviewed_doc', '发文时已同步保密审查并确定主动公开的公文', true,
     '开平市司法局政务网站管理办法第十七条(二)：公文发文时已在发文程序中'
     '进行过同步保密审查且确定公开方式为“主动公开”的，不再进行保密审查', 3),
    ('license_result', '已办结生效的行政许可事项结果', true,
     '开平市司法局政务网站管理办法第十七条(三)：依照《行政许可法》规定已'
     '办结生效的行政许可事项结果信息，不再进行保密审查', 4),
    ('approved_release', '已审批确定需向社会发布的政府信息', true,
     '开平市司法局政务网站管理办法第十七条(四)：已审批确定需向社会发布的'
     '政府信息，不再进行保密审查', 5);

-- The grounds for the opinion 不予公开 (条例 2019 第十四、十五、十六条),
-- with the article's text as the regulation states it.
create table withhold_grounds (
    code     text primary key check (code ~ '^[a-z0-9_]{1,32}$'),
    article  text not null,
    name     text not null check (btrim(name) <> ''),
    text     text not null,
    sort     integer not null unique
);

insert into withhold_grounds (code, article, name, text, sort) values
    ('art14_secret', '第十四条', '依法确定为国家秘密',
     '依法确定为国家秘密的政府信息，法律、行政法规禁止公开的政府信息，'
     '以及公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息，'
     '不予公开。', 1),
    ('art14_law', '第十四条', '法律、行政法规禁止公开',
     '依法确定为国家秘密的政府信息，法律、行政法规禁止公开的政府信息，'
     '以及公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息，'
     '不予公开。', 2),
    ('art14_security', '第十四条',
     '公开后可能危及国家安全、公共安全、经济安全、社会稳定',
     '依法确定为国家秘密的政府信息，法律、行政法规禁止公开的政府信息，'
     '以及公开后可能危及国家安全、公共安全、经济安全、社会稳定的政府信息，'
     '不予公开。', 3),
    ('art15_third_party', '第十五条',
     '涉及商业秘密、个人隐私等，公开会损害第三方合法权益',
     '涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害的政府信息，'
     '行政机关不得公开。但是，第三方同意公开或者行政机关认为不公开会对'
     '公共利益造成重大影响的，予以公开。', 4),
    ('art16_internal', '第十六条第一款',
     '内部事务信息（人事管理、后勤管理、内部工作流程等）',
     '行政机关的内部事务信息，包括人事管理、后勤管理、内部工作流程等方面'
     '的信息，可以不予公开。', 5),
    ('art16_process', '第十六条第二款',
     '过程性信息（讨论记录、过程稿、磋商信函、请示报告等）',
     '行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、'
     '请示报告等过程性信息以及行政执法案卷信息，可以不予公开。法律、法规、'
     '规章规定上述信息应当公开的，从其规定。', 6),
    ('art16_case_file', '第十六条第二款', '行政执法案卷信息',
     '行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、'
     '请示报告等过程性信息以及行政执法案卷信息，可以不予公开。法律、法规、'
     '规章规定上述信息应当公开的，从其规定。', 7);

-- The words of the chain, for the pages: opinions, round kinds, steps,
-- decisions, outcomes, withdrawal modes.
create table review_terms (
    term  text primary key check (term ~ '^[a-z_]{1,32}\.[a-z_]{1,32}$'),
    name  text not null check (btrim(name) <> ''),
    sort  integer not null
);

insert into review_terms (term, name, sort) values
    ('opinion.proactive', '主动公开', 1),
    ('opinion.on_request', '依申请公开', 2),
    ('opinion.withheld', '不予公开', 3),
    ('kind.publish', '发布审批', 1),
    ('kind.change', '修改审批', 2),
    ('kind.withdraw', '撤回（删除）审批', 3),
    ('step.submit', '经办人提交（初步意见）', 0),
    ('step.unit_head', '股室负责人审核', 1),
    ('step.secrecy', '保密审查', 2),
    ('step.referred', '需报审，等待上级答复', 3),
    ('step.referral', '上级保密审查机关答复', 3),
    ('step.leader', '分管领导审批', 4),
    ('step.done', '审批结束', 5),
    ('decision.approve', '同意', 1),
    ('decision.reject', '退回', 2),
    ('decision.open', '公开', 3),
    ('decision.withhold', '不公开', 4),
    ('decision.refer', '需报审', 5),
    ('decision.exempt', '免于保密审查', 6),
    ('decision.not_applicable', '无需保密审查', 7),
    ('outcome.open', '审批中', 1),
    ('outcome.approved', '已批准', 2),
    ('outcome.rejected', '已退回', 3),
    ('mode.withdrawn', '撤回（保留撤回公告）', 1),
    ('mode.removed', '删除（页面不再提供）', 2);

create function term_name(p_group text, p_code text)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select name from review_terms where term = p_group || '.' || p_code
$$;

-- Timeliness (DOMAIN.md §1; 000 制度 第十二条: 15 working days; the
-- strictest of the seeds).
insert into settings (key, value, note) values
    ('item.publish_working_days', '15',
     '主动公开信息应在生成（或变更）之日起多少个工作日内发布'),
    ('item.due_soon_working_days', '3',
     '首页提示“即将到期”的剩余工作日数');

-- The columns the chain maintains on items.
alter table items
    add column kind text not null default 'general'
        references item_kinds (kind),
    -- who wrote the draft: none of them may decide a step of its review
    -- ("nobody approves their own draft")
    add column created_by bigint references users (id),
    add column editors bigint[] not null default '{}',
    -- the last approved change (the public page shows both)
    add column changed_at timestamptz,
    add column change_note text,
    -- an approved withdrawal or removal (the notice shows both)
    add column withdrawn_at timestamptz,
    add column withdraw_reason text,
    -- why an item became public without a review record of this system:
    -- data imported from before it (see items_chain_guard in 0016)
    add column import_note text;

-- Attachments of a published item change with an approved change only:
-- one added to a change draft is pending (not public) until the change is
-- approved, one marked for removal stays public until then; a removed
-- attachment is kept (every version is kept), never served again.
alter table attachments
    add column pending boolean not null default false,
    add column remove_pending boolean not null default false,
    add column removed_at timestamptz,
    add constraint attachments_pending_state check (
        not (pending and (remove_pending or removed_at is not null)));
