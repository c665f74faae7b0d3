package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A purge stays owed through an outage of any length: a real cache endpoint over real HTTP is closed, answers 503, or
 * hangs, for 30 or 120 seconds of a fake clock that drives the dispatcher's probes, while 101 writes commit (spread over
 * the outage, or all at its start); once it is back, every path written is purged. Each case takes a few seconds of
 * real time: only the requests (and their timeouts, in the hanging case) take real time.
 */
class OutageTest {

    private static final int WRITES = 101;
    /** How far the fake clock moves between two looks at the endpoint, and the real pause that lets requests run. */
    private static final Duration STEP = Duration.ofMillis(500);
    private static final long REAL_PAUSE_MILLIS = 5;
    /**
     * In the hanging case each attempt takes the request timeout in real time: the outage must outlast the quick
     * retries in real time too, or it would end before any purge had failed.
     */
    private static final long HANGING_PAUSE_MILLIS = 50;

    private final FakeClock clock = new FakeClock();
    private final FlakyCache cache = new FlakyCache();
    private TestDb db;
    private Roan roan;
    private DSLContext dsl;

    enum Failure { CLOSED, ANSWERS_503, HANGS }

    @BeforeEach
    void setUp() {
        db = new TestDb();
        // Quick retries and a short request timeout keep real time small; the outage itself is on the fake clock.
        Settings settings = Roan.builder().purgeUrl(cache.purgeUrl())
                .retryConfig(Roan.retryConfig(2, Duration.ofMillis(5)))
                .requestTimeout(Duration.ofMillis(200)).connectTimeout(Duration.ofMillis(200))
                .settings();
        roan = new Roan(settings, new Delivery(settings, clock, clock));
        roan.purge("/posts/{slug}").onWrite(POST);
        dsl = DSL.using(roan.attach(db.configuration()));
    }

    @AfterEach
    void tearDown() throws Exception {
        roan.close();
        cache.close();
        db.close();
    }

    @ParameterizedTest(name = "{0} for {1} s, writes {2}")
    @CsvSource({
        "CLOSED, 30, spread", "CLOSED, 30, at start", "CLOSED, 120, spread", "CLOSED, 120, at start",
        "ANSWERS_503, 30, spread", "ANSWERS_503, 120, at start",
        "HANGS, 30, spread", "HANGS, 30, at start",
    })
    void everyOwedPathIsPurgedAfterTheOutage(Failure failure, int seconds, String when) throws Exception {
        cache.fail(failure);
        Duration outage = Duration.ofSeconds(seconds);
        Set<String> written = new TreeSet<>();
        long steps = outage.toMillis() / STEP.toMillis();
        int next = 0;
        for (long step = 0; step <= steps; step++) {
            // Spread: one write every outage / WRITES; at start: all of them before the clock moves.
            int due = when.equals("spread") ? (int) Math.min(WRITES, (step + 1) * WRITES / (steps + 1)) : WRITES;
            for (; next < due; next++) {
                String slug = "p" + next;
                dsl.insertInto(POST).set(POST.SLUG, slug).set(POST.TITLE, slug).execute();
                written.add("/posts/" + slug);
            }
            advance(STEP, failure == Failure.HANGS ? HANGING_PAUSE_MILLIS : REAL_PAUSE_MILLIS);
        }
        assertThat(written).hasSize(WRITES);
        assertThat(cache.purged()).as("purged during the outage").isEmpty();
        CacheNodeStatus status = roan.cacheNodes().get(0);
        assertThat(status.owedPurges()).as("owed at the end of the outage").isEqualTo(WRITES);
        assertThat(status.oldestOwed()).as("age of the oldest").isGreaterThanOrEqualTo(outage.minusSeconds(1));

        cache.recover();
        // The longest wait between probes is 30 s by default; the backlog drains once one succeeds.
        for (int step = 0; step < 200 && !cache.purged().containsAll(written); step++) {
            advance(STEP, REAL_PAUSE_MILLIS);
        }

        assertThat(cache.purged()).as("purged after the cache came back").containsAll(written);
        assertThat(roan.flush(Duration.ofSeconds(5))).as("nothing owed any more").isTrue();
        assertThat(roan.cacheNodes().get(0).owedPurges()).isZero();
        assertThat(roan.droppedPurges()).isZero();
    }

    /** Moves the fake clock on, then gives the real requests it started a moment of real time. */
    private void advance(Duration duration, long realPauseMillis) throws InterruptedException {
        clock.advance(duration);
        Thread.sleep(realPauseMillis);
        cache.settle();
    }

    /**
     * A cache endpoint on a fixed loopback port that can fail as a real one does: its port closed (connection
     * refused), answering 503, or accepting connections and never answering. Records the paths answered 200.
     */
    static final class FlakyCache implements AutoCloseable {
        private final int port;
        private final Set<String> purged = ConcurrentHashMap.newKeySet();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final List<Socket> held = new ArrayList<>();
        private volatile int status = 200;
        private HttpServer server;
        private ServerSocket silent;

        FlakyCache() {
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            serve();
        }

        String purgeUrl() {
            return "http://127.0.0.1:" + port + "/purge";
        }

        Set<String> purged() {
            return Set.copyOf(purged);
        }

        void fail(Failure failure) {
            switch (failure) {
                case CLOSED -> stopServing();
                case ANSWERS_503 -> status = 503;
                case HANGS -> {
                    stopServing();
                    hang();
                }
            }
        }

        void recover() {
            status = 200;
            if (silent != null) {
                closeSilent();
            }
            if (server == null) {
                serve();
            }
        }

        /** Waits (briefly, in real time) until no request is being answered. */
        void settle() throws InterruptedException {
            for (int i = 0; i < 100 && inFlight.get() > 0; i++) {
                Thread.sleep(1);
            }
        }

        private void serve() {
            for (int attempt = 0; ; attempt++) {
                try {
                    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                    break;
                } catch (BindException e) {
                    if (attempt == 50) {
                        throw new UncheckedIOException(e);
                    }
                    sleep(20);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            server.createContext("/", exchange -> {
                inFlight.incrementAndGet();
                try {
                    exchange.getRequestBody().readAllBytes();
                    String path = exchange.getRequestURI().getRawPath().substring("/purge".length());
                    int answer = status;
                    if (answer == 200) {
                        purged.add(path);
                    }
                    exchange.sendResponseHeaders(answer, -1);
                    exchange.close();
                } finally {
                    inFlight.decrementAndGet();
                }
            });
            server.setExecutor(threads);
            server.start();
        }

        private void stopServing() {
            if (server != null) {
                server.stop(0);
                server = null;
            }
        }

        /** Accepts connections and reads nothing, answers nothing: requests end by the client's timeout. */
        private void hang() {
            for (int attempt = 0; ; attempt++) {
                try {
                    silent = new ServerSocket();
                    silent.setReuseAddress(true);
                    silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    break;
                } catch (IOException e) {
                    if (attempt == 50) {
                        throw new UncheckedIOException(e);
                    }
                    sleep(20);
                }
            }
            ServerSocket socket = silent;
            threads.execute(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket accepted = socket.accept();
                        synchronized (held) {
                            held.add(accepted);
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void closeSilent() {
            try {
                silent.close();
                synchronized (held) {
                    for (Socket socket : held) {
                        socket.close();
                    }
                    held.clear();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            silent = null;
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            stopServing();
            if (silent != null) {
                closeSilent();
            }
            threads.shutdownNow();
        }
    }
}
