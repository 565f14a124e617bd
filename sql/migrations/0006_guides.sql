-- 0006: the disclosure guide (政府信息公开指南) of each organ, with the
-- fields the national regulation (2019) 第十二条 asks for and the seeds
-- repeat (000 制度 第七条, 003 第五条): the office, how information is
-- classified and arranged, how to obtain it, how to apply, and remedies.

create table guides (
    organ_id        bigint primary key references organs (id),
    office_name     text not null check (btrim(office_name) <> ''),
    address         text not null,
    postcode        text check (postcode is null or postcode ~ '^[0-9]{6}$'),
    office_hours    text not null,
    phone           text not null,
    fax             text,
    email           text check (email is null
                                or email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    website         text,
    classification  text not null,
    arrangement     text not null,
    obtaining       text not null,
    applying        text not null,
    remedies        text not null,
    updated_on      date not null default current_date
);
