-- 0016: the review chain itself (先审后发、一事一审; seed 003 第九、十条,
-- 004 第十六至十九条, 条例 第十七条, DOMAIN.md §2), enforced by the
-- database whoever writes:
--
--   review_rounds  one approval request (审批表) per submission: to
--                  publish an item (kind publish), to change a published
--                  one (change) or to withdraw / remove it (withdraw);
--                  the drafter's initial opinion, the screening hits, and
--                  whether the secrecy step is skipped and why;
--   review_steps   the decisions, append-only: unit head, secrecy review
--                  (公开 / 不公开 / 需报审, or the automatic exemption
--                  record), the higher authority's answer to a referral,
--                  the leader in charge;
--   item_versions  every public version of an item, and the one change
--                  draft of a published item.
--
-- A round's current step and outcome are derived from its steps (a
-- trigger recomputes them on every update, so they cannot be set by
-- hand).  A step is accepted only when it is the round's next step, is
-- decided by someone holding that step's role in the item's organ who
-- neither wrote nor submitted the item and decided no other step of the
-- round.  The item's state follows the round, and items_chain_guard
-- refuses every state change or edit that the records do not justify:
-- no role, the owner included, can publish an item without a complete
-- approval record by a plain UPDATE.
--
-- The one exception is data imported from before this system (the demo
-- catalogue, tools/gen-items): a transaction that declares
--     set local gongkai.import = '<why>'
-- on a connection that is not the web role's may write items in any
-- state; the item keeps the reason in import_note.

-- ---------------------------------------------------------------- tables

create table item_versions (
    id            bigint generated always as identity primary key,
    item_id       bigint not null references items (id),
    -- 1, 2, ... in the order the versions became public; null for the
    -- change draft
    no            integer check (no >= 1),
    title         text not null
                  check (btrim(title) <> '' and length(title) <= 500),
    summary       text,
    doc_no        text check (doc_no is null or btrim(doc_no) <> ''),
    generated_on  date check (generated_on >= date '1949-10-01'),
    category_id   integer references categories (id),
    validity      text not null default '有效'
                  check (validity in ('有效', '失效', '废止')),
    keywords      text,
    body_html     text not null default ''
                  check (body_html !~* '<\s*/?\s*(script|style|iframe|object|embed|form|base|meta|link)\M|\son[a-z]+\s*=|javascript:'),
    kind          text not null default 'general'
                  references item_kinds (kind),
    -- the public attachments when this version became public
    attachments   jsonb,
    -- 修改说明: what changed and why (shown on the public page)
    change_note   text,
    created_by    bigint references users (id),
    editors       bigint[] not null default '{}',
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    round_id      bigint,
    published_at  timestamptz,
    unique (item_id, no),
    check ((no is null) = (published_at is null))
);

create unique index item_versions_one_draft on item_versions (item_id)
    where published_at is null;

create table review_rounds (
    id               bigint generated always as identity primary key,
    item_id          bigint not null references items (id),
    no               integer not null check (no >= 1),
    kind             text not null
                     check (kind in ('publish', 'change', 'withdraw')),
    -- the drafter's initial opinion (003 第九条 1); none for a withdrawal
    opinion          text
                     check (opinion in ('proactive', 'on_request',
                                        'withheld')),
    -- for 不予公开: the ground (条例 第十四至十六条)
    ground           text references withhold_grounds (code),
    opinion_note     text,
    version_id       bigint references item_versions (id),
    withdraw_mode    text check (withdraw_mode in ('withdrawn', 'removed')),
    withdraw_reason  text,
    submitted_by     bigint not null references users (id),
    submitted_at     timestamptz not null default now(),
    -- who wrote, edited or submitted what is reviewed: none of them may
    -- decide a step
    authors          bigint[] not null,
    -- the module's screening hits (sql/ADMIN.md), shown to every
    -- reviewer; the secrecy reviewer must acknowledge them
    screen_hits      jsonb not null default '[]'
                     check (jsonb_typeof(screen_hits) = 'array'),
    -- the secrecy step is skipped: 'exempt' (an exempt kind, 004 第十七条)
    -- or 'not_applicable' (nothing goes on the site: a withdrawal, or the
    -- opinion is not 主动公开); the record says why
    secrecy_skip     text check (secrecy_skip in ('exempt',
                                                  'not_applicable')),
    skip_kind        text references item_kinds (kind),
    skip_reason      text,
    -- derived from review_steps (review_rounds_derive)
    step             text not null default 'unit_head'
                     check (step in ('unit_head', 'secrecy', 'referred',
                                     'leader', 'done')),
    outcome          text check (outcome in ('approved', 'rejected')),
    closed_at        timestamptz,
    -- the leader's publication time; null: at once
    publish_at       timestamptz,
    -- when the approved effect took place
    applied_at       timestamptz,
    unique (item_id, no),
    check ((kind = 'withdraw') = (opinion is null)),
    check (coalesce(opinion = 'withheld', false) = (ground is not null)),
    check ((kind = 'change') = (version_id is not null)),
    check ((kind = 'withdraw') = (withdraw_mode is not null)),
    check (kind <> 'withdraw' or btrim(coalesce(withdraw_reason, '')) <> ''),
    check (coalesce(secrecy_skip = 'exempt', false) = (skip_kind is not null)),
    check ((secrecy_skip is null) = (skip_reason is null)),
    check ((step = 'done') = (outcome is not null)),
    check ((outcome is null) = (closed_at is null)),
    check (applied_at is null or outcome = 'approved')
);

