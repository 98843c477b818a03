package dev.molt.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * The token of a scope. Knows its scope (for the dump, which walks the token tree) and the thread that runs the
 * scope's body, which it wakes when cancelled so that blocking operations in the body need no listener. It never
 * interrupts that thread.
 */
final class ScopeToken extends Token {
    private final Thread owner;
    /** Set once, right after the scope is made and before the token is attached to its parent. */
    private ScopeImpl scope;

    ScopeToken(Token parent, Thread owner) {
        super(parent);
        this.owner = owner;
    }

    void setScope(ScopeImpl scope) {
        this.scope = scope;
    }

    ScopeImpl scopeImpl() {
        return scope;
    }

    /** A runtime's root token is cancelled only by shutdown (API.md): cancelled by hand, it would stay cancelled. */
    @Override
    void checkPlainCancel() {
        ScopeImpl s = scope;
        if (s != null && s.isRoot()) {
            throw new UnsupportedOperationException(
                    "the root token of Molt runtime '" + s.runtime.name() + "' is cancelled only by shutdown");
        }
    }

    @Override
    void onCancelled(Cancellation c) {
        if (owner != null && owner != Thread.currentThread()) { // a self-unpark would leave a stray permit
            LockSupport.unpark(owner);
        }
    }

    @Override
    boolean leavesParentWhenCancelled() {
        return false; // it leaves when its scope ends
    }

    @Override
    Thread ownerThread() {
        return owner;
    }
}
