package dev.roan.benchmarks;

import static dev.roan.benchmarks.Tables.POST;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

import dev.roan.jooq.Roan;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.TableField;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.SQLDataType;
import org.jooq.impl.TableImpl;

/**
 * 9. Tracked renders (issue 14), paired in one JVM as {@link PreReadPaired}: each mode on its own H2 database and its
 * own Roan, in alternating slices of about 50 ms in a rotating order; each figure is the median over the rounds.
 *
 * <p>Reads ({@code select by id}: a post by its id; {@code join}: the post with its comments, {@code left join comment
 * on comment.post_id = post.id where post.id = ?}):
 * <ul>
 *   <li>{@code off}: no Roan;</li>
 *   <li>{@code roan}: Roan attached with the rule {@code /posts/{id}} on POST, nothing ever tracked (what a read cost
 *       before issue 14);</li>
 *   <li>{@code attached}: the same, and a page tracked before (so tracking is on), the SELECT outside any render;</li>
 *   <li>{@code tracked}: the SELECT inside {@code roan.track(url, ...)}, one SELECT per render, in-memory index;</li>
 *   <li>{@code empty-render}: {@code roan.track(url, ...)} around the same SELECT run through a configuration Roan is
 *       not attached to, so the render has no keys: the frame and the index update without the analysis;</li>
 *   <li>{@code analysis-only}: as {@code tracked} behind Varnish xkey through the 2-argument {@code track}: no page
 *       index, no header, so the analysis and the frame alone;</li>
 *   <li>{@code tracked-tags}: as {@code tracked} behind Varnish xkey (no page index; the page's {@code xkey} header
 *       computed and handed over through the 3-argument {@code track});</li>
 *   <li>{@code tracked-shared}: as {@code tracked}, with the page index in the database ({@code pageIndex}, H2, its
 *       own in-memory database behind H2's {@code JdbcConnectionPool}).</li>
 * </ul>
 * Writes ({@code update post set title = ? where id = ?}, auto-commit): {@code off}; {@code rule} ({@code /posts/{id}}
 * on POST, nothing tracked); {@code tracked} (no rule, pages pinned {@code post.id} before). Purges go to a closed
 * loopback port: the figures are the calling thread's own cost.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.roan.benchmarks.TrackedPaired [rounds] [reads|writes|all]
 * </pre>
 */
public final class TrackedPaired {

    private static final String[] READ_MODES = {"off", "roan", "attached", "tracked", "empty-render", "analysis-only",
        "tracked-tags",
        "tracked-shared"};
    private static final String[] WRITE_MODES = {"off", "rule", "tracked"};

    private TrackedPaired() {
    }

    /** A comment of a post: the post page shows them. */
    static final class Comment extends TableImpl<Record> {
        private static final long serialVersionUID = 1L;
        final TableField<Record, Long> ID = createField(DSL.name("ID"), SQLDataType.BIGINT.nullable(false), this);
        final TableField<Record, Long> POST_ID = createField(DSL.name("POST_ID"), SQLDataType.BIGINT, this);
        final TableField<Record, String> BODY = createField(DSL.name("BODY"), SQLDataType.VARCHAR(200), this);

        Comment() {
            super(DSL.name("COMMENT"));
        }
    }

    static final Comment COMMENT = new Comment();

    /** One mode: its database, its Roan (or none), and the operation a slice repeats. */
    private static final class State {
        final String mode;
        final Connection connection;
        final Roan roan;
        final DSLContext dsl;
        final DSLContext plain;
        IntSupplier op;
        JdbcConnectionPool index;
        int headerBytes;

        State(String mode, boolean write) throws SQLException {
            this.mode = mode;
            connection = Tables.open(StatementOverhead.ROWS);
            try (Statement s = connection.createStatement()) {
                s.execute("create table comment (id bigint primary key, post_id bigint references post (id),"
                        + " body varchar(200))");
                s.execute("insert into comment (id, post_id, body) select x, 1 + mod(x, 100), 'c' from"
                        + " system_range(1, 500)");
            }
            DefaultConfiguration configuration = new DefaultConfiguration();
            configuration.set(connection).set(SQLDialect.H2);
            plain = DSL.using(configuration);
            if (mode.equals("off")) {
                roan = null;
                dsl = plain;
                return;
            }
            Roan.Builder builder = Roan.builder().closeTimeout(Duration.ofMillis(100));
            if (mode.equals("tracked-tags") || mode.equals("analysis-only")) {
                builder.xkeyPurgeUrls(Endpoint.closedPortPurgeUrl().replace("/purge", ""));
            } else {
                builder.purgeUrl(Endpoint.closedPortPurgeUrl());
            }
            if (mode.equals("tracked-shared")) {
                index = JdbcConnectionPool.create("jdbc:h2:mem:trackindex" + System.identityHashCode(this)
                        + ";DB_CLOSE_DELAY=-1", "sa", "");
                builder.pageIndex(index);
            }
            roan = builder.build();
            if (!(write && mode.equals("tracked"))) {
                roan.purge("/posts/{id}").onUpdate(POST);
            }
            dsl = DSL.using(roan.attach(configuration.derive()));
            if (!mode.equals("roan") && !mode.equals("rule")) {
                // Tracking on: pages pinned post.id and comment.post_id.
                roan.track("/posts/2", () -> byId(dsl, 2L));
                roan.track("/posts/3/comments", () -> join(dsl, 3L));
            }
        }

