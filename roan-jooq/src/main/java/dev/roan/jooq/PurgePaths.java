package dev.roan.jooq;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Validates and normalises the paths users register, once, at registration.
 *
 * <p>A path is sent verbatim after the purge URL, so it must be a valid URI path: characters that are
 * not allowed in a URI (a space, non-ASCII letters, {@code "<>\^`{|}}) are percent-encoded as UTF-8,
 * existing {@code %XX} escapes are kept. Control characters (CR, LF, ...) and {@code #} are rejected:
 * they would split the request or never reach the cache. So are paths that are not what the user meant
 * or that a cache rewrites before it looks them up: leading or trailing whitespace, dot segments
 * ({@code /a/../b}, which caches resolve to {@code /b}), lone surrogates, and purge requests longer than
 * {@link #MAX_REQUEST_TARGET}.
 */
final class PurgePaths {

    /**
     * The longest request target (purge URL path plus page path, percent-encoded) a purge may have. nginx
     * reads a request line into one of its {@code large_client_header_buffers}, 8 KB by default, and answers
     * 414 when it does not fit; Varnish's {@code http_req_hdr_len} is 8 KB too. 8,000 leaves room for the
     * method and {@code HTTP/1.1} in that buffer.
     */
    static final int MAX_REQUEST_TARGET = 8_000;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final char[] LOWER_HEX = "0123456789abcdef".toCharArray();
    /** How much of a SQL statement a log line shows. */
    private static final int MAX_SQL_IN_MESSAGE = 200;

    private PurgePaths() {}

    static String normalize(String path) {
        checkStart(path);
        return encodeLiteral(path, path);
    }

    static void checkStart(@Nullable String path) {
        if (path == null) {
            throw new IllegalArgumentException("path is null: pass the page path to purge, such as \"/posts\"");
        }
        if (!path.isEmpty() && (isSpace(path.charAt(0)) || isSpace(path.charAt(path.length() - 1)))) {
            String trimmed = trimSpace(path);
            String fix = trimmed.startsWith("/") ? trimmed : "/" + trimmed;
            throw new IllegalArgumentException("path \"" + printable(path) + "\" " + (isSpace(path.charAt(0))
                    ? "starts" : "ends") + " with whitespace, which would be sent as part of the path (%20): write \""
                    + printable(fix) + "\", or %20 where the page path really holds a space");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(
                    "path \"" + printable(path) + "\" must start with '/': write \"/" + printable(path) + "\"");
        }
    }

    /** Whitespace in the broad sense: what {@code strip()} removes, and no-break and other Unicode spaces. */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static String trimSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * Refuses a path with a {@code .} or {@code ..} segment (also spelled {@code %2E}): nginx, Varnish and
     * every browser resolve them before a page is cached, so the page is never at that path.
     *
     * @param pattern the normalised path, placeholders included (which are never dot segments)
     * @param path    the registered path, for messages
     */
    static void checkDotSegments(String pattern, String path) {
        int query = pattern.indexOf('?');
        String pathPart = query == -1 ? pattern : pattern.substring(0, query);
        String[] segments = pathPart.split("/", -1);
        boolean found = false;
        for (String segment : segments) {
            found |= isDotSegment(segment);
        }
        if (!found) {
            return;
        }
        // RFC 3986's remove_dot_segments, to suggest the path a cache would see.
        List<String> kept = new ArrayList<>();
        for (int i = 1; i < segments.length; i++) {
            String dots = segments[i].replace("%2e", ".").replace("%2E", ".");
            boolean last = i == segments.length - 1;
            if (dots.equals("..") && !kept.isEmpty()) {
                kept.remove(kept.size() - 1);
            }
            if (!dots.equals(".") && !dots.equals("..")) {
                kept.add(segments[i]);
            } else if (last) {
                kept.add("");
            }
        }
        String suggestion = "/" + String.join("/", kept) + (query < 0 ? "" : pattern.substring(query));
        throw new IllegalArgumentException("path \"" + printable(path) + "\" has a dot segment (. or ..), which caches"
                + " and browsers resolve before the page is cached, so no page has this path: write \""
                + printable(suggestion) + "\"");
    }

    private static boolean isDotSegment(String segment) {
        String dots = segment.replace("%2e", ".").replace("%2E", ".");
        return dots.equals(".") || dots.equals("..");
    }

    /** The length of a URI's request target: its path and query, as sent in the request line. */
    static int requestTarget(URI uri) {
        String query = uri.getRawQuery();
        return uri.getRawPath().length() + (query == null ? 0 : 1 + query.length());
    }

    /**
     * Refuses a path whose purge request would be longer than {@link #MAX_REQUEST_TARGET}.
     *
     * @param target the length of the request target of the longest purge URL with this path
     * @param path   the registered path, for messages
     */
    static void checkLength(int target, String path) {
        if (target > MAX_REQUEST_TARGET) {
            throw new IllegalArgumentException("path \"" + printable(abbreviate(path, 60)) + "\" (" + path.length()
                    + " characters) makes a purge request target of " + target + " characters, more than the "
                    + MAX_REQUEST_TARGET + " a cache accepts in a request line (nginx answers 414 beyond 8 KB):"
                    + " purge a shorter path, such as the page's list or a key of it");
        }
    }

    /**
     * Percent-encodes what a URI path cannot hold in a literal part of a path.
     *
     * @param part the literal part
     * @param path the whole registered path, for messages
     */
    static String encodeLiteral(String part, String path) {
        StringBuilder out = null;
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new IllegalArgumentException("path \"" + printable(path) + "\" contains a control character"
                        + " (such as CR or LF): remove it");
            }
            if (c == '#') {
                throw new IllegalArgumentException("path \"" + printable(path) + "\" contains '#': a fragment never"
                        + " reaches the cache; remove it, or write %23 if the page path really contains '#'");
            }
            boolean keep = isAllowed(c) || (c == '%' && isEscape(part, i));
            if (keep) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(part.length() + 16).append(part, 0, i);
            }
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < part.length()
                    && Character.isLowSurrogate(part.charAt(i + 1)))) {
                throw new IllegalArgumentException("path \"" + printable(path) + "\" holds a lone surrogate (\\u"
                        + String.format("%04x", (int) c) + "), half of a character, as a string cut in the middle of"
                        + " an emoji or other character beyond U+FFFF would: remove it or give the whole character");
            }
            int end = Character.isHighSurrogate(c) ? i + 2 : i + 1;
            for (byte b : part.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                appendEscaped(out, b);
            }
            i = end - 1;
        }
        return out == null ? part : out.toString();
    }

    /** Appends one byte as an upper-case {@code %XX} escape, the form Roan sends (and the README asks links to use). */
    static void appendEscaped(StringBuilder sb, byte b) {
        sb.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
    }

    /** Characters a URI path (and query) may hold unescaped, RFC 3986. */
    private static boolean isAllowed(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0;
    }

    private static boolean isEscape(String s, int i) {
        return i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2));
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /**
     * The value as it may appear in a message or log line: control characters (C0, DEL, C1 such as U+0085
     * NEXT LINE), the line and paragraph separators U+2028 and U+2029, bidirectional controls (which
     * reorder what a terminal shows) and lone surrogates are shown escaped, never interpreted.
     */
    static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean escape = needsEscape(c) || (Character.isHighSurrogate(c)
                    ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1))));
            if (!escape) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else {
                sb.append("\\u").append(LOWER_HEX[(c >> 12) & 0xf]).append(LOWER_HEX[(c >> 8) & 0xf])
                        .append(LOWER_HEX[(c >> 4) & 0xf]).append(LOWER_HEX[c & 0xf]);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029
                // Bidirectional controls: ALM, LRM, RLM, LRE..RLO, LRI..PDI.
                || c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }

    /** A SQL statement for a log line: on one line, printable, at most 200 characters. */
    static String abbreviate(String sql) {
        return printable(abbreviate(sql.replaceAll("\\s+", " ").trim(), MAX_SQL_IN_MESSAGE));
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
