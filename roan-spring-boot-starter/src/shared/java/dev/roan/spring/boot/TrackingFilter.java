package dev.roan.spring.boot;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.roan.jooq.Roan;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;
import org.springframework.web.util.WebUtils;

/**
 * Renders every GET and HEAD request inside {@link Roan#track}, under the URL a cache keys the page by (the path and
 * query exactly as the client sent them), so that Roan learns what the page read and purges it when a committed
 * write changes that.
 *
 * <p>The body is buffered until the render ends: the tag header a cache with tags needs (Varnish {@code xkey}, a
 * CDN's surrogate keys) is known only then, and headers cannot follow a body once it is on the wire. Every answer
 * the render produced carries it, a 404 or a redirect too: a cache that stores those must be able to purge them, and
 * one that does not ignores the header. An answer already committed inside the render ({@code sendError},
 * {@code sendRedirect}, which Spring MVC's own handlers rarely use) goes out as it is, without the header; a render
 * that throws leaves the error to the container, which never caches it here.
 *
 * <p>A request that goes asynchronous is answered correctly but its reads after the first dispatch run on other
 * threads, which Roan does not see: logged once, at WARN.
 *
 * <p>Nothing about the request is logged: its URL may carry a secret (a token in a path or a query).
 */
final class TrackingFilter extends OncePerRequestFilter {

    private static final System.Logger LOG = System.getLogger(TrackingFilter.class.getName());

    private final Roan roan;
    private final AtomicBoolean warnedAsync = new AtomicBoolean();
    private final AtomicBoolean warnedUrl = new AtomicBoolean();

    /** Path prefixes left untracked, each without a trailing slash. */
    private final List<String> excluded;

    TrackingFilter(Roan roan, List<String> exclude) {
        this.roan = roan;
        this.excluded = exclude.stream().map(TrackingFilter::prefix).toList();
    }

    /**
     * A prefix of {@code roan.track.exclude} as the filter matches it.
     *
     * @throws IllegalArgumentException if it does not start with {@code /}
     */
    static String prefix(String path) {
        String trimmed = path.strip();
        if (!trimmed.startsWith("/")) {
            throw new IllegalArgumentException("roan.track.exclude takes path prefixes starting with /, such as"
                    + " /actuator or /downloads");
        }
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }

    /** Whether the request's path, without the context path, is one {@code roan.track.exclude} leaves alone. */
    boolean excluded(HttpServletRequest request) {
        if (excluded.isEmpty()) {
            return false;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        for (String prefix : excluded) {
            if (path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/'
                    || prefix.isEmpty())) {
                return true;
            }
        }
        return false;
    }

    /** The page as a cache keys it: nginx's {@code $request_uri}, Varnish's {@code req.url}, undecoded. */
    static String url(HttpServletRequest request) {
        String query = request.getQueryString();
        return query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query;
    }

    /** Only GET and HEAD are cached pages; other methods write and pass untouched. */
    static boolean tracked(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    /** The asynchronous part of a tracked request must still copy the buffered body out (see below). */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isAsyncDispatch(request)) {
            // The end of a request whose first dispatch this filter tracked: its body went to our buffer.
            chain.doFilter(request, response);
            ContentCachingResponseWrapper buffered =
                    WebUtils.getNativeResponse(response, ContentCachingResponseWrapper.class);
            if (buffered != null && !isAsyncStarted(request)) {
                buffered.copyBodyToResponse();
            }
            return;
        }
        if (!tracked(request.getMethod()) || excluded(request)) {
            chain.doFilter(request, response);
            return;
        }
        ContentCachingResponseWrapper buffered = new ContentCachingResponseWrapper(response);
        List<Map.Entry<String, String>> headers = new ArrayList<>(1);
        AtomicBoolean rendered = new AtomicBoolean();
        try {
            roan.track(url(request), () -> {
                rendered.set(true);
                return render(chain, request, buffered);
            }, (name, value) -> headers.add(Map.entry(name, value)));
        } catch (IllegalArgumentException e) {
            if (rendered.get()) {
                throw e;
            }
            // Roan refuses a URL no purge can name (a control character, say): the page is answered untracked,
            // and a cache should not keep it. Neither the URL nor Roan's message (which quotes it) is logged: it
            // may hold a secret.
            if (warnedUrl.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Roan cannot track a GET request whose URL no purge can name (not shown: it"
                        + " may hold a secret); answered untracked, so keep such URLs out of the cache. Logged once");
            }
            chain.doFilter(request, response);
            return;
        } catch (Rendering e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (ServletException) e.getCause();
        }
        if (!buffered.isCommitted()) {
            headers.forEach(header -> buffered.setHeader(header.getKey(), header.getValue()));
        }
        if (isAsyncStarted(request)) {
            if (warnedAsync.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Roan tracks the reads of a GET request's first dispatch only: a handler"
                        + " answered one asynchronously (a Callable, DeferredResult or streaming body), and the reads"
                        + " it makes on other threads are not seen, so that page may stay stale in the cache."
                        + " Answer cached pages synchronously, or keep such responses out of the cache."
                        + " Logged once");
            }
            return;
        }
        buffered.copyBodyToResponse();
    }

    private static Void render(FilterChain chain, HttpServletRequest request, HttpServletResponse response) {
        try {
            chain.doFilter(request, response);
            return null;
        } catch (IOException | ServletException e) {
            throw new Rendering(e);
        }
    }

    /** Carries the chain's checked exception through {@code track}'s {@code Supplier}. */
    private static final class Rendering extends RuntimeException {

        private static final long serialVersionUID = 1L;

        Rendering(Exception cause) {
            super(null, cause, false, false);
        }
    }
}
