package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class DependencyTest {

    @Test
    void targetsNeverLookLikePathsAndReadBack() {
        for (Dependency d : new Dependency[] {Dependency.table("OWNERS"), Dependency.row("Owners", "ID", "4"),
                Dependency.row("owners", "last_name", "Van Winkle, Jr./é %2F\r\n."), Dependency.row("t", "c", ".")}) {
            String target = d.target();
            assertThat(Dependency.isTarget(target)).as(target).isTrue();
            assertThat(target).as("no space, comma, CR or LF").doesNotContainPattern("[ ,\\r\\n]").doesNotStartWith("/");
            assertThat(Dependency.ofTarget(target)).as(target).isEqualTo(d);
        }
        assertThat(Dependency.isTarget("/owners/4")).isFalse();
        assertThat(Dependency.row("Owners", "ID", "4").target()).isEqualTo("#r:owners.id=4");
        assertThat(Dependency.table("Owners").target()).isEqualTo("#t:owners");
    }

    @Test
    void tagsAreShortTokens() {
        assertThat(Dependency.table("owners").tag()).isEqualTo("roan-t-owners");
        String tag = Dependency.row("owners", "last_name", "Van Winkle, Jr.").tag();
        assertThat(tag).matches("roan-r-[0-9a-f]{16}");
        assertThat(Dependency.row("owners", "last_name", "Van Winkle").tag()).isNotEqualTo(tag);
        assertThat(Dependency.row("OWNERS", "LAST_NAME", "Van Winkle, Jr.").tag()).isEqualTo(tag);
    }

    /**
     * Tags outlive a deploy in the cache's index: a version that spelt them otherwise could purge no page cached
     * before it. The hash is the first 8 bytes of SHA-256 over table, column and value, NUL apart.
     */
    @Test
    void tagsAreTheSameFromVersionToVersion() {
        assertThat(Dependency.row("owners", "id", "4").tag()).isEqualTo("roan-r-672c8efab64f9861");
        assertThat(Dependency.table("az_09").tag()).as("the first and last of each range stay plain")
                .isEqualTo("roan-t-az_09");
        for (String justOutside : new String[] {"`", "{", "/", ":"}) {
            assertThat(Dependency.table("t" + justOutside).tag()).as(justOutside).startsWith("roan-h-");
        }
    }

    @Test
    void everyTagIsAHeaderSafeTokenThatAkamaiTakes() {
        assertThat(Dependency.EVERYTHING.tag()).as("no '*'").isEqualTo("roan-all");
        assertThat(Dependency.ofTarget(Dependency.EVERYTHING.target()).tag()).as("the write side's").isEqualTo("roan-all");
        for (String odd : new String[] {"order lines", "a,b", "bücher", "\"quoted\"", "t;x", "t\r\nx", "*x", "a-b"}) {
            Dependency table = Dependency.table(odd);
            assertThat(table.tag()).as(odd).matches("roan-h-[0-9a-f]{16}");
            assertThat(Dependency.ofTarget(table.target()).tag()).as("read and write side alike: " + odd)
                    .isEqualTo(table.tag());
            assertThat(Dependency.row(odd, "id", "4").tableKey().tag()).as("a row key collapses to the same: " + odd)
                    .isEqualTo(table.tag());
        }
        assertThat(Dependency.table("order lines").tag()).isNotEqualTo(Dependency.table("order_lines").tag());
        assertThat(Dependency.table("Order_Lines2").tag()).as("plain names stay readable").isEqualTo("roan-t-order_lines2");
    }

    @Test
    void tagsAreTheSameFromManyThreads() throws Exception {
        Dependency key = Dependency.row("owners", "id", "4");
        String expected = key.tag();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> all = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                all.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        if (!Dependency.row("owners", "id", "4").tag().equals(expected)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (java.util.concurrent.Future<Boolean> f : all) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesHalfARowAndForeignTargets() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Dependency("t", "c", null));
        assertThatIllegalArgumentException().isThrownBy(() -> Dependency.ofTarget("#x:owners"));
        assertThat(Dependency.row("owners", "id", "4").tableKey()).isEqualTo(Dependency.table("owners"));
    }
}
