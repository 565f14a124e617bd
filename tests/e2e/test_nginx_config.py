"""A misconfiguration fails `nginx -t` with a message naming the file and line."""

import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULE = ROOT / "build" / "nginx" / "objs" / "ngx_http_gongkai_module.so"
TEMPLATES = ROOT / "templates"


def nginx_t(conf_text):
    """Run nginx -t on conf_text; return (exit code, output, conf path)."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="gongkai-conf-"))
    try:
        conf = d / "nginx.conf"
        conf.write_text(conf_text.replace("@DIR@", str(d)), encoding="utf-8")
        p = subprocess.run(
            ["nginx", "-t", "-p", str(d), "-c", str(conf),
             "-e", str(d / "error.log")],
            capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout + p.stderr, str(conf)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def make_conf(http_extra, templates=TEMPLATES,
              db='"host=/nonexistent dbname=gongkai user=gongkai_web"'):
    db_line = f"gongkai_db {db};" if db is not None else ""
    tmpl_line = f"gongkai_templates {templates};" if templates else ""
    return f"""load_module {MODULE};
pid @DIR@/nginx.pid;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path @DIR@/body;
    proxy_temp_path @DIR@/proxy;
    fastcgi_temp_path @DIR@/fastcgi;
    uwsgi_temp_path @DIR@/uwsgi;
    scgi_temp_path @DIR@/scgi;
    access_log off;
    {db_line}
    {tmpl_line}
    {http_extra}
    server {{
        listen 127.0.0.1:1;
        location / {{
            gongkai_portal;
        }}
    }}
}}
"""


def test_valid_configuration_passes():
    rc, out, _ = nginx_t(make_conf(""))
    assert rc == 0, out
    assert "syntax is ok" in out


def test_missing_database_directive_names_file_and_line():
    rc, out, conf = nginx_t(make_conf("", db=None))
    assert rc != 0
    assert "gongkai_db" in out
    # the gongkai_portal directive is on line 20 of the generated file
    lines = make_conf("", db=None).splitlines()
    line = next(i for i, l in enumerate(lines, 1) if "gongkai_portal" in l)
    assert f"{conf}:{line}" in out, out


def test_missing_templates_directive():
    rc, out, _ = nginx_t(make_conf("", templates=None))
    assert rc != 0
    assert "gongkai_templates" in out


def test_invalid_connection_string_names_file_and_line():
    rc, out, conf = nginx_t(make_conf("", db='"host=/tmp dbname"'))
    assert rc != 0
    assert "gongkai_db" in out
    assert conf + ":" in out


def test_host_name_needing_dns_is_refused():
    rc, out, _ = nginx_t(make_conf("", db='"host=db.example.com dbname=x"'))
    assert rc != 0
    assert "DNS" in out


def test_numeric_host_and_hostaddr_are_accepted():
    rc, out, _ = nginx_t(make_conf("", db='"host=127.0.0.1 port=5 dbname=x"'))
    assert rc == 0, out
    rc, out, _ = nginx_t(make_conf(
        "", db='"host=db.example.com hostaddr=127.0.0.1 dbname=x"'))
    assert rc == 0, out


@pytest.fixture
def broken_templates():
    d = pathlib.Path(tempfile.mkdtemp(prefix="gongkai-tmpl-"))
    for f in TEMPLATES.glob("*.html"):
        shutil.copy(f, d)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_template_error_names_file_and_line(broken_templates):
    page = broken_templates / "guide.html"
    page.write_text('<div g-fill="main">\n<p>\n<span g-nonsense="x">'
                    '</span>\n</p>\n</div>\n', encoding="utf-8")
    rc, out, _ = nginx_t(make_conf("", templates=broken_templates))
    assert rc != 0
    assert "guide.html" in out, out
    assert "3" in out.split("guide.html", 1)[1][:40], out


def test_unreadable_template_directory():
    rc, out, _ = nginx_t(make_conf("", templates="/nonexistent/templates"))
    assert rc != 0
    assert "/nonexistent/templates" in out


def test_missing_layout_is_an_error(broken_templates):
    os.unlink(broken_templates / "layout.html")
    rc, out, _ = nginx_t(make_conf("", templates=broken_templates))
    assert rc != 0
    assert "layout" in out
