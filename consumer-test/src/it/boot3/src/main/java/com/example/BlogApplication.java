package com.example;

import dev.roan.spring.boot.RoanCustomizer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@SpringBootApplication
public class BlogApplication {

    @Bean
    RoanCustomizer blogPages() {
        return roan -> roan.purge("/posts").onWrite(DSL.table(DSL.name("POST")));
    }

    @Service
    public static class Posts {
        private final DSLContext dsl;

        public Posts(DSLContext dsl) {
            this.dsl = dsl;
        }

        @Transactional
        public void add(long id, String title) {
            dsl.insertInto(DSL.table(DSL.name("POST")))
                    .set(DSL.field(DSL.name("ID"), Long.class), id)
                    .set(DSL.field(DSL.name("TITLE"), String.class), title)
                    .execute();
        }
    }
}
