package dev.roan.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finding the real programs the tests start, and what to do when one is missing: on a developer's machine the
 * test is skipped with a message that names the package to install; in CI ({@code CI=true}) a missing program
 * fails the build, because a skipped test there would hide a broken promise. The starters ({@link Nginx},
 * {@link Varnish}, {@link Postgres}, {@link MariaDb}) go through it; a test of one's own that needs another program can
 * too. Skipping and failing go through JUnit 5 ({@code Assumptions.abort}, {@code Assertions.fail}), which must be on
 * the test class path.
 *
 * @since 0.1.0
 */
public final class Programs {

    private Programs() {}

    /**
     * Whether this run is CI, where nothing may be skipped.
     *
     * @return true when the environment variable {@code CI} is {@code true}
     */
    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * The first of {@code candidates} that exists and is executable.
     *
     * @param candidates absolute paths, in order of preference
     * @return the first executable one, or empty
     */
    public static Optional<Path> find(String... candidates) {
        return Arrays.stream(candidates).map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /**
     * Returns the first executable among {@code candidates}, or skips the calling test (fails it under
     * {@code CI=true}) with a message that names what is missing and the Debian package that brings it.
     *
     * @param what the program, for the message, such as {@code "nginx"}
     * @param debianPackages the packages that bring it, for the message
     * @param candidates absolute paths, in order of preference
     * @return the first executable one
     */
    public static Path require(String what, String debianPackages, String... candidates) {
        Optional<Path> found = find(candidates);
        if (found.isPresent()) {
            return found.get();
        }
        unavailable(what + " not found (looked at " + String.join(", ", candidates) + "); install it with"
                + " `apt-get install -y " + debianPackages + "`");
        throw new AssertionError("unreachable");
    }

    /**
     * Skips the calling test, or fails it under {@code CI=true}, saying why.
     *
     * @param why what is missing and how to install it
     */
    public static void unavailable(String why) {
        if (isCi()) {
            Assertions.fail(why + " (CI=true: a missing program fails the build instead of skipping)");
        }
        Assumptions.abort(why);
    }

    /**
     * A TCP port on the loopback interface that was free a moment ago.
     *
     * @return a port number
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
