-- 0019: the admin pages of drafting and review (sql/ADMIN.md): the
-- dashboard, the item list, the item page with its review history and
-- the forms for what the user may do, the edit form, and the actions.
-- Every function checks the session (and, for actions, the CSRF token),
-- the organ scope (another organ's item is GKA04 = 404) and calls one
-- function of 0018, which writes the audit row.  Pages return booleans
-- for what the user may do ("can": the templates have no comparisons).

-- ------------------------------------------------------ audit page names

insert into audit_actions (action, name, sort) values
    ('item.create', '新建信息', 20),
    ('item.save', '修改草稿', 21),
    ('item.attachment_add', '上传附件', 22),
    ('item.attachment_delete', '删除附件', 23),
    ('item.attachment_mark_removed', '标记删除附件', 24),
    ('item.submit', '提交审核', 25),
    ('item.review', '审核意见', 26),
    ('item.referral', '录入上级保密审查答复', 27),
    ('item.return', '退回经办人', 28),
    ('item.schedule', '批准定时发布', 29),
    ('item.publish', '发布', 30),
    ('item.not_public', '确定不予主动公开', 31),
    ('item.change_start', '起草修改稿', 32),
    ('item.change_save', '修改修改稿', 33),
    ('item.change', '发布修改', 34),
    ('item.withdraw_request', '提出撤回（删除）', 35),
    ('item.withdrawn', '撤回', 36),
    ('item.removed', '删除', 37)
on conflict (action) do nothing;

insert into audit_detail_names (key, name) values
    ('round', '审批表'),
    ('kind', '审批类型'),
    ('opinion', '初步意见'),
    ('ground', '不予公开依据'),
    ('screen_hits', '筛查提示（处）'),
    ('step', '环节'),
    ('decision', '意见'),
    ('basis', '依据'),
    ('referred_to', '报送机关'),
    ('publish_at', '发布时间'),
    ('index_no', '索引号'),
    ('title', '信息名称'),
    ('changed', '修改的字段'),
    ('version_draft', '修改稿'),
    ('no', '附件序号'),
    ('file_name', '文件名'),
    ('content_type', '文件类型'),
    ('size', '大小（字节）'),
    ('mode', '方式'),
    ('answer', '答复'),
    ('authority', '答复机关'),
    ('answered_on', '答复日期'),
    ('scheduled', '定时发布')
on conflict (key) do nothing;

-- ------------------------------------------------------------- helpers

-- The N-th captured path part as an id; GKA04 when it is not one.
create function arg_id(p_args text[], p_n integer)
returns bigint
language plpgsql immutable
set search_path = gongkai, pg_temp
as $$
begin
    if p_args is null or p_args[p_n] is null
       or p_args[p_n] !~ '^[0-9]{1,18}$'
    then
        raise exception '页面不存在' using errcode = 'GKA04';
    end if;
    return p_args[p_n]::bigint;
end
$$;

create function form_flag(p_form jsonb, p_key text)
returns boolean
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select coalesce(lower(form_text(p_form, p_key))
                    in ('1', 'on', 'true', 'yes'), false)
$$;

-- The posted form as it is shown again: strings only, no CSRF token, no
-- screening hits.
create function form_echo(p_form jsonb)
returns jsonb
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select coalesce(jsonb_object_agg(k, form_text(p_form, k)), '{}')
      from jsonb_object_keys(case when jsonb_typeof(p_form) = 'object'
                                  then p_form else '{}' end) k
     where k not in ('csrf', 'screen_hits')
$$;

create function user_name(p_user bigint)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select name from users where id = p_user
$$;

-- Screening hits for the pages: with names for the kind and the field.
create function hits_json(p_hits jsonb)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'kind', h ->> 'kind',
               'kind_name', case h ->> 'kind'
                   when 'secrecy_mark' then '密级标志'
                   when 'id_number' then '居民身份证号码'
                   when 'mobile' then '手机号码'
                   when 'bank_card' then '银行卡号'
                   when 'email' then '电子邮箱地址'
                   when 'credit_code' then '统一社会信用代码'
                   else coalesce(h ->> 'kind', '其他') end,
               'field', h ->> 'field',
               'field_name', case
                   when h ->> 'field' = 'title' then '信息名称'
                   when h ->> 'field' = 'summary' then '内容概述'
                   when h ->> 'field' = 'doc_no' then '文号'
                   when h ->> 'field' = 'keywords' then '关键字'
                   when h ->> 'field' = 'body' then '正文'
                   when h ->> 'field' = 'change_note' then '修改说明'
                   when h ->> 'field' like 'attachment:%' then
                       '附件名称“' || substr(h ->> 'field', 12) || '”'
                   else h ->> 'field' end,
               'before', h ->> 'before',
               'match', h ->> 'match',
               'after', h ->> 'after',
               'blocking', coalesce(h -> 'blocking' = 'true', false))
           order by o), '[]')
      from jsonb_array_elements(case when jsonb_typeof(p_hits) = 'array'
                                     then p_hits else '[]' end)
           with ordinality x (h, o)
$$;

-- Radio or select choices with the one of the form checked.
create function choices_json(p_codes text[], p_names text[],
                             p_checked text)
returns jsonb
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'value', c, 'name', n,
               'checked', c is not distinct from p_checked)
           order by o), '[]')
      from unnest(p_codes, p_names) with ordinality x (c, n, o)
$$;

-- ------------------------------------------------------- the item page

