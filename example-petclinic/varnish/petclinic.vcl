vcl 4.1;
# Varnish with xkey (varnish-modules) in front of the petclinic in tracked mode: pages are cached forever, each
# carrying its dependencies in an xkey header that Roan's tracked render adds, and dropped when Roan purges a key.
#
#   varnishd -F -a 127.0.0.1:6081 -f "$PWD/example-petclinic/varnish/petclinic.vcl" -n "$(mktemp -d)"
#
# Needs varnish-modules (Debian/Ubuntu: apt-get install varnish varnish-modules). The application runs with the
# profiles "tracked,varnish" (application-varnish.properties: roan.xkey-purge-url=http://127.0.0.1:6081).

import xkey;

backend petclinic {
    .host = "127.0.0.1";
    .port = "8080";
}

# Who may purge: Roan, on this machine. Anyone else's PURGE is refused.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # Roan's purge of dependencies: "PURGE /" with xkey-purge naming keys, separated by spaces. Every page that
        # carries one of them goes, whatever its URL.
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged " + req.http.n-gone));
        }
        # Roan's soft purge (softPurge(true)): the pages stay, stale, for their grace period.
        if (req.http.xkey-softpurge) {
            set req.http.n-gone = xkey.softpurge(req.http.xkey-softpurge);
            return (synth(200, "Soft-purged " + req.http.n-gone));
        }
        # A rule's page path: PURGE /owners/4 drops that URL.
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # A visitor's own pages are not everyone's: requests with a session cookie (the servlet container's JSESSIONID,
    # Spring Session's SESSION; name your application's) or credentials are neither answered from the cache nor
    # stored. Other cookies (analytics) do not make a page private: dropped, so that the page is cached.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(JSESSIONID|SESSION)=") {
        return (pass);
    }
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Forever: only a purge makes the next request a miss. Varnish stores 200s and a few other statuses (404, 301,
    # 302 among them); tracked renders give each its keys, so a 404 is purged when its row appears.
    if (beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        return (deliver);
    }
    set beresp.ttl = 3650d;
    set beresp.grace = 0s;
    return (deliver);
}

sub vcl_deliver {
    # The cache's verdict, as nginx's configuration shows it.
    if (obj.hits > 0) {
        set resp.http.X-Cache-Status = "HIT";
    } else {
        set resp.http.X-Cache-Status = "MISS";
    }
    # The keys are Varnish's business, not the reader's.
    unset resp.http.xkey;
}
