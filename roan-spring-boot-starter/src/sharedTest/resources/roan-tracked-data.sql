insert into post (id, title) values (1, 'first');
insert into post (id, title) values (2, 'second');
