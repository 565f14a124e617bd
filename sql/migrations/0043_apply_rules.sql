-- 0043: the rules of the case flow, enforced by the database whoever
-- writes (ARCHITECTURE.md "Where rules live"), and the reply clock.
--
-- The clock (条例 第三十、三十二至三十四条): the reply is due 20 working
-- days (apply.reply_working_days) after clock_start — the receipt date,
-- or the day a corrected application arrived — plus an approved
-- extension (at most 20), not counting the working days a consultation
-- of a third party or another organ was pending.  While a correction is
-- awaited the clock stands still; while a consultation is open it is
-- paused.  Working days come from the holiday calendar (0005).

-- ------------------------------------------------------------ the clock

-- The working days d with p_start < d <= p_end that no pause covers.
create function working_days_counted(p_start date, p_end date,
                                     p_pauses daterange[])
returns integer
language sql stable
set search_path = gongkai, pg_temp
as $$
    select count(*)::integer
      from generate_series(p_start + 1, p_end, interval '1 day') g
      left join holidays h on h.day = g::date
     where coalesce(not h.is_off_day, extract(isodow from g) < 6)
       and not exists (select 1 from unnest(p_pauses) r
                        where r @> g::date)
$$;

comment on function working_days_counted(date, date, daterange[]) is
    'Working days d with start < d <= end outside every pause (pauses are '
    'dateranges; an unbounded one pauses everything after its start).';

-- The day the n-th counted working day after p_start falls on: n working
-- days after start, skipping the paused days; null when an open pause
-- keeps the count from ever reaching n.
create function working_deadline(p_start date, p_n integer,
                                 p_pauses daterange[])
returns date
language sql stable
set search_path = gongkai, pg_temp
as $$
    select d
      from (select g::date as d, row_number() over (order by g) as k
              from generate_series(
                       p_start + 1,
                       p_start + 2 * p_n + 30
                       + coalesce((select sum(upper(r) - lower(r))
                                     from unnest(p_pauses) r
                                    where not upper_inf(r)
                                      and not lower_inf(r)), 0)::integer,
                       interval '1 day') g
              left join holidays h on h.day = g::date
             where coalesce(not h.is_off_day, extract(isodow from g) < 6)
               and not exists (select 1 from unnest(p_pauses) r
                                where r @> g::date)) w
     where k = p_n
$$;

comment on function working_deadline(date, integer, daterange[]) is
    'The date of the n-th working day after start that no pause covers '
    '(the start day itself is not counted, as in add_working_days); null '
    'when an open pause means the count never gets there.  With no '
    'pauses it equals add_working_days(start, n).';

-- A consultation's pause: the days after it was sent up to the day of
-- the answer, both counted as paused; open while unanswered.
create function consultation_pause(p_sent date, p_answered date)
returns daterange
language sql immutable
set search_path = gongkai, pg_temp
as $$
    select daterange(p_sent + 1, p_answered + 1, '[)')
$$;

create function case_pauses(p_case bigint)
returns daterange[]
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(array_agg(consultation_pause(sent_on, answered_on)
                              order by sent_on), '{}')
      from case_consultations where case_id = p_case
$$;

-- The working days a case has for its reply: 20 plus an approved
-- extension.
create function case_limit(p_case bigint)
returns integer
language sql stable
set search_path = gongkai, pg_temp
as $$
    select setting_int('apply.reply_working_days')
           + coalesce((select days from case_extensions
                        where case_id = p_case and decision = 'approved'), 0)
$$;

create type case_clock as (
    -- running | paused (a consultation is open) | stopped (waiting for a
    -- correction) | closed
    state      text,
    started    date,          -- clock_start
    limit_days integer,       -- 20 (+ extension)
    used       integer,       -- working days counted up to today
    due_on     date,          -- null while paused or stopped
    days_left  integer,       -- working days from today to due_on
    overdue    boolean,
    due_soon   boolean
);

