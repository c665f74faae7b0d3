package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import dev.roan.jooq.Roan;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

class RoanFromTheReadmeTest {

    private static final Table<Record> POST = DSL.table(DSL.name("POST"));

    @Test
    void aCommittedInsertPurgesThePageOfItsTable() throws Exception {
        BlockingQueue<String> purges = new LinkedBlockingQueue<>();
        HttpServer cache = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cache.createContext("/purge", exchange -> {
            purges.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cache.start();
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:blog");
                Roan roan = Roan.builder()
                        .purgeUrl("http://127.0.0.1:" + cache.getAddress().getPort() + "/purge")
                        .build()) {
            DSLContext plain = DSL.using(connection, SQLDialect.H2);
            plain.execute("create table post (id bigint primary key, title varchar(200))");
            roan.purge("/posts").onWrite(POST);
            DSLContext dsl = DSL.using(roan.attach(plain.configuration()));

            dsl.insertInto(POST)
                    .set(DSL.field(DSL.name("ID"), Long.class), 1L)
                    .set(DSL.field(DSL.name("TITLE"), String.class), "Hello")
                    .execute();

            assertEquals("GET /purge/posts", purges.poll(30, TimeUnit.SECONDS), "the purge the cache received");
            System.out.println("Roan consumer: a committed insert purged /posts");
        } finally {
            cache.stop(0);
        }
    }

    @Test
    void roanBringsNoSlf4j() {
        // SLF4J on the class path without a binding prints its "NOP logger" warning; Roan logs through System.Logger.
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.slf4j.LoggerFactory"));
    }
}
