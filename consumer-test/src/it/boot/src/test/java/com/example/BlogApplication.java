package com.example;

import dev.roan.spring.boot.RoanCustomizer;
import org.jooq.impl.DSL;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

@SpringBootApplication
public class BlogApplication {

    @Bean
    RoanCustomizer blogPages() {
        return roan -> roan.purge("/posts").onWrite(DSL.table(DSL.name("POST")));
    }
}