create function case_clock(p_case bigint, p_today date)
returns case_clock
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    a       applications;
    c       case_clock;
    v_p     daterange[];
    v_end   date;
begin
    select * into a from applications where id = p_case;
    if not found then
        return null;
    end if;
    v_p := case_pauses(p_case);
    c.started := a.clock_start;
    c.limit_days := case_limit(p_case);
    c.overdue := false;
    c.due_soon := false;

    if a.stage = 'correcting' then
        c.state := 'stopped';
        return c;
    end if;

    v_end := case when a.stage = 'closed'
                  then (a.closed_at at time zone 'Asia/Shanghai')::date
                  else p_today end;
    c.used := working_days_counted(a.clock_start, v_end, v_p);
    c.due_on := working_deadline(a.clock_start, c.limit_days, v_p);

    if a.stage = 'closed' then
        c.state := 'closed';
        return c;
    end if;

    if exists (select 1 from unnest(v_p) r where upper_inf(r)) then
        c.state := 'paused';
        c.due_on := null;
        c.days_left := c.limit_days - c.used;
        return c;
    end if;

    c.state := 'running';
    c.days_left := working_days_between(p_today, c.due_on);
    c.overdue := c.due_on < p_today;
    c.due_soon := not c.overdue
                  and c.days_left
                      <= setting_int('apply.due_soon_working_days');
    return c;
end
$$;

-- {clock_state, clock_state_name, started, limit_days, used, due_on,
--  days_left, days_overdue, overdue, due_soon} for the pages.
create function case_clock_json(p_case bigint)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select jsonb_build_object(
        'clock_state', c.state,
        'clock_state_name', case c.state
            when 'running' then '计时中'
            when 'paused' then '暂停计时（征求意见期间不计入答复期限）'
            when 'stopped' then '等待补正（补正后重新计算答复期限）'
            when 'closed' then '已办结' end,
        'started', to_char(c.started, 'YYYY-MM-DD'),
        'limit_days', c.limit_days,
        'used', c.used,
        'due_on', to_char(c.due_on, 'YYYY-MM-DD'),
        'days_left', case when c.days_left >= 0 then c.days_left end,
        'days_overdue', case when c.overdue
                             then working_days_between(c.due_on,
                                                       today_cn()) end,
        'overdue', c.overdue,
        'due_soon', c.due_soon,
        'running', c.state = 'running',
        'paused', c.state = 'paused')
      from case_clock(p_case, today_cn()) c
$$;

-- ------------------------------------------------------------- the guards

-- What a case's own row may do: fixed facts stay fixed, the stage moves
-- only along the flow and only with the records that justify it.
create function applications_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    c   case_corrections;
    r   case_replies;
    d   case_documents;
