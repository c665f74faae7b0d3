package dev.roan.jooq;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jooq.Query;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jspecify.annotations.Nullable;

/**
 * Reading the head of SQL text, where jOOQ's parser or query object model cannot help: the target of a MERGE
 * (no model before jOOQ 3.20) or of jOOQ's own renderings of it, MySQL's statement modifiers, REPLACE, and a
 * conservative guess for statements the parser cannot read at all.
 */
final class SqlText {

    /** MySQL and MariaDB modifiers between the verb and the table, which jOOQ's parser misreads or rejects. */
    private static final Set<String> MODIFIERS = Set.of("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "QUICK", "IGNORE");
    private static final Set<String> WRITE_VERBS = Set.of("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE",
            "UPSERT");
    /** How many distinct names a statement the parser cannot read may purge for. */
    private static final int MAX_GUESSED_NAMES = 64;

    private SqlText() {}

    /** The first word of the statement, upper case, or null. */
    @Nullable
    static String verb(String sql) {
        String word = new Tokens(sql).word();
        return word == null ? null : word.toUpperCase(Locale.ROOT);
    }

    static boolean isWrite(String sql) {
        String verb = verb(sql);
        return verb != null && WRITE_VERBS.contains(verb);
    }

    /**
     * The statement as jOOQ's parser reads it: MySQL's {@code LOW_PRIORITY}, {@code DELAYED},
     * {@code HIGH_PRIORITY}, {@code QUICK} and {@code IGNORE} after the verb removed, and {@code REPLACE} read
     * as {@code INSERT} ([#10171]: jOOQ does not parse REPLACE). Only the detection reads this text; the
     * database runs the original.
     */
    static String readable(String sql) {
        Tokens tokens = new Tokens(sql);
        int verbStart = tokens.skipSpace();
        String verb = tokens.word();
        if (verb == null) {
            return sql;
        }
        String upper = verb.toUpperCase(Locale.ROOT);
        if (!upper.equals("INSERT") && !upper.equals("UPDATE") && !upper.equals("DELETE") && !upper.equals("REPLACE")) {
            return sql;
        }
        int afterVerb = tokens.position();
        int rest = afterVerb;
        while (true) {
            tokens.skipSpace();
            int before = tokens.position();
            String word = tokens.word();
            if (word == null || !MODIFIERS.contains(word.toUpperCase(Locale.ROOT))) {
                rest = before;
                break;
            }
        }
        String head = upper.equals("REPLACE") ? "INSERT" : sql.substring(verbStart, afterVerb);
        if (rest == afterVerb && !upper.equals("REPLACE")) {
            return sql;
        }
        String tail = sql.substring(rest);
        if (upper.equals("REPLACE") && !startsWithWord(tail, "INTO")) {
            // REPLACE post SET ... / REPLACE post (a, b) VALUES ...
            tail = "INTO " + tail;
        }
        return sql.substring(0, verbStart) + head + " " + tail;
    }

    static boolean isReplace(String sql) {
        return "REPLACE".equals(verb(sql));
    }

    private static boolean startsWithWord(String s, String word) {
        String trimmed = s.stripLeading();
        return trimmed.regionMatches(true, 0, word, 0, word.length())
                && (trimmed.length() == word.length() || !Character.isLetterOrDigit(trimmed.charAt(word.length())));
    }

    /**
     * The table a statement that begins with {@code MERGE INTO}, {@code INSERT INTO}, {@code REPLACE INTO} or
     * {@code UPSERT INTO} writes: jOOQ renders a MERGE as an INSERT ... ON DUPLICATE KEY UPDATE for MySQL.
     */
    @Nullable
    static Table<?> target(String sql) {
        Tokens tokens = new Tokens(sql);
        String verb = tokens.word();
        if (verb == null) {
            return null;
        }
        String upper = verb.toUpperCase(Locale.ROOT);
        if (!upper.equals("MERGE") && !upper.equals("INSERT") && !upper.equals("REPLACE") && !upper.equals("UPSERT")) {
            return null;
        }
        String part = tokens.identifier();
        while (part != null && !tokens.lastWasQuoted()
                && (part.equalsIgnoreCase("INTO") || MODIFIERS.contains(part.toUpperCase(Locale.ROOT)))) {
            part = tokens.identifier();
        }
        List<String> parts = new ArrayList<>(2);
        while (part != null) {
            parts.add(part);
            part = tokens.dot() ? tokens.identifier() : null;
        }
        return parts.isEmpty() ? null : DSL.table(DSL.name(parts.toArray(new String[0])));
    }

    /**
     * Every name in the statement (the last part of each qualified name, unquoted), for a write the parser cannot
     * read: Roan then purges the rules of every table the statement names, which may include tables it only reads
     * (an extra purge), never missing the one it writes.
     */
    static Set<String> names(String sql) {
        Set<String> names = new LinkedHashSet<>();
        Tokens tokens = new Tokens(sql);
        while (names.size() < MAX_GUESSED_NAMES && tokens.skipSpace() < sql.length()) {
            String name = tokens.identifier();
            if (name == null) {
                tokens.skipOther();
            } else {
                while (tokens.dot()) {
                    String next = tokens.identifier();
                    if (next == null) {
                        break;
                    }
                    name = next;
                }
                names.add(name);
            }
        }
        return names;
    }

    /**
     * The unquoted words of a statement, in order, outside string literals, quoted identifiers and comments: for
     * counting its keywords ({@code SELECT}, {@code UNION}).
     */
    static List<String> words(String sql) {
        List<String> words = new ArrayList<>();
        Tokens tokens = new Tokens(sql);
        while (tokens.skipSpace() < sql.length()) {
            String name = tokens.identifier();
            if (name == null) {
                tokens.skipOther();
            } else if (!tokens.lastWasQuoted()) {
                words.add(name);
            }
        }
        return words;
    }

    /** Just enough of a SQL tokenizer for the head of a statement. */
    private static final class Tokens {
        private final String sql;
        private int pos;
        private boolean quoted;

        Tokens(String sql) {
            this.sql = sql;
        }

        int position() {
            return pos;
        }

        @Nullable
        String word() {
            skipSpace();
            int start = pos;
            while (pos < sql.length() && (Character.isLetter(sql.charAt(pos)) || sql.charAt(pos) == '_')) {
                pos++;
            }
            return pos > start ? sql.substring(start, pos) : null;
        }

        @Nullable
        String identifier() {
            skipSpace();
            quoted = false;
            if (pos >= sql.length()) {
                return null;
            }
            char c = sql.charAt(pos);
            char close = c == '"' ? '"' : c == '`' ? '`' : c == '[' ? ']' : 0;
            if (close != 0) {
                int end = sql.indexOf(close, pos + 1);
                if (end == -1) {
                    return null;
                }
                String name = sql.substring(pos + 1, end);
                pos = end + 1;
                quoted = true;
                return name;
            }
            if (!(Character.isLetter(c) || c == '_')) {
                return null;
            }
            int start = pos;
            while (pos < sql.length() && (Character.isLetterOrDigit(sql.charAt(pos)) || sql.charAt(pos) == '_'
                    || sql.charAt(pos) == '$')) {
                pos++;
            }
            return sql.substring(start, pos);
        }

        boolean lastWasQuoted() {
            return quoted;
        }

        boolean dot() {
            skipSpace();
            if (pos < sql.length() && sql.charAt(pos) == '.') {
                pos++;
                return true;
            }
            return false;
        }

        /**
         * Skips one character that starts no name, where {@link #skipSpace()} found one; string literals whole, so
         * their words are not names.
         */
        void skipOther() {
            if (sql.charAt(pos) == '\'') {
                int end = pos + 1;
                while (end < sql.length()) {
                    if (sql.charAt(end) == '\'') {
                        if (end + 1 < sql.length() && sql.charAt(end + 1) == '\'') {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                pos = Math.min(end + 1, sql.length());
                return;
            }
            // One character; a number runs on to its end (12a3 is no name), an operator or comma does not, so that
            // the name after "v=" or "a," is still read.
            boolean number = Character.isDigit(sql.charAt(pos));
            pos++;
            while (number && pos < sql.length() && Character.isLetterOrDigit(sql.charAt(pos))) {
                pos++;
            }
        }

        int skipSpace() {
            while (pos < sql.length()) {
                char c = sql.charAt(pos);
                if (Character.isWhitespace(c)) {
                    pos++;
                } else if (sql.startsWith("--", pos)) {
                    int nl = sql.indexOf('\n', pos);
                    pos = nl == -1 ? sql.length() : nl + 1;
                } else if (sql.startsWith("/*", pos)) {
                    int end = sql.indexOf("*/", pos + 2);
                    pos = end == -1 ? sql.length() : end + 2;
                } else {
                    break;
                }
            }
            return pos;
        }
    }

    /** Whether {@code query} is plain SQL, such as {@code dsl.execute("...")}: only its text tells what it writes. */
    static boolean isPlainSql(Query query) {
        // SQLQuery and SQLResultQuery are package-private in jOOQ; Class.getName() is cached, so no allocation.
        String name = query.getClass().getName();
        return name.equals("org.jooq.impl.SQLQuery") || name.equals("org.jooq.impl.SQLResultQuery");
    }
}
