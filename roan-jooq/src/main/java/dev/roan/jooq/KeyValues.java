package dev.roan.jooq;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * The value a row key holds, the same on both sides: a tracked read's bound values ({@link ReadAnalysis}) and a
 * write's row values ({@link RowValues}, {@link Purges}) meet only if they give equal strings.
 */
final class KeyValues {

    /**
     * The longest value, in UTF-8 bytes, a row key holds; a longer value pins nothing (the table key, or a write's
     * {@link Dependency#anyRow}), so that a key's target, percent-encoded, stays far below the outbox's 8,000
     * characters.
     */
    static final int MAX_VALUE_BYTES = 600;

    private KeyValues() {}

    /**
     * The string a key holds for a column's value, the same for a read's bind value and a write's. Values the
     * database may take as equal give equal strings, whatever their Java types, since a read and a write of one row
     * often carry different ones: numbers by their value (an Integer 4, a Long 4, a BigDecimal 4.0 and the Strings
     * {@code "04"} and {@code " 4.0"}, which a numeric column converts, all give {@code "4"}); strings, characters
     * and enum names in lower case without trailing spaces (case-insensitive columns and collations, {@code CHAR(n)}
     * padding); booleans and the strings databases read as booleans as {@code "1"} or {@code "0"}; UUIDs in lower
     * case. Two values that differ may share a string: that purges more, never less. Null for any other type (dates,
     * bytes...), which pins nothing: the table key instead.
     */
    @Nullable
    static String valueString(@Nullable Object value) {
        if (value instanceof String) {
            String s = (String) value;
            return s.length() * 3 > MAX_VALUE_BYTES
                    && s.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES ? null : text(s);
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return value.toString();
        }
        if (value instanceof BigDecimal) {
            BigDecimal d = (BigDecimal) value;
            if (d.signum() == 0) {
                return "0";
            }
            BigDecimal stripped = d.stripTrailingZeros();
            // 1e999999 would be a million digits written out: such a value pins nothing.
            return Math.abs((long) stripped.precision() - stripped.scale()) > MAX_NUMBER_CHARS
                    || Math.abs(stripped.scale()) > MAX_NUMBER_CHARS ? null : stripped.toPlainString();
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return null;
            }
            return valueString(new BigDecimal(Double.toString(d)));
        }
        if (value instanceof Boolean) {
            return (Boolean) value ? "1" : "0";
        }
        if (value instanceof UUID || value instanceof Character) {
            return text(value.toString());
        }
        if (value instanceof Enum) {
            return text(((Enum<?>) value).name());
        }
        return null;
    }

    /** The longest number, in characters, read as one; longer digit strings stay text. */
    private static final int MAX_NUMBER_CHARS = 100;

    /** A string's key: the number or boolean a numeric or boolean column would read it as, else folded text. */
    private static String text(String s) {
        String trimmed = s.strip();
        if (!trimmed.isEmpty() && trimmed.length() <= MAX_NUMBER_CHARS && looksNumeric(trimmed)) {
            try {
                String number = valueString(new BigDecimal(trimmed.charAt(0) == '+' ? trimmed.substring(1) : trimmed));
                if (number != null) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // Text after all.
            }
        }
        String folded = s.stripTrailing().toLowerCase(Locale.ROOT);
        switch (folded.strip()) {
            case "t", "true", "y", "yes", "on":
                return "1";
            case "f", "false", "n", "no", "off":
                return "0";
            default:
                return folded;
        }
    }

    /** Digits, at most one point, an exponent, a leading sign: what BigDecimal reads, checked cheaply first. */
    private static boolean looksNumeric(String s) {
        char first = s.charAt(0);
        return Character.isDigit(first) || first == '.' || first == '-' || first == '+';
    }
}
