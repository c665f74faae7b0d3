package dev.roan.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local Cloudflare purge API for one zone, as Cloudflare documents it (this machine has no network):
 * {@code POST /client/v4/zones/{zone_id}/purge_cache} with {@code Authorization: Bearer <token>} and a JSON body of
 * exactly one of {@code {"tags": [...]}}, {@code {"files": [...]}}, {@code {"hosts": [...]}},
 * {@code {"prefixes": [...]}} or {@code {"purge_everything": true}}, at most 100 items a request. It answers in
 * Cloudflare's envelope, {@code {"success": ..., "errors": [{"code": ..., "message": ...}], "messages": [],
 * "result": ...}}: 200 with {@code "success": true} when purged; 400 for a bad body or too many items, 403 for a
 * missing or wrong token, 404 for another zone, 405 for another method, each with {@code "success": false}.
 * What was purged is kept for the test ({@link #purges()}), and {@link #rateLimitNext} answers 429 with
 * {@code Retry-After}. Give Roan its {@link #apiUrl()} with {@code Roan.Builder.cloudflareApiUrl}.
 *
 * @since 0.1.0
 */
public final class CloudflareEndpoint extends RecordingApi {

    /** The most tags, URLs, hosts or prefixes one request may purge. */
    public static final int MAX_ITEMS = 100;

    /** A purge Cloudflare accepted: which kind ({@code tags}, {@code files}, ...) and its items. */
    public record Purge(String kind, List<String> items) {}

    private final String zoneId;
    private final String token;
    private final List<Purge> purges = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(100);
    /** When set, a purge that passes every check is answered 200 with {@code "success": false} and this error. */
    private volatile String failure;

    /**
     * Starts the API of zone {@code zoneId}, which takes the API token {@code token}.
     *
     * @param zoneId the zone whose purges it takes
     * @param token the API token it accepts after {@code Bearer}
     */
    public CloudflareEndpoint(String zoneId, String token) {
        this.zoneId = zoneId;
        this.token = token;
    }

    /**
     * Answers every purge that passes the checks with 200 and {@code "success": false}, error {@code message}.
     *
     * @param message the error message of the envelope
     * @return this endpoint
     */
    public CloudflareEndpoint failWith(String message) {
        this.failure = message;
        return this;
    }

    @Override
    protected Answer answer(String method, String path, Map<String, List<String>> headers, String body) {
        String authorization = first(headers, "Authorization");
        if (authorization == null || !authorization.equals("Bearer " + token)) {
            return error(403, 10000, "Authentication error");
        }
        String prefix = "/client/v4/zones/";
        if (!path.startsWith(prefix) || !path.endsWith("/purge_cache")) {
            return error(404, 7000, "No route for that URI");
        }
        String zone = path.substring(prefix.length(), path.length() - "/purge_cache".length());
        if (!zone.equals(zoneId)) {
            return error(404, 7003, "Could not route to " + path
                    + ", perhaps your object identifier is invalid?");
        }
        if (!method.equals("POST")) {
            return error(405, 10405, "Method " + method + " not allowed for this route");
        }
        String type = first(headers, "Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            return error(400, 6003, "Invalid request headers: Content-Type must be application/json");
        }
        Object json;
        try {
            json = Json.parse(body);
        } catch (IllegalArgumentException e) {
            return error(400, 6007, "Malformed JSON in request body");
        }
        if (!(json instanceof Map<?, ?> map) || map.size() != 1) {
            return error(400, 1012, "Request must contain one of \"purge_everything\", \"files\", \"tags\", \"hosts\""
                    + " or \"prefixes\"");
        }
        Map.Entry<?, ?> only = map.entrySet().iterator().next();
        String kind = String.valueOf(only.getKey());
        List<String> items = new ArrayList<>();
        if (kind.equals("purge_everything") && Boolean.TRUE.equals(only.getValue())) {
            items.add("*");
        } else if (List.of("tags", "files", "hosts", "prefixes").contains(kind) && only.getValue() instanceof List<?> list
                && list.stream().allMatch(String.class::isInstance) && !list.isEmpty()) {
            list.forEach(item -> items.add((String) item));
        } else {
            return error(400, 1012, "Request must contain one of \"purge_everything\", \"files\", \"tags\", \"hosts\""
                    + " or \"prefixes\"");
        }
        if (items.size() > MAX_ITEMS) {
            return error(400, 1015, "Too many " + kind + ": at most " + MAX_ITEMS + " a request, was " + items.size());
        }
        if (kind.equals("files") && items.stream().anyMatch(f -> !f.startsWith("http://") && !f.startsWith("https://"))) {
            return error(400, 1016, "A file to purge must be a full URL with its scheme");
        }
        String failing = failure;
        if (failing != null) {
            return error(200, 1100, failing);
        }
        synchronized (purges) {
            purges.add(new Purge(kind, List.copyOf(items)));
        }
        return new Answer(200, "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":{\"id\":\""
                + ids.incrementAndGet() + "\"}}");
    }

    private static Answer error(int status, int code, String message) {
        return new Answer(status, "{\"success\":false,\"errors\":[{\"code\":" + code + ",\"message\":"
                + Json.quote(message) + "}],\"messages\":[],\"result\":null}");
    }

    private static String first(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }

    @Override
    protected String rateLimited() {
        return error(429, 971, "Please wait and consider throttling your request speed").json();
    }

    /**
     * The purges Cloudflare accepted, in order.
     *
     * @return a copy, oldest first
     */
    public List<Purge> purges() {
        synchronized (purges) {
            return List.copyOf(purges);
        }
    }
}
