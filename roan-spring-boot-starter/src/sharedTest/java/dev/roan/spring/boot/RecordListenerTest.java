package dev.roan.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.jooq.Roan;
import dev.roan.testkit.PurgeServer;
import java.time.Duration;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jooq.DSLContext;
import org.jooq.TableField;
import org.jooq.UniqueKey;
import org.jooq.impl.DSL;
import org.jooq.impl.Internal;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;
import org.jooq.impl.UpdatableRecordImpl;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Rules with placeholders that a bean registers after Boot built its {@code DSLContext} still get the values of
 * {@code UpdatableRecord} writes. Roan has no record listener (jOOQ would call it for every record a read loads): a
 * record's {@code store()} is its UPDATE, and the old value the statement does not name is read by the record's key.
 */
class RecordListenerTest {

    /** POST as jOOQ's code generator would write it, so that records are UpdatableRecords. */
    static final class PostTable extends TableImpl<PostRecord> {
        private static final long serialVersionUID = 1L;
        static final PostTable POST = new PostTable();

        final TableField<PostRecord, Integer> ID =
                createField(DSL.name("ID"), SQLDataType.INTEGER.nullable(false).identity(true), this);
        final TableField<PostRecord, String> TITLE =
                createField(DSL.name("TITLE"), SQLDataType.VARCHAR(200).nullable(false), this);

        private PostTable() {
            super(DSL.name("POST"));
        }

        @Override
        public Class<PostRecord> getRecordType() {
            return PostRecord.class;
        }

        @Override
        public UniqueKey<PostRecord> getPrimaryKey() {
            return Internal.createUniqueKey(this, DSL.name("PK_POST"), ID);
        }
    }

    public static final class PostRecord extends UpdatableRecordImpl<PostRecord> {
        private static final long serialVersionUID = 1L;

        public PostRecord() {
            super(PostTable.POST);
        }
    }

    /** Registers a rule with placeholders only after Boot's DSLContext exists (it depends on it). */
    static final class LateRules {
        LateRules(DSLContext dsl, Roan roan) {
            roan.purge("/posts/{title}").onWrite(PostTable.POST);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        RoanCustomizer staticRules() {
            return roan -> roan.purge("/posts").onWrite(PostTable.POST);
        }

        @Bean
        LateRules lateRules(DSLContext dsl, Roan roan) {
            return new LateRules(dsl, roan);
        }
    }

    @AutoClose
    private final PurgeServer cache = new PurgeServer();

    @Test
    void aRuleWithPlaceholdersFromALaterBeanGetsTheRecordsOldAndNewValues() {
        Logger logger = Logger.getLogger(Roan.class.getName());
        Warnings warnings = new Warnings();
        logger.addHandler(warnings);
        try {
            BootFixture.runner(cache).withUserConfiguration(App.class)
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        DSLContext dsl = context.getBean(DSLContext.class);
                        Roan roan = context.getBean(Roan.class);
                        dsl.insertInto(PostTable.POST, PostTable.POST.TITLE).values("Old").execute();
                        assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
                        cache.clear();

                        PostRecord post = dsl.fetchOne(PostTable.POST, PostTable.POST.TITLE.eq("Old"));
                        post.set(PostTable.POST.TITLE, "New");
                        post.store();

                        assertThat(roan.flush(Duration.ofSeconds(5))).isTrue();
                        assertThat(cache.paths()).as("the old title, read by the record's key before its UPDATE")
                                .containsExactlyInAnyOrder("/posts", "/posts/Old", "/posts/New");
                    });
        } finally {
            logger.removeHandler(warnings);
        }
        assertThat(warnings.count).as("warnings from Roan").isZero();
    }

    private static final class Warnings extends Handler {
        volatile int count;

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                count++;
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
