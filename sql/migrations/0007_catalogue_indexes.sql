-- 0007: indexes for the public catalogue at a million items.
--
-- The catalogue is read newest first by (published_at desc, id desc) with
-- keyset cursors.  Only published items are ever read, so both indexes are
-- partial.  gongkai.catalogue_rows picks one of them per request:
--   * items_pub_time: one ordered scan, filters applied on the way; good
--     when the filter matches a large share of all published items;
--   * items_pub_triple: one short ordered scan per (organ, category,
--     generation year) triple that item_counts says is non-empty, merged;
--     good for selective filters (a small organ, a category, a year).

create index items_pub_time on items (published_at desc, id desc)
    where state = 'published';

create index items_pub_triple
    on items (organ_id, category_id, gen_year, published_at desc, id desc)
    where state = 'published';

