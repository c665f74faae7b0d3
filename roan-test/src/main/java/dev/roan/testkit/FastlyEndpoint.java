package dev.roan.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local Fastly purge API for one service, as Fastly documents it (this machine has no network):
 * <ul>
 * <li>{@code POST /service/{service_id}/purge} with {@code Surrogate-Key: k1 k2 ...} (or a JSON body
 *     {@code {"surrogate_keys": [...]}}): up to 256 keys of up to 1,024 bytes; answers the keys' purge ids;</li>
 * <li>{@code POST /service/{service_id}/purge/{key}}: one key; answers {@code {"status": "ok", "id": ...}};</li>
 * <li>{@code POST /purge/{host}{path}}: one URL; answers {@code {"status": "ok", "id": ...}}.</li>
 * </ul>
 * Every request needs the {@code Fastly-Key} token (401 otherwise); another service is 404, too many or too long keys
 * 400, another method 405. {@code Fastly-Soft-Purge: 1} makes a purge soft. What was purged is kept for the test
 * ({@link #purges()}), and {@link #rateLimitNext} answers 429 with {@code Retry-After}. Give Roan its
 * {@link #apiUrl()} with {@code Roan.Builder.fastlyApiUrl}.
 *
 * @since 0.1.0
 */
public final class FastlyEndpoint extends RecordingApi {

    /** The most keys one request may purge. */
    public static final int MAX_KEYS = 256;
    /** The longest key, in bytes. */
    public static final int MAX_KEY_BYTES = 1024;

    /** A purge Fastly accepted: keys, or a URL ({@code host/path}, without scheme). */
    public record Purge(List<String> keys, String url, boolean soft) {}

    private final String serviceId;
    private final String token;
    private final List<Purge> purges = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(100);

    /**
     * Starts the API of service {@code serviceId}, which takes the API token {@code token}.
     *
     * @param serviceId the service whose purges it takes
     * @param token the {@code Fastly-Key} it accepts
     */
    public FastlyEndpoint(String serviceId, String token) {
        this.serviceId = serviceId;
        this.token = token;
    }

    @Override
    protected Answer answer(String method, String path, Map<String, List<String>> headers, String body) {
        String key = first(headers, "Fastly-Key");
        if (key == null || !key.equals(token)) {
            return new Answer(401, "{\"msg\":\"Provided credentials are missing or invalid\"}");
        }
        boolean soft = first(headers, "Fastly-Soft-Purge") != null;
        if (path.startsWith("/purge/")) {
            if (!method.equals("POST") && !method.equals("PURGE")) {
                return new Answer(405, "{\"msg\":\"Method not allowed\"}");
            }
            record(new Purge(List.of(), path.substring("/purge/".length()), soft));
            return new Answer(200, "{\"status\":\"ok\",\"id\":\"" + ids.incrementAndGet() + "\"}");
        }
        String prefix = "/service/";
        if (!path.startsWith(prefix) || path.indexOf("/purge", prefix.length()) < 0) {
            return new Answer(404, "{\"msg\":\"Record not found\"}");
        }
        String rest = path.substring(prefix.length());
        String id = rest.substring(0, rest.indexOf('/'));
        if (!id.equals(serviceId)) {
            return new Answer(404, "{\"msg\":\"Record not found\",\"detail\":\"Cannot find service '"
                    + id.replace("\"", "") + "'\"}");
        }
        if (!method.equals("POST")) {
            return new Answer(405, "{\"msg\":\"Method not allowed\"}");
        }
        String after = rest.substring(id.length());
        List<String> keys;
        if (after.equals("/purge")) {
            keys = keys(headers, body);
            if (keys == null) {
                return new Answer(400, "{\"msg\":\"Bad request\",\"detail\":\"Give the keys in a Surrogate-Key"
                        + " header or a JSON body {\\\"surrogate_keys\\\": [...]}\"}");
            }
        } else if (after.startsWith("/purge/") && after.length() > "/purge/".length()) {
            keys = List.of(after.substring("/purge/".length()));
        } else {
            return new Answer(404, "{\"msg\":\"Record not found\"}");
        }
        if (keys.isEmpty() || keys.size() > MAX_KEYS) {
            return new Answer(400, "{\"msg\":\"Bad request\",\"detail\":\"Between 1 and " + MAX_KEYS
                    + " keys a request, was " + keys.size() + "\"}");
        }
        for (String k : keys) {
            if (k.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
                return new Answer(400, "{\"msg\":\"Bad request\",\"detail\":\"A key is longer than " + MAX_KEY_BYTES
                        + " bytes\"}");
            }
        }
        record(new Purge(keys, null, soft));
        if (!after.equals("/purge")) {
            return new Answer(200, "{\"status\":\"ok\",\"id\":\"" + ids.incrementAndGet() + "\"}");
        }
        StringBuilder answer = new StringBuilder("{");
        for (String k : keys) {
            answer.append(answer.length() > 1 ? "," : "").append(Json.quote(k)).append(":\"")
                    .append(ids.incrementAndGet()).append('"');
        }
        return new Answer(200, answer.append('}').toString());
    }

    /** The keys of a bulk purge, from the header or the JSON body; null when neither names any. */
    @SuppressWarnings("unchecked")
    private static List<String> keys(Map<String, List<String>> headers, String body) {
        String header = first(headers, "Surrogate-Key");
        if (header != null && !header.isBlank()) {
            return Arrays.stream(header.trim().split(" +")).toList();
        }
        if (body.isBlank()) {
            return null;
        }
        try {
            Object json = Json.parse(body);
            if (json instanceof Map<?, ?> map && map.get("surrogate_keys") instanceof List<?> list
                    && list.stream().allMatch(String.class::isInstance)) {
                return (List<String>) list;
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }

    private void record(Purge purge) {
        synchronized (purges) {
            purges.add(purge);
        }
    }

    @Override
    protected String rateLimited() {
        return "{\"msg\":\"Too many requests\"}";
    }

    /**
     * The purges Fastly accepted, in order.
     *
     * @return a copy, oldest first
     */
    public List<Purge> purges() {
        synchronized (purges) {
            return List.copyOf(purges);
        }
    }
}
