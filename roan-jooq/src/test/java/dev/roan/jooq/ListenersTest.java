package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import org.junit.jupiter.api.Test;

/**
 * The user's purge listeners as delivery calls them: no event is built when there is none, each is told in turn, and
 * one that throws neither stops the others nor is logged more than once.
 */
class ListenersTest {

    private static final PurgeEvent EVENT = new PurgeEvent("http://cache/purge", "/posts",
            PurgeEvent.Outcome.DELIVERED, 200, Duration.ofMillis(3), 1, null);

    @Test
    void withoutListenersNoEventNeedsBuilding() {
        assertThat(new Listeners(List.of()).isEmpty()).as("no listener").isTrue();
        assertThat(new Listeners(List.of(event -> {})).isEmpty()).as("one listener").isFalse();
    }

    @Test
    void aListenerThatThrowsIsLoggedOnceAndTheOthersAreStillTold() {
        List<String> told = new ArrayList<>();
        Listeners listeners = new Listeners(List.of(event -> told.add("first " + event.path()), event -> {
            throw new IllegalStateException("broken listener");
        }, event -> told.add("last " + event.path())));
        try (LogCapture log = new LogCapture()) {
            listeners.tell(EVENT);
            assertThat(log.messages(Level.WARNING)).as("warnings after the first event").hasSize(1);
            listeners.tell(EVENT);

            assertThat(told).containsExactly("first /posts", "last /posts", "first /posts", "last /posts");
            assertThat(log.messages(Level.WARNING)).as("warnings").singleElement().asString()
                    .contains("threw", "logged once");
        }
    }
}
