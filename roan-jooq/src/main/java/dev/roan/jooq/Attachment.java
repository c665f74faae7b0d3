package dev.roan.jooq;

import java.util.Arrays;

import org.jooq.Configuration;
import org.jooq.ExecuteListenerProvider;
import org.jooq.TransactionListenerProvider;
import org.jooq.TransactionProvider;
import org.jooq.impl.ThreadLocalTransactionProvider;

/**
 * What attaching a Roan puts on a jOOQ configuration, and how to tell it is there: its execute listener and its
 * transaction handling (a wrapped transaction
 * provider, or a transaction listener where jOOQ's thread-local provider cannot be wrapped).
 */
final class Attachment {

    private final TransactionScopes scopes;
    private final ExecuteListenerProvider executeListener;
    private final TransactionListenerProvider transactionListener;

    Attachment(TransactionScopes scopes, ExecuteListenerProvider executeListener,
            TransactionListenerProvider transactionListener) {
        this.scopes = scopes;
        this.executeListener = executeListener;
        this.transactionListener = transactionListener;
    }

    /** Adds what is missing to {@code configuration} itself; what is there already is left as it is. */
    void apply(Configuration configuration) {
        ExecuteListenerProvider[] listeners = configuration.executeListenerProviders();
        if (!Arrays.asList(listeners).contains(executeListener)) {
            configuration.set(append(listeners, executeListener));
        }
        // No record listener: jOOQ calls record listeners for every record a read loads, whatever they do.
        TransactionProvider transactions = configuration.transactionProvider();
        if (transactions instanceof ThreadLocalTransactionProvider) {
            // jOOQ checks for this type itself, so it cannot be wrapped: follow its events instead.
            TransactionListenerProvider[] txListeners = configuration.transactionListenerProviders();
            if (!Arrays.asList(txListeners).contains(transactionListener)) {
                configuration.set(append(txListeners, transactionListener));
            }
        } else if (!isOurs(transactions)) {
            // jOOQ hands out a new default provider on each call when none was set explicitly.
            boolean implicit = transactions != configuration.transactionProvider();
            configuration.set(new TransactionScopes.Provider(implicit ? null : transactions, scopes));
        }
    }

    /** Whether {@link #apply} would add nothing. */
    boolean isOn(Configuration configuration) {
        if (!Arrays.asList(configuration.executeListenerProviders()).contains(executeListener)) {
            return false;
        }
        TransactionProvider transactions = configuration.transactionProvider();
        return transactions instanceof ThreadLocalTransactionProvider
                ? Arrays.asList(configuration.transactionListenerProviders()).contains(transactionListener)
                : isOurs(transactions);
    }

    private boolean isOurs(TransactionProvider provider) {
        return provider instanceof TransactionScopes.Provider && ((TransactionScopes.Provider) provider).scopes == scopes;
    }

    private static <T> T[] append(T[] array, T one) {
        T[] appended = Arrays.copyOf(array, array.length + 1);
        appended[array.length] = one;
        return appended;
    }
}
