"""The applicant's files in the database (issue 4, sql/migrations/0047 -
0049): what the web role cannot reach, the checks apply_submit makes
again behind the module (the type by its first bytes, the authorisation
letter an agent must attach), the files kept for a form shown again,
the dossier's files never changed, and who may download them.

Every test runs in a transaction that is rolled back."""

import hashlib
import json
import os

import psycopg2
import pytest

from test_applications import DH, CLIENT, form

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
PNG_HEAD = b"\x89PNG\r\n\x1a\n"


def submit(cur, f, id_file=None, auth_file=None):
    cur.execute("select portal.apply_submit(%s, %s, %s, %s, %s)",
                (DH, json.dumps(f), CLIENT,
                 None if id_file is None else psycopg2.Binary(id_file),
                 None if auth_file is None else psycopg2.Binary(auth_file)))
    return cur.fetchone()[0]


def online(token, **kw):
    f = dict(form(**kw), form_token=token, file_limit="5 MB")
    f.pop("channel")
    return f


def meta(name, ctype, data):
    return {"file_name": name, "content_type": ctype, "size": len(data)}


def one(cur, sql, args=None):
    cur.execute(sql, args)
    return cur.fetchone()[0]


def test_web_role_cannot_read_the_files(web):
    for table in ("case_files", "apply_pending_files"):
        for sql in ("select * from gongkai.%s limit 1",
                    "delete from gongkai.%s",
                    "update gongkai.%s set size = size"):
            web.execute("savepoint t")
            with pytest.raises(psycopg2.Error) as e:
                web.execute(sql % table)
            assert e.value.pgcode == "42501", (table, sql)
            web.execute("rollback to savepoint t")
    for fn in ("gongkai.case_files_json(1, 1)",
               "gongkai.apply_kept_files('{}')",
               "gongkai.apply_files_parse('{}', null, false, null, null)"):
        web.execute("savepoint t")
        with pytest.raises(psycopg2.Error) as e:
            web.execute("select " + fn)
        assert e.value.pgcode == "42501", fn
        web.execute("rollback to savepoint t")


def test_no_portal_function_but_submit_reads_them(db):
    """Of the functions the web role may execute, only apply_submit (and
    the page's kept-file notice, for the same form token) touch the
    files; the admin functions check the session."""
    db.execute("select p.oid::regprocedure::text from pg_proc p "
               "join pg_namespace n on n.oid = p.pronamespace "
               "where n.nspname = 'portal' and (p.prosrc ~ 'case_files' "
               "or p.prosrc ~ 'pending_files')")
    assert [r[0] for r in db.fetchall()] == [
        "portal.apply_submit(text,jsonb,inet,bytea,bytea)"]


def test_submission_stores_the_files_with_the_case(db):
    tok = "a1" * 32
    f = online(tok, name="材料测试甲")
    f["files"] = {"id_file": meta("身份证.pdf", "application/pdf", PDF)}
    done = submit(db, f, id_file=PDF)
    assert done["template"] == "apply_done", done.get("errors")
    db.execute("select f.no, f.kind, f.file_name, f.content_type, f.size, "
               "f.data, f.sha256 from gongkai.case_files f "
               "join gongkai.applications a on a.id = f.case_id "
               "where a.form_hash = ext.digest(%s, 'sha256')", (tok,))
    rows = db.fetchall()
    assert len(rows) == 1
    no, kind, name, ctype, size, data, sha = rows[0]
    assert (no, kind, name, ctype, size) == (
        1, "id_copy", "身份证.pdf", "application/pdf", len(PDF))
    assert bytes(data) == PDF
    assert bytes(sha) == hashlib.sha256(PDF).digest()
    # the confirmation names no file
    assert "身份证.pdf" not in json.dumps(done, ensure_ascii=False)
    # the dossier's files are never changed nor deleted
    for sql in ("update gongkai.case_files set file_name = 'x.pdf'",
                "delete from gongkai.case_files"):
        db.execute("savepoint t")
        with pytest.raises(psycopg2.Error) as e:
            db.execute(sql + " where sha256 = %s",
                       (psycopg2.Binary(hashlib.sha256(PDF).digest()),))
        assert e.value.pgcode == "GKA09"
        db.execute("rollback to savepoint t")


def test_type_checked_again_by_the_database(db):
    """The module named a type the bytes do not have: refused, named."""
    f = online("b2" * 32)
    f["files"] = {"id_file": meta("证件.png", "image/png", b"MZ\x90\x00")}
    page = submit(db, f, id_file=b"MZ\x90\x00")
    assert page["status"] == 422 and set(page["errors"]) == {"id_file"}
    assert "类型不支持" in page["errors"]["id_file"]
    assert one(db, "select count(*) from gongkai.apply_pending_files") == 0


def test_refusals_from_the_module_are_named(db):
    f = online("c3" * 32, name="保留的姓名")
    f["files"] = {"id_file": {"file_name": "扫描件.pdf", "refused": "size"},
                  "auth_file": {"file_name": "病毒.exe", "refused": "type"}}
    page = submit(db, f)
    assert page["status"] == 422
    assert "“扫描件.pdf”超过了5 MB的大小限制" in page["errors"]["id_file"]
    assert "“病毒.exe”的类型不支持" in page["errors"]["auth_file"]
    assert page["form"]["name"] == "保留的姓名"
    fields = [e["field"] for e in page["error_list"]]
    assert fields == ["id_file", "auth_file"]


