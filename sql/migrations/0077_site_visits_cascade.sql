-- 0077: a site's visit counts go with the site.  Sites are deleted only
-- before they ever opened (a rejected or withdrawn opening request,
-- 0062), or by tests cleaning up what they made; site_visits (0074) held
-- them back with its foreign key.

alter table site_visits
    drop constraint site_visits_site_id_fkey,
    add constraint site_visits_site_id_fkey
        foreign key (site_id) references sites (id) on delete cascade;
