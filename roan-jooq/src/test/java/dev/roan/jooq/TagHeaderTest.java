package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tag header of each cache: its name and separator, and its limits, where row keys collapse to their table's key
 * and no dependency is ever dropped.
 */
class TagHeaderTest {

    private static final Dependency OWNERS = Dependency.table("owners");
    private static final Dependency OWNER_4 = Dependency.row("owners", "id", "4");
    private static final Dependency PET_7 = Dependency.row("pets", "id", "7");

    @Test
    void eachCacheHasItsNameAndSeparator() {
        Set<Dependency> keys = Set.of(Dependency.table("vets"), PET_7);
        assertThat(CacheTagHeader.VARNISH_XKEY.header().name()).isEqualTo("xkey");
        assertThat(CacheTagHeader.VARNISH_XKEY.header().value(keys))
                .isEqualTo("roan-t-vets " + PET_7.tag());
        assertThat(CacheTagHeader.FASTLY_SURROGATE_KEY.headerName()).isEqualTo("Surrogate-Key");
        assertThat(CacheTagHeader.FASTLY_SURROGATE_KEY.header().value(keys)).isEqualTo("roan-t-vets " + PET_7.tag());
        assertThat(CacheTagHeader.CLOUDFLARE_CACHE_TAG.headerName()).isEqualTo("Cache-Tag");
        assertThat(CacheTagHeader.CLOUDFLARE_CACHE_TAG.header().value(keys)).isEqualTo("roan-t-vets," + PET_7.tag());
        assertThat(CacheTagHeader.AKAMAI_EDGE_CACHE_TAG.headerName()).isEqualTo("Edge-Cache-Tag");
        assertThat(CacheTagHeader.AKAMAI_EDGE_CACHE_TAG.header().value(keys)).isEqualTo("roan-t-vets," + PET_7.tag());
    }

    @Test
    void aTableKeyCoversItsRowKeys() {
        String value = CacheTagHeader.VARNISH_XKEY.header().value(Set.of(OWNERS, OWNER_4, PET_7));
        assertThat(tokens(value)).as("owners whole, pet 7 alone").containsExactlyInAnyOrder(OWNERS.tag(), PET_7.tag());
    }

    @ParameterizedTest
    @EnumSource(CacheTagHeader.class)
    void withinTheLimitEveryKeyIsItsOwnTag(CacheTagHeader cache) {
        Set<Dependency> keys = rows("owners", 100);
        keys.add(Dependency.table("vets"));
        String value = cache.header().value(keys);
        assertThat(tokens(value)).as("101 tags").hasSize(101)
                .containsAll(keys.stream().map(Dependency::tag).toList());
    }

    @ParameterizedTest
    @EnumSource(CacheTagHeader.class)
    void overTheLimitTheLargestTablesRowsCollapseFirstAndNothingIsDropped(CacheTagHeader cache) {
        // 2,000 row keys of owners (48 KB of tags), 3 of pets, 2 of visits and a table: more than any cache takes.
        Set<Dependency> keys = rows("owners", 2_000);
        keys.addAll(rows("pets", 3));
        keys.addAll(rows("visits", 2));
        keys.add(Dependency.table("vets"));
        String value = cache.header().value(keys);

        Set<String> tokens = tokens(value);
        assertThat(tokens).as("owners collapsed to its table").contains(OWNERS.tag())
                .noneMatch(tag -> rows("owners", 2_000).stream().anyMatch(k -> k.tag().equals(tag)));
        assertThat(tokens).as("the small tables' rows kept, and the table")
                .containsAll(rows("pets", 3).stream().map(Dependency::tag).toList())
                .containsAll(rows("visits", 2).stream().map(Dependency::tag).toList())
                .contains("roan-t-vets");
        assertThat(covered(tokens, keys)).as("every key covered by a tag").isTrue();
        assertWithin(cache, value);
    }

    @ParameterizedTest
    @EnumSource(CacheTagHeader.class)
    void manyTablesWithRowsCollapseUntilTheValueFits(CacheTagHeader cache) {
        // 60 tables of 20 row keys each: 1,200 row tags of 23 characters, 28 KB.
        Set<Dependency> keys = new LinkedHashSet<>();
        for (int t = 0; t < 60; t++) {
            keys.addAll(rows("table_" + t, 20 + t % 3));
        }
        String value = cache.header().value(keys);
        assertWithin(cache, value);
        assertThat(covered(tokens(value), keys)).as("every key covered by a tag").isTrue();
        assertThat(tokens(value).stream().filter(tag -> tag.startsWith("roan-r-")).count())
                .as("row tags kept where they fit").isPositive();
    }

