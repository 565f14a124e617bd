"""The application form's files end to end (issue 4: "Optional
attachments (identity copy, authorisation) with size and type limits";
"An agent may apply with an authorisation attachment"): the form posted
as multipart/form-data, a file accepted and stored with the case, a
wrong type and a too large file refused by name with every other input
kept, an agent without the authorisation letter refused, a file kept for
the form shown again, the body limit's 413 page, the download by the
handling organ's application officer (audited) and 404 for everybody
else, and no public URL that serves a file.

The cases carry test_apply's TAG and are deleted by its cleanup."""

import re

from admin_client import AdminClient
from test_apply import (TAG, Applicant, citizen, cleanup,  # noqa: F401
                        codes, field_error, value_of)

PASSWORD = "gongkai-demo-2025"
LIMIT = 5 * 1024 * 1024              # gongkai_upload_max_size at /apply

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
       b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"


def post(applicant, fields, files):
    data = {"csrf": applicant.csrf, "form_token": applicant.token}
    data.update(fields)
    return applicant.http.post(applicant.base + "/apply", data=data,
                               files=files, allow_redirects=False,
                               timeout=60)


def case_of(demo, tracking):
    return demo.value("select id from gongkai.applications "
                      "where tracking_no = %s", (tracking,))


def files_of(demo, case_id):
    return demo.rows("select no, kind, file_name, content_type, size, data "
                     "from gongkai.case_files where case_id = %s order by no",
                     (case_id,))


def count_cases(demo, marker):
    return demo.value("select count(*) from gongkai.applications "
                      "where description like %s", ("%" + marker + "%",))


AGENT = {"by_agent": "1", "agent_name": "代理人丁",
         "agent_id_number": "533102198503150010",
         "agent_phone": "13700001111"}


def test_form_takes_files(stack, cleanup):
    a = Applicant(stack)
    r = a.open_form()
    assert 'enctype="multipart/form-data"' in r.text
    assert re.search(r'<input id="i-id_file" type="file" name="id_file"',
                     r.text)
    assert 'name="auth_file"' in r.text
    assert "每个文件不超过 <span>5 MB</span>" in r.text


def test_upload_accepted_and_stored_with_the_case(stack, cleanup, demo):
    a = Applicant(stack)
    a.open_form()
    r = post(a, citizen(description=TAG + " 附件甲"),
             {"id_file": ("身份证复印件.pdf", PDF, "application/pdf")})
    assert r.status_code == 200, [field_error(r, f) for f in
                                  ("id_file", "auth_file")]
    tracking, _ = codes(r)
    assert "身份证复印件" not in r.text
    rows = files_of(demo, case_of(demo, tracking))
    assert [(x["no"], x["kind"], x["file_name"], x["content_type"],
             x["size"]) for x in rows] == [
        (1, "id_copy", "身份证复印件.pdf", "application/pdf", len(PDF))]
    assert bytes(rows[0]["data"]) == PDF
    assert demo.value("select (detail ->> 'files')::int from "
                      "gongkai.audit_log where case_id = %s and action = "
                      "'case.submit'", (case_of(demo, tracking),)) == 1


def test_wrong_type_refused_inputs_kept(stack, cleanup, demo):
    a = Applicant(stack)
    a.open_form()
    before = count_cases(demo, TAG + " 类型")
    fields = citizen(name="类型测试人", description=TAG + " 类型错误",
                     doc_ref="德政办发〔2025〕1号")
    # an executable named .pdf, and an archive (the admin's allow-list has
    # ZIP; the citizens' does not)
    r = post(a, fields, {"id_file": ("证件.pdf", EXE, "application/pdf"),
                         "auth_file": ("委托.zip", b"PK\x05\x06" + b"\0" * 18,
                                       "application/zip")})
    assert r.status_code == 422
    err = field_error(r, "id_file")
    assert "“证件.pdf”" in err and "类型不支持" in err
    assert "“委托.zip”" in field_error(r, "auth_file")
    assert value_of(r, "name") == "类型测试人"
    assert value_of(r, "doc_ref") == "德政办发〔2025〕1号"
    assert value_of(r, "description") == TAG + " 类型错误"
    assert 'aria-invalid="true"' in r.text
    assert count_cases(demo, TAG + " 类型") == before
    assert demo.value("select count(*) from gongkai.apply_pending_files "
                      "where file_name in ('证件.pdf', '委托.zip')") == 0


def test_too_large_refused_inputs_kept(stack, cleanup, demo):
    a = Applicant(stack)
    a.open_form()
    big = PDF + b"\n" * (LIMIT + 1 - len(PDF))
    fields = citizen(name="大小测试人", description=TAG + " 过大")
    r = post(a, fields, {"id_file": ("扫描件.pdf", big, "application/pdf")})
    assert r.status_code == 422
    err = field_error(r, "id_file")
    assert "“扫描件.pdf”超过了5 MB的大小限制" in err
    assert value_of(r, "name") == "大小测试人"
    assert count_cases(demo, TAG + " 过大") == 0
    # exactly the limit passes
    a.open_form()
    r = post(a, citizen(description=TAG + " 正好"),
             {"id_file": ("扫描件.pdf", big[:LIMIT], "application/pdf")})
    assert r.status_code == 200, field_error(r, "id_file")
    # a body over client_max_body_size: refused before it is read, with
    # the portal's page in Chinese, and nothing stored
    a.open_form()
    huge = big + b"\n" * (6 * 1024 * 1024)      # over 11m with the form
    r = post(a, citizen(description=TAG + " 超限"),
             {"id_file": ("a.pdf", huge, "application/pdf")})
    assert r.status_code == 413
    assert "提交的内容过大" in r.text
    assert count_cases(demo, TAG + " 超限") == 0


