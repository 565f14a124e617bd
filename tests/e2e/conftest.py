"""Shared helpers for the gongkai end-to-end tests.

The tests talk to the running dev stack (``tools/stack start``): nginx with
the gongkai module in front of PostgreSQL.  Everything about the stack is
read from ``var/env`` under the repository root, found from this file's
path (or from $GONGKAI_ROOT); nothing here hard-codes a path or a port.

HTTP goes through http.client so that every byte of the request line is
exactly what the test wrote (percent-encoded invalid UTF-8, NUL bytes,
upper-case Host headers ...).  The database is reached with psycopg2 as
PGUSER (gongkai_owner) and is the oracle: expected titles, counts, index
numbers and cursors always come from it, never from constants, except the
seed documents' titles, which are fixed facts.
"""

import html
import html.parser
import http.client
import os
import re
import subprocess
import time
import urllib.parse
from pathlib import Path

import psycopg2
import psycopg2.extras
import pytest


ROOT = Path(os.environ.get("GONGKAI_ROOT")
            or Path(__file__).resolve().parents[2])
ENV_FILE = ROOT / "var" / "env"


# the generic platform name shown on pages that belong to no site (503)
PLATFORM_NAME = "政府信息公开平台"

# title of the Dehong seed document (shared/seeds/000_*), a fixed fact
DEHONG_SEED_TITLE = ("德宏州人民政府办公室关于印发德宏州政府信息公开工作"
                     "责任追究办法(试行)等5个政府信息公开制度的通知")

PAGE_SIZE = 20

HTTP_TIMEOUT = 15

ENV_KEYS = ("GONGKAI_URL", "GONGKAI_ADMIN_URL", "PGHOST", "PGPORT",
            "PGDATABASE", "PGUSER", "GONGKAI_ERROR_LOG", "GONGKAI_HOST",
            "GONGKAI_STATIC_DIR", "GONGKAI_NGINX_CONF")

INDEX_RE = re.compile(r"^[0-9A-Z]{1,18}-[0-9A-Za-z]{1,8}-\d{4}-\d{5,10}$")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------
# environment

def read_env():
    """Source var/env in a shell and return the variables we care about."""
    if not ENV_FILE.is_file():
        return None
    out = subprocess.run(
        ["bash", "-c", 'set -a; . "$1" >/dev/null; env -0', "-", str(ENV_FILE)],
        check=True, capture_output=True).stdout
    env = {}
    for entry in out.split(b"\0"):
        key, sep, value = entry.partition(b"=")
        if sep and key.decode() in ENV_KEYS:
            env[key.decode()] = value.decode()
    env.setdefault("GONGKAI_ERROR_LOG", str(ROOT / "var" / "log" / "error.log"))
    env.setdefault("GONGKAI_STATIC_DIR", str(ROOT / "var" / "static"))
    env.setdefault("GONGKAI_NGINX_CONF", str(ROOT / "var" / "nginx" /
                                             "nginx.conf"))
    return env


class Stack:
    """What the tests know about the running stack."""

    def __init__(self, env):
        self.env = env
        url = urllib.parse.urlsplit(env["GONGKAI_URL"])
        self.scheme = url.scheme
        self.host = url.hostname
        self.port = url.port or (443 if url.scheme == "https" else 80)
        # the Host header a browser would send for GONGKAI_URL
        self.netloc = url.netloc
        self.base_path = url.path.rstrip("/")
        self.error_log = Path(env["GONGKAI_ERROR_LOG"])
        self.static_dir = Path(env["GONGKAI_STATIC_DIR"])

    def connect_db(self, autocommit=True):
        conn = psycopg2.connect(host=self.env["PGHOST"],
                                port=self.env["PGPORT"],
                                dbname=self.env["PGDATABASE"],
                                user=self.env["PGUSER"],
                                connect_timeout=5)
        conn.autocommit = autocommit
        return conn

    def stack_tool(self, *args, timeout=120):
        return subprocess.run([str(ROOT / "tools" / "stack"), *args],
                              cwd=str(ROOT), capture_output=True, text=True,
                              timeout=timeout)


