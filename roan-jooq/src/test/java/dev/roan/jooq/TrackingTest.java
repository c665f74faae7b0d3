package dev.roan.jooq;

import static dev.roan.jooq.test.db.Tables.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Collectors;

import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Tracking} on its own: the hooks through which caches that purge by tag are served. */
class TrackingTest {

    @RegisterExtension
    final RoanFixture fixture = new RoanFixture();

    private Tracking tracking(boolean keepKeys) {
        return new Tracking(new Rules(), fixture.roan().delivery().dispatcher(), new MemoryPageIndex(10, url -> { }),
                Duration.ofSeconds(1), List.of(),
                keys -> Map.of("xkey", keys.stream().map(Dependency::tag).sorted().collect(Collectors.joining(" "))),
                keepKeys);
    }

    /** A DSLContext whose reads go to {@code tracking}, as Roan's listener hands them. */
    private DSLContext reading(Tracking tracking) {
        return DSL.using(fixture.db().configuration().derive(new DefaultExecuteListenerProvider(new ExecuteListener() {
            @Override
            public void executeStart(ExecuteContext ctx) {
                tracking.read(ctx);
            }
        })));
    }

    @Test
    void aTrackedPageCarriesTheTagHeadersOfItsKeys() {
        Tracking tracking = tracking(true);
        DSLContext dsl = reading(tracking);
        List<String> headers = new ArrayList<>();

        tracking.track("/posts/4", () -> dsl.selectFrom(POST).where(POST.ID.eq(4L)).fetch(),
                (name, value) -> headers.add(name + ": " + value));

        String expected = Set.of(Dependency.row("post", "id", "4"), Dependency.anyRow("post")).stream()
                .map(Dependency::tag).sorted().collect(Collectors.joining(" "));
        assertThat(headers).containsExactly("xkey: " + expected);
    }

    @Test
    void keysStayAmongTheTargetsForNodesThatPurgeByTagOnlyWhenAsked() {
        Tracking tracking = tracking(true);
        DSLContext dsl = reading(tracking);
        tracking.track("/posts/4", () -> dsl.selectFrom(POST).where(POST.ID.eq(4L)).fetch(), null);
        String key = Dependency.row("post", "id", "4").target();

        assertThat(tracking.expand(List.of(key, "/other"))).containsExactlyInAnyOrder(key, "/other", "/posts/4");
        assertThat(tracking(false).expand(List.of(key))).as("no tag node: the URLs alone").doesNotContain(key);
        List<String> paths = List.of("/a", "/b");
        assertThat(tracking(false).expand(paths)).as("no key: the same collection, nothing allocated")
                .isSameAs(paths);
    }

    /**
     * A render that throws for a missing row becomes the application's 404, which Varnish caches by default: without
     * its tags no write would purge it, though the row it missed may appear.
     */
    @Test
    void aRenderThatThrowsStillHandsItsTagHeader() {
        Tracking tracking = tracking(true);
        DSLContext dsl = reading(tracking);
        List<String> headers = new ArrayList<>();

        assertThatThrownBy(() -> tracking.track("/posts/7", () -> dsl.selectFrom(POST).where(POST.ID.eq(7L))
                .fetchOptional().orElseThrow(), (name, value) -> headers.add(name))).isInstanceOf(
                        NoSuchElementException.class);

        assertThat(headers).as("the 404 the application sends for it").containsExactly("xkey");
    }

    @Test
    void theRecentLogTellsAWriteOfAPagesKeyWhileItStillHoldsEveryKeySinceTheRender() {
        Dependency a = Dependency.table("a");
        Dependency b = Dependency.table("b");
        Dependency old = Dependency.table("old");
        Tracking.Recent recent = new Tracking.Recent(2);
        recent.append(List.of(old));
        long since = recent.last();
        recent.append(List.of(a));
        assertThat(recent.touchedSince(since, Set.of(old))).as("written before the render only").isFalse();
        assertThat(recent.touchedSince(since, Set.of(a))).isTrue();
        recent.append(List.of(b));
        assertThat(recent.touchedSince(since, Set.of(old))).as("the log still holds both keys since").isFalse();
        assertThat(recent.touchedSince(since, Set.of(Dependency.EVERYTHING))).isTrue();
        assertThat(recent.touchedSince(recent.last(), Set.of(a))).as("nothing since").isFalse();
        assertThat(recent.touchedSince(since, Set.of())).isFalse();
        recent.append(List.of(a));
        assertThat(recent.touchedSince(since, Set.of(old))).as("keys since were overwritten: cannot tell").isTrue();
    }

    @Test
    void aRendersDebugLineNamesItsFirstKeysAndHowManyThereAre() {
        java.util.Set<Dependency> keys = new java.util.LinkedHashSet<>();
        for (int id = 1; id <= Tracking.KEYS_SHOWN; id++) {
            keys.add(Dependency.row("owners", "id", Integer.toString(id)));
        }
        keys.add(Dependency.anyRow("owners"));
        String exact = Tracking.describe("/owners", keys);
        assertThat(exact).startsWith("Roan tracked /owners: " + Dependency.row("owners", "id", "1") + ", ")
                .as("every key shown, the implied one not counted").doesNotContain("...");

        keys.add(Dependency.table("pets"));
        assertThat(Tracking.describe("/owners", keys)).endsWith(", ... (" + (Tracking.KEYS_SHOWN + 1) + " keys)")
                .doesNotContain("pets");
        assertThat(Tracking.describe("/empty", java.util.Set.of()))
                .isEqualTo("Roan tracked /empty: no key (the render read nothing Roan sees)");
    }
}