-- Everything the item page shows (sql/ADMIN.md "items/N"), for a user
-- who may see the item; p_form and p_errors: a form shown again.
create function item_page_json(p_user bigint, p_item bigint, p_form jsonb,
                               p_errors jsonb)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    i           items;
    r           review_rounds;
    v_open      review_rounds;
    v_ver       item_versions;
    v_form      jsonb := form_echo(p_form);
    v_drafter   boolean;
    v_editable  boolean;
    v_step      text;
    v_why       text;
    v_can       jsonb;
    v_notice    text;
    v_reason    text;
begin
    select * into i from items where id = p_item;
    select * into v_open from review_rounds
     where item_id = p_item and outcome is null;
    if v_open.id is not null then
        r := v_open;
    else
        r := latest_round(p_item);
    end if;
    select * into v_ver from item_versions
     where item_id = p_item and published_at is null;

    v_drafter := user_has_role(p_user, 'drafter');
    v_editable := v_drafter and v_open.id is null
                  and (i.state = 'draft'
                       or (i.state = 'published' and v_ver.id is not null));

    if v_open.id is not null then
        v_step := case v_open.step when 'referred' then 'referral'
                                   else v_open.step end;
        v_why := may_decide(p_user, v_open, v_step);
        if v_why is not null and user_has_role(p_user, step_role(v_step))
        then
            v_notice := v_why;
        end if;
    end if;

    v_can := jsonb_build_object(
        'edit', v_editable,
        'submit', v_editable,
        'upload', v_editable,
        'change', v_drafter and i.state = 'published' and v_ver.id is null
                  and v_open.id is null,
        'withdraw', v_drafter and i.state = 'published'
                    and v_open.id is null,
        'review_unit_head', coalesce(v_open.step = 'unit_head'
                                     and v_why is null, false),
        'review_secrecy', coalesce(v_open.step = 'secrecy'
                                   and v_why is null, false),
        'review_leader', coalesce(v_open.step = 'leader'
                                  and v_why is null, false),
        'referral', coalesce(v_open.step = 'referred' and v_why is null,
                             false),
        'schedule', coalesce(v_open.step = 'leader' and v_why is null
                             and v_open.kind <> 'withdraw'
                             and v_open.opinion = 'proactive', false),
        'view_public', coalesce(i.state in ('published', 'withdrawn',
                                            'removed')
                                and i.index_no is not null, false));
    v_can := v_can || jsonb_build_object(
        'review', (v_can ->> 'review_unit_head')::boolean
                  or (v_can ->> 'review_secrecy')::boolean
                  or (v_can ->> 'review_leader')::boolean,
        'approve', (v_can ->> 'review_unit_head')::boolean
                   or (v_can ->> 'review_leader')::boolean);

    -- the reason of a rejection, for the drafter
    if r.outcome = 'rejected' then
        select s.reason into v_reason from review_steps s
         where s.round_id = r.id order by s.id desc limit 1;
    end if;

    return jsonb_build_object(
        'item', jsonb_build_object(
            'id', i.id,
            'title', i.title,
            'summary', i.summary,
            'doc_no', i.doc_no,
            'generated_on', to_char(i.generated_on, 'YYYY-MM-DD'),
            'validity', i.validity,
            'keywords', i.keywords,
            'body_html', i.body_html,
            'index_no', i.index_no,
            'kind', (select jsonb_build_object('code', k.kind,
                                               'name', k.name,
                                               'secrecy_exempt',
                                               k.secrecy_exempt)
                       from item_kinds k where k.kind = i.kind),
            'category', (select jsonb_build_object('id', c.id,
                                                   'code', c.code,
                                                   'name', c.name)
                           from categories c where c.id = i.category_id),
            'organ', (select jsonb_build_object('id', o.id, 'name', o.name,
                                                'unit_code', o.unit_code)
                        from organs o where o.id = i.organ_id),
            'state', i.state,
            'state_name', (select name from item_states
                            where state = i.state),
            'is_draft', i.state = 'draft',
            'is_published', i.state = 'published',
            'returned', coalesce(i.state = 'draft'
                                 and r.outcome = 'rejected', false),
            'return_reason', v_reason,
            'created_by_name', user_name(i.created_by),
            'created_at', fmt_time(i.created_at),
            'updated_at', fmt_time(i.updated_at),
            'published_at', fmt_time(i.published_at),
            'changed_at', fmt_time(i.changed_at),
            'change_note', i.change_note,
            'withdrawn_at', fmt_time(i.withdrawn_at),
            'withdraw_reason', i.withdraw_reason,
            'import_note', i.import_note,
            'public_path', case when i.index_no is not null
                                     and i.state in ('published',
                                                     'withdrawn',
                                                     'removed')
                                then '/item/' || i.index_no end)
            || deadline_json(item_deadline(i)),
        'draft', case when v_ver.id is not null then jsonb_build_object(
            'id', v_ver.id,
            'title', v_ver.title,
            'summary', v_ver.summary,
            'doc_no', v_ver.doc_no,
            'generated_on', to_char(v_ver.generated_on, 'YYYY-MM-DD'),
            'validity', v_ver.validity,
            'keywords', v_ver.keywords,
            'body_html', v_ver.body_html,
            'kind_name', (select name from item_kinds
                           where kind = v_ver.kind),
            'category_name', (select name from categories
                               where id = v_ver.category_id),
            'change_note', v_ver.change_note,
            'created_by_name', user_name(v_ver.created_by),
            'updated_at', fmt_time(v_ver.updated_at)) end,
        'attachments', (
            select coalesce(jsonb_agg(jsonb_build_object(
                       'no', a.no,
                       'file_name', a.file_name,
                       'content_type', a.content_type,
                       'size', a.size,
                       'pending', a.pending,
                       'remove_pending', a.remove_pending,
                       'removed', a.removed_at is not null,
                       'status', case
                           when a.removed_at is not null then
                               '已删除（' || fmt_day(a.removed_at) || '）'
                           when a.pending then '修改稿新增，审批通过后公开'
                           when a.remove_pending then
                               '已标记删除，审批通过后不再公开'
                           when i.state = 'published' then '已公开'
                           else '草稿附件' end,
                       'can_delete', v_editable and a.removed_at is null
                                     and not a.remove_pending)
                   order by a.no), '[]')
              from attachments a where a.item_id = i.id),
        'round', case when r.id is not null then jsonb_build_object(
            'id', r.id,
            'no', r.no,
            'kind', r.kind,
            'kind_name', term_name('kind', r.kind),
            'is_withdraw', r.kind = 'withdraw',
            'opinion', r.opinion,
            'opinion_name', term_name('opinion', r.opinion),
            'ground', (select jsonb_build_object('code', g.code,
                                                 'article', g.article,
                                                 'name', g.name,
                                                 'text', g.text)
                         from withhold_grounds g where g.code = r.ground),
            'opinion_note', r.opinion_note,
            'withdraw_mode_name', term_name('mode', r.withdraw_mode),
            'withdraw_reason', r.withdraw_reason,
            'submitted_by_name', user_name(r.submitted_by),
            'submitted_at', fmt_time(r.submitted_at),
            'step', r.step,
            'step_name', term_name('step', r.step),
            'is_open', r.outcome is null,
            'outcome', r.outcome,
            'outcome_name', term_name('outcome',
                                      coalesce(r.outcome, 'open')),
            'is_rejected', r.outcome = 'rejected',
            'secrecy_skip', r.secrecy_skip,
            'skip_reason', r.skip_reason,
            'publish_at', fmt_time(r.publish_at),
            'referral', (select jsonb_build_object(
                                'referred_to', s.referred_to,
                                'referred_on',
                                to_char(s.referred_on, 'YYYY-MM-DD'),
                                'by', user_name(s.actor_id))
                           from review_steps s
                          where s.round_id = r.id and s.decision = 'refer'),
            'hits', hits_json(r.screen_hits),
            'has_hits', jsonb_array_length(r.screen_hits) > 0,
            'hits_count', jsonb_array_length(r.screen_hits)) end,
        'history', (
            select coalesce(jsonb_agg(h.j order by h.round_no desc, h.seq),
                            '[]')
              from (select rr.no as round_no, 0::bigint as seq,
                           jsonb_build_object(
                               'round_no', rr.no,
                               'kind_name', term_name('kind', rr.kind),
                               'step_name', term_name('step', 'submit'),
                               'decision_name', case
                                   when rr.kind = 'withdraw' then
                                       term_name('mode', rr.withdraw_mode)
                                   else '初步意见：'
                                        || term_name('opinion', rr.opinion)
                                   end,
                               'actor_name', user_name(rr.submitted_by),
                               'at', fmt_time(rr.submitted_at),
                               'reason', coalesce(rr.opinion_note,
                                                  rr.withdraw_reason),
                               'basis', (select '条例' || g.article || '：'
                                                || g.name
                                           from withhold_grounds g
                                          where g.code = rr.ground),
                               'detail', case
                                   when jsonb_array_length(rr.screen_hits) > 0
                                   then '敏感信息筛查提示 '
                                        || jsonb_array_length(rr.screen_hits)
                                        || ' 处' end,
                               'negative', false) as j
                      from review_rounds rr where rr.item_id = i.id
                    union all
                    select rr.no, s.id,
                           jsonb_build_object(
                               'round_no', rr.no,
                               'kind_name', term_name('kind', rr.kind),
                               'step_name', term_name('step', s.step),
                               'decision_name',
                               term_name('decision', s.decision),
                               'actor_name', coalesce(user_name(s.actor_id),
                                                      '系统记录'),
                               'at', fmt_time(s.at),
                               'reason', s.reason,
                               'basis', s.basis,
                               'detail', nullif(concat_ws('；',
                                   case when s.decision = 'refer' then
                                       '报送' || s.referred_to || '（'
                                       || to_char(s.referred_on,
                                                  'YYYY-MM-DD') || '）'
                                   end,
                                   case when s.step = 'referral' then
                                       '答复机关：' || s.authority
                                       || '，答复日期：'
                                       || to_char(s.answered_on,
                                                  'YYYY-MM-DD') end,
                                   case when s.publish_at is not null then
                                       '定时发布：' || fmt_time(s.publish_at)
                                   end,
                                   case when s.hits_acknowledged then
                                       '已确认筛查提示' end), ''),
                               'negative', s.decision in ('reject',
                                                          'withhold'))
                      from review_rounds rr
                      join review_steps s on s.round_id = rr.id
                     where rr.item_id = i.id) h),
        'versions', (
            select coalesce(jsonb_agg(jsonb_build_object(
                       'no', v.no,
                       'title', v.title,
                       'published_at', fmt_time(v.published_at),
                       'change_note', v.change_note,
                       'first', v.no = 1)
                   order by v.no desc), '[]')
              from item_versions v
             where v.item_id = i.id and v.published_at is not null),
        'can', v_can,
        'review_notice', v_notice,
        'opinions', choices_json(
            array['proactive', 'on_request', 'withheld'],
            array['主动公开', '依申请公开', '不予公开'],
            coalesce(v_form ->> 'opinion', 'proactive')),
        'grounds', (
            select jsonb_agg(jsonb_build_object(
                       'code', g.code, 'article', g.article,
                       'name', g.name, 'text', g.text,
                       'label', '条例' || g.article || '：' || g.name,
                       'selected', g.code = v_form ->> 'ground')
                   order by g.sort)
              from withhold_grounds g),
        'decisions', case
            when v_open.step = 'secrecy' then choices_json(
                array['open', 'withhold', 'refer'],
                array['公开', '不公开（退回经办人）',
                      '需报审（报上级保密审查机关）'],
                v_form ->> 'decision')
            else choices_json(array['approve', 'reject'],
                              array['同意', '退回经办人'],
                              v_form ->> 'decision') end,
        'answers', choices_json(array['open', 'withhold'],
                                array['同意公开', '不同意公开（退回经办人）'],
                                v_form ->> 'answer'),
        'modes', choices_json(array['withdrawn', 'removed'],
                              array['撤回：网址保留撤回公告',
                                    '删除：网址不再提供（410）'],
                              coalesce(v_form ->> 'mode', 'withdrawn')),
        'publish_scheduled', v_form ->> 'publish' = 'scheduled',
        'form', v_form,
        'errors', coalesce(p_errors, '{}'),
        'invalid', (select coalesce(jsonb_object_agg(e.key, true), '{}')
                      from jsonb_each(coalesce(p_errors, '{}')) e),
        'has_errors', coalesce(p_errors, '{}') <> '{}',
        'today', to_char(today_cn(), 'YYYY-MM-DD'));
