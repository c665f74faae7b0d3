package dev.roan.example.petclinic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The root README shows petclinic's rules as this application registers them: a change to either that the other
 * does not follow fails here, so the README's rules stay ones that run (and that the proof test checks).
 */
class ReadmeRulesTest {

    private static final Pattern STATEMENT = Pattern.compile("(?:roan|rules)\\.purge\\([^;]*;");

    @Test
    void readmeShowsTheRulesTheApplicationRegisters() throws IOException {
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        int intro = readme.indexOf("Petclinic's rules (`example-petclinic`'s `PetclinicRules`)");
        assertThat(intro).as("the README's petclinic rules").isNotNegative();
        int start = readme.indexOf("```java\n", intro);
        String block = readme.substring(start, readme.indexOf("```\n", start + 8));
        String file = Files.readString(
                Path.of("src/main/java/dev/roan/example/petclinic/PetclinicRules.java"), StandardCharsets.UTF_8);
        String source = file.substring(file.indexOf("static void register("), file.indexOf("unquotedNames()"));

        assertThat(statements(block)).as("the README's rules, against PetclinicRules.register")
                .containsExactlyElementsOf(statements(source));
    }

    /** Each {@code purge(...)...;} statement, without comments or whitespace, {@code roan.} for the helper's name. */
    private static List<String> statements(String code) {
        String stripped = code.replaceAll("//[^\n]*", "").replaceAll("\\s+", "");
        List<String> statements = new ArrayList<>();
        Matcher matcher = STATEMENT.matcher(stripped);
        while (matcher.find()) {
            statements.add(matcher.group().replaceFirst("^rules\\.", "roan."));
        }
        return statements;
    }
}
