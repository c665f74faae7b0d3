package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.roan.jooq.Roan;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

class TransactionalWriteTest {

    @Test
    void aTransactionalWritePurgesAfterItsCommit() throws Exception {
        BlockingQueue<String> purges = new LinkedBlockingQueue<>();
        HttpServer cache = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cache.createContext("/purge", exchange -> {
            purges.add(exchange.getRequestURI().getRawPath());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        cache.start();
        try (ConfigurableApplicationContext context = SpringApplication.run(BlogApplication.class,
                "--roan.purge-url=http://127.0.0.1:" + cache.getAddress().getPort() + "/purge")) {
            context.getBean(DSLContext.class).execute("create table post (id bigint primary key, title varchar(200))");

            context.getBean(BlogApplication.Posts.class).add(1, "Hello");

            assertEquals("/purge/posts", purges.poll(30, TimeUnit.SECONDS), "the purge the cache received");
            // Roan logs the purge once the cache answered: wait for that while the application runs.
            assertTrue(context.getBean(Roan.class).flush(Duration.ofSeconds(30)), "the purge was delivered");
        } finally {
            cache.stop(0);
        }
        System.out.println("Roan consumer: the Boot 3 application purged /posts");
    }
}
