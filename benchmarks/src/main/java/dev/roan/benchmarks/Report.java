package dev.roan.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Markdown, printed as it is made and kept for a file. */
final class Report implements AutoCloseable {

    private final StringBuilder text = new StringBuilder();
    private final boolean print;

    Report() {
        this(true);
    }

    private Report(boolean print) {
        this.print = print;
    }

    /** A report that prints and keeps nothing, for warm-up runs. */
    static Report discarding() {
        return new Report(false);
    }

    @Override
    public void close() {
        text.setLength(0);
    }

    void section(String title) {
        line("");
        line("### " + title);
        line("");
    }

    void line(String line) {
        if (!print) {
            return;
        }
        System.out.println(line);
        System.out.flush();
        text.append(line).append('\n');
    }

    void writeTo(Path file) throws IOException {
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
    }
}