    @Test
    void theLimitsAreTheCachesDocumentedOnes() {
        assertExactLimit(CacheTagHeader.VARNISH_XKEY, 8192 - "xkey: ".length());
        assertExactLimit(CacheTagHeader.FASTLY_SURROGATE_KEY, 16_384);
        assertExactLimit(CacheTagHeader.CLOUDFLARE_CACHE_TAG, 16_384 - 2);
        Set<Dependency> hundredTwentyEight = rows("owners", 127);
        hundredTwentyEight.add(PET_7);
        assertThat(tokens(CacheTagHeader.AKAMAI_EDGE_CACHE_TAG.header().value(hundredTwentyEight)))
                .as("128 tags fit Akamai").hasSize(128);
        hundredTwentyEight.add(Dependency.row("pets", "id", "8"));
        assertThat(tokens(CacheTagHeader.AKAMAI_EDGE_CACHE_TAG.header().value(hundredTwentyEight)))
                .as("129 do not: owners collapses").hasSize(3).contains(OWNERS.tag());
    }

    /** A value of exactly {@code limit} characters is kept whole; one character more collapses the rows. */
    private static void assertExactLimit(CacheTagHeader cache, int limit) {
        int rows = (limit - 7 - 20) / 24;
        int padding = limit - 24 * rows - "roan-t-".length();
        Set<Dependency> keys = rows("a", rows);
        keys.add(Dependency.table("b".repeat(padding)));
        String value = cache.header().value(keys);
        assertThat(value.length()).as("%s: at its limit", cache).isEqualTo(limit);
        assertThat(tokens(value)).as("%s: every row kept", cache).hasSize(rows + 1);

        keys.remove(Dependency.table("b".repeat(padding)));
        keys.add(Dependency.table("b".repeat(padding + 1)));
        assertThat(tokens(cache.header().value(keys))).as("%s: one character over, the rows collapse", cache)
                .containsExactly("roan-t-a", "roan-t-" + "b".repeat(padding + 1));
    }

    @Test
    void aPageOfMoreTablesThanTheLimitKeepsEveryTableAndSaysSoOnce() {
        Set<Dependency> keys = new HashSet<>();
        for (int t = 0; t < 130; t++) {
            keys.add(Dependency.table("table_" + t));
        }
        TagHeader akamai = new LimitedTagHeader("Edge-Cache-Tag", ',', 8000, 128, 128);
        try (LogCapture log = new LogCapture()) {
            assertThat(tokens(akamai.value(keys))).as("every table, over the limit").hasSize(130);
            akamai.value(keys);
            assertThat(log.messages(java.util.logging.Level.WARNING)).as("one warning").filteredOn(m -> m.contains("Edge-Cache-Tag")).hasSize(1)
                    .allMatch(m -> m.contains("130 tags") && m.contains("no-store"));
        }
    }

    @Test
    void theValueIsTheSameWhateverTheOrderOfTheKeys() {
        List<Dependency> keys = List.of(PET_7, Dependency.table("vets"), OWNER_4, Dependency.row("pets", "id", "1"));
        String one = CacheTagHeader.VARNISH_XKEY.header().value(new LinkedHashSet<>(keys));
        String other = CacheTagHeader.VARNISH_XKEY.header().value(new LinkedHashSet<>(reversed(keys)));
        assertThat(one).isEqualTo(other);
    }

    private static void assertWithin(CacheTagHeader cache, String value) {
        LimitedTagHeader header = (LimitedTagHeader) cache.header();
        assertThat(value.length()).as("%s value length", cache).isLessThanOrEqualTo(switch (cache) {
            case VARNISH_XKEY -> 8192 - 6;
            case FASTLY_SURROGATE_KEY -> 16_384;
            case CLOUDFLARE_CACHE_TAG -> 16_382;
            case AKAMAI_EDGE_CACHE_TAG -> 8192 - 16;
        });
        assertThat(value).as("printable ASCII").matches("[!-~ ]*");
        if (cache == CacheTagHeader.AKAMAI_EDGE_CACHE_TAG) {
            assertThat(tokens(value)).as("Akamai's 128 tags").hasSizeLessThanOrEqualTo(128);
        }
        assertThat(header.name()).isEqualTo(cache.headerName());
    }

