-- 0044: handling applications, as functions of schema gongkai that take
-- the acting user's id (the admin.* functions of 0046 call them after
-- checking the session; the portal functions of 0045 call the intake;
-- tests call them directly).  Each checks the user's organ and role,
-- applies one step of the flow, and writes its audit row in the same
-- transaction.  The flow's rules themselves are the triggers of 0043.
--
-- Errors as in 0018: GKA04 not found or another organ's case; GKA09 the
-- step breaks a rule; GKA22 invalid input, with the form field in COLUMN.

-- ------------------------------------------------------ audit page names

insert into audit_actions (action, name, sort) values
    ('case.submit', '网上提交依申请公开申请', 50),
    ('case.register', '登记依申请公开申请', 51),
    ('case.view', '查看依申请公开案件', 52),
    ('case.status_view', '申请人查询办理进度', 53),
    ('case.status_failed', '办理进度查询码错误', 54),
    ('case.accept', '受理申请', 55),
    ('case.correction', '发出补正通知', 56),
    ('case.corrected', '收到补正材料', 57),
    ('case.assign', '交办承办部门', 58),
    ('case.answer', '登记承办部门答复', 59),
    ('case.consult', '征求意见', 60),
    ('case.consult_answer', '登记征求意见结果', 61),
    ('case.extension_request', '申请延期答复', 62),
    ('case.extension_decide', '审批延期答复', 63),
    ('case.reply_draft', '起草答复', 64),
    ('case.reply_review', '审核答复', 65),
    ('case.document', '出具文书', 66),
    ('case.deliver', '登记送达', 67),
    ('case.close', '办结', 68),
    ('case.remedy', '登记复议、诉讼', 69),
    ('case.remedy_update', '更新复议、诉讼结果', 70),
    ('case.dossier', '查看案卷', 71)
on conflict (action) do nothing;

insert into audit_detail_names (key, name) values
    ('tracking_no', '申请编号'),
    ('channel', '申请方式'),
    ('applicant_kind', '申请人类型'),
    ('organ', '受理机关'),
    ('receipt_date', '收到申请日期'),
    ('stage', '办理阶段'),
    ('due_on', '期限'),
    ('on', '日期'),
    ('unit', '承办部门'),
    ('assignment', '处理单'),
    ('consultation', '征求意见'),
    ('days', '延长工作日'),
    ('reply', '答复'),
    ('outcome', '办理结果'),
    ('doc_no', '文号'),
    ('document', '文书'),
    ('method', '送达方式'),
    ('remedy', '复议诉讼'),
    ('result', '结果'),
    ('repeat', '同一申请人申请数'),
    ('duplicate', '重复提交'),
    ('document_title', '文书名称')
on conflict (key) do nothing;

-- ------------------------------------------------------------- helpers

-- 2025年3月12日
create function cn_date(p_day date)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select to_char(p_day, 'YYYY"年"FMMM"月"FMDD"日"')
$$;

-- An audit row about a case.  Its organ is the handling organ, so the
-- staff of that organ find it on the audit page whoever acted (also the
-- public).  detail never holds personal data.
create function case_audit(p_actor bigint, p_client inet, p_action text,
                           p_case bigint, p_detail jsonb)
returns void
language sql volatile
set search_path = gongkai, pg_temp
as $$
    insert into audit_log (actor_id, actor_login, client, action, organ_id,
                           item_id, case_id, detail)
    select p_actor, u.login, p_client, p_action, a.desk_organ_id, null,
           a.id, coalesce(p_detail, '{}')
      from applications a
      left join users u on u.id = p_actor
     where a.id = p_case
$$;

-- The organs of a scope that take applications here: those whose
-- handling organ has an active application officer.
create function apply_organs(p_scope bigint[])
returns bigint[]
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(array_agg(o.id order by o.unit_code), '{}')
      from organs o
     where o.id = any (p_scope)
       and exists (select 1 from users u
                     join user_roles r on r.user_id = u.id
                    where r.role = 'application_officer' and u.active
                      and u.organ_id = desk_of(o.id))
$$;

-- The organs whose applications a handling organ handles.
create function desk_organs(p_desk bigint)
returns bigint[]
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(array_agg(o.id order by o.unit_code), '{}')
      from organs o where desk_of(o.id) = p_desk
$$;

-- The case a member of staff may see: the handling organ's (any organ's
-- for a system administrator), and only for the roles that handle or
-- review cases.  GKA04 otherwise: another organ's case looks exactly
-- like a missing one.
create function staff_case(p_user bigint, p_case bigint, p_lock boolean)
returns applications
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a  applications;
    u  users;
begin
    select * into u from users where id = p_user;
    if p_lock then
        select * into a from applications where id = p_case for update;
    else
        select * into a from applications where id = p_case;
    end if;
    if a.id is null or u.id is null
       or not (user_has_role(u.id, 'system_admin')
               or (a.desk_organ_id = u.organ_id
                   and exists (select 1 from user_roles
                                where user_id = u.id
                                  and role in ('application_officer',
                                               'unit_head',
                                               'secrecy_reviewer',
                                               'leader'))))
    then
        raise exception '案件不存在' using errcode = 'GKA04';
    end if;
    return a;
end
$$;

-- The case an application officer handles: staff_case, locked, and the
-- role (GKA09 without it).
create function officer_case(p_user bigint, p_case bigint)
returns applications
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a  applications;
begin
    a := staff_case(p_user, p_case, true);
    perform require_role(p_user, 'application_officer', '办理依申请公开');
    if (select organ_id from users where id = p_user) <> a.desk_organ_id
    then
        raise exception '只能办理本机关受理的申请' using errcode = 'GKA09';
    end if;
    return a;
end
$$;

-- Whether a user is shown applicants' personal data of a case: the
-- handling organ's application officers and system administrators.
create function may_see_applicant(p_user bigint, p_case applications)
returns boolean
language sql stable
set search_path = gongkai, pg_temp
as $$
    select user_has_role(p_user, 'system_admin')
           or (user_has_role(p_user, 'application_officer')
               and (select organ_id from users where id = p_user)
                   = p_case.desk_organ_id)
$$;

-- A date of an event, as entered (YYYY-MM-DD) or today when empty; it
-- may not lie in the future nor before p_min.  GKA22 on p_field.
create function event_day(p_text text, p_min date, p_field text,
                          p_what text)
returns date
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    d  date;
begin
    if btrim(coalesce(p_text, '')) = '' then
        d := today_cn();
    else
        d := parse_day(p_text);
        if d is null then
            raise exception '%应为有效日期，格式如 2025-03-01', p_what
                using errcode = 'GKA22', column = p_field;
        end if;
    end if;
    if d > today_cn() then
        raise exception '%不能晚于今天', p_what
            using errcode = 'GKA22', column = p_field;
    end if;
    if d < p_min then
        raise exception '%不能早于%', p_what, cn_date(p_min)
            using errcode = 'GKA22', column = p_field;
    end if;
    return d;
