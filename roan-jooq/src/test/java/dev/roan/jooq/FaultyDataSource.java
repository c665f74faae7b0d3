package dev.roan.jooq;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.sql.DataSource;

/**
 * A real DataSource that can be taken down and back up (every new connection refused meanwhile, as from a database
 * that is restarting), that records each statement prepared with the thread it was prepared on, and that lets a test
 * stop a thread just before a statement is prepared or just after a query ran: to drive the interleavings of the
 * shared page index.
 */
final class FaultyDataSource {

    record Prepared(String thread, String sql) {}

    private final List<Prepared> prepared = new ArrayList<>();
    private volatile boolean down;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Consumer<String> beforePrepare = sql -> { };
    private volatile Consumer<String> afterQuery = sql -> { };
    final DataSource dataSource;

    FaultyDataSource(DataSource target) {
        this.dataSource = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connections.incrementAndGet();
                        if (down) {
                            throw new SQLTransientConnectionException("the database is down (FaultyDataSource)");
                        }
                    }
                    Object result = invoke(target, method, args);
                    return result instanceof Connection c ? connection(c) : result;
                });
    }

    void down(boolean down) {
        this.down = down;
    }

    /** How many connections were asked for so far, refused ones too. */
    int connections() {
        return connections.get();
    }

    /** Runs {@code hook} with the SQL before each statement is prepared, on the preparing thread. */
    void beforePrepare(Consumer<String> hook) {
        this.beforePrepare = hook;
    }

    /** Runs {@code hook} with the SQL after each prepared query returned its rows, on the querying thread. */
    void afterQuery(Consumer<String> hook) {
        this.afterQuery = hook;
    }

    /** The statements prepared so far whose SQL starts with {@code prefix}, ignoring case. */
    List<Prepared> prepared(String prefix) {
        synchronized (prepared) {
            return prepared.stream().filter(p -> p.sql.regionMatches(true, 0, prefix, 0, prefix.length())).toList();
        }
    }

    void clear() {
        synchronized (prepared) {
            prepared.clear();
        }
    }

    private Connection connection(Connection target) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                        beforePrepare.accept(sql);
                        synchronized (prepared) {
                            prepared.add(new Prepared(Thread.currentThread().getName(), sql));
                        }
                        return statement((PreparedStatement) invoke(target, method, args), sql);
                    }
                    return invoke(target, method, args);
                });
    }

    private PreparedStatement statement(PreparedStatement target, String sql) {
        return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    if (method.getName().equals("executeQuery")) {
                        afterQuery.accept(sql);
                    }
                    return result;
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
