package dev.roan.example.petclinic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roan.testkit.Nginx;
import dev.roan.testkit.Postgres;
import dev.roan.testkit.Programs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The petclinic behind a real cache that keeps every page forever, driven as a browser would: every kind of write
 * petclinic does is a form's POST through the cache, whose redirect is followed at once, and then every page the
 * cache serves must equal a fresh render, the application asked directly.
 *
 * <p>Two modes share this harness and the application: rules ({@link PetclinicBehindNginx}: {@code PetclinicRules}
 * and the list pages purged by hand) and tracked ({@link PetclinicTracked}: no rule, every page rendered inside
 * {@code Roan.track} by the starter's filter, the Spring profile {@code tracked}), each behind nginx (Roan's page
 * index turns dependencies into URLs) and, tracked, behind Varnish with xkey (pages carry their dependencies as tags),
 * on H2 and PostgreSQL.
 *
 * <p>Nothing waits for a purge: the application's read-your-writes setting makes the redirect wait for the purges of
 * its own commit, and the pages are compared right after it. To see what one of Roan's features fixes, turn it off
 * and run this test: {@code -Dpetclinic.rules.related-rows=false}, {@code -Dpetclinic.rules.read-rows=false} or
 * {@code -Droan.read-your-writes.enabled=false} (see the module's README).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PetclinicBehindCache {

    /** The cache in front: where readers go, how it says HIT, how the test drops a page it found stale. */
    interface Cache {
        String baseUrl();

        /** The response header that says {@code HIT} when the cache answered from its store. */
        String statusHeader();

        /** Drops the page from the cache, so that the next write starts clean. */
        void drop(String page);

        void stop();
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    Cache cache;
    private ConfigurableApplicationContext app;
    private int appPort;

    /** Requests pages four at a time, as readers do: the cache and the application answer them independently. */
    private final ExecutorService readers = Executors.newFixedThreadPool(4);

    /** Every page seen so far: one that no longer exists must not be served either. */
    private final Set<String> seen = new LinkedHashSet<>();

    /** The database's Spring arguments ({@code --spring.datasource.url=...}), for an empty database of its own. */
    abstract List<String> database();

    private Postgres postgres;

    /** H2 in memory, as {@code application.properties} configures it, a database of this class's own. */
    static List<String> h2() {
        return List.of("--spring.datasource.url=jdbc:h2:mem:petclinic-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    /**
     * A real PostgreSQL that this class starts itself ({@link Postgres}: skipped without PostgreSQL, failed under
     * {@code CI=true}): the rows Roan reads before an update lock as the update will ({@code SELECT ... FOR UPDATE}),
     * and a related row's read runs inside the writer's transaction.
     */
    List<String> postgres() {
        postgres = Postgres.start();
        return List.of("--spring.datasource.url=" + postgres.createDatabase("roan_petclinic"),
                "--spring.datasource.username=" + postgres.user(),
                "--spring.datasource.password=" + postgres.password());
    }

    /** Stops what {@link #database()} started. */
    void stopDatabase() {
        if (postgres != null) {
            postgres.close();
        }
    }

    /**
     * Starts the cache in front of the application at {@code upstream} and adds to {@code args} the Spring arguments
     * that make Roan purge it (and the mode's profile).
     */
    abstract Cache startCache(String upstream, List<String> args);

    /** Tracked mode: the prefix searches are cached too, and are part of every comparison. */
    boolean tracked() {
        return false;
    }

    @BeforeAll
    void start() {
        List<String> args = new ArrayList<>(database());
        appPort = Programs.freePort();
        cache = startCache("127.0.0.1:" + appPort, args);
        args.add("--server.port=" + appPort);
        // Warnings only (Roan's among them): CI's log has no use for the start-up lines of two applications.
        args.add("--logging.level.root=WARN");
        app = new SpringApplicationBuilder(PetclinicApplication.class).run(args.toArray(String[]::new));
    }

    @AfterAll
    void stop() {
        readers.shutdownNow();
        if (app != null) {
            app.close();
        }
        if (cache != null) {
            cache.stop();
        }
        stopDatabase();
    }

    @Test
    void everyWriteLeavesEveryPageTheCacheServesFresh() {
        Map<String, List<String>> stale = new LinkedHashMap<>();
        // The new owner is a Davis: the search page of Davis shows them at once.
        write(stale, "new owner", "/owners/new", Map.of("firstName", "Rip", "lastName", "Davis",
                "address", "1 Catskill Rd.", "city", "Palenville", "telephone", "5185550100"));
        // Renamed by id: Davis's search page loses Betty, Van Winkle's (cached empty, as a form sends it:
        // lastName=Van+Winkle) gains her; her pets' pages show her new name.
        write(stale, "edit owner, renamed Davis to Van Winkle", "/owners/2/edit", Map.of("firstName", "Betty",
                "lastName", "Van Winkle", "address", "638 Cardinal Ave.", "city", "Sun Prairie",
                "telephone", "6085551749"));
        write(stale, "edit owner, same name", "/owners/10/edit", Map.of("firstName", "Carlos", "lastName", "Estaban",
                "address", "12 Main St.", "city", "Waunakee", "telephone", "6085555487"));
        write(stale, "new pet", "/owners/3/pets/new", Map.of("name", "Fluffy", "birthDate", "2025-05-01",
                "typeId", "2"));
        // "update pets set name = ?, birth_date = ?, type_id = ? where id = ?": whose pet it is, the statement
        // does not say.
        write(stale, "edit pet", "/owners/4/pets/5/edit", Map.of("name", "Iguana", "birthDate", "2020-11-30",
                "typeId", "3"));
        // "update pets set owner_id = ? where id = ?": Lucky goes from Jeff Black to Maria Escobito.
        write(stale, "move pet to another owner", "/owners/7/pets/9/move", Map.of("ownerId", "8"));
        // "insert into visits (pet_id, ...)": the visit names only its pet.
        write(stale, "new visit", "/owners/6/pets/7/visits/new", Map.of("date", "2026-12-01",
                "description", "checkup"));
        // "delete from visits where pet_id = ?", then "delete from pets where id = ?".
        write(stale, "delete pet", "/owners/6/pets/8/delete", Map.of());
        // dsl.execute("update owners set telephone = ? where id = ?", ...): plain SQL, read through jOOQ's parser.
        write(stale, "plain SQL update", "/owners/9/telephone", Map.of("telephone", "6085550199"));
        // "insert into vets ... returning id", then "insert into vet_specialties ...".
        write(stale, "new vet", "/vets/new", Map.of("firstName", "Ada", "lastName", "Vance", "specialtyId", "2"));

        assertThat(stale).as("pages the cache served stale right after each write (write: pages)").isEmpty();
    }

    /**
     * Warms the cache (every page a HIT), posts the form through the cache, follows the redirect at once, and compares
     * every page the cache serves with a fresh render; records the stale ones under the write's name, then purges them
     * so that the next write starts clean.
     */
    private void write(Map<String, List<String>> stale, String name, String action, Map<String, String> form) {
        Set<String> pages = pages();
        // The pages a write may create, cached before it as they are (an empty search, a list page past the end;
        // the new owner's and the new pet's pages, 404s that Varnish keeps and nginx does not).
        pages.add(searchPage("Van Winkle"));
        pages.add("/owners/11");
        pages.add("/owners/3/pets/14/edit");
        inParallel(pages, page -> {
            warm(page);
            return null;
        });

        String location = post(action, form);
        HttpResponse<String> redirected = get(cache.baseUrl(), location);
        HttpResponse<String> fresh = get(direct(), location);

        List<String> staleNow = new ArrayList<>();
        if (redirected.statusCode() != fresh.statusCode() || !redirected.body().equals(fresh.body())) {
            staleNow.add(location + " (the redirect)");
        }
        pages.addAll(pages());
        for (String page : inParallel(pages, page -> {
            HttpResponse<String> served = get(cache.baseUrl(), page);
            HttpResponse<String> rendered = get(direct(), page);
            if (served.statusCode() != rendered.statusCode() || !served.body().equals(rendered.body())) {
                cache.drop(page);
                return page;
            }
            return null;
        })) {
            if (page != null) {
                staleNow.add(page);
            }
        }
        if (!staleNow.isEmpty()) {
            stale.put(name, staleNow);
        }
    }

    /**
     * Requests a page through the cache until it answers from its cache (pages that are not 200 are not cached); a
     * third try allows for a purge of the previous write that the next request overtook.
     */
    void warm(String page) {
        String status = "";
        for (int attempt = 0; attempt < 4 && !status.equals("HIT"); attempt++) {
            HttpResponse<String> answer = get(cache.baseUrl(), page);
            if (answer.statusCode() != 200) {
                return;
            }
            status = answer.headers().firstValue(cache.statusHeader()).orElse("");
        }
        assertThat(status).as("cache status of %s when warmed", page).isEqualTo("HIT");
    }

    /**
     * Every page the data makes, and every one seen before: owners, their search pages (spelled as a browser's form
     * sends them), pets' edit pages and visit forms, the owners list's pages and one past its end, the vets.
     */
    private Set<String> pages() {
        Set<String> pages = new LinkedHashSet<>(seen);
        int owners = 0;
        try (Connection connection = app.getBean(DataSource.class).getConnection();
                Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("select id, last_name from owners order by id")) {
                while (rows.next()) {
                    owners++;
                    pages.add("/owners/" + rows.getInt(1));
                    pages.add(searchPage(rows.getString(2)));
                    if (tracked()) {
                        String lastName = rows.getString(2);
                        pages.add(prefixSearchPage(lastName.substring(0, 1)));
                        pages.add(prefixSearchPage(lastName.substring(0, Math.min(3, lastName.length()))));
                    }
                }
            }
            try (ResultSet rows = statement.executeQuery("select owner_id, id from pets order by id")) {
                while (rows.next()) {
                    String pet = "/owners/" + rows.getInt(1) + "/pets/" + rows.getInt(2);
                    pages.add(pet + "/edit");
                    pages.add(pet + "/visits/new");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        for (int page = 1; page <= owners / Clinic.PAGE_SIZE + 1; page++) {
            pages.add("/owners?page=" + page);
        }
        pages.add("/vets");
        if (tracked()) {
            pages.add(prefixSearchPage(""));
        }
        seen.addAll(pages);
        return pages;
    }

    /** The search page of a last name as a browser's GET form asks for it. */
    private static String searchPage(String lastName) {
        return "/owners?lastName=" + URLEncoder.encode(lastName, StandardCharsets.UTF_8);
    }

    /** {@code work} for each page on the readers' threads; the results in the pages' order. */
    private <T> List<T> inParallel(Set<String> pages, Function<String, T> work) {
        List<Future<T>> futures = new ArrayList<>();
        for (String page : pages) {
            futures.add(readers.submit(() -> work.apply(page)));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            try {
                results.add(future.get());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return results;
    }

    /** The prefix search of a start of a last name, as a browser's GET form asks for it. */
    private static String prefixSearchPage(String start) {
        return "/owners?lastNameStartsWith=" + URLEncoder.encode(start, StandardCharsets.UTF_8);
    }

    /** Posts a form through the cache, as a browser does; returns where the answer redirects to. */
    String post(String path, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(cache.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        assertThat(answer.statusCode()).as("answer to POST %s: %s", path, answer.body()).isEqualTo(302);
        URI location = URI.create(answer.headers().firstValue("Location").orElseThrow());
        return location.getRawPath() + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
    }

    HttpResponse<String> get(String base, String target) {
        return send(HttpRequest.newBuilder(URI.create(base + target)).GET().build());
    }

    String direct() {
        return "http://127.0.0.1:" + appPort;
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code nginx/nginx.conf} as documented, with only the application's and nginx's addresses replaced, and in
     * tracked mode without the two lines that keep the prefix search out of the cache (the page index purges it).
     */
    static Nginx.Configuration documentedNginx(String upstream, boolean cachePrefixSearch) {
        String documented;
        try {
            documented = Files.readString(Path.of("nginx/nginx.conf"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (port, loadModule) -> {
            String config = replace(documented, "server 127.0.0.1:8080;", "server " + upstream + ";");
            config = replace(config, "listen 127.0.0.1:8081;", "listen 127.0.0.1:" + port + ";");
            if (cachePrefixSearch) {
                config = replace(config, "proxy_cache_bypass $prefix_search;", "");
                config = replace(config, "proxy_no_cache $prefix_search;", "");
            }
            return loadModule ? config : config.replaceAll("(?m)^load_module .*$", "");
        };
    }

    static String replace(String text, String documented, String replacement) {
        if (!text.contains(documented)) {
            throw new IllegalStateException("the documented configuration no longer holds '" + documented
                    + "', which the test replaces: adapt the test to it");
        }
        return text.replace(documented, replacement);
    }
}
