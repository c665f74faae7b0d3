package dev.roan.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Markdown, printed as it is made and kept for a file. */
final class Report {

    private final StringBuilder text = new StringBuilder();

    void section(String title) {
        line("");
        line("### " + title);
        line("");
    }

    void line(String line) {
        System.out.println(line);
        System.out.flush();
        text.append(line).append('\n');
    }

    void writeTo(Path file) throws IOException {
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
    }
}
