package dev.roan.jooq.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

import dev.roan.jooq.Roan;

/** This module exists to run the library as users get it on jOOQ 3.21: check that it does. */
class JooqVersionTest {

    @Test
    void jooqOnTheClasspathIs321() throws ReflectiveOperationException, URISyntaxException {
        // Read reflectively: javac would inline the compile-time constant org.jooq.Constants.MINOR_VERSION.
        Object minor = Class.forName("org.jooq.Constants").getField("MINOR_VERSION").get(null);
        assertThat(minor).isEqualTo("3.21");
        assertThat(location(DSL.class)).matches("jooq-3\\.21\\.[0-9]+\\.jar");
        assertThat(System.getProperty("java.class.path")).doesNotContain("jooq-3.19");
    }

    @Test
    void roanIsTheJarCompiledForJava17() throws IOException, URISyntaxException {
        assertThat(location(Roan.class)).matches("roan-jooq-.*\\.jar");
        try (InputStream in = Roan.class.getResourceAsStream("Roan.class");
                DataInputStream data = new DataInputStream(in)) {
            assertThat(data.readInt()).isEqualTo(0xCAFEBABE);
            data.readUnsignedShort(); // minor version
            assertThat(data.readUnsignedShort()).as("class file major version (61 = Java 17)").isEqualTo(61);
        }
    }

    @Test
    void runsOnJava21OrNewer() {
        assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(21);
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
    }
}
