package dev.roan.benchmarks;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what a JDBC connection sends to the database: statements executed (any {@code execute*}), commits and
 * rollbacks. Each is one round trip with the PostgreSQL driver (which sends BEGIN with a transaction's first
 * statement), so the count shows what durable mode adds per transaction without the noise of timing.
 */
final class Calls {

    private Calls() {
    }

    static Connection count(Connection connection, AtomicLong calls) {
        return (Connection) Proxy.newProxyInstance(Calls.class.getClassLoader(), new Class<?>[] {Connection.class},
                handler(connection, calls, true));
    }

    private static InvocationHandler handler(Object target, AtomicLong calls, boolean isConnection) {
        return (proxy, method, args) -> {
            String name = method.getName();
            if (name.startsWith("execute") || (isConnection && (name.equals("commit") || name.equals("rollback")))) {
                calls.incrementAndGet();
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (isConnection && result instanceof Statement) {
                Class<?> type = result instanceof CallableStatement ? CallableStatement.class
                        : result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
                return Proxy.newProxyInstance(Calls.class.getClassLoader(), new Class<?>[] {type},
                        handler(result, calls, false));
            }
            return result;
        };
    }
}
