-- 0030: the full-text search index of the catalogue (检索: seed 002
-- 第十条 导航、查询与检索; 条例第24条: the platform supports search).
--
-- PostgreSQL has no Chinese word segmenter in Debian's postgresql-15 (no
-- zhparser, no pg_jieba), and a segmenter would miss words it does not
-- know anyway.  The index is therefore built from characters:
--
--   1. normalise (search_norm): NFKC (full-width Ｌａｔｉｎ and ０-９ become
--      ASCII, （） become ()), lower case, and every
--      separator removed: blanks, ASCII punctuation, CJK punctuation and
--      brackets (〔〕【】《》「」、。), general punctuation (— … “ ”) and
--      symbols.  What remains is a run of "units": letters, digits and
--      ideographs.  Because separators vanish, 鹤政办发〔2009〕07号,
--      鹤政办发[2009]07号, 鹤政办发（2009）07号 and 鹤政办发200907号 all
--      normalise to the same string.
--   2. grams (search_grams): every unit is written as "u u", which turns
--      u1 u2 … un into "u1 u1u2 u2u3 … un-1un un": a unigram at each end
--      and every adjacent pair (bigram) in between, one word each, in
--      order.  to_tsvector('simple') then gives every gram its position,
--      so a phrase query over bigrams respects adjacency.
--
-- A query term of n >= 2 units becomes the phrase of its n-1 bigrams
-- (财政预算 → 财政 <-> 政预 <-> 预算), one unit becomes a prefix query
-- (税 → 税:*, matching every bigram that starts with it and the unigram
-- at a field's end).  One index of bigrams (and no unigram per unit)
-- keeps the index about half the size of unigrams + bigrams, and a
-- two-character word is a single exact GIN key.
--
-- Three stored vectors, so that the ranking (title first, then document
-- and index number, then the rest) is decided by indexes, not by reading
-- every match (see 0031):
--   search_title  信息名称, weight A (+ time-qualified grams, below)
--   search_ref    文号 and 索引号, weight B (+ time-qualified grams)
--   search_text   内容概述, 关键字 and the body's text, weight C
-- and three partial GIN indexes over published items: on search_title,
-- on search_ref, and on the concatenation of all three (any field).
--
-- Limits of tsvector: positions stop at 16383 and a lexeme keeps at most
-- 256 positions, so the text vector covers the first 16000 characters of
-- summary, keywords and body; a phrase is found reliably there.
--
-- The functions below are immutable SQL functions without a SET clause
-- so that PostgreSQL inlines them into the generated columns (measured:
-- a quarter faster than with SET search_path); they call pg_catalog
-- functions only, by qualified name where it matters.

-- The separator class: a bracket expression for PostgreSQL regular
-- expressions.  The normaliser deletes these characters, the highlighter
-- (0031) allows them between the units of a hit.
create function search_sep()
returns text
language sql immutable parallel safe
as $$
    select '[\u0001-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u00bf'
        || '\u00d7\u00f7\u2000-\u206f\u2190-\u245f\u2500-\u2bff'
        || '\u2e00-\u2e7f\u3000-\u3004\u3008-\u3020\u3030\u303d-\u303f'
        || '\u30fb\ufe00-\ufe2f\ufe30-\ufe6f\ufeff\uff00-\uff0f'
        || '\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\ufff0-\uffff'
        || '\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff'
        || '\U0001f000-\U0001faff\U000e0000-\U000e007f]'
$$;

-- the units of a text, as one string (see above); never null
create function search_norm(p_text text)
returns text
language sql immutable parallel safe
as $$
    select pg_catalog.regexp_replace(
               pg_catalog.lower(
                   case when coalesce(p_text, '') is nfkc normalized
                        then coalesce(p_text, '')
                        else pg_catalog.normalize(p_text, 'NFKC') end),
               gongkai.search_sep() || '+', '', 'g')
$$;

-- "u1 u1u2 u2u3 … un" from normalised units
create function search_grams(p_units text)
returns text
language sql immutable parallel safe
as $$
    select pg_catalog.regexp_replace(p_units, '(.)', '\1 \1', 'g')
$$;

-- the search vector of one field; an empty vector for null
create function search_vector(p_text text, p_weight "char")
returns tsvector
language sql immutable parallel safe
as $$
    select pg_catalog.setweight(
               pg_catalog.to_tsvector('pg_catalog.simple'::regconfig,
                   gongkai.search_grams(gongkai.search_norm(p_text))),
               p_weight)
$$;

-- The text of a stored (sanitised) body: tags and entities become
-- blanks, which the normaliser then drops.
create function search_html_text(p_html text)
returns text
language sql immutable parallel safe
as $$
    select pg_catalog.regexp_replace(
               pg_catalog.regexp_replace(p_html, '<[^>]*>', ' ', 'g'),
               '&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});',
               ' ', 'g')
$$;

-- summary, keywords and body as one searchable text, at most 16000
-- characters (positions in a tsvector stop at 16383)
create function search_item_text(p_summary text, p_keywords text,
                                 p_body_html text)
returns text
language sql immutable parallel safe
as $$
    select pg_catalog.left(
               pg_catalog.concat_ws(' ', p_summary, p_keywords,
                   gongkai.search_html_text(
                       pg_catalog.left(p_body_html, 65536))),
               16000)
$$;

-- Time-qualified grams.  A search whose matches are many but not among
-- the newest items (a year such as 2024, say) must still list the newest
-- of them first without reading every newer item or every match.  So
-- the title and the number vectors also hold each gram qualified by the
-- item's publication bucket (about 48 days): "财政" published in bucket
-- 408 is also "财政x408".  A GIN lookup of a phrase of qualified grams
-- finds the matches of one bucket only, and an empty bucket costs a few
-- index pages (0031 reads buckets newest first).  A qualified lexeme is
-- at least four characters long, so it never equals a gram and matches
-- a one-character prefix query only where the item has that gram too.

-- the width of a publication bucket in seconds (2^22 s, about 48 days)
create function search_bucket_width()
returns integer
language sql immutable parallel safe
as $$ select 4194304 $$;

-- the publication bucket of an instant
create function search_bucket(p_at timestamptz)
returns bigint
language sql immutable parallel safe
as $$
    select pg_catalog.floor(
               pg_catalog.date_part('epoch',
                   p_at - pg_catalog.to_timestamp(0))
               / gongkai.search_bucket_width())::bigint
$$;

-- A field's vector with its time-qualified copy: every lexeme of p_vector
-- also with the suffix "x<bucket of p_at>", at the same positions, with
-- weight D (so that the index of all fields can leave them out: see
-- search_all), written on the vector's text form, which is much cheaper
-- than parsing again.  Just p_vector when not published.  No SET clause
-- (it costs a GUC save and restore per call): every name is qualified.
create function search_with_bucket(p_vector tsvector, p_at timestamptz)
returns tsvector
language plpgsql immutable parallel safe
as $$
begin
    if p_at is null or p_vector = ''::tsvector then
        return p_vector;
    end if;
    -- every lexeme has positions (to_tsvector), so each ends in "':"
    return p_vector
           operator(pg_catalog.||) pg_catalog.setweight(
               pg_catalog.replace(p_vector::text, ''':',
                   'x' || gongkai.search_bucket(p_at)::text || ''':')
               ::tsvector,
               'D');
end
$$;

-- All fields of an item as one vector without the time-qualified
-- lexemes (weights A, B and C only): what the index of any field holds.
create function search_all(p_title tsvector, p_ref tsvector,
                           p_text tsvector)
returns tsvector
language sql immutable parallel safe
as $$
    select pg_catalog.ts_filter(
               p_title operator(pg_catalog.||) p_ref
               operator(pg_catalog.||) p_text,
               '{a,b,c}')
$$;

alter table items
    add column search_title tsvector not null
        generated always as (search_with_bucket(search_vector(title, 'A'),
                                                published_at)) stored,
    add column search_ref tsvector not null
        generated always as (search_with_bucket(
                                 search_vector(doc_no, 'B')
                                 || search_vector(index_no, 'B'),
                                 published_at)) stored,
    add column search_text tsvector not null
        generated always as (search_vector(search_item_text(
                                 summary, keywords, body_html), 'C'))
        stored;

-- The search reads the vectors of every item it examines while walking
-- the newest items (0031): keep them in the row instead of the TOAST
-- table, where each would cost several more page reads.  Rows stay
-- whole up to the 8 kB page; a long body goes out of line first.
alter table items set (toast_tuple_target = 8160);
alter table items alter column search_text set storage main;

comment on column items.search_title is
    '信息名称 as character bigrams, plain and time-qualified (0030), '
    'weight A';
comment on column items.search_ref is
    '文号 and 索引号 as character bigrams, plain and time-qualified '
    '(0030), weight B';
comment on column items.search_text is
    '内容概述, 关键字 and body text as character bigrams (0030), weight C';

-- Only published items are ever searched (先审后发), so the indexes are
-- partial: drafts and withdrawn items are not even in them.  Every
-- search reads a GIN index's whole pending list (new entries not yet
-- merged by VACUUM), so the lists are kept short: 512 kB instead of the
-- default 4 MB.
create index items_search_title on items using gin (search_title)
    with (gin_pending_list_limit = 512)
    where state = 'published';

create index items_search_ref on items using gin (search_ref)
    with (gin_pending_list_limit = 512)
    where state = 'published';

-- any field; queries must spell the expression exactly like this
create index items_search_all on items
    using gin (search_all(search_title, search_ref, search_text))
    with (gin_pending_list_limit = 512)
    where state = 'published';