def test_agent_needs_the_authorisation(db):
    agent = dict(by_agent="1", agent_name="王律师",
                 agent_id_number="11010519491231002X")
    page = submit(db, online("d4" * 32, **agent))
    assert page["status"] == 422 and set(page["errors"]) == {"auth_file"}
    assert "授权委托书" in page["errors"]["auth_file"]
    f = online("d4" * 32, **agent)
    f["files"] = {"auth_file": meta("委托书.pdf", "application/pdf", PDF)}
    done = submit(db, f, auth_file=PDF)
    assert done["template"] == "apply_done"
    assert one(db, "select kind from gongkai.case_files f "
                   "join gongkai.applications a on a.id = f.case_id "
                   "where a.form_hash = ext.digest(%s, 'sha256')",
               ("d4" * 32,)) == "authorisation"
    # without an agent no letter is asked for
    assert submit(db, online("d5" * 32))["template"] == "apply_done"


def test_files_kept_for_the_form_shown_again(db):
    tok = "e5" * 32
    f = online(tok, phone=None)
    f["files"] = {"id_file": meta("户口本.pdf", "application/pdf", PDF)}
    page = submit(db, f, id_file=PDF)
    assert page["status"] == 422 and set(page["errors"]) == {"phone"}
    assert page["kept"]["id_file"]["file_name"] == "户口本.pdf"
    # another form (token) sees nothing of it
    other = submit(db, online("e6" * 32, phone=None))
    assert other["kept"] == {}
    # the same form again, without choosing the file again
    done = submit(db, online(tok))
    assert done["template"] == "apply_done"
    assert one(db, "select file_name from gongkai.case_files f "
                   "join gongkai.applications a on a.id = f.case_id "
                   "where a.form_hash = ext.digest(%s, 'sha256')",
               (tok,)) == "户口本.pdf"
    assert one(db, "select count(*) from gongkai.apply_pending_files "
                   "where form_hash = ext.digest(%s, 'sha256')", (tok,)) == 0


def test_kept_file_removed_and_expired(db):
    tok = "f6" * 32
    f = online(tok, phone=None)
    f["files"] = {"id_file": meta("a.pdf", "application/pdf", PDF)}
    submit(db, f, id_file=PDF)
    page = submit(db, dict(online(tok, phone=None), drop_id_file="1"))
    assert page["kept"] == {}
    submit(db, f, id_file=PDF)
    db.execute("update gongkai.apply_pending_files set uploaded_at = "
               "now() - interval '25 hours'")
    done = submit(db, online(tok))
    assert done["template"] == "apply_done"
    assert one(db, "select count(*) from gongkai.case_files f "
                   "join gongkai.applications a on a.id = f.case_id "
                   "where a.form_hash = ext.digest(%s, 'sha256')",
               (tok,)) == 0
    assert one(db, "select count(*) from gongkai.apply_pending_files") == 0


def _session(db, login):
    tok = os.urandom(32).hex()
    db.execute("select gongkai.session_open(%s, "
               "(select id from gongkai.users where login = %s), %s)",
               (tok, login, CLIENT))
    return tok


def test_download_only_by_the_handling_officers(db):
    tok = "a7" * 32
    f = online(tok)
    f["files"] = {"id_file": meta("证件.pdf", "application/pdf", PDF)}
    assert submit(db, f, id_file=PDF)["template"] == "apply_done"
    case = one(db, "select id from gongkai.applications "
                   "where form_hash = ext.digest(%s, 'sha256')", (tok,))
    args = [str(case), "1"]
    officer = _session(db, "dh.applications")
    db.execute("select file_name, content_type, data from "
               "admin.file_case_file(%s, %s, %s)", (officer, CLIENT, args))
    name, ctype, data = db.fetchone()
    assert (name, ctype, bytes(data)) == ("证件.pdf", "application/pdf", PDF)
    db.execute("select actor_login, detail from gongkai.audit_log "
               "where case_id = %s and action = 'case.file_download'",
               (case,))
    rows = db.fetchall()
    assert [r[0] for r in rows] == ["dh.applications"]
    assert "证件.pdf" not in json.dumps(rows[0][1], ensure_ascii=False)
    page = one(db, "select admin.page_case(%s, %s, %s, '{}')",
               (officer, CLIENT, [str(case)]))
    assert [x["file_name"] for x in page["files"]] == ["证件.pdf"]
    for login in ("dh.leader", "czj.applications", "dh.drafter"):
        s = _session(db, login)
        db.execute("savepoint t")
        with pytest.raises(psycopg2.Error) as e:
            db.execute("select * from admin.file_case_file(%s, %s, %s)",
                       (s, CLIENT, args))
        assert e.value.pgcode == "GKA04", login
        db.execute("rollback to savepoint t")
    leader = one(db, "select admin.page_case(%s, %s, %s, '{}')",
                 (_session(db, "dh.leader"), CLIENT, [str(case)]))
    assert leader["files"] == []
    assert one(db, "select count(*) from gongkai.audit_log where case_id = %s"
                   " and action = 'case.file_download'", (case,)) == 1