begin
    if tg_op = 'DELETE' then
        raise exception '依申请公开案卷不能删除（一案一卷）'
            using errcode = 'GKA09';
    end if;

    if tg_op = 'INSERT' then
        if new.stage <> 'received' or new.outcome is not null
           or new.closed_at is not null or new.accepted_on is not null
        then
            raise exception '新申请只能以“已收到”登记' using errcode = 'GKA09';
        end if;
        if new.clock_start <> new.receipt_date then
            raise exception '答复期限自收到申请之日起计算'
                using errcode = 'GKA09';
        end if;
        if new.desk_organ_id <> desk_of(new.organ_id) then
            raise exception '办理机关与受理机关的设置不符'
                using errcode = 'GKA09';
        end if;
        return new;
    end if;

    if (new.id, new.tracking_no, new.form_hash, new.organ_id,
        new.desk_organ_id, new.channel, new.applicant_kind, new.by_agent,
        new.description, new.doc_ref, new.purpose, new.wanted_form,
        new.delivery, new.received_at, new.receipt_date, new.registered_by,
        new.registered_note)
       is distinct from
       (old.id, old.tracking_no, old.form_hash, old.organ_id,
        old.desk_organ_id, old.channel, old.applicant_kind, old.by_agent,
        old.description, old.doc_ref, old.purpose, old.wanted_form,
        old.delivery, old.received_at, old.receipt_date, old.registered_by,
        old.registered_note)
    then
        raise exception '申请登记的内容不能修改' using errcode = 'GKA09';
    end if;
    if new.query_hash is distinct from old.query_hash
       and old.query_hash is not null
    then
        raise exception '查询码已经发放，不能更换' using errcode = 'GKA09';
    end if;

    if old.stage = 'closed' then
        if (new.stage, new.outcome, new.closed_at, new.closed_by,
            new.close_note, new.clock_start, new.accepted_on)
           is distinct from
           (old.stage, old.outcome, old.closed_at, old.closed_by,
            old.close_note, old.clock_start, old.accepted_on)
        then
            raise exception '案件已经办结，不能再变更' using errcode = 'GKA09';
        end if;
        return new;
    end if;

    select * into c from case_corrections where case_id = new.id;

    if new.clock_start is distinct from old.clock_start
       and not (old.stage = 'correcting' and new.stage = 'received'
                and new.clock_start = c.received_on)
    then
        raise exception '答复期限的起算日只能因补正而重新确定'
            using errcode = 'GKA09';
    end if;
    if new.accepted_on is distinct from old.accepted_on
       and not (old.stage = 'received' and new.stage = 'processing')
    then
        raise exception '受理日期只能在受理时填写' using errcode = 'GKA09';
    end if;
    if (new.outcome, new.closed_at, new.closed_by, new.close_note)
       is distinct from (old.outcome, old.closed_at, old.closed_by,
                         old.close_note)
       and new.stage <> 'closed'
    then
        raise exception '办理结果只能在办结时填写' using errcode = 'GKA09';
    end if;

    if new.stage is distinct from old.stage then
        if old.stage = 'received' and new.stage = 'correcting' then
            if c.id is null or c.received_on is not null then
                raise exception '没有补正通知，不能进入补正'
                    using errcode = 'GKA09';
            end if;
        elsif old.stage = 'correcting' and new.stage = 'received' then
            if c.received_on is null then
                raise exception '尚未收到补正材料' using errcode = 'GKA09';
            end if;
        elsif old.stage = 'received' and new.stage = 'processing' then
            if new.accepted_on is null
               or not exists (select 1 from case_documents
                               where case_id = new.id
                                 and kind = 'acceptance')
            then
                raise exception '受理须出具受理通知书' using errcode = 'GKA09';
            end if;
        elsif new.stage = 'closed' then
            if new.outcome is null or new.closed_at is null then
                raise exception '办结须有办理结果' using errcode = 'GKA09';
            end if;
            if new.outcome = '6.1' then
                -- 第三十条: no correction by the deadline
                if old.stage <> 'correcting' or c.received_on is not null
                   or c.due_on >= today_cn()
                then
                    raise exception '只有补正期限届满仍未补正的申请才能按'
                        '“逾期不补正”办结' using errcode = 'GKA09';
                end if;
            elsif new.outcome in ('6.2', '6.3') then
                if btrim(coalesce(new.close_note, '')) = '' then
                    raise exception '按“其他处理”办结须写明情况'
                        using errcode = 'GKA22', column = 'close_note';
                end if;
            else
                -- the outcome of the approved, delivered reply
                select * into r from case_replies
                 where case_id = new.id and state = 'approved';
                select * into d from case_documents where id = r.document_id;
                if r.id is null or r.outcome <> new.outcome then
                    raise exception '办理结果须与经审批的答复一致'
                        using errcode = 'GKA09';
                end if;
                if d.sent_on is null then
                    raise exception '答复书送达后才能办结'
                        using errcode = 'GKA09';
                end if;
            end if;
        else
            raise exception '案件不能从“%”转为“%”',
                apply_term('stage', old.stage),
                apply_term('stage', new.stage)
                using errcode = 'GKA09';
        end if;
    end if;

    new.updated_at := now();
    return new;
