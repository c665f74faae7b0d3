package dev.roan.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import dev.roan.jooq.Roan;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/** The delivery properties (outages, memory, shutdown) reach Roan's builder, and a bad value names its property. */
class RoanDeliveryPropertiesTest {

    @Test
    void defaultsAreRoansDefaults() {
        RoanProperties properties = new RoanProperties();

        assertThat(properties.getGiveUpAfter()).isNull();
        assertThat(properties.getMaxRetryInterval()).isEqualTo(Roan.DEFAULT_MAX_RETRY_INTERVAL);
        assertThat(properties.getMaxOwedPaths()).isEqualTo(Roan.DEFAULT_MAX_OWED_PATHS);
        assertThat(properties.getOnOverflowPurge()).isEmpty();
        assertThat(properties.isShutdownHook()).isTrue();
        assertThat(RoanBeans.builder(properties).toString()).doesNotContain("giveUpAfter")
                .contains("maxRetryInterval=" + Roan.DEFAULT_MAX_RETRY_INTERVAL,
                        "maxOwedPaths=" + Roan.DEFAULT_MAX_OWED_PATHS, "shutdownHook=true");
    }

    @Test
    void setPropertiesReachTheBuilder() {
        RoanProperties properties = new RoanProperties();
        properties.setGiveUpAfter(Duration.ofHours(1));
        properties.setMaxRetryInterval(Duration.ofSeconds(5));
        properties.setMaxOwedPaths(1_000);
        properties.setOnOverflowPurge(List.of("/"));
        properties.setShutdownHook(false);

        assertThat(RoanBeans.builder(properties).toString()).contains("giveUpAfter=PT1H",
                "maxRetryInterval=PT5S", "maxOwedPaths=1000", "onOverflowPurge=[/]", "shutdownHook=false");
        assertThat(properties.toString()).contains("giveUpAfter=PT1H", "maxRetryInterval=PT5S", "maxOwedPaths=1000",
                "onOverflowPurge=[/]", "shutdownHook=false");
    }

    @Test
    void badValuesNameTheirProperty() {
        assertInvalid("roan.give-up-after", p -> p.setGiveUpAfter(Duration.ZERO));
        assertInvalid("roan.max-retry-interval", p -> p.setMaxRetryInterval(Duration.ofSeconds(-1)));
        assertInvalid("roan.max-owed-paths", p -> p.setMaxOwedPaths(0));
        assertInvalid("roan.on-overflow-purge", p -> p.setOnOverflowPurge(List.of("no-slash")));
    }

    private static void assertInvalid(String property, java.util.function.Consumer<RoanProperties> set) {
        RoanProperties properties = new RoanProperties();
        set.accept(properties);
        assertThatThrownBy(() -> RoanBeans.builder(properties))
                .isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                        e -> assertThat(e.getName()).isEqualTo(property));
    }
}
