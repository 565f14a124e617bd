-- 0046: the admin pages of disclosure on request (sql/ADMIN.md, cases):
-- the queue with the working days left, the registration of applications
-- received in person, by letter, fax or email, the case page with the
-- forms for every step of the flow, the printable documents and the
-- whole dossier (一案一卷).  Every function checks the session (and the
-- CSRF token for actions) and the organ (another organ's case is GKA04),
-- calls one function of 0044, and shows its error next to the form that
-- caused it.  Viewing a case, a document or the dossier is audited.
--
-- Who sees what: the handling organ's application officers handle the
-- cases and see the applicants' personal data; its unit heads (the
-- disclosure office's head: extensions), secrecy reviewers and leaders
-- (the reply's secrecy review and approval) see the cases without the
-- personal data; a system administrator sees everything and acts on
-- nothing.

insert into audit_actions (action, name, sort) values
    ('case.document_view', '查看依申请公开文书', 72)
on conflict (action) do nothing;

-- ------------------------------------------------------------- helpers

-- What the case waits for, in words, for the queue and the case page.
create function case_next_step(a applications)
returns text
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    c   case_corrections;
    r   case_replies;
    d   case_documents;
    n   integer;
begin
    if a.stage = 'closed' then
        return '已办结';
    end if;
    if a.stage = 'correcting' then
        select * into c from case_corrections where case_id = a.id;
        if c.due_on < today_cn() then
            return '补正期限已过，可按“逾期不补正”办结';
        end if;
        return '等待申请人补正（期限 ' || to_char(c.due_on, 'YYYY-MM-DD')
               || '）';
    end if;
    select * into r from case_replies
     where case_id = a.id and state <> 'returned'
     order by no desc limit 1;
    if r.state = 'secrecy' then
        return '答复待保密审查';
    elsif r.state = 'approval' then
        return '答复待审批';
    elsif r.state = 'approved' then
        select * into d from case_documents where id = r.document_id;
        if d.sent_on is null then
            return '答复书待送达';
        end if;
        return '答复已送达，待办结';
    end if;
    if exists (select 1 from case_extensions
                where case_id = a.id and decision is null)
    then
        return '延期申请待审批';
    end if;
    if a.stage = 'received' then
        return '待审查：受理、通知补正或直接答复';
    end if;
    select count(*) into n from case_assignments
     where case_id = a.id and answer is null;
    if n > 0 then
        return '等待承办部门答复（' || n || ' 件）';
    end if;
    if exists (select 1 from case_consultations
                where case_id = a.id and answered_on is null)
    then
        return '征求意见中（暂停计时）';
    end if;
    return '待起草答复';
end
$$;

-- One row of the queue.
create function case_row_json(a applications)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
               'id', a.id,
               'tracking_no', a.tracking_no,
               'organ_name', (select name from organs where id = a.organ_id),
               'kind_name', (select name from applicant_kinds
                              where code = a.applicant_kind),
               'channel_name', (select name from apply_channels
                                 where code = a.channel),
               'receipt_date', to_char(a.receipt_date, 'YYYY-MM-DD'),
               'description', case when length(a.description) > 60
                                   then left(a.description, 60) || '…'
                                   else a.description end,
               'stage', a.stage,
               'stage_name', apply_term('stage', a.stage),
               'is_closed', a.stage = 'closed',
               'next', case_next_step(a),
               'outcome', outcome_label(a.outcome),
               'closed_on', fmt_day(a.closed_at),
               'correction_due', (select to_char(due_on, 'YYYY-MM-DD')
                                    from case_corrections
                                   where case_id = a.id
                                     and a.stage = 'correcting'),
               'correction_overdue', coalesce((
                   select due_on < today_cn() from case_corrections
                    where case_id = a.id and a.stage = 'correcting'), false),
               'repeat', case when applicant_repeat_count(a.id)
                                   >= setting_int('apply.repeat_threshold')
                              then applicant_repeat_count(a.id) end)
           || case_clock_json(a.id)
$$;

-- The roles that may open the cases pages at all.
create function case_roles(s session_info)
returns boolean
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select s.roles && array['application_officer', 'unit_head',
                            'secrecy_reviewer', 'leader', 'system_admin']
$$;

-- Choices for a <select> or radios from the apply_terms of a group.
create function term_choices(p_group text, p_checked text,
                             p_except text[] default '{}')
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'value', split_part(t.term, '.', 2), 'name', t.name,
               'checked', split_part(t.term, '.', 2) = p_checked)
           order by t.sort), '[]')
      from apply_terms t
     where t.term like p_group || '.%'
       and not (split_part(t.term, '.', 2) = any (p_except))
$$;

-- The registration form's data (cases/new): the application form's
-- choices for the organs this office handles, the channels but 网站.
create function case_new_json(p_user bigint, p_form jsonb, p_errors jsonb)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    v_organs  bigint[] := desk_organs((select organ_id from users
                                        where id = p_user));
    v_form    jsonb;
    v_sel     text;