# the dev configuration maps Host 127.0.0.1 and localhost to this portal
DEMO_DOMAIN = (read_env() or {}).get("GONGKAI_HOST") or "www.dh.gov.cn"


# --------------------------------------------------------------------------
# HTTP

class Response:

    def __init__(self, method, path, status, reason, headers, body, elapsed):
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.headers = headers          # http.client.HTTPMessage
        self.body = body
        self.elapsed = elapsed
        self._page = None

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def header_all(self, name):
        return self.headers.get_all(name) or []

    @property
    def text(self):
        return self.body.decode("utf-8")

    @property
    def page(self):
        if self._page is None:
            self._page = Page(self.text)
        return self._page

    def __repr__(self):
        return "<%s %s -> %d %s>" % (self.method, self.path, self.status,
                                     self.reason)


def http_request(stack, path, method="GET", host=None, headers=None,
                 body=None, timeout=HTTP_TIMEOUT):
    """Send one request with the path exactly as given (it must already be
    percent-encoded ASCII).  host=None sends the Host of GONGKAI_URL."""
    conn = http.client.HTTPConnection(stack.host, stack.port, timeout=timeout)
    hdrs = {"Host": stack.netloc if host is None else host,
            "Connection": "close"}
    if headers:
        hdrs.update(headers)
    started = time.monotonic()
    try:
        conn.putrequest(method, stack.base_path + path, skip_host=True,
                        skip_accept_encoding=True)
        for name, value in hdrs.items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return Response(method, path, resp.status, resp.reason, resp.msg,
                        data, time.monotonic() - started)
    finally:
        conn.close()


def q(value):
    """Percent-encode one path segment or query value (UTF-8)."""
    return urllib.parse.quote(str(value), safe="")


def query(**params):
    """Build '?a=b&c=d' from keyword arguments, skipping None values."""
    parts = ["%s=%s" % (k, q(v)) for k, v in params.items() if v is not None]
    return ("?" + "&".join(parts)) if parts else ""


def item_path(index_no):
    return "/item/" + q(index_no)


# --------------------------------------------------------------------------
# HTML