end
$$;

-- Text input: trimmed, null when empty; GKA22 when longer than p_max.
create function input_text(p_text text, p_max integer, p_field text,
                           p_what text, p_required boolean)
returns text
language plpgsql immutable
set search_path = gongkai, pg_temp
as $$
declare
    v  text := nullif(btrim(coalesce(p_text, ''), E' \t\r\n\u3000'), '');
begin
    if v is null and p_required then
        raise exception '请填写%', p_what
            using errcode = 'GKA22', column = p_field;
    end if;
    if length(v) > p_max then
        raise exception '%不能超过%个字', p_what, p_max
            using errcode = 'GKA22', column = p_field;
    end if;
    return v;
end
$$;

-- --------------------------------------------------------- query codes

-- The secret query code of an online application is derived from the
-- form's token (a random 256-bit value only the applicant's browser
-- has): posting the same form again shows the same code, and the
-- database keeps only hashes of both.  12 characters of an alphabet
-- without 0/O and 1/I, shown as XXXX-XXXX-XXXX (60 bits).
create function query_code_from_token(p_token text)
returns text
language plpgsql immutable strict
set search_path = gongkai, pg_temp
as $$
declare
    alphabet  constant text := '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
    h         bytea := ext.digest('gongkai-apply-query-code:' || p_token,
                                  'sha256');
    v_out     text := '';
    v         integer;
begin
    for i in 0 .. 11 loop
        v := 0;
        for j in 0 .. 4 loop
            v := v | (get_bit(h, i * 5 + j) << j);
        end loop;
        v_out := v_out || substr(alphabet, v + 1, 1);
        if i in (3, 7) then
            v_out := v_out || '-';
        end if;
    end loop;
    return v_out;
end
$$;

-- The hash kept for a query code, from the code as typed (case, blanks
-- and dashes do not matter).
create function query_code_hash(p_code text)
returns bytea
language sql immutable strict
set search_path = gongkai, pg_temp
as $$
    select ext.digest('gongkai-apply-query:'
                      || regexp_replace(upper(p_code), '[^0-9A-Z]', '', 'g'),
                      'sha256')
$$;

-- ---------------------------------------------------- the application form

-- The application form's fields (issue 4 "The public form"), checked.
-- p_organs: the organs the applicant (or the member of staff) may choose.
-- Returns v (the values, as the tables store them) and errors
-- ({field: message}, empty when all is well).  p_form.door is what the
-- module's own checks refused ({"id_number": false, ...}).
create function apply_form_parse(p_form jsonb, p_organs bigint[],
                                 out v jsonb, out errors jsonb)
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_kind    text := form_text(p_form, 'applicant_kind');
    v_org     boolean;
    v_t       text;
    v_organ   bigint;
    v_idtype  text;
    v_id      text;
    v_code    text;
    v_email   text;
    v_deliv   text;
    v_agent   boolean := form_flag(p_form, 'by_agent');
    v_door    jsonb := case when jsonb_typeof(p_form -> 'door') = 'object'
                            then p_form -> 'door' else '{}' end;
    f         record;
