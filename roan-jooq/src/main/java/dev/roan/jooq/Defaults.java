package dev.roan.jooq;

import java.time.Duration;

/**
 * The default settings, for the classes that apply them; {@link Roan} publishes each as a {@code DEFAULT_*}
 * constant, which users and the Spring Boot starter read.
 */
final class Defaults {

    static final String PURGE_METHOD = "GET";
    static final String PURGE_URL = "http://localhost/purge";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final Duration COALESCE_WINDOW = Duration.ofMillis(10);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    static final boolean SHUTDOWN_HOOK = true;
    static final int MAX_ATTEMPTS = 6;
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    static final Duration MAX_RETRY_INTERVAL = Duration.ofSeconds(30);
    static final int MAX_OWED_PATHS = 100_000;
    static final String OUTBOX_TABLE = "roan_outbox";
    static final Duration OUTBOX_SWEEP_INTERVAL = Duration.ofSeconds(15);
    static final Duration OUTBOX_LEASE = Duration.ofSeconds(30);
    static final int MAX_TRACKED_PAGES = 100_000;
    static final String PAGE_INDEX_TABLE = "roan_page_index";

    static final String FASTLY_API_URL = "https://api.fastly.com";
    static final String CLOUDFLARE_API_URL = "https://api.cloudflare.com";

    private Defaults() {}
}
