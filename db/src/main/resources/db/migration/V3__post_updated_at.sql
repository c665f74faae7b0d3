-- When a post's page last changed: the post itself or its comments. Portable SQL, like V1 (H2 2.x, PostgreSQL 15+).
--
-- Adding a comment "touches" its post (sets updated_at, in the comment's transaction), the way Rails'
-- belongs_to :post, touch: true does: the page of a post shows its comments, and this way every write that changes
-- that page writes the post's row, whose slug Roan needs for the path /posts/{slug}. A comment row holds only post_id.

alter table post add column updated_at timestamp default current_timestamp not null;

update post set updated_at = created_at;
