-- 0060: internationalised domain names for the .政务 domains (issue 6).
--
-- Chinese government domains end in .政务 and travel as punycode
-- (xn--zfr164b): a request's Host is ASCII, a registration form is
-- typed in Chinese.  The registry keeps both forms (0061), so the two
-- conversions of IDNA (RFC 5890/5891) are needed here:
--
--   punycode_encode / punycode_decode   RFC 3492, exactly (any code point)
--   idna_to_ascii / idna_to_unicode     label by label, "xn--" + punycode
--   domain_normalise                    what a person typed -> the form
--                                       the rules (0061) look at
--
-- The repertoire of the labels (CJK ideographs, letters, digits and the
-- hyphen) is the rule of 0061, not of these functions: they convert any
-- code point, and are tested against RFC 3492's own samples
-- (tests/sql/test_idna.py).  The module has the same conversion in C
-- (ngx_module/ngx_http_gongkai_domain.c), tested against the same pairs.
--
-- The arithmetic is in bigint with RFC 3492's overflow checks, so a
-- hostile "xn--" label gives null, never an error.

-- RFC 3492 section 5: the parameters of punycode.
--   base 36, tmin 1, tmax 26, skew 38, damp 700, initial_bias 72,
--   initial_n 128 (0x80)

-- section 6.1: the bias adaptation
create function punycode_adapt(p_delta bigint, p_numpoints bigint,
                               p_first boolean)
returns bigint
language plpgsql immutable strict
set search_path = gongkai, pg_temp
as $$
declare
    d  bigint := case when p_first then p_delta / 700 else p_delta / 2 end;
    k  bigint := 0;
begin
    d := d + d / p_numpoints;
    while d > ((36 - 1) * 26) / 2 loop
        d := d / (36 - 1);
        k := k + 36;
    end loop;
    return k + (((36 - 1 + 1) * d) / (d + 38));
end
$$;

-- The punycode of a string (without "xn--"), RFC 3492 section 6.3.
-- Basic code points are copied as they are, so the caller lower-cases
-- first.  Null for a string with a code point beyond U+10FFFF (none).
create function punycode_encode(p_input text)
returns text
language plpgsql immutable strict
set search_path = gongkai, pg_temp
as $$
declare
    maxint  constant bigint := 2147483647;
    cps     bigint[];
    n       bigint := 128;
    delta   bigint := 0;
    bias    bigint := 72;
    h       bigint;
    b       bigint;
    m       bigint;
    q       bigint;
    k       bigint;
    t       bigint;
    c       bigint;
    d       bigint;
    output  text := '';
begin
    if p_input = '' then
        return '';
    end if;

    select coalesce(array_agg(ascii(ch) order by ord), '{}')
      into cps
      from regexp_split_to_table(p_input, '') with ordinality s (ch, ord);

    foreach c in array cps loop
        if c < 128 then
            output := output || chr(c::integer);
        end if;
    end loop;

    b := length(output);
    h := b;
    if b > 0 then
        output := output || '-';
    end if;

    while h < cardinality(cps) loop
        select min(x) into m from unnest(cps) x where x >= n;
        if (m - n) > (maxint - delta) / (h + 1) then
            return null;
        end if;
        delta := delta + (m - n) * (h + 1);
        n := m;

        foreach c in array cps loop
            if c < n then
                delta := delta + 1;
                if delta > maxint then
                    return null;
                end if;
            end if;
            if c = n then
                q := delta;
                k := 36;
                loop
                    t := case when k <= bias then 1
                              when k >= bias + 26 then 26
                              else k - bias end;
                    exit when q < t;
                    d := t + (q - t) % (36 - t);
                    output := output || chr((case when d < 26 then d + 97
                                                  else d - 26 + 48 end)
                                            ::integer);
                    q := (q - t) / (36 - t);
                    k := k + 36;
                end loop;
                output := output || chr((case when q < 26 then q + 97
                                              else q - 26 + 48 end)::integer);
                bias := punycode_adapt(delta, h + 1, h = b);
                delta := 0;
                h := h + 1;
            end if;
        end loop;

        delta := delta + 1;
        n := n + 1;
    end loop;

    return output;
end
$$;

-- The string of a punycode (without "xn--"), RFC 3492 section 6.2; null
-- when it is not valid punycode (a bad digit, an overflow, a code point
-- that is not a Unicode scalar value, a non-basic character before the
-- delimiter).  Digits are case-insensitive.
create function punycode_decode(p_input text)
returns text
language plpgsql immutable strict
set search_path = gongkai, pg_temp
as $$
declare
    maxint  constant bigint := 2147483647;
    n       bigint := 128;
    i       bigint := 0;
    bias    bigint := 72;
    out_cp  bigint[] := '{}';
    b       integer;
    pos     integer;
    oldi    bigint;
    w       bigint;
    k       bigint;
    t       bigint;
    digit   bigint;
    c       integer;
    len     integer := length(p_input);
