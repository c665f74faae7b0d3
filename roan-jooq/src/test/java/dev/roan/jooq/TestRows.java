package dev.roan.jooq;

/**
 * Rows of the test schema that several tests start from, as SQL for {@link TestDb#execute(String)} or
 * {@link SchemaPostgres#reset(String)}; statements end with {@code ;}, so that they can be joined.
 */
final class TestRows {

    /** Author 100, ann, without posts. */
    static final String ANN = "insert into author (id, name) values (100, 'ann');";

    /** {@link #ANN} and her posts 101 "one", 102 "two" and 103 "three". */
    static final String ANN_AND_THREE_POSTS = ANN + "insert into post (id, author_id, slug, title) values"
            + " (101, 100, 'one', 'One'), (102, 100, 'two', 'Two'), (103, 100, 'three', 'Three');";

    /** Authors 1 (ann) and 2 (bob); ann's posts 10 "one" and 11 "two", bob's post 20 "three". */
    static final String TWO_AUTHORS = "insert into author (id, name) values (1, 'ann'), (2, 'bob');"
            + "insert into post (id, author_id, slug, title) values (10, 1, 'one', 'One'), (11, 1, 'two', 'Two'),"
            + " (20, 2, 'three', 'Three');";

    /** For {@link #TWO_AUTHORS}: comment 100 on post 10 (ann's), comment 200 on post 20 (bob's). */
    static final String COMMENTS = "insert into comment (id, post_id, body) values (100, 10, 'first'),"
            + " (200, 20, 'second');";

    /** For tracked pages: {@link #ANN} and her post 1 "A" (slug "a"). */
    static final String ANN_AND_POST_1 = ANN + "insert into post (id, author_id, slug, title) values (1, 100, 'a', 'A');";

    /** {@link #ANN_AND_POST_1}, and author 101 (bob) without posts. */
    static final String ANN_POST_1_AND_BOB = ANN_AND_POST_1 + "insert into author (id, name) values (101, 'bob');";

    /** {@link #ANN_POST_1_AND_BOB}, and bob's post 2 "B" (slug "b"). */
    static final String ANN_AND_BOB_A_POST_EACH = ANN_POST_1_AND_BOB
            + "insert into post (id, author_id, slug, title) values (2, 101, 'b', 'B');";

    /** {@link #ANN_AND_POST_1}, and her post 2 "B" (slug "b"). */
    static final String ANN_AND_POSTS_1_AND_2 = ANN_AND_POST_1
            + "insert into post (id, author_id, slug, title) values (2, 100, 'b', 'B');";

    private TestRows() {}
}
