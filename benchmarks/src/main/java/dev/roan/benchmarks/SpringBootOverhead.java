package dev.roan.benchmarks;

import static dev.roan.benchmarks.Tables.AUDIT_LOG;
import static dev.roan.benchmarks.Tables.POST;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.sql.DataSource;

import dev.roan.jooq.Roan;
import dev.roan.spring.boot.RoanCustomizer;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * 1c. Statement overhead through Spring Boot, paired as in {@link Paired}: two Spring Boot application contexts live
 * in one JVM, each with Boot's jOOQ auto-configuration (HikariCP, {@code DataSourceTransactionManager}, Boot's
 * {@code DSLContext}) on its own H2 in-memory database and with roan-spring-boot-starter on the class path. In
 * {@code off}, {@code roan.enabled=false}; in {@code roan}, Roan purges to a closed loopback port and a
 * {@link RoanCustomizer} bean registers a rule {@code /posts} on POST. Each operation runs in alternating slices of
 * about 50 ms on both; the figure is the median over the rounds of the per-round ratio, and bytes per operation come
 * from the thread's allocation counter.
 *
 * <p>Operations: a {@code @Transactional} method of a Spring bean that updates one POST row by key (Roan's
 * {@code SpringTransactionBoundary} holds the purge until Spring's commit), the same UPDATE through Boot's
 * {@code DSLContext} outside any transaction (auto-commit), and a SELECT by key through Boot's {@code DSLContext}.
 *
 * <p>Spring Boot's own logging system is switched off ({@code LoggingSystem=none}) and Spring's and HikariCP's
 * loggers are set to WARNING in {@code java.util.logging}, where the rest of this jar logs: Boot would otherwise
 * reconfigure {@code java.util.logging} for the whole JVM, later sections included.
 */
final class SpringBootOverhead {

    private static final String[] OPERATIONS = {"transactionalUpdate", "autoCommitUpdate", "selectByKey"};

    /** Strong references: java.util.logging keeps loggers, and so their levels, only while someone holds them. */
    private static final Logger[] QUIET = {Logger.getLogger("org.springframework"), Logger.getLogger("com.zaxxer.hikari")};

    private final boolean quick;
    private final Report report;

    SpringBootOverhead(boolean quick, Report report) {
        this.quick = quick;
        this.report = report;
    }

    void run() throws Exception {
        int rounds = quick ? 40 : 200;
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        for (Logger logger : QUIET) {
            logger.setLevel(Level.WARNING);
        }
        try (Side off = new Side("off"); Side on = new Side("roan")) {
            report.section("1c. Statement overhead through Spring Boot, paired in one JVM (two Boot contexts, alternating"
                    + " 50 ms slices, " + rounds + " rounds, median of per-round ratios)");
            report.line("| Operation | off us/op (median) | Roan us/op (median) | Roan - off us | Ratio (median) | Ratio p25..p75 | Extra B/op |");
            report.line("|---|---:|---:|---:|---:|---|---:|");
            for (String operation : OPERATIONS) {
                ToIntFunction<Side> op = op(operation);
                for (int i = 0; i < (quick ? 20 : 60); i++) {          // warm-up: compile both paths
                    slice(off, op);
                    slice(on, op);
                }
                double[] offUs = new double[rounds];
                double[] onUs = new double[rounds];
                double[] ratio = new double[rounds];
                double offBytes = 0;
                double onBytes = 0;
                for (int r = 0; r < rounds; r++) {
                    double[] a = (r % 2 == 0) ? slice(off, op) : null;
                    double[] b = slice(on, op);
                    if (a == null) {
                        a = slice(off, op);
                    }
                    offUs[r] = a[0];
                    onUs[r] = b[0];
                    ratio[r] = b[0] / a[0];
                    offBytes += a[1];
                    onBytes += b[1];
                }
                double offMedian = Slices.quantile(offUs, 0.5);
                double onMedian = Slices.quantile(onUs, 0.5);
                report.line(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %+.3f | %.3fx | %.3f..%.3f | %+.0f |",
                        operation, offMedian, onMedian, onMedian - offMedian, Slices.quantile(ratio, 0.5),
                        Slices.quantile(ratio, 0.25), Slices.quantile(ratio, 0.75), (onBytes - offBytes) / rounds));
            }
            report.line("");
            report.line("Spring Boot " + SpringBootVersion.getVersion() + " with roan-spring-boot-starter, both contexts"
                    + " in this JVM, each on its own H2 in-memory database through HikariCP; off: `roan.enabled=false`;"
                    + " Roan: purging to a closed loopback port, rule `/posts` on POST from a `RoanCustomizer` bean."
                    + " transactionalUpdate: a `@Transactional` method of a Spring bean (Boot's"
                    + " `DataSourceTransactionManager`) updates one POST row by key, its purge held by"
                    + " `SpringTransactionBoundary` until the commit; autoCommitUpdate: the same UPDATE through Boot's"
                    + " `DSLContext` outside any transaction; selectByKey: a SELECT by key through Boot's `DSLContext`."
                    + " Execute listeners on Boot's `DSLContext`: " + off.executeListeners() + " off, "
                    + on.executeListeners() + " with Roan.");
        }
    }

    /** Runs the operation for about 50 ms; returns microseconds and bytes allocated per operation. */
    private static double[] slice(Side side, ToIntFunction<Side> op) {
        double[] result = Slices.run(() -> op.applyAsInt(side));
        if (result[2] != 1.0) {
            throw new IllegalStateException("expected one row per operation, got " + result[2] + " on average");
        }
        return result;
    }

    private static ToIntFunction<Side> op(String operation) {
        switch (operation) {
            case "transactionalUpdate":
                return side -> side.posts.updateTitle(1L);
            case "autoCommitUpdate":
                return side -> side.dsl.update(POST).set(POST.TITLE, "t").where(POST.ID.eq(1L)).execute();
            case "selectByKey":
                return side -> side.dsl.selectFrom(POST).where(POST.ID.eq(1L)).fetchOne() == null ? 0 : 1;
            default:
                throw new IllegalArgumentException(operation);
        }
    }


    /** One Spring Boot application context: {@code off} or {@code roan}. */
    private static final class Side implements AutoCloseable {

        final ConfigurableApplicationContext context;
        final DSLContext dsl;
        final Posts posts;

        Side(String mode) {
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("spring.datasource.url", "jdbc:h2:mem:boot_" + mode);
            properties.put("spring.datasource.username", "sa");
            properties.put("spring.datasource.password", "");
            properties.put("spring.jooq.sql-dialect", "H2");
            SpringApplicationBuilder builder = new SpringApplicationBuilder(BenchmarkApplication.class)
                    .web(WebApplicationType.NONE)
                    .bannerMode(Banner.Mode.OFF)
                    .logStartupInfo(false)
                    .registerShutdownHook(false);
            boolean roan = mode.equals("roan");
            if (roan) {
                properties.put("roan.purge-url", Endpoint.closedPortPurgeUrl());
                properties.put("roan.close-timeout", "100ms");
                builder.sources(PostsRule.class);
            } else {
                properties.put("roan.enabled", "false");
            }
            context = builder.properties(properties).run();
            try {
                dsl = context.getBean(DSLContext.class);
                posts = context.getBean(Posts.class);
                check(roan);
            } catch (RuntimeException | Error e) {
                context.close();
                throw e;
            }
        }

        /** Fails unless this context is what the mode says: Roan attached or not, and a real transaction. */
        private void check(boolean roan) {
            Roan bean = context.getBeanProvider(Roan.class).getIfAvailable();
            if ((bean != null) != roan) {
                throw new IllegalStateException("roan.enabled did not take: Roan bean " + bean);
            }
            if (!AopUtils.isAopProxy(posts) || !posts.inTransaction()) {
                throw new IllegalStateException("@Transactional did not take on " + posts.getClass());
            }
            if (roan) {
                posts.updateTitle(1L);
                if (bean.pendingPurges() == 0) {
                    throw new IllegalStateException("Roan did not see the @Transactional UPDATE: nothing pending");
                }
            }
        }

        int executeListeners() {
            return dsl.configuration().executeListenerProviders().length;
        }

        @Override
        public void close() {
            context.close();
        }
    }

    /**
     * The application: Boot's auto-configuration, the service, and the benchmark schema created at startup from the
     * same jOOQ tables as the other benchmarks ({@link Tables}), with POST 1 and AUDIT_LOG 1. The schema is created
     * through a plain jOOQ over the DataSource, not Boot's {@code DSLContext}, so Roan does not see it.
     */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class BenchmarkApplication {

        @Bean
        Posts posts(DSLContext dsl) {
            return new Posts(dsl);
        }

        @Bean
        ApplicationRunner schema(DataSource dataSource) {
            return args -> {
                DSLContext ddl = DSL.using(dataSource, SQLDialect.H2);
                ddl.createTable(POST).columns(POST.fields()).primaryKey(POST.ID).execute();
                ddl.createTable(AUDIT_LOG).columns(AUDIT_LOG.fields()).primaryKey(AUDIT_LOG.ID).execute();
                ddl.insertInto(POST, POST.ID, POST.SLUG, POST.TITLE).values(1L, "p1", "t").execute();
                ddl.insertInto(AUDIT_LOG, AUDIT_LOG.ID, AUDIT_LOG.MESSAGE).values(1L, "m").execute();
            };
        }
    }

    /** The {@code roan} context only: the rule, as an application registers it with the starter. */
    @Configuration(proxyBeanMethods = false)
    static class PostsRule {

        @Bean
        RoanCustomizer postsPage() {
            return roan -> roan.purge("/posts").onWrite(POST);
        }
    }

    /** A Spring bean with a {@code @Transactional} write, proxied by Boot's transaction auto-configuration. */
    static class Posts {

        private final DSLContext dsl;

        Posts(DSLContext dsl) {
            this.dsl = dsl;
        }

        @Transactional
        public int updateTitle(long id) {
            return dsl.update(POST).set(POST.TITLE, "t").where(POST.ID.eq(id)).execute();
        }

        @Transactional
        public boolean inTransaction() {
            return TransactionSynchronizationManager.isActualTransactionActive();
        }
    }
}
