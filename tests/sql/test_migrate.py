"""tools/migrate and tools/load-demo are re-runnable and refuse a changed
applied migration."""

import os
import shutil
import subprocess

from conftest import REPO


def run(tool, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([os.path.join(REPO, "tools", tool)], env=e,
                          capture_output=True, text=True, timeout=600)


def snapshot(db):
    db.execute("select version, checksum, applied_at "
               "from gongkai.schema_version order by 1")
    versions = db.fetchall()
    db.execute("select (select count(*) from gongkai.items), "
               "(select max(updated_at) from gongkai.items), "
               "(select count(*) from gongkai.holidays), "
               "(select count(*) from gongkai.organs), "
               "(select count(*) from gongkai.site_domains), "
               "(select count(*) from gongkai.attachments), "
               "(select string_agg(index_no, ',' order by id) "
               "   from gongkai.items where id < 200), "
               "(select sum(xmin::text::bigint) from gongkai.guides), "
               "(select sum(n) from gongkai.item_counts)")
    return versions, db.fetchone()


def test_migrate_and_load_demo_rerun_change_nothing(admin_conn, db):
    before = snapshot(db)
    admin_conn.rollback()
    r = run("migrate")
    assert r.returncode == 0, r.stderr
    assert "schema up to date" in r.stdout
    r = run("load-demo")
    assert r.returncode == 0, r.stderr
    after = snapshot(db)
    assert after == before


def test_changed_applied_migration_is_an_error(tmp_path):
    d = tmp_path / "migrations"
    shutil.copytree(os.path.join(REPO, "sql", "migrations"), d)
    first = sorted(os.listdir(d))[0]
    with open(d / first, "a") as f:
        f.write("\n-- changed\n")
    r = run("migrate", {"GONGKAI_MIGRATIONS": str(d)})
    assert r.returncode != 0
    assert "changed after it was applied" in r.stderr


def test_missing_applied_migration_is_an_error(tmp_path):
    d = tmp_path / "migrations"
    shutil.copytree(os.path.join(REPO, "sql", "migrations"), d)
    os.remove(d / sorted(os.listdir(d))[-1])
    r = run("migrate", {"GONGKAI_MIGRATIONS": str(d)})
    assert r.returncode != 0
    assert "missing" in r.stderr