end
$$;

create trigger applications_guard
    before insert or update or delete on applications
    for each row execute function applications_guard();

create function apply_records_append_only()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    raise exception '案卷记录不能删除或改写（% %）', tg_table_name, tg_op
        using errcode = 'GKA09';
end
$$;

create trigger applicants_no_change
    before update or delete on applicants
    for each row execute function apply_records_append_only();

create trigger case_reply_steps_no_change
    before update or delete on case_reply_steps
    for each row execute function apply_records_append_only();

create trigger applications_no_truncate
    before truncate on applications
    for each statement execute function apply_records_append_only();

-- Records of a closed case stay as they are, except the reconsideration
-- and litigation that may follow it.
create function case_open_check(p_case bigint)
returns void
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if exists (select 1 from applications
                where id = p_case and stage = 'closed')
    then
        raise exception '案件已经办结，不能再变更' using errcode = 'GKA09';
    end if;
end
$$;

-- Child records: a delete is refused; an update may only fill in what
-- was pending (an answer, a date of arrival, a delivery), once.
create function case_records_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    o  jsonb;
    n  jsonb;
    k  text;
    v_fill text[];
begin
    if tg_op = 'DELETE' then
        raise exception '案卷记录不能删除（%）', tg_table_name
            using errcode = 'GKA09';
    end if;

    if tg_op = 'INSERT' then
        perform case_open_check(new.case_id);
        return new;
    end if;

    v_fill := case tg_table_name
        when 'case_corrections' then array['received_on', 'received_note']
        when 'case_consultations' then array['answered_on', 'answer', 'note']
        when 'case_extensions' then array['decision', 'decided_by',
                                          'decided_on', 'decided_at',
                                          'decision_note']
        when 'case_assignments' then array['answer', 'ground',
                                           'answer_note', 'answered_on',
                                           'answered_by']
        when 'case_documents' then array['sent_method', 'sent_on',
                                         'signed_by', 'sent_note',
                                         'sent_by']
        else '{}' end;
    o := to_jsonb(old);
    n := to_jsonb(new);

    for k in select jsonb_object_keys(n) loop
        continue when o -> k = n -> k;
        if not (k = any (v_fill)) then
            raise exception '案卷记录不能改写（%.%）', tg_table_name, k
                using errcode = 'GKA09';
        end if;
        if o -> k <> 'null'::jsonb
           and not (tg_table_name = 'case_consultations' and k = 'note')
        then
            raise exception '已经登记的内容不能改写（%.%）',
                tg_table_name, k using errcode = 'GKA09';
        end if;
    end loop;

    if tg_table_name <> 'case_documents' then
        perform case_open_check(new.case_id);
    end if;
    return new;
end
$$;

create trigger case_corrections_guard
    before insert or update or delete on case_corrections
    for each row execute function case_records_guard();
create trigger case_consultations_guard
    before insert or update or delete on case_consultations
    for each row execute function case_records_guard();
create trigger case_extensions_guard
    before insert or update or delete on case_extensions
    for each row execute function case_records_guard();
create trigger case_assignments_guard
    before insert or update or delete on case_assignments
    for each row execute function case_records_guard();
create trigger case_documents_guard
    before insert or update or delete on case_documents
    for each row execute function case_records_guard();

-- Replies: what was drafted is fixed; the state follows the steps.
create function reply_derive(p_reply bigint)
returns text
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    s      case_reply_steps;
    v_st   text := 'secrecy';
begin
    for s in select * from case_reply_steps where reply_id = p_reply
              order by id
    loop
        if v_st not in ('secrecy', 'approval') or s.step <> v_st then
            raise exception 'reply %: step % out of order', p_reply, s.id;
        end if;
        if s.decision = 'return' then
            v_st := 'returned';
        elsif s.step = 'secrecy' then
            v_st := 'approval';
        else
            v_st := 'approved';
        end if;
    end loop;
    return v_st;
