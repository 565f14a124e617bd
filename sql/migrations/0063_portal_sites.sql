-- 0063: what the public pages show of the registry and the life cycle
-- (issue 6, sql/PAGES.md):
--   * the "site" member carries the footer's facts: 主办单位 (host organ),
--     网站标识码, ICP备案号, 公安备案号, and the Chinese domain;
--   * portal.host_status(host): what a Host that no active site serves
--     is — a former domain (301 to the primary one), a closed site (the
--     closure notice, 410 after the notice period) or nothing (the plain
--     404).  The module asks it only after a page function said "site":
--     null, so a normal page stays one statement;
--   * portal.page_announcements(host) and the home page's latest
--     announcements (公示, 000 网站管理办法 第十七条, 003 第十三条).

-- SITE (sql/PAGES.md): 0008's members and the registry's.
create or replace function site_json(p_site sites)
returns json
language sql stable
set search_path = gongkai, pg_temp
as $$
    select case when p_site.id is null then null else
        json_build_object(
            'name', p_site.name,
            'kind', p_site.kind,
            'domain', site_primary_domain(p_site.id),
            'organ', organ_json(p_site.organ_id),
            'portal', (select json_build_object(
                                  'name', p.name,
                                  'domain', site_primary_domain(p.id))
                         from sites p where p.id = p_site.parent_id),
            'host_organ', organ_json(coalesce(p_site.host_organ_id,
                                              p_site.organ_id)),
            'code', p_site.code,
            'icp_no', p_site.icp_no,
            'psb_no', p_site.psb_no,
            'chinese_domain', (select unicode from site_domains
                                where site_id = p_site.id
                                  and role = 'chinese'))
    end
$$;

-- What a Host is when no active site serves it (sql/PAGES.md).
create function portal.host_status(p_host text)
returns json
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    d       site_domains;
    s       sites;
    v_succ  sites;
begin
    select * into d from site_domains where domain = p_host;
    if not found then
        return json_build_object('site', null);
    end if;
    select * into s from sites where id = d.site_id;

    if s.state = 'active' and d.role = 'former' then
        return json_build_object('site', null,
                                 'moved', site_primary_domain(s.id));
    end if;

    if s.state = 'closed' then
        select * into v_succ from sites where id = s.successor_id;
        return json_build_object(
            'site', site_json(s),
            'closed', json_build_object(
                'closed_on', fmt_day(s.closed_at),
                'notice_until', fmt_day(s.notice_until),
                'gone', now() >= s.notice_until,
                'reason', s.close_reason,
                'successor', case when v_succ.id is not null then
                    json_build_object(
                        'name', v_succ.name,
                        'domain', site_primary_domain(v_succ.id),
                        'organ', organ_json(v_succ.organ_id),
                        'active', v_succ.state = 'active')
                end));
    end if;

    return json_build_object('site', null);
end
$$;

-- ANNOUNCEMENT: {"id", "title", "body", "kind", "published_on",
-- "subject": {"name", "domain"} | null}
create function announcement_json(a site_announcements)
returns json
language sql stable
set search_path = gongkai, pg_temp
as $$
    select json_build_object(
        'id', a.id,
        'title', a.title,
        'body', a.body,
        'kind', a.kind,
        'kind_name', (select name from site_request_kinds
                       where kind = a.kind),
        'published_on', fmt_day(a.published_at),
        'subject', (select json_build_object(
                               'name', s.name,
                               'domain', site_primary_domain(s.id),
                               'active', s.state = 'active')
                      from sites s where s.id = a.subject_id))
$$;

-- The announcements a site shows: those published on it and those
-- about it, newest first.
create function site_announcements_of(p_site bigint, p_limit integer)
returns setof site_announcements
language sql stable
set search_path = gongkai, pg_temp
as $$
    select *
      from site_announcements
     where site_id = p_site or subject_id = p_site
     order by published_at desc, id desc
     limit p_limit
$$;

create function portal.page_announcements(p_host text)
returns json
language plpgsql stable security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_site  sites;
begin
    v_site := site_for_host(p_host);
    if v_site.id is null then
        return json_build_object('site', null);
    end if;

    return json_build_object(
        'site', site_json(v_site),
        'not_found', false,
        'announcements', (select coalesce(json_agg(announcement_json(a)
                                                   order by a.published_at
                                                            desc, a.id desc),
                                          '[]')
                            from site_announcements_of(v_site.id, 200) a));
end
$$;

-- The home page (0017) with the latest five announcements.
create or replace function portal.page_home(p_host text)
returns json
language plpgsql volatile security definer
set search_path = gongkai, pg_temp
as $$
declare
    v_page  jsonb;
    v_site  sites;
begin
    perform publish_due();
    v_page := page_home_published(p_host)::jsonb;
    v_site := site_for_host(p_host);
    if v_site.id is not null then
        v_page := v_page || jsonb_build_object(
            'announcements', (select coalesce(jsonb_agg(
                                         announcement_json(a)::jsonb
                                         order by a.published_at desc,
                                                  a.id desc), '[]')
                                from site_announcements_of(v_site.id, 5) a));
    end if;
    return v_page::json;
end
$$;

grant execute on function portal.host_status(text),
    portal.page_announcements(text) to gongkai_web;
