-- 0002: organs (行政机关 / 发布机构) and the catalogue classification.

-- An organ is identified by its unit code (单位代码, the unified social
-- credit code, 18 characters of [0-9A-Z]) and always shown with its full
-- legal name (seed 003 第五条 5: 发布机构应使用全称,不能使用简称).
create table organs (
    id          bigint generated always as identity primary key,
    unit_code   text not null unique
                check (unit_code ~ '^[0-9A-Z]{1,18}$'),
    name        text not null unique
                check (btrim(name) <> '' and length(name) <= 200),
    short_name  text
                check (short_name is null or btrim(short_name) <> ''),
    parent_id   bigint references organs (id),
    level       text not null
                check (level in ('province', 'prefecture', 'county',
                                 'township', 'department')),
    created_at  timestamptz not null default now(),
    check (parent_id is distinct from id)
);

create index organs_parent on organs (parent_id);

comment on table organs is
    'Government bodies that produce and publish information (发布机构).';

-- Categories (信息种类 / 主题分类) are data, not code (DOMAIN.md §1); the
-- code is the 分类号 part of the index number (seed 003 第五条).
create table categories (
    id          integer generated always as identity primary key,
    code        text not null unique
                check (code ~ '^[0-9A-Za-z]{1,8}$'),
    name        text not null
                check (btrim(name) <> '' and length(name) <= 100),
    parent_id   integer references categories (id),
    sort        integer not null default 0,
    check (parent_id is distinct from id)
);

create index categories_parent on categories (parent_id);

-- The ids of a category and of every category below it.
create function category_subtree(p_id integer)
returns integer[]
language sql stable
set search_path = gongkai, pg_temp
as $$
    with recursive t (id) as (
        select p_id
        union
        select c.id from categories c join t on c.parent_id = t.id
    )
    select array_agg(id) from t
$$;

-- The ids of an organ and of every organ below it (organs.parent).
create function organ_subtree(p_id bigint)
returns bigint[]
language sql stable
set search_path = gongkai, pg_temp
as $$
    with recursive t (id) as (
        select p_id
        union
        select o.id from organs o join t on o.parent_id = t.id
    )
    select array_agg(id) from t
$$;