def test_agent_without_authorisation_refused(stack, cleanup, demo):
    a = Applicant(stack)
    a.open_form()
    fields = citizen(description=TAG + " 代理", **AGENT)
    r = post(a, fields, {"id_file": ("身份证.jpg", JPEG, "image/jpeg")})
    assert r.status_code == 422
    assert "授权委托书" in field_error(r, "auth_file")
    assert value_of(r, "agent_name") == "代理人丁"
    assert count_cases(demo, TAG + " 代理") == 0
    # the accepted identity copy is kept for the form shown again
    kept = re.search(r'class="apply-kept">已上传：<span>([^<]+)</span>',
                     r.text)
    assert kept and kept.group(1) == "身份证.jpg"
    # the same form again with the letter only: both files go with it
    r = post(a, fields, {"auth_file": ("授权委托书.pdf", PDF,
                                       "application/pdf")})
    assert r.status_code == 200, field_error(r, "auth_file")
    tracking, _ = codes(r)
    rows = files_of(demo, case_of(demo, tracking))
    assert [(x["kind"], x["file_name"]) for x in rows] == [
        ("id_copy", "身份证.jpg"), ("authorisation", "授权委托书.pdf")]
    assert bytes(rows[0]["data"]) == JPEG
    assert demo.value("select count(*) from gongkai.apply_pending_files "
                      "where form_hash = ext.digest(%s, 'sha256')",
                      (a.token,)) == 0


def test_no_file_chosen_is_no_file(stack, cleanup, demo):
    """What a browser sends for an empty file input: no file."""
    a = Applicant(stack)
    a.open_form()
    r = post(a, citizen(description=TAG + " 无附件"),
             {"id_file": ("", b"", "application/octet-stream")})
    assert r.status_code == 200
    tracking, _ = codes(r)
    assert files_of(demo, case_of(demo, tracking)) == []


# ------------------------------------------------------- the admin side

def test_download_by_the_handling_officer_only(stack, cleanup, demo):
    a = Applicant(stack)
    a.open_form()
    r = post(a, citizen(description=TAG + " 下载", **AGENT),
             {"auth_file": ("委托书 2025.pdf", PDF, "application/pdf")})
    assert r.status_code == 200, field_error(r, "auth_file")
    tracking, code = codes(r)
    case_id = case_of(demo, tracking)
    path = "cases/%d/files/1" % case_id

    officer = AdminClient(stack)
    officer.login_ok("dh.applications", PASSWORD)
    page = officer.get("cases/%d" % case_id)
    assert page.status_code == 200
    assert path + '"' in page.text
    assert "委托书 2025.pdf" in page.text and "授权委托书" in page.text
    got = officer.get(path)
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["Content-Type"].startswith("application/pdf")
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert officer.get("cases/%d/files/2" % case_id).status_code == 404
    # the printable dossier lists them too (一案一卷), without a link
    dossier = officer.get("cases/%d/dossier" % case_id)
    assert dossier.status_code == 200
    assert "申请人提交的材料" in dossier.text
    assert "委托书 2025.pdf" in dossier.text and "授权委托书" in dossier.text
    assert path + '"' not in dossier.text

    for login in ("czj.applications", "dh.leader", "dh.drafter"):
        other = AdminClient(stack)
        other.login_ok(login, PASSWORD)
        r = other.get(path)
        assert r.status_code == 404, login
        assert PDF not in r.content
        page = other.get("cases/%d" % case_id)
        assert "委托书 2025.pdf" not in page.text, login
        dossier = other.get("cases/%d/dossier" % case_id)
        assert "委托书 2025.pdf" not in dossier.text, login

    rows = demo.rows("select actor_login, detail from gongkai.audit_log "
                     "where case_id = %s and action = 'case.file_download'",
                     (case_id,))
    assert [x["actor_login"] for x in rows] == ["dh.applications"]
    assert "2025.pdf" not in str(rows[0]["detail"])

    # not public: no portal URL serves it, the status page does not name it
    public = a.http
    for url in ("/apply/files/1", "/apply/%s/files/1" % tracking,
                "/cases/%d/files/1" % case_id, "/files/1",
                "/admin/" + path):
        r = public.get(a.base + url, allow_redirects=False, timeout=30)
        assert r.status_code in (401, 403, 404) or (
            r.status_code in (302, 303) and "login" in
            r.headers.get("Location", "")), url
        assert PDF not in r.content, url
    status = a.status(tracking, code)
    assert status.status_code == 200 and tracking in status.text
    assert "委托书 2025" not in status.text
