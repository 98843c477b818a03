package dev.molt;

/**
 * One alternative of a {@link Molt#select select}: made by {@link ReceiveChannel#onRecv},
 * {@link SendChannel#onSend}, {@link Molt#onDefault} and {@link Molt#onTimeout}. A clause is a description;
 * it does nothing until passed to {@code select}, and may be passed to several selects one after another.
 * Implemented by Molt only: {@code select} rejects other implementations with {@link IllegalArgumentException}.
 *
 * @param <R> what the clause's callback returns
 */
public interface SelectClause<R> {
}
