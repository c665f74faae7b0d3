package dev.roan.spring.boot;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import javax.sql.DataSource;

import dev.roan.jooq.PurgeListener;
import dev.roan.jooq.Roan;
import dev.roan.spring.SpringTransactionBoundary;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * How both starters (Spring Boot 3 and 4) build the {@code Roan} bean from the {@code roan.*} properties: an invalid
 * value fails startup with an exception that names its property, and never shows a secret.
 */
final class RoanBeans {

    private RoanBeans() {
    }

    /**
     * The Roan bean: built from the properties with every {@link PurgeListener} bean (such as the starter's
     * {@link RoanMetrics}), then handed to every {@link RoanCustomizer}; its effective configuration is logged once.
     */
    static Roan roan(RoanProperties properties, ObjectProvider<PurgeListener> listeners,
            ObjectProvider<RoanCustomizer> customizers, ObjectProvider<DataSource> dataSource) {
        Roan.Builder builder = builder(properties);
        outbox(properties.getOutbox(), dataSource, builder);
        pageIndex(properties.getPageIndex(), dataSource, builder);
        listeners.orderedStream().forEach(builder::listener);
        Roan roan = builder.build();
        try {
            customizers.orderedStream().forEach(customizer -> customizer.customize(roan));
        } catch (RuntimeException | Error e) {
            roan.close();
            throw e;
        }
        RoanStartupLog.log(roan, properties);
        return roan;
    }

    /** A builder for the properties; an invalid value is an exception that names its property. */
    static Roan.Builder builder(RoanProperties properties) {
        Roan.Builder builder = Roan.builder().transactionBoundary(new SpringTransactionBoundary());
        // With a cache purged by tag, purge-url left at its default, or set empty, means no path node (Roan's own
        // rule when purgeUrls is not called).
        List<String> purgeUrls = properties.getPurgeUrl();
        if (!properties.purgesByTag()
                || !(purgeUrls.isEmpty() || purgeUrls.equals(new RoanProperties().getPurgeUrl()))) {
            checkSecret("roan.purge-url", b -> b.purgeUrls(properties.getPurgeUrl().toArray(String[]::new)), builder);
        }
        check("roan.purge-method", properties.getPurgeMethod(), b -> b.purgeMethod(properties.getPurgeMethod()), builder);
        properties.getHeaders().forEach((name, value) ->
                // Neither the value nor the name is shown: a name typed as "Name: value" holds a value. Roan's message
                // names the header as far as that is safe.
                checkSecret("roan.headers", b -> b.header(name, value), builder));
        Duration repurgeAfter = properties.getRepurgeAfter();
        if (repurgeAfter != null) {
            check("roan.repurge-after", repurgeAfter, b -> b.repurgeAfter(repurgeAfter), builder);
        }
        check("roan.coalesce-window", properties.getCoalesceWindow(),
                b -> b.coalesceWindow(properties.getCoalesceWindow()), builder);
        check("roan.connect-timeout", properties.getConnectTimeout(),
                b -> b.connectTimeout(properties.getConnectTimeout()), builder);
        check("roan.request-timeout", properties.getRequestTimeout(),
                b -> b.requestTimeout(properties.getRequestTimeout()), builder);
        check("roan.close-timeout", properties.getCloseTimeout(),
                b -> b.closeTimeout(properties.getCloseTimeout()), builder);
        RoanProperties.Retry retry = properties.getRetry();
        // Roan's retry shape with the properties' numbers; Roan checks each, named after its property here.
        check("roan.retry.max-attempts", retry.getMaxAttempts(),
                b -> Roan.retryConfig(retry.getMaxAttempts(), Roan.DEFAULT_INITIAL_BACKOFF), builder);
        check("roan.retry.initial-backoff", retry.getInitialBackoff(),
                b -> b.retryConfig(Roan.retryConfig(retry.getMaxAttempts(), retry.getInitialBackoff())), builder);
        Duration giveUpAfter = properties.getGiveUpAfter();
        if (giveUpAfter != null) {
            check("roan.give-up-after", giveUpAfter, b -> b.giveUpAfter(giveUpAfter), builder);
        }
        check("roan.max-retry-interval", properties.getMaxRetryInterval(),
                b -> b.maxRetryInterval(properties.getMaxRetryInterval()), builder);
        check("roan.max-owed-paths", properties.getMaxOwedPaths(), b -> b.maxOwedPaths(properties.getMaxOwedPaths()),
                builder);
        if (!properties.getOnOverflowPurge().isEmpty()) {
            check("roan.on-overflow-purge", properties.getOnOverflowPurge(),
                    b -> b.onOverflowPurge(properties.getOnOverflowPurge().toArray(String[]::new)), builder);
        }
        builder.shutdownHook(properties.isShutdownHook());
        check("roan.track.max-pages", properties.getTrack().getMaxPages(),
                b -> b.maxTrackedPages(properties.getTrack().getMaxPages()), builder);
        tags(properties, builder);
        return builder;
    }