    /** Whether each key is named by its tag or its table's. */
    private static boolean covered(Set<String> tokens, Set<Dependency> keys) {
        return keys.stream().allMatch(k -> tokens.contains(k.tag()) || tokens.contains(k.tableKey().tag()));
    }

    private static Set<Dependency> rows(String table, int count) {
        Set<Dependency> rows = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            rows.add(Dependency.row(table, "id", String.valueOf(i)));
        }
        return rows;
    }

    private static List<Dependency> reversed(List<Dependency> keys) {
        List<Dependency> copy = new java.util.ArrayList<>(keys);
        java.util.Collections.reverse(copy);
        return copy;
    }

    private static Set<String> tokens(String value) {
        return Arrays.stream(value.split("[ ,]")).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    @Test
    void aHeaderWhoseTagsCannotHoldARowTagNamesTablesAndARowTagThatJustFitsStaysARow() {
        Dependency owner = Dependency.row("owners", "id", "4");
        TagHeader tiny = new LimitedTagHeader("X-Tags", ' ', 1_000, LimitedTagHeader.ROW_TAG_LENGTH - 1, 100);
        TagHeader exact = new LimitedTagHeader("X-Tags", ' ', 1_000, LimitedTagHeader.ROW_TAG_LENGTH, 100);

        assertThat(tiny.value(Set.of(owner))).isEqualTo(Dependency.table("owners").tag());
        assertThat(exact.value(Set.of(owner))).isEqualTo(owner.tag());
        assertThat(tiny).hasToString("X-Tags");
    }

    @Test
    void tablesCollapseUntilTheCountFitsTheFirstByNameOnATie() {
        Set<Dependency> keys = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            keys.add(Dependency.row("a", "id", Integer.toString(i)));
        }
        keys.add(Dependency.row("b", "id", "1"));
        keys.add(Dependency.row("b", "id", "2"));

        assertThat(tokens(new LimitedTagHeader("X-Tags", ' ', 10_000, 100, 2).value(keys)))
                .as("a first, the larger; b then, to fit two tags")
                .containsExactlyInAnyOrder(Dependency.table("a").tag(), Dependency.table("b").tag());
        Set<Dependency> tie = new HashSet<>();
        tie.add(Dependency.row("a", "id", "1"));
        tie.add(Dependency.row("a", "id", "2"));
        tie.add(Dependency.row("b", "id", "1"));
        tie.add(Dependency.row("b", "id", "2"));
        assertThat(tokens(new LimitedTagHeader("X-Tags", ' ', 10_000, 100, 3).value(tie)))
                .containsExactlyInAnyOrder(Dependency.table("a").tag(), Dependency.row("b", "id", "1").tag(),
                        Dependency.row("b", "id", "2").tag());
    }

    @Test
    void tablesCollapseUntilTheBytesFit() {
        Set<Dependency> keys = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            keys.add(Dependency.row("a", "id", Integer.toString(i)));
        }
        keys.add(Dependency.row("b", "id", "1"));
        keys.add(Dependency.row("b", "id", "2"));
        String both = Dependency.table("a").tag() + " " + Dependency.table("b").tag();

        assertThat(new LimitedTagHeader("X-Tags", ' ', both.length(), 100, 100).value(keys))
                .isIn(both, Dependency.table("b").tag() + " " + Dependency.table("a").tag());
    }

    @Test
    void aTagLongerThanTheCacheTakesIsWarnedOfWithTheCachesLimits() {
        TagHeader header = new LimitedTagHeader("X-Tags", ' ', 1_000, 24, Integer.MAX_VALUE);
        try (LogCapture log = new LogCapture()) {
            header.value(Set.of(Dependency.table("a_table_with_a_long_name")));
            header.value(Set.of(Dependency.table("a")));

            assertThat(log.messages(java.util.logging.Level.WARNING)).singleElement().asString()
                    .contains("X-Tags", "1000 bytes, 24 per tag").doesNotContain("tags,");
        }
        try (LogCapture log = new LogCapture()) {
            new LimitedTagHeader("Y-Tags", ' ', 10, Integer.MAX_VALUE, 1).value(
                    Set.of(Dependency.table("a"), Dependency.table("b")));

            assertThat(log.messages(java.util.logging.Level.WARNING)).singleElement().asString()
                    .contains("2 tags in 17 bytes", "takes 1 tags, 10 bytes)").doesNotContain("per tag");
        }
    }
}
