-- 0080: the site helpers every public page calls, in PL/pgSQL, for
-- speed only (the reason is 0051's: an SQL function with "set
-- search_path" is planned again in every transaction, a PL/pgSQL one
-- keeps its plans for the connection's life).  0061 and 0063 gave these
-- three their current bodies after 0051 ran; the bodies here are theirs,
-- unchanged: same arguments, same results, same volatility.

create or replace function site_for_host(p_host text)
returns sites
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
declare
    s  sites;
begin
    select si.* into s
      from site_domains d
      join sites si on si.id = d.site_id
     where d.domain = p_host and d.role <> 'former'
       and si.state = 'active';
    return s;
end
$$;

create or replace function site_primary_domain(p_site_id bigint)
returns text
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
begin
    return (select domain from site_domains
             where site_id = p_site_id and role <> 'former'
             order by is_primary desc, domain
             limit 1);
end
$$;

create or replace function site_json(p_site sites)
returns json
language plpgsql stable
set search_path = gongkai, pg_temp
as $$
begin
    if p_site.id is null then
        return null;
    end if;

    return json_build_object(
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
                              and role = 'chinese'));
end
$$;