begin
    if p_form is null then
        v_form := jsonb_build_object(
            'applicant_kind', 'citizen', 'id_type', 'resident_id',
            'wanted_form', 'paper', 'delivery', 'pickup',
            'channel', 'in_person',
            'receipt_date', to_char(today_cn(), 'YYYY-MM-DD'),
            'by_agent', false);
    else
        v_form := form_echo(p_form) - 'door'
                  || jsonb_build_object('by_agent',
                                        form_flag(p_form, 'by_agent'));
    end if;
    v_sel := coalesce(nullif(v_form ->> 'organ', ''),
                      (select unit_code from organs
                        where id = v_organs[1]));
    return jsonb_build_object(
        'organs', (select coalesce(jsonb_agg(jsonb_build_object(
                              'unit_code', o.unit_code, 'name', o.name,
                              'checked', o.unit_code = upper(v_sel))
                          order by o.unit_code), '[]')
                     from organs o where o.id = any (v_organs)),
        'kinds', (select jsonb_agg(jsonb_build_object(
                             'value', k.code, 'name', k.name,
                             'is_org', k.is_org,
                             'checked', k.code = v_form ->> 'applicant_kind')
                         order by k.sort)
                    from applicant_kinds k),
        'channels', (select jsonb_agg(jsonb_build_object(
                                'value', c.code, 'name', c.name,
                                'checked', c.code = v_form ->> 'channel')
                            order by c.sort)
                       from apply_channels c where c.code <> 'website'),
        'id_types', term_choices('id_type', v_form ->> 'id_type'),
        'forms', term_choices('form', v_form ->> 'wanted_form'),
        'deliveries', term_choices('delivery', v_form ->> 'delivery'),
        'form', v_form,
        'errors', coalesce(p_errors, '{}'),
        'invalid', (select coalesce(jsonb_object_agg(e.key, true), '{}')
                      from jsonb_each(coalesce(p_errors, '{}')) e),
        'has_errors', coalesce(p_errors, '{}') <> '{}',
        'today', to_char(today_cn(), 'YYYY-MM-DD'));
end
$$;

-- ---------------------------------------------------------- the case page

-- Everything the case page shows (sql/ADMIN.md "cases/N"), for a user
-- who may see the case.  p_action, p_row, p_form, p_errors: a form shown
-- again after a failed action (its errors and values go to
-- errors.<action> and form.<action>, or to the row it was about).
create function case_page_json(p_user bigint, p_case bigint,
                               p_action text, p_row bigint, p_form jsonb,
                               p_errors jsonb)
returns jsonb
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    a          applications;
    ap         applicants;
    c          case_corrections;
    e          case_extensions;
    r          case_replies;
    v_me       users;
    v_officer  boolean;
    v_see      boolean;
    v_open     boolean;
    v_clock    case_clock;
    v_can      jsonb;
    v_form     jsonb := coalesce(form_echo(p_form), '{}');
    v_errors   jsonb := coalesce(p_errors, '{}');
    v_top_e    jsonb := '{}';
    v_top_f    jsonb := '{}';
    v_row_act  text;
