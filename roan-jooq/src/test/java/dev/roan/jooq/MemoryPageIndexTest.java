package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class MemoryPageIndexTest {

    private final List<String> purged = new ArrayList<>();
    private final MemoryPageIndex index = new MemoryPageIndex(2, purged::add);

    private static final Dependency OWNER_4 = Dependency.row("owners", "id", "4");
    private static final Dependency OWNER_5 = Dependency.row("owners", "id", "5");
    private static final Dependency PETS = Dependency.table("pets");

    @Test
    void keysGiveTheUrlsOfThePagesThatDependOnThem() {
        index.replace("/owners/4", Set.of(OWNER_4, PETS));
        index.replace("/pets", Set.of(PETS));

        assertThat(index.urls(List.of(PETS))).containsExactlyInAnyOrder("/owners/4", "/pets");
        assertThat(index.urls(List.of(OWNER_4, OWNER_5))).containsExactly("/owners/4");
        assertThat(index.urls(List.of(OWNER_5))).isEmpty();
    }

    @Test
    void renderingAPageAgainReplacesItsKeys() {
        index.replace("/featured", Set.of(OWNER_4));
        index.replace("/featured", Set.of(OWNER_5));

        assertThat(index.urls(List.of(OWNER_4))).isEmpty();
        assertThat(index.urls(List.of(OWNER_5))).containsExactly("/featured");
        index.replace("/featured", Set.of());
        assertThat(index.size()).as("a page that read nothing is forgotten").isZero();
    }

    @Test
    void aClosedIndexHoldsNoPageAndNoKey() {
        index.replace("/owners/4", Set.of(OWNER_4, PETS));

        index.close();

        assertThat(index.size()).as("pages").isZero();
        assertThat(index.urls(List.of(OWNER_4, PETS))).as("pages of the keys").isEmpty();
        assertThat(index.toString()).contains("pages=0, keys=0");
    }

    @Test
    void atTheBoundThePageRenderedLongestAgoIsForgottenAndPurged() {
        index.replace("/a", Set.of(OWNER_4));
        index.replace("/b", Set.of(OWNER_4));
        index.replace("/a", Set.of(OWNER_4));
        index.replace("/c", Set.of(OWNER_5));

        assertThat(purged).as("never a missed purge: the forgotten page goes from the cache").containsExactly("/b");
        assertThat(index.urls(List.of(OWNER_4))).containsExactly("/a");
        assertThat(index.evictions()).isEqualTo(1);
        assertThat(index.size()).isEqualTo(2);
        assertThat(index.toString()).contains("evictions=1", "maxPages=2");
    }

    /**
     * An N+1 page reading 3,000 rows one by one: its row keys of that table become the table's key, which every write
     * of the table gives.
     */
    @Test
    void aPageReadingManyRowsOfATableDependsOnTheTableInstead() {
        Set<Dependency> keys = new LinkedHashSet<>();
        for (int id = 1; id <= 3_000; id++) {
            keys.add(Dependency.row("owners", "id", Integer.toString(id)));
        }
        keys.add(Dependency.anyRow("owners"));
        keys.add(Dependency.row("pets", "id", "7"));
        index.replace("/all-by-one", keys);

        assertThat(index.keys("/all-by-one")).containsExactlyInAnyOrder(Dependency.table("owners"),
                Dependency.row("pets", "id", "7"));
        assertThat(index.urls(List.of(Dependency.table("owners")))).containsExactly("/all-by-one");
        Set<Dependency> few = Set.of(OWNER_4, OWNER_5, PETS);
        index.replace("/few", few);
        assertThat(index.keys("/few")).as("below the bound, rows stay rows").isEqualTo(few);
    }

    @Test
    void refusesABoundBelowOne() {
        assertThatIllegalArgumentException().isThrownBy(() -> new MemoryPageIndex(0, purged::add))
                .withMessageContaining("at least 1");
    }

    @Test
    void aKeyTwoPagesShareStillGivesTheOtherOnceOneNoLongerDependsOnIt() {
        index.replace("/a", Set.of(OWNER_4, PETS));
        index.replace("/b", Set.of(OWNER_4));

        index.replace("/a", Set.of(PETS));

        assertThat(index.urls(List.of(OWNER_4))).containsExactly("/b");
        assertThat(index.urls(List.of(PETS))).containsExactly("/a");
    }

    @Test
    void aTableWithExactlyTheBoundOfRowKeysKeepsThemAsRows() {
        Set<Dependency> keys = new LinkedHashSet<>();
        for (int id = 1; id <= MemoryPageIndex.MAX_ROW_KEYS_PER_TABLE; id++) {
            keys.add(Dependency.row("owners", "id", Integer.toString(id)));
        }
        keys.add(PETS);

        assertThat(MemoryPageIndex.bounded(keys)).as("at the bound").isEqualTo(keys);
        keys.add(Dependency.row("owners", "id", "0"));
        assertThat(MemoryPageIndex.bounded(keys)).as("one row more").containsExactlyInAnyOrder(
                Dependency.table("owners"), PETS);
    }

    @Test
    void theFirstPageForgottenAtTheBoundIsLoggedOnce() {
        try (LogCapture log = new LogCapture()) {
            index.replace("/a", Set.of(OWNER_4));
            index.replace("/b", Set.of(OWNER_4));
            assertThat(log.messages(java.util.logging.Level.INFO)).as("within the bound").isEmpty();

            index.replace("/c", Set.of(OWNER_4));
            index.replace("/d", Set.of(OWNER_4));

            assertThat(purged).containsExactly("/a", "/b");
            assertThat(log.messages(java.util.logging.Level.INFO)).singleElement().asString()
                    .contains("holds 2 pages, its bound", "maxTrackedPages");
        }
    }
}