end
$$;

-- The item page again with errors, after a failed action.
create function item_page_again(s session_info, p_item bigint,
                                p_form jsonb, p_errors jsonb,
                                p_status integer)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select session_json(s)
           || item_page_json(s.user_id, p_item, p_form, p_errors)
           || jsonb_build_object('template', 'item', 'status', p_status)
$$;

-- ---------------------------------------------------- the edit form

-- The categories in tree order, for a <select>.
create function category_options(p_selected text)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    with recursive tree (id, code, name, depth, path) as (
        select c.id, c.code, c.name, 0,
               array[lpad(c.sort::text, 10, '0') || c.code]
          from categories c where c.parent_id is null
        union all
        select c.id, c.code, c.name, t.depth + 1,
               t.path || (lpad(c.sort::text, 10, '0') || c.code)
          from categories c join tree t on c.parent_id = t.id
    )
    select coalesce(jsonb_agg(jsonb_build_object(
               'id', t.id::text, 'code', t.code, 'name', t.name,
               'depth', t.depth,
               'label', repeat('　', t.depth) || t.code || ' ' || t.name,
               'selected', t.id::text = p_selected)
           order by t.path), '[]')
      from tree t
$$;

-- The edit page (items/new, items/N/edit): the form's values as typed
-- (p_form) or, for a first display, from the item or its change draft.
create function edit_page_json(p_user bigint, p_item bigint, p_form jsonb,
                               p_errors jsonb)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    i        items;
    v_ver    item_versions;
    v_form   jsonb;
    v_change boolean := false;
