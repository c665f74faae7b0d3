-- The sample clinic. Rows are inserted without ids, in order, so that the identity columns number them 1, 2, 3...
-- and go on from there for the application's own inserts (an explicit id would leave PostgreSQL's sequence behind).

insert into vets (first_name, last_name) values ('James', 'Carter');
insert into vets (first_name, last_name) values ('Helen', 'Leary');
insert into vets (first_name, last_name) values ('Linda', 'Douglas');
insert into vets (first_name, last_name) values ('Rafael', 'Ortega');
insert into vets (first_name, last_name) values ('Henry', 'Stevens');
insert into vets (first_name, last_name) values ('Sharon', 'Jenkins');

insert into specialties (name) values ('radiology');
insert into specialties (name) values ('surgery');
insert into specialties (name) values ('dentistry');

insert into vet_specialties (vet_id, specialty_id) values (2, 1);
insert into vet_specialties (vet_id, specialty_id) values (3, 2);
insert into vet_specialties (vet_id, specialty_id) values (3, 3);
insert into vet_specialties (vet_id, specialty_id) values (4, 2);
insert into vet_specialties (vet_id, specialty_id) values (5, 1);

insert into types (name) values ('cat');
insert into types (name) values ('dog');
insert into types (name) values ('lizard');
insert into types (name) values ('snake');
insert into types (name) values ('bird');
insert into types (name) values ('hamster');

insert into owners (first_name, last_name, address, city, telephone) values ('George', 'Franklin', '110 W. Liberty St.', 'Madison', '6085551023');
insert into owners (first_name, last_name, address, city, telephone) values ('Betty', 'Davis', '638 Cardinal Ave.', 'Sun Prairie', '6085551749');
insert into owners (first_name, last_name, address, city, telephone) values ('Eduardo', 'Rodriquez', '2693 Commerce St.', 'McFarland', '6085558763');
insert into owners (first_name, last_name, address, city, telephone) values ('Harold', 'Davis', '563 Friendly St.', 'Windsor', '6085553198');
insert into owners (first_name, last_name, address, city, telephone) values ('Peter', 'McTavish', '2387 S. Fair Way', 'Madison', '6085552765');
insert into owners (first_name, last_name, address, city, telephone) values ('Jean', 'Coleman', '105 N. Lake St.', 'Monona', '6085552654');
insert into owners (first_name, last_name, address, city, telephone) values ('Jeff', 'Black', '1450 Oak Blvd.', 'Monona', '6085555387');
insert into owners (first_name, last_name, address, city, telephone) values ('Maria', 'Escobito', '345 Maple St.', 'Madison', '6085557683');
insert into owners (first_name, last_name, address, city, telephone) values ('David', 'Schroeder', '2749 Blackhawk Trail', 'Madison', '6085559435');
insert into owners (first_name, last_name, address, city, telephone) values ('Carlos', 'Estaban', '2335 Independence La.', 'Waunakee', '6085555487');

insert into pets (name, birth_date, type_id, owner_id) values ('Leo', '2020-09-07', 1, 1);
insert into pets (name, birth_date, type_id, owner_id) values ('Basil', '2022-08-06', 6, 2);
insert into pets (name, birth_date, type_id, owner_id) values ('Rosy', '2021-04-17', 2, 3);
insert into pets (name, birth_date, type_id, owner_id) values ('Jewel', '2020-03-07', 2, 3);
insert into pets (name, birth_date, type_id, owner_id) values ('Iggy', '2020-11-30', 3, 4);
insert into pets (name, birth_date, type_id, owner_id) values ('George', '2020-01-20', 4, 5);
insert into pets (name, birth_date, type_id, owner_id) values ('Samantha', '2022-09-04', 1, 6);
insert into pets (name, birth_date, type_id, owner_id) values ('Max', '2022-09-04', 1, 6);
insert into pets (name, birth_date, type_id, owner_id) values ('Lucky', '2021-08-06', 5, 7);
insert into pets (name, birth_date, type_id, owner_id) values ('Mulligan', '2017-02-24', 2, 8);
insert into pets (name, birth_date, type_id, owner_id) values ('Freddy', '2020-03-09', 5, 9);
insert into pets (name, birth_date, type_id, owner_id) values ('Lucky', '2020-06-24', 2, 10);
insert into pets (name, birth_date, type_id, owner_id) values ('Sly', '2022-06-08', 1, 10);

insert into visits (pet_id, visit_date, description) values (7, '2023-03-04', 'rabies shot');
insert into visits (pet_id, visit_date, description) values (8, '2023-03-04', 'rabies shot');
insert into visits (pet_id, visit_date, description) values (8, '2023-06-04', 'neutered');
insert into visits (pet_id, visit_date, description) values (7, '2023-09-04', 'spayed');