class Page(html.parser.HTMLParser):
    """A parsed HTML page: links, text, the <html lang>, stylesheets."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.source = text
        self.lang = None
        self.links = []             # (href, text)
        self.stylesheets = []
        self.title = ""
        self._text = []
        self._anchor = None
        self._in_title = False
        self._skip = 0
        self.feed(text)
        self.close()
        self.text = re.sub(r"\s+", " ", "".join(self._text))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "a" and a.get("href") is not None:
            self._anchor = [a["href"], []]
        elif tag == "link" and "stylesheet" in (a.get("rel") or "").split():
            self.stylesheets.append(a.get("href"))
        elif tag == "title":
            self._in_title = True
        elif tag in ("script", "style"):
            self._skip += 1
        if tag in ("td", "th", "li", "p", "div", "tr", "dt", "dd", "br",
                   "h1", "h2", "h3", "span", "a", "time"):
            self._text.append(" ")

    def handle_endtag(self, tag):
        if tag == "a" and self._anchor is not None:
            self.links.append((self._anchor[0],
                               re.sub(r"\s+", " ",
                                      "".join(self._anchor[1])).strip()))
            self._anchor = None
        elif tag == "title":
            self._in_title = False
        elif tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in ("td", "th", "li", "p", "div", "tr", "dt", "dd",
                   "h1", "h2", "h3", "span", "a", "time"):
            self._text.append(" ")

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_title:
            self.title += data
        self._text.append(data)
        if self._anchor is not None:
            self._anchor[1].append(data)

    def hrefs(self):
        return [h for h, _ in self.links]

    def item_links(self):
        """Index numbers of /item/<index> links, in page order, each once."""
        seen = []
        for href in self.hrefs():
            path = urllib.parse.urlsplit(href).path
            m = re.match(r"^(?:https?://[^/]+)?/item/([^/?#]+)/?$", path)
            if m:
                idx = urllib.parse.unquote(m.group(1))
                if idx not in seen:
                    seen.append(idx)
        return seen

    def cursor_link(self, name):
        """The href of the first link whose query has parameter name."""
        for href in self.hrefs():
            qs = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
            if name in qs:
                return href
        return None

    def contains_text(self, needle):
        return re.sub(r"\s+", " ", needle) in self.text


def local_path(href):
    """Turn a link found in a page into a path+query for http_request."""
    parts = urllib.parse.urlsplit(html.unescape(href))
    path = parts.path
    if not path.startswith("/"):
        path = "/catalogue" if path in ("", "catalogue") else "/" + path
    return path + ("?" + parts.query if parts.query else "")


# --------------------------------------------------------------------------
# assertions shared by several modules

def assert_html_headers(resp):
    ctype = (resp.header("Content-Type") or "").replace(" ", "").lower()
    assert ctype == "text/html;charset=utf-8", (
        "%r: Content-Type %r" % (resp, resp.header("Content-Type")))
    assert (resp.header("X-Content-Type-Options") or "").lower() == \
        "nosniff", "%r: X-Content-Type-Options missing" % resp
    assert resp.header("Content-Security-Policy"), \
        "%r: no Content-Security-Policy header" % resp


def assert_layout(resp):
    """An HTML page rendered in the shared layout."""
    assert_html_headers(resp)
    page = resp.page
    assert page.lang == "zh-CN", "%r: <html lang=%r>" % (resp, page.lang)
    assert page.stylesheets, "%r: no stylesheet link (not the layout)" % resp
    assert CJK_RE.search(page.text), "%r: no Chinese text" % resp


def assert_site_page(resp, organ_name):
    """A page of a site: the layout plus the site organ's full name."""
    assert_layout(resp)
    assert organ_name in resp.page.text, (
        "%r: the organ's full legal name %r is not on the page"
        % (resp, organ_name))


# --------------------------------------------------------------------------
# catalogue walking

def walk_catalogue(stack, first_path, host=None, limit=2000):
    """Follow 'next' (after=) links from first_path to the last page.
    Returns the list of (path, response) for every page visited."""
    pages = []
    path = first_path
    seen = set()
    while path is not None:
        assert path not in seen, "catalogue pagination loops at %s" % path
        assert len(pages) < limit, "catalogue has more than %d pages" % limit
        seen.add(path)
        resp = http_request(stack, path, host=host)
        assert resp.status == 200, "%r: %d\n%s" % (resp, resp.status,
                                                  resp.body[:500])
        pages.append((path, resp))
        nxt = resp.page.cursor_link("after")
        path = local_path(nxt) if nxt is not None else None
    return pages


# --------------------------------------------------------------------------
# the database oracle

