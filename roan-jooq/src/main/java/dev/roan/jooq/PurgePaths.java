package dev.roan.jooq;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Validates and normalises the paths users register, once, at registration.
 *
 * <p>A path is sent verbatim after the purge URL, so it must be a valid URI path: characters that are
 * not allowed in a URI (a space, non-ASCII letters, {@code "<>\^`{|}}) are percent-encoded as UTF-8,
 * existing {@code %XX} escapes are kept. Control characters (CR, LF, ...) and {@code #} are rejected:
 * they would split the request or never reach the cache.
 */
final class PurgePaths {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PurgePaths() {}

    static String normalize(String path) {
        checkStart(path);
        return encodeLiteral(path, path);
    }

    static void checkStart(@Nullable String path) {
        if (path == null) {
            throw new IllegalArgumentException("path is null: pass the page path to purge, such as \"/posts\"");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(
                    "path \"" + printable(path) + "\" must start with '/': write \"/" + printable(path) + "\"");
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
            int end = Character.isHighSurrogate(c) && i + 1 < part.length() ? i + 2 : i + 1;
            for (byte b : part.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
            i = end - 1;
        }
        return out == null ? part : out.toString();
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

    /** The value as it may appear in a message: control characters shown, never interpreted. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