-- one approval at a time per item
create unique index review_rounds_one_open on review_rounds (item_id)
    where outcome is null;
-- what waits at each step (dashboards)
create index review_rounds_open_step on review_rounds (step)
    where outcome is null;
-- publish_due(): approved, not yet applied (scheduled) rounds only, so
-- the check on every public page is one probe of an almost empty index
create index review_rounds_due on review_rounds (publish_at)
    where outcome = 'approved' and applied_at is null;

alter table item_versions
    add foreign key (round_id) references review_rounds (id);

create table review_steps (
    id                 bigint generated always as identity primary key,
    round_id           bigint not null references review_rounds (id),
    step               text not null
                       check (step in ('unit_head', 'secrecy', 'referral',
                                       'leader')),
    decision           text not null,
    -- null only for the automatic record of a skipped secrecy step
    actor_id           bigint references users (id),
    at                 timestamptz not null default now(),
    reason             text,
    -- 审查依据 of the secrecy opinion (003 第十条)
    basis              text,
    hits_acknowledged  boolean not null default false,
    -- 需报审: to whom and when it was referred
    referred_to        text,
    referred_on        date,
    -- the higher authority's answer: who answered, when
    authority          text,
    answered_on        date,
    -- leader's approval: publication time (null: at once)
    publish_at         timestamptz,
    check (case step
               when 'unit_head' then decision in ('approve', 'reject')
               when 'leader' then decision in ('approve', 'reject')
               when 'secrecy' then decision in ('open', 'withhold', 'refer',
                                                'exempt', 'not_applicable')
               when 'referral' then decision in ('open', 'withhold')
           end),
    check ((actor_id is null) = (decision in ('exempt', 'not_applicable'))),
    check ((decision = 'refer')
           = (referred_to is not null and referred_on is not null)),
    check ((step = 'referral')
           = (authority is not null and answered_on is not null)),
    check (publish_at is null or (step = 'leader' and decision = 'approve'))
);

create index review_steps_round on review_steps (round_id, id);
create index review_steps_actor on review_steps (actor_id);

-- admin lists: an organ's items, most recently touched first
create index items_organ_updated on items (organ_id, updated_at desc, id desc);

-- ------------------------------------------------------------- helpers

-- The declared import reason, or null.  The web role can never declare
-- one: session_user is the role that logged in, whatever SET ROLE or a
-- security definer function does.
create function import_reason()
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select nullif(btrim(current_setting('gongkai.import', true)), '')
     where session_user <> 'gongkai_web'
$$;

-- The first classic secrecy mark (密级标志) in a text, or null: the
-- database's own check, beside the module's screening (003 第八条, 004
-- 第二十二条; "上网信息不涉密").  It looks for the formal marks only
-- (绝密★, 机密★1年, 秘密★启用前, ★6个月, 内部★), not for words
-- such as 国家秘密 in a normal sentence.  Markup is removed first.
create function secrecy_mark_in(p_text text)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select (regexp_match(
               replace(replace(replace(replace(regexp_replace(
                   coalesce(p_text, ''), '<[^>]*>', '', 'g'),
                   '&#9733;', '★'), '&#x2605;', '★'), '&starf;', '★'),
                   '&bigstar;', '★'),
               '((绝密|机密|秘密|内部)[[:space:]\u00a0\u3000]*★'
               '([[:space:]\u00a0\u3000]*(启用前|[0-9０-９一二三四五六七八九十]+'
               '[[:space:]\u00a0\u3000]*(年|个月)))?'
               '|★[[:space:]\u00a0\u3000]*(启用前|[0-9０-９一二三四五六七八九十]+'
               '[[:space:]\u00a0\u3000]*(年|个月)))'))[1]
$$;

-- Step groups: the referral answer belongs to the secrecy step.
create function step_group(p_step text)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case when p_step in ('secrecy', 'referral') then 'secrecy'
                else p_step end
$$;

-- The role a step needs.
create function step_role(p_step text)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case step_group(p_step)
               when 'unit_head' then 'unit_head'
               when 'secrecy' then 'secrecy_reviewer'
               when 'leader' then 'leader'
           end
$$;

create function user_has_role(p_user bigint, p_role text)
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select exists (select 1 from user_roles
                    where user_id = p_user and role = p_role)
$$;

-- Why a user may not decide a step of a round (null: they may).  Used by
-- the step trigger and by the pages (which offer only what is allowed).
create function may_decide(p_user bigint, p_round review_rounds,
                           p_step text)
returns text
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_user   users;
    v_organ  bigint;
begin
    select * into v_user from users where id = p_user;
    if not found or not v_user.active then
        return '账户不可用';
    end if;
    if not user_has_role(p_user, step_role(p_step)) then
        return format('您没有“%s”的权限',
                      term_name('step', step_group(p_step)));
    end if;
    select organ_id into v_organ from items where id = p_round.item_id;
    if v_user.organ_id is distinct from v_organ
       and not user_has_role(p_user, 'system_admin')
    then
        return '只能审批本机关的信息';
    end if;
    if p_user = any (p_round.authors) then
        return '不能审批自己起草、修改或提交的信息';
    end if;
    if exists (select 1 from review_steps s
                where s.round_id = p_round.id and s.actor_id = p_user
                  and step_group(s.step) <> step_group(p_step))
    then
        return '同一人不能审批同一信息的两个环节';
    end if;
    return null;
