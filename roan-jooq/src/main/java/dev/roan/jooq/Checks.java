package dev.roan.jooq;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;

/**
 * Every check of a setting, in one place: the builder's setters and the Spring Boot starter (through them) give the
 * same messages. A message says what to write instead, and never shows a header value or a URL's credentials, not
 * even of malformed input: a value may be a secret, and messages reach logs and startup reports.
 */
final class Checks {

    private static final String EXAMPLE_URL = "\"http://localhost/purge\"";

    /**
     * Headers that break or vanish from a purge request: hop-by-hop headers that a proxy drops or the HTTP client owns
     * (framing, connection reuse), and Proxy-* ones meant for a proxy the client does not use. Host is the JDK's to
     * refuse (it allows Host with a JVM flag), so it is not here.
     */
    private static final Set<String> REFUSED_HEADERS = Set.of("connection", "content-length", "expect", "keep-alive",
            "te", "trailer", "transfer-encoding", "upgrade");

    private Checks() {}

    /** The purge URLs, normalised, without duplicates, in order. */
    static List<String> purgeUrls(String @Nullable... urls) {
        if (urls == null || urls.length == 0) {
            throw new IllegalArgumentException("purgeUrls needs at least one URL, such as " + EXAMPLE_URL);
        }
        List<String> normalized = new ArrayList<>();
        for (String url : urls) {
            String one = purgeUrl(url);
            if (!normalized.contains(one)) {
                normalized.add(one);
            }
        }
        return List.copyOf(normalized);
    }

