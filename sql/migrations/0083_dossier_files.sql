-- 0083: the printable dossier (cases/N/dossier, 一案一卷) lists the files
-- the applicant attached, as the case page does (0049): kind, name,
-- size and when it came, for the users who are shown the applicant's
-- personal data; [] for the others.  The files themselves stay separate
-- downloads (each audited): the dossier is printed, they are not.
create or replace function admin.page_case_dossier(p_token text,
                                                   p_client inet,
                                                   p_args text[],
                                                   p_query jsonb)
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
                  'files', case_files_json(s.user_id, a.id),
                  'full_documents', (
                      select coalesce(jsonb_agg(case_document_json(
                                 s.user_id, d,
                                 may_see_applicant(s.user_id, a))
                             order by d.id), '[]')
                        from case_documents d where d.case_id = a.id),
                  'printed_at', local_time(now()));
end
$$;
