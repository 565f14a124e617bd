-- wrk script for tools/bench: POST one application form (body and the
-- gk_apply cookie from the environment) on every request, then print the
-- same result line as report.lua.
--
--   GONGKAI_BENCH_BODY    the urlencoded form
--   GONGKAI_BENCH_COOKIE  "gk_apply=<token>" (paired with the form's csrf)
--   GONGKAI_BENCH_REPORT  the path of report.lua (its done())

wrk.method = "POST"
wrk.body = os.getenv("GONGKAI_BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("GONGKAI_BENCH_COOKIE")

dofile(os.getenv("GONGKAI_BENCH_REPORT"))