begin
    v := '{}';
    errors := '{}';

    -- plain text fields: name, limit, required
    for f in select * from (values
            ('description', 4000, true, '所需信息的内容描述'),
            ('doc_ref', 200, false, '文件名称、文号或索引号'),
            ('purpose', 1000, false, '用途'),
            ('address', 300, false, '通信地址'),
            ('work_unit', 200, false, '工作单位'),
            ('legal_rep', 100, false, '法定代表人或负责人'),
            ('contact_person', 100, false, '联系人'),
            ('phone', 40, true, '联系电话'),
            ('fax', 40, false, '传真'),
            ('email', 200, false, '电子邮箱'),
            ('postcode', 6, false, '邮政编码'),
            ('agent_name', 100, false, '代理人姓名'),
            ('agent_id_number', 40, false, '代理人身份证件号码'),
            ('agent_phone', 40, false, '代理人联系电话'))
            as x (key, lim, req, what)
    loop
        v_t := nullif(btrim(coalesce(form_text(p_form, f.key), ''),
                            E' \t\r\n\u3000'), '');
        if v_t is null and f.req then
            errors := errors || jsonb_build_object(f.key, '请填写' || f.what);
        elsif length(v_t) > f.lim then
            errors := errors || jsonb_build_object(f.key,
                f.what || '不能超过' || f.lim || '个字');
        end if;
        v := v || jsonb_build_object(f.key, v_t);
    end loop;

    -- the organ applied to
    v_t := btrim(coalesce(form_text(p_form, 'organ'), ''));
    if v_t = '' and cardinality(p_organs) = 1 then
        v_organ := p_organs[1];
    else
        select id into v_organ from organs
         where unit_code = upper(v_t) and id = any (p_organs);
    end if;
    if v_organ is null then
        errors := errors || '{"organ": "请选择受理申请的机关"}';
    end if;
    v := v || jsonb_build_object('organ_id', v_organ);

    -- the applicant
    if v_kind is null
       or not exists (select 1 from applicant_kinds where code = v_kind)
    then
        errors := errors || '{"applicant_kind": "请选择申请人类型"}';
        v_kind := null;
    end if;
    v_org := coalesce((select is_org from applicant_kinds
                        where code = v_kind), false);
    v := v || jsonb_build_object('applicant_kind', v_kind);

    if not v_org then
        v_t := nullif(btrim(coalesce(form_text(p_form, 'name'), ''),
                            E' \t\r\n\u3000'), '');
        if v_t is null then
            errors := errors || '{"name": "请填写申请人姓名"}';
        elsif length(v_t) > 50 then
            errors := errors || '{"name": "姓名不能超过50个字"}';
        end if;
        v := v || jsonb_build_object('name', v_t);

        v_idtype := form_text(p_form, 'id_type');
        if v_idtype is null or apply_term('id_type', v_idtype) is null then
            errors := errors || '{"id_type": "请选择身份证件类型"}';
            v_idtype := null;
        end if;
        v_id := id_normal(form_text(p_form, 'id_number'));
        if v_id = '' then
            errors := errors || '{"id_number": "请填写身份证件号码"}';
        elsif v_idtype = 'resident_id'
              and (not resident_id_valid(v_id)
                   or resident_id_birth(v_id) > today_cn()
                   or v_door -> 'id_number' = 'false'::jsonb)
        then
            errors := errors || jsonb_build_object('id_number',
                '居民身份证号码不正确：请核对18位号码，'
                || '最后一位校验码与前17位不符或出生日期无效');
        elsif v_idtype <> 'resident_id'
              and v_id !~ '^[0-9A-Z()（）]{5,30}$'
        then
            errors := errors || jsonb_build_object('id_number',
                '证件号码应为5至30位字母或数字');
        end if;
        v := v || jsonb_build_object('id_type', v_idtype,
                                     'id_number', nullif(v_id, ''),
                                     'credit_code', null,
                                     'legal_rep', null,
                                     'contact_person', null);
    else
        v_t := nullif(btrim(coalesce(form_text(p_form, 'org_name'), ''),
                            E' \t\r\n\u3000'), '');
        if v_t is null then
            errors := errors || '{"org_name": "请填写单位名称"}';
        elsif length(v_t) > 100 then
            errors := errors || '{"org_name": "单位名称不能超过100个字"}';
        end if;
        v := v || jsonb_build_object('name', v_t);
        v_code := id_normal(form_text(p_form, 'credit_code'));
        if v_code = '' then
            errors := errors || '{"credit_code": "请填写统一社会信用代码"}';
        elsif not credit_code_valid(v_code)
              or v_door -> 'credit_code' = 'false'::jsonb
        then
            errors := errors || jsonb_build_object('credit_code',
                '统一社会信用代码不正确：应为18位，'
                || '最后一位校验码须与前17位相符');
        end if;
        if v ->> 'legal_rep' is null then
            errors := errors || '{"legal_rep": "请填写法定代表人或负责人"}';
        end if;
        if v ->> 'contact_person' is null then
            errors := errors || '{"contact_person": "请填写联系人"}';
        end if;
        v := v || jsonb_build_object('id_type', null, 'id_number', null,
                                     'work_unit', null,
                                     'credit_code', nullif(v_code, ''));
    end if;

    -- contact details
    v_t := v ->> 'phone';
    if v_t is not null and v_t !~ '^[0-9+()（） -]{5,40}$' then
        errors := errors || '{"phone": "联系电话只能包含数字、空格和 + - ( )"}';
    end if;
    v_t := v ->> 'fax';
    if v_t is not null and v_t !~ '^[0-9+()（） -]{5,40}$' then
        errors := errors || '{"fax": "传真号码只能包含数字、空格和 + - ( )"}';
    end if;
    v_t := v ->> 'postcode';
    if v_t is not null and v_t !~ '^[0-9]{6}$' then
        errors := errors || '{"postcode": "邮政编码应为6位数字"}';
    end if;
    v_email := v ->> 'email';
    if v_email is not null
       and v_email !~ '^[^[:space:]@<>"]+@[^[:space:]@<>"]+\.[^[:space:]@<>"]+$'
    then
        errors := errors || '{"email": "电子邮箱格式不正确"}';
    end if;

    -- the agent
    v := v || jsonb_build_object('by_agent', v_agent);
    if v_agent then
        if v ->> 'agent_name' is null then
            errors := errors || '{"agent_name": "委托代理人申请的，请填写代理人姓名"}';
        end if;
        v_id := id_normal(v ->> 'agent_id_number');
        if v_id = '' then
            errors := errors
                || '{"agent_id_number": "请填写代理人的身份证件号码"}';
        elsif length(v_id) = 18 and v_id ~ '^[0-9]{17}[0-9X]$'
              and (not resident_id_valid(v_id)
                   or v_door -> 'agent_id_number' = 'false'::jsonb)
        then
            errors := errors || jsonb_build_object('agent_id_number',
                '代理人的居民身份证号码不正确：校验码与前17位不符'
                || '或出生日期无效');
        end if;
        v := v || jsonb_build_object('agent_id_number', nullif(v_id, ''));
    else
        v := v || '{"agent_name": null, "agent_id_number": null,
                    "agent_phone": null}';
    end if;

    -- the information wanted, its form and delivery
    v_t := form_text(p_form, 'wanted_form');
    if v_t is null or apply_term('form', v_t) is null then
        errors := errors || '{"wanted_form": "请选择获取信息的形式"}';
        v_t := null;
    end if;
    v := v || jsonb_build_object('wanted_form', v_t);
    v_deliv := form_text(p_form, 'delivery');
    if v_deliv is null or apply_term('delivery', v_deliv) is null then
        errors := errors || '{"delivery": "请选择获取信息的方式"}';
        v_deliv := null;
    end if;
    v := v || jsonb_build_object('delivery', v_deliv);
    if v_deliv = 'post' and (v ->> 'address' is null
                             or v ->> 'postcode' is null)
    then
        errors := errors || jsonb_build_object(
            case when v ->> 'address' is null then 'address'
                 else 'postcode' end,
            '选择邮寄的，请填写通信地址和邮政编码');
    end if;
    if v_deliv = 'email' and v_email is null then
        errors := errors || '{"email": "选择电子邮件的，请填写电子邮箱"}';
    end if;
    if v_deliv = 'fax' and v ->> 'fax' is null then
        errors := errors || '{"fax": "选择传真的，请填写传真号码"}';
    end if;
end
$$;

-- Who an applicant is, for 第三十五条: the identity number, else the
-- name.
create function applicant_identity(p_v jsonb)
returns text
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select case
        when p_v ->> 'credit_code' is not null
            then 'uscc:' || (p_v ->> 'credit_code')
        when p_v ->> 'id_number' is not null
            then 'id:' || (p_v ->> 'id_type') || ':' || (p_v ->> 'id_number')
        else 'name:' || lower(p_v ->> 'name') end
$$;

