-- 0047: the files an applicant attaches to an online application (issue
-- 4): a copy of an identity document, and the authorisation letter
-- (授权委托书) when an agent applies.  Seed 000 工作规程 第五条: "申请人
-- ……应出示有效身份证……原件及复印件。申请人也可以委托他人提出申请，但应
-- 同时出具申请人、代理人的有效证件原件、复印件及授权委托书"; 条例 第二十九
-- 条 asks for the applicant's 身份证明.  Online the identity number is
-- already on the form, so the copy is optional; the authorisation letter
-- is required when the applicant says an agent applies (0048).
--
-- The files are personal data.  They live in their own tables, which
-- the web role cannot read (it has no table rights at all, 0010) and
-- which no portal function reads: apply_submit (0048) only writes them.
-- Only the case-handling admin functions (0049) read them, for the
-- handling organ's application officers.  No public URL serves them.
--
-- The module decides the type by the content (ngx_http_gongkai_sniff.c,
-- the same allow-list as the admin's attachments) and the size limit
-- (gongkai_upload_max_size of the location serving /apply); the
-- database checks the shape again.

insert into apply_terms (term, name, sort) values
    ('file.id_copy', '身份证明材料', 1),
    ('file.authorisation', '授权委托书', 2)
on conflict (term) do nothing;

insert into settings (key, value, note) values
    ('apply.pending_file_hours', '24',
     '依申请公开：表单退回修改时暂存已上传文件的小时数')
on conflict (key) do nothing;

-- A file of the case (一案一卷: it stays with the dossier, never changed
-- nor deleted).
create table case_files (
    id            bigint generated always as identity primary key,
    case_id       bigint not null references applications (id),
    no            integer not null check (no between 1 and 99),
    kind          text not null check (kind in ('id_copy', 'authorisation')),
    file_name     text not null
                  check (octet_length(file_name) between 1 and 200
                         and file_name !~ '[/\\[:cntrl:]]'
                         and file_name !~ '^\.'),
    content_type  text not null check (content_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
    size          integer not null check (size > 0),
    data          bytea not null,
    sha256        bytea not null check (octet_length(sha256) = 32),
    uploaded_at   timestamptz not null default now(),
    unique (case_id, no),
    unique (case_id, kind),
    check (size = octet_length(data))
);

create trigger case_files_no_change
    before update or delete on case_files
    for each row execute function apply_records_append_only();

create trigger case_files_guard
    before insert on case_files
    for each row execute function case_records_guard();

-- Files of a form shown again with its errors (the browser cannot keep
-- a chosen file): kept by the form's token hash until the same form is
-- submitted, for apply.pending_file_hours at most.  Personal data too;
-- read only by apply_submit.
create table apply_pending_files (
    form_hash     bytea not null check (octet_length(form_hash) = 32),
    kind          text not null check (kind in ('id_copy', 'authorisation')),
    file_name     text not null
                  check (octet_length(file_name) between 1 and 200),
    content_type  text not null,
    size          integer not null check (size > 0),
    data          bytea not null,
    uploaded_at   timestamptz not null default now(),
    primary key (form_hash, kind),
    check (size = octet_length(data))
);

create index apply_pending_files_age on apply_pending_files (uploaded_at);
