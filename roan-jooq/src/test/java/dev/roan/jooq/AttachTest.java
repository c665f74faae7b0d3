package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roan.testkit.PurgeServer;
import dev.roan.jooq.test.db.tables.records.PostRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.TransactionListener;
import org.jooq.TransactionProvider;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.jooq.impl.DefaultTransactionListenerProvider;
import org.jooq.impl.DefaultTransactionProvider;
import org.jooq.impl.ThreadLocalTransactionProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Attach without changing the caller's objects. */
class AttachTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();
    private TestDb db;
    private PurgeServer cache;
    private Roan roan;

    @BeforeEach
    void setUp() {
        db = fixture.db();
        cache = fixture.cache();
        roan = fixture.roan();
        roan.purge("/posts").onWrite(POST);
        db.execute(TestRows.ANN);
    }

    private static void insertPost(DSLContext dsl, String slug) {
        dsl.insertInto(POST).set(POST.AUTHOR_ID, 100L).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
    }

    @Test
    void attachLeavesItsArgumentAlone() {
        Configuration original = db.configuration();
        int listeners = original.executeListenerProviders().length;
        Class<? extends TransactionProvider> transactions = original.transactionProvider().getClass();

        Configuration attached = roan.attach(original);

        assertThat(attached).isNotSameAs(original);
        assertThat(original.executeListenerProviders()).as("listeners of the argument").hasSize(listeners);
        assertThat(original.transactionProvider()).as("transaction provider of the argument")
                .isExactlyInstanceOf(transactions);
        insertPost(DSL.using(original), "unattached");
        DSL.using(original).transaction(c -> insertPost(DSL.using(c), "unattached-tx"));
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.count()).as("purges for writes through the unattached configuration").isZero();

        insertPost(DSL.using(attached), "attached");
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).containsExactly("/posts");
    }

    @Test
    void listenersAlreadyPresentKeepWorking() {
        AtomicInteger executed = new AtomicInteger();
        ExecuteListener counting = new ExecuteListener() {
            @Override
            public void executeEnd(ExecuteContext ctx) {
                executed.incrementAndGet();
            }
        };
        Configuration original = db.configuration().derive(new DefaultExecuteListenerProvider(counting));

        Configuration attached = roan.attach(original);

        assertThat(attached.executeListenerProviders()).hasSize(2);
        assertThat(attached.executeListenerProviders()[0]).isSameAs(original.executeListenerProviders()[0]);
        insertPost(DSL.using(attached), "counted");
        assertThat(executed).hasValue(1);
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).containsExactly("/posts");
    }

    @Test
    void attachingTwiceAddsNothing() throws Exception {
        Configuration twice = roan.attach(roan.attach(db.configuration()));

        assertThat(twice.executeListenerProviders()).hasSize(1);
        assertThat(twice.transactionProvider()).isInstanceOf(TransactionScopes.Provider.class);
        assertThat(((TransactionScopes.Provider) twice.transactionProvider()).explicit)
                .as("wraps jOOQ's default provider, not its own wrapper").isNull();
        DSL.using(twice).transaction(c -> insertPost(DSL.using(c), "twice"));
        assertThat(cache.take().path()).isEqualTo("/posts");
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.count()).isOne();
    }

    @Test
    void twoRoansOnOneConfigurationBothPurge() throws Exception {
        try (PurgeServer otherCache = new PurgeServer();
                Roan other = Roan.builder().purgeUrl(otherCache.purgeUrl()).build()) {
            other.purge("/other").onWrite(POST);
            DSLContext dsl = DSL.using(other.attach(roan.attach(db.configuration())));

            dsl.transaction(c -> insertPost(DSL.using(c), "both"));

            assertThat(cache.take().path()).isEqualTo("/posts");
            assertThat(otherCache.take().path()).isEqualTo("/other");
        }
    }

    @Test
    void noRuleEverPutsARecordListenerOnTheConfigurationSoReadRecordsCostRoanNothing() throws Exception {
        // jOOQ's RecordDelegate allocates for every record a read loads (its listener array, a RecordContext and its
        // data map, an Instant) as soon as the configuration has any RecordListenerProvider, whatever it does.
        Configuration original = db.configuration();
        try (Roan none = Roan.builder().purgeUrl(cache.purgeUrl()).build()) {
            assertThat(none.attach(original).recordListenerProviders()).as("no rule yet").isEmpty();
        }
        assertThat(roan.attach(original).recordListenerProviders()).as("a static rule").isEmpty();
        roan.purge("/posts/{slug}").onWrite(POST);
        roan.purge("/authors/{author_id}").onUpdate(POST);
        Configuration attached = roan.attach(original);
        assertThat(attached.recordListenerProviders()).as("rules with placeholders, which read rows").isEmpty();
        insertPost(DSL.using(attached), "read");

        List<Integer> listenersOfFetchedRecords = new ArrayList<>();
        ExecuteListener seen = new ExecuteListener() {
            @Override
            public void recordEnd(ExecuteContext ctx) {
                // The executing configuration, and the one each loaded record keeps (and its store() runs with).
                Configuration ofRecord = ctx.record() == null ? null : ctx.record().configuration();
                listenersOfFetchedRecords.add(ctx.configuration().recordListenerProviders().length
                        + (ofRecord == null ? 0 : ofRecord.recordListenerProviders().length));
            }
        };
        DSLContext dsl = DSL.using(attached.deriveAppending(new DefaultExecuteListenerProvider(seen)));
        PostRecord post = dsl.selectFrom(POST).where(POST.SLUG.eq("read")).fetchSingle();
        assertThat(listenersOfFetchedRecords).as("record listeners a read's records pass through").containsExactly(0);

        post.setTitle("stored");
        post.store();
        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).as("record writes are still seen, as their statements")
                .contains("/posts/read", "/authors/100");
    }

    @Test
    void rulesRegisteredAfterTheAttachFillThePlaceholdersOfRecordWrites() throws Exception {
        try (Roan later = Roan.builder().purgeUrl(cache.purgeUrl()).build()) {
            DSLContext dsl = DSL.using(later.attach(db.configuration()));
            later.purge("/posts/{slug}").onWrite(POST);
            insertPost(dsl, "first");
            assertThat(later.flush(Waits.DELIVERY)).isTrue();
            cache.clear();

            PostRecord post = dsl.fetchOne(POST, POST.SLUG.eq("first"));
            post.setTitle("only the title");
            post.store();

            assertThat(later.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.paths()).as("slug read by the record's key: the statement sets the title only")
                    .containsExactly("/posts/first");
        }
    }

    @Test
    void aConfigurationAttachedBeforeRulesWithPlaceholdersFillsThemWithoutAWarningOrAnotherAttach() {
        Configuration attached = roan.attach(db.configuration());   // only the static rule

        try (LogCapture log = new LogCapture()) {
            roan.purge("/posts/{slug}").onWrite(POST);
            roan.purge("/drafts/{slug}").onWrite(POST);
            insertPost(DSL.using(attached), "first");
            insertPost(DSL.using(attached), "second");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            cache.clear();
            PostRecord post = DSL.using(attached).fetchOne(POST, POST.SLUG.eq("first"));
            post.setTitle("only the title");
            post.store();

            assertThat(log.messages(Level.WARNING)).isEmpty();
        }

        assertThat(roan.flush(Waits.DELIVERY)).isTrue();
        assertThat(cache.paths()).containsExactlyInAnyOrder("/posts", "/posts/first", "/drafts/first");
    }

    @Test
    void attachingAnAttachedConfigurationAgainWarnsAboutNothing() throws Exception {
        try (Roan later = Roan.builder().purgeUrl(cache.purgeUrl()).build()) {
            Configuration attached = later.attach(db.configuration());   // no rule yet
            later.purge("/posts").onWrite(POST);
            later.attach(attached);                                      // as the Spring Boot starter's startup check
            later.attach(db.configuration());                            // thrown away
            later.purge("/posts/{slug}").onWrite(POST);

            try (LogCapture log = new LogCapture()) {
                insertPost(DSL.using(attached), "kept");
                assertThat(later.flush(Waits.DELIVERY)).isTrue();
                assertThat(log.messages(Level.WARNING)).isEmpty();
            }
            assertThat(cache.paths()).containsExactlyInAnyOrder("/posts", "/posts/kept");
        }
    }

    @Test
    void isAttachedTellsWhetherAConfigurationRunsRoan() {
        Configuration original = db.configuration();
        Configuration attached = roan.attach(original);
        ExecuteListener other = new ExecuteListener() {};

        assertThat(roan.isAttached(attached)).as("attached").isTrue();
        assertThat(roan.isAttached(original)).as("the argument of attach").isFalse();
        assertThat(roan.isAttached(attached.derive(new DefaultExecuteListenerProvider(other))))
                .as("derive(ExecuteListenerProvider...) replaces the listeners in jOOQ 3.19").isFalse();
        assertThat(roan.isAttached(attached.deriveAppending(new DefaultExecuteListenerProvider(other))))
                .as("deriveAppending keeps them").isTrue();
        assertThat(roan.isAttached(attached.derive(new DefaultTransactionProvider(attached.connectionProvider()))))
                .as("a transaction provider set after attaching: purges would not wait for the commit").isFalse();
        try (Roan other2 = Roan.builder().purgeUrl(cache.purgeUrl()).build()) {
            assertThat(other2.isAttached(attached)).as("another Roan").isFalse();
        }
        assertThatThrownBy(() -> roan.isAttached(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration is null");
    }

    @Test
    void isAttachedStaysTrueWhenARuleWithPlaceholdersIsRegisteredLater() {
        Configuration attached = roan.attach(db.configuration());   // only the static rule
        assertThat(roan.isAttached(attached)).as("static rules only").isTrue();

        roan.purge("/posts/{slug}").onWrite(POST);

        assertThat(roan.isAttached(attached)).as("nothing more to attach for a rule with placeholders").isTrue();
    }

    @Test
    void isAttachedFollowsJooqsThreadLocalTransactionProvider() {
        Configuration threadLocal = db.configuration().derive(
                new ThreadLocalTransactionProvider(db.configuration().connectionProvider()));

        Configuration attached = roan.attach(threadLocal);

        assertThat(roan.isAttached(threadLocal)).isFalse();
        assertThat(roan.isAttached(attached)).isTrue();
        assertThat(roan.isAttached(attached.derive(new DefaultTransactionListenerProvider(new TransactionListener() {}))))
                .as("transaction listeners replaced: purges would not wait for jOOQ's commits").isFalse();
    }

    @Test
    void attachInPlaceChangesTheGivenConfigurationAndPurgesAfterTheCommit() throws Exception {
        DefaultConfiguration boots = (DefaultConfiguration) db.configuration().derive();
        int listeners = boots.executeListenerProviders().length;

        roan.attachInPlace(boots);
        roan.attachInPlace(boots);

        assertThat(roan.isAttached(boots)).as("the configuration handed over").isTrue();
        assertThat(boots.executeListenerProviders()).as("attached twice, added once").hasSize(listeners + 1);
        DSLContext dsl = DSL.using(boots);
        dsl.transaction(c -> {
            insertPost(DSL.using(c), "in-place");
            assertThat(roan.flush(Waits.DELIVERY)).isTrue();
            assertThat(cache.count()).as("purges before the commit").isZero();
        });
        assertThat(cache.take().path()).isEqualTo("/posts");
    }

    @Test
    void attachInPlaceNeedsAConfigurationAndAnOpenRoan() throws Exception {
        assertThatThrownBy(() -> roan.attachInPlace(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration is null");
        Configuration configuration = db.configuration();
        roan.close();
        assertThatThrownBy(() -> roan.attachInPlace(configuration)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(roan.isAttached(configuration)).isFalse();
    }

    @Test
    void publicStateIsReadThroughMethods() {
        roan.purge("/posts/{slug}").onWrite(POST).whenRowsUnknown("/posts").withoutReadingRows();
        DSLContext dsl = DSL.using(roan.attach(db.configuration()));
        insertPost(dsl, "known");
        assertThat(roan.rowsUnknownCount()).as("an insert names its row").isZero();
        assertThat(roan.isClosed()).as("open").isFalse();

        try (LogCapture log = new LogCapture()) {
            dsl.update(POST).set(POST.TITLE, "x").where(POST.TITLE.like("%")).execute();
            dsl.update(POST).set(POST.TITLE, "y").where(POST.TITLE.like("%")).execute();
        }

        assertThat(roan.rowsUnknownCount()).as("statements whose rows were unknown").isEqualTo(2);
        roan.close();
        assertThat(roan.isClosed()).as("closed").isTrue();
    }
}
