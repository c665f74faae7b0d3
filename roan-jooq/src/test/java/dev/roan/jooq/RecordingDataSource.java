package dev.roan.jooq;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

/**
 * A DataSource that records every statement prepared on its connections, with the connection it was prepared on: to
 * count the outbox's INSERTs and to see that they run on the writer's own connection.
 */
final class RecordingDataSource {

    record Prepared(int connection, String sql) {
        boolean startsWith(String prefix) {
            return sql.trim().toUpperCase(Locale.ROOT).startsWith(prefix.toUpperCase(Locale.ROOT));
        }
    }

    private final List<Prepared> prepared = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    final DataSource dataSource;

    RecordingDataSource(DataSource target) {
        this.dataSource = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    if (result instanceof Connection c) {
                        return connection(c, connections.incrementAndGet());
                    }
                    return result;
                });
    }

    private Connection connection(Connection target, int id) {
        InvocationHandler handler = (proxy, method, args) -> {
            if ((method.getName().equals("prepareStatement") || method.getName().equals("prepareCall"))
                    && args != null && args[0] instanceof String sql) {
                synchronized (prepared) {
                    prepared.add(new Prepared(id, sql));
                }
            }
            return invoke(target, method, args);
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                handler);
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    List<Prepared> prepared() {
        synchronized (prepared) {
            return List.copyOf(prepared);
        }
    }

    /** Statements prepared so far that start with {@code prefix}, case aside. */
    List<Prepared> prepared(String prefix) {
        return prepared().stream().filter(p -> p.startsWith(prefix)).toList();
    }

    void clear() {
        synchronized (prepared) {
            prepared.clear();
        }
    }
}
