-- Demo annual reports (issue 5): the finance bureau's report on 2025,
-- written by czj.drafter, signed by its leader czj.leader, filed with the
-- government office (dh.unithead: the office does the prefecture
-- government's disclosure work, 000 年度报告制度 第四条) and published;
-- and the government office's report on 2025, a draft for dh.drafter.
-- Loading twice changes nothing: nothing is made when a demo report
-- exists.  The figures entered are invented.

do $$
declare
    v_dr    bigint := (select id from users where login = 'czj.drafter');
    v_ld    bigint := (select id from users where login = 'czj.leader');
    v_up    bigint := (select id from users where login = 'dh.unithead');
    v_off   bigint := (select id from users where login = 'dh.drafter');
    v_fin   bigint := (select id from organs
                        where unit_code = '11533100000000102D');
    v_gov   bigint := (select id from organs
                        where unit_code = '11533100000000101D');
    v_form  jsonb;
    v_rep   bigint;
    v_err   jsonb;
begin
    if v_dr is null or v_ld is null or v_up is null or v_off is null
       or exists (select 1 from annual_reports
                   where organ_id in (v_fin, v_gov) and year = 2025)
    then
        return;
    end if;

    v_form := jsonb_build_object(
        'overview_html',
        '<p>2025年，德宏州财政局认真贯彻落实《中华人民共和国政府信息公开条例》，'
        '坚持“以公开为常态、不公开为例外”，围绕预决算公开、政府采购、'
        '惠民惠农财政补贴等重点领域，全面推进财政信息公开工作。</p>',
        'problems_html',
        '<p>一是部分信息发布不够及时；二是政策解读形式较为单一。下一步，'
        '我局将完善信息发布审核机制，丰富图解、问答等解读形式。</p>',
        'other_html', '<p>本年度未收取信息处理费。</p>');
    select v_form || coalesce(jsonb_object_agg('stat_' || d.key,
                                  case when d.signed then '0'
                                       when d.decimals > 0 then '1.5'
                                       else '12' end), '{}')
                  || coalesce(jsonb_object_agg('source_' || d.key,
                                  '德宏州财政局办公室统计台账（演示数据）'),
                              '{}')
      into v_form
      from report_stat_defs d where d.fmt in ('2021', 'any');

    v_rep := report_create(v_dr, null, v_fin, 2025);
    v_err := report_save(v_dr, null, v_rep, v_form);
    if v_err <> '{}' then
        raise exception 'demo report: %', v_err;
    end if;
    perform report_submit(v_dr, null, v_rep);
    perform report_sign(v_ld, null, v_rep, 'sign', null);
    perform report_file(v_up, null, v_rep, 'file', '已收到纸质件和电子版（演示）');
    perform report_publish(v_dr, null, v_rep);

    v_rep := report_create(v_off, null, v_gov, 2025);
    perform report_save(v_off, null, v_rep, jsonb_build_object(
        'overview_html', '<p>（编制中）</p>'));
end
$$;