begin
    if p_item is not null then
        select * into i from items where id = p_item;
        select * into v_ver from item_versions
         where item_id = p_item and published_at is null;
        v_change := i.state = 'published' and v_ver.id is not null;
    end if;

    if p_form is not null then
        v_form := form_echo(p_form);
    elsif v_change then
        v_form := jsonb_build_object(
            'title', v_ver.title, 'summary', v_ver.summary,
            'doc_no', v_ver.doc_no,
            'generated_on', to_char(v_ver.generated_on, 'YYYY-MM-DD'),
            'category_id', v_ver.category_id::text,
            'validity', v_ver.validity, 'keywords', v_ver.keywords,
            'kind', v_ver.kind, 'body_html', v_ver.body_html,
            'change_note', v_ver.change_note);
    elsif p_item is not null then
        v_form := jsonb_build_object(
            'title', i.title, 'summary', i.summary, 'doc_no', i.doc_no,
            'generated_on', to_char(i.generated_on, 'YYYY-MM-DD'),
            'category_id', i.category_id::text,
            'validity', i.validity, 'keywords', i.keywords,
            'kind', i.kind, 'body_html', i.body_html);
    else
        v_form := jsonb_build_object(
            'title', '', 'validity', '有效', 'kind', 'general',
            'body_html', '');
    end if;

    return jsonb_build_object(
        'is_new', p_item is null,
        'is_change', v_change,
        'is_draft_edit', p_item is not null and not v_change,
        'item', case when p_item is not null then jsonb_build_object(
            'id', i.id, 'title', i.title, 'index_no', i.index_no,
            'state_name', (select name from item_states
                            where state = i.state),
            'attachments', (
                select coalesce(jsonb_agg(jsonb_build_object(
                           'no', a.no, 'file_name', a.file_name,
                           'size', a.size,
                           'status', case
                               when a.pending then '修改稿新增'
                               when a.remove_pending then '已标记删除'
                               else '' end,
                           'can_delete', not a.remove_pending)
                       order by a.no), '[]')
                  from attachments a
                 where a.item_id = i.id and a.removed_at is null)) end,
        'locked_category', i.index_no is not null,
        'form', v_form,
        'errors', coalesce(p_errors, '{}'),
        'invalid', (select coalesce(jsonb_object_agg(e.key, true), '{}')
                      from jsonb_each(coalesce(p_errors, '{}')) e),
        'has_errors', coalesce(p_errors, '{}') <> '{}',
        'categories', category_options(v_form ->> 'category_id'),
        'kinds', (select jsonb_agg(jsonb_build_object(
                             'value', k.kind, 'name', k.name,
                             'secrecy_exempt', k.secrecy_exempt,
                             'checked', k.kind = v_form ->> 'kind')
                         order by k.sort)
                    from item_kinds k),
        'validities', choices_json(array['有效', '失效', '废止'],
                                   array['有效', '失效', '废止'],
                                   v_form ->> 'validity'));
