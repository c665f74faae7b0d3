package dev.roan.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.roan.jooq.Roan;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a {@link Roan} with the application's rules, purging one or more
 * {@link RecordingCache}s, and closes both afterwards.
 *
 * <pre>{@code
 * @RegisterExtension
 * final RoanExtension roan = RoanExtension.withRules(BlogRules::register);   // a Consumer<Roan>
 *
 * @Test
 * void aNewPostPurgesTheLists(Roan roan, RecordingCache cache) {
 *     DSLContext dsl = DSL.using(roan.attach(configuration));
 *     dsl.insertInto(POST).set(POST.TITLE, "Hello").execute();
 *
 *     cache.assertPurgedExactly("/", "/posts");     // waits until Roan delivered, then compares
 * }
 * }</pre>
 *
 * <p>Registered on an instance field, it builds a new Roan and starts new caches before each test and closes them
 * after it. On a {@code static} field it does so once for the test class, and before each test forgets the answers
 * the previous test asked for ({@code failNext}, {@code answerWith}), waits until that test's purges are delivered
 * (failing if they are not within the timeout) and forgets them ({@link RecordingCache#reset()}), so that each test
 * sees only its own. An instance field of a class with one instance for all its tests
 * ({@code @TestInstance(Lifecycle.PER_CLASS)}) behaves like a {@code static} one.
 *
 * <p>The caches' assertions wait for delivery first ({@link RecordingCache#deliveredBy(Roan)}): until Roan has
 * delivered the purges of every write committed before the assertion, on any thread, which covers code under test
 * that commits on threads of its own (an HTTP server's, an executor's). {@link Roan#awaitPurges(Duration)} would only
 * cover the test's own thread. Nothing sleeps: a test waits as long as delivery takes, and fails after the
 * {@linkplain #timeout(Duration) timeout} with a message that says which purge is missing or unexpected.
 *
 * <p>Test methods and {@code @BeforeEach}/{@code @AfterEach} methods (and {@code @BeforeAll}/{@code @AfterAll} ones
 * when the field is {@code static}) may declare a {@code Roan} or a {@code RecordingCache} parameter (the only cache;
 * with several nodes use {@link #cache(int)}). Register one {@code RoanExtension} per test class: two would both
 * offer these parameters. Tests of one class that run concurrently must not share a {@code static} one.
 *
 * <p>The Roan purges the caches with Roan's defaults except that it registers no shutdown hook (the extension closes
 * it); {@link #configure(Consumer)} changes anything else, as an application does on its own builder.
 *
 * @since 0.1.0
 */
public final class RoanExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback,
        ParameterResolver {

    private final List<Consumer<Roan>> rules = new ArrayList<>();
    private final List<Consumer<Roan.Builder>> customizers = new ArrayList<>();
    private int nodes = 1;
    private Duration timeout = RecordingCache.DEFAULT_TIMEOUT;

    private @Nullable Roan roan;
    private final List<RecordingCache> caches = new ArrayList<>();
    /** Whether the Roan and caches were started for the whole class ({@code static} field) or for one test. */
    private boolean perClass;
    /** The unique id of the class or test whose end closes the Roan and caches. */
    private @Nullable String startedIn;

    private RoanExtension() {
    }

    /**
     * Creates an extension whose Roan has no rules until {@link #rules(Consumer)} adds some.
     * @return a new extension
     */
    public static RoanExtension create() {
        return new RoanExtension();
    }

    /**
     * Creates an extension whose Roan gets the application's rules from {@code rules}, the same code the application
     * runs on its own Roan, such as {@code RoanExtension.withRules(BlogRules::register)}.
     * @param rules registers rules on the Roan, such as {@code roan -> roan.purge("/posts").onWrite(POST)}
     * @return a new extension
     * @throws IllegalArgumentException if {@code rules} is null
     */
    public static RoanExtension withRules(Consumer<Roan> rules) {
        return create().rules(rules);
    }

    /**
     * Adds code that registers rules on each new Roan, after it is built; called in the order added.
     * @param rules registers rules on the Roan
     * @return this extension
     * @throws IllegalArgumentException if {@code rules} is null
     * @throws IllegalStateException    once the extension has started
     */
    public RoanExtension rules(Consumer<Roan> rules) {
        notStarted("rules");
        if (rules == null) {
            throw new IllegalArgumentException("rules must not be null: pass code such as"
                    + " roan -> roan.purge(\"/posts\").onWrite(POST)");
        }
        this.rules.add(rules);
        return this;
    }

    /**
     * Adds a customisation of the builder of each new Roan, applied after the purge URLs of the caches are set, such as
     * {@code builder -> builder.purgeMethod("PURGE").header("X-Purge-Token", "test")}; called in the order added.
     * @param customizer changes the builder
     * @return this extension
     * @throws IllegalArgumentException if {@code customizer} is null
     * @throws IllegalStateException    once the extension has started
     */
    public RoanExtension configure(Consumer<Roan.Builder> customizer) {
        notStarted("configure");
        if (customizer == null) {
            throw new IllegalArgumentException("customizer must not be null: pass code such as"
                    + " builder -> builder.purgeMethod(\"PURGE\")");
        }
        this.customizers.add(customizer);
        return this;
    }

    /**
     * Sets how many cache nodes Roan purges, each a {@link RecordingCache} named {@code node-1}, {@code node-2}...;
     * default 1.
     * @param count from 1 to 16
     * @return this extension
     * @throws IllegalArgumentException if {@code count} is out of range
     * @throws IllegalStateException    once the extension has started
     */
    public RoanExtension nodes(int count) {
        notStarted("nodes");
        if (count < 1 || count > 16) {
            throw new IllegalArgumentException("nodes must be from 1 to 16, but was " + count);
        }
        this.nodes = count;
        return this;
    }

    /**
     * Sets how long the caches' assertions wait for delivery; default {@link RecordingCache#DEFAULT_TIMEOUT}.
     * @param timeout a positive duration, such as {@code Duration.ofSeconds(30)}
     * @return this extension
     * @throws IllegalArgumentException if {@code timeout} is null, zero or negative
     * @throws IllegalStateException    once the extension has started
     */
    public RoanExtension timeout(Duration timeout) {
        notStarted("timeout");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be a positive duration, such as Duration.ofSeconds(10),"
                    + " but was " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /**
     * Returns the Roan of the current test: attach it to the test's jOOQ configuration
     * ({@code DSL.using(roan.roan().attach(configuration))}) or hand it to the code under test.
     * @return the Roan, with the rules registered
     * @throws IllegalStateException outside a test of the class that registered this extension
     */
    public Roan roan() {
        Roan current = roan;
        if (current == null) {
            throw new IllegalStateException("RoanExtension has no Roan outside a test: register it with"
                    + " @RegisterExtension and call roan() from a test or a @BeforeEach method (from a @BeforeAll"
                    + " method only when the field is static)");
        }
        return current;
    }

    /**
     * Returns the only cache node.
     * @return the recording cache
     * @throws IllegalStateException outside a test, or when there are several nodes (use {@link #cache(int)})
     */
    public RecordingCache cache() {
        roan();
        if (caches.size() != 1) {
            throw new IllegalStateException("this RoanExtension has " + caches.size() + " cache nodes: name one with"
                    + " cache(0) to cache(" + (caches.size() - 1) + "), or take caches()");
        }
        return caches.get(0);
    }

    /**
     * Returns one cache node.
     * @param index from 0, in the order Roan's purge URLs list them
     * @return the recording cache
     * @throws IllegalStateException     outside a test
     * @throws IndexOutOfBoundsException if there is no such node
     */
    public RecordingCache cache(int index) {
        roan();
        return caches.get(index);
    }

    /**
     * Returns every cache node, in the order of Roan's purge URLs.
     * @return an unmodifiable list
     * @throws IllegalStateException outside a test
     */
    public List<RecordingCache> caches() {
        roan();
        return List.copyOf(caches);
    }

    /**
     * Waits until Roan has delivered the purges of every write committed before this call, on any thread, to every
     * node; the caches' assertions do this themselves.
     * @throws AssertionError        if it has not within the timeout, saying what each node received
     * @throws IllegalStateException outside a test
     */
    public void awaitDelivery() {
        RecordingCache.awaitDelivery(roan(), timeout, caches);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // A @Nested class inherits the extension: the enclosing class's Roan serves it too.
        if (roan == null) {
            startAll(context.getUniqueId(), true);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (roan == null) {
            startAll(context.getUniqueId(), false);
        } else if (perClass) {
            // The previous test's writes may still be on the wire: let them land before forgetting them. reset() first
            // also drops the answers it queued with failNext, which would otherwise fail this test's purges.
            for (RecordingCache cache : caches) {
                cache.reset();
            }
            RecordingCache.awaitDelivery(roan(), timeout, caches);
            for (RecordingCache cache : caches) {
                cache.reset();
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getUniqueId().equals(startedIn)) {
            stopAll();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(startedIn)) {
            stopAll();
        }
    }

    private void startAll(String startedIn, boolean perClass) {
        this.startedIn = startedIn;
        this.perClass = perClass;
        try {
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                RecordingCache cache = nodes == 1 ? RecordingCache.start() : RecordingCache.start("node-" + (i + 1));
                caches.add(cache.timeout(timeout));
                urls.add(cache.purgeUrl());
            }
            Roan.Builder builder = Roan.builder().purgeUrls(urls.toArray(String[]::new)).shutdownHook(false);
            customizers.forEach(customizer -> customizer.accept(builder));
            Roan built = builder.build();
            roan = built;
            for (RecordingCache cache : caches) {
                cache.deliveredBy(built);
            }
            rules.forEach(register -> register.accept(built));
        } catch (RuntimeException | Error e) {
            stopAll();
            throw e;
        }
    }

    private void stopAll() {
        Roan current = roan;
        roan = null;
        startedIn = null;
        // A cache a test left failing would hold Roan's close for its whole timeout.
        caches.forEach(cache -> cache.answerWith(200));
        try {
            if (current != null) {
                current.close();
            }
        } finally {
            caches.forEach(RecordingCache::close);
            caches.clear();
        }
    }

    private void notStarted(String method) {
        if (roan != null) {
            throw new IllegalStateException(method + "(...) must be called when the extension is created, before it"
                    + " starts: chain it on the @RegisterExtension field's initializer");
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Roan.class || type == RecordingCache.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            return parameter.getParameter().getType() == Roan.class ? roan() : cache();
        } catch (IllegalStateException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    /** Prints the number of nodes and rule sets, never a header value. */
    @Override
    public String toString() {
        return "RoanExtension[nodes=" + nodes + ", rule sets=" + rules.size() + ", timeout=" + timeout + "]";
    }
}