end
$$;

-- A round's step, outcome and publication time, from its decisions in
-- order (the chain of 003 第九条):
--   unit_head --approve--> secrecy --公开 / skipped--> leader --approve-->
--   done (approved); secrecy --需报审--> referred --answer 公开--> leader;
--   every 退回 / 不公开 --> done (rejected).
create function round_derive(p_round bigint, out step text,
                             out outcome text, out publish_at timestamptz)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    s       review_steps;
    v_want  text;
begin
    step := 'unit_head';
    for s in select * from review_steps where round_id = p_round order by id
    loop
        v_want := case step when 'referred' then 'referral' else step end;
        if step = 'done' or s.step <> v_want then
            raise exception 'round %: step % (%) out of order', p_round,
                s.id, s.step;
        end if;
        case s.decision
            when 'approve' then
                if s.step = 'unit_head' then
                    step := 'secrecy';
                else
                    step := 'done';
                    outcome := 'approved';
                    publish_at := s.publish_at;
                end if;
            when 'open', 'exempt', 'not_applicable' then
                step := 'leader';
            when 'refer' then
                step := 'referred';
            else
                step := 'done';
                outcome := 'rejected';
        end case;
    end loop;
end
$$;

-- Why an approved round is not a complete approval record (null: it
-- is): every step decided, by different people holding the roles, none of
-- them an author, in order, the hits acknowledged, a referral answered.
-- Checked again whenever an item is published, scheduled, changed or
-- withdrawn.
create function round_incomplete(p_round review_rounds)
returns text
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_u    review_steps;
    v_s    review_steps;
    v_ref  review_steps;
    v_l    review_steps;
    v_ids  bigint[];
begin
    if p_round.id is null then
        return '没有审批记录（先审后发）';
    end if;
    if p_round.outcome is distinct from 'approved' then
        return '审批尚未通过';
    end if;

    select * into v_u from review_steps
     where round_id = p_round.id and step = 'unit_head'
       and decision = 'approve' and actor_id is not null;
    if v_u.id is null then
        return '缺少股室负责人的审核意见';
    end if;

    select * into v_s from review_steps
     where round_id = p_round.id and step = 'secrecy';
    if p_round.secrecy_skip is not null then
        if v_s.id is null or v_s.decision <> p_round.secrecy_skip
           or v_s.actor_id is not null
        then
            return '缺少免于保密审查的记录';
        end if;
    else
        if v_s.id is null or v_s.actor_id is null
           or v_s.decision not in ('open', 'refer')
        then
            return '缺少保密审查意见';
        end if;
        if jsonb_array_length(p_round.screen_hits) > 0
           and not v_s.hits_acknowledged
        then
            return '保密审查员未确认敏感信息筛查提示';
        end if;
        if v_s.decision = 'refer' then
            select * into v_ref from review_steps
             where round_id = p_round.id and step = 'referral'
               and decision = 'open' and actor_id is not null;
            if v_ref.id is null then
                return '缺少上级保密审查机关同意公开的答复';
            end if;
        end if;
    end if;

    select * into v_l from review_steps
     where round_id = p_round.id and step = 'leader'
       and decision = 'approve' and actor_id is not null;
    if v_l.id is null then
        return '缺少分管领导的审批意见';
    end if;

    if not (v_u.id < v_s.id and v_s.id < v_l.id
            and (v_ref.id is null or (v_s.id < v_ref.id
                                      and v_ref.id < v_l.id)))
    then
        return '审批环节顺序不符';
    end if;

    v_ids := array[v_u.actor_id, v_s.actor_id, v_ref.actor_id,
                   v_l.actor_id];
    if exists (select 1 from unnest(v_ids) a
                where a = any (p_round.authors))
    then
        return '审批人中有本信息的起草人、修改人或提交人';
    end if;
    if v_u.actor_id = v_l.actor_id
       or v_u.actor_id in (v_s.actor_id, v_ref.actor_id)
       or v_l.actor_id in (v_s.actor_id, v_ref.actor_id)
    then
        return '同一人审批了两个环节';
    end if;

    return null;
end
$$;

-- The latest round of an item (null fields when there is none).
create function latest_round(p_item bigint)
returns review_rounds
language sql stable
set search_path = gongkai, pg_temp
as $$
    select * from review_rounds where item_id = p_item
     order by no desc limit 1
$$;

-- ------------------------------------------------------ items: the guard

create function items_chain_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_import   text := import_reason();
    r          review_rounds;
    v_ok       boolean;
    v_why      text;
    v_ver      item_versions;
    v_apply    boolean := false;
