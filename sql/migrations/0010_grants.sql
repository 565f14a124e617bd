-- 0010: privileges.  The web role may use schema portal and execute its
-- functions, nothing else (ARCHITECTURE.md "Where rules live"); every
-- other function of the project is executable by its owner only.
-- Later migrations that add portal functions grant them the same way.

revoke all on all tables in schema gongkai from public, gongkai_web;
revoke all on all sequences in schema gongkai from public, gongkai_web;
revoke all on all functions in schema gongkai from public, gongkai_web;
revoke all on all functions in schema portal from public;

grant usage on schema portal to gongkai_web;
grant execute on all functions in schema portal to gongkai_web;
