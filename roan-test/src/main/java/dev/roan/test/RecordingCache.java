package dev.roan.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.roan.jooq.Roan;
import org.jspecify.annotations.Nullable;

/**
 * A local purge endpoint that records the purges it receives, standing in for one cache node (nginx's purge location,
 * Varnish) in a test of an application's rules; start one per node to test several nodes.
 *
 * <pre>{@code
 * try (RecordingCache cache = RecordingCache.start();
 *      Roan roan = Roan.builder().purgeUrl(cache.purgeUrl()).build()) {
 *     cache.deliveredBy(roan);                       // assertions first wait until Roan delivered what is owed
 *     roan.purge("/posts").onWrite(POST);
 *     DSL.using(roan.attach(configuration)).insertInto(POST).set(POST.TITLE, "Hello").execute();
 *
 *     cache.assertPurgedExactly("/posts");
 * }
 * }</pre>
 *
 * <p>It listens on a free port of the loopback interface and answers every purge with 200 unless told otherwise
 * ({@link #failNext(int)}, {@link #answerWith(int)}), which lets a test see how the application lives through a cache
 * that fails. Each purge is recorded as it arrives: its method, its path (the request target after {@link #purgeUrl()},
 * query string included, as Roan sent it) and its headers; {@link #purges()} lists them in arrival order.
 *
 * <p>The assertions throw {@link AssertionError}, so they work under any test framework, and their messages list what
 * the cache received, by method and path. Header values are never printed: they may be credentials. Only purges the
 * cache answered with a 2xx status count as purged; the others are listed as failed.
 *
 * <p>Purges arrive in the background, after the write commits. Assertions therefore wait first: bound to the
 * {@code Roan} under test ({@link #deliveredBy(Roan)}, which {@link RoanExtension} does), every assertion waits until
 * that Roan has delivered all purges of the writes committed before it, on any thread ({@link Roan#flush(Duration)});
 * unbound, {@link #assertPurged(String...)} waits until the expected paths arrive, and the other assertions check what
 * has arrived so far. Either way a wait ends after {@link #timeout(Duration) the timeout}, {@link #DEFAULT_TIMEOUT}
 * unless set; nothing sleeps for a fixed time.
 *
 * <p>Thread-safe. Close it after the test; {@link RoanExtension} does.
 *
 * @since 0.1.0
 */
public final class RecordingCache implements AutoCloseable {

    /**
     * How long an assertion waits for delivery unless {@link #timeout(Duration)} says otherwise: 10 seconds, or the
     * system property {@value #TIMEOUT_PROPERTY} (an ISO-8601 duration such as {@code PT30S}) when it is set, for a
     * slow build machine. A purge that Roan does not deliver within it fails the assertion.
     */
    public static final Duration DEFAULT_TIMEOUT;

    /** The system property that sets {@link #DEFAULT_TIMEOUT} for a whole test run. */
    public static final String TIMEOUT_PROPERTY = "roan.test.delivery-wait";

    /** The path of {@link #purgeUrl()}: Roan sends {@code {purgeUrl}{page path}}. */
    private static final String PURGE_PREFIX = "/purge";