end
$$;

create function case_replies_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if tg_op = 'DELETE' then
        raise exception '答复记录不能删除' using errcode = 'GKA09';
    end if;
    if tg_op = 'INSERT' then
        perform case_open_check(new.case_id);
        new.state := 'secrecy';
        new.document_id := null;
        new.no := coalesce((select max(no) from case_replies
                             where case_id = new.case_id), 0) + 1;
        return new;
    end if;
    if (new.id, new.case_id, new.no, new.outcome, new.ground, new.body,
        new.right_organ, new.drafted_by, new.drafted_at)
       is distinct from
       (old.id, old.case_id, old.no, old.outcome, old.ground, old.body,
        old.right_organ, old.drafted_by, old.drafted_at)
    then
        raise exception '答复草稿提交后不能修改，请退回后重新起草'
            using errcode = 'GKA09';
    end if;
    new.state := reply_derive(new.id);
    if new.document_id is distinct from old.document_id
       and (old.document_id is not null or new.state <> 'approved')
    then
        raise exception '答复书只能在审批通过时出具' using errcode = 'GKA09';
    end if;
    return new;
end
$$;

create trigger case_replies_guard
    before insert or update or delete on case_replies
    for each row execute function case_replies_guard();

-- A step is taken only when it is the reply's next step, by someone who
-- holds the step's role in the handling organ, who did not draft the
-- reply and took no other step of it.
create function case_reply_step_check()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    r      case_replies;
    a      applications;
    u      users;
    v_role text;
begin
    select * into r from case_replies where id = new.reply_id for update;
    select * into a from applications where id = r.case_id;
    perform case_open_check(r.case_id);
    if reply_derive(r.id) <> new.step then
        raise exception '该答复当前不在“%”环节',
            apply_term('reply_step', new.step) using errcode = 'GKA09';
    end if;
    v_role := case new.step when 'secrecy' then 'secrecy_reviewer'
                            else 'leader' end;
    select * into u from users where id = new.actor_id;
    if not found or not u.active or not user_has_role(u.id, v_role) then
        raise exception '只有%可以进行“%”',
            (select name from staff_roles where role = v_role),
            apply_term('reply_step', new.step) using errcode = 'GKA09';
    end if;
    if u.organ_id <> a.desk_organ_id then
        raise exception '只能审核本机关办理的答复' using errcode = 'GKA09';
    end if;
    if new.actor_id = r.drafted_by
       or exists (select 1 from case_reply_steps
                   where reply_id = r.id and actor_id = new.actor_id)
    then
        raise exception '同一人不能起草并审核同一答复，也不能审核两个环节'
            using errcode = 'GKA09';
    end if;
    new.at := now();
    return new;
end
$$;

create trigger case_reply_step_check
    before insert on case_reply_steps
    for each row execute function case_reply_step_check();

create function case_reply_step_after()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    update case_replies set state = state where id = new.reply_id;
    return null;
end
$$;

create trigger case_reply_step_after
    after insert on case_reply_steps
    for each row execute function case_reply_step_after();

-- Remedies may be recorded and their results updated at any time; they
-- are never deleted.
create function case_remedies_guard()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if tg_op = 'DELETE' then
        raise exception '复议、诉讼记录不能删除' using errcode = 'GKA09';
    end if;
    if tg_op = 'UPDATE'
       and (new.id, new.case_id, new.kind, new.route, new.filed_on,
            new.created_by, new.created_at)
           is distinct from
           (old.id, old.case_id, old.kind, old.route, old.filed_on,
            old.created_by, old.created_at)
    then
        raise exception '复议、诉讼的登记内容不能修改，只能更新结果'
            using errcode = 'GKA09';
    end if;
    new.updated_at := now();
    return new;
end
$$;

create trigger case_remedies_guard
    before insert or update or delete on case_remedies
    for each row execute function case_remedies_guard();