begin
    select * into a from applications where id = p_case;
    select * into ap from applicants where case_id = p_case;
    select * into c from case_corrections where case_id = p_case;
    select * into e from case_extensions
     where case_id = p_case order by id desc limit 1;
    select * into r from case_replies
     where case_id = p_case and state in ('secrecy', 'approval');
    select * into v_me from users where id = p_user;
    v_clock := case_clock(p_case, today_cn());

    v_officer := user_has_role(p_user, 'application_officer')
                 and v_me.organ_id = a.desk_organ_id;
    v_see := may_see_applicant(p_user, a);
    v_open := a.stage <> 'closed';

    -- the form that failed: at the top (errors.<action>) or in its row
    v_row_act := case when p_action in ('answer', 'consult_answer',
                                        'deliver', 'remedy_update')
                      then p_action end;
    if p_action is not null and v_row_act is null then
        v_top_e := jsonb_build_object(p_action, v_errors);
        v_top_f := jsonb_build_object(p_action, v_form);
    end if;

    v_can := jsonb_build_object(
        'accept', v_officer and a.stage = 'received',
        'correct', v_officer and a.stage = 'received' and c.id is null,
        'corrected', v_officer and a.stage = 'correcting'
                     and c.due_on >= today_cn(),
        'close_no_correction', v_officer and a.stage = 'correcting'
                               and c.due_on < today_cn(),
        'assign', v_officer and a.stage = 'processing',
        'consult', v_officer and a.stage = 'processing',
        'extend', v_officer and a.stage in ('received', 'processing')
                  and not exists (select 1 from case_extensions x
                                   where x.case_id = a.id
                                     and x.decision is distinct from
                                         'refused')
                  and coalesce(v_clock.state <> 'running'
                               or v_clock.due_on >= today_cn(), true),
        'decide_extension', e.decision is null and e.id is not null
                            and v_open
                            and user_has_role(p_user, 'unit_head')
                            and v_me.organ_id = a.desk_organ_id
                            and e.requested_by <> p_user,
        'draft_reply', v_officer and a.stage in ('received', 'processing')
                       and not exists (select 1 from case_replies x
                                        where x.case_id = a.id
                                          and x.state <> 'returned'),
        'review_reply', r.id is not null and v_open
                        and v_me.organ_id = a.desk_organ_id
                        and user_has_role(p_user,
                                          case r.state
                                              when 'secrecy'
                                              then 'secrecy_reviewer'
                                              else 'leader' end)
                        and r.drafted_by <> p_user
                        and not exists (select 1 from case_reply_steps s
                                         where s.reply_id = r.id
                                           and s.actor_id = p_user),
        'close', v_officer and v_open
                 and exists (select 1 from case_replies x
                               join case_documents d on d.id = x.document_id
                              where x.case_id = a.id
                                and x.state = 'approved'
                                and d.sent_on is not null),
        'close_other', v_officer and v_open,
        'remedy', v_officer,
        'deliver', v_officer);

    return jsonb_build_object(
        'case', jsonb_build_object(
            'id', a.id,
            'tracking_no', a.tracking_no,
            'organ_name', (select name from organs where id = a.organ_id),
            'desk_name', (select name from organs
                           where id = a.desk_organ_id),
            'channel_name', (select name from apply_channels
                              where code = a.channel),
            'is_online', a.channel = 'website',
            'kind_name', (select name from applicant_kinds
                           where code = a.applicant_kind),
            'is_org', (select is_org from applicant_kinds
                        where code = a.applicant_kind),
            'by_agent', a.by_agent,
            'description', a.description,
            'doc_ref', a.doc_ref,
            'purpose', a.purpose,
            'form_name', apply_term('form', a.wanted_form),
            'delivery_name', apply_term('delivery', a.delivery),
            'receipt_date', to_char(a.receipt_date, 'YYYY-MM-DD'),
            'received_at', fmt_time(a.received_at),
            'registered_by_name', user_name(a.registered_by),
            'registered_note', a.registered_note,
            'stage', a.stage,
            'stage_name', apply_term('stage', a.stage),
            'is_closed', a.stage = 'closed',
            'next', case_next_step(a),
            'accepted_on', to_char(a.accepted_on, 'YYYY-MM-DD'),
            'outcome', a.outcome,
            'outcome_label', outcome_label(a.outcome),
            'closed_at', fmt_time(a.closed_at),
            'closed_by_name', user_name(a.closed_by),
            'close_note', a.close_note,
            'correction_last_day', to_char(add_working_days(
                a.receipt_date,
                setting_int('apply.correction_notice_working_days')),
                'YYYY-MM-DD'),
            'repeat_count', applicant_repeat_count(a.id),
            'repeat_flag', applicant_repeat_count(a.id)
                           >= setting_int('apply.repeat_threshold'),
            'repeat_window', setting_int('apply.repeat_window_days'),
            'clock', case_clock_json(a.id)),
        'show_applicant', v_see,
        'applicant', case when v_see then jsonb_build_object(
            'name', ap.name,
            'id_type_name', apply_term('id_type', ap.id_type),
            'id_number', ap.id_number,
            'work_unit', ap.work_unit,
            'credit_code', ap.credit_code,
            'legal_rep', ap.legal_rep,
            'contact_person', ap.contact_person,
            'address', ap.address,
            'postcode', ap.postcode,
            'phone', ap.phone,
            'email', ap.email,
            'fax', ap.fax,
            'agent_name', ap.agent_name,
            'agent_id_number', ap.agent_id_number,
            'agent_phone', ap.agent_phone) end,
        'correction', case when c.id is not null then jsonb_build_object(
            'items', c.items,
            'notice_on', to_char(c.notice_on, 'YYYY-MM-DD'),
            'due_on', to_char(c.due_on, 'YYYY-MM-DD'),
            'received_on', to_char(c.received_on, 'YYYY-MM-DD'),
            'received_note', c.received_note,
            'overdue', c.received_on is null and c.due_on < today_cn(),
            'by', user_name(c.created_by)) end,
        'assignments', (
            select coalesce(jsonb_agg(jsonb_build_object(
                       'id', s.id,
                       'unit', s.unit,
                       'note', s.note,
                       'assigned_on', to_char(s.assigned_on, 'YYYY-MM-DD'),
                       'due_on', to_char(s.due_on, 'YYYY-MM-DD'),
                       'open', s.answer is null,
                       'overdue', s.answer is null
                                  and s.due_on < today_cn(),
                       'answer_name', apply_term('answer', s.answer),
                       'ground', (select '条例' || g.article || '：' || g.name
                                    from withhold_grounds g
                                   where g.code = s.ground),
                       'answer_note', s.answer_note,
                       'answered_on', to_char(s.answered_on, 'YYYY-MM-DD'),
                       'can_answer', v_officer and v_open
                                     and s.answer is null,
                       'errors', case when v_row_act = 'answer'
                                           and p_row = s.id
                                      then v_errors else '{}' end,
                       'form', case when v_row_act = 'answer'
                                         and p_row = s.id
                                    then v_form else '{}' end)
                   order by s.id), '[]')
              from case_assignments s where s.case_id = a.id),
        'consultations', (
            select coalesce(jsonb_agg(jsonb_build_object(
                       'id', x.id,
                       'kind_name', apply_term('consult', x.kind),
                       'party', x.party,
                       'sent_on', to_char(x.sent_on, 'YYYY-MM-DD'),
                       'due_on', to_char(x.due_on, 'YYYY-MM-DD'),
                       'open', x.answered_on is null,
                       'overdue', x.answered_on is null
                                  and x.due_on < today_cn(),
                       'answer_name', apply_term('consult_answer', x.answer),
                       'answered_on', to_char(x.answered_on, 'YYYY-MM-DD'),
                       'note', x.note,
                       'paused_days', case when x.answered_on is not null
                           then working_days_between(x.sent_on,
                                                     x.answered_on) end,
                       'can_answer', v_officer and v_open
                                     and x.answered_on is null,
                       'errors', case when v_row_act = 'consult_answer'
                                           and p_row = x.id
                                      then v_errors else '{}' end,
                       'form', case when v_row_act = 'consult_answer'
                                         and p_row = x.id
                                    then v_form else '{}' end)
                   order by x.id), '[]')
              from case_consultations x where x.case_id = a.id),
        'extension', case when e.id is not null then jsonb_build_object(
            'days', e.days,
            'reason', e.reason,
            'requested_by', user_name(e.requested_by),
            'requested_at', fmt_time(e.requested_at),
            'pending', e.decision is null,
            'approved', e.decision = 'approved',
            'decision_name', case e.decision when 'approved' then '同意'
                                             when 'refused' then '不同意'
                                             end,
            'decided_by', user_name(e.decided_by),
            'decided_on', to_char(e.decided_on, 'YYYY-MM-DD'),
            'decision_note', e.decision_note) end,
        'replies', (
            select coalesce(jsonb_agg(jsonb_build_object(
                       'id', x.id,
                       'no', x.no,
                       'outcome_label', outcome_label(x.outcome),
                       'ground', (select '条例' || g.article || '：' || g.name
                                    from withhold_grounds g
                                   where g.code = x.ground),
                       'body', x.body,
                       'right_organ', x.right_organ,
                       'drafted_by', user_name(x.drafted_by),
                       'drafted_at', fmt_time(x.drafted_at),
                       'state', x.state,
                       'state_name', apply_term('reply', x.state),
                       'is_open', x.state in ('secrecy', 'approval'),
                       'returned', x.state = 'returned',
                       'steps', (select coalesce(jsonb_agg(jsonb_build_object(
                                        'step_name', apply_term('reply_step',
                                                                s.step),
                                        'decision_name', apply_term(
                                            'reply_decision', s.decision),
                                        'negative', s.decision = 'return',
                                        'actor', user_name(s.actor_id),
                                        'at', fmt_time(s.at),
                                        'reason', s.reason)
                                    order by s.id), '[]')
                                   from case_reply_steps s
                                  where s.reply_id = x.id))
                   order by x.no desc), '[]')
              from case_replies x where x.case_id = a.id),
        'open_reply', case when r.id is not null then jsonb_build_object(
            'id', r.id, 'state', r.state,
            'step_name', apply_term('reply_step', r.state)) end,
        'documents', (
            select coalesce(jsonb_agg(jsonb_build_object(
                       'id', d.id,
                       'kind', d.kind,
                       'title', d.title,
                       'doc_no', d.doc_no,
                       'issued_on', to_char(d.issued_on, 'YYYY-MM-DD'),
                       'delivered', d.sent_on is not null,
                       'sent_on', to_char(d.sent_on, 'YYYY-MM-DD'),
                       'sent_method', apply_term('sent', d.sent_method),
                       'signed_by', case when v_see then d.signed_by end,
                       'sent_note', d.sent_note,
                       'sent_by', user_name(d.sent_by),
                       'can_deliver', v_officer and d.sent_on is null,
                       'errors', case when v_row_act = 'deliver'
                                           and p_row = d.id
                                      then v_errors else '{}' end,
                       'form', case when v_row_act = 'deliver'
                                         and p_row = d.id
                                    then v_form else '{}' end)
                   order by d.id), '[]')
              from case_documents d where d.case_id = a.id),
        'remedies', (
            select coalesce(jsonb_agg(jsonb_build_object(
                       'id', m.id,
                       'kind_name', apply_term('remedy', m.kind),
                       'route_name', apply_term('route', m.route),
                       'filed_on', to_char(m.filed_on, 'YYYY-MM-DD'),
                       'body', m.body,
                       'result_name', apply_term('result', m.result),
                       'pending', m.result = 'pending',
                       'decided_on', to_char(m.decided_on, 'YYYY-MM-DD'),
                       'note', m.note,
                       'can_update', v_officer,
                       'results', term_choices('result', m.result),
                       'errors', case when v_row_act = 'remedy_update'
                                           and p_row = m.id
                                      then v_errors else '{}' end)
                   order by m.id), '[]')
              from case_remedies m where m.case_id = a.id),
        'history', (
            select coalesce(jsonb_agg(jsonb_build_object(
                       'at', local_time(l.at),
                       'actor', coalesce(u.name, '申请人（网站）'),
                       'action_name', coalesce(aa.name, l.action),
                       'detail', audit_detail_text(l.detail - 'tracking_no'))
                   order by l.at, l.id), '[]')
              from audit_log l
              left join users u on u.id = l.actor_id
              left join audit_actions aa on aa.action = l.action
             where l.case_id = a.id
               and l.action not in ('case.view', 'case.document_view',
                                    'case.dossier', 'case.status_failed')),
        'can', v_can,
        'outcomes', (select jsonb_agg(jsonb_build_object(
                                'value', o.code,
                                'name', outcome_label(o.code),
                                'checked', o.code = v_form ->> 'outcome')
                            order by o.sort)
                       from apply_outcomes o where o.grp < 6),
        'other_outcomes', (select jsonb_agg(jsonb_build_object(
                                      'value', o.code,
                                      'name', outcome_label(o.code),
                                      'checked', o.code = v_form ->> 'outcome')
                                  order by o.sort)
                             from apply_outcomes o
                            where o.code in ('6.2', '6.3')),
        'grounds', (select jsonb_agg(jsonb_build_object(
                               'value', g.code,
                               'name', '条例' || g.article || '：' || g.name,
                               'checked', g.code = v_form ->> 'ground')
                           order by g.sort)
                      from withhold_grounds g),
        'answers', term_choices('answer', v_form ->> 'answer'),
        'consult_kinds', term_choices('consult', v_form ->> 'kind'),
        'consult_answers', term_choices('consult_answer',
                                        v_form ->> 'consult_answer'),
        'sent_methods', term_choices('sent', v_form ->> 'method'),
        'remedy_kinds', term_choices('remedy', v_form ->> 'remedy_kind'),
        'routes', term_choices('route', v_form ->> 'route'),
        'results', term_choices('result',
                                coalesce(v_form ->> 'result', 'pending')),
        'extension_max', setting_int('apply.extension_max_working_days'),
        'errors', v_top_e,
        'form', v_top_f,
        'has_errors', v_errors <> '{}',
        'today', to_char(today_cn(), 'YYYY-MM-DD'),
        'correction_due_default', to_char(today_cn() + 15, 'YYYY-MM-DD'));