class Demo:
    """Queries about the demo data, as gongkai_owner."""

    def __init__(self, conn):
        self.conn = conn

    def rows(self, sql, args=()):
        with self.conn.cursor(
                cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def row(self, sql, args=()):
        rows = self.rows(sql, args)
        return rows[0] if rows else None

    def value(self, sql, args=()):
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            r = cur.fetchone()
            return r[0] if r else None

    # sites -------------------------------------------------------------

    def site(self, domain):
        """The site JSON exactly as the portal functions see it."""
        return self.value("select portal.page_site(%s)", (domain,))["site"]

    def portal_organ(self):
        site = self.site(DEMO_DOMAIN)
        return site["organ"] if site else None

    def department_domains(self):
        """(domain, unit_code) of every active department site domain."""
        out = []
        for r in self.rows("select domain from gongkai.site_domains "
                           "order by domain"):
            site = self.site(r["domain"])
            if site is not None and site["kind"] == "department":
                out.append((r["domain"], site["organ"]["unit_code"]))
        return out

    def all_names(self):
        """Every organ name, short name and site name in the database."""
        names = set()
        for r in self.rows("select name, short_name from gongkai.organs"):
            names.update(n for n in (r["name"], r["short_name"]) if n)
        for r in self.rows("select name from gongkai.sites"):
            if r["name"]:
                names.add(r["name"])
        return names

    # organs in scope -----------------------------------------------------

    def scope_organ_ids(self, unit_code, department=False):
        if department:
            return [self.value("select id from gongkai.organs "
                               "where unit_code = %s", (unit_code,))]
        return [r["id"] for r in self.rows(
            "with recursive t as ("
            "  select id from gongkai.organs where unit_code = %s"
            "  union all"
            "  select o.id from gongkai.organs o join t on o.parent_id = t.id"
            ") select id from t", (unit_code,))]

    # items ---------------------------------------------------------------

    ITEM_ORDER = "i.published_at desc, i.id desc"

    def published(self, organ_ids, category=None, organ=None, year=None):
        """Published items in scope matching the filter, catalogue order."""
        sql = ["select i.id, i.index_no, i.title, i.published_at "
               "from gongkai.items i "
               "join gongkai.organs o on o.id = i.organ_id "
               "join gongkai.categories c on c.id = i.category_id "
               "where i.state = 'published' and i.organ_id = any(%s)"]
        args = [list(organ_ids)]
        if category is not None:
            sql.append("and i.category_id in ("
                       " with recursive t as ("
                       "  select id from gongkai.categories where code = %s"
                       "  union all select c2.id from gongkai.categories c2"
                       "  join t on c2.parent_id = t.id)"
                       " select id from t)")
            args.append(category)
        if organ is not None:
            sql.append("and o.unit_code = %s")
            args.append(organ)
        if year is not None:
            # the catalogue's year is the generation year (生成年份),
            # the one in the index number
            sql.append("and i.gen_year = %s")
            args.append(year)
        sql.append("order by " + self.ITEM_ORDER)
        return self.rows(" ".join(sql), args)

    def item_json(self, index_no, domain=DEMO_DOMAIN):
        return self.value("select portal.page_item(%s, %s)",
                          (domain, index_no))


# --------------------------------------------------------------------------
# fixtures

@pytest.fixture(scope="session")
def stack():
    env = read_env()
    if env is None:
        pytest.fail("%s does not exist: start the stack with "
                    "`tools/stack start` first" % ENV_FILE, pytrace=False)
    missing = [k for k in ENV_KEYS[:1] + ENV_KEYS[2:6] if k not in env]
    if missing:
        pytest.fail("%s lacks %s" % (ENV_FILE, ", ".join(missing)),
                    pytrace=False)
    s = Stack(env)
    deadline = time.monotonic() + 20
    last = None
    while time.monotonic() < deadline:
        try:
            last = http_request(s, "/", timeout=5)
            if last.status == 200:
                break
        except OSError as e:
            last = e
        time.sleep(0.5)
    else:
        pytest.fail("the portal at %s does not answer 200: %r"
                    % (env["GONGKAI_URL"], last), pytrace=False)
    return s


@pytest.fixture(scope="session")
def db(stack):
    conn = stack.connect_db()
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def demo(db):
    return Demo(db)


@pytest.fixture(scope="session")
def portal_organ(demo):
    organ = demo.portal_organ()
    assert organ is not None, "no active site for %s" % DEMO_DOMAIN
    return organ


@pytest.fixture(scope="session")
def scope_ids(demo, portal_organ):
    return demo.scope_organ_ids(portal_organ["unit_code"])


@pytest.fixture(scope="session")
def published(demo, scope_ids):
    """Every published item of the demo portal, in catalogue order."""
    items = demo.published(scope_ids)
    assert items, "the demo portal has no published items"
    return items


@pytest.fixture
def get(stack):
    def _get(path, **kw):
        return http_request(stack, path, **kw)
    return _get
