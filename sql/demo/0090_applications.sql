-- Demo data of disclosure on request (issue 4): who handles the
-- applications made to the Dehong organs, the abbreviations of their
-- document numbers, and a few cases at different stages, handled by the
-- demo officer dh.applications (排春燕) with dh.secrecy and dh.leader.
--
-- Loading twice changes nothing: the settings are upserts, and the cases
-- are made only when no demo case exists yet (their registration note
-- begins with 演示).  The cases' dates are relative to the day of the
-- first load.  The demo applicants are invented; their identity numbers
-- only satisfy the check characters.

-- 工作规程 第二条: applications to the prefecture government are handled
-- by its office.
insert into apply_desks (organ_id, desk_organ_id)
select o.id, d.id
  from organs o, organs d
 where o.unit_code = '11533100000000100D'
   and d.unit_code = '11533100000000101D'
on conflict (organ_id) do update set desk_organ_id = excluded.desk_organ_id
 where apply_desks.desk_organ_id is distinct from excluded.desk_organ_id;

insert into apply_offices (organ_id, doc_abbr)
select o.id, v.abbr
  from (values ('11533100000000101D', '德政办'),
               ('11533100000000102D', '德财')) v (code, abbr)
  join organs o on o.unit_code = v.code
on conflict (organ_id) do update set doc_abbr = excluded.doc_abbr
 where apply_offices.doc_abbr is distinct from excluded.doc_abbr;

do $$
declare
    v_off   bigint := (select id from users where login = 'dh.applications');
    v_sec   bigint := (select id from users where login = 'dh.secrecy');
    v_lead  bigint := (select id from users where login = 'dh.leader');
    v_base  jsonb;
    v_id    bigint;
    v_r     bigint;
    v_doc   bigint;
    d0      date := today_cn();
begin
    if v_off is null or v_sec is null or v_lead is null
       or exists (select 1 from applications
                   where registered_note like '演示%')
    then
        return;
    end if;

    v_base := jsonb_build_object(
        'organ', '11533100000000100D', 'applicant_kind', 'citizen',
        'name', '李明', 'id_type', 'resident_id',
        'id_number', '533102198503150010', 'phone', '0692-2123456',
        'address', '德宏州芒市勇罕街5号', 'postcode', '678400',
        'email', 'liming@example.com', 'wanted_form', 'electronic',
        'delivery', 'email', 'channel', 'letter');

    -- 1. received by letter three days ago, waiting for review
    perform apply_register(v_off, null, v_base || jsonb_build_object(
        'description', '2025年德宏州芒市城区道路改造工程的立项批复文件',
        'receipt_date', to_char(d0 - 3, 'YYYY-MM-DD'),
        'registered_note', '演示：信函申请，待形式审查'));

    -- 2. incomplete: a correction notice was sent
    v_id := (apply_register(v_off, null, v_base || jsonb_build_object(
        'description', '有关部门的那份文件',
        'channel', 'in_person',
        'receipt_date', to_char(d0 - 2, 'YYYY-MM-DD'),
        'registered_note', '演示：当面申请，内容不明确，已通知补正'))).id;
    perform case_correction(v_off, null, v_id,
        '请写明所需政府信息的名称、文号或者便于查询的其他特征性描述。',
        to_char(d0 + 14, 'YYYY-MM-DD'), to_char(d0 - 1, 'YYYY-MM-DD'));

    -- 3. accepted and assigned to a department
    v_id := (apply_register(v_off, null, v_base || jsonb_build_object(
        'applicant_kind', 'business', 'org_name', '德宏示例贸易有限公司',
        'credit_code', '91350100M000100Y43', 'legal_rep', '王强',
        'contact_person', '赵敏', 'channel', 'email',
        'description', '2024年度德宏州本级政府采购项目的中标结果汇总',
        'receipt_date', to_char(d0 - 6, 'YYYY-MM-DD'),
        'registered_note', '演示：电子邮件申请，已受理并交办'))).id;
    perform case_accept(v_off, null, v_id, to_char(d0 - 5, 'YYYY-MM-DD'));
    perform case_assign(v_off, null, v_id, '州财政局政府采购监督管理科',
                        '请提供2024年度州本级政府采购中标结果。',
                        to_char(d0 - 5, 'YYYY-MM-DD'));

    -- 4. answered and closed: 予以公开
    v_id := (apply_register(v_off, null, v_base || jsonb_build_object(
        'channel', 'in_person',
        'description', '德宏州人民政府2024年政府信息公开工作年度报告',
        'receipt_date', to_char(d0 - 9, 'YYYY-MM-DD'),
        'registered_note', '演示：当面申请，已答复并办结'))).id;
    perform case_accept(v_off, null, v_id, to_char(d0 - 8, 'YYYY-MM-DD'));
    v_r := case_reply_draft(v_off, null, v_id, '1', null,
        '您申请的《德宏州人民政府2024年政府信息公开工作年度报告》已于2025年'
        || '1月公开，现以电子文档形式提供，请查收。', null);
    perform case_reply_review(v_sec, null, v_id, v_r, 'approve', null);
    perform case_reply_review(v_lead, null, v_id, v_r, 'approve', null);
    select document_id into v_doc from case_replies where id = v_r;
    perform case_deliver(v_off, null, v_id, v_doc, 'email',
                         to_char(d0, 'YYYY-MM-DD'), null,
                         '发送至申请人电子邮箱');
    perform case_close(v_off, null, v_id, null, null);
end
$$;
