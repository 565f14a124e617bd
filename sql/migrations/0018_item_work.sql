-- 0018: drafting and reviewing, as functions of schema gongkai that take
-- the acting user's id (the admin.* functions of 0019 call them after
-- checking the session; demo data and tests call them directly).  Each
-- checks the user's organ and role, applies one action, and writes its
-- audit row in the same transaction ("谁发布谁负责").  The rules of the
-- chain itself are the triggers of 0016: these functions only give them
-- friendlier messages.
--
-- Errors: GKA04 not found or another organ's; GKA09 the action breaks a
-- rule; GKA22 invalid input, with the form field in COLUMN when there is
-- one (the admin functions show it next to that field).

-- ---------------------------------------------------------------- helpers

create function today_cn()
returns date
language sql stable
set search_path = gongkai, pg_temp
as $$
    select (now() at time zone 'Asia/Shanghai')::date
$$;

create function fmt_day(p_at timestamptz)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select to_char(p_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')
$$;

create function fmt_time(p_at timestamptz)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select to_char(p_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')
$$;

-- A form or query value as text: a string, or the last of a repeated
-- name; anything else is null.
create function form_text(p_form jsonb, p_key text)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case jsonb_typeof(p_form -> p_key)
               when 'string' then p_form ->> p_key
               when 'array' then p_form -> p_key ->> -1
           end
$$;

-- A date typed as YYYY-MM-DD, or null.
create function parse_day(p_text text)
returns date
language plpgsql immutable
set search_path = gongkai, pg_temp
as $$
declare
    v_t  text := btrim(coalesce(p_text, ''));
begin
    if v_t !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then
        return null;
    end if;
    return v_t::date;
exception when others then
    return null;
end
$$;

-- A local time typed as YYYY-MM-DDTHH:MM (an <input type=datetime-local>)
-- or YYYY-MM-DD HH:MM, in Asia/Shanghai; null when malformed.
create function parse_local_time(p_text text)
returns timestamptz
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_day  date;
    v_t    text := btrim(coalesce(p_text, ''));
begin
    if v_t !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}$' then
        return null;
    end if;
    v_day := parse_day(left(v_t, 10));
    if v_day is null or substr(v_t, 12, 2)::int > 23
       or substr(v_t, 15, 2)::int > 59
    then
        return null;
    end if;
    return (v_day + substr(v_t, 12, 5)::time) at time zone 'Asia/Shanghai';
end
$$;

-- The item a user may see: their organ's, or any for a system
-- administrator; GKA04 otherwise (a guessed id of another organ looks
-- exactly like a missing one).
create function staff_item(p_user bigint, p_item bigint, p_lock boolean)
returns items
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    i  items;
begin
    if p_lock then
        select * into i from items where id = p_item for update;
    else
        select * into i from items where id = p_item;
    end if;
    if i.id is null
       or (i.organ_id is distinct from (select organ_id from users
                                          where id = p_user)
           and not user_has_role(p_user, 'system_admin'))
    then
        raise exception '信息不存在' using errcode = 'GKA04';
    end if;
    return i;
end
$$;

create function require_role(p_user bigint, p_role text, p_what text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if not user_has_role(p_user, p_role) then
        raise exception '只有%可以%',
            (select name from staff_roles where role = p_role), p_what
            using errcode = 'GKA09';
    end if;
end
$$;

-- The publication deadline (DOMAIN.md §1): generation date + N working
-- days (setting item.publish_working_days) for an item not yet public;
-- for the change draft of a published item, the day the change was
-- started + N.  Null when nothing is due.
create function item_deadline(p_item items)
returns date
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case
        when p_item.state in ('draft', 'review', 'scheduled')
             and p_item.generated_on is not null then
            add_working_days(p_item.generated_on,
                             setting_int('item.publish_working_days'))
        when p_item.state = 'published' then
            (select add_working_days(
                        (v.created_at at time zone 'Asia/Shanghai')::date,
                        setting_int('item.publish_working_days'))
               from item_versions v
              where v.item_id = p_item.id and v.published_at is null)
    end
$$;

-- {deadline, days_left (working days, negative when overdue), overdue,
--  due_soon} for a deadline (all null/false when there is none).
create function deadline_json(p_deadline date)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'deadline', to_char(p_deadline, 'YYYY-MM-DD'),
        'days_left', case when p_deadline is not null then
                         working_days_between(today_cn(), p_deadline) end,
        'days_overdue', case when p_deadline < today_cn() then
                             working_days_between(p_deadline, today_cn())
                        end,
        'overdue', coalesce(p_deadline < today_cn(), false),
        'due_soon', coalesce(p_deadline >= today_cn()
                             and working_days_between(today_cn(), p_deadline)
                                 <= setting_int('item.due_soon_working_days'),
                             false))
$$;

-- ----------------------------------------------------------------- forms

create type item_fields as (
    title         text,
    summary       text,
    doc_no        text,
    generated_on  date,
    category_id   integer,
    validity      text,
    keywords      text,
    body_html     text,
    kind          text,
    change_note   text
);

-- The edit form's fields (sql/ADMIN.md), checked.  errors is
-- {field: message} (empty when all is well).  p_fixed: the item when it
-- has an index number, whose category and generation year are fixed.
create function item_form_parse(p_form jsonb, p_fixed items,
                                out f item_fields, out errors jsonb)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_t  text;
begin
    errors := '{}';

    f.title := btrim(coalesce(form_text(p_form, 'title'), ''));
    if f.title = '' then
        errors := errors || '{"title": "请填写信息名称"}';
    elsif length(f.title) > 500 then
        errors := errors || '{"title": "信息名称不能超过500个字"}';
    end if;

    f.summary := nullif(btrim(coalesce(form_text(p_form, 'summary'), '')),
                        '');
    if length(f.summary) > 2000 then
        errors := errors || '{"summary": "内容概述不能超过2000个字"}';
    end if;

    f.doc_no := nullif(btrim(coalesce(form_text(p_form, 'doc_no'), '')), '');
    if length(f.doc_no) > 100 then
        errors := errors || '{"doc_no": "文号不能超过100个字"}';
    end if;

    v_t := nullif(btrim(coalesce(form_text(p_form, 'generated_on'), '')), '');
    if v_t is not null then
        f.generated_on := parse_day(v_t);
        if f.generated_on is null then
            errors := errors
                || '{"generated_on": "生成日期应为有效日期，格式如 2025-03-01"}';
        elsif f.generated_on < date '1949-10-01' then
            errors := errors
                || '{"generated_on": "生成日期不能早于1949年10月1日"}';
        elsif f.generated_on > today_cn() then
            errors := errors || '{"generated_on": "生成日期不能晚于今天"}';
        end if;
    end if;

    v_t := nullif(btrim(coalesce(form_text(p_form, 'category_id'), '')), '');
    if v_t is not null then
        if v_t ~ '^[0-9]{1,9}$' then
            select id into f.category_id from categories
             where id = v_t::integer;
        end if;
        if f.category_id is null then
            errors := errors || '{"category_id": "请选择有效的主题分类"}';
        end if;
    end if;

    f.validity := coalesce(nullif(form_text(p_form, 'validity'), ''), '有效');
    if f.validity not in ('有效', '失效', '废止') then
        errors := errors || '{"validity": "请选择有效性"}';
    end if;

    f.keywords := nullif(btrim(coalesce(form_text(p_form, 'keywords'), '')),
                         '');
    if length(f.keywords) > 200 then
        errors := errors || '{"keywords": "关键字不能超过200个字"}';
    end if;

    f.kind := coalesce(nullif(form_text(p_form, 'kind'), ''), 'general');
    if not exists (select 1 from item_kinds where kind = f.kind) then
        errors := errors || '{"kind": "请选择信息类型"}';
    end if;

    f.body_html := coalesce(form_text(p_form, 'body_html'), '');
    if length(f.body_html) > 500000 then
        errors := errors || '{"body_html": "正文过长（不能超过50万字）"}';
    elsif f.body_html ~* '<\s*/?\s*(script|style|iframe|object|embed|form|base|meta|link)\M|\son[a-z]+\s*=|javascript:'
    then
        errors := errors
            || '{"body_html": "正文包含不允许的内容（脚本、样式或嵌入内容）"}';
    end if;

    f.change_note := nullif(btrim(coalesce(form_text(p_form, 'change_note'),
                                           '')), '');
    if length(f.change_note) > 1000 then
        errors := errors || '{"change_note": "修改说明不能超过1000个字"}';
    end if;

    if p_fixed.index_no is not null then
        if f.category_id is distinct from p_fixed.category_id then
            errors := errors || jsonb_build_object('category_id',
                '已发布信息的主题分类不能修改（索引号' || p_fixed.index_no
                || '已确定）');
        end if;
        if extract(year from f.generated_on)
           is distinct from extract(year from p_fixed.generated_on)
        then
            errors := errors || jsonb_build_object('generated_on',
                '已发布信息的生成年份不能修改（索引号' || p_fixed.index_no
                || '已确定）');
        end if;
    end if;
end
$$;

-- GKA22 for the first error of a form (callers that do not re-render).
create function raise_form_errors(p_errors jsonb)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_key  text;
begin
    select key into v_key from jsonb_each_text(p_errors) order by key limit 1;
    if v_key is not null then
        raise exception '%', p_errors ->> v_key
            using errcode = 'GKA22', column = v_key;
    end if;
end
$$;

-- ------------------------------------------------------------- drafting

create function item_create(p_user bigint, p_client inet, p_form jsonb)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v    record;
    v_id bigint;
begin
    perform require_role(p_user, 'drafter', '新建信息');
    v := item_form_parse(p_form, null);
    perform raise_form_errors(v.errors);

    insert into items (title, summary, doc_no, generated_on, organ_id,
                       category_id, validity, keywords, body_html, kind,
                       created_by, editors)
    select (v.f).title, (v.f).summary, (v.f).doc_no, (v.f).generated_on,
           u.organ_id, (v.f).category_id, (v.f).validity, (v.f).keywords,
           (v.f).body_html, (v.f).kind, u.id, array[u.id]
      from users u where u.id = p_user
    returning id into v_id;

    perform audit(p_user, p_client, 'item.create', v_id, null,
                  jsonb_build_object('title', (v.f).title));
    return v_id;
end
$$;

-- Saves the draft, or the change draft of a published item.
create function item_save(p_user bigint, p_client inet, p_item bigint,
                          p_form jsonb)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    i        items;
    v        record;
    v_ver    item_versions;
    v_open   boolean;
    v_old    jsonb;
    v_new    jsonb;
begin
    i := staff_item(p_user, p_item, true);
    perform require_role(p_user, 'drafter', '修改信息');
    v_open := exists (select 1 from review_rounds
                       where item_id = i.id and outcome is null);
    select * into v_ver from item_versions
     where item_id = i.id and published_at is null for update;

    if v_open or not (i.state = 'draft'
                      or (i.state = 'published' and v_ver.id is not null))
    then
        raise exception '该信息当前不能修改（%）',
            (select name from item_states where state = i.state)
            using errcode = 'GKA09';
    end if;

    v := item_form_parse(p_form, case when i.index_no is not null
                                      then i end);
    perform raise_form_errors(v.errors);
    v_new := to_jsonb(v.f);

    if i.state = 'draft' then
        v_old := to_jsonb(row(i.title, i.summary, i.doc_no, i.generated_on,
                              i.category_id, i.validity, i.keywords,
                              i.body_html, i.kind, null)::item_fields);
        update items
           set title = (v.f).title, summary = (v.f).summary,
               doc_no = (v.f).doc_no, generated_on = (v.f).generated_on,
               category_id = (v.f).category_id, validity = (v.f).validity,
               keywords = (v.f).keywords, body_html = (v.f).body_html,
               kind = (v.f).kind,
               editors = case when p_user = any (editors) then editors
                              else editors || p_user end
         where id = i.id;
    else
        v_old := to_jsonb(row(v_ver.title, v_ver.summary, v_ver.doc_no,
                              v_ver.generated_on, v_ver.category_id,
                              v_ver.validity, v_ver.keywords,
                              v_ver.body_html, v_ver.kind,
                              v_ver.change_note)::item_fields);
        update item_versions
           set title = (v.f).title, summary = (v.f).summary,
               doc_no = (v.f).doc_no, generated_on = (v.f).generated_on,
               category_id = (v.f).category_id, validity = (v.f).validity,
               keywords = (v.f).keywords, body_html = (v.f).body_html,
               kind = (v.f).kind, change_note = (v.f).change_note,
               editors = case when p_user = any (editors) then editors
                              else editors || p_user end
         where id = v_ver.id;
    end if;

    perform audit(p_user, p_client,
                  case when i.state = 'draft' then 'item.save'
                       else 'item.change_save' end,
                  i.id, null,
                  jsonb_build_object(
                      'changed', (select coalesce(jsonb_agg(n.key
                                                            order by n.key),
                                                  '[]')
                                    from jsonb_each(v_new) n
                                   where n.value is distinct from
                                         v_old -> n.key),
                      'title', (v.f).title));
end
$$;

-- Starts a change of a published item: its change draft, a copy of the
-- public content (004 第十九条).  Returns the draft version's id (the
-- existing one when there is one).
create function item_change_start(p_user bigint, p_client inet,
                                  p_item bigint, p_note text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    i     items;
    v_id  bigint;
begin
    i := staff_item(p_user, p_item, true);
    perform require_role(p_user, 'drafter', '提出修改');
    if i.state <> 'published' then
        raise exception '只有已发布的信息可以提出修改' using errcode = 'GKA09';
    end if;
    if exists (select 1 from review_rounds
                where item_id = i.id and outcome is null)
    then
        raise exception '该信息有审批正在进行，请等审批结束后再提出修改'
            using errcode = 'GKA09';
    end if;

    select id into v_id from item_versions
     where item_id = i.id and published_at is null;
    if v_id is not null then
        return v_id;
    end if;

    insert into item_versions (item_id, title, summary, doc_no,
                               generated_on, category_id, validity,
                               keywords, body_html, kind, change_note,
                               created_by, editors)
    values (i.id, i.title, i.summary, i.doc_no, i.generated_on,
            i.category_id, i.validity, i.keywords, i.body_html, i.kind,
            nullif(btrim(coalesce(p_note, '')), ''), p_user,
            array[p_user])
    returning id into v_id;

    perform audit(p_user, p_client, 'item.change_start', i.id, null,
                  jsonb_build_object('version_draft', v_id));
    return v_id;
end
$$;

-- ----------------------------------------------------------- attachments

create function attachment_add(p_user bigint, p_client inet, p_item bigint,
                               p_file_name text, p_content_type text,
                               p_data bytea)
returns integer
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    i       items;
    v_no    integer;
    v_name  text := btrim(coalesce(p_file_name, ''));
begin
    i := staff_item(p_user, p_item, true);
    perform require_role(p_user, 'drafter', '上传附件');
    if v_name = '' or length(v_name) > 200
       or v_name ~ '[/\\[:cntrl:]]'
    then
        raise exception '文件名无效（不能为空、不超过200个字、不含斜杠）'
            using errcode = 'GKA22', column = 'file';
    end if;
    if p_data is null or octet_length(p_data) = 0 then
        raise exception '请选择要上传的文件'
            using errcode = 'GKA22', column = 'file';
    end if;
    if p_content_type is null
       or p_content_type !~ '^[a-z]+/[a-z0-9][a-z0-9.+-]*$'
    then
        raise exception '文件类型无效' using errcode = 'GKA22', column = 'file';
    end if;

    v_no := coalesce((select max(no) from attachments
                       where item_id = i.id), 0) + 1;
    if v_no > 999 then
        raise exception '附件数量已达上限' using errcode = 'GKA09';
    end if;

    insert into attachments (item_id, no, file_name, content_type, data)
    values (i.id, v_no, v_name, p_content_type, p_data);

    perform audit(p_user, p_client, 'item.attachment_add', i.id, null,
                  jsonb_build_object('no', v_no, 'file_name', v_name,
                                     'content_type', p_content_type,
                                     'size', octet_length(p_data)));
    return v_no;
end
$$;

-- Deletes a draft's attachment (or one added to a change draft); marks a
-- public one for removal by the change.
create function attachment_delete(p_user bigint, p_client inet,
                                  p_item bigint, p_no integer)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    i  items;
    a  attachments;
begin
    i := staff_item(p_user, p_item, true);
    perform require_role(p_user, 'drafter', '删除附件');
    select * into a from attachments where item_id = i.id and no = p_no;
    if not found then
        raise exception '附件不存在' using errcode = 'GKA04';
    end if;

    if i.state = 'published' and not a.pending then
        if a.removed_at is not null or a.remove_pending then
            raise exception '该附件已删除或已标记删除' using errcode = 'GKA09';
        end if;
        update attachments set remove_pending = true where id = a.id;
        perform audit(p_user, p_client, 'item.attachment_mark_removed',
                      i.id, null, jsonb_build_object(
                          'no', a.no, 'file_name', a.file_name));
    else
        delete from attachments where id = a.id;
        perform audit(p_user, p_client, 'item.attachment_delete', i.id, null,
                      jsonb_build_object('no', a.no,
                                         'file_name', a.file_name));
    end if;
end
$$;

-- --------------------------------------------------------------- the chain

-- The screening hits as stored: the keys of sql/ADMIN.md only, at most
-- 500 of them.
create function screen_hits_clean(p_hits jsonb)
returns jsonb
language plpgsql immutable
set search_path = gongkai, pg_temp
as $$
begin
    if p_hits is null or jsonb_typeof(p_hits) = 'null' then
        return '[]';
    end if;
    if jsonb_typeof(p_hits) <> 'array' or jsonb_array_length(p_hits) > 500
       or exists (select 1 from jsonb_array_elements(p_hits) h
                   where jsonb_typeof(h) <> 'object')
    then
        raise exception 'screen_hits: not an array of objects'
            using errcode = 'GKA22';
    end if;
    return (select coalesce(jsonb_agg(jsonb_build_object(
                       'kind', left(h ->> 'kind', 32),
                       'field', left(h ->> 'field', 240),
                       'match', left(h ->> 'match', 200),
                       'before', left(h ->> 'before', 200),
                       'after', left(h ->> 'after', 200),
                       'blocking', coalesce(h -> 'blocking' = 'true', false))
                   order by o), '[]')
              from jsonb_array_elements(p_hits) with ordinality x (h, o));
end
$$;

-- Audit rows for what a decision caused (the item's transition).
create function audit_round_effect(p_user bigint, p_client inet,
                                   p_round bigint)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    r  review_rounds;
    i  items;
begin
    select * into r from review_rounds where id = p_round;
    select * into i from items where id = r.item_id;
    if r.outcome = 'rejected' then
        perform audit(p_user, p_client, 'item.return', i.id, null,
                      jsonb_build_object('round', r.id, 'kind', r.kind));
    elsif r.outcome = 'approved' and r.applied_at is null then
        perform audit(p_user, p_client, 'item.schedule', i.id, null,
                      jsonb_build_object('round', r.id, 'kind', r.kind,
                                         'publish_at',
                                         fmt_time(r.publish_at)));
    elsif r.outcome = 'approved' then
        perform audit(p_user, p_client,
                      case when r.kind = 'change' then 'item.change'
                           when r.kind = 'withdraw' then 'item.' || i.state
                           when i.state = 'published' then 'item.publish'
                           else 'item.not_public' end,
                      i.id, null,
                      jsonb_build_object('round', r.id, 'kind', r.kind,
                                         'index_no', i.index_no));
    end if;
end
$$;

-- Submits an item (or the change draft of a published one) for review,
-- with the drafter's initial opinion (003 第九条 1) and the module's
-- screening hits.  Returns the round's id.
create function item_submit(p_user bigint, p_client inet, p_item bigint,
                            p_opinion text, p_ground text, p_note text,
                            p_hits jsonb)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    i       items;
    v_kind  text;
    v_id    bigint;
    v_hits  jsonb := screen_hits_clean(p_hits);
begin
    i := staff_item(p_user, p_item, true);
    perform require_role(p_user, 'drafter', '提交审核');
    v_kind := case i.state when 'draft' then 'publish'
                           when 'published' then 'change' end;
    if v_kind is null then
        raise exception '该信息当前不能提交审核（%）',
            (select name from item_states where state = i.state)
            using errcode = 'GKA09';
    end if;
    if p_opinion is null
       or p_opinion not in ('proactive', 'on_request', 'withheld')
    then
        raise exception '请选择初步意见'
            using errcode = 'GKA22', column = 'opinion';
    end if;
    if p_opinion = 'withheld'
       and (p_ground is null
            or not exists (select 1 from withhold_grounds
                            where code = p_ground))
    then
        raise exception '不予公开须选择依据（条例第十四至十六条）'
            using errcode = 'GKA22', column = 'ground';
    end if;
    if length(p_note) > 2000 then
        raise exception '说明不能超过2000个字'
            using errcode = 'GKA22', column = 'opinion_note';
    end if;

    insert into review_rounds (item_id, kind, opinion, ground, opinion_note,
                               submitted_by, screen_hits)
    values (i.id, v_kind, p_opinion,
            case when p_opinion = 'withheld' then p_ground end,
            nullif(btrim(coalesce(p_note, '')), ''), p_user, v_hits)
    returning id into v_id;

    perform audit(p_user, p_client, 'item.submit', i.id, null,
                  jsonb_build_object(
                      'round', v_id, 'kind', v_kind, 'opinion', p_opinion,
                      'ground', case when p_opinion = 'withheld'
                                     then p_ground end,
                      'screen_hits', jsonb_array_length(v_hits)));
    return v_id;
end
$$;

-- Requests the withdrawal (撤回, the URL keeps a notice) or removal (删除,
-- 410) of a published item (004 第十九条).  Returns the round's id.
create function item_withdraw_start(p_user bigint, p_client inet,
                                    p_item bigint, p_mode text,
                                    p_reason text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    i     items;
    v_id  bigint;
begin
    i := staff_item(p_user, p_item, true);
    perform require_role(p_user, 'drafter', '提出撤回');
    if i.state <> 'published' then
        raise exception '只有已发布的信息可以撤回' using errcode = 'GKA09';
    end if;
    if p_mode is null or p_mode not in ('withdrawn', 'removed') then
        raise exception '请选择撤回方式' using errcode = 'GKA22', column = 'mode';
    end if;
    if btrim(coalesce(p_reason, '')) = '' then
        raise exception '请填写撤回原因'
            using errcode = 'GKA22', column = 'reason';
    end if;
    if length(p_reason) > 1000 then
        raise exception '撤回原因不能超过1000个字'
            using errcode = 'GKA22', column = 'reason';
    end if;

    insert into review_rounds (item_id, kind, withdraw_mode, withdraw_reason,
                               submitted_by)
    values (i.id, 'withdraw', p_mode, btrim(p_reason), p_user)
    returning id into v_id;

    perform audit(p_user, p_client, 'item.withdraw_request', i.id, null,
                  jsonb_build_object('round', v_id, 'mode', p_mode,
                                     'reason', btrim(p_reason)));
    return v_id;
end
$$;

-- One decision at the round's current step: unit head or leader
-- (approve / reject), secrecy reviewer (open / withhold / refer).
-- p_round, when given, must be the open round (the page was not stale).
create function item_review(p_user bigint, p_client inet, p_item bigint,
                            p_round bigint, p_decision text, p_reason text,
                            p_basis text, p_ack boolean,
                            p_referred_to text, p_referred_on date,
                            p_publish_at timestamptz)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    i       items;
    r       review_rounds;
    v_step  text;
    v_why   text;
    v_id    bigint;
begin
    i := staff_item(p_user, p_item, false);
    select * into r from review_rounds
     where item_id = i.id and outcome is null for update;
    if not found then
        raise exception '该信息没有待审批的事项' using errcode = 'GKA09';
    end if;
    if p_round is not null and p_round <> r.id then
        raise exception '审批情况已经变化，请刷新页面后再试'
            using errcode = 'GKA09';
    end if;
    if r.step = 'referred' then
        raise exception '正在等待上级保密审查机关的答复' using errcode = 'GKA09';
    end if;
    v_step := r.step;
    v_why := may_decide(p_user, r, v_step);
    if v_why is not null then
        raise exception '%', v_why using errcode = 'GKA09';
    end if;

    if p_decision is null
       or (v_step in ('unit_head', 'leader')
           and p_decision not in ('approve', 'reject'))
       or (v_step = 'secrecy'
           and p_decision not in ('open', 'withhold', 'refer'))
    then
        raise exception '请选择审批意见'
            using errcode = 'GKA22', column = 'decision';
    end if;
    if length(p_reason) > 2000 or length(p_basis) > 2000 then
        raise exception '意见不能超过2000个字'
            using errcode = 'GKA22', column = 'reason';
    end if;

    insert into review_steps (round_id, step, decision, actor_id, reason,
                              basis, hits_acknowledged, referred_to,
                              referred_on, publish_at)
    values (r.id, v_step, p_decision, p_user, p_reason,
            case when v_step = 'secrecy' then p_basis end,
            v_step = 'secrecy' and coalesce(p_ack, false),
            case when p_decision = 'refer'
                 then coalesce(p_referred_to, '') end,
            case when p_decision = 'refer'
                 then coalesce(p_referred_on, today_cn()) end,
            case when v_step = 'leader' and p_decision = 'approve'
                 then p_publish_at end)
    returning id into v_id;

    perform audit(p_user, p_client, 'item.review', i.id, null,
                  jsonb_strip_nulls(jsonb_build_object(
                      'round', r.id, 'step', v_step, 'decision', p_decision,
                      'reason', nullif(btrim(p_reason), ''),
                      'basis', case when v_step = 'secrecy'
                                    then nullif(btrim(p_basis), '') end,
                      'referred_to', case when p_decision = 'refer'
                                          then p_referred_to end,
                      'publish_at', fmt_time(p_publish_at))));
    perform audit_round_effect(p_user, p_client, r.id);
    return v_id;
end
$$;

-- The higher secrecy authority's answer to 需报审 (000 制度 第十条, 条例
-- 第十七条), entered by a secrecy reviewer: 公开 moves on to the leader,
-- 不公开 returns the item to the drafter.
create function item_referral_answer(p_user bigint, p_client inet,
                                     p_item bigint, p_round bigint,
                                     p_answer text, p_authority text,
                                     p_answered_on date, p_reason text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    i     items;
    r     review_rounds;
    v_why text;
    v_id  bigint;
begin
    i := staff_item(p_user, p_item, false);
    select * into r from review_rounds
     where item_id = i.id and outcome is null for update;
    if not found or r.step <> 'referred' then
        raise exception '该信息没有等待上级答复的需报审事项'
            using errcode = 'GKA09';
    end if;
    if p_round is not null and p_round <> r.id then
        raise exception '审批情况已经变化，请刷新页面后再试'
            using errcode = 'GKA09';
    end if;
    v_why := may_decide(p_user, r, 'referral');
    if v_why is not null then
        raise exception '%', v_why using errcode = 'GKA09';
    end if;
    if p_answer is null or p_answer not in ('open', 'withhold') then
        raise exception '请选择上级机关的答复'
            using errcode = 'GKA22', column = 'answer';
    end if;
    if btrim(coalesce(p_authority, '')) = '' then
        raise exception '请填写答复机关'
            using errcode = 'GKA22', column = 'authority';
    end if;
    if p_answered_on is null then
        raise exception '请填写答复日期'
            using errcode = 'GKA22', column = 'answered_on';
    end if;
    if p_answered_on > today_cn() then
        raise exception '答复日期不能晚于今天'
            using errcode = 'GKA22', column = 'answered_on';
    end if;
    if p_answer = 'withhold' and btrim(coalesce(p_reason, '')) = '' then
        raise exception '请填写答复的理由'
            using errcode = 'GKA22', column = 'reason';
    end if;

    insert into review_steps (round_id, step, decision, actor_id, reason,
                              authority, answered_on)
    values (r.id, 'referral', p_answer, p_user,
            nullif(btrim(coalesce(p_reason, '')), ''), p_authority,
            p_answered_on)
    returning id into v_id;

    perform audit(p_user, p_client, 'item.referral', i.id, null,
                  jsonb_build_object('round', r.id, 'answer', p_answer,
                                     'authority', btrim(p_authority),
                                     'answered_on',
                                     to_char(p_answered_on, 'YYYY-MM-DD')));
    perform audit_round_effect(p_user, p_client, r.id);
    return v_id;
end
$$;
