package dev.roan.jooq;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;

import javax.sql.DataSource;

/**
 * As Spring's {@code TransactionAwareDataSourceProxy}: a data source that hands out the open transaction's connection,
 * which closing does not close, for tests of a transaction boundary without Spring.
 */
final class TransactionAwareDataSource {

    private TransactionAwareDataSource() {
    }

    static DataSource of(DataSource dataSource, Connection transaction) {
        Connection unclosable = (Connection) Proxy.newProxyInstance(TransactionAwareDataSource.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    return invoke(method, transaction, args);
                });
        return (DataSource) Proxy.newProxyInstance(TransactionAwareDataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        return unclosable;
                    }
                    return invoke(method, dataSource, args);
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
