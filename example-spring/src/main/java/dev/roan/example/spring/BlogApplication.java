package dev.roan.example.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The example blog as a Spring Boot application: Spring MVC, Boot's DataSource, Flyway and jOOQ, and Roan through
 * {@code roan-spring-boot-starter}. Run it from the repository root with
 * {@code ./mvnw -q -pl example-spring -am compile -Prun}; settings are in {@code application.properties}.
 */
@SpringBootApplication
public class BlogApplication {

    public static void main(String[] args) {
        // Quiet jOOQ's banner and tips.
        System.setProperty("org.jooq.no-logo", System.getProperty("org.jooq.no-logo", "true"));
        System.setProperty("org.jooq.no-tips", System.getProperty("org.jooq.no-tips", "true"));
        SpringApplication.run(BlogApplication.class, args);
    }
}