end
$$;

-- ---------------------------------------------------------- the lists

-- One row of a list: an item with its open step and deadline.
create function item_row_admin(p_item items)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
               'id', p_item.id,
               'title', p_item.title,
               'index_no', p_item.index_no,
               'state', p_item.state,
               'state_name', (select name from item_states
                               where state = p_item.state),
               'step_name', (select term_name('step', r.step)
                               from review_rounds r
                              where r.item_id = p_item.id
                                and r.outcome is null),
               'round_kind_name', (select term_name('kind', r.kind)
                                     from review_rounds r
                                    where r.item_id = p_item.id
                                      and r.outcome is null),
               'returned', coalesce(p_item.state = 'draft'
                                    and (latest_round(p_item.id)).outcome
                                        = 'rejected', false),
               'organ_name', (select name from organs
                               where id = p_item.organ_id),
               'updated_at', fmt_time(p_item.updated_at),
               'generated_on', to_char(p_item.generated_on, 'YYYY-MM-DD'))
           || deadline_json(item_deadline(p_item))
$$;

-- ------------------------------------------------------------- the pages

create function admin.page_home(p_token text, p_client inet,
                                p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s        session_info;
    v_all    boolean;
    v_groups jsonb := '[]';
    v_tasks  jsonb;
    v_role   text;
begin
    s := session_check(p_token, p_client);
    perform publish_due();
    v_all := has_role(s, 'system_admin');

    foreach v_role in array array['drafter', 'unit_head',
                                  'secrecy_reviewer', 'leader']
    loop
        continue when not has_role(s, v_role);
        if v_role = 'drafter' then
            select coalesce(jsonb_agg(t.j order by t.sort, t.at desc), '[]')
              into v_tasks
              from (select 1 as sort, i.updated_at as at,
                           item_row_admin(i) || jsonb_build_object(
                               'task', case
                                   when (latest_round(i.id)).outcome
                                        = 'rejected'
                                   then '已退回，请按意见修改后重新提交'
                                   else '草稿，尚未提交审核' end,
                               'since', fmt_time(i.updated_at)) as j
                      from items i
                     where i.state = 'draft' and s.user_id = any (i.editors)
                       and (v_all or i.organ_id = s.organ_id)
                    union all
                    select 1, v.updated_at,
                           item_row_admin(i) || jsonb_build_object(
                               'task', case
                                   when (latest_round(i.id)).kind = 'change'
                                        and (latest_round(i.id)).outcome
                                            = 'rejected'
                                   then '修改审批被退回，请修改后重新提交'
                                   else '修改稿，尚未提交审批' end,
                               'since', fmt_time(v.updated_at))
                      from item_versions v join items i on i.id = v.item_id
                     where v.published_at is null
                       and s.user_id = any (v.editors)
                       and i.state = 'published'
                       and not exists (select 1 from review_rounds r
                                        where r.item_id = i.id
                                          and r.outcome is null)) t;
        else
            select coalesce(jsonb_agg(t.j order by t.at), '[]')
              into v_tasks
              from (select r.submitted_at as at,
                           item_row_admin(i) || jsonb_build_object(
                               'task', case r.step
                                   when 'referred' then
                                       '需报审：待录入上级保密审查机关的答复'
                                   else '待您审核：'
                                        || term_name('step', r.step)
                                   end || '（' || term_name('kind', r.kind)
                                   || '）',
                               'since', fmt_time(r.submitted_at)) as j
                      from review_rounds r join items i on i.id = r.item_id
                     where r.outcome is null
                       and step_role(case r.step when 'referred'
                                                 then 'referral'
                                                 else r.step end) = v_role
                       and (v_all or i.organ_id = s.organ_id)
                       and may_decide(s.user_id, r,
                                      case r.step when 'referred'
                                                  then 'referral'
                                                  else r.step end) is null) t;
        end if;
        v_groups := v_groups || jsonb_build_array(jsonb_build_object(
            'role', v_role,
            'name', (select name from staff_roles where role = v_role),
            'tasks', v_tasks,
            'count', jsonb_array_length(v_tasks)));
    end loop;

    return session_json(s) || (
        with pending as (
            select i as it, i.state, i.id, item_deadline(i) as deadline
              from items i
             where (v_all or i.organ_id = s.organ_id)
               and (i.state in ('draft', 'review', 'scheduled')
                    or (i.state = 'published'
                        and exists (select 1 from item_versions v
                                     where v.item_id = i.id
                                       and v.published_at is null)))
        )
        select jsonb_build_object(
            'scope_all', v_all,
            'task_groups', v_groups,
            'has_tasks', exists (select 1 from jsonb_array_elements(v_groups) g
                                  where (g ->> 'count')::int > 0),
            'waiting', (
                select jsonb_agg(jsonb_build_object(
                           'name', w.name, 'filter', w.filter,
                           'value', w.value,
                           'count', coalesce(w.n, 0)) order by w.o)
                  from (select 1 as o, term_name('step', 'unit_head') as name,
                               'step' as filter, 'unit_head' as value,
                               (select count(*) from review_rounds r
                                  join items i on i.id = r.item_id
                                 where r.outcome is null
                                   and r.step = 'unit_head'
                                   and (v_all or i.organ_id = s.organ_id))
                               as n
                        union all
                        select 2, term_name('step', 'secrecy'), 'step',
                               'secrecy',
                               (select count(*) from review_rounds r
                                  join items i on i.id = r.item_id
                                 where r.outcome is null
                                   and r.step = 'secrecy'
                                   and (v_all or i.organ_id = s.organ_id))
                        union all
                        select 3, term_name('step', 'referred'), 'step',
                               'referred',
                               (select count(*) from review_rounds r
                                  join items i on i.id = r.item_id
                                 where r.outcome is null
                                   and r.step = 'referred'
                                   and (v_all or i.organ_id = s.organ_id))
                        union all
                        select 4, term_name('step', 'leader'), 'step',
                               'leader',
                               (select count(*) from review_rounds r
                                  join items i on i.id = r.item_id
                                 where r.outcome is null
                                   and r.step = 'leader'
                                   and (v_all or i.organ_id = s.organ_id))
                        union all
                        select 5, '已批准，待定时发布', 'state', 'scheduled',
                               (select count(*) from pending p
                                 where p.state = 'scheduled')
                        union all
                        select 6, '草稿（含退回）', 'state', 'draft',
                               (select count(*) from pending p
                                 where p.state = 'draft')) w),
            'overdue', (
                select coalesce(jsonb_agg(item_row_admin(p.it)
                                          order by p.deadline, p.id), '[]')
                  from pending p where p.deadline < today_cn()),
            'due_soon', (
                select coalesce(jsonb_agg(item_row_admin(p.it)
                                          order by p.deadline, p.id), '[]')
                  from pending p
                 where p.deadline >= today_cn()
                   and working_days_between(today_cn(), p.deadline)
                       <= setting_int('item.due_soon_working_days')),
            'publish_working_days',
            setting_int('item.publish_working_days'),
            'due_soon_working_days',
            setting_int('item.due_soon_working_days'),
            'today', to_char(today_cn(), 'YYYY-MM-DD'))
    );
end
$$;

-- items?state=&step=&page=: the organ's items (all organs for a system
-- administrator), most recently changed first, 50 a page.
create function admin.page_items(p_token text, p_client inet,
                                 p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s        session_info;
    v_all    boolean;
    v_state  text := nullif(form_text(p_query, 'state'), '');
    v_step   text := nullif(form_text(p_query, 'step'), '');
    v_page   text := coalesce(nullif(form_text(p_query, 'page'), ''), '1');
    v_n      integer;
    v_rows   jsonb;
    v_count  integer;
begin
    s := session_check(p_token, p_client);
    perform publish_due();
    v_all := has_role(s, 'system_admin');

    if v_state is not null
       and not exists (select 1 from item_states where state = v_state)
    then
        raise exception '没有这种状态：%', v_state using errcode = 'GKA22';
    end if;
    if v_step is not null
       and v_step not in ('unit_head', 'secrecy', 'referred', 'leader')
    then
        raise exception '没有这个审核环节：%', v_step using errcode = 'GKA22';
    end if;
    if v_page !~ '^[0-9]{1,5}$' or v_page::integer < 1 then
        raise exception '页码无效' using errcode = 'GKA22';
    end if;
    v_n := v_page::integer;

    select coalesce(jsonb_agg(item_row_admin(x) order by x.updated_at desc,
                              x.id desc), '[]'),
           count(*)
      into v_rows, v_count
      from (select i.* from items i
             where (v_all or i.organ_id = s.organ_id)
               and (v_state is null or i.state = v_state)
               and (v_step is null
                    or exists (select 1 from review_rounds r
                                where r.item_id = i.id and r.outcome is null
                                  and r.step = v_step))
             order by i.updated_at desc, i.id desc
             limit 51 offset (v_n - 1) * 50) x;

    if v_count = 51 then
        v_rows := v_rows - 50;
    end if;

    return session_json(s) || jsonb_build_object(
        'scope_all', v_all,
        'items', v_rows,
        'empty', v_count = 0,
        'filter', jsonb_build_object('state', v_state, 'step', v_step),
        'filtered', v_state is not null or v_step is not null,
        'states', (select jsonb_agg(jsonb_build_object(
                              'value', st.state, 'name', st.name,
                              'checked', st.state = v_state)
                          order by st.sort)
                     from item_states st),
        'steps', choices_json(array['unit_head', 'secrecy', 'referred',
                                    'leader'],
                              array[term_name('step', 'unit_head'),
                                    term_name('step', 'secrecy'),
                                    term_name('step', 'referred'),
                                    term_name('step', 'leader')],
                              v_step),
        'page', v_n,
        'prev_page', case when v_n > 1 then v_n - 1 end,
        'next_page', case when v_count = 51 then v_n + 1 end);
end
$$;

create function admin.page_item(p_token text, p_client inet,
                                p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s     session_info;
    v_id  bigint;
begin
    s := session_check(p_token, p_client);
    v_id := arg_id(p_args, 1);
    perform staff_item(s.user_id, v_id, false);
    perform publish_due();
    return session_json(s) || item_page_json(s.user_id, v_id, null, null);
end
$$;

create function admin.page_item_new(p_token text, p_client inet,
                                    p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
begin
    s := session_check(p_token, p_client);
    perform require_role(s.user_id, 'drafter', '新建信息');
    return session_json(s) || edit_page_json(s.user_id, null, null, null);
end
$$;

create function admin.page_item_edit(p_token text, p_client inet,
                                     p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s     session_info;
    i     items;
begin
    s := session_check(p_token, p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    if not coalesce((item_page_json(s.user_id, i.id, null, null)
                     #>> '{can,edit}')::boolean, false)
    then
        raise exception '该信息当前不能修改（%）',
            (select name from item_states where state = i.state)
            using errcode = 'GKA09';
    end if;
    return session_json(s) || edit_page_json(s.user_id, i.id, null, null);
end
$$;

-- ----------------------------------------------------------- the actions

create function admin.do_item_create(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s     session_info;
    v     record;
    v_id  bigint;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    perform require_role(s.user_id, 'drafter', '新建信息');
    v := item_form_parse(p_form, null);
    if v.errors <> '{}' then
        return session_json(s)
               || edit_page_json(s.user_id, null, p_form, v.errors)
               || '{"template": "item_edit", "status": 422}';
    end if;
    v_id := item_create(s.user_id, p_client, p_form);
    return jsonb_build_object('redirect', 'items/' || v_id);
end
$$;

create function admin.do_item_save(p_token text, p_client inet,
                                   p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
    i  items;
    v  record;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    v := item_form_parse(p_form, case when i.index_no is not null
                                      then i end);
    if v.errors <> '{}' then
        return session_json(s)
               || edit_page_json(s.user_id, i.id, p_form, v.errors)
               || '{"template": "item_edit", "status": 422}';
    end if;
    perform item_save(s.user_id, p_client, i.id, p_form);
    return jsonb_build_object('redirect', 'items/' || i.id);
end
$$;

-- form.back = 'edit' returns to the edit page (where the upload form is),
-- anything else to the item page.
create function admin.do_attachment_add(p_token text, p_client inet,
                                        p_args text[], p_form jsonb,
                                        p_data bytea)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s       session_info;
    i       items;
    v_msg   text;
    v_edit  boolean := form_text(p_form, 'back') = 'edit';
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    begin
        perform attachment_add(s.user_id, p_client, i.id,
                               form_text(p_form, 'file_name'),
                               form_text(p_form, 'content_type'), p_data);
    exception when sqlstate 'GKA22' then
        get stacked diagnostics v_msg = message_text;
        if v_edit then
            return session_json(s)
                   || edit_page_json(s.user_id, i.id, null,
                                     jsonb_build_object('file', v_msg))
                   || '{"template": "item_edit", "status": 422}';
        end if;
        return item_page_again(s, i.id, null,
                               jsonb_build_object('file', v_msg), 422);
    end;
    return jsonb_build_object('redirect', 'items/' || i.id
                              || case when v_edit then '/edit' else '' end);
end
$$;

create function admin.do_attachment_delete(p_token text, p_client inet,
                                           p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
    i  items;
    v_no  bigint;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    v_no := arg_id(p_args, 2);
    if v_no > 999 then
        raise exception '附件不存在' using errcode = 'GKA04';
    end if;
    perform attachment_delete(s.user_id, p_client, i.id, v_no::integer);
    return jsonb_build_object('redirect', 'items/' || i.id
                              || case when form_text(p_form, 'back') = 'edit'
                                      then '/edit' else '' end);
end
$$;

create function admin.file_attachment(p_token text, p_client inet,
                                      p_args text[])
returns table (file_name text, content_type text, data bytea)
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s     session_info;
    i     items;
    v_no  bigint;
begin
    s := session_check(p_token, p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    v_no := arg_id(p_args, 2);
    return query
    select a.file_name, a.content_type, a.data
      from attachments a
     where a.item_id = i.id and a.no = v_no;
    if not found then
        raise exception '附件不存在' using errcode = 'GKA04';
    end if;
end
$$;

-- What the module screens before a submission (sql/ADMIN.md): the text
-- that would be reviewed (the draft, or the change draft of a published
-- item) and the names of its attachments.
create function admin.screen_item(p_token text, p_client inet,
                                  p_args text[])
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s      session_info;
    i      items;
    v_ver  item_versions;
    v_f    jsonb;
begin
    s := session_check(p_token, p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    select * into v_ver from item_versions
     where item_id = i.id and published_at is null;
    if i.state = 'published' and v_ver.id is not null then
        v_f := jsonb_build_object('title', v_ver.title,
                                  'summary', v_ver.summary,
                                  'doc_no', v_ver.doc_no,
                                  'keywords', v_ver.keywords,
                                  'body', v_ver.body_html,
                                  'change_note', v_ver.change_note);
    else
        v_f := jsonb_build_object('title', i.title, 'summary', i.summary,
                                  'doc_no', i.doc_no,
                                  'keywords', i.keywords,
                                  'body', i.body_html);
    end if;
    return jsonb_build_object('fields', jsonb_strip_nulls(v_f) || coalesce((
        select jsonb_object_agg('attachment:' || a.file_name, a.file_name)
          from attachments a
         where a.item_id = i.id and a.removed_at is null
           and not a.remove_pending), '{}'));
end
$$;

create function admin.do_item_submit(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s      session_info;
    i      items;
    v_col  text;
    v_msg  text;
    v_st   text;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    begin
        perform item_submit(s.user_id, p_client, i.id,
                            nullif(form_text(p_form, 'opinion'), ''),
                            nullif(form_text(p_form, 'ground'), ''),
                            form_text(p_form, 'opinion_note'),
                            p_form -> 'screen_hits');
    exception when sqlstate 'GKA22' or sqlstate 'GKA09' then
        get stacked diagnostics v_col = column_name, v_msg = message_text,
                                v_st = returned_sqlstate;
        -- shown on the item page, with what the screening found
        return item_page_again(s, i.id, p_form,
                               jsonb_build_object(
                                   coalesce(nullif(v_col, ''), 'submit'),
                                   v_msg),
                               case v_st when 'GKA09' then 409 else 422 end)
               || jsonb_build_object('blocked_hits',
                                     hits_json(p_form -> 'screen_hits'));
    end;
    return jsonb_build_object('redirect', 'items/' || i.id);
end
$$;

create function admin.do_item_review(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s          session_info;
    i          items;
    v_errors   jsonb := '{}';
    v_round    text := nullif(form_text(p_form, 'round'), '');
    v_decision text := nullif(form_text(p_form, 'decision'), '');
    v_publish  timestamptz;
    v_refd     date;
    v_col      text;
    v_msg      text;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);

    if v_round is not null and v_round !~ '^[0-9]{1,18}$' then
        raise exception '表单无效' using errcode = 'GKA22';
    end if;
    if form_text(p_form, 'publish') = 'scheduled'
       and v_decision = 'approve'
    then
        v_publish := parse_local_time(form_text(p_form, 'publish_at'));
        if v_publish is null then
            v_errors := v_errors || jsonb_build_object('publish_at',
                '请填写有效的发布时间，格式如 2025-03-01 09:00');
        elsif v_publish <= now() then
            v_errors := v_errors || jsonb_build_object('publish_at',
                '定时发布的时间须晚于现在');
        end if;
    end if;
    if v_decision = 'refer'
       and nullif(btrim(coalesce(form_text(p_form, 'referred_on'), '')), '')
           is not null
    then
        v_refd := parse_day(form_text(p_form, 'referred_on'));
        if v_refd is null or v_refd > today_cn() then
            v_errors := v_errors || jsonb_build_object('referred_on',
                '请填写有效的报审日期（不晚于今天）');
        end if;
    end if;
    if v_errors <> '{}' then
        return item_page_again(s, i.id, p_form, v_errors, 422);
    end if;

    begin
        perform item_review(s.user_id, p_client, i.id, v_round::bigint,
                            v_decision, form_text(p_form, 'reason'),
                            form_text(p_form, 'basis'),
                            form_flag(p_form, 'hits_ack'),
                            form_text(p_form, 'referred_to'), v_refd,
                            v_publish);
    exception when sqlstate 'GKA22' then
        get stacked diagnostics v_col = column_name, v_msg = message_text;
        return item_page_again(s, i.id, p_form,
                               jsonb_build_object(
                                   coalesce(nullif(v_col, ''), 'decision'),
                                   v_msg), 422);
    end;
    return jsonb_build_object('redirect', 'items/' || i.id);
end
$$;

create function admin.do_item_referral(p_token text, p_client inet,
                                       p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s        session_info;
    i        items;
    v_round  text := nullif(form_text(p_form, 'round'), '');
    v_on     date;
    v_col    text;
    v_msg    text;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    if v_round is not null and v_round !~ '^[0-9]{1,18}$' then
        raise exception '表单无效' using errcode = 'GKA22';
    end if;
    if nullif(btrim(coalesce(form_text(p_form, 'answered_on'), '')), '')
       is not null
    then
        v_on := parse_day(form_text(p_form, 'answered_on'));
        if v_on is null then
            return item_page_again(s, i.id, p_form, jsonb_build_object(
                'answered_on', '请填写有效的答复日期，格式如 2025-03-01'),
                422);
        end if;
    end if;
    begin
        perform item_referral_answer(s.user_id, p_client, i.id,
                                     v_round::bigint,
                                     nullif(form_text(p_form, 'answer'), ''),
                                     form_text(p_form, 'authority'), v_on,
                                     form_text(p_form, 'reason'));
    exception when sqlstate 'GKA22' then
        get stacked diagnostics v_col = column_name, v_msg = message_text;
        return item_page_again(s, i.id, p_form,
                               jsonb_build_object(
                                   coalesce(nullif(v_col, ''), 'answer'),
                                   v_msg), 422);
    end;
    return jsonb_build_object('redirect', 'items/' || i.id);
end
$$;

create function admin.do_item_change(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
    i  items;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    perform item_change_start(s.user_id, p_client, i.id,
                              form_text(p_form, 'change_note'));
    return jsonb_build_object('redirect', 'items/' || i.id || '/edit');
end
$$;

create function admin.do_item_withdraw(p_token text, p_client inet,
                                       p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s      session_info;
    i      items;
    v_col  text;
    v_msg  text;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    i := staff_item(s.user_id, arg_id(p_args, 1), false);
    begin
        perform item_withdraw_start(s.user_id, p_client, i.id,
                                    nullif(form_text(p_form, 'mode'), ''),
                                    form_text(p_form, 'reason'));
    exception when sqlstate 'GKA22' then
        get stacked diagnostics v_col = column_name, v_msg = message_text;
        return item_page_again(s, i.id, p_form,
                               jsonb_build_object(
                                   'withdraw_' || coalesce(nullif(v_col, ''),
                                                           'reason'),
                                   v_msg), 422);
    end;
    return jsonb_build_object('redirect', 'items/' || i.id);
end
$$;

grant execute on function
    admin.page_home(text, inet, text[], jsonb),
    admin.page_items(text, inet, text[], jsonb),
    admin.page_item(text, inet, text[], jsonb),
    admin.page_item_new(text, inet, text[], jsonb),
    admin.page_item_edit(text, inet, text[], jsonb),
    admin.do_item_create(text, inet, text[], jsonb),
    admin.do_item_save(text, inet, text[], jsonb),
    admin.do_attachment_add(text, inet, text[], jsonb, bytea),
    admin.do_attachment_delete(text, inet, text[], jsonb),
    admin.file_attachment(text, inet, text[]),
    admin.screen_item(text, inet, text[]),
    admin.do_item_submit(text, inet, text[], jsonb),
    admin.do_item_review(text, inet, text[], jsonb),
    admin.do_item_referral(text, inet, text[], jsonb),
    admin.do_item_change(text, inet, text[], jsonb),
    admin.do_item_withdraw(text, inet, text[], jsonb)
    to gongkai_web;