begin
    if p_input !~ '^[\x01-\x7f]*$' then
        return null;
    end if;

    -- the basic code points: everything before the last delimiter; the
    -- delimiter is consumed only when something preceded it
    b := length(p_input) - strpos(reverse(p_input), '-');
    if strpos(p_input, '-') = 0 then
        b := 0;
    end if;
    for pos in 1 .. b loop
        out_cp := out_cp || ascii(substr(p_input, pos, 1))::bigint;
    end loop;
    pos := case when b > 0 then b + 2 else 1 end;

    while pos <= len loop
        oldi := i;
        w := 1;
        k := 36;
        loop
            if pos > len then
                return null;
            end if;
            c := ascii(substr(p_input, pos, 1));
            pos := pos + 1;
            digit := case when c between 48 and 57 then c - 22
                          when c between 65 and 90 then c - 65
                          when c between 97 and 122 then c - 97
                          else 36 end;
            if digit >= 36 or digit > (maxint - i) / w then
                return null;
            end if;
            i := i + digit * w;
            t := case when k <= bias then 1
                      when k >= bias + 26 then 26
                      else k - bias end;
            exit when digit < t;
            if w > maxint / (36 - t) then
                return null;
            end if;
            w := w * (36 - t);
            k := k + 36;
        end loop;

        bias := punycode_adapt(i - oldi, cardinality(out_cp) + 1, oldi = 0);
        if i / (cardinality(out_cp) + 1) > maxint - n then
            return null;
        end if;
        n := n + i / (cardinality(out_cp) + 1);
        i := i % (cardinality(out_cp) + 1);

        if n > 1114111 or n between 55296 and 57343 then
            return null;
        end if;

        out_cp := out_cp[1:i] || n || out_cp[i + 1:];
        i := i + 1;
    end loop;

    return (select coalesce(string_agg(chr(x::integer), '' order by o), '')
              from unnest(out_cp) with ordinality u (x, o));
end
$$;

-- What a person typed as a domain, in the form the rules look at: no
-- surrounding blanks, the ideographic and full-width full stops
-- (。 ． ｡) as ".", full-width letters, digits and hyphens as ASCII, ASCII
-- letters in lower case, no trailing dot (as IDNA's mapping does for
-- these characters; other characters are left for the rules to refuse).
create function domain_normalise(p_domain text)
returns text
language sql immutable strict
set search_path = gongkai, pg_temp
as $$
    select regexp_replace(
               translate(
                   btrim(p_domain, E' \t\r\n\u3000'),
                   '。．｡ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ'
                   || 'ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ'
                   || '０１２３４５６７８９－'
                   || 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                   '...abcdefghijklmnopqrstuvwxyz'
                   || 'abcdefghijklmnopqrstuvwxyz'
                   || '0123456789-'
                   || 'abcdefghijklmnopqrstuvwxyz'),
               '\.+$', '')
$$;

-- The ASCII form of a normalised domain: every label with a non-ASCII
-- character becomes "xn--" + its punycode (IDNA ToASCII for labels that
-- passed the rules).  Null when a label cannot be encoded.
create function idna_to_ascii(p_domain text)
returns text
language sql immutable strict
set search_path = gongkai, pg_temp
as $$
    select string_agg(case when label ~ '^[\x01-\x7f]*$' then label
                           else 'xn--' || punycode_encode(label) end,
                      '.' order by ord)
      from regexp_split_to_table(p_domain, '\.') with ordinality s (label, ord)
$$;

-- The Unicode form of an ASCII domain: every "xn--" label decoded (IDNA
-- ToUnicode).  Null when a label is not valid punycode, or does not
-- encode back to itself (RFC 5891 5.5: the round trip must hold), or
-- decodes to plain ASCII (a "fake A-label").
create function idna_to_unicode(p_domain text)
returns text
language plpgsql immutable strict
set search_path = gongkai, pg_temp
as $$
declare
    v_label  text;
    v_u      text;
    v_out    text[] := '{}';
begin
    foreach v_label in array string_to_array(p_domain, '.') loop
        if lower(v_label) like 'xn--%' then
            v_u := punycode_decode(substr(v_label, 5));
            if v_u is null or v_u ~ '^[\x01-\x7f]*$'
               or 'xn--' || punycode_encode(v_u) <> lower(v_label)
            then
                return null;
            end if;
            v_out := v_out || v_u;
        else
            v_out := v_out || v_label;
        end if;
    end loop;
    return array_to_string(v_out, '.');
end
$$;
