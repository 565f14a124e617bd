-- 0004: items (政府信息, catalogue entries) and their attachments.

-- Item states.  v1 knows draft, published and withdrawn; the review chain
-- (先审后发, seed 003 第九条) adds its states here as rows, so no check
-- constraint has to be rewritten.  Only a state with is_public is ever
-- visible on a site, and only 'published' is.
create table item_states (
    state       text primary key check (state ~ '^[a-z_]{1,32}$'),
    name        text not null,
    is_public   boolean not null default false,
    check (is_public = (state = 'published'))
);

insert into item_states (state, name, is_public) values
    ('draft', '草稿', false),
    ('published', '已发布', true),
    ('withdrawn', '已撤回', false);

create table items (
    id            bigint generated always as identity primary key,
    -- 索引号, assigned by items_assign_index_no when the item is first
    -- published, never changed afterwards (seed 003 第五条 1).
    index_no      text unique,
    -- 信息名称: mandatory (seed 003 第五条 3)
    title         text not null
                  check (btrim(title) <> '' and length(title) <= 500),
    summary       text,
    doc_no        text check (doc_no is null or btrim(doc_no) <> ''),
    -- 生成日期 (seed 003 第五条 4)
    generated_on  date check (generated_on >= date '1949-10-01'),
    gen_year      smallint
                  generated always as (extract(year from generated_on))
                  stored,
    -- 发布机构 (seed 003 第五条 5)
    organ_id      bigint references organs (id),
    category_id   integer references categories (id),
    validity      text not null default '有效'
                  check (validity in ('有效', '失效', '废止')),
    keywords      text,
    -- Stored sanitised (the module's allow-list sanitiser runs on save).
    -- The check is a last line of defence, not the sanitiser.
    body_html     text not null default ''
                  check (body_html !~* '<\s*/?\s*(script|style|iframe|object|embed|form|base|meta|link)\M|\son[a-z]+\s*=|javascript:'),
    state         text not null default 'draft' references item_states,
    published_at  timestamptz,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    -- A published item carries every mandatory catalogue field (seed 003
    -- 第五条, 002 第七条) and its index number.
    constraint items_published_complete check (
        state <> 'published'
        or (generated_on is not null and organ_id is not null
            and category_id is not null and index_no is not null
            and published_at is not null)),
    constraint items_index_no_format check (
        index_no is null
        or index_no ~ '^[0-9A-Z]{1,18}-[0-9A-Za-z]{1,8}-[0-9]{4}-[0-9]{5,}$')
);

comment on column items.index_no is
    '索引号 单位代码-分类号-生成年份-流水号; unique, assigned at first '
    'publication, never reused, immutable.';

create index items_state on items (state) where state <> 'published';
create index items_organ on items (organ_id);

-- The last serial handed out per organ + category + generation year.  A
-- serial is never given out twice, even when its item is withdrawn or
-- deleted (DOMAIN.md §1: never reused).
create table index_serials (
    organ_id     bigint not null references organs (id),
    category_id  integer not null references categories (id),
    year         smallint not null,
    last_serial  integer not null check (last_serial > 0),
    primary key (organ_id, category_id, year)
);

-- Maintained counts of published items for the catalogue, so that no page
-- ever runs count(*) over items.  year is the generation year.
create table item_counts (
    organ_id     bigint not null references organs (id),
    category_id  integer not null references categories (id),
    year         smallint not null,
    n            bigint not null check (n >= 0),
    primary key (organ_id, category_id, year)
);

create table attachments (
    id            bigint generated always as identity primary key,
    item_id       bigint not null references items (id) on delete cascade,
    no            integer not null check (no between 1 and 999),
    file_name     text not null
                  check (btrim(file_name) <> '' and length(file_name) <= 200
                         and file_name !~ '[/\\[:cntrl:]]'),
    content_type  text not null
                  check (content_type ~ '^[a-z]+/[a-z0-9][a-z0-9.+-]*$'),
    data          bytea not null,
    size          integer generated always as (octet_length(data)) stored,
    created_at    timestamptz not null default now(),
    unique (item_id, no)
);

-- Index number assignment and immutability (seed 003 第五条 1, DOMAIN.md
-- §1): a number is assigned by the system when an item is first
-- published, and nothing can set, change or clear it otherwise.  Once an
-- item has a number, its organ, category and generation year (the parts
-- of that number) cannot change either.
create function items_assign_index_no()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_serial  integer;
    v_unit    text;
    v_code    text;
begin
    if tg_op = 'INSERT' then
        if new.index_no is not null then
            raise exception 'index numbers are assigned by the system'
                using errcode = 'check_violation';
        end if;
    else
        if old.index_no is not null then
            if new.index_no is distinct from old.index_no then
                raise exception 'index number % is immutable', old.index_no
                    using errcode = 'check_violation';
            end if;
            if new.organ_id is distinct from old.organ_id
               or new.category_id is distinct from old.category_id
               or extract(year from new.generated_on)
                  is distinct from extract(year from old.generated_on)
            then
                raise exception 'item % has index number %: its organ, '
                    'category and generation year cannot change',
                    old.id, old.index_no
                    using errcode = 'check_violation';
            end if;
        elsif new.index_no is not null then
            raise exception 'index numbers are assigned by the system'
                using errcode = 'check_violation';
        end if;
        new.updated_at := now();
    end if;

    if new.state = 'published' then
        if new.published_at is null then
            new.published_at := now();
        end if;

        if new.index_no is null
           and new.organ_id is not null and new.category_id is not null
           and new.generated_on is not null
        then
            insert into index_serials as s
                   (organ_id, category_id, year, last_serial)
            values (new.organ_id, new.category_id,
                    extract(year from new.generated_on), 1)
            on conflict (organ_id, category_id, year)
            do update set last_serial = s.last_serial + 1
            returning last_serial into v_serial;

            select unit_code into strict v_unit
              from organs where id = new.organ_id;
            select code into strict v_code
              from categories where id = new.category_id;

            new.index_no := v_unit || '-' || v_code || '-'
                || to_char(extract(year from new.generated_on), 'FM0000')
                || '-' || to_char(v_serial, 'FM00000');
        end if;
    end if;

    return new;
end
$$;

create trigger items_assign_index_no
    before insert or update on items
    for each row execute function items_assign_index_no();

-- item_counts maintenance, one set-based statement per triggering
-- statement (so tools/gen-items can insert a million rows at once).
create function items_count_insert()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    insert into item_counts as c (organ_id, category_id, year, n)
    select organ_id, category_id, gen_year, count(*)
      from new_rows where state = 'published'
     group by organ_id, category_id, gen_year
    on conflict (organ_id, category_id, year)
    do update set n = c.n + excluded.n;
    return null;
end
$$;

create function items_count_delete()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    update item_counts c set n = c.n - d.n
      from (select organ_id, category_id, gen_year, count(*) as n
              from old_rows where state = 'published'
             group by organ_id, category_id, gen_year) d
     where c.organ_id = d.organ_id and c.category_id = d.category_id
       and c.year = d.gen_year;
    return null;
end
$$;

create function items_count_update()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    update item_counts c set n = c.n - d.n
      from (select organ_id, category_id, gen_year, count(*) as n
              from old_rows where state = 'published'
             group by organ_id, category_id, gen_year) d
     where c.organ_id = d.organ_id and c.category_id = d.category_id
       and c.year = d.gen_year;

    insert into item_counts as c (organ_id, category_id, year, n)
    select organ_id, category_id, gen_year, count(*)
      from new_rows where state = 'published'
     group by organ_id, category_id, gen_year
    on conflict (organ_id, category_id, year)
    do update set n = c.n + excluded.n;
    return null;
end
$$;

create trigger items_count_insert
    after insert on items
    referencing new table as new_rows
    for each statement execute function items_count_insert();

create trigger items_count_delete
    after delete on items
    referencing old table as old_rows
    for each statement execute function items_count_delete();

create trigger items_count_update
    after update on items
    referencing old table as old_rows new table as new_rows
    for each statement execute function items_count_update();

create function items_count_truncate()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    delete from item_counts;
    return null;
end
$$;

create trigger items_count_truncate
    after truncate on items
    for each statement execute function items_count_truncate();
