create table post (id int auto_increment primary key, title varchar(200) not null);
create table comment (id int auto_increment primary key, body varchar(200) not null);