end
$$;

-- The case page again after a failed action.
create function case_page_again(s session_info, p_case bigint,
                                p_action text, p_row bigint, p_form jsonb,
                                p_errors jsonb, p_status integer)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select session_json(s)
           || case_page_json(s.user_id, p_case, p_action, p_row, p_form,
                             p_errors)
           || jsonb_build_object('template', 'case', 'status', p_status)
$$;

-- ------------------------------------------------------------- the pages

-- cases?stage=&q=&page=: the handling organ's cases (every organ's for a
-- system administrator), the open ones most urgent first (overdue, then
-- by the deadline), 50 a page; what waits for the user's own step.
create function admin.page_cases(p_token text, p_client inet,
                                 p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s        session_info;
    v_all    boolean;
    v_stage  text := coalesce(nullif(form_text(p_query, 'stage'), ''),
                              'open');
    v_q      text := upper(btrim(coalesce(form_text(p_query, 'q'), '')));
    v_page   text := coalesce(nullif(form_text(p_query, 'page'), ''), '1');
    v_n      integer;
    v_rows   jsonb;
    v_count  integer;
    v_tasks  jsonb := '[]';
begin
    s := session_check(p_token, p_client);
    if not case_roles(s) then
        return session_json(s) || jsonb_build_object('no_access', true);
    end if;
    v_all := has_role(s, 'system_admin');

    if v_stage not in ('open', 'received', 'correcting', 'processing',
                       'closed', 'all')
    then
        raise exception '没有这个办理阶段：%', v_stage using errcode = 'GKA22';
    end if;
    if v_page !~ '^[0-9]{1,5}$' or v_page::integer < 1 then
        raise exception '页码无效' using errcode = 'GKA22';
    end if;
    if length(v_q) > 40 then
        raise exception '申请编号过长' using errcode = 'GKA22';
    end if;
    v_n := v_page::integer;

    with pick as (
        select a, case_clock(a.id, today_cn()) as c,
               (select due_on from case_corrections k
                 where k.case_id = a.id and a.stage = 'correcting') as cd
          from applications a
         where (v_all or a.desk_organ_id = s.organ_id)
           and (v_stage = 'all'
                or (v_stage = 'open' and a.stage <> 'closed')
                or a.stage = v_stage)
           and (v_q = '' or a.tracking_no like '%' || v_q || '%')
    ), ordered as (
        select p.a, row_number() over (
                   order by (p.a).stage = 'closed',
                            coalesce((p.c).overdue, false)
                            or coalesce(p.cd < today_cn(), false) desc,
                            coalesce((p.c).due_on, p.cd,
                                     (p.a).receipt_date + 400),
                            (p.a).closed_at desc nulls last, (p.a).id) as k
          from pick p
    )
    select coalesce(jsonb_agg(case_row_json(o.a) order by o.k), '[]'),
           count(*)
      into v_rows, v_count
      from (select * from ordered
             where k > (v_n - 1) * 50 and k <= v_n * 50 + 1) o;

    if v_count = 51 then
        v_rows := v_rows - 50;
    end if;

    -- the steps that wait for this user
    if has_role(s, 'secrecy_reviewer') or has_role(s, 'leader') then
        select v_tasks || coalesce(jsonb_agg(case_row_json(a)
                                             || jsonb_build_object(
                                   'task', '答复待您' || apply_term(
                                       'reply_step', r.state))
                                   order by r.drafted_at), '[]')
          into v_tasks
          from case_replies r join applications a on a.id = r.case_id
         where a.desk_organ_id = s.organ_id and a.stage <> 'closed'
           and ((r.state = 'secrecy' and has_role(s, 'secrecy_reviewer'))
                or (r.state = 'approval' and has_role(s, 'leader')))
           and r.drafted_by <> s.user_id
           and not exists (select 1 from case_reply_steps x
                            where x.reply_id = r.id
                              and x.actor_id = s.user_id);
    end if;
    if has_role(s, 'unit_head') then
        select v_tasks || coalesce(jsonb_agg(case_row_json(a)
                                             || jsonb_build_object(
                                   'task', '延期申请待您审批（'
                                           || e.days || '个工作日）')
                                   order by e.requested_at), '[]')
          into v_tasks
          from case_extensions e join applications a on a.id = e.case_id
         where a.desk_organ_id = s.organ_id and a.stage <> 'closed'
           and e.decision is null and e.requested_by <> s.user_id;
    end if;

    return session_json(s) || jsonb_build_object(
        'no_access', false,
        'scope_all', v_all,
        'may_register', has_role(s, 'application_officer'),
        'tasks', v_tasks,
        'has_tasks', jsonb_array_length(v_tasks) > 0,
        'cases', v_rows,
        'empty', v_count = 0,
        'filter', jsonb_build_object('stage', v_stage, 'q', v_q),
        'filtered', v_stage <> 'open' or v_q <> '',
        'stages', choices_json(
            array['open', 'received', 'correcting', 'processing', 'closed',
                  'all'],
            array['未办结', apply_term('stage', 'received'),
                  apply_term('stage', 'correcting'),
                  apply_term('stage', 'processing'),
                  apply_term('stage', 'closed'), '全部'],
            v_stage),
        'counts', (select jsonb_build_object(
                       'open', count(*) filter (where a.stage <> 'closed'),
                       'overdue', count(*) filter (
                           where a.stage in ('received', 'processing')
                             and (case_clock(a.id, today_cn())).overdue),
                       'due_soon', count(*) filter (
                           where a.stage in ('received', 'processing')
                             and (case_clock(a.id, today_cn())).due_soon))
                     from applications a
                    where (v_all or a.desk_organ_id = s.organ_id)
                      and a.stage <> 'closed'),
        'due_soon_days', setting_int('apply.due_soon_working_days'),
        'reply_days', setting_int('apply.reply_working_days'),
        'page', v_n,
        'prev_page', case when v_n > 1 then v_n - 1 end,
        'next_page', case when v_count = 51 then v_n + 1 end,
        'today', to_char(today_cn(), 'YYYY-MM-DD'));
end
$$;

create function admin.page_case_new(p_token text, p_client inet,
                                    p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
begin
    s := session_check(p_token, p_client);
    perform require_role(s.user_id, 'application_officer', '登记申请');
    return session_json(s) || case_new_json(s.user_id, null, null);
end
$$;

-- Registering shows the query code once (template case_registered), as
-- the public confirmation does: it is not stored, so no redirect.
create function admin.do_case_register(p_token text, p_client inet,
                                       p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s      session_info;
    v      record;
    r      record;
    v_col  text;
    v_msg  text;
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    perform require_role(s.user_id, 'application_officer', '登记申请');
    v := apply_form_parse(p_form, desk_organs(s.organ_id));
    if v.errors <> '{}' then
        return session_json(s) || case_new_json(s.user_id, p_form, v.errors)
               || '{"template": "case_new", "status": 422}';
    end if;
    begin
        r := apply_register(s.user_id, p_client, p_form);
    exception when sqlstate 'GKA22' then
        get stacked diagnostics v_col = column_name, v_msg = message_text;
        return session_json(s)
               || case_new_json(s.user_id, p_form,
                                jsonb_build_object(coalesce(nullif(v_col, ''),
                                                            'form'), v_msg))
               || '{"template": "case_new", "status": 422}';
    end;
    return session_json(s) || jsonb_build_object(
        'template', 'case_registered',
        'registered', jsonb_build_object(
            'id', r.id,
            'tracking_no', (select tracking_no from applications
                             where id = r.id),
            'query_code', r.query_code,
            'receipt_date', (select to_char(receipt_date, 'YYYY-MM-DD')
                               from applications where id = r.id),
            'repeat_count', applicant_repeat_count(r.id)));
end
$$;

create function admin.page_case(p_token text, p_client inet,
                                p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
    a  applications;
begin
    s := session_check(p_token, p_client);
    a := staff_case(s.user_id, arg_id(p_args, 1), false);
    perform case_audit(s.user_id, p_client, 'case.view', a.id,
                       jsonb_build_object('tracking_no', a.tracking_no));
    return session_json(s)
           || case_page_json(s.user_id, a.id, null, null, null, null);
end
$$;

-- A document as printed (A4), and the whole dossier.
create function case_document_json(p_user bigint, p_doc case_documents,
                                   p_see boolean)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'id', p_doc.id,
        'kind', p_doc.kind,
        'title', p_doc.title,
        'doc_no', p_doc.doc_no,
        'addressee', case when p_see then p_doc.addressee
                          else '（申请人）：' end,
        'paragraphs', (select jsonb_agg(p order by n)
                         from regexp_split_to_table(p_doc.body, E'\n')
                              with ordinality x (p, n)),
        'issuer', p_doc.issuer,
        'issued_on', to_char(p_doc.issued_on, 'YYYY-MM-DD'),
        'issued_cn', cn_date(p_doc.issued_on),
        'delivered', p_doc.sent_on is not null,
        'sent_on', to_char(p_doc.sent_on, 'YYYY-MM-DD'),
        'sent_method', apply_term('sent', p_doc.sent_method),
        'signed_by', case when p_see then p_doc.signed_by end,
        'sent_by', user_name(p_doc.sent_by))
$$;

create function admin.page_case_document(p_token text, p_client inet,
                                         p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
    a  applications;
    d  case_documents;
begin
    s := session_check(p_token, p_client);
    a := staff_case(s.user_id, arg_id(p_args, 1), false);
    select * into d from case_documents
     where id = arg_id(p_args, 2) and case_id = a.id;
    if not found then
        raise exception '文书不存在' using errcode = 'GKA04';
    end if;
    perform case_audit(s.user_id, p_client, 'case.document_view', a.id,
                       jsonb_build_object('document', d.id,
                                          'doc_no', d.doc_no));
    return session_json(s) || jsonb_build_object(
        'case', jsonb_build_object('id', a.id,
                                   'tracking_no', a.tracking_no),
        'document', case_document_json(s.user_id, d,
                                       may_see_applicant(s.user_id, a)));
end
$$;

create function admin.page_case_dossier(p_token text, p_client inet,
                                        p_args text[], p_query jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s  session_info;
    a  applications;
begin
    s := session_check(p_token, p_client);
    a := staff_case(s.user_id, arg_id(p_args, 1), false);
    perform case_audit(s.user_id, p_client, 'case.dossier', a.id,
                       jsonb_build_object('tracking_no', a.tracking_no));
    return session_json(s)
           || case_page_json(s.user_id, a.id, null, null, null, null)
           || jsonb_build_object(
                  'full_documents', (
                      select coalesce(jsonb_agg(case_document_json(
                                 s.user_id, d,
                                 may_see_applicant(s.user_id, a))
                             order by d.id), '[]')
                        from case_documents d where d.case_id = a.id),
                  'printed_at', local_time(now()));
end
$$;

-- ----------------------------------------------------------- the actions

-- Runs one step (p_sql: a call of a 0044 function with the case and the
-- form) and answers with the redirect to the case, or the case page
-- again with the step's error next to its form.  The steps' own checks
-- raise GKA04 (another organ's: 404), GKA09 (a rule: shown at the form,
-- 409), GKA22 (input: shown at the field, 422).
create function case_action(s session_info, p_client inet, p_case bigint,
                            p_action text, p_row bigint, p_form jsonb,
                            p_sql text)
returns jsonb
language plpgsql volatile
set search_path = gongkai, pg_temp
as $$
declare
    v_col  text;
    v_msg  text;
    v_st   text;
begin
    begin
        execute p_sql using s.user_id, p_client, p_case, p_form, p_row;
    exception when sqlstate 'GKA22' or sqlstate 'GKA09' then
        get stacked diagnostics v_col = column_name, v_msg = message_text,
                                v_st = returned_sqlstate;
        return case_page_again(s, p_case, p_action, p_row, p_form,
                               jsonb_build_object(
                                   case when v_st = 'GKA09' then 'rule'
                                        else coalesce(nullif(v_col, ''),
                                                      'rule') end,
                                   v_msg),
                               case v_st when 'GKA09' then 409 else 422 end);
    end;
    return jsonb_build_object('redirect', 'cases/' || p_case);
end
$$;

-- The common door of every case action: session, CSRF, the case.
create function case_door(p_token text, p_client inet, p_args text[],
                          p_form jsonb, out s session_info,
                          out a applications)
language plpgsql volatile
set search_path = gongkai, pg_temp
as $$
begin
    s := session_check_post(p_token, form_text(p_form, 'csrf'), p_client);
    a := staff_case(s.user_id, arg_id(p_args, 1), false);
end
$$;

create function admin.do_case_accept(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'accept', null, p_form,
        'select case_accept($1, $2, $3, form_text($4, ''accepted_on''))');
end
$$;

create function admin.do_case_correction(p_token text, p_client inet,
                                         p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'correction', null, p_form,
        'select case_correction($1, $2, $3, form_text($4, ''items''), '
        'form_text($4, ''due_on''), form_text($4, ''notice_on''))');
end
$$;

create function admin.do_case_corrected(p_token text, p_client inet,
                                        p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'corrected', null, p_form,
        'select case_corrected($1, $2, $3, form_text($4, ''received_on''), '
        'form_text($4, ''received_note''))');
end
$$;

create function admin.do_case_assign(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'assign', null, p_form,
        'select case_assign($1, $2, $3, form_text($4, ''unit''), '
        'form_text($4, ''assign_note''), form_text($4, ''assigned_on''))');
end
$$;

create function admin.do_case_answer(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'answer',
        arg_id(p_args, 2), p_form,
        'select case_answer($1, $2, $3, $5, '
        'nullif(form_text($4, ''answer''), ''''), '
        'nullif(form_text($4, ''ground''), ''''), '
        'form_text($4, ''answer_note''), form_text($4, ''answered_on''))');
end
$$;

create function admin.do_case_consult(p_token text, p_client inet,
                                      p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'consult', null, p_form,
        'select case_consult($1, $2, $3, nullif(form_text($4, ''kind''), '
        '''''), form_text($4, ''party''), form_text($4, ''sent_on''))');
end
$$;

create function admin.do_case_consult_answer(p_token text, p_client inet,
                                             p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'consult_answer',
        arg_id(p_args, 2), p_form,
        'select case_consult_answer($1, $2, $3, $5, '
        'nullif(form_text($4, ''consult_answer''), ''''), '
        'form_text($4, ''consult_answered_on''), '
        'form_text($4, ''consult_note''))');
end
$$;

create function admin.do_case_extension(p_token text, p_client inet,
                                        p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'extension', null, p_form,
        'select case_extension_request($1, $2, $3, form_text($4, ''days''), '
        'form_text($4, ''reason''))');
end
$$;

create function admin.do_case_extension_decide(p_token text, p_client inet,
                                               p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'extension_decide', null,
        p_form,
        'select case_extension_decide($1, $2, $3, '
        'nullif(form_text($4, ''decision''), ''''), '
        'form_text($4, ''decision_note''))');
end
$$;

create function admin.do_case_reply(p_token text, p_client inet,
                                    p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'reply', null, p_form,
        'select case_reply_draft($1, $2, $3, '
        'nullif(form_text($4, ''outcome''), ''''), '
        'nullif(form_text($4, ''ground''), ''''), form_text($4, ''body''), '
        'form_text($4, ''right_organ''))');
end
$$;

create function admin.do_case_reply_review(p_token text, p_client inet,
                                           p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d      record;
    v_rep  text := nullif(form_text(p_form, 'reply'), '');
begin
    d := case_door(p_token, p_client, p_args, p_form);
    if v_rep is not null and v_rep !~ '^[0-9]{1,18}$' then
        raise exception '表单无效' using errcode = 'GKA22';
    end if;
    return case_action(d.s, p_client, (d.a).id, 'review', v_rep::bigint,
        p_form,
        'select case_reply_review($1, $2, $3, $5, '
        'nullif(form_text($4, ''decision''), ''''), '
        'form_text($4, ''reason''))');
end
$$;

create function admin.do_case_deliver(p_token text, p_client inet,
                                      p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'deliver',
        arg_id(p_args, 2), p_form,
        'select case_deliver($1, $2, $3, $5, '
        'nullif(form_text($4, ''method''), ''''), '
        'form_text($4, ''sent_on''), form_text($4, ''signed_by''), '
        'form_text($4, ''sent_note''))');
end
$$;

create function admin.do_case_close(p_token text, p_client inet,
                                    p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id,
        case when form_text(p_form, 'which') in ('close', 'close_other',
                                                 'close_no_correction')
             then form_text(p_form, 'which') else 'close' end, null,
        p_form,
        'select case_close($1, $2, $3, '
        'nullif(form_text($4, ''outcome''), ''''), '
        'form_text($4, ''close_note''))');
end
$$;

create function admin.do_case_remedy(p_token text, p_client inet,
                                     p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'remedy', null, p_form,
        'select case_remedy_add($1, $2, $3, '
        'nullif(form_text($4, ''remedy_kind''), ''''), '
        'nullif(form_text($4, ''route''), ''''), '
        'form_text($4, ''filed_on''), form_text($4, ''remedy_body''), '
        'nullif(form_text($4, ''result''), ''''), '
        'form_text($4, ''decided_on''), form_text($4, ''remedy_note''))');
end
$$;

create function admin.do_case_remedy_update(p_token text, p_client inet,
                                            p_args text[], p_form jsonb)
returns jsonb
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    d  record;
begin
    d := case_door(p_token, p_client, p_args, p_form);
    return case_action(d.s, p_client, (d.a).id, 'remedy_update',
        arg_id(p_args, 2), p_form,
        'select case_remedy_update($1, $2, $3, $5, '
        'nullif(form_text($4, ''result''), ''''), '
        'form_text($4, ''decided_on''), form_text($4, ''remedy_note''))');
end
$$;

grant execute on function
    admin.page_cases(text, inet, text[], jsonb),
    admin.page_case_new(text, inet, text[], jsonb),
    admin.do_case_register(text, inet, text[], jsonb),
    admin.page_case(text, inet, text[], jsonb),
    admin.page_case_document(text, inet, text[], jsonb),
    admin.page_case_dossier(text, inet, text[], jsonb),
    admin.do_case_accept(text, inet, text[], jsonb),
    admin.do_case_correction(text, inet, text[], jsonb),
    admin.do_case_corrected(text, inet, text[], jsonb),
    admin.do_case_assign(text, inet, text[], jsonb),
    admin.do_case_answer(text, inet, text[], jsonb),
    admin.do_case_consult(text, inet, text[], jsonb),
    admin.do_case_consult_answer(text, inet, text[], jsonb),
    admin.do_case_extension(text, inet, text[], jsonb),
    admin.do_case_extension_decide(text, inet, text[], jsonb),
    admin.do_case_reply(text, inet, text[], jsonb),
    admin.do_case_reply_review(text, inet, text[], jsonb),
    admin.do_case_deliver(text, inet, text[], jsonb),
    admin.do_case_close(text, inet, text[], jsonb),
    admin.do_case_remedy(text, inet, text[], jsonb),
    admin.do_case_remedy_update(text, inet, text[], jsonb)
    to gongkai_web;
