-- Demo attachments (表格下载): a small but valid PDF built here byte by
-- byte (header, five objects, a cross-reference table with the objects'
-- real byte offsets, trailer), attached to the application form items.

do $$
declare
    v_text    text := 'BT /F1 16 Tf 72 780 Td (Government Information '
                   || 'Disclosure Application Form) Tj ET' || chr(10)
                   || 'BT /F1 11 Tf 72 750 Td (Applicant / Name / ID / '
                   || 'Address / Phone / E-mail) Tj ET' || chr(10)
                   || 'BT /F1 11 Tf 72 730 Td (Information requested / '
                   || 'Index number / Document number) Tj ET' || chr(10)
                   || 'BT /F1 11 Tf 72 710 Td (Form wanted: paper / '
                   || 'electronic  Delivery: collect / post / fax / '
                   || 'e-mail) Tj ET';
    v_objs    text[];
    v_pdf     text := '%PDF-1.4' || chr(10);
    v_xref    text := '0000000000 65535 f ' || chr(10);
    v_start   integer;
    v_data    bytea;
    i         integer;
begin
    v_objs := array[
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
            || '/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        '<< /Length ' || octet_length(v_text) || ' >>' || chr(10)
            || 'stream' || chr(10) || v_text || chr(10) || 'endstream',
        '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica '
            || '/Encoding /WinAnsiEncoding >>'];

    for i in 1 .. cardinality(v_objs) loop
        v_xref := v_xref || lpad(octet_length(v_pdf)::text, 10, '0')
                  || ' 00000 n ' || chr(10);
        v_pdf := v_pdf || i || ' 0 obj' || chr(10) || v_objs[i]
                 || chr(10) || 'endobj' || chr(10);
    end loop;

    v_start := octet_length(v_pdf);
    v_pdf := v_pdf || 'xref' || chr(10) || '0 '
             || (cardinality(v_objs) + 1) || chr(10) || v_xref
             || 'trailer' || chr(10) || '<< /Size '
             || (cardinality(v_objs) + 1) || ' /Root 1 0 R >>' || chr(10)
             || 'startxref' || chr(10) || v_start || chr(10) || '%%EOF'
             || chr(10);
    v_data := convert_to(v_pdf, 'UTF8');

    insert into attachments (item_id, no, file_name, content_type, data)
    select i.id, 1, '附件1：政府信息公开申请表.pdf', 'application/pdf', v_data
      from items i join organs o on o.id = i.organ_id
     where o.unit_code = '11533100000000101D'
       and i.title = '德宏州政府信息公开申请表'
    on conflict (item_id, no) do nothing;

    insert into attachments (item_id, no, file_name, content_type, data)
    select i.id, 1, '附件1：法律援助申请表.pdf', 'application/pdf', v_data
      from items i join organs o on o.id = i.organ_id
     where o.unit_code = '11533100000000103D'
       and i.title = '德宏州法律援助申请表'
    on conflict (item_id, no) do nothing;
end
$$;