    /** An absolute http(s) URL with a host, a valid port and no credentials, query or fragment; no trailing slash. */
    static String purgeUrl(@Nullable String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("purge URL is " + (url == null ? "null" : "blank")
                    + ": give the cache's purge location, such as " + EXAMPLE_URL);
        }
        String trimmed = url.trim();
        String shown = "purge URL \"" + maskUrl(trimmed) + "\"";
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            // getReason(), not getMessage(): the message repeats the input.
            throw new IllegalArgumentException(shown + " is malformed (" + e.getReason() + "): give an absolute http or"
                    + " https URL, such as " + EXAMPLE_URL);
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException(shown + " must be an absolute http or https URL, such as " + EXAMPLE_URL);
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(shown + " holds credentials, which would be sent in the clear and"
                    + " logged: remove them from the URL (send a token with header(...) instead)");
        }
        if (uri.getHost() == null) {
            // Without a host, an '@' anywhere may end a mistyped user:password (http:/user:pw@host/purge).
            throw new IllegalArgumentException(shown + (trimmed.indexOf('@') >= 0
                    ? " has no host java.net.URI can read and an '@', which may end credentials: remove them with"
                            + " the '@' (send a token with header(...) instead) and write the URL as"
                            + " \"http://host[:port]/purge\""
                    : noHost(uri.getRawAuthority())));
        }
        if (uri.getPort() == 0 || uri.getPort() > 65_535) {
            throw new IllegalArgumentException(shown + " has port " + uri.getPort() + ": give a port from 1 to 65535,"
                    + " or none for the scheme's default");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(shown + " has a query or fragment: the page path is appended to it, so"
                    + " give only scheme, host, port and path");
        }
        String normalized = trimmed;
        while (normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        return normalized;
    }

    /** Why java.net.URI found no host in an authority that holds no credentials. */
    private static String noHost(@Nullable String authority) {
        if (authority == null || authority.isEmpty()) {
            return " has no host: write it as \"http://host[:port]/purge\"";
        }
        int colon = authority.lastIndexOf(':');
        String host = colon > authority.lastIndexOf(']') ? authority.substring(0, colon) : authority;
        if (host.isEmpty()) {
            return " has no host: write it as \"http://host[:port]/purge\"";
        }
        if (host.indexOf('_') >= 0) {
            return " has a host with '_', which java.net.URI (and so the JDK's HttpClient) does not accept as a host"
                    + " name: use a host name without '_' (such as a DNS alias) or the cache's IP address";
        }
        if (colon > authority.lastIndexOf(']')) {
            return " has an invalid port: give a port from 1 to 65535, or none for the scheme's default";
        }
        return " has no valid host: write it as \"http://host[:port]/purge\" with a host name or IP address";
    }

    /**
     * A URL as a message, log line, metric tag or health detail may show it: credentials replaced by {@code ***}.
     * Real user info is replaced where the URL parses; otherwise everything before the last {@code @} is, as a
     * mistyped URL ({@code http:/user:pw@host/purge}, {@code user:pw@host/purge}) may still hold a password, which may
     * itself hold {@code @} or {@code /}. A URL with a host and no user info is shown whole, {@code @} in its path too.
     */
    static String maskUrl(@Nullable String url) {
        if (url == null) {
            return "null";
        }
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return PurgePaths.printable(maskNonNumericPort(url));
        }
        int schemeEnd = url.indexOf("://");
        String prefix = schemeEnd >= 0 && schemeEnd < at ? url.substring(0, schemeEnd + 3) : "";
        try {
            URI uri = new URI(url);
            if (uri.getHost() != null && uri.getRawUserInfo() == null) {
                return PurgePaths.printable(url);
            }
            if (uri.getHost() != null && !prefix.isEmpty()) {
                String rest = url.substring(prefix.length());
                return PurgePaths.printable(prefix + "***" + rest.substring(uri.getRawUserInfo().length()));
            }
        } catch (URISyntaxException e) {
            // Malformed: mask up to the last '@' below.
        }
        return PurgePaths.printable(prefix + "***@" + url.substring(at + 1));
    }

    /**
     * A URL without {@code @} whose authority has a {@code :} not followed by a port: {@code http://user:pw:host/purge}
     * (an {@code @} typed as {@code :}), or the first part of {@code http://user:p,w@host/purge} that a comma-separated
     * list cut off: what follows the colon may be a password, and is masked.
     */
    private static String maskNonNumericPort(String url) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0 || url.startsWith("[", schemeEnd + 3)) {
            // No authority to read (mailto:ops), or an IPv6 address, whose colons are no port.
            return url;
        }
        int start = schemeEnd + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        int colon = url.substring(0, end).indexOf(':', start);
        if (colon == -1) {
            return url;
        }
        for (int i = colon + 1; i < end; i++) {
            if (url.charAt(i) < '0' || url.charAt(i) > '9') {
                return url.substring(0, colon + 1) + "***" + url.substring(end);
            }
        }
        return url;
    }

    /** An HTTP method, in upper case: methods are case-sensitive, and nginx answers 400 to {@code get}. */
    static String purgeMethod(@Nullable String method) {
        if (method == null || method.isEmpty() || !isToken(method)) {
            throw new IllegalArgumentException("purgeMethod must be an HTTP method name such as \"GET\" or \"PURGE\","
                    + " was " + (method == null ? "null" : "\"" + PurgePaths.printable(method) + "\""));
        }
        String upper = method.toUpperCase(Locale.ROOT);
        if (upper.equals("CONNECT")) {
            throw new IllegalArgumentException("purgeMethod CONNECT cannot purge: use \"GET\" or \"PURGE\"");
        }
        return upper;
    }

    /**
     * Checks a purge header as it will be sent. The value is never shown, and neither is the JDK's message (it quotes
     * the value) nor its exception, whose stack trace would print that message.
     */
    static void header(@Nullable String name, @Nullable String value) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("header name is " + (name == null ? "null" : "empty")
                    + ": give a name such as \"Authorization\"");
        }
        if (!isToken(name)) {
            int colon = name.indexOf(':');
            String before = PurgePaths.printable(leadingToken(name));
            throw new IllegalArgumentException(colon >= 0
                    ? "header name must be a token; did you pass 'Name: value' as the name? Give them apart:"
                            + " header(\"" + before + "\", value) (the name was \"" + before + ":...\", the rest hidden)"
                    : "header name must be a token (letters, digits and !#$%&'*+-.^_`|~), such as \"Authorization\";"
                            + " the name starting \"" + before + "\" has a space or other character at index "
                            + before.length() + " (the rest hidden, in case it is a value)");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (REFUSED_HEADERS.contains(lower) || lower.startsWith("proxy-")) {
            throw new IllegalArgumentException("header " + name + " cannot be set on purges: "
                    + (lower.startsWith("proxy-") ? "Proxy-* headers are for a proxy between Roan and the cache, and"
                            + " Roan uses none"
                            : "it is a hop-by-hop or message-framing header that the HTTP client manages and proxies"
                                    + " drop")
                    + ". Remove it, or send what the cache needs in a header of your own, such as X-Purge-Token");
        }
        if (value == null) {
            throw new IllegalArgumentException("header " + name + " has a null value: give a value, or omit the header");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                // The value may be a secret: say where, never what.
                throw new IllegalArgumentException("header " + name + " has a line break or control character at"
                        + " index " + i + " of its value: remove it");
            }
            if (c > 0x7e) {
                throw new IllegalArgumentException("header " + name + " has a non-ASCII character at index " + i
                        + " of its value: HTTP/1.1 header values are ASCII, and the JDK's HttpClient fails or sends"
                        + " '?' for others. Encode the value (for instance percent-encode it) as the cache expects");
            }
        }
        try {
            HttpRequest.newBuilder(URI.create("http://localhost/")).header(name, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("header " + name + " cannot be sent by the JDK's HttpClient"
                    + (name.equalsIgnoreCase("Host")
                            ? " (a restricted header): start the JVM with -Djdk.httpclient.allowRestrictedHeaders=host,"
                                    + " or key the cache's purge location on the public host name (see the README,"
                                    + " \"Several cache nodes\")"
                            : ": remove it"));
        }
    }

    /** Roan's default retry configuration; see {@link Roan#defaultRetryConfig()}. */
    static RetryConfig defaultRetryConfig() {
        return retryConfig(Defaults.MAX_ATTEMPTS, Defaults.INITIAL_BACKOFF, Defaults.MAX_BACKOFF);
    }

    /** Roan's retry shape: exponential backoff from {@code initialBackoff}, doubling with 50% jitter. */
    static RetryConfig retryConfig(int maxAttempts, @Nullable Duration initialBackoff, Duration maxBackoff) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1 (1 means no retry), such as "
                    + Defaults.MAX_ATTEMPTS + ", was " + maxAttempts);
        }
        Duration initial = positive(initialBackoff, "initialBackoff");
        try {
            return RetryConfig.custom()
                    .maxAttempts(maxAttempts)
                    .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(initial, 2.0, 0.5,
                            Collections.max(List.of(initial, maxBackoff))))
                    .build();
        } catch (ArithmeticException e) {
            // Resilience4j counts waits in milliseconds, as a long.
            throw new IllegalArgumentException("initialBackoff " + initial + " is too long to wait for: give a few"
                    + " hundred milliseconds, such as " + Defaults.INITIAL_BACKOFF.toMillis() + "ms");
        }
    }

    static Duration coalesceWindow(@Nullable Duration window) {
        if (window == null || window.isNegative()) {
            throw new IllegalArgumentException("coalesceWindow must be zero or positive, such as"
                    + " Duration.ofMillis(10) (Duration.ZERO sends each follow-up purge without waiting), was "
                    + window);
        }
        return window;
    }

    static Duration positive(@Nullable Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, such as Duration.ofSeconds(1), was " + d);
        }
        return d;
    }

    private static final java.util.regex.Pattern TABLE_NAME =
            java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}");

    /**
     * A table name Roan renders unquoted, so that the database folds it as it folds the names of a migration written
     * by hand (Flyway): letters, digits and underscores, optionally after a schema name and a dot.
     */
    static String tableName(@Nullable String name, String option) {
        if (name == null || !TABLE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(option + " must be a plain SQL name (letters, digits, underscores, at"
                    + " most 63, not starting with a digit), optionally schema-qualified, such as \"roan_outbox\" or"
                    + " \"app.roan_outbox\", was " + (name == null ? null : "\"" + PurgePaths.printable(name) + "\""));
        }
        return name;
    }

    static Duration positiveOrZero(@Nullable Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, was " + d);
        }
        return d;
    }

    /** The headers as entries, in the map's order. */
    static List<Map.Entry<String, String>> entries(Map<String, String> headers) {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        headers.forEach((name, value) -> list.add(Map.entry(name, value)));
        return List.copyOf(list);
    }

    private static String leadingToken(String s) {
        int end = 0;
        while (end < s.length() && isToken(s.substring(end, end + 1))) {
            end++;
        }
        return s.substring(0, end);
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    // ---- delivery through outages: giveUpAfter, maxRetryInterval, maxOwedPaths, onOverflowPurge

    static Duration maxRetryInterval(@Nullable Duration interval) {
        return positive(interval, "maxRetryInterval");
    }

    static int maxOwedPaths(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxOwedPaths must be at least 1, such as " + Defaults.MAX_OWED_PATHS
                    + " (about 19 MB per cache node at that cap; see the README, \"Bounded memory\"), was " + max);
        }
        return max;
    }

    static List<String> overflowPurge(String @Nullable... paths) {
        if (paths == null || paths.length == 0) {
            throw new IllegalArgumentException("onOverflowPurge needs at least one path, such as \"/\" (with"
                    + " ngx_cache_purge's wildcard, \"/*\"): omit the call to drop the purges beyond maxOwedPaths");
        }
        List<String> list = new ArrayList<>();
        for (String path : paths) {
            String normalized = PurgePaths.normalize(path);
            if (!list.contains(normalized)) {
                list.add(normalized);
            }
        }
        return List.copyOf(list);
    }

    // ---- caches that purge by tag: tagHeader, xkeyPurgeUrls, fastly, cloudflare, publicOrigin

    static CacheTagHeader tagHeader(@Nullable CacheTagHeader header) {
        if (header == null) {
            throw new IllegalArgumentException("tagHeader is null: pass the header of the cache in front, such as"
                    + " CacheTagHeader.VARNISH_XKEY, or omit the call (a cache purged by tag brings its own header)");
        }
        return header;
    }

    /** The Varnish nodes purged by xkey, normalised like purge URLs, without duplicates. */
    static List<String> xkeyPurgeUrls(String @Nullable... urls) {
        if (urls == null || urls.length == 0) {
            throw new IllegalArgumentException("xkeyPurgeUrls needs at least one URL, the Varnish address purges go"
                    + " to, such as \"http://cache:6081\"");
        }
        try {
            return purgeUrls(urls);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("xkeyPurgeUrls: " + e.getMessage(), e);
        }
    }

    /** A Fastly service id or a Cloudflare zone id: letters and digits, as both APIs write them in paths. */
    static String apiId(@Nullable String id, String what, String example) {
        if (id == null || id.isEmpty() || !id.chars().allMatch(c -> c < 0x80 && Character.isLetterOrDigit(c))) {
            throw new IllegalArgumentException(what + " must be letters and digits, such as \"" + example + "\", was "
                    + (id == null ? "null" : "\"" + PurgePaths.printable(id) + "\""));
        }
        return id;
    }

    /** An API token: printable ASCII without spaces. Never shown, not even in part. */
    static String apiToken(@Nullable String token, String what) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(what + " is " + (token == null ? "null" : "blank") + ": give the API"
                    + " token, such as from an environment variable");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException(what + " has a space, control or non-ASCII character at index " + i
                        + ": give the token as the API shows it, without spaces or quotes (the value is hidden)");
            }
        }
        return token;
    }

    /** A CDN API's base URL, such as {@code https://api.fastly.com}: checked like a purge URL, named as the option. */
    static String apiUrl(@Nullable String url, String option, String example) {
        try {
            return purgeUrl(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage().replace("purge URL", "URL")
                    .replace(EXAMPLE_URL, "\"" + example + "\"") + " (the default is " + example + ")", e);
        }
    }

    /** The site's public origin, {@code scheme://host[:port]}, that a CDN's URL purge names. */
    static String publicOrigin(@Nullable String origin) {
        String example = "\"https://www.example.com\"";
        String checked;
        try {
            checked = purgeUrl(origin);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("publicOrigin: " + e.getMessage().replace("purge URL", "origin")
                    .replace(EXAMPLE_URL, example), e);
        }
        URI uri = URI.create(checked);
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
            throw new IllegalArgumentException("publicOrigin must be scheme, host and port only, such as " + example
                    + ", without a path: the page paths of rules are appended to it");
        }
        return checked;
    }

    // ---- tracked renders: maxTrackedPages

    static int maxTrackedPages(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxTrackedPages must be at least 1, such as "
                    + Defaults.MAX_TRACKED_PAGES + " (see the README, \"Automatic dependencies\"), was " + max);
        }
        return max;
    }

    // ---- the page index shared by instances: pageIndex, pageIndexTable

    static javax.sql.DataSource pageIndex(javax.sql.@Nullable DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("pageIndex DataSource is null: pass the application's DataSource, or omit"
                    + " the call to keep the page index in memory (one instance)");
        }
        return dataSource;
    }
}
