package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.AUTHOR;
import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.jooq.tools.jdbc.MockConnection;
import org.jooq.tools.jdbc.MockResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which tables a statement writes, and how, read through {@link Roan#explain}: no database, no cache, only jOOQ's
 * model of each statement (and its parser for plain SQL).
 */
class WriteDetectorTest {

    private final Roan roan = Roan.builder().purgeUrl("http://localhost:9/purge").build();
    private final DSLContext h2 = DSL.using(SQLDialect.H2);
    private final DSLContext mysql = DSL.using(SQLDialect.MYSQL);

    @AfterEach
    void close() {
        roan.close();
    }

    private void rulesForEveryKind() {
        roan.purge("/inserted").onInsert(POST);
        roan.purge("/updated").onUpdate(POST);
        roan.purge("/deleted").onDelete(POST);
        roan.purge("/authors").onWrite(AUTHOR);
    }

    @Test
    void eachStatementCountsForWhatItMayHaveDone() {
        rulesForEveryKind();
        assertThat(roan.explain(h2.insertInto(POST, POST.SLUG).values("a")).paths()).containsExactly("/inserted");
        assertThat(roan.explain(h2.insertInto(POST, POST.SLUG).values("a").onConflict(POST.SLUG).doUpdate()
                .set(POST.TITLE, "t")).paths()).as("an upsert").containsExactlyInAnyOrder("/inserted", "/updated");
        assertThat(roan.explain(h2.insertInto(POST, POST.SLUG).values("a").onDuplicateKeyUpdate()
                .set(POST.TITLE, "t")).paths()).containsExactlyInAnyOrder("/inserted", "/updated");
        assertThat(roan.explain(h2.update(POST).set(POST.TITLE, "t")).paths()).containsExactly("/updated");
        assertThat(roan.explain(h2.deleteFrom(POST)).paths()).containsExactly("/deleted");
        assertThat(roan.explain(h2.truncate(POST)).paths()).containsExactly("/deleted");
        assertThat(roan.explain(h2.mergeInto(POST).using(DSL.selectOne()).on(POST.ID.eq(1L))
                .whenMatchedThenUpdate().set(POST.TITLE, "t")).paths()).as("a MERGE")
                .containsExactlyInAnyOrder("/inserted", "/updated", "/deleted");
        assertThat(roan.explain(h2.selectFrom(POST)).paths()).isEmpty();
    }

    @Test
    void returningStatementsWriteTheirTables() {
        rulesForEveryKind();
        assertThat(roan.explain(h2.insertInto(POST, POST.SLUG).values("a").returning()).paths())
                .containsExactly("/inserted");
        assertThat(roan.explain(h2.update(POST).set(POST.TITLE, "t").returning()).paths()).containsExactly("/updated");
        assertThat(roan.explain(h2.deleteFrom(POST).returning()).paths()).containsExactly("/deleted");
    }

    @Test
    void aDataModifyingCommonTableExpressionWritesItsTableAndNamesItsRows() {
        roan.purge("/posts/{slug}").onDelete(POST).whenRowsUnknown("/posts");
        roan.purge("/authors").onWrite(AUTHOR);
        assertThat(roan.explain(h2.with(DSL.name("d").as(h2.deleteFrom(POST).where(POST.SLUG.eq("x")).returning()))
                .selectFrom(DSL.table(DSL.name("d")))).paths()).as("a SELECT with a writing WITH clause")
                .containsExactly("/posts/x");
        assertThat(roan.explain(h2.with(DSL.name("d").as(h2.deleteFrom(POST).where(POST.SLUG.eq("y")).returning()))
                .insertInto(AUTHOR, AUTHOR.NAME).values("n")).paths()).containsExactlyInAnyOrder("/posts/y", "/authors");
        assertThat(roan.explain(h2.with(DSL.name("d").as(h2.deleteFrom(POST).returning()))
                .update(AUTHOR).set(AUTHOR.NAME, "n")).paths()).containsExactlyInAnyOrder("/posts", "/authors");
        assertThat(roan.explain(h2.with(DSL.name("d").as(h2.deleteFrom(POST).returning()))
                .delete(AUTHOR)).paths()).containsExactlyInAnyOrder("/posts", "/authors");
        assertThat(roan.explain(h2.with(DSL.name("d").as(DSL.select(DSL.one()))).selectFrom(POST)).paths())
                .as("a reading WITH clause").isEmpty();
    }

    @Test
    void aWriteOfAJoinWritesBothSides() {
        rulesForEveryKind();
        assertThat(roan.explain(mysql.update(POST.join(AUTHOR).on(POST.AUTHOR_ID.eq(AUTHOR.ID)))
                .set(POST.TITLE, "t")).paths()).containsExactlyInAnyOrder("/updated", "/authors");
        assertThat(roan.explain(mysql.delete(POST.join(AUTHOR).on(POST.AUTHOR_ID.eq(AUTHOR.ID)))).paths())
                .containsExactlyInAnyOrder("/deleted", "/authors");
    }

    @Test
    void aDeleteTargetNamedByAnAliasInUsingIsThatAliasesTable() {
        roan.purge("/deleted").onDelete(POST);
        roan.purge("/authors").onWrite(AUTHOR);
        var p = DSL.table(DSL.name("post")).as("p");
        var a = DSL.table(DSL.name("author")).as("a");
        assertThat(roan.explain(mysql.delete(DSL.table(DSL.name("p"))).using(p.join(a).on("p.author_id = a.id")))
                .paths()).as("the alias on the left").containsExactly("/deleted");
        assertThat(roan.explain(mysql.delete(DSL.table(DSL.name("p"))).using(a.join(p).on("p.author_id = a.id")))
                .paths()).as("the alias on the right").containsExactly("/deleted");
        assertThat(roan.explain(mysql.delete(DSL.table(DSL.name("A"))).using(a, p)).paths())
                .as("aliases compare case-insensitively").containsExactly("/authors");
    }

    @Test
    void h2sFinalTableInPlainSqlIsAWriteThatNamesItsRows() {
        roan.purge("/posts/{slug}").onUpdate(POST).whenRowsUnknown("/posts");
        assertThat(roan.explain(h2.resultQuery("select id from final table (update post set title = 'x'"
                + " where slug = 'a')")).paths()).containsExactly("/posts/a");
        assertThat(roan.explain(h2.resultQuery("select p.id from final table (update post set title = 'x'"
                + " where slug = 'b') p")).paths()).as("an alias of it").containsExactly("/posts/b");
        assertThat(roan.explain(h2.resultQuery("select * from author a join final table (update post set"
                + " title = 'x' where slug = 'c') p on p.author_id = a.id")).paths()).as("joined: its rows are not"
                + " the statement's result").containsExactly("/posts/c");
    }

    @Test
    void plainSqlTheParserCannotReadPurgesTheRulesOfEveryTableItNames() {
        roan.purge("/posts").onWrite(POST);
        roan.purge("/authors").onWrite(AUTHOR);
        try (LogCapture log = new LogCapture()) {
            assertThat(roan.explain(h2.query("update post, author set ??? where !!!")).paths())
                    .containsExactlyInAnyOrder("/posts", "/authors");
            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains("could not parse a plain SQL write").contains("update post, author set ???");
        }
    }

    @Test
    void plainSqlTheParserCannotReadThatIsNoWritePurgesNothing() {
        roan.purge("/posts").onWrite(POST);
        try (LogCapture log = new LogCapture()) {
            assertThat(roan.explain(h2.query("frobnicate post ???")).paths()).isEmpty();
            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains("does not look like a write").contains("frobnicate post ???");
        }
    }

    @Test
    void plainSqlIsReadOncePerSqlString() {
        roan.purge("/posts").onWrite(POST);
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 3; i++) {
                assertThat(roan.explain(h2.query("update post set ???")).paths()).containsExactly("/posts");
            }
            assertThat(log.messages(Level.WARNING)).as("the cached reading is not logged again").hasSize(1);
        }
    }

    @Test
    void aStatementOfATableWithoutRulesExplainsNothing() {
        roan.purge("/authors").onWrite(AUTHOR);
        assertThat(roan.explain(h2.deleteFrom(POST)).paths()).isEmpty();
        assertThat(roan.explain(h2.deleteFrom(POST)).rowsUnknown()).isEmpty();
    }

    @Test
    void noRuleAttachesARecordListener() {
        roan.purge("/posts").onWrite(POST);
        assertThat(List.of(roan.attach(DSL.using(SQLDialect.H2).configuration()).recordListenerProviders()))
                .as("reads do not pay for records").isEmpty();
        roan.purge("/posts/{slug}").onWrite(POST);
        assertThat(List.of(roan.attach(DSL.using(SQLDialect.H2).configuration()).recordListenerProviders()))
                .as("nor with a rule with placeholders").isEmpty();
    }

    @Test
    void whatAStatementWroteNamesOnlyTheTablesSomeRuleMentions() {
        Rules rules = new Rules();
        rules.register(rules.rule(PathTemplate.parse("/posts"), 1_000), WriteKinds.WRITE, new Table<?>[] {POST});
        WriteDetector detector = new WriteDetector(rules);
        List<List<String>> written = new ArrayList<>();
        // Each statement changed one row, as a database without Roan's tables would answer.
        DSLContext dsl = DSL.using(new DefaultConfiguration().set(SQLDialect.H2)
                .set(new MockConnection(ctx -> new MockResult[] {new MockResult(1)}))
                .set(new DefaultExecuteListenerProvider(new ExecuteListener() {
                    @Override
                    public void executeEnd(ExecuteContext ctx) {
                        List<WriteDetector.Written> w = detector.written(ctx);
                        written.add(w == null ? null : w.stream().map(x -> x.table.getName()).toList());
                    }
                })));

        dsl.update(AUTHOR).set(AUTHOR.NAME, "n").execute();
        dsl.update(POST).set(POST.TITLE, "t").execute();

        assertThat(written).as("AUTHOR, which no rule mentions, then POST").containsExactly(null, List.of("POST"));
    }
}