begin
    if tg_op = 'INSERT' then
        if v_import is not null then
            if new.state <> 'draft' then
                new.import_note := coalesce(new.import_note, v_import);
            end if;
            return new;
        end if;
        if new.state <> 'draft' then
            raise exception '新信息只能以草稿创建，发布须经审核（先审后发）'
                using errcode = 'GKA09';
        end if;
        if new.changed_at is not null or new.change_note is not null
           or new.withdrawn_at is not null or new.withdraw_reason is not null
           or new.import_note is not null
        then
            raise exception '这些字段由审核流程填写' using errcode = 'GKA09';
        end if;
        return new;
    end if;

    if v_import is not null then
        if new.state = 'published' and old.state <> 'published' then
            new.import_note := coalesce(new.import_note, v_import);
        end if;
        return new;
    end if;

    r := latest_round(new.id);

    -- a change of state must be what the latest round decided
    if new.state is distinct from old.state then
        v_why := null;
        if old.state = 'draft' and new.state = 'review' then
            v_ok := r.kind = 'publish' and r.outcome is null;
        elsif old.state = 'review' and new.state = 'draft' then
            v_ok := r.kind = 'publish' and r.outcome = 'rejected';
        else
            v_why := round_incomplete(r);
            v_ok := v_why is null and r.applied_at is null;
            if v_ok then
                if old.state = 'review' and new.state = 'scheduled' then
                    v_ok := r.kind = 'publish' and r.opinion = 'proactive'
                            and r.publish_at > now();
                elsif old.state in ('review', 'scheduled')
                      and new.state = 'published'
                then
                    v_ok := r.kind = 'publish' and r.opinion = 'proactive'
                            and coalesce(r.publish_at, now()) <= now();
                elsif old.state = 'review' and new.state = 'not_public' then
                    v_ok := r.kind = 'publish'
                            and r.opinion <> 'proactive';
                elsif old.state = 'published'
                      and new.state in ('withdrawn', 'removed')
                then
                    v_ok := r.kind = 'withdraw'
                            and r.withdraw_mode = new.state;
                else
                    v_ok := false;
                end if;
            end if;
        end if;
        if not coalesce(v_ok, false) then
            raise exception '不能把信息从“%”改为“%”：%',
                (select name from item_states where state = old.state),
                (select name from item_states where state = new.state),
                coalesce(v_why, '没有相应的审批记录（先审后发）')
                using errcode = 'GKA09';
        end if;
    end if;

    -- applying an approved change: the new content is the change draft's
    if old.state = 'published' and new.state = 'published'
       and r.kind = 'change' and r.outcome = 'approved'
       and r.applied_at is null and round_incomplete(r) is null
       and coalesce(r.publish_at, now()) <= now()
    then
        select * into v_ver from item_versions where id = r.version_id;
        v_apply := (new.title, new.summary, new.doc_no, new.generated_on,
                    new.category_id, new.validity, new.keywords,
                    new.body_html, new.kind, new.change_note)
                   is not distinct from
                   (v_ver.title, v_ver.summary, v_ver.doc_no,
                    v_ver.generated_on, v_ver.category_id, v_ver.validity,
                    v_ver.keywords, v_ver.body_html, v_ver.kind,
                    v_ver.change_note);
    end if;

    if (new.title, new.summary, new.doc_no, new.generated_on, new.organ_id,
        new.category_id, new.validity, new.keywords, new.body_html,
        new.kind)
       is distinct from
       (old.title, old.summary, old.doc_no, old.generated_on, old.organ_id,
        old.category_id, old.validity, old.keywords, old.body_html,
        old.kind)
       and not (old.state = 'draft' and new.state = 'draft')
       and not v_apply
    then
        raise exception '审核中、已发布或已撤回的信息不能直接修改；'
            '已发布的信息请提出修改审批'
            using errcode = 'GKA09';
    end if;

    if (new.changed_at, new.change_note)
       is distinct from (old.changed_at, old.change_note)
       and not v_apply
    then
        raise exception '修改日期和修改说明由修改审批填写'
            using errcode = 'GKA09';
    end if;

    if (new.withdrawn_at, new.withdraw_reason)
       is distinct from (old.withdrawn_at, old.withdraw_reason)
       and not (old.state = 'published'
                and new.state in ('withdrawn', 'removed'))
    then
        raise exception '撤回日期和原因由撤回审批填写'
            using errcode = 'GKA09';
    end if;

    if new.import_note is distinct from old.import_note
       or new.created_by is distinct from old.created_by
       or (new.editors is distinct from old.editors
           and old.state <> 'draft')
    then
        raise exception '这些字段不能修改' using errcode = 'GKA09';
    end if;

    if new.published_at is distinct from old.published_at
       and not (new.state = 'published' and old.state <> 'published')
    then
        raise exception '发布时间不能修改' using errcode = 'GKA09';
    end if;

    return new;
end
$$;

create trigger items_chain_guard
    before insert or update on items
    for each row execute function items_chain_guard();

-- ------------------------------------------------ attachments: the guard

create function attachments_chain_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_item     items;
    v_open     boolean;
    v_draft    boolean;
    v_editable boolean;
    r          review_rounds;
