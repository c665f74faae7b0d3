package dev.roan.jooq;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A Fastly service, through Fastly's purge API: a dependency with {@code POST {api}/service/{serviceId}/purge} and a
 * {@code Surrogate-Key} header naming its {@link Dependency#tag()} (several, separated by spaces, when the dispatcher
 * has a backlog: the API takes up to {@link #MAX_KEYS} a request), a page path with {@code POST {api}/purge/{host}{path}} of
 * the site's public origin. The token travels as the transport's {@code Fastly-Key} header, so no message shows it;
 * {@code Fastly-Soft-Purge: 1} asks for a soft purge. Any 2xx is done: Fastly answers {@code {"status": "ok"}} (a URL)
 * or the keys' purge ids.
 */
final class FastlyPurge extends ApiPurge {

    /** The header of Fastly's API token. */
    static final String TOKEN_HEADER = "Fastly-Key";

    /** Keys one purge names at most: Fastly's limit. */
    static final int MAX_KEYS = 256;

    private final String serviceId;
    private final boolean soft;

    /**
     * @param apiUrl Fastly's API, {@code https://api.fastly.com} unless a test or proxy says otherwise
     * @param origin the site's public origin, such as {@code https://www.example.com}, or null to take keys only
     */
    FastlyPurge(String apiUrl, String serviceId, @Nullable String origin, boolean soft) {
        super("Fastly", apiUrl, "https://api.fastly.com", "fastly", TOKEN_HEADER, "https://www.fastlystatus.com",
                origin);
        this.serviceId = serviceId;
        this.soft = soft;
    }

    /** The node's name in log lines, events and statuses: the service's purge API, never the token. */
    static String node(String apiUrl, String serviceId) {
        return apiUrl + "/service/" + serviceId;
    }

    @Override
    public URI uri(String target) {
        if (Dependency.isTarget(target)) {
            return URI.create(node(apiUrl(), serviceId) + "/purge");
        }
        return URI.create(apiUrl() + "/purge/" + URI.create(origin()).getRawAuthority() + target);
    }

    @Override
    public HttpRequest.Builder request(HttpRequest.Builder base, String target) {
        HttpRequest.Builder request = base.uri(uri(target)).POST(HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/json");
        if (soft) {
            request.header("Fastly-Soft-Purge", "1");
        }
        return Dependency.isTarget(target) ? request.header("Surrogate-Key", Dependency.ofTarget(target).tag())
                : request;
    }

    @Override
    public int keysPerRequest() {
        return MAX_KEYS;
    }

    @Override
    public HttpRequest.Builder keysRequest(HttpRequest.Builder base, List<String> targets) {
        String keys = tags(targets, " ");
        HttpRequest.Builder request = base.uri(URI.create(node(apiUrl(), serviceId) + "/purge"))
                .POST(HttpRequest.BodyPublishers.noBody()).header("Accept", "application/json");
        if (soft) {
            request.header("Fastly-Soft-Purge", "1");
        }
        return request.header("Surrogate-Key", keys);
    }

    @Override
    public String method() {
        return soft ? "POST (Fastly soft purge)" : "POST (Fastly purge)";
    }

    @Override
    String rateHint() {
        return "Fastly limits the rate of API requests of this token: Roan waits as its Retry-After asks before it"
                + " tries again; if it lasts, see Fastly's API rate limits";
    }

    @Override
    @Nullable String apiHint(int status) {
        return switch (status) {
            case 403 -> "the token may not purge service " + serviceId + ": give it the purge_select scope and"
                    + " access to this service";
            case 404 -> "Fastly knows no service " + serviceId + ", or no service serves the public origin's host:"
                    + " check the service id given to Roan.Builder.fastly and Roan.Builder.publicOrigin";
            case 400 -> "Fastly refused the request: more than 256 keys, or a key over 1,024 bytes";
            default -> null;
        };
    }

    @Override
    public String toString() {
        return "Fastly service " + serviceId + " at " + apiUrl();
    }
}
