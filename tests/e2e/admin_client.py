"""A staff member's browser for the admin end-to-end tests.

``AdminClient`` keeps cookies like a browser (requests.Session), never
follows redirects on its own (tests assert on every 303), and knows the
admin's conventions from sql/ADMIN.md: the login form's token paired with
the gk_login cookie, the CSRF field on every other form.
"""

import re

import requests

CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
TIMEOUT = 30


class AdminClient:

    def __init__(self, stack):
        self.stack = stack
        self.base = stack.env["GONGKAI_ADMIN_URL"]
        if not self.base.endswith("/"):
            self.base += "/"
        self.http = requests.Session()
        self.csrf = None

    def url(self, path):
        return self.base + path.lstrip("/")

    def get(self, path, **kw):
        resp = self.http.get(self.url(path), allow_redirects=False,
                             timeout=TIMEOUT, **kw)
        self._remember_csrf(resp)
        return resp

    def post(self, path, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf and "csrf" not in data:
            data["csrf"] = self.csrf or ""
        resp = self.http.post(self.url(path), data=data,
                              allow_redirects=False, timeout=TIMEOUT, **kw)
        self._remember_csrf(resp)
        return resp

    def follow(self, resp):
        """GET where a 303 points (Location may be absolute or a path)."""
        assert resp.status_code == 303, (resp.status_code, resp.text[:500])
        loc = resp.headers["Location"]
        if loc.startswith("http"):
            path = loc.split("/", 3)[3]
            prefix = self.base.split("/", 3)[3]
            assert path.startswith(prefix), loc
            return self.get(path[len(prefix):])
        return self.get(loc.split(self.base.split("/", 3)[3], 1)[-1])

    def login_form(self):
        resp = self.get("login")
        assert resp.status_code == 200, resp.status_code
        m = CSRF_RE.search(resp.text)
        assert m, "the login form has no csrf field"
        return m.group(1)

    def login(self, login, password):
        token = self.login_form()
        return self.post("login", {"login": login, "password": password,
                                   "csrf": token})

    def login_ok(self, login, password, landing="audit"):
        """Sign in; then open a page every role may see (the audit log)
        to pick up the session's CSRF token, and return it."""
        resp = self.login(login, password)
        assert resp.status_code == 303, (resp.status_code, resp.text[:800])
        assert resp.headers["Location"].endswith(
            "/" + self.base.split("/", 3)[3]), resp.headers["Location"]
        page = self.get(landing)
        assert page.status_code == 200, page.status_code
        assert self.csrf, "the page has no csrf field"
        return page

    def _remember_csrf(self, resp):
        if resp.headers.get("Content-Type", "").startswith("text/html"):
            m = CSRF_RE.search(resp.text)
            if m and "gk_login" not in resp.headers.get("Set-Cookie", ""):
                self.csrf = m.group(1)
