package dev.roan.jooq;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * What a tracked page read, and what a write changes: a whole table, or the rows of a table whose column holds one
 * value. A page depends on a set of these (learnt from the SELECTs of its render, see {@code Roan.track}); a committed
 * write produces those of its rows (old and new values) and of its table, and every page depending on one of them is
 * purged.
 *
 * <p>Three forms, one per room of the pipeline:
 * <ul>
 * <li>the value itself, for the matcher and the page index;</li>
 * <li>{@link #target()}, a string that travels where paths travel (held until the commit, written to the outbox,
 *     coalesced by the dispatcher) and that no path can be, as paths start with {@code /};</li>
 * <li>{@link #tag()}, a short token for a cache's tag header (Varnish xkey, Fastly {@code Surrogate-Key}, Cloudflare
 *     {@code Cache-Tag}, Akamai {@code Edge-Cache-Tag}): a table key readable ({@code roan-t-owners}) where its name
 *     is plain, a row key (or an odd table name) hashed to a fixed length, so that a value with spaces, commas,
 *     slashes or any character never breaks the header.</li>
 * </ul>
 *
 * <p>Tables are named as {@link Tables} tells them apart: by name without schema nor alias, ignoring case (here, in
 * lower case); columns likewise. A value is the string form the path placeholders use for the same column (see
 * {@code RowValues}), so that a read's {@code WHERE id = 4} and a write of row 4 give equal keys.
 */
record Dependency(String table, @Nullable String column, @Nullable String value) {

    /** The first character of every {@link #target()}: never the first of a path. */
    static final char TARGET_MARK = '#';

    private static final String TABLE_PREFIX = "#t:";
    private static final String ROW_PREFIX = "#r:";

    Dependency {
        table = table.toLowerCase(Locale.ROOT);
        column = column == null ? null : column.toLowerCase(Locale.ROOT);
        if ((column == null) != (value == null)) {
            throw new IllegalArgumentException("a row dependency needs both a column and a value");
        }
    }

    /** The column of {@link #anyRow}: no column has this name. */
    static final String ANY_COLUMN = "*";

    /**
     * What a page depends on when Roan cannot tell which tables a read touched, and what every write changes when some
     * tracked page has such a read: the page is purged by any committed write.
     */
    static final Dependency EVERYTHING = new Dependency("*", null, null);

    /** Every row of {@code table}: a scan, a range, an aggregate, or any read Roan cannot pin to values. */
    static Dependency table(String table) {
        return new Dependency(table, null, null);
    }

    /** The rows of {@code table} whose {@code column} equals {@code value}. */
    static Dependency row(String table, String column, String value) {
        return new Dependency(table, column, value);
    }

    /**
     * Some row of {@code table}, which one unknown: what a write produces when Roan cannot tell the values of the
     * columns tracked reads pin (a write whose rows it cannot see). Every page with a row key of the table depends on it
     * as well, so that such a write purges them all.
     */
    static Dependency anyRow(String table) {
        return new Dependency(table, ANY_COLUMN, ANY_COLUMN);
    }

    /** Whether this is {@link #anyRow} of its table. */
    boolean isAnyRow() {
        return ANY_COLUMN.equals(column);
    }

    /** Whether this names a whole table rather than rows. */
    boolean isTable() {
        return column == null;
    }

    /** The whole table this key belongs to: itself for a table key. */
    Dependency tableKey() {
        return isTable() ? this : table(table);
    }

    /**
     * This key as a purge target: {@code #t:owners}, or {@code #r:owners.id=4} with the value percent-encoded where it
     * is not a URL-safe character, so that the string has no space, comma, CR or LF.
     */
    String target() {
        return isTable() ? TABLE_PREFIX + table : ROW_PREFIX + table + "." + column + "=" + encode(value);
    }

    /** Whether a purge target names a dependency rather than a page path. */
    static boolean isTarget(String target) {
        return !target.isEmpty() && target.charAt(0) == TARGET_MARK;
    }

    /**
     * The key a {@link #target()} names.
     *
     * @throws IllegalArgumentException if it is not one
     */
    static Dependency ofTarget(String target) {
        if (target.startsWith(TABLE_PREFIX)) {
            return table(target.substring(TABLE_PREFIX.length()));
        }
        int dot = target.indexOf('.');
        int eq = target.indexOf('=', dot);
        if (!target.startsWith(ROW_PREFIX) || dot == -1 || eq == -1) {
            throw new IllegalArgumentException("not a dependency target: " + abbreviate(target));
        }
        return row(target.substring(ROW_PREFIX.length(), dot), target.substring(dot + 1, eq),
                URLDecoder.decode(target.substring(eq + 1), StandardCharsets.UTF_8));
    }

    /**
     * A short token for a cache's tag header, the same on the read side (the page's header) and the write side (the
     * purge), made of {@code [a-z0-9_-]} only, so that no table name nor value breaks a header (a space, a comma, a
     * character beyond ASCII) and no cache refuses it (Akamai takes no {@code *}):
     * <ul>
     * <li>{@code roan-t-<table>} for a table whose name is {@code [a-z0-9_]+} (most are), readable;</li>
     * <li>{@code roan-h-} and 16 hex digits of the SHA-256 of any other table name;</li>
     * <li>{@code roan-r-} and 16 hex digits of the SHA-256 of the row key for a row;</li>
     * <li>{@value #EVERYTHING_TAG} for {@link #EVERYTHING}.</li>
     * </ul>
     * 64 bits make a collision between two keys of one site improbable, and a collision only purges a page more.
     */
    String tag() {
        if (isTable()) {
            if (table.equals(EVERYTHING.table)) {
                return EVERYTHING_TAG;
            }
            return isPlainName(table) ? "roan-t-" + table : hex("roan-h-", sha256(table));
        }
        return hex("roan-r-", sha256(table + "\u0000" + column + "\u0000" + value));
    }

    /** The tag of {@link #EVERYTHING}: a fixed token, as a {@code *} is refused by Akamai and means nothing to xkey. */
    static final String EVERYTHING_TAG = "roan-all";

    private static boolean isPlainName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return !name.isEmpty();
    }

    private static String hex(String prefix, byte[] digest) {
        StringBuilder sb = new StringBuilder(prefix.length() + 16).append(prefix);
        for (int i = 0; i < 8; i++) {
            sb.append(Character.forDigit((digest[i] >> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return isTable() ? table : table + "." + column + "=" + abbreviate(String.valueOf(value));
    }

    /** Cloned per call: {@code getInstance} looks the provider up each time, a clone copies a ready digest. */
    private static final MessageDigest SHA_256 = prototype();

    private static MessageDigest prototype() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static byte[] sha256(String s) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            digest = prototype();
        }
        return digest.digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        PathTemplate.appendSegment(sb, value);
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return PurgePaths.abbreviate(s);
    }
}
