package dev.roan.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keeps the README's "Testing your rules" in step with the test it shows, which the build compiles and runs. */
class ReadmeTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path TEST = Path.of("src", "test", "java", "dev", "roan", "example", "BlogRulesTest.java");

    @Test
    void theReadmesTestOfRulesIsBlogRulesTestLineForLine() throws IOException {
        List<String> shown = javaBlockOf(Files.readString(README), "### Testing your rules", "class BlogRulesTest");
        List<String> source = Files.readAllLines(TEST);

        // Every line the README shows is a line of the test, in the same order; the README may leave lines out
        // (the package, some imports), never change one.
        int at = 0;
        for (String line : shown) {
            while (at < source.size() && !source.get(at).stripTrailing().equals(line)) {
                at++;
            }
            assertThat(at).as("README line not in BlogRulesTest.java (in this order): \"" + line + "\"")
                    .isLessThan(source.size());
            at++;
        }
        assertThat(shown).as("lines shown").hasSizeGreaterThan(20);
    }

    /** The non-blank lines of the first java block after {@code heading} that contains {@code marker}. */
    private static List<String> javaBlockOf(String readme, String heading, String marker) {
        int section = readme.indexOf("\n" + heading + "\n");
        assertThat(section).as("README section " + heading).isNotNegative();
        int from = section;
        while (true) {
            int start = readme.indexOf("```java\n", from);
            assertThat(start).as("a java block containing " + marker + " under " + heading).isNotNegative();
            int end = readme.indexOf("\n```", start + 8);
            String block = readme.substring(start + 8, end);
            if (block.contains(marker)) {
                List<String> lines = new ArrayList<>();
                block.lines().map(String::stripTrailing).filter(line -> !line.isEmpty()).forEach(lines::add);
                return lines;
            }
            from = end + 4;
        }
    }
}
