-- A couple of rows so the example's pages are not empty on first start.

insert into author (name) values ('Ada');
insert into author (name) values ('Grace');

insert into post (author_id, slug, title, body, created_at)
select id, 'hello-roan', 'Hello, Roan',
       'This page is cached by nginx until a write to the post table commits.', timestamp '2025-01-01 09:00:00'
from author where name = 'Ada';

insert into post (author_id, slug, title, body, created_at)
select id, 'purge-after-commit', 'Purge after commit',
       'Roan holds purges until the transaction commits, then tells every cache node.', timestamp '2025-01-02 09:00:00'
from author where name = 'Grace';

insert into comment (post_id, author_name, body)
select id, 'Grace', 'Nice and short.' from post where slug = 'hello-roan';
