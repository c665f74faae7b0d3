package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.InvocationInterceptor.Invocation;

/** The mutation profile's {@link MutationDiscovery} skips tests only where pitest merely looks for them. */
class MutationDiscoveryTest {

  private static final String FINDER = "org.pitest.junit5.JUnit5TestUnitFinder";

  @Test
  void skipsOnlyInTheFinderOfAMutantsTestJvm() {
    assertThat(MutationDiscovery.discovering(
        Set.of(FINDER, "org.pitest.mutationtest.execute.MutationTestMinion"))).isTrue();
    // pitest's coverage run finds tests through the same finder and needs them to run
    assertThat(MutationDiscovery.discovering(
        Set.of(FINDER, "org.pitest.coverage.execute.CoverageMinion"))).isFalse();
    // a mutant's tests run by unique id, outside the finder
    assertThat(MutationDiscovery.discovering(
        Set.of("org.pitest.junit5.JUnit5TestUnit", "org.pitest.mutationtest.execute.MutationTestMinion"))).isFalse();
  }

  @Test
  void runsEveryTestOutsidePitest() throws Throwable {
    assertThat(MutationDiscovery.discovering()).isFalse();
    AtomicReference<String> done = new AtomicReference<>("nothing");
    MutationDiscovery.proceedUnlessDiscovering(new Invocation<>() {
      @Override
      public Void proceed() {
        done.set("proceeded");
        return null;
      }

      @Override
      public void skip() {
        done.set("skipped");
      }
    });
    assertThat(done).hasValue("proceeded");
  }
}
