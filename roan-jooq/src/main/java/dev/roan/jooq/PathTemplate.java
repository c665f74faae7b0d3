package dev.roan.jooq;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A registered path, possibly with {@code {column}} placeholders: {@code /posts/{id}}.
 *
 * <p>Literal parts are normalised by {@link PurgePaths}. Each placeholder is filled with one value, which
 * is percent-encoded so that it fills exactly one path segment: a value holding {@code /}, {@code ?},
 * {@code #}, {@code %}, spaces, CR/LF or non-ASCII can never reach another path, a query or a header, and
 * a value of {@code .} or {@code ..} cannot climb out of its segment.
 */
final class PathTemplate {

    private final String pattern;
    /** Literal parts; {@code literals.size() == placeholders.size() + 1}. */
    private final List<String> literals;
    private final List<String> placeholders;

    private PathTemplate(String pattern, List<String> literals, List<String> placeholders) {
        this.pattern = pattern;
        this.literals = literals;
        this.placeholders = placeholders;
    }

    static PathTemplate parse(String path) {
        PurgePaths.checkStart(path);
        List<String> literals = new ArrayList<>();
        List<String> placeholders = new ArrayList<>();
        StringBuilder pattern = new StringBuilder(path.length());
        int start = 0;
        int open = path.indexOf('{');
        while (open >= 0) {
            int close = path.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" has a '{' without '}':"
                        + " write a placeholder as {column}, such as \"/posts/{id}\"");
            }
            String name = path.substring(open + 1, close);
            if (!isName(name)) {
                throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" has a placeholder {"
                        + PurgePaths.printable(name) + "} that is not a column name: use letters, digits and '_', such as"
                        + " {id} or {post_id}");
            }
            String literal = literal(path, start, open);
            literals.add(literal);
            placeholders.add(name);
            pattern.append(literal).append('{').append(name).append('}');
            start = close + 1;
            open = path.indexOf('{', start);
        }
        String rest = literal(path, start, path.length());
        literals.add(rest);
        pattern.append(rest);
        PurgePaths.checkDotSegments(pattern.toString(), path);
        return new PathTemplate(pattern.toString(), List.copyOf(literals), List.copyOf(placeholders));
    }

    private static String literal(String path, int from, int to) {
        String part = path.substring(from, to);
        if (part.indexOf('}') >= 0) {
            throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" has a '}' without '{':"
                    + " write a placeholder as {column}, such as \"/posts/{id}\"");
        }
        return PurgePaths.encodeLiteral(part, path);
    }

    private static boolean isName(String name) {
        if (name.isEmpty() || !(Character.isLetter(name.charAt(0)) || name.charAt(0) == '_')) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** The path as registered (normalised), placeholders included. */
    String pattern() {
        return pattern;
    }

    /** The path with each placeholder filled with {@code x}: what a purge URL built from it looks like. */
    String sample() {
        return String.join("x", literals);
    }

    boolean isStatic() {
        return placeholders.isEmpty();
    }

    List<String> placeholders() {
        return Collections.unmodifiableList(placeholders);
    }

    /**
     * Fills the placeholders from a row, or returns null if it cannot: {@link #missing} tells why.
     *
     * @param row values by column name, looked up case-insensitively by the caller's map
     */
    @Nullable
    String render(Map<String, ?> row) {
        if (placeholders.isEmpty()) {
            return pattern;
        }
        StringBuilder sb = new StringBuilder(pattern.length() + 16);
        for (int i = 0; i < placeholders.size(); i++) {
            sb.append(literals.get(i));
            Object value = row.get(placeholders.get(i));
            if (value == null || value == RowValues.NULL || value.getClass().isArray()) {
                return null;
            }
            appendSegment(sb, String.valueOf(value));
        }
        return sb.append(literals.get(placeholders.size())).toString();
    }

    /** Why a row cannot fill this template, for a row {@link #render} returned null for. */
    enum Miss {
        /** A placeholder's value is not known: the statement does not tell it. */
        UNKNOWN,
        /** A placeholder's value is SQL NULL: no page can exist for the row, so none is purged. */
        NULL,
        /** A placeholder's value is bytes (or another array), which no path can hold. */
        BINARY
    }

    /** Why {@code row} cannot fill this template; the first reason by placeholder, an unknown value first. */
    Miss missing(Map<String, ?> row) {
        Miss miss = Miss.NULL;
        for (String placeholder : placeholders) {
            Object value = row.get(placeholder);
            if (value == null) {
                return Miss.UNKNOWN;
            }
            if (value != RowValues.NULL && value.getClass().isArray()) {
                miss = Miss.BINARY;
            }
        }
        return miss;
    }

    /** The placeholders whose values {@code row} does not tell. */
    List<String> unknownIn(Map<String, ?> row) {
        List<String> unknown = new ArrayList<>(1);
        for (String placeholder : placeholders) {
            if (row.get(placeholder) == null) {
                unknown.add(placeholder);
            }
        }
        return unknown;
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters; {@code .} and {@code ..} too. */
    static void appendSegment(StringBuilder sb, String value) {
        if (value.equals(".") || value.equals("..")) {
            sb.append(value.equals(".") ? "%2E" : "%2E%2E");
            return;
        }
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                sb.append(c);
            } else {
                PurgePaths.appendEscaped(sb, b);
            }
        }
    }

    @Override
    public String toString() {
        return pattern;
    }
}
