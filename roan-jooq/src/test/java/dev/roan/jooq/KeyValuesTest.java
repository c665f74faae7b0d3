package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

/**
 * The string a key holds for a value: the same whatever form the database or the application gives the value in, so
 * that a write's key meets the key a read pinned; a value too large to be a key pins nothing.
 */
class KeyValuesTest {

    @Test
    void numbersWrittenAsTextAreTheNumbersANumericColumnReads() {
        assertThat(KeyValues.valueString("04")).isEqualTo("4");
        assertThat(KeyValues.valueString(" 4.0 ")).isEqualTo("4");
        assertThat(KeyValues.valueString("+4")).isEqualTo("4");
        assertThat(KeyValues.valueString("-04")).isEqualTo("-4");
        assertThat(KeyValues.valueString(".50")).isEqualTo("0.5");
        assertThat(KeyValues.valueString("4e2")).isEqualTo("400");
        assertThat(KeyValues.valueString("e2")).as("not a number").isEqualTo("e2");
        assertThat(KeyValues.valueString("4-2")).as("not a number").isEqualTo("4-2");
    }

    @Test
    void zeroInAnyScaleIsZero() {
        assertThat(KeyValues.valueString(new BigDecimal("0.000"))).isEqualTo("0");
        assertThat(KeyValues.valueString(0.0d)).isEqualTo("0");
        assertThat(KeyValues.valueString(2.50d)).isEqualTo("2.5");
    }

    @Test
    void aNumberOfAtMostAHundredDigitsIsAKeyAndALongerOneNone() {
        String hundred = "1".repeat(100);
        assertThat(KeyValues.valueString(new BigDecimal(hundred))).isEqualTo(hundred);
        assertThat(KeyValues.valueString(new BigDecimal(hundred + "1"))).isNull();
        assertThat(KeyValues.valueString(new BigDecimal("1E-100"))).isEqualTo("0." + "0".repeat(99) + "1");
        assertThat(KeyValues.valueString(new BigDecimal("1E-101"))).isNull();
        assertThat(KeyValues.valueString(new BigDecimal("1E+100"))).isNull();
        assertThat(KeyValues.valueString(new BigDecimal("1E+99"))).isEqualTo("1" + "0".repeat(99));
    }

    @Test
    void aDigitStringOfAtMostAHundredCharactersIsReadAsANumber() {
        String ninetyNine = "1".repeat(99);
        assertThat(KeyValues.valueString("+" + ninetyNine)).as("100 characters").isEqualTo(ninetyNine);
        assertThat(KeyValues.valueString("+" + ninetyNine + "1")).as("101 characters: text")
                .isEqualTo("+" + ninetyNine + "1");
    }

    @Test
    void whatIsNoNumberPinsNothing() {
        assertThat(KeyValues.valueString(Double.NaN)).isNull();
        assertThat(KeyValues.valueString(Double.POSITIVE_INFINITY)).isNull();
        assertThat(KeyValues.valueString(Float.NEGATIVE_INFINITY)).isNull();
    }
}
