package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a Roan keeps of the pages it tracks: only for caches that purge URLs, and nothing once closed. */
class EngineTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();

    @Test
    void closingForgetsEveryTrackedPage() {
        Roan roan = fixture.roan();
        DSLContext dsl = fixture.dsl();
        roan.track("/posts/4", () -> dsl.selectFrom(POST).where(POST.ID.eq(4L)).fetch());
        assertThat(roan.toString()).as("before close").contains("pageIndex=MemoryPageIndex[pages=1, keys=");

        roan.close();

        assertThat(roan.toString()).as("after close").contains("pageIndex=MemoryPageIndex[pages=0, keys=0,");
    }

    @Test
    void cachesThatPurgeByTagAloneKeepNoPageIndex() {
        try (Roan byTag = Roan.builder().xkeyPurgeUrls(fixture.cache().purgeUrl()).build();
                Roan byUrl = Roan.builder().purgeUrl(fixture.cache().purgeUrl()).build()) {
            assertThat(byTag.toString()).as("xkey only: each page carries its keys").doesNotContain("pageIndex");
            assertThat(byUrl.toString()).as("a node that purges URLs").contains("pageIndex=MemoryPageIndex[");
        }
    }
}
