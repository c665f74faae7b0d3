package dev.roan.spring.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.core.SpringVersion;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** The run is on Spring Framework 6.2. */
class CompatSpring62Test {

    @Test
    void runsOnSpringFramework62() {
        assertThat(SpringVersion.getVersion()).as("Spring Framework").startsWith("6.2.");
        assertThat(TransactionSynchronizationManager.class.getPackage().getImplementationVersion()).startsWith("6.2.");
    }
}