begin
    if import_reason() is not null then
        return case tg_op when 'DELETE' then old else new end;
    end if;

    select * into v_item from items
     where id = case tg_op when 'DELETE' then old.item_id
                           else new.item_id end;
    v_open := exists (select 1 from review_rounds
                       where item_id = v_item.id and outcome is null);
    v_draft := exists (select 1 from item_versions
                        where item_id = v_item.id and published_at is null);
    v_editable := not v_open
                  and (v_item.state = 'draft'
                       or (v_item.state = 'published' and v_draft));

    if tg_op = 'INSERT' then
        if not v_editable then
            raise exception '此时不能添加附件：只有草稿或已发布信息的修改稿'
                '可以添加附件' using errcode = 'GKA09';
        end if;
        new.pending := v_item.state = 'published';
        new.remove_pending := false;
        new.removed_at := null;
        return new;
    end if;

    if tg_op = 'DELETE' then
        if v_editable and (v_item.state = 'draft' or old.pending) then
            return old;
        end if;
        raise exception '已公开的附件不能删除，请在修改稿中标记删除'
            using errcode = 'GKA09';
    end if;

    if (new.item_id, new.no, new.file_name, new.content_type, new.data)
       is distinct from
       (old.item_id, old.no, old.file_name, old.content_type, old.data)
    then
        raise exception '附件内容不能修改，请删除后重新上传'
            using errcode = 'GKA09';
    end if;

    if (new.pending, new.removed_at) is distinct from
       (old.pending, old.removed_at)
    then
        -- only when an approved change is applied
        r := latest_round(v_item.id);
        if not (r.kind = 'change' and r.outcome = 'approved'
                and r.applied_at is null and round_incomplete(r) is null
                and v_item.state = 'published')
        then
            raise exception '附件的公开状态由修改审批决定'
                using errcode = 'GKA09';
        end if;
    elsif new.remove_pending is distinct from old.remove_pending then
        if not (v_editable and v_item.state = 'published'
                and not old.pending and old.removed_at is null)
        then
            raise exception '此时不能标记删除附件' using errcode = 'GKA09';
        end if;
    end if;

    return new;
end
$$;

create trigger attachments_chain_guard
    before insert or update or delete on attachments
    for each row execute function attachments_chain_guard();

-- -------------------------------------------- versions: the guard

create function item_versions_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if tg_op = 'DELETE' then
        if old.published_at is not null
           or exists (select 1 from review_rounds where version_id = old.id)
        then
            raise exception '版本记录不能删除' using errcode = 'GKA09';
        end if;
        return old;
    end if;

    if tg_op = 'INSERT' then
        if new.published_at is null
           and not exists (select 1 from items
                            where id = new.item_id and state = 'published')
        then
            raise exception '只有已发布的信息可以提出修改'
                using errcode = 'GKA09';
        end if;
        return new;
    end if;

    if old.published_at is not null then
        raise exception '已公开的版本不能修改' using errcode = 'GKA09';
    end if;
    if new.item_id <> old.item_id then
        raise exception '版本不能移到另一条信息' using errcode = 'GKA09';
    end if;
    if new.published_at is not null then
        -- becoming public: only by the approved change round that holds it
        if not exists (select 1 from review_rounds r
                        where r.version_id = new.id and r.outcome = 'approved'
                          and r.applied_at is null)
        then
            raise exception '修改稿只能经修改审批公开'
                using errcode = 'GKA09';
        end if;
    elsif exists (select 1 from review_rounds
                   where version_id = new.id and outcome is null)
    then
        raise exception '修改稿正在审批，不能修改' using errcode = 'GKA09';
    end if;
    new.updated_at := now();
    return new;
end
$$;

create trigger item_versions_guard
    before insert or update or delete on item_versions
    for each row execute function item_versions_guard();

-- ------------------------------------------------------ rounds

create function review_rounds_before_insert()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_item   items;
    v_ver    item_versions;
    v_kind   item_kinds;
    v_text   text;
    v_mark   text;
    v_user   users;
    v_by     bigint[];
    v_gen    date;
    v_cat    integer;
