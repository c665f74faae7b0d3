package dev.roan.jooq;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A registered path, possibly with {@code {column}} placeholders: {@code /posts/{id}}, {@code /owners?lastName={last_name}}.
 *
 * <p>Literal parts are normalised by {@link PurgePaths}. Each placeholder is filled with one value. In the path, it
 * is percent-encoded so that it fills exactly one path segment: a value holding {@code /}, {@code ?},
 * {@code #}, {@code %}, spaces, CR/LF or non-ASCII can never reach another path, a query or a header, and
 * a value of {@code .} or {@code ..} cannot climb out of its segment. In the query (after the first {@code ?}), it
 * fills one parameter value as a browser's form sends it, {@code application/x-www-form-urlencoded}: a space as
 * {@code +}, everything but {@code A-Z a-z 0-9 * - . _} percent-encoded, so a value holding {@code &}, {@code =},
 * {@code +}, {@code %} or {@code #} never reaches another parameter. A literal space in the query is a {@code +}
 * too, as a browser sends it.
 */
final class PathTemplate {

    private final String pattern;
    /** Literal parts; {@code literals.size() == placeholders.size() + 1}. */
    private final List<String> literals;
    private final List<String> placeholders;
    /** The index of the first placeholder in the query; {@code placeholders.size()} if none is. */
    private final int firstInQuery;

    private PathTemplate(String pattern, List<String> literals, List<String> placeholders, int firstInQuery) {
        this.pattern = pattern;
        this.literals = literals;
        this.placeholders = placeholders;
        this.firstInQuery = firstInQuery;
    }

    static PathTemplate parse(String path) {
        PurgePaths.checkStart(path);
        List<String> literals = new ArrayList<>();
        List<String> placeholders = new ArrayList<>();
        StringBuilder pattern = new StringBuilder(path.length());
        // Placeholder names hold no '?': the first one starts the query.
        int query = path.indexOf('?');
        int firstInQuery = -1;
        int start = 0;
        int open = path.indexOf('{');
        while (open != -1) {
            int close = path.indexOf('}', open);
            if (close == -1) {
                throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" has a '{' without '}':"
                        + " write a placeholder as {column}, such as \"/posts/{id}\"");
            }
            String name = path.substring(open + 1, close);
            if (!isName(name)) {
                throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" has a placeholder {"
                        + PurgePaths.printable(name) + "} that is not a column name: use letters, digits and '_', such as"
                        + " {id} or {post_id}");
            }
            String literal = literal(path, start, open, query);
            literals.add(literal);
            if (query != -1 && open > query && firstInQuery < 0) {
                firstInQuery = placeholders.size();
            }
            placeholders.add(name);
            pattern.append(literal).append('{').append(name).append('}');
            start = close + 1;
            open = path.indexOf('{', start);
        }
        String rest = literal(path, start, path.length(), query);
        literals.add(rest);
        pattern.append(rest);
        PurgePaths.checkDotSegments(pattern.toString(), path);
        checkQuery(pattern.toString(), path);
        return new PathTemplate(pattern.toString(), List.copyOf(literals), List.copyOf(placeholders),
                firstInQuery < 0 ? placeholders.size() : firstInQuery);
    }

    /**
     * @param query where the query starts in {@code path}, or -1: a space after it is a {@code +}, as a browser's
     *              form sends it
     */
    private static String literal(String path, int from, int to, int query) {
        String part = path.substring(from, to);
        if (part.contains("}")) {
            throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" has a '}' without '{':"
                    + " write a placeholder as {column}, such as \"/posts/{id}\"");
        }
        if (query != -1 && to > query) {
            int at = Math.max(0, query - from);
            part = part.substring(0, at) + part.substring(at).replace(' ', '+');
        }
        return PurgePaths.encodeLiteral(part, path);
    }

    /**
     * Refuses a query that no browser sends and that cannot be filled as one: an empty parameter ({@code a=1&&b=2},
     * a trailing {@code &}), an empty name ({@code ?=x}), a placeholder in a name ({@code ?{column}=x}), whose
     * value would name a parameter rather than fill one.
     */
    private static void checkQuery(String pattern, String path) {
        int query = pattern.indexOf('?');
        if (query == -1 || query == pattern.length() - 1) {
            // No query, or an empty one: what a GET form without fields sends.
            return;
        }
        for (String parameter : pattern.substring(query + 1).split("&", -1)) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            if (parameter.isEmpty()) {
                throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" has an empty parameter"
                        + " in its query ('&' at its start or end, or '&&'): write the parameters as a browser sends"
                        + " them, name=value joined by '&', such as \"/search?q={title}&page=1\"");
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" has a query parameter"
                        + " without a name (\"" + PurgePaths.printable(parameter) + "\"): write name=value, such as"
                        + " \"/owners?lastName={last_name}\"");
            }
            if (name.indexOf('{') >= 0) {
                throw new IllegalArgumentException("path \"" + PurgePaths.printable(path) + "\" has a placeholder in"
                        + " the name of a query parameter (\"" + PurgePaths.printable(name) + "\"): a row's value fills"
                        + " a parameter's value only, such as \"/owners?lastName={last_name}\"");
            }
        }
    }

    /** Whether a column's name can be a placeholder: a letter or {@code _}, then letters, digits or {@code _}. */
    static boolean isName(String name) {
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
            if (i < firstInQuery) {
                appendSegment(sb, String.valueOf(value));
            } else {
                appendFormValue(sb, String.valueOf(value));
            }
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

    /**
     * Encodes a query parameter's value as a browser's form does ({@code application/x-www-form-urlencoded}, as
     * WHATWG's URL standard and {@code java.net.URLEncoder} with UTF-8 write it): a space as {@code +}, every byte
     * but {@code A-Z a-z 0-9 * - . _} as upper-case {@code %XX}.
     */
    static void appendFormValue(StringBuilder sb, String value) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*' || c == '-'
                    || c == '.' || c == '_') {
                sb.append(c);
            } else if (c == ' ') {
                sb.append('+');
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