-- Records an application: the case and its applicant.  Returns the id.
create function apply_create(p_v jsonb, p_channel text, p_receipt date,
                             p_user bigint, p_form_hash bytea,
                             p_query_hash bytea, p_note text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_id     bigint;
    v_organ  bigint := (p_v ->> 'organ_id')::bigint;
begin
    insert into applications (tracking_no, query_hash, form_hash, organ_id,
                              desk_organ_id, channel, applicant_kind,
                              by_agent, description, doc_ref, purpose,
                              wanted_form, delivery, receipt_date,
                              clock_start, registered_by, registered_note)
    values ('YS' || to_char(today_cn(), 'YYYY') || '-'
            || lpad(nextval('applications_tracking_seq')::text, 6, '0'),
            p_query_hash, p_form_hash, v_organ, desk_of(v_organ),
            p_channel, p_v ->> 'applicant_kind',
            coalesce((p_v ->> 'by_agent')::boolean, false),
            p_v ->> 'description', p_v ->> 'doc_ref', p_v ->> 'purpose',
            p_v ->> 'wanted_form', p_v ->> 'delivery', p_receipt, p_receipt,
            p_user, p_note)
    on conflict (form_hash) do nothing
    returning id into v_id;

    if v_id is null then
        return null;
    end if;

    insert into applicants (case_id, name, id_type, id_number, work_unit,
                            credit_code, legal_rep, contact_person, address,
                            postcode, phone, email, fax, agent_name,
                            agent_id_number, agent_phone, identity_key)
    values (v_id, p_v ->> 'name', p_v ->> 'id_type', p_v ->> 'id_number',
            p_v ->> 'work_unit', p_v ->> 'credit_code', p_v ->> 'legal_rep',
            p_v ->> 'contact_person', p_v ->> 'address',
            p_v ->> 'postcode', p_v ->> 'phone', p_v ->> 'email',
            p_v ->> 'fax', p_v ->> 'agent_name', p_v ->> 'agent_id_number',
            p_v ->> 'agent_phone', applicant_identity(p_v));
    return v_id;
end
$$;

-- How many applications the same applicant made to the same handling
-- organ within the window (第三十五条), this one included.
create function applicant_repeat_count(p_case bigint)
returns integer
language sql stable
set search_path = gongkai, pg_temp
as $$
    select count(*)::integer
      from applicants me
      join applications a on a.id = me.case_id
      join applicants o on o.identity_key = me.identity_key
      join applications b on b.id = o.case_id
     where me.case_id = p_case
       and b.desk_organ_id = a.desk_organ_id
       and b.receipt_date between a.receipt_date
                                  - setting_int('apply.repeat_window_days')
                              and a.receipt_date
$$;

-- Staff register an application received in person, by letter, fax or
-- email (issue 4 "Case handling").  p_form: the application form plus
-- channel, receipt_date (第三十一条: the day received in person, the
-- day a letter was signed for, the day a fax or email was confirmed)
-- and registered_note.  Returns (id, query code).
create function apply_register(p_user bigint, p_client inet, p_form jsonb,
                               out id bigint, out query_code text)
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v        record;
    v_chan   text := form_text(p_form, 'channel');
    v_day    date;
    v_note   text;
    v_organ  bigint;
begin
    perform require_role(p_user, 'application_officer', '登记申请');
    select organ_id into v_organ from users where users.id = p_user;
    v := apply_form_parse(p_form, desk_organs(v_organ));
    perform raise_form_errors(v.errors);
    if v_chan is null or v_chan = 'website'
       or not exists (select 1 from apply_channels where code = v_chan)
    then
        raise exception '请选择收到申请的方式'
            using errcode = 'GKA22', column = 'channel';
    end if;
    v_day := event_day(form_text(p_form, 'receipt_date'),
                       today_cn() - 366, 'receipt_date', '收到申请的日期');
    v_note := input_text(form_text(p_form, 'registered_note'), 1000,
                         'registered_note', '登记说明', false);

    query_code := query_code_from_token(encode(ext.gen_random_bytes(32),
                                               'hex'));
    id := apply_create(v.v, v_chan, v_day, p_user, null,
                       query_code_hash(query_code), v_note);
    perform case_audit(p_user, p_client, 'case.register', id,
                       jsonb_build_object(
                           'tracking_no', (select tracking_no
                                             from applications a
                                            where a.id = apply_register.id),
                           'channel', (select name from apply_channels
                                        where code = v_chan),
                           'applicant_kind', (select name
                                                from applicant_kinds
                                               where code = v.v ->>
                                                     'applicant_kind'),
                           'receipt_date', v_day,
                           'repeat', applicant_repeat_count(id)));
end
$$;

-- ------------------------------------------------------------ documents

-- The next number of a handling organ's documents of one word and year:
-- 德政办公复〔2025〕12号.
create function case_document_issue(p_case bigint, p_kind text,
                                    p_user bigint, p_on date, p_body text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a       applications;
    ap      applicants;
    v_abbr  text;
    v_word  text := case p_kind
                        when 'acceptance' then '公受'
                        when 'correction' then '公补'
                        when 'extension' then '公延'
                        else '公复' end;
    v_year  integer := extract(year from p_on)::integer;
    v_seq   integer;
    v_id    bigint;
    v_no    text;
begin
    select * into a from applications where id = p_case;
    select * into ap from applicants where case_id = p_case;
    select coalesce(f.doc_abbr, o.short_name, o.name) into v_abbr
      from organs o left join apply_offices f on f.organ_id = o.id
     where o.id = a.desk_organ_id;

    insert into case_doc_numbers as n (organ_id, word, year, last)
    values (a.desk_organ_id, v_word, v_year, 1)
    on conflict (organ_id, word, year) do update set last = n.last + 1
    returning last into v_seq;
    v_no := v_abbr || v_word || '〔' || v_year || '〕' || v_seq || '号';

    insert into case_documents (case_id, kind, doc_no, abbr, word, year, seq,
                                title, addressee, body, issuer, issued_on,
                                issued_by)
    values (p_case, p_kind, v_no, v_abbr, v_word, v_year, v_seq,
            apply_term('doc', p_kind), ap.name || '：', p_body,
            (select name from organs where id = a.organ_id), p_on, p_user)
    returning id into v_id;

    perform case_audit(p_user, null, 'case.document', p_case,
                       jsonb_build_object('document', v_id, 'doc_no', v_no,
                                          'document_title',
                                          apply_term('doc', p_kind)));
    return v_id;
end
$$;

-- The opening sentence of every notice.
create function case_doc_opening(a applications)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select '本机关于' || cn_date(a.receipt_date) || '收到您（单位）通过'
           || (select name from apply_channels where code = a.channel)
           || '方式提出的政府信息公开申请（申请编号：' || a.tracking_no
           || '），申请获取的政府信息为：“' || a.description || '”。'
$$;

create function case_doc_remedies()
returns text
language sql immutable
as $$
    select '如对本答复不服，可以在收到本答复之日起60日内依法申请行政复议，'
           || '或者在6个月内依法向人民法院提起行政诉讼。'
$$;

-- ------------------------------------------------------------- the steps

-- 受理 (工作规程 第六条(三)): the acceptance notice, with the reply date.
create function case_accept(p_user bigint, p_client inet, p_case bigint,
                            p_on text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a      applications;
    v_on   date;
    v_doc  bigint;
    c      case_clock;
begin
    a := officer_case(p_user, p_case);
    if a.stage <> 'received' then
        raise exception '只有待审查的申请可以受理（当前：%）',
            apply_term('stage', a.stage) using errcode = 'GKA09';
    end if;
    v_on := event_day(p_on, a.clock_start, 'accepted_on', '受理日期');
    c := case_clock(a.id, v_on);
    v_doc := case_document_issue(a.id, 'acceptance', p_user, v_on,
        case_doc_opening(a) || E'\n'
        || '经审查，您的申请符合受理条件，本机关决定予以受理。根据《中华人民'
        || '共和国政府信息公开条例》第三十三条的规定，本机关将在收到申请之日'
        || '起' || c.limit_days || '个工作日内（' || cn_date(c.due_on)
        || '前）作出答复；征求第三方或者其他机关意见所需时间不计算在内；'
        || '需要延长答复期限的，将另行告知。');
    update applications set stage = 'processing', accepted_on = v_on
     where id = a.id;
    perform case_audit(p_user, p_client, 'case.accept', a.id,
                       jsonb_build_object('tracking_no', a.tracking_no,
                                          'on', v_on,
                                          'due_on', c.due_on));
    return v_doc;
end
$$;

-- 补正 (条例 第三十条): one notice listing everything, within 7 working
-- days of receipt, with a deadline.
create function case_correction(p_user bigint, p_client inet, p_case bigint,
                                p_items text, p_due text, p_on text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a       applications;
    v_on    date;
    v_due   date;
    v_last  date;
    v_items text;
    v_doc   bigint;
begin
    a := officer_case(p_user, p_case);
    if a.stage <> 'received' then
        raise exception '只有待审查的申请可以要求补正（当前：%）',
            apply_term('stage', a.stage) using errcode = 'GKA09';
    end if;
    if exists (select 1 from case_corrections where case_id = a.id) then
        raise exception '补正通知只能发一次（一次性告知），本申请已经补正过'
            using errcode = 'GKA09';
    end if;
    v_items := input_text(p_items, 4000, 'items', '需要补正的事项', true);
    v_on := event_day(p_on, a.receipt_date, 'notice_on', '通知日期');
    v_last := add_working_days(a.receipt_date,
                  setting_int('apply.correction_notice_working_days'));
    if v_on > v_last then
        raise exception '补正通知应在收到申请之日起%个工作日内（%前）发出，'
            '已经超过期限', setting_int('apply.correction_notice_working_days'),
            cn_date(v_last) using errcode = 'GKA09';
    end if;
    v_due := parse_day(p_due);
    if v_due is null then
        raise exception '请填写补正期限，格式如 2025-03-20'
            using errcode = 'GKA22', column = 'due_on';
    end if;
    if v_due <= v_on then
        raise exception '补正期限须晚于通知日期'
            using errcode = 'GKA22', column = 'due_on';
    end if;
    if v_due > v_on + 366 then
        raise exception '补正期限过长' using errcode = 'GKA22',
            column = 'due_on';
    end if;

    insert into case_corrections (case_id, items, notice_on, due_on,
                                  created_by)
    values (a.id, v_items, v_on, v_due, p_user);
    v_doc := case_document_issue(a.id, 'correction', p_user, v_on,
        case_doc_opening(a) || E'\n'
        || '经审查，您的申请内容不明确或者不完整，请补正以下内容：' || E'\n'
        || v_items || E'\n'
        || '根据《中华人民共和国政府信息公开条例》第三十条的规定，请您于'
        || cn_date(v_due) || '前向本机关补正。答复期限自本机关收到补正后的'
        || '申请之日起计算。无正当理由逾期不补正的，视为放弃申请，本机关'
        || '不再处理该政府信息公开申请。');
    update applications set stage = 'correcting' where id = a.id;
    perform case_audit(p_user, p_client, 'case.correction', a.id,
                       jsonb_build_object('tracking_no', a.tracking_no,
                                          'on', v_on, 'due_on', v_due));
    return v_doc;
end
$$;

-- The corrected application arrived: the clock restarts on that day.
create function case_corrected(p_user bigint, p_client inet, p_case bigint,
                               p_on text, p_note text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a     applications;
    c     case_corrections;
    v_on  date;
begin
    a := officer_case(p_user, p_case);
    select * into c from case_corrections where case_id = a.id;
    if a.stage <> 'correcting' or c.id is null then
        raise exception '本申请没有等待补正' using errcode = 'GKA09';
    end if;
    v_on := event_day(p_on, c.notice_on, 'received_on', '收到补正的日期');
    if v_on > c.due_on then
        raise exception '补正期限（%）已过；逾期不补正的，请按“逾期不补正”'
            '办结', cn_date(c.due_on)
            using errcode = 'GKA09';
    end if;
    update case_corrections
       set received_on = v_on,
           received_note = input_text(p_note, 2000, 'received_note',
                                      '补正情况', false)
     where id = c.id;
    update applications set stage = 'received', clock_start = v_on
     where id = a.id;
    perform case_audit(p_user, p_client, 'case.corrected', a.id,
                       jsonb_build_object('tracking_no', a.tracking_no,
                                          'on', v_on));
end
$$;

-- 交办 (工作规程 第七条): a department answers within 5 working days.
create function case_assign(p_user bigint, p_client inet, p_case bigint,
                            p_unit text, p_note text, p_on text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a     applications;
    v_on  date;
    v_id  bigint;
    v_u   text;
begin
    a := officer_case(p_user, p_case);
    if a.stage <> 'processing' then
        raise exception '受理后才能交办' using errcode = 'GKA09';
    end if;
    v_u := input_text(p_unit, 200, 'unit', '承办部门', true);
    v_on := event_day(p_on, a.accepted_on, 'assigned_on', '交办日期');
    insert into case_assignments (case_id, unit, note, assigned_on, due_on,
                                  created_by)
    values (a.id, v_u, input_text(p_note, 2000, 'assign_note', '交办说明',
                                  false),
            v_on, add_working_days(v_on,
                      setting_int('apply.department_working_days')),
            p_user)
    returning id into v_id;
    perform case_audit(p_user, p_client, 'case.assign', a.id,
                       jsonb_build_object('assignment', v_id, 'unit', v_u,
                                          'on', v_on));
    return v_id;
end
$$;

-- A department's answer (工作规程 第八条): 公开 / 部分公开 / 免予公开 /
-- 不属于本机关 / 不存在, with the legal ground for 部分公开 and 免予公开.
create function case_answer(p_user bigint, p_client inet, p_case bigint,
                            p_assignment bigint, p_answer text,
                            p_ground text, p_note text, p_on text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a     applications;
    s     case_assignments;
    v_on  date;
begin
    a := officer_case(p_user, p_case);
    select * into s from case_assignments
     where id = p_assignment and case_id = a.id for update;
    if not found then
        raise exception '处理单不存在' using errcode = 'GKA04';
    end if;
    if s.answer is not null then
        raise exception '该部门的答复已经登记' using errcode = 'GKA09';
    end if;
    if p_answer is null or apply_term('answer', p_answer) is null then
        raise exception '请选择承办部门的答复意见'
            using errcode = 'GKA22', column = 'answer';
    end if;
    if p_answer in ('partial', 'exempt')
       and (p_ground is null
            or not exists (select 1 from withhold_grounds
                            where code = p_ground))
    then
        raise exception '部分公开、免予公开须选择法律依据'
            using errcode = 'GKA22', column = 'ground';
    end if;
    v_on := event_day(p_on, s.assigned_on, 'answered_on', '答复日期');
    update case_assignments
       set answer = p_answer,
           ground = case when p_answer in ('partial', 'exempt')
                         then p_ground end,
           answer_note = input_text(p_note, 4000, 'answer_note', '答复意见',
                                    false),
           answered_on = v_on, answered_by = p_user
     where id = s.id;
    perform case_audit(p_user, p_client, 'case.answer', a.id,
                       jsonb_strip_nulls(jsonb_build_object(
                           'assignment', s.id,
                           'answer', apply_term('answer', p_answer),
                           'ground', (select '条例' || article || '：' || name
                                        from withhold_grounds
                                       where code = p_ground
                                         and p_answer in ('partial',
                                                          'exempt')),
                           'on', v_on)));
end
$$;

-- 征求意见 (第三十二、三十四条): the clock pauses from the day after it
-- was sent until the answer is recorded.
create function case_consult(p_user bigint, p_client inet, p_case bigint,
                             p_kind text, p_party text, p_on text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a     applications;
    v_on  date;
    v_id  bigint;
    v_p   text;
    c     case_clock;
begin
    a := officer_case(p_user, p_case);
    if a.stage <> 'processing' then
        raise exception '受理后才能征求意见' using errcode = 'GKA09';
    end if;
    if p_kind is null or p_kind not in ('third_party', 'organ') then
        raise exception '请选择征求谁的意见'
            using errcode = 'GKA22', column = 'kind';
    end if;
    v_p := input_text(p_party, 200, 'party', '征求意见的对象', true);
    v_on := event_day(p_on, a.accepted_on, 'sent_on', '发出征求意见的日期');
    c := case_clock(a.id, v_on);
    if c.state = 'running' and c.due_on < v_on then
        raise exception '答复期限（%）已过，不能再征求意见',
            cn_date(c.due_on) using errcode = 'GKA09';
    end if;
    insert into case_consultations (case_id, kind, party, sent_on, due_on,
                                    created_by)
    values (a.id, p_kind, v_p, v_on,
            add_working_days(v_on, setting_int('apply.consult_working_days')),
            p_user)
    returning id into v_id;
    perform case_audit(p_user, p_client, 'case.consult', a.id,
                       jsonb_build_object('consultation',
                                          apply_term('consult', p_kind),
                                          'on', v_on));
    return v_id;
end
$$;

create function case_consult_answer(p_user bigint, p_client inet,
                                    p_case bigint, p_consultation bigint,
                                    p_answer text, p_on text, p_note text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a     applications;
    s     case_consultations;
    v_on  date;
begin
    a := officer_case(p_user, p_case);
    select * into s from case_consultations
     where id = p_consultation and case_id = a.id for update;
    if not found then
        raise exception '征求意见记录不存在' using errcode = 'GKA04';
    end if;
    if s.answered_on is not null then
        raise exception '征求意见的结果已经登记' using errcode = 'GKA09';
    end if;
    if p_answer is null or apply_term('consult_answer', p_answer) is null
    then
        raise exception '请选择意见'
            using errcode = 'GKA22', column = 'consult_answer';
    end if;
    v_on := event_day(p_on, s.sent_on, 'consult_answered_on', '收到意见的日期');
    if p_answer = 'no_answer' and v_on < s.due_on then
        raise exception '提出意见的期限（%）尚未届满', cn_date(s.due_on)
            using errcode = 'GKA22', column = 'consult_answer';
    end if;
    update case_consultations
       set answer = p_answer, answered_on = v_on,
           note = input_text(p_note, 2000, 'consult_note', '意见内容',
                             false)
     where id = s.id;
    perform case_audit(p_user, p_client, 'case.consult_answer', a.id,
                       jsonb_build_object('consultation',
                                          apply_term('consult', s.kind),
                                          'answer', apply_term(
                                              'consult_answer', p_answer),
                                          'on', v_on));
end
$$;

-- 延期 (第三十三条第二款): requested before the deadline, at most 20
-- working days, once.
create function case_extension_request(p_user bigint, p_client inet,
                                       p_case bigint, p_days text,
                                       p_reason text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a       applications;
    c       case_clock;
    v_days  integer;
    v_id    bigint;
    v_max   integer := setting_int('apply.extension_max_working_days');
begin
    a := officer_case(p_user, p_case);
    if a.stage not in ('received', 'processing') then
        raise exception '此时不能申请延期（%）', apply_term('stage', a.stage)
            using errcode = 'GKA09';
    end if;
    if exists (select 1 from case_extensions
                where case_id = a.id and decision is distinct from 'refused')
    then
        raise exception '答复期限只能延长一次' using errcode = 'GKA09';
    end if;
    if btrim(coalesce(p_days, '')) !~ '^[0-9]{1,3}$' then
        raise exception '请填写延长的工作日数（1至%）', v_max
            using errcode = 'GKA22', column = 'days';
    end if;
    v_days := btrim(p_days)::integer;
    if v_days < 1 or v_days > v_max then
        raise exception '延长的期限最长不超过%个工作日', v_max
            using errcode = 'GKA22', column = 'days';
    end if;
    c := case_clock(a.id, today_cn());
    if c.state = 'running' and c.due_on < today_cn() then
        raise exception '答复期限（%）已过，不能再申请延期',
            cn_date(c.due_on) using errcode = 'GKA09';
    end if;
    insert into case_extensions (case_id, days, reason, requested_by)
    values (a.id, v_days,
            input_text(p_reason, 2000, 'reason', '延期理由', true), p_user)
    returning id into v_id;
    perform case_audit(p_user, p_client, 'case.extension_request', a.id,
                       jsonb_build_object('days', v_days));
    return v_id;
end
$$;

-- Approved or refused by the head of the disclosure office (a unit head
-- of the handling organ, not the requester); an approval issues the
-- 延期答复告知书.
create function case_extension_decide(p_user bigint, p_client inet,
                                      p_case bigint, p_decision text,
                                      p_note text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a      applications;
    e      case_extensions;
    c      case_clock;
    v_on   date := today_cn();
begin
    a := staff_case(p_user, p_case, true);
    perform require_role(p_user, 'unit_head', '审批延期答复');
    if (select organ_id from users where id = p_user) <> a.desk_organ_id
    then
        raise exception '只能审批本机关的延期申请' using errcode = 'GKA09';
    end if;
    select * into e from case_extensions
     where case_id = a.id and decision is null for update;
    if not found then
        raise exception '没有待审批的延期申请' using errcode = 'GKA09';
    end if;
    if e.requested_by = p_user then
        raise exception '不能审批自己提出的延期申请' using errcode = 'GKA09';
    end if;
    if p_decision is null or p_decision not in ('approved', 'refused') then
        raise exception '请选择同意或不同意'
            using errcode = 'GKA22', column = 'decision';
    end if;
    c := case_clock(a.id, v_on);
    if p_decision = 'approved' and c.state = 'running' and c.due_on < v_on
    then
        raise exception '原答复期限（%）已过，不能再批准延期',
            cn_date(c.due_on) using errcode = 'GKA09';
    end if;
    update case_extensions
       set decision = p_decision, decided_by = p_user, decided_on = v_on,
           decided_at = now(),
           decision_note = input_text(p_note, 2000, 'decision_note',
                                      '审批意见', p_decision = 'refused')
     where id = e.id;
    if p_decision = 'approved' then
        c := case_clock(a.id, v_on);
        perform case_document_issue(a.id, 'extension', p_user, v_on,
            case_doc_opening(a) || E'\n'
            || '因' || rtrim(e.reason, '。') || '，本机关不能在规定期限内'
            || '作出答复。根据《中华人民共和国政府信息公开条例》第三十三条'
            || '第二款的规定，经本机关政府信息公开工作机构负责人同意，答复'
            || '期限延长' || e.days || '个工作日'
            || case when c.due_on is not null then
                   '，本机关将于' || cn_date(c.due_on) || '前作出答复'
               else '' end || '。');
    end if;
    perform case_audit(p_user, p_client, 'case.extension_decide', a.id,
                       jsonb_build_object('decision',
                                          case p_decision
                                              when 'approved' then '同意'
                                              else '不同意' end,
                                          'days', e.days));
end
$$;

-- The ground an outcome of group 3 stands on (条例 第十四至十六条).
create function outcome_ground(p_outcome text)
returns text
language sql immutable
as $$
    select case p_outcome
        when '3.1' then 'art14_secret'
        when '3.2' then 'art14_law'
        when '3.3' then 'art14_security'
        when '3.4' then 'art15_third_party'
        when '3.5' then 'art16_internal'
        when '3.6' then 'art16_process'
        when '3.7' then 'art16_case_file' end
$$;

-- A draft reply (工作规程 第九条) with its outcome; it goes to the
-- secrecy review.  Outcomes of group 6 close a case without a reply.
create function case_reply_draft(p_user bigint, p_client inet,
                                 p_case bigint, p_outcome text,
                                 p_ground text, p_body text,
                                 p_right_organ text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a        applications;
    v_id     bigint;
    v_ground text;
begin
    a := officer_case(p_user, p_case);
    if a.stage not in ('received', 'processing') then
        raise exception '此时不能起草答复（%）', apply_term('stage', a.stage)
            using errcode = 'GKA09';
    end if;
    if exists (select 1 from case_replies
                where case_id = a.id
                  and state in ('secrecy', 'approval', 'approved'))
    then
        raise exception '本案已有答复在审核中或已经批准'
            using errcode = 'GKA09';
    end if;
    if exists (select 1 from case_assignments
                where case_id = a.id and answer is null)
    then
        raise exception '还有承办部门没有答复，请登记其答复后再起草'
            using errcode = 'GKA09';
    end if;
    if exists (select 1 from case_consultations
                where case_id = a.id and answered_on is null)
    then
        raise exception '征求意见尚未结束，请登记结果后再起草'
            using errcode = 'GKA09';
    end if;
    if p_outcome is null
       or not exists (select 1 from apply_outcomes where code = p_outcome)
    then
        raise exception '请选择办理结果' using errcode = 'GKA22',
            column = 'outcome';
    end if;
    if p_outcome like '6%' then
        raise exception '“其他处理”不需要答复书，请直接办结'
            using errcode = 'GKA22', column = 'outcome';
    end if;
    v_ground := coalesce(outcome_ground(p_outcome), p_ground);
    if p_outcome = '2' and (v_ground is null
                            or not exists (select 1 from withhold_grounds
                                            where code = v_ground))
    then
        raise exception '部分公开须写明不公开部分的法律依据'
            using errcode = 'GKA22', column = 'ground';
    end if;
    if p_outcome not like '3%' and p_outcome <> '2' then
        v_ground := null;
    end if;

    insert into case_replies (case_id, no, outcome, ground, body,
                              right_organ, drafted_by)
    values (a.id, 1, p_outcome, v_ground,
            input_text(p_body, 8000, 'body', '答复内容', true),
            input_text(p_right_organ, 300, 'right_organ',
                       '掌握该信息的机关及联系方式', false),
            p_user)
    returning id into v_id;
    perform case_audit(p_user, p_client, 'case.reply_draft', a.id,
                       jsonb_build_object('reply', v_id,
                                          'outcome',
                                          outcome_label(p_outcome)));
    return v_id;
end
$$;

-- The reply document's text.
create function case_reply_text(p_reply case_replies)
returns text
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case_doc_opening(a) || E'\n' || '现答复如下：' || E'\n'
           || p_reply.body
           || coalesce(E'\n' || '依据《中华人民共和国政府信息公开条例》'
                       || g.article || '：“' || g.text || '”', '')
           || coalesce(E'\n' || '经查，该政府信息由' || p_reply.right_organ
                       || '掌握，请您向其提出申请。', '')
           || E'\n' || case_doc_remedies()
      from applications a
      left join withhold_grounds g on g.code = p_reply.ground
     where a.id = p_reply.case_id
$$;

-- 保密审查 and 审定 (工作规程 第九至十一条): approve or return; the
-- approval issues the numbered reply (答复书, or 不予处理告知书).
create function case_reply_review(p_user bigint, p_client inet,
                                  p_case bigint, p_reply bigint,
                                  p_decision text, p_reason text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a      applications;
    r      case_replies;
    v_doc  bigint;
begin
    a := staff_case(p_user, p_case, true);
    select * into r from case_replies
     where case_id = a.id and state in ('secrecy', 'approval') for update;
    if not found then
        raise exception '没有待审核的答复' using errcode = 'GKA09';
    end if;
    if p_reply is not null and p_reply <> r.id then
        raise exception '答复已经变化，请刷新页面后再试'
            using errcode = 'GKA09';
    end if;
    if p_decision is null or p_decision not in ('approve', 'return') then
        raise exception '请选择审核意见'
            using errcode = 'GKA22', column = 'decision';
    end if;
    if p_decision = 'return' and btrim(coalesce(p_reason, '')) = '' then
        raise exception '退回须写明理由' using errcode = 'GKA22',
            column = 'reason';
    end if;
    insert into case_reply_steps (reply_id, step, decision, actor_id, reason)
    values (r.id, r.state, p_decision, p_user,
            input_text(p_reason, 2000, 'reason', '审核意见', false));
    select * into r from case_replies where id = r.id;
    if r.state = 'approved' then
        v_doc := case_document_issue(a.id,
                     case when r.outcome like '5%' then 'refusal'
                          else 'reply' end,
                     p_user, today_cn(), case_reply_text(r));
        update case_replies set document_id = v_doc where id = r.id;
    end if;
    perform case_audit(p_user, p_client, 'case.reply_review', a.id,
                       jsonb_build_object('reply', r.id,
                                          'decision', apply_term(
                                              'reply_decision', p_decision),
                                          'stage', apply_term('reply',
                                                              r.state)));
end
$$;

-- 送达 (工作规程 第十二条): how, when and who signed for it.
create function case_deliver(p_user bigint, p_client inet, p_case bigint,
                             p_document bigint, p_method text, p_on text,
                             p_signed_by text, p_note text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a     applications;
    d     case_documents;
    v_on  date;
begin
    a := officer_case(p_user, p_case);
    select * into d from case_documents
     where id = p_document and case_id = a.id for update;
    if not found then
        raise exception '文书不存在' using errcode = 'GKA04';
    end if;
    if d.sent_on is not null then
        raise exception '该文书的送达已经登记' using errcode = 'GKA09';
    end if;
    if p_method is null or apply_term('sent', p_method) is null then
        raise exception '请选择送达方式'
            using errcode = 'GKA22', column = 'method';
    end if;
    v_on := event_day(p_on, d.issued_on, 'sent_on', '送达日期');
    update case_documents
       set sent_method = p_method, sent_on = v_on,
           signed_by = input_text(p_signed_by, 100, 'signed_by', '签收人',
                                  p_method in ('in_person', 'pickup')),
           sent_note = input_text(p_note, 1000, 'sent_note', '送达说明',
                                  false),
           sent_by = p_user
     where id = d.id;
    perform case_audit(p_user, p_client, 'case.deliver', a.id,
                       jsonb_build_object('document', d.id,
                                          'doc_no', d.doc_no,
                                          'method', apply_term('sent',
                                                               p_method),
                                          'on', v_on));
end
$$;

-- 办结: with the approved, delivered reply's outcome, or one of group 6
-- (6.1 only when the correction deadline passed without a correction).
create function case_close(p_user bigint, p_client inet, p_case bigint,
                           p_outcome text, p_note text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a      applications;
    r      case_replies;
    v_out  text := nullif(btrim(coalesce(p_outcome, '')), '');
begin
    a := officer_case(p_user, p_case);
    if a.stage = 'closed' then
        raise exception '案件已经办结' using errcode = 'GKA09';
    end if;
    select * into r from case_replies
     where case_id = a.id and state = 'approved';
    if v_out is null and r.id is null then
        raise exception '答复经审批并送达后才能办结（“其他处理”须选择办理结果）'
            using errcode = 'GKA09';
    end if;
    v_out := coalesce(v_out, r.outcome);
    if v_out is null
       or not exists (select 1 from apply_outcomes where code = v_out)
    then
        raise exception '请选择办理结果' using errcode = 'GKA22',
            column = 'outcome';
    end if;
    if v_out not like '6%' and r.id is null then
        raise exception '答复经审批并送达后才能办结'
            using errcode = 'GKA09';
    end if;
    update applications
       set stage = 'closed', outcome = v_out, closed_at = now(),
           closed_by = p_user,
           close_note = input_text(p_note, 2000, 'close_note', '办结说明',
                                   false)
     where id = a.id;
    perform case_audit(p_user, p_client, 'case.close', a.id,
                       jsonb_build_object('tracking_no', a.tracking_no,
                                          'outcome', outcome_label(v_out)));
end
$$;

-- 行政复议 / 行政诉讼 (NATIONAL.md section 四).
create function case_remedy_add(p_user bigint, p_client inet, p_case bigint,
                                p_kind text, p_route text, p_filed text,
                                p_body text, p_result text, p_decided text,
                                p_note text)
returns bigint
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a        applications;
    v_filed  date;
    v_dec    date;
    v_id     bigint;
    v_res    text := coalesce(nullif(p_result, ''), 'pending');
begin
    a := officer_case(p_user, p_case);
    if p_kind is null or p_kind not in ('reconsideration', 'litigation') then
        raise exception '请选择行政复议或行政诉讼'
            using errcode = 'GKA22', column = 'remedy_kind';
    end if;
    if p_kind = 'litigation'
       and (p_route is null
            or p_route not in ('direct', 'after_reconsideration'))
    then
        raise exception '请选择是否经过复议'
            using errcode = 'GKA22', column = 'route';
    end if;
    if apply_term('result', v_res) is null then
        raise exception '请选择结果' using errcode = 'GKA22',
            column = 'result';
    end if;
    v_filed := event_day(p_filed, a.receipt_date, 'filed_on',
                         '申请复议或起诉的日期');
    if v_res <> 'pending' then
        v_dec := event_day(p_decided, v_filed, 'decided_on', '结果日期');
    end if;
    insert into case_remedies (case_id, kind, route, filed_on, body, result,
                               decided_on, note, created_by)
    values (a.id, p_kind,
            case when p_kind = 'litigation' then p_route end, v_filed,
            input_text(p_body, 200, 'remedy_body', '复议机关或人民法院', true),
            v_res, v_dec,
            input_text(p_note, 2000, 'remedy_note', '说明', false), p_user)
    returning id into v_id;
    perform case_audit(p_user, p_client, 'case.remedy', a.id,
                       jsonb_build_object('remedy', apply_term('remedy',
                                                               p_kind),
                                          'result', apply_term('result',
                                                               v_res)));
    return v_id;
end
$$;

create function case_remedy_update(p_user bigint, p_client inet,
                                   p_case bigint, p_remedy bigint,
                                   p_result text, p_decided text,
                                   p_note text)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    a      applications;
    m      case_remedies;
    v_dec  date;
begin
    a := officer_case(p_user, p_case);
    select * into m from case_remedies
     where id = p_remedy and case_id = a.id for update;
    if not found then
        raise exception '复议、诉讼记录不存在' using errcode = 'GKA04';
    end if;
    if p_result is null or apply_term('result', p_result) is null then
        raise exception '请选择结果' using errcode = 'GKA22',
            column = 'result';
    end if;
    if p_result <> 'pending' then
        v_dec := event_day(p_decided, m.filed_on, 'decided_on', '结果日期');
    end if;
    update case_remedies
       set result = p_result, decided_on = v_dec,
           note = coalesce(input_text(p_note, 2000, 'remedy_note', '说明',
                                      false), note)
     where id = m.id;
    perform case_audit(p_user, p_client, 'case.remedy_update', a.id,
                       jsonb_build_object('remedy', apply_term('remedy',
                                                               m.kind),
                                          'result', apply_term('result',
                                                               p_result)));
end
$$;