        void close() throws SQLException {
            if (roan != null) {
                roan.close();
            }
            connection.close();
            if (index != null) {
                index.dispose();
            }
        }
    }

    static int byId(DSLContext dsl, long id) {
        Record r = dsl.select(POST.ID, POST.SLUG, POST.TITLE).from(POST).where(POST.ID.eq(id)).fetchOne();
        return r == null ? 0 : 1;
    }

    static int join(DSLContext dsl, long id) {
        return dsl.select(POST.ID, POST.TITLE, COMMENT.ID, COMMENT.BODY).from(POST).leftJoin(COMMENT)
                .on(COMMENT.POST_ID.eq(POST.ID)).where(POST.ID.eq(id)).fetch().size();
    }

    private static IntSupplier readOp(State s, boolean joined) {
        IntSupplier select = joined ? () -> join(s.dsl, 1L) : () -> byId(s.dsl, 1L);
        String url = joined ? "/posts/1/comments" : "/posts/1";
        switch (s.mode) {
            case "off":
            case "roan":
            case "attached":
                return select;
            case "tracked":
            case "analysis-only":
            case "tracked-shared":
                return () -> s.roan.track(url, select::getAsInt);
            case "tracked-tags":
                return () -> s.roan.track(url, select::getAsInt, (name, value) -> s.headerBytes = value.length());
            case "empty-render":
                IntSupplier unseen = joined ? () -> join(s.plain, 1L) : () -> byId(s.plain, 1L);
                return () -> s.roan.track(url, unseen::getAsInt);
            default:
                throw new IllegalArgumentException(s.mode);
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        String which = args.length > 1 ? args[1] : "all";
        System.out.printf(Locale.ROOT, "JDK %s, H2 in memory, %d rounds of 50 ms slices (medians)%n",
                Runtime.version(), rounds);
        if (!which.equals("writes")) {
            table("SELECT by id", READ_MODES, rounds, s -> readOp(s, false), false);
            table("SELECT post left join comments (5 rows)", READ_MODES, rounds, s -> readOp(s, true), false);
        }
        if (!which.equals("reads")) {
            table("UPDATE post set title where id (auto-commit)", WRITE_MODES, rounds,
                    s -> () -> s.dsl.update(POST).set(POST.TITLE, "t").where(POST.ID.eq(1L)).execute(), true);
        }
    }

    private interface Op {
        IntSupplier of(State s);
    }

    private static void table(String title, String[] modes, int rounds, Op op, boolean write) throws Exception {
        List<State> states = new ArrayList<>();
        try {
            for (String mode : modes) {
                State s = new State(mode, write);
                s.op = op.of(s);
                states.add(s);
            }
            double[][] micros = new double[modes.length][rounds];
            double[][] cpu = new double[modes.length][rounds];
            double[][] bytes = new double[modes.length][rounds];
            int warmup = Math.max(5, rounds / 5);
            for (int round = -warmup; round < rounds; round++) {
                for (int k = 0; k < modes.length; k++) {
                    int m = Math.floorMod(k + round, modes.length);
                    double[] slice = Slices.run(states.get(m).op);
                    if (round >= 0) {
                        micros[m][round] = slice[0];
                        bytes[m][round] = slice[1];
                        cpu[m][round] = slice[3];
                    }
                }
            }
            System.out.println();
            System.out.println(title);
            System.out.println("| Mode | us/op | CPU us/op | / off | - off us | - " + modes[1] + " us | B/op | - off B | - "
                    + modes[1] + " B |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (int m = 0; m < modes.length; m++) {
                double[] ratio = new double[rounds];
                double[] diff = new double[rounds];
                double[] diff2 = new double[rounds];
                double[] extra = new double[rounds];
                double[] extra2 = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = micros[m][r] / micros[0][r];
                    diff[r] = micros[m][r] - micros[0][r];
                    diff2[r] = micros[m][r] - micros[1][r];
                    extra[r] = bytes[m][r] - bytes[0][r];
                    extra2[r] = bytes[m][r] - bytes[1][r];
                }
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.3f | %+.2f | %+.2f | %.0f | %+.0f | %+.0f |%n",
                        modes[m], Slices.median(micros[m]), Slices.median(cpu[m]), Slices.median(ratio),
                        Slices.median(diff), Slices.median(diff2), Slices.median(bytes[m]), Slices.median(extra),
                        Slices.median(extra2));
            }
        } finally {
            for (State s : states) {
                if (s.headerBytes > 0) {
                    System.out.println("xkey header of the page: " + s.headerBytes + " B");
                }
                s.close();
            }
        }
    }
}
