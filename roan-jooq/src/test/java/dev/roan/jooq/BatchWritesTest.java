package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUDIT_LOG;
import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.stream.Stream;

import dev.roan.jooq.test.db.tables.records.AuthorRecord;
import dev.roan.jooq.test.db.tables.records.PostRecord;
import org.jooq.DSLContext;
import org.jooq.Loader;
import org.jooq.LoaderOptionsStep;
import org.jooq.Param;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Batches fill a rule's placeholders from every row they write: bind sets, the Loader API, dsl.batched(...). */
class BatchWritesTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;
    private Roan roan;
    private DSLContext dsl;

    @BeforeEach
    void setUp() {
        db = fixture.db();
        cache = fixture.cache();
        roan = fixture.roan();
        roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts");
        dsl = fixture.dsl();
        db.execute(TestRows.ANN_AND_THREE_POSTS);
    }

    /** The distinct paths purged since the last call (see {@link RoanFixture#purged()}). */
    private List<String> purged() {
        return fixture.purgedOnce();
    }

    private String title(String slug) {
        return db.onSeparateConnection(d -> d.select(POST.TITLE).from(POST).where(POST.SLUG.eq(slug)).fetchOne(POST.TITLE));
    }

    @Test
    void everyBindSetOfABatchFillsItsPath() {
        dsl.batch(dsl.update(POST).set(POST.TITLE, (String) null).where(POST.SLUG.eq((String) null)))
                .bind("a", "one").bind("b", "two").execute();
        assertThat(purged()).as("no fallback: every row is known").containsExactlyInAnyOrder("/posts/one", "/posts/two");
        dsl.batch(dsl.insertInto(POST, POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values((Long) null, null, null))
                .bind(100L, "n1", "N1").bind(100L, "n2", "N2").bind(100L, "n3", "N3").execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/n1", "/posts/n2", "/posts/n3");
        dsl.batch(dsl.deleteFrom(POST).where(POST.SLUG.eq("placeholder"))).bind("n1").bind("n2").execute();
        assertThat(purged()).as("never the member's own value").containsExactlyInAnyOrder("/posts/n1", "/posts/n2");
    }

    @Test
    void namedBindSetsFillTheirPaths() {
        dsl.batch(dsl.update(POST).set(POST.TITLE, DSL.param("title", String.class))
                        .where(POST.SLUG.eq(DSL.param("slug", String.class))))
                .bind(Map.of("title", "x", "slug", "one"), Map.of("title", "y", "slug", "three")).execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/three");
    }

    @Test
    void aChangedKeyInABindSetPurgesBothPages() {
        dsl.batch(dsl.update(POST).set(POST.SLUG, (String) null).where(POST.SLUG.eq((String) null)))
                .bind("uno", "one").bind("dos", "two").execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/uno", "/posts/two", "/posts/dos");
    }

    @Test
    void batchesSentInChunksFillEveryPathAndLeaveNothingBehind() {
        DSLContext chunked = DSL.using(dsl.configuration().derive(new Settings().withBatchSize(2)));
        chunked.batch(chunked.insertInto(POST, POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values((Long) null, null, null))
                .bind(100L, "c1", "C").bind(100L, "c2", "C").bind(100L, "c3", "C").bind(100L, "c4", "C")
                .bind(100L, "c5", "C").execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/c1", "/posts/c2", "/posts/c3", "/posts/c4", "/posts/c5");
        chunked.batch(chunked.deleteFrom(POST).where(POST.SLUG.eq("c1")), chunked.deleteFrom(POST).where(POST.SLUG.eq("c2")),
                chunked.deleteFrom(POST).where(POST.SLUG.eq("c3"))).execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/c1", "/posts/c2", "/posts/c3");
        // jOOQ ends each chunk's execution (executeEnd) and the batch once (end).
        assertThat(listener().pendingOnThisThread()).as("statements waiting for their end").isZero();
    }

    private RoanExecuteListener listener() {
        return Stream.of(dsl.configuration().executeListenerProviders()).map(p -> p.provide())
                .filter(RoanExecuteListener.class::isInstance).map(RoanExecuteListener.class::cast).findFirst()
                .orElseThrow();
    }

    @Test
    void plainSqlBindSetsFillTheirPaths() {
        dsl.batch("update post set title = ? where post.slug = ?").bind("a", "one").bind("b", "two").execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/two");
    }

    @Test
    void aParameterUsedTwiceFillsItsPathFromEachSet() {
        Param<String> slug = DSL.val((String) null, POST.SLUG);
        dsl.batch(dsl.update(POST).set(POST.TITLE, slug).where(POST.SLUG.eq(slug))).bind("one", "one").bind("two", "two")
                .execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/two");
    }

    @Test
    void bindSetsThatCannotBeMappedFallBackAndWarn() {
        // One named parameter used twice: jOOQ binds it twice, but names it once, so which value goes where is
        // not certain. The member's own value ("zzz") must not be taken for the rows.
        try (LogCapture log = new LogCapture()) {
            dsl.batch(dsl.update(POST).set(POST.TITLE, DSL.param("s", "zzz")).where(POST.SLUG.eq(DSL.param("s", "zzz"))))
                    .bind("one", "one").bind("two", "two").execute();
            assertThat(purged()).containsExactly("/posts");
            assertThat(log.messages(Level.WARNING)).anySatisfy(m -> assertThat(m).contains("cannot tell which rows"));
        }
    }

    @Test
    void batchStoreOfRecordsOfTwoTablesFillsEveryPath() {
        roan.purge("/authors/{name}").onWrite(AUTHOR);
        PostRecord post = dsl.newRecord(POST);
        post.setAuthorId(100L);
        post.setSlug("p1");
        post.setTitle("P1");
        AuthorRecord author = dsl.newRecord(AUTHOR);
        author.setName("bea");
        dsl.batchStore(post, author).execute();
        assertThat(purged()).containsExactlyInAnyOrder("/posts/p1", "/authors/bea");
    }

    static Stream<Arguments> loaderModes() {
        return Stream.of(
                Arguments.of("default", (UnaryOperator<LoaderOptionsStep<PostRecord>>) o -> o),
                Arguments.of("bulkAll", (UnaryOperator<LoaderOptionsStep<PostRecord>>) o -> o.bulkAll()),
                Arguments.of("batchAll", (UnaryOperator<LoaderOptionsStep<PostRecord>>) o -> o.batchAll()),
                Arguments.of("batchAll commitAll", (UnaryOperator<LoaderOptionsStep<PostRecord>>) o -> o.batchAll().commitAll()),
                Arguments.of("batchAfter(2) commitEach", (UnaryOperator<LoaderOptionsStep<PostRecord>>) o -> o.batchAfter(2).commitEach()),
                Arguments.of("commitEach", (UnaryOperator<LoaderOptionsStep<PostRecord>>) o -> o.commitEach()),
                Arguments.of("bulkAfter(2) batchAll", (UnaryOperator<LoaderOptionsStep<PostRecord>>) o -> o.bulkAfter(2).batchAll()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loaderModes")
    void loaderPurgesEveryRowInEveryMode(String mode, UnaryOperator<LoaderOptionsStep<PostRecord>> options) {
        Loader<PostRecord> loader;
        try {
            loader = options.apply(dsl.loadInto(POST))
                    .loadCSV("author_id,slug,title\n100,la,A\n100,lb,B\n100,lc,C\n")
                    .fields(POST.AUTHOR_ID, POST.SLUG, POST.TITLE)
                    .execute();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(loader.errors()).isEmpty();
        assertThat(loader.stored()).isEqualTo(3);
        assertThat(purged()).as(mode).containsExactlyInAnyOrder("/posts/la", "/posts/lb", "/posts/lc");
    }

    @Test
    void batchedStatementsInATransactionArePurgedAfterItsCommit() {
        dsl.transaction(c -> {
            DSL.using(c).batched(b -> {
                b.dsl().update(POST).set(POST.TITLE, "x").where(POST.SLUG.eq("one")).execute();
                b.dsl().update(POST).set(POST.TITLE, "y").where(POST.SLUG.eq("two")).execute();
                b.dsl().insertInto(POST, POST.AUTHOR_ID, POST.SLUG, POST.TITLE).values(100L, "new", "New").execute();
            });
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.count()).as("held until the commit").isZero();
        });
        assertThat(title("two")).isEqualTo("y");
        assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/two", "/posts/new");
    }

    @Test
    void batchedStatementsInATransactionOfTheApplicationArePurgedAfterItsCommit() throws Exception {
        // jOOQ 3.19 runs batched(...) inside dsl.transaction(...) on the transaction's own connection, unbatched;
        // in a transaction jOOQ does not manage (Spring's), the statements are batched and held until the commit.
        Set<String> held = ConcurrentHashMap.newKeySet();
        AtomicReference<Consumer<Set<String>>> release = new AtomicReference<>();
        TransactionBoundary boundary = (paths, r) -> {
            held.addAll(paths);
            release.set(r);
            return true;
        };
        try (PurgeServer appCache = new PurgeServer();
                Roan appRoan = Roan.builder().purgeUrl(appCache.purgeUrl()).transactionBoundary(boundary).build();
                Connection connection = DriverManager.getConnection(db.url)) {
            appRoan.purge("/posts/{slug}").onWrite(POST);
            connection.setAutoCommit(false);
            DSLContext app = DSL.using(appRoan.attach(DSL.using(connection, SQLDialect.H2).configuration()));
            app.batched(b -> {
                b.dsl().update(POST).set(POST.TITLE, "x").where(POST.SLUG.eq("one")).execute();
                b.dsl().update(POST).set(POST.TITLE, "y").where(POST.SLUG.eq("two")).execute();
            });
            assertThat(held).as("the rows of the batch, held, with the count of tracked pins at the first write")
                    .containsExactlyInAnyOrder("/posts/one", "/posts/two", TransactionScopes.PINNED_SINCE + 0);
            assertThat(appRoan.flush(Waits.DELIVERY)).isTrue();
            assertThat(appCache.count()).as("nothing before the commit").isZero();
            connection.commit();
            release.get().accept(held);
            assertThat(appRoan.flush(Waits.DELIVERY)).isTrue();
            assertThat(appCache.paths()).containsExactlyInAnyOrder("/posts/one", "/posts/two");
        }
        assertThat(title("two")).isEqualTo("y");
    }

    @Test
    void checkingTheColumnsOfATableWithoutThemLeavesABatchedFailureToTheWriter() {
        // The first write of a table without known columns reads the database's metadata: beneath dsl.batched(...)'s
        // connection, since asking that one sends the pending batch, whose failure would then surface inside Roan.
        try (PurgeServer appCache = new PurgeServer();
                Roan appRoan = Roan.builder().purgeUrl(appCache.purgeUrl()).build()) {
            appRoan.purge("/posts/{slug}").onWrite(DSL.table("post"));
            DSLContext app = DSL.using(appRoan.attach(db.configuration()));
            assertThatThrownBy(() -> app.batched(b -> {
                b.dsl().insertInto(DSL.table("post"), DSL.field("id"), DSL.field("author_id"), DSL.field("slug"),
                        DSL.field("title")).values(101, 100, "dup", "Dup").execute();
                b.dsl().insertInto(DSL.table("post"), DSL.field("id"), DSL.field("author_id"), DSL.field("slug"),
                        DSL.field("title")).values(200, 100, "new", "New").execute();
            })).as("the duplicate key reaches the writer").isInstanceOf(DataAccessException.class);
        }
    }

    @Test
    void batchedStatementsWithAutoCommitPurgeTheirRowsStayBatchedAndWarnOnce() {
        try (LogCapture log = new LogCapture()) {
            dsl.batched(b -> {
                b.dsl().update(POST).set(POST.TITLE, "x").where(POST.SLUG.eq("one")).execute();
                b.dsl().update(POST).set(POST.TITLE, "y").where(POST.SLUG.eq("two")).execute();
                assertThat(title("two")).as("still in the batch: Roan did not make jOOQ send it").isEqualTo("Two");
            });
            assertThat(title("two")).isEqualTo("y");
            assertThat(purged()).containsExactlyInAnyOrder("/posts/one", "/posts/two");
            dsl.batched(b -> b.dsl().update(POST).set(POST.TITLE, "z").where(POST.SLUG.eq("three")).execute());
            assertThat(purged()).containsExactly("/posts/three");
            assertThat(log.messages(Level.WARNING)).as("once").singleElement().satisfies(m -> assertThat(m)
                    .contains("dsl.batched(...)").contains("auto-commit").contains("dsl.transaction(...)"));
        }
    }

    @Test
    void recordsStoredThroughABatchedConnectionPurgeTheirNewRowAndTheFallback() {
        // No record listener: the statement names the new slug only, and no read can run beneath dsl.batched(...).
        dsl.batched(b -> {
            PostRecord one = b.dsl().fetchSingle(POST, POST.SLUG.eq("one"));
            one.setSlug("uno");
            one.store();
        });
        assertThat(purged()).containsExactlyInAnyOrder("/posts/uno", "/posts");
    }
}
