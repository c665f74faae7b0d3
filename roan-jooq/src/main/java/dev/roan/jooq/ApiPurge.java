package dev.roan.jooq;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A CDN's purge API ({@link FastlyPurge}, {@link CloudflarePurge}): what such APIs share. Keys always; page paths only
 * by the site's public URL, so only with a public origin; a token in a header of the transport's, which no message
 * shows; a 429 whose {@code Retry-After} the dispatcher waits out rather than the transport retrying; and the hints
 * every API's refusals share. The subclass adds its requests, its rate limit, and the refusals of its own.
 */
abstract class ApiPurge extends HintedProtocol {

    private final String cdn;
    private final String apiUrl;
    private final String defaultApiUrl;
    private final String builderMethod;
    private final String tokenSentAs;
    private final String statusPage;
    private final @Nullable String origin;

    /**
     * @param cdn the CDN's name in messages, such as {@code "Fastly"}
     * @param builderMethod the builder method that configures it, such as {@code "fastly"}; its API URL's is
     *     {@code <builderMethod>ApiUrl}
     * @param tokenSentAs how the token travels, such as {@code "Fastly-Key"}
     * @param statusPage where the CDN says whether its API is up
     * @param origin the site's public origin, such as {@code https://www.example.com}, or null to take keys only
     */
    ApiPurge(String cdn, String apiUrl, String defaultApiUrl, String builderMethod, String tokenSentAs,
            String statusPage, @Nullable String origin) {
        this.cdn = cdn;
        this.apiUrl = apiUrl;
        this.defaultApiUrl = defaultApiUrl;
        this.builderMethod = builderMethod;
        this.tokenSentAs = tokenSentAs;
        this.statusPage = statusPage;
        this.origin = origin;
    }

    final String apiUrl() {
        return apiUrl;
    }

    @Override
    public final boolean takes(String target) {
        return Dependency.isTarget(target) || origin != null;
    }

    /**
     * The site's public origin, which a page path is purged under.
     *
     * @throws IllegalArgumentException saying to set it, when there is none
     */
    final String origin() {
        String site = origin;
        if (site == null) {
            throw new IllegalArgumentException(cdn + " purges a page by its public URL: set"
                    + " Roan.Builder.publicOrigin, such as publicOrigin(\"https://www.example.com\")");
        }
        return site;
    }

    /**
     * The tags of several keys, joined by {@code separator}.
     *
     * @throws IllegalArgumentException for a target that is no key: a page path goes alone
     */
    static String tags(List<String> targets, String separator) {
        StringBuilder tags = new StringBuilder(targets.size() * 24);
        for (String target : targets) {
            if (!Dependency.isTarget(target)) {
                throw new IllegalArgumentException("a page path is purged alone, not with keys: " + target);
            }
            if (tags.length() > 0) {
                tags.append(separator);
            }
            tags.append(Dependency.ofTarget(target).tag());
        }
        return tags.toString();
    }

    @Override
    final boolean rateLimitRetried() {
        return false;
    }

    @Override
    final String failedHint() {
        return cdn + "'s API failed each time: see " + statusPage;
    }

    @Override
    final String redirectHint() {
        return "set " + builderMethod + "ApiUrl to the API itself, " + defaultApiUrl + " by default";
    }

    @Override
    final String refusedHint(int status) {
        if (status == 401) {
            return cdn + " refused the token: give Roan.Builder." + builderMethod + " a valid API token (sent as "
                    + tokenSentAs + "), not expired nor revoked";
        }
        String own = apiHint(status);
        return own != null ? own
                : "check " + builderMethod + "ApiUrl, which should be " + cdn + "'s API, " + defaultApiUrl;
    }

    /** The hint of a refusal this API words its own way (403, 404, 400), or null for the common one. */
    abstract @Nullable String apiHint(int status);
}