    /** Caches that purge by tag (tracked pages' dependencies), and the tag headers pages carry. */
    private static void tags(RoanProperties properties, Roan.Builder builder) {
        if (!properties.getXkeyPurgeUrl().isEmpty()) {
            checkSecret("roan.xkey-purge-url",
                    b -> b.xkeyPurgeUrls(properties.getXkeyPurgeUrl().toArray(String[]::new)), builder);
        }
        builder.softPurge(properties.isSoftPurge());
        properties.getTagHeader().forEach(builder::tagHeader);
        String origin = properties.getPublicOrigin();
        if (origin != null) {
            check("roan.public-origin", origin, b -> b.publicOrigin(origin), builder);
        }
        RoanProperties.Cdn fastly = properties.getFastly();
        if (fastly.getId() != null) {
            checkSecret("roan.fastly",
                    b -> b.fastly(fastly.getId(), Objects.requireNonNullElse(fastly.getApiToken(), "")), builder);
            check("roan.fastly.api-url", fastly.getApiUrl(), b -> b.fastlyApiUrl(fastly.getApiUrl()), builder);
        }
        RoanProperties.Cdn cloudflare = properties.getCloudflare();
        if (cloudflare.getId() != null) {
            checkSecret("roan.cloudflare",
                    b -> b.cloudflare(cloudflare.getId(), Objects.requireNonNullElse(cloudflare.getApiToken(), "")),
                    builder);
            check("roan.cloudflare.api-url", cloudflare.getApiUrl(),
                    b -> b.cloudflareApiUrl(cloudflare.getApiUrl()), builder);
        }
    }

    /**
     * Durable mode on Boot's DataSource: the raw pool, not the {@code TransactionAwareDataSourceProxy} jOOQ is given,
     * since the outbox writes on the writer's own connection and uses the DataSource only to deliver and sweep.
     */
    private static void outbox(RoanProperties.Outbox outbox, ObjectProvider<DataSource> dataSources,
            Roan.Builder builder) {
        if (!outbox.isEnabled()) {
            return;
        }
        builder.outbox(uniqueDataSource("roan.outbox.enabled=true", "the outbox table",
                "Roan.builder().outbox(dataSource)", dataSources));
        check("roan.outbox.table", outbox.getTable(), b -> b.outboxTable(outbox.getTable()), builder);
        builder.createOutboxTable(outbox.isCreateTable());
        check("roan.outbox.sweep-interval", outbox.getSweepInterval(),
                b -> b.outboxSweepInterval(outbox.getSweepInterval()), builder);
        check("roan.outbox.lease", outbox.getLease(), b -> b.outboxLease(outbox.getLease()), builder);
    }

    /** The shared page index on Boot's DataSource: the raw pool, as for the outbox. */
    private static void pageIndex(RoanProperties.PageIndex pageIndex, ObjectProvider<DataSource> dataSources,
            Roan.Builder builder) {
        if (!pageIndex.isEnabled()) {
            return;
        }
        builder.pageIndex(uniqueDataSource("roan.page-index.enabled=true", "the page index table",
                "Roan.builder().pageIndex(dataSource)", dataSources));
        check("roan.page-index.table", pageIndex.getTable(), b -> b.pageIndexTable(pageIndex.getTable()), builder);
        builder.createPageIndexTable(pageIndex.isCreateTable());
    }

    private static DataSource uniqueDataSource(String property, String what, String instead,
            ObjectProvider<DataSource> dataSources) {
        DataSource dataSource = dataSources.getIfUnique();
        if (dataSource == null) {
            throw new IllegalStateException(property + " needs one DataSource bean for " + what + ", found "
                    + dataSources.stream().count() + ": define exactly one, mark one @Primary, or build the Roan bean"
                    + " yourself with " + instead);
        }
        return dataSource;
    }

    private static void check(String property, @Nullable Object value, Consumer<Roan.Builder> setting,
            Roan.Builder builder) {
        try {
            setting.accept(builder);
        } catch (IllegalArgumentException e) {
            InvalidConfigurationPropertyValueException invalid = new InvalidConfigurationPropertyValueException(
                    property, value, e.getMessage());
            // Its constructor already set a (null) cause, which initCause cannot replace.
            invalid.addSuppressed(e);
            throw invalid;
        }
    }

    /**
     * For properties whose value may hold a secret (a purge URL's password, a header's value): Spring Boot's failure
     * analyzer for {@code InvalidConfigurationPropertyValueException} prints the property's raw value from the
     * environment, whatever value the exception carries, so these fail with Roan's own message instead, which names
     * the property and shows no secret.
     */
    private static void checkSecret(String property, Consumer<Roan.Builder> setting, Roan.Builder builder) {
        try {
            setting.accept(builder);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Invalid value for configuration property '" + property + "': "
                    + e.getMessage(), e);
        }
    }
}