begin
    select * into v_item from items where id = new.item_id for update;
    if not found then
        raise exception '信息不存在' using errcode = 'GKA04';
    end if;
    if exists (select 1 from review_rounds
                where item_id = new.item_id and outcome is null)
    then
        raise exception '该信息已有一份审批正在进行' using errcode = 'GKA09';
    end if;

    select * into v_user from users where id = new.submitted_by;
    if not found or not v_user.active
       or not user_has_role(v_user.id, 'drafter')
    then
        raise exception '只有经办人可以提交审批' using errcode = 'GKA09';
    end if;
    if v_user.organ_id <> v_item.organ_id
       and not user_has_role(v_user.id, 'system_admin')
    then
        raise exception '只能提交本机关的信息' using errcode = 'GKA09';
    end if;

    new.no := coalesce((select max(no) from review_rounds
                         where item_id = new.item_id), 0) + 1;
    new.submitted_at := now();
    new.step := 'unit_head';
    new.outcome := null;
    new.closed_at := null;
    new.publish_at := null;
    new.applied_at := null;
    new.screen_hits := coalesce(new.screen_hits, '[]');

    if new.kind = 'publish' then
        if v_item.state <> 'draft' then
            raise exception '只有草稿可以提交发布审批' using errcode = 'GKA09';
        end if;
        new.version_id := null;
        v_by := v_item.editors || v_item.created_by;
        v_text := concat_ws(' ', v_item.title, v_item.summary,
                            v_item.doc_no, v_item.keywords,
                            v_item.body_html);
        v_gen := v_item.generated_on;
        v_cat := v_item.category_id;
        select * into v_kind from item_kinds where kind = v_item.kind;
    elsif new.kind = 'change' then
        if v_item.state <> 'published' then
            raise exception '只有已发布的信息可以提交修改审批'
                using errcode = 'GKA09';
        end if;
        select * into v_ver from item_versions
         where item_id = new.item_id and published_at is null;
        if not found then
            raise exception '请先起草修改稿' using errcode = 'GKA09';
        end if;
        if btrim(coalesce(v_ver.change_note, '')) = '' then
            raise exception '请填写修改说明'
                using errcode = 'GKA22', column = 'change_note';
        end if;
        if new.opinion is distinct from 'proactive' then
            raise exception '已发布信息的修改仍为主动公开；不再公开的信息'
                '请提出撤回审批' using errcode = 'GKA22', column = 'opinion';
        end if;
        new.version_id := v_ver.id;
        v_by := v_ver.editors || v_ver.created_by;
        v_text := concat_ws(' ', v_ver.title, v_ver.summary, v_ver.doc_no,
                            v_ver.keywords, v_ver.body_html,
                            v_ver.change_note);
        v_gen := v_ver.generated_on;
        v_cat := v_ver.category_id;
        select * into v_kind from item_kinds where kind = v_ver.kind;
    elsif new.kind = 'withdraw' then
        if v_item.state <> 'published' then
            raise exception '只有已发布的信息可以撤回' using errcode = 'GKA09';
        end if;
        if new.withdraw_mode is null then
            raise exception '请选择撤回方式'
                using errcode = 'GKA22', column = 'mode';
        end if;
        if btrim(coalesce(new.withdraw_reason, '')) = '' then
            raise exception '请填写撤回原因'
                using errcode = 'GKA22', column = 'reason';
        end if;
        new.opinion := null;
        new.ground := null;
        new.version_id := null;
        v_by := '{}';
    end if;

    new.authors := array(select distinct a
                           from unnest(v_by || new.submitted_by) a
                          where a is not null order by a);

    if new.kind <> 'withdraw' then
        if new.opinion is null then
            raise exception '请选择初步意见'
                using errcode = 'GKA22', column = 'opinion';
        end if;
        if new.opinion = 'withheld' and new.ground is null then
            raise exception '不予公开须选择依据（条例第十四至十六条）'
                using errcode = 'GKA22', column = 'ground';
        end if;
        if new.opinion <> 'withheld' then
            new.ground := null;
        end if;
        if new.opinion = 'proactive'
           and (v_gen is null or v_cat is null or v_item.organ_id is null)
        then
            raise exception '主动公开的信息须填写生成日期和主题分类后才能提交'
                using errcode = 'GKA22', column = 'submit';
        end if;

        -- the database's own secrecy-mark check: text and attachment names
        v_text := v_text || ' ' || coalesce((
            select string_agg(a.file_name, ' ')
              from attachments a
             where a.item_id = new.item_id and a.removed_at is null
               and not a.remove_pending), '');
        v_mark := secrecy_mark_in(v_text);
        if v_mark is not null then
            raise exception '发现密级标志“%”：涉密信息不得上网发布，不能提交审批',
                v_mark using errcode = 'GKA09';
        end if;
        if exists (select 1 from jsonb_array_elements(new.screen_hits) h
                    where jsonb_typeof(h) <> 'object'
                       or h -> 'blocking' = 'true'::jsonb)
        then
            raise exception '筛查发现密级标志：涉密信息不得上网发布，不能提交审批'
                using errcode = 'GKA09';
        end if;
    end if;

    -- the secrecy step: skipped when nothing goes on the site, or for an
    -- exempt kind (004 第十七条); the record keeps why
    if new.kind = 'withdraw' then
        new.secrecy_skip := 'not_applicable';
        new.skip_kind := null;
        new.skip_reason := '撤回或删除不新增公开内容，无需发布前保密审查';
    elsif new.opinion <> 'proactive' then
        new.secrecy_skip := 'not_applicable';
        new.skip_kind := null;
        new.skip_reason := format('初步意见为“%s”，信息不在网站发布，'
                                  '无需发布前保密审查',
                                  term_name('opinion', new.opinion));
    elsif v_kind.secrecy_exempt then
        new.secrecy_skip := 'exempt';
        new.skip_kind := v_kind.kind;
        new.skip_reason := v_kind.basis;
    else
        new.secrecy_skip := null;
        new.skip_kind := null;
        new.skip_reason := null;
    end if;

    return new;
end
$$;

create trigger review_rounds_before_insert
    before insert on review_rounds
    for each row execute function review_rounds_before_insert();

create function review_rounds_after_insert()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if new.kind = 'publish' then
        update items set state = 'review' where id = new.item_id;
    end if;
    return null;
end
$$;

create trigger review_rounds_after_insert
    after insert on review_rounds
    for each row execute function review_rounds_after_insert();

-- Everything a submission recorded is fixed; step, outcome and the
-- publication time always follow the decisions.
create function review_rounds_before_update()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    if (new.id, new.item_id, new.no, new.kind, new.opinion, new.ground,
        new.opinion_note, new.version_id, new.withdraw_mode,
        new.withdraw_reason, new.submitted_by, new.submitted_at,
        new.authors, new.screen_hits, new.secrecy_skip, new.skip_kind,
        new.skip_reason)
       is distinct from
       (old.id, old.item_id, old.no, old.kind, old.opinion, old.ground,
        old.opinion_note, old.version_id, old.withdraw_mode,
        old.withdraw_reason, old.submitted_by, old.submitted_at,
        old.authors, old.screen_hits, old.secrecy_skip, old.skip_kind,
        old.skip_reason)
    then
        raise exception '审批表提交后不能修改' using errcode = 'GKA09';
    end if;

    d := round_derive(new.id);
    new.step := d.step;
    new.outcome := d.outcome;
    new.publish_at := d.publish_at;
    new.closed_at := case when d.outcome is null then null
                          else coalesce(old.closed_at, now()) end;

    if new.applied_at is distinct from old.applied_at then
        if old.applied_at is not null or new.outcome is distinct from 'approved'
           or coalesce(new.publish_at, now()) > now()
        then
            raise exception '审批结果尚不能执行' using errcode = 'GKA09';
        end if;
        new.applied_at := now();
    end if;
    return new;
