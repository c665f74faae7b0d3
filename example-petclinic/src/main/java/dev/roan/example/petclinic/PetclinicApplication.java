package dev.roan.example.petclinic;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A petclinic behind nginx: spring-petclinic's schema, pages and writes as a Spring Boot application (Spring MVC,
 * {@code @Transactional} services writing through Boot's jOOQ {@code DSLContext}), whose every page nginx caches
 * forever and Roan purges after each committed write. Run it from the repository root with
 * {@code ./mvnw -q -pl example-petclinic -am compile -Prun}, and nginx in front of it with {@code nginx/nginx.conf}.
 *
 * <p>The rules are in {@link PetclinicRules}; each says which of petclinic's writes it is for.
 */
@SpringBootApplication
public class PetclinicApplication {

    public static void main(String[] args) {
        // Quiet jOOQ's banner and tips.
        System.setProperty("org.jooq.no-logo", System.getProperty("org.jooq.no-logo", "true"));
        System.setProperty("org.jooq.no-tips", System.getProperty("org.jooq.no-tips", "true"));
        SpringApplication.run(PetclinicApplication.class, args);
    }
}
