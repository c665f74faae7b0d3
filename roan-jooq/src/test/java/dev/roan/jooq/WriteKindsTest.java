package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How messages name the kinds of write a rule reacts to. */
class WriteKindsTest {

    @Test
    void eachKindIsNamedInOrderAndTheUsualSetsByTheirMethod() {
        assertThat(WriteKinds.describe(WriteKinds.WRITE)).isEqualTo("write");
        assertThat(WriteKinds.describe(WriteKinds.SAVE)).isEqualTo("save");
        assertThat(WriteKinds.describe(WriteKinds.REMOVE)).isEqualTo("delete|truncate");
        assertThat(WriteKinds.describe(WriteKinds.UPSERT)).isEqualTo("insert|update");
        assertThat(WriteKinds.describe(WriteKinds.MERGE_EFFECTS)).isEqualTo("insert|update|delete|merge");
        assertThat(WriteKinds.describe(WriteKinds.UPDATE)).isEqualTo("update");
    }
}
