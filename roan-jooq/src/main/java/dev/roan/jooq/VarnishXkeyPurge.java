package dev.roan.jooq;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

/**
 * Varnish with varnish-modules' xkey: a dependency is purged with {@code PURGE {url}/} and an {@code xkey-purge} header
 * naming its {@link Dependency#tag()} ({@code xkey-softpurge} for a soft purge), which the VCL hands to
 * {@code xkey.purge} (or {@code xkey.softpurge}); a page path with {@code PURGE {url}{path}}, which the same VCL
 * answers with {@code return (purge)}. The README, "Purging the way your cache wants it", shows that VCL.
 *
 * <p>Keys go several to a request when the dispatcher has a backlog: one header naming them separated by spaces,
 * which {@code xkey.purge} splits (varnish-modules' documentation: keys separated by spaces and/or commas), at most
 * {@link #MAX_KEYS} of them so that the header stays well within Varnish's {@code http_req_hdr_len} (8 KB by default).
 */
final class VarnishXkeyPurge extends HintedProtocol {

    /** The request header of a purge, and of a soft purge, as the README's VCL reads them. */
    static final String PURGE_HEADER = "xkey-purge";
    static final String SOFT_PURGE_HEADER = "xkey-softpurge";

    private static final String VCL = "a vcl_recv that imports xkey and, for PURGE from this host, calls"
            + " xkey.purge(req.http.xkey-purge) (xkey.softpurge(req.http.xkey-softpurge) for soft purges) and"
            + " returns (purge) for other PURGEs (see the README, \"Purging the way your cache wants it\", Varnish"
            + " xkey)";

    /** Keys one purge names at most: 64 table keys of 63-character names and their spaces fit in 4.6 KB. */
    static final int MAX_KEYS = 64;

    private final String url;
    private final String header;

    /**
     * @param url the Varnish node's address, such as {@code http://cache:6081}, without trailing slash
     * @param soft whether keys are soft-purged (marked stale) rather than removed
     */
    VarnishXkeyPurge(String url, boolean soft) {
        this.url = url;
        this.header = soft ? SOFT_PURGE_HEADER : PURGE_HEADER;
    }

    @Override
    public boolean takes(String target) {
        return true;
    }

    @Override
    public URI uri(String target) {
        return URI.create(url + (Dependency.isTarget(target) ? "/" : target));
    }

    @Override
    public HttpRequest.Builder request(HttpRequest.Builder base, String target) {
        HttpRequest.Builder request = base.uri(uri(target)).method("PURGE", HttpRequest.BodyPublishers.noBody());
        return Dependency.isTarget(target) ? request.header(header, Dependency.ofTarget(target).tag()) : request;
    }

    @Override
    public int keysPerRequest() {
        return MAX_KEYS;
    }

    @Override
    public HttpRequest.Builder keysRequest(HttpRequest.Builder base, List<String> targets) {
        return base.uri(uri(targets.get(0))).method("PURGE", HttpRequest.BodyPublishers.noBody())
                .header(header, ApiPurge.tags(targets, " "));
    }

    @Override
    public String method() {
        return "PURGE " + header;
    }

    @Override
    String rateHint() {
        return "something in front of Varnish limits the rate of requests from this host: exempt purges from it";
    }

    @Override
    String failedHint() {
        return "Varnish failed each time: see varnishlog; a VCL that calls xkey without 'import xkey;' does not"
                + " even load";
    }

    @Override
    String redirectHint() {
        return "give xkeyPurgeUrls the Varnish address itself, such as http://cache:6081";
    }

    @Override
    String refusedHint(int status) {
        return switch (status) {
            case 401, 403, 405 -> "Varnish refused the purge: it needs " + VCL + ", with this host in the ACL it"
                    + " checks";
            case 400, 413, 414, 431 -> "Varnish refused the request: raise http_req_hdr_len or http_req_size if"
                    + " headers set with Roan.Builder.header are long, else check " + VCL;
            default -> "check that Varnish has " + VCL;
        };
    }

    @Override
    public String toString() {
        return "PURGE " + url + " " + header + ": {tag}";
    }
}
