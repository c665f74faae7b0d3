package dev.roan.jooq;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A Cloudflare zone, through Cloudflare's purge API: {@code POST {api}/client/v4/zones/{zoneId}/purge_cache} with
 * {@code {"tags": ["<tag>", ...]}} for dependencies (several when the dispatcher has a backlog: the API takes up to
 * {@link #MAX_TAGS} a request) and {@code {"files": ["<origin><path>"]}} for a page path. The token
 * travels as the transport's {@code Authorization: Bearer} header, so no message shows it. An answer is done only when
 * its JSON says {@code "success": true}; otherwise its {@code errors} are the reason. A 429 with {@code Retry-After}
 * is not retried at once: the node is probed again once that wait is over.
 */
final class CloudflarePurge extends ApiPurge {

    private static final Pattern SUCCESS = Pattern.compile("\"success\"\\s*:\\s*(true|false)");
    private static final Pattern ERROR = Pattern.compile(
            "\\{\\s*\"code\"\\s*:\\s*(\\d+)\\s*,\\s*\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** Errors a reason names; the rest are counted. */
    private static final int SHOWN_ERRORS = 3;

    /** Tags one purge names at most: Cloudflare's limit. */
    static final int MAX_TAGS = 100;

    private final String zoneId;
    private final URI uri;

    /**
     * @param apiUrl Cloudflare's API, {@code https://api.cloudflare.com} unless a test or proxy says otherwise
     * @param origin the site's public origin, such as {@code https://www.example.com}, or null to take keys only
     */
    CloudflarePurge(String apiUrl, String zoneId, @Nullable String origin) {
        super("Cloudflare", apiUrl, "https://api.cloudflare.com", "cloudflare", "Authorization: Bearer",
                "https://www.cloudflarestatus.com", origin);
        this.zoneId = zoneId;
        this.uri = URI.create(node(apiUrl, zoneId) + "/purge_cache");
    }

    /** The node's name in log lines, events and statuses: the zone's API, never the token. */
    static String node(String apiUrl, String zoneId) {
        return apiUrl + "/client/v4/zones/" + zoneId;
    }

    @Override
    public URI uri(String target) {
        if (!Dependency.isTarget(target)) {
            origin();
        }
        return uri;
    }

    @Override
    public HttpRequest.Builder request(HttpRequest.Builder base, String target) {
        return base.uri(uri(target)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(target)));
    }

    @Override
    public int keysPerRequest() {
        return MAX_TAGS;
    }

    @Override
    public HttpRequest.Builder keysRequest(HttpRequest.Builder base, List<String> targets) {
        StringBuilder body = new StringBuilder("{\"tags\":[");
        for (String tag : tags(targets, " ").split(" ")) {
            body.append(body.length() > 9 ? "," : "").append(json(tag));
        }
        body.append("]}");
        return base.uri(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    /** The JSON body: {@code {"tags":["roan-t-owners"]}} or {@code {"files":["https://www.example.com/owners"]}}. */
    String body(String target) {
        return Dependency.isTarget(target) ? "{\"tags\":[" + json(Dependency.ofTarget(target).tag()) + "]}"
                : "{\"files\":[" + json(origin() + target) + "]}";
    }

    @Override
    public boolean readsBody() {
        return true;
    }

    @Override
    public String method() {
        return "POST (Cloudflare purge_cache)";
    }

    @Override
    Verdict succeeded(int status, @Nullable String body) {
        Boolean success = success(body);
        if (Boolean.TRUE.equals(success)) {
            return Verdict.done("");
        }
        return Verdict.refused(success == null
                ? "HTTP " + status + " without \"success\": true (not Cloudflare's API: check cloudflareApiUrl, which"
                        + " should be https://api.cloudflare.com)"
                : "HTTP " + status + " with \"success\": false" + errors(body) + " (see Cloudflare's purge_cache"
                        + " documentation)");
    }

    @Override
    String rateHint() {
        return "Cloudflare limits purge requests per account: Roan waits as its Retry-After asks before it tries"
                + " again; a plan's limits are in Cloudflare's purge documentation";
    }

    @Override
    @Nullable String apiHint(int status) {
        return switch (status) {
            case 403 -> "the token may not purge zone " + zoneId + ": give it the Zone / Cache Purge permission on"
                    + " this zone";
            case 404 -> "Cloudflare knows no zone " + zoneId + ": check the zone id given to Roan.Builder.cloudflare";
            case 400 -> "Cloudflare refused the request: a URL must be of this zone (check Roan.Builder.publicOrigin),"
                    + " and an API token must be valid for it";
            default -> null;
        };
    }

    /** The answer's {@code success}, or null when it has none. */
    static @Nullable Boolean success(@Nullable String body) {
        if (body == null) {
            return null;
        }
        Matcher m = SUCCESS.matcher(body);
        return m.find() ? Boolean.valueOf(m.group(1)) : null;
    }

    /** The answer's errors as a reason shows them, {@code ": error 1134: ..."}, or empty. */
    @Override
    String errors(@Nullable String body) {
        if (body == null) {
            return "";
        }
        int at = body.indexOf("\"errors\"");
        if (at < 0) {
            return "";
        }
        List<String> shown = new ArrayList<>();
        int count = 0;
        Matcher m = ERROR.matcher(body);
        m.region(at, body.length());
        while (m.find()) {
            count++;
            if (shown.size() < SHOWN_ERRORS) {
                shown.add("error " + m.group(1) + ": " + unescape(m.group(2)));
            }
        }
        if (count == 0) {
            Matcher messages = MESSAGE.matcher(body);
            messages.region(at, body.length());
            while (messages.find()) {
                count++;
                if (shown.size() < SHOWN_ERRORS) {
                    shown.add(unescape(messages.group(1)));
                }
            }
        }
        if (shown.isEmpty()) {
            return "";
        }
        return ": " + PurgePaths.printable(String.join("; ", shown)) + (count > shown.size()
                ? " (and " + (count - shown.size()) + " more)" : "");
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                switch (next) {
                    case 'n', 'r', 't' -> out.append(' ');
                    case 'u' -> {
                        if (i + 4 < s.length()) {
                            try {
                                out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                                i += 4;
                            } catch (NumberFormatException e) {
                                out.append('?');
                            }
                        }
                    }
                    default -> out.append(next);
                }
            } else {
                out.append(c);
            }
        }
        return out.length() > 300 ? out.substring(0, 300) + "..." : out.toString();
    }

    /** A JSON string: the tags and URLs Roan sends are ASCII without quotes, but a path may hold a backslash. */
    private static String json(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    @Override
    public String toString() {
        return "Cloudflare zone " + zoneId + " at " + apiUrl();
    }
}
