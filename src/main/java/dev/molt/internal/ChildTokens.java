package dev.molt.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * The child tokens of a token that has had two or more: intrusive doubly linked lists (a token carries its own
 * links, {@link Token#prevSibling} and {@link Token#nextSibling}), striped so that registrations from different
 * carriers rarely meet, each stripe guarded by a spin lock held for a few pointer writes.
 *
 * <p>Why not a {@code ConcurrentHashMap} set, as before: a JFR profile of spawn + join showed about 40% of the
 * samples in the map (mostly its shared size counter, then the bin CAS, the node allocation and the locked
 * remove). Here a registration allocates nothing and costs one uncontended CAS and a release store, as does the
 * removal, and no counter is shared by the stripes.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>{@code first} is the token's single child from before this object existed (it was the parent's whole
 *       {@code children} field). It is never linked into a stripe, so converting to this object writes no field
 *       of a child that its own thread may be removing at that moment; it leaves by a CAS to null.</li>
 *   <li>Every other child is in the stripe {@link #indexOf} chooses from its hash (stable for its life), linked
 *       at most once; its link fields and the stripe's {@code head} and {@code count} are read and written only
 *       under that stripe's lock, or before this object is published.</li>
 *   <li>{@code closed} is set once, by the one thread that cancelled the parent, after the parent's
 *       cancellation and before it takes the stripes' locks to collect the children. A child that is not kept
 *       ({@code keep} false) is refused once it sees {@code closed} under its stripe's lock; the parent's
 *       registration protocol (publish, then read the cancellation) covers the ones that did not see it.</li>
 * </ul>
 * Taking and releasing a stripe's lock (a CAS and a release store) orders every access to that stripe.
 */
final class ChildTokens {
    /** See {@link Stripes}. Stripes are made on first use, so a parent with few children pays for few. */
    private static final int STRIPES = Stripes.COUNT;
    private static final VarHandle FIRST;
    private static final VarHandle STRIPE = MethodHandles.arrayElementVarHandle(Stripe[].class);

    static {
        try {
            FIRST = MethodHandles.lookup().findVarHandle(ChildTokens.class, "first", Token.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Token first;
    /** Made on first use, by CAS: a parent with few children pays for one or two. */
    private final Stripe[] stripes = new Stripe[STRIPES];
    private volatile boolean closed;

    /**
     * A set holding {@code first} and {@code added} (either may be null), closed or not, for the parent to publish
     * with one CAS. {@code added}'s links are written here, before publication, which is safe because a token is
     * registered by one thread, once; {@code first}'s are not touched (see the invariants).
     */
    ChildTokens(Token first, Token added, boolean closed) {
        this.first = first;
        this.closed = closed;
        if (added != null) {
            Stripe s = new Stripe();
            stripes[indexOf(added)] = s;
            s.link(added);
        }
    }

    private static int indexOf(Token t) {
        return t.hashCode() & (STRIPES - 1);
    }

    /** Links {@code child}, unless the set is closed and {@code keep} is false; returns whether it did. */
    boolean add(Token child, boolean keep) {
        int i = indexOf(child);
        Stripe s = (Stripe) STRIPE.getAcquire(stripes, i);
        if (s == null) {
            Stripe fresh = new Stripe();
            s = (Stripe) STRIPE.compareAndExchange(stripes, i, (Stripe) null, fresh);
            if (s == null) {
                s = fresh;
            }
        }
        s.lock();
        try {
            if (closed && !keep) {
                return false;
            }
            s.link(child);
            return true;
        } finally {
            s.unlock();
        }
    }

    /** Unlinks {@code child}; does nothing if it is not here. */
    void remove(Token child) {
        if (first == child && FIRST.compareAndSet(this, child, (Token) null)) {
            return;
        }
        Stripe s = (Stripe) STRIPE.getAcquire(stripes, indexOf(child));
        if (s != null) {
            s.lock();
            try {
                s.unlink(child);
            } finally {
                s.unlock();
            }
        }
    }

    /** Marks the set closed (see the invariants) and hands every child in it now to {@code sink}. */
    void close(Consumer<? super Token> sink) {
        closed = true;
        forEach(sink);
    }

    /**
     * Hands every child in the set now to {@code sink}, which runs under a stripe's spin lock: it must be short and
     * must not block or touch this set.
     */
    void forEach(Consumer<? super Token> sink) {
        Token f = first;
        if (f != null) {
            sink.accept(f);
        }
        for (int i = 0; i < STRIPES; i++) {
            // A volatile read: a canceller that finds no stripe here must be ordered before the registrant's CAS
            // that makes it, so that the registrant then reads the parent's cancellation.
            Stripe s = (Stripe) STRIPE.getVolatile(stripes, i);
            if (s != null) {
                s.lock();
                try {
                    for (Token t = s.head; t != null; t = t.nextSibling) {
                        sink.accept(t);
                    }
                } finally {
                    s.unlock();
                }
            }
        }
    }

    int size() {
        int n = first != null ? 1 : 0;
        for (int i = 0; i < STRIPES; i++) {
            Stripe s = (Stripe) STRIPE.getVolatile(stripes, i);
            if (s != null) {
                s.lock();
                n += s.count;
                s.unlock();
            }
        }
        return n;
    }

    /** One list and its lock. */
    private static final class Stripe {
        private static final VarHandle LOCKED;

        static {
            try {
                LOCKED = MethodHandles.lookup().findVarHandle(Stripe.class, "locked", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile int locked;
        private Token head;
        private int count;

        /**
         * A spin lock, not a {@code ReentrantLock}: it is held for a few writes (or, by a canceller, for one pass
         * over the list), never across anything that blocks, so a waiter spins briefly and then yields its carrier.
         */
        void lock() {
            for (int spins = 0; !(locked == 0 && LOCKED.compareAndSet(this, 0, 1)); spins++) {
                if (spins < 64) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        void unlock() {
            LOCKED.setRelease(this, 0);
        }

        void link(Token t) {
            Token h = head;
            t.prevSibling = null;
            t.nextSibling = h;
            if (h != null) {
                h.prevSibling = t;
            }
            head = t;
            count++;
        }

        void unlink(Token t) {
            Token p = t.prevSibling;
            Token n = t.nextSibling;
            if (p == null && head != t) {
                return; // not linked here
            }
            if (p == null) {
                head = n;
            } else {
                p.nextSibling = n;
            }
            if (n != null) {
                n.prevSibling = p;
            }
            t.prevSibling = null;
            t.nextSibling = null;
            count--;
        }
    }
}