end
$$;

create trigger review_rounds_before_update
    before update on review_rounds
    for each row execute function review_rounds_before_update();

create function review_records_append_only()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    raise exception '审批记录不能删除或改写（% %）', tg_table_name, tg_op
        using errcode = 'GKA09';
end
$$;

create trigger review_rounds_no_delete
    before delete on review_rounds
    for each row execute function review_records_append_only();

create trigger review_rounds_no_truncate
    before truncate on review_rounds
    for each statement execute function review_records_append_only();

-- -------------------------------------------------------------- steps

create function review_steps_before_insert()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    r       review_rounds;
    d       record;
    v_want  text;
    v_why   text;
begin
    select * into r from review_rounds where id = new.round_id for update;
    if not found then
        raise exception '审批表不存在' using errcode = 'GKA04';
    end if;

    d := round_derive(r.id);
    if d.outcome is not null then
        raise exception '这份审批已经结束' using errcode = 'GKA09';
    end if;
    v_want := case d.step when 'referred' then 'referral' else d.step end;
    if new.step <> v_want then
        raise exception '该信息当前处于“%”环节，不能进行“%”',
            term_name('step', d.step), term_name('step', new.step)
            using errcode = 'GKA09';
    end if;
    new.at := now();

    if new.decision in ('exempt', 'not_applicable') then
        if new.step <> 'secrecy' or new.actor_id is not null
           or r.secrecy_skip is distinct from new.decision
        then
            raise exception '只有免于保密审查的信息才能跳过保密审查'
                using errcode = 'GKA09';
        end if;
        new.reason := r.skip_reason;
        new.basis := case when r.skip_kind is not null then
                         (select name from item_kinds
                           where kind = r.skip_kind) end;
        return new;
    end if;

    if new.step = 'secrecy' and r.secrecy_skip is not null then
        raise exception '本信息无需保密审查' using errcode = 'GKA09';
    end if;
    if new.actor_id is null then
        raise exception '审批须由审批人作出' using errcode = 'GKA09';
    end if;

    v_why := may_decide(new.actor_id, r, new.step);
    if v_why is not null then
        raise exception '%', v_why using errcode = 'GKA09';
    end if;

    new.reason := nullif(btrim(new.reason), '');
    new.basis := nullif(btrim(new.basis), '');
    if new.decision in ('reject', 'withhold', 'refer')
       and new.reason is null
    then
        raise exception '请填写理由' using errcode = 'GKA22', column = 'reason';
    end if;
    if new.step = 'secrecy' then
        -- 003 第十条: the opinion states its basis and reasons
        if new.basis is null then
            raise exception '请填写审查依据'
                using errcode = 'GKA22', column = 'basis';
        end if;
        if new.reason is null then
            raise exception '请填写审查理由'
                using errcode = 'GKA22', column = 'reason';
        end if;
        if jsonb_array_length(r.screen_hits) > 0
           and not new.hits_acknowledged
        then
            raise exception '请先确认已查看敏感信息筛查提示'
                using errcode = 'GKA22', column = 'hits_ack';
        end if;
    end if;
    if new.decision = 'refer' then
        new.referred_to := nullif(btrim(new.referred_to), '');
        if new.referred_to is null or new.referred_on is null then
            raise exception '需报审须填写报送的机关和日期'
                using errcode = 'GKA22', column = 'referred_to';
        end if;
    end if;
    if new.step = 'referral' then
        new.authority := nullif(btrim(new.authority), '');
        if new.authority is null or new.answered_on is null then
            raise exception '请填写答复机关和答复日期'
                using errcode = 'GKA22', column = 'authority';
        end if;
        if new.answered_on < (select referred_on from review_steps
                               where round_id = r.id and decision = 'refer')
        then
            raise exception '答复日期不能早于报审日期'
                using errcode = 'GKA22', column = 'answered_on';
        end if;
    end if;
    if new.publish_at is not null
       and (r.kind = 'withdraw' or r.opinion <> 'proactive')
    then
        raise exception '只有主动公开的发布或修改可以定时'
            using errcode = 'GKA22', column = 'publish_at';
    end if;
    return new;
end
$$;

create trigger review_steps_before_insert
    before insert on review_steps
    for each row execute function review_steps_before_insert();

create trigger review_steps_no_change
    before update or delete on review_steps
    for each row execute function review_records_append_only();

create trigger review_steps_no_truncate
    before truncate on review_steps
    for each statement execute function review_records_append_only();

-- The effect of an approved round whose time has come: publish (or
-- record 不予主动公开), apply a change, withdraw or remove.
create function round_apply(p_round bigint)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    r      review_rounds;
    v_ver  item_versions;
    v_no   integer;
    v_why  text;
