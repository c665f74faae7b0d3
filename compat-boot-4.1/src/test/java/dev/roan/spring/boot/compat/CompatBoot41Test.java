package dev.roan.spring.boot.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;

import dev.roan.spring.boot.RoanAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

/** The run is the starter jar built for Boot 4.0, on Boot 4.1. */
class CompatBoot41Test {

    @Test
    void runsOnSpringBoot41() {
        assertThat(SpringBootVersion.getVersion()).as("Spring Boot").startsWith("4.1.");
    }

    @Test
    void startersClassesComeFromItsJar() throws IOException {
        var location = RoanAutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation();
        assertThat(location.getPath()).as("the starter as users get it, not recompiled").endsWith(".jar");
        try (JarInputStream jar = new JarInputStream(location.openStream())) {
            assertThat(jar.getManifest().getMainAttributes().getValue(new Attributes.Name("Automatic-Module-Name")))
                    .isEqualTo("dev.roan.spring.boot");
        }
    }
}