    static {
        String configured = System.getProperty(TIMEOUT_PROPERTY);
        Duration timeout = Duration.ofSeconds(10);
        if (configured != null && !configured.isBlank()) {
            try {
                timeout = Duration.parse(configured.trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the system property " + TIMEOUT_PROPERTY
                        + " must be an ISO-8601 duration such as PT30S, but was " + configured, e);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the system property " + TIMEOUT_PROPERTY
                        + " must be a positive duration such as PT30S, but was " + configured);
            }
        }
        DEFAULT_TIMEOUT = timeout;
    }

    /**
     * A purge as the cache received it.
     *
     * <p>{@link #toString()} prints the method, the path and the answer, never the header values.
     *
     * @param method  the HTTP method in upper case, such as {@code GET} or {@code PURGE}
     * @param path    the page path Roan purged: the request target after the path of {@link #purgeUrl()}, with its
     *                query string, still percent-encoded as sent, such as {@code /posts/hello-roan} or
     *                {@code /owners?lastName=Davis}
     * @param headers the request headers, by name in any case (the map's lookups ignore case)
     * @param status  the HTTP status the cache answered: 2xx means purged
     * @since 0.1.0
     */
    public record Purge(String method, String path, Map<String, List<String>> headers, int status) {

        /**
         * Checks and copies the parts.
         * @param method  the HTTP method
         * @param path    the page path
         * @param headers the headers; copied into an unmodifiable map whose lookups ignore case
         * @param status  the status answered
         */
        public Purge {
            if (method == null || path == null || headers == null) {
                throw new IllegalArgumentException("method, path and headers of a Purge must not be null");
            }
            TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
            headers = Collections.unmodifiableMap(copy);
        }

        /**
         * Returns the first value of a request header.
         * @param name the header name, in any case, such as {@code "Authorization"}
         * @return its first value, or empty if the request had no such header
         */
        public Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        /**
         * Tells whether the cache answered this purge with a 2xx status, which makes Roan count it delivered.
         * @return true for 2xx
         */
        public boolean purged() {
            return status / 100 == 2;
        }

        /** Prints {@code "GET /posts"}, with {@code " (answered 503)"} for a purge that was not answered with 2xx. */
        @Override
        public String toString() {
            return method + " " + path + (purged() ? "" : " (answered " + status + ")");
        }
    }

    private final @Nullable String name;
    private final HttpServer server;
    private final ExecutorService threads;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final List<Purge> received = new ArrayList<>();
    /** Statuses for the next purges, before {@link #status}; guarded by {@link #lock}. */
    private final Deque<Integer> nextAnswers = new ArrayDeque<>();
    /** Guarded by {@link #lock}. */
    private int status = 200;
    private volatile Duration timeout = DEFAULT_TIMEOUT;
    private volatile @Nullable Roan roan;
    private volatile boolean closed;

    private RecordingCache(@Nullable String name) {
        this.name = name;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "roan-recording-cache-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            threads.shutdownNow();
            throw new UncheckedIOException("could not listen on a free port of the loopback interface", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /**
     * Starts a recording cache on a free port of the loopback interface.
     * @return the started cache; close it after the test
     * @throws UncheckedIOException if no port could be opened
     */
    public static RecordingCache start() {
        return new RecordingCache(null);
    }

    /**
     * Starts a recording cache with a name that failure messages use, such as {@code "eu-1"}, to tell several nodes
     * apart.
     * @param name a short name, not blank
     * @return the started cache; close it after the test
     * @throws IllegalArgumentException if {@code name} is null or blank
     * @throws UncheckedIOException     if no port could be opened
     */
    public static RecordingCache start(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank: give a short name such as \"eu-1\", or call"
                    + " RecordingCache.start() for a cache named by its URL");
        }
        return new RecordingCache(name);
    }

    /**
     * Returns the URL to give Roan, {@code http://127.0.0.1:PORT/purge}, as in
     * {@code Roan.builder().purgeUrl(cache.purgeUrl())}: Roan then sends each purge to {@code {purgeUrl}{path}}.
     * @return the purge URL of this cache
     */
    public String purgeUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort()
                + PURGE_PREFIX;
    }

    /**
     * Makes every assertion of this cache first wait until {@code roan} has delivered the purges of all writes
     * committed before the assertion, on any thread, to every cache node ({@link Roan#flush(Duration)}), and fail
     * if it has not within the timeout. {@link RoanExtension} binds its caches to its Roan.
     * @param roan the Roan that purges this cache
     * @return this cache
     * @throws IllegalArgumentException if {@code roan} is null
     */
    public RecordingCache deliveredBy(Roan roan) {
        if (roan == null) {
            throw new IllegalArgumentException("roan must not be null: pass the Roan whose purges this cache receives");
        }
        this.roan = roan;
        return this;
    }

    /**
     * Sets how long an assertion waits for delivery; default {@link #DEFAULT_TIMEOUT}.
     * @param timeout a positive duration, such as {@code Duration.ofSeconds(30)}
     * @return this cache
     * @throws IllegalArgumentException if {@code timeout} is null, zero or negative
     */
    public RecordingCache timeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be a positive duration, such as Duration.ofSeconds(10),"
                    + " but was " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /**
     * Answers the next {@code count} purges with 503 Service Unavailable, which Roan retries: an outage that ends by
     * itself. The purges are recorded, as failed.
     * @param count how many purges fail, at least 1
     * @return this cache
     * @throws IllegalArgumentException if {@code count} is below 1
     */
    public RecordingCache failNext(int count) {
        return failNext(count, 503);
    }

    /**
     * Answers the next {@code count} purges with {@code status} instead of 200, such as 500 or 403.
     * @param count  how many purges get that answer, at least 1
     * @param status an HTTP status from 200 to 599
     * @return this cache
     * @throws IllegalArgumentException if {@code count} is below 1 or {@code status} out of range
     */
    public RecordingCache failNext(int count, int status) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, but was " + count);
        }
        checkStatus(status);
        synchronized (lock) {
            for (int i = 0; i < count; i++) {
                nextAnswers.addLast(status);
            }
        }
        return this;
    }

    /**
     * Answers every purge from now on with {@code status}, once the answers of {@link #failNext} are used up: 503 for a
     * cache that is down until {@code answerWith(200)} brings it back.
     * @param status an HTTP status from 200 to 599
     * @return this cache
     * @throws IllegalArgumentException if {@code status} is out of range
     */
    public RecordingCache answerWith(int status) {
        checkStatus(status);
        synchronized (lock) {
            this.status = status;
        }
        return this;
    }

    private static void checkStatus(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status from 200 to 599, such as 503, but was "
                    + status);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            String rawPath = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String path = rawPath.startsWith(PURGE_PREFIX + "/") ? rawPath.substring(PURGE_PREFIX.length()) : rawPath;
            if (query != null) {
                path += "?" + query;
            }
            int answer;
            synchronized (lock) {
                Integer next = nextAnswers.pollFirst();
                answer = next != null ? next : status;
                received.add(new Purge(exchange.getRequestMethod().toUpperCase(Locale.ROOT), path,
                        exchange.getRequestHeaders(), answer));
                lock.notifyAll();
            }
            exchange.sendResponseHeaders(answer, -1);
        } finally {
            exchange.close();
        }
    }

    /**
     * Returns every purge received so far, failed ones included, in arrival order. Does not wait.
     * @return an unmodifiable copy
     */
    public List<Purge> purges() {
        synchronized (lock) {
            return List.copyOf(received);
        }
    }

    /**
     * Returns the paths purged so far (answered with 2xx), in arrival order, repeats included: for assertions of one's
     * own, such as {@code assertThat(cache.paths()).containsExactly("/posts", "/posts/1")}. Does not wait: call it
     * after an assertion of this cache, or after {@link Roan#flush(Duration)}.
     * @return an unmodifiable list
     */
    public List<String> paths() {
        return purges().stream().filter(Purge::purged).map(Purge::path).toList();
    }

    /** Forgets the purges received so far, and the answers {@link #failNext} and {@link #answerWith} set. */
    public void reset() {
        synchronized (lock) {
            received.clear();
            nextAnswers.clear();
            status = 200;
        }
    }

    /**
     * Asserts that each of these paths was purged at least once; other purges are allowed. Waits for them (see the
     * class description).
     * @param paths page paths as Roan purges them, such as {@code "/posts"}; at least one
     * @return this cache
     * @throws AssertionError           if one of them was not purged within the timeout, with a message that lists the
     *                                  missing paths and what the cache received
     * @throws IllegalArgumentException if no path is given, or one is not as Roan sends it (a space or a non-ASCII
     *                                  character that Roan percent-encodes)
     */
    public RecordingCache assertPurged(String... paths) {
        Set<String> expected = expected(paths, "assertPurged");
        if (roan == null) {
            awaitArrival(purged -> purged.containsAll(expected));
        } else {
            awaitDelivery();
        }
        Set<String> missing = missing(expected);
        if (!missing.isEmpty()) {
            throw new AssertionError(describe() + " was not purged of " + missing + " (expected at least "
                    + expected + ")" + waited() + "; " + received());
        }
        return this;
    }

    /**
     * Asserts that these paths, and no other, were purged, each at least once in any order: how often Roan sends a path
     * is its own business (a path written again while its purge is on the wire is purged once more). Waits for them
     * (see the class description); check {@link #purges()} for the order or the number.
     * @param paths page paths as Roan purges them, such as {@code "/posts"}; at least one
     * @return this cache
     * @throws AssertionError           if one was missing within the timeout or another was purged, with a message that
     *                                  lists both and what the cache received
     * @throws IllegalArgumentException if no path is given, or one is not as Roan sends it (a space or a non-ASCII
     *                                  character that Roan percent-encodes); for no path, use
     *                                  {@link #assertNothingPurged()}
     */
    public RecordingCache assertPurgedExactly(String... paths) {
        Set<String> expected = expected(paths, "assertPurgedExactly");
        if (roan == null) {
            awaitArrival(purged -> purged.containsAll(expected));
        } else {
            awaitDelivery();
        }
        Set<String> missing = missing(expected);
        Set<String> unexpected = new LinkedHashSet<>(paths());
        unexpected.removeAll(expected);
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new AssertionError(describe() + " was expected to be purged of exactly " + expected
                    + (missing.isEmpty() ? "" : "; missing " + missing + waited())
                    + (unexpected.isEmpty() ? "" : "; not expected " + unexpected) + "; " + received());
        }
        return this;
    }

    /**
     * Asserts that none of these paths was purged; others may have been.
     * @param paths page paths as Roan purges them; at least one
     * @return this cache
     * @throws AssertionError           if one of them was purged, naming it
     * @throws IllegalArgumentException if no path is given, or one is not as Roan sends it (a space or a non-ASCII
     *                                  character that Roan percent-encodes)
     */
    public RecordingCache assertNotPurged(String... paths) {
        Set<String> forbidden = expected(paths, "assertNotPurged");
        awaitDeliveryIfBound();
        Set<String> purged = new LinkedHashSet<>(paths());
        purged.retainAll(forbidden);
        if (!purged.isEmpty()) {
            throw new AssertionError(describe() + " was purged of " + purged + ", which was expected not to be; "
                    + received());
        }
        return this;
    }

    /**
     * Asserts that no purge was received at all, failed ones included. Bound to a Roan, it first waits until that Roan
     * delivered what it owes; unbound, it checks what has arrived so far, so call {@link Roan#flush(Duration)} first.
     * @return this cache
     * @throws AssertionError if a purge was received, with a message that lists them
     */
    public RecordingCache assertNothingPurged() {
        awaitDeliveryIfBound();
        List<Purge> purges = purges();
        if (!purges.isEmpty()) {
            throw new AssertionError(describe() + " was expected to receive no purge, but received " + purges.size()
                    + ", in order: " + list(purges));
        }
        return this;
    }

    /**
     * Waits until the Roan of {@link #deliveredBy(Roan)} has delivered the purges of every write committed before this
     * call, on any thread, to every cache node.
     * @return this cache
     * @throws AssertionError        if it has not within the timeout, with what this cache received
     * @throws IllegalStateException if no Roan is bound
     */
    public RecordingCache awaitDelivery() {
        Roan bound = roan;
        if (bound == null) {
            throw new IllegalStateException(describe() + " has no Roan to wait for: call deliveredBy(roan) first, or"
                    + " roan.flush(timeout) yourself");
        }
        awaitDelivery(bound, timeout, List.of(this));
        return this;
    }

    /**
     * Waits until {@code roan} has delivered what it owes; on timeout fails with what each of {@code caches} received.
     */
    static void awaitDelivery(Roan roan, Duration timeout, List<RecordingCache> caches) {
        if (!roan.flush(timeout)) {
            throw new AssertionError("Roan did not deliver every purge within " + human(timeout) + " ("
                    + roan.pendingPurges() + " pending, " + roan.droppedPurges() + " given up or dropped"
                    + (roan.isClosed() ? ", Roan is closed" : "") + "): "
                    + caches.stream().map(cache -> cache.describe() + " " + cache.received())
                            .collect(Collectors.joining("; "))
                    + (caches.stream().anyMatch(cache -> cache.closed)
                            ? ". Roan cannot deliver to a closed cache: assert before closing it"
                            : "")
                    + ". A cache told to fail (failNext, answerWith) delays delivery by Roan's retries; a slow"
                    + " machine may need a longer timeout (RecordingCache.timeout, or -D" + TIMEOUT_PROPERTY
                    + "=PT30S)");
        }
    }

    private void awaitDeliveryIfBound() {
        if (roan != null) {
            awaitDelivery();
        }
    }

    /** Waits, without failing, until the purged paths satisfy {@code done} or the timeout ends. */
    private void awaitArrival(Predicate<Set<String>> done) {
        // Saturated: toNanos() overflows beyond 292 years; the difference below stays right across the wrap.
        long deadline = System.nanoTime() + saturatedNanos(timeout);
        synchronized (lock) {
            while (!done.test(purgedPaths())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    // Woken by each arrival; the timed wait only bounds the whole.
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for purges of " + describe(), e);
                }
            }
        }
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Guarded by {@link #lock}. */
    private Set<String> purgedPaths() {
        return received.stream().filter(Purge::purged).map(Purge::path)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private Set<String> missing(Set<String> expected) {
        Set<String> missing = new LinkedHashSet<>(expected);
        missing.removeAll(paths());
        return missing;
    }

    private static Set<String> expected(String[] paths, String method) {
        if (paths == null || paths.length == 0) {
            throw new IllegalArgumentException(method + " needs at least one path, such as " + method + "(\"/posts\")"
                    + (method.equals("assertPurgedExactly") ? "; for none, call assertNothingPurged()" : ""));
        }
        if (Arrays.stream(paths).anyMatch(path -> path == null || !path.startsWith("/"))) {
            throw new IllegalArgumentException(method + " takes page paths starting with /, such as \"/posts\", but"
                    + " got " + Arrays.toString(paths));
        }
        // A space or a non-ASCII character never arrives as such: Roan percent-encodes it, so an assertion on it could
        // never pass, and a negative one could never fail.
        for (String path : paths) {
            String encoded = percentEncoded(path);
            if (!encoded.equals(path)) {
                throw new IllegalArgumentException(method + " takes paths as Roan sends them, percent-encoded: \""
                        + encoded + "\" instead of \"" + path + "\"");
            }
        }
        return new LinkedHashSet<>(Arrays.asList(paths));
    }

    /** Encodes what a request target cannot hold as such (controls, space, non-ASCII) as UTF-8 percent escapes. */
    private static String percentEncoded(String path) {
        StringBuilder encoded = new StringBuilder(path.length());
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f) {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                encoded.append((char) c);
            }
        }
        return encoded.toString();
    }

    private String waited() {
        return roan == null ? " within " + human(timeout) : "";
    }

    private String received() {
        List<Purge> purges = purges();
        return purges.isEmpty() ? "it received no purge" : "it received, in order: " + list(purges);
    }

    private static String list(List<Purge> purges) {
        return purges.stream().map(Purge::toString).collect(Collectors.joining(", "));
    }

    private static String human(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** How messages name this cache: by its name and URL, or by its URL. */
    private String describe() {
        return (name == null ? "the cache at " + purgeUrl() : "cache " + name + " (" + purgeUrl() + ")")
                + (closed ? " (closed)" : "");
    }

    /** Prints the name and purge URL, and how many purges it received; never a header value. */
    @Override
    public String toString() {
        return "RecordingCache[" + (name == null ? "" : name + ", ") + purgeUrl() + ", " + purges().size()
                + " purges received" + (closed ? ", closed" : "") + "]";
    }

    /**
     * Stops listening; purges sent afterwards fail to connect, and messages name the cache closed. What it received
     * can still be read and asserted. Calling it again has no effect.
     */
    @Override
    public void close() {
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }
}