begin
    select * into r from review_rounds where id = p_round for update;
    if r.outcome is distinct from 'approved' or r.applied_at is not null
       or coalesce(r.publish_at, now()) > now()
    then
        return;
    end if;
    v_why := round_incomplete(r);
    if v_why is not null then
        raise exception '审批记录不完整：%', v_why using errcode = 'GKA09';
    end if;

    v_no := coalesce((select max(no) from item_versions
                       where item_id = r.item_id), 0) + 1;

    if r.kind = 'publish' and r.opinion = 'proactive' then
        update items
           set state = 'published',
               published_at = least(coalesce(r.publish_at, now()), now())
         where id = r.item_id;
        insert into item_versions
               (item_id, no, title, summary, doc_no, generated_on,
                category_id, validity, keywords, body_html, kind,
                attachments, created_by, editors, round_id, published_at)
        select i.id, v_no, i.title, i.summary, i.doc_no, i.generated_on,
               i.category_id, i.validity, i.keywords, i.body_html, i.kind,
               public_attachments_json(i.id), i.created_by, i.editors, r.id,
               i.published_at
          from items i where i.id = r.item_id;
    elsif r.kind = 'publish' then
        update items set state = 'not_public' where id = r.item_id;
    elsif r.kind = 'change' then
        select * into v_ver from item_versions where id = r.version_id;
        update items
           set title = v_ver.title, summary = v_ver.summary,
               doc_no = v_ver.doc_no, generated_on = v_ver.generated_on,
               category_id = v_ver.category_id, validity = v_ver.validity,
               keywords = v_ver.keywords, body_html = v_ver.body_html,
               kind = v_ver.kind, change_note = v_ver.change_note,
               changed_at = now()
         where id = r.item_id;
        update attachments set pending = false
         where item_id = r.item_id and pending;
        update attachments set removed_at = now(), remove_pending = false
         where item_id = r.item_id and remove_pending;
        update item_versions
           set no = v_no, round_id = r.id, published_at = now(),
               attachments = public_attachments_json(r.item_id)
         where id = v_ver.id;
    else
        update items
           set state = r.withdraw_mode, withdrawn_at = now(),
               withdraw_reason = r.withdraw_reason
         where id = r.item_id;
    end if;

    update review_rounds set applied_at = now() where id = r.id;
end
$$;

-- The public attachments of an item, as the public page lists them.
create function public_attachments_json(p_item bigint)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(jsonb_agg(jsonb_build_object(
                        'no', a.no, 'file_name', a.file_name,
                        'content_type', a.content_type, 'size', a.size)
                    order by a.no), '[]')
      from attachments a
     where a.item_id = p_item and not a.pending and a.removed_at is null
$$;

-- After a decision: the automatic record of a skipped secrecy step, the
-- round's derived state, and the item following it.
create function review_steps_after_insert()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    r  review_rounds;
begin
    if new.step = 'unit_head' and new.decision = 'approve' then
        select * into r from review_rounds where id = new.round_id;
        if r.secrecy_skip is not null then
            insert into review_steps (round_id, step, decision)
            values (r.id, 'secrecy', r.secrecy_skip);
        end if;
    end if;

    update review_rounds set step = step where id = new.round_id
    returning * into r;

    if r.outcome = 'rejected' then
        if r.kind = 'publish' then
            update items set state = 'draft'
             where id = r.item_id and state = 'review';
        end if;
    elsif r.outcome = 'approved' and r.applied_at is null then
        if coalesce(r.publish_at, now()) <= now() then
            perform round_apply(r.id);
        elsif r.kind = 'publish' then
            update items set state = 'scheduled'
             where id = r.item_id and state = 'review';
        end if;
    end if;
    return null;
end
$$;

create trigger review_steps_after_insert
    after insert on review_steps
    for each row execute function review_steps_after_insert();

-- --------------------------------------------------- scheduled publication

-- Applies every approved round whose publication time has come, so that
-- a scheduled item is public at its time without anybody acting: the
-- public page functions and the admin home call it first.  Cheap when
-- nothing is due (one probe of the partial index review_rounds_due); a
-- standby or a read-only transaction skips it; concurrent callers skip
-- each other's rows instead of waiting.  Returns how many it applied.
create function publish_due()
returns integer
language plpgsql volatile
set search_path = gongkai, pg_temp
as $$
declare
    v_id    bigint;
    v_item  bigint;
    v_kind  text;
    v_n     integer := 0;
begin
    if not exists (select 1 from review_rounds
                    where outcome = 'approved' and applied_at is null
                      and publish_at <= now())
    then
        return 0;
    end if;
    if pg_is_in_recovery()
       or current_setting('transaction_read_only') = 'on'
    then
        return 0;
    end if;

    for v_id, v_item, v_kind in
        select id, item_id, kind from review_rounds
         where outcome = 'approved' and applied_at is null
           and publish_at <= now()
         order by publish_at, id
         for update skip locked
    loop
        begin
            perform round_apply(v_id);
            perform audit(null, null,
                          case v_kind when 'publish' then 'item.publish'
                                      else 'item.change' end,
                          v_item, null,
                          jsonb_build_object('round', v_id,
                                             'scheduled', true));
            v_n := v_n + 1;
        exception when others then
            raise warning 'publish_due: round % of item % not applied: %',
                v_id, v_item, sqlerrm;
        end;
    end loop;
    return v_n;
end
$$;
