package io.marchproxy.control.store;

/** The work of one atomic update; throwing aborts it with nothing written. */
@FunctionalInterface
public interface TransactionBody<R> {
    R run(Transaction tx);
}
