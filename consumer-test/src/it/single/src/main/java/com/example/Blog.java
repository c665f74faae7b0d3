package com.example;

import dev.roan.jooq.Roan;
import org.jooq.Configuration;
import org.jooq.SQLDialect;
import org.jooq.impl.DefaultConfiguration;

public class Blog {

    public static Configuration withRoan(Roan roan) {
        roan.purge("/posts").onWrite(org.jooq.impl.DSL.table(org.jooq.impl.DSL.name("POST")));
        return roan.attach(new DefaultConfiguration().set(SQLDialect.H2));
    }
}
