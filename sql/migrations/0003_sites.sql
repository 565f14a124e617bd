-- 0003: registered government sites (政府网站) and their domains.
--
-- One government, one portal; one department, one sub-site integrated
-- into its portal (seed 001 第五条, 003 第十三条): a site belongs to one
-- organ, a department site names its portal site.

create table sites (
    id          bigint generated always as identity primary key,
    name        text not null check (btrim(name) <> ''),
    kind        text not null check (kind in ('portal', 'department')),
    organ_id    bigint not null unique references organs (id),
    parent_id   bigint references sites (id),
    -- the site life cycle gets its approval states in a later issue;
    -- only 'active' sites are ever served.
    state       text not null default 'active'
                check (state in ('pending', 'active', 'suspended', 'closed')),
    created_at  timestamptz not null default now(),
    check ((kind = 'department') = (parent_id is not null)),
    check (parent_id is distinct from id)
);

-- A department site's parent must be a portal.
create function sites_check_parent()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
begin
    if new.parent_id is not null
       and not exists (select 1 from sites
                       where id = new.parent_id and kind = 'portal')
    then
        raise exception 'site %: parent site % is not a portal',
            new.name, new.parent_id
            using errcode = 'check_violation';
    end if;
    return new;
end
$$;

create trigger sites_check_parent
    before insert or update of parent_id, kind on sites
    for each row execute function sites_check_parent();

-- Domains end in .gov.cn or .政务 (punycode xn--zfr164b), lower case, no
-- port, no trailing dot (seed 001 第九条, 003 第十四条).  Whether a
-- department uses a sub-domain of its portal is checked by the trigger.
create table site_domains (
    domain      text primary key
                check (domain = lower(domain)
                       and length(domain) <= 253
                       and domain ~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+(gov\.cn|xn--zfr164b)$'),
    site_id     bigint not null references sites (id) on delete cascade,
    is_primary  boolean not null default false
);

create index site_domains_site on site_domains (site_id);
create unique index site_domains_one_primary on site_domains (site_id)
    where is_primary;

-- seed 003 第十四条: a department site uses a sub-domain of its portal's
-- primary domain without the "www." label (○○○.□□□.gov.cn).
create function site_domains_check()
returns trigger
language plpgsql
set search_path = gongkai, pg_temp
as $$
declare
    v_portal  text;
begin
    select regexp_replace(d.domain, '^www\.', '') into v_portal
      from sites s
      join site_domains d on d.site_id = s.parent_id and d.is_primary
     where s.id = new.site_id and s.kind = 'department';

    if found and right(new.domain, length(v_portal) + 1) <> '.' || v_portal
    then
        raise exception 'domain % is not a sub-domain of its portal %',
            new.domain, v_portal
            using errcode = 'check_violation';
    end if;
    return new;
end
$$;

create trigger site_domains_check
    before insert or update on site_domains
    for each row execute function site_domains_check();
