-- 0049: the applicant's files in the admin (sql/ADMIN.md "cases/N" and
-- "cases/N/files/M").  The case page lists them and the file route
-- sends one, both only to the users who are shown the applicant's
-- personal data (may_see_applicant: the handling organ's application
-- officers, and system administrators); everybody else gets 404
-- (GKA04), like a missing file.  Every download is audited, without the
-- file's name (it may hold the applicant's name).

insert into audit_actions (action, name, sort) values
    ('case.file_download', '下载申请人提交的材料', 72)
on conflict (action) do nothing;

insert into audit_detail_names (key, name) values
    ('file_no', '材料序号'),
    ('file_kind', '材料类型')
on conflict (key) do nothing;

-- The files of a case as the case page lists them; [] for a user who
-- may not see them.
create function case_files_json(p_user bigint, p_case bigint)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select coalesce(jsonb_agg(jsonb_build_object(
               'no', f.no,
               'kind_name', apply_term('file', f.kind),
               'file_name', f.file_name,
               'content_type', f.content_type,
               'size', f.size,
               'size_text', size_text(f.size),
               'uploaded_at', fmt_time(f.uploaded_at))
           order by f.no), '[]')
      from case_files f
      join applications a on a.id = f.case_id
     where f.case_id = p_case and may_see_applicant(p_user, a)
$$;

-- The case page (0046) with the files.
create or replace function case_page_again(s session_info, p_case bigint,
                                           p_action text, p_row bigint,
                                           p_form jsonb, p_errors jsonb,
                                           p_status integer)
returns jsonb
language sql stable
set search_path = gongkai, pg_temp
as $$
    select session_json(s)
           || case_page_json(s.user_id, p_case, p_action, p_row, p_form,
                             p_errors)
           || jsonb_build_object('files', case_files_json(s.user_id, p_case),
                                 'template', 'case', 'status', p_status)
$$;

create or replace function admin.page_case(p_token text, p_client inet,
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
           || case_page_json(s.user_id, a.id, null, null, null, null)
           || jsonb_build_object('files', case_files_json(s.user_id, a.id));
end
$$;

-- GET cases/N/files/M: one file, as an attachment (not JSON; fetched in
-- binary format like admin.file_attachment).
create function admin.file_case_file(p_token text, p_client inet,
                                     p_args text[])
returns table (file_name text, content_type text, data bytea)
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    s     session_info;
    a     applications;
    f     case_files;
    v_no  bigint;
begin
    s := session_check(p_token, p_client);
    a := staff_case(s.user_id, arg_id(p_args, 1), false);
    v_no := arg_id(p_args, 2);
    if not may_see_applicant(s.user_id, a) then
        raise exception '材料不存在' using errcode = 'GKA04';
    end if;
    select * into f from case_files x where x.case_id = a.id and x.no = v_no;
    if f.id is null then
        raise exception '材料不存在' using errcode = 'GKA04';
    end if;
    perform case_audit(s.user_id, p_client, 'case.file_download', a.id,
                       jsonb_build_object('tracking_no', a.tracking_no,
                                          'file_no', f.no,
                                          'file_kind',
                                          apply_term('file', f.kind)));
    return query select f.file_name, f.content_type, f.data;
end
$$;

revoke all on function admin.file_case_file(text, inet, text[]) from public;
grant execute on function admin.file_case_file(text, inet, text[])
    to gongkai_web;
