-- 0001: the two schemas and the default privileges.
--
-- Tables live in schema gongkai, read functions for the public portal in
-- schema portal (sql/PAGES.md).  Both are owned by gongkai_owner; the role
-- nginx connects as (gongkai_web) gets no table rights at all and may only
-- execute portal.* (ARCHITECTURE.md "Where rules live").  tools/migrate has
-- already created schema gongkai (it holds schema_version) and runs every
-- migration as gongkai_owner.

create schema if not exists gongkai;
create schema if not exists portal;

revoke all on schema gongkai from public;
revoke all on schema portal from public;

-- PostgreSQL grants EXECUTE on every new function to PUBLIC; functions of
-- this project are executable only by the roles they are granted to.
alter default privileges for role gongkai_owner
    revoke execute on functions from public;
alter default privileges for role gongkai_owner
    revoke all on tables from public;
alter default privileges for role gongkai_owner
    revoke all on sequences from public;
