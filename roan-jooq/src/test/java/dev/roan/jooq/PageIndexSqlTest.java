package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The page index table's hashes, which instances of every version sharing one table must compute alike. */
class PageIndexSqlTest {

    @Test
    void aHashIsTheFirstEightBytesOfTheStringsSha256() {
        assertThat(PageIndexSql.hash("")).isEqualTo(0xe3b0c44298fc1c14L);
        assertThat(PageIndexSql.hash("#t:post")).isEqualTo(0xc30f04de3cc025b8L);
    }

    @Test
    void aPinsRowIsTheHashOfThePinUnderItsPrefix() {
        assertThat(PageIndexSql.pinHash("pets")).isEqualTo(PageIndexSql.hash("#pin:pets"));
    }
}
