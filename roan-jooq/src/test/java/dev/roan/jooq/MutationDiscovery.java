package dev.roan.jooq;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Skips test and lifecycle method bodies while pitest's JUnit 5 plugin, in a mutant's test JVM, finds the tests it may
 * run: the plugin finds them by running every covering test class once (its {@code JUnit5TestUnitFinder} calls
 * {@code Launcher.execute}), and only the tests' names are used. On a class every test reaches that was the profile's
 * whole suite, 10 to 20 s, before the first mutant of each of about a hundred classes and after each timed-out mutant.
 *
 * <p>Loaded only by the {@code mutation} profile (JUnit's extension auto-detection, switched on in pitest's
 * {@code jvmArgs}; the service file lists this class). The tests still run in full where it matters: pitest's coverage
 * run (in its coverage JVM, which this leaves alone) and every run against a mutant (pitest runs those by unique id,
 * not through the finder). Test factories still run, so that dynamic tests are found; their bodies are skipped.
 */
public final class MutationDiscovery implements InvocationInterceptor {

  private static final String FINDER = "org.pitest.junit5.JUnit5TestUnitFinder";
  private static final String MUTANT_JVM = "org.pitest.mutationtest.execute.MutationTestMinion";

  /** Whether this thread is inside the finder of a mutant's test JVM. */
  static boolean discovering() {
    return discovering(StackWalker.getInstance()
        .walk(frames -> frames.map(StackWalker.StackFrame::getClassName).collect(Collectors.toSet())));
  }

  /** Whether a thread whose stack holds these classes is inside the finder of a mutant's test JVM. */
  static boolean discovering(Set<String> callers) {
    return callers.contains(FINDER) && callers.contains(MUTANT_JVM);
  }

  static void proceedUnlessDiscovering(Invocation<Void> invocation) throws Throwable {
    if (discovering()) {
      invocation.skip();
    } else {
      invocation.proceed();
    }
  }

  @Override
  public void interceptBeforeAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
      ExtensionContext extension) throws Throwable {
    proceedUnlessDiscovering(invocation);
  }

  @Override
  public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
      ExtensionContext extension) throws Throwable {
    proceedUnlessDiscovering(invocation);
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
      ExtensionContext extension) throws Throwable {
    proceedUnlessDiscovering(invocation);
  }

  @Override
  public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
      ExtensionContext extension) throws Throwable {
    proceedUnlessDiscovering(invocation);
  }

  @Override
  public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext context,
      ExtensionContext extension) throws Throwable {
    proceedUnlessDiscovering(invocation);
  }

  @Override
  public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
      ExtensionContext extension) throws Throwable {
    proceedUnlessDiscovering(invocation);
  }

  @Override
  public void interceptAfterAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> context,
      ExtensionContext extension) throws Throwable {
    proceedUnlessDiscovering(invocation);
  }
}
