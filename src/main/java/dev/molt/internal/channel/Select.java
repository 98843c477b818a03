package dev.molt.internal.channel;

import dev.molt.SelectClause;
import dev.molt.internal.CurrentContext;
import dev.molt.internal.Durations;
import dev.molt.internal.Token;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * {@code select}, as Go does it, with a fast path first (ADR 0011).
 *
 * <ol>
 *   <li>Shuffle the channel clauses (the poll order).</li>
 *   <li>The fast path: in poll order, skip a clause whose channel says it cannot proceed
 *       ({@link ChannelImpl#mayProceed}, lock-free and racy) and try the others as a send or receive that does
 *       not wait, each under its own channel's lock(s) only; the first that succeeds is the select's clause. A
 *       closed channel ends the fast path (it counts as ready; the locked scan below gives it its share).</li>
 *   <li>Otherwise lock every distinct channel, all its locks, in {@code id} order (the locked scan).</li>
 *   <li>Take the first clause of the poll order that can proceed now (a closed channel counts as ready). The
 *       order is a uniformly random permutation, so the choice is uniform among the ready clauses.</li>
 *   <li>If none: with {@code onDefault}, unlock and run it. Otherwise enqueue one node per clause (in poll
 *       order, so that a partner that could complete several clauses on one channel also picks uniformly),
 *       all sharing one {@link Waiter}; unlock; park. The first partner (or {@code close}) to win the
 *       waiter's CAS completes exactly one clause; on return the select unlinks its other nodes.</li>
 * </ol>
 * While the select holds all its locks nobody can complete its (not yet enqueued) waiter, so its own state
 * needs no second CAS. Callbacks run after every lock is released.
 */
public final class Select {
    private Select() {
    }

    private static final Comparator<ChannelImpl<?>> BY_ID = Comparator.comparingLong(c -> c.id);

    @SafeVarargs
    public static <R> R select(SelectClause<? extends R>... clauses) throws InterruptedException {
        Objects.requireNonNull(clauses, "clauses");
        int k = 0;
        Clauses.Default<? extends R> dflt = null;
        Clauses.Timeout<? extends R> timeout = null;
        for (SelectClause<? extends R> c : clauses) {
            Objects.requireNonNull(c, "clause");
            if (c instanceof Clauses.OnChannel<?>) {
                k++;
            } else if (c instanceof Clauses.Default<? extends R> d) {
                if (dflt != null) {
                    throw new IllegalArgumentException("select takes at most one onDefault clause");
                }
                dflt = d;
            } else if (c instanceof Clauses.Timeout<? extends R> t) {
                if (timeout != null) {
                    throw new IllegalArgumentException("select takes at most one onTimeout clause");
                }
                timeout = t;
            } else {
                throw new IllegalArgumentException("not a Molt select clause: " + c.getClass().getName());
            }
        }
        if (k == 0) {
            throw new IllegalArgumentException("select needs at least one onSend or onRecv clause");
        }
        @SuppressWarnings("unchecked")
        Clauses.OnChannel<? extends R>[] ch = new Clauses.OnChannel[k];
        int j = 0;
        for (SelectClause<? extends R> c : clauses) {
            if (c instanceof Clauses.OnChannel<? extends R> oc) {
                ch[j++] = oc;
            }
        }
        Token token = null;
        if (dflt == null) {
            token = CurrentContext.get().token();
            token.throwIfCancelled();
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        int[] order = pollOrder(k);
        // The fast path (class comment, step 2). A closed channel is ready too, but skipping past it here would
        // take its share of the uniform choice away: the locked scan decides instead.
        for (int i : order) {
            Clauses.OnChannel<? extends R> c = ch[i];
            ChannelImpl<?> chan = c.channel;
            if (chan.closed) {
                break;
            }
            if (c.isSend()) {
                if (chan.sendIfLikely(c.value())) {
                    return finish(c, false, null);
                }
            } else {
                Object v = chan.receiveIfLikely();
                if (v != null) {
                    return finish(c, v == ChannelImpl.CLOSED, v);
                }
            }
        }
        ChannelImpl<?>[] locks = lockOrder(ch);

        int chosen = -1;
        boolean closedHit = false;
        Object received = null;
        Node wake = null;
        Object drop = null;
        ChannelImpl<?> dropper = null;
        Waiter w = null;
        for (ChannelImpl<?> l : locks) {
            l.acquireAll();
        }
        try {
            for (int i : order) {
                Clauses.OnChannel<? extends R> c = ch[i];
                ChannelImpl<?> chan = c.channel;
                if (c.isSend()) {
                    if (chan.closedLocked()) {
                        closedHit = true;
                    } else if (chan.offerLocked(c.value())) {
                        wake = chan.takeWake();
                        drop = chan.takeDrop();
                        dropper = chan;
                    } else {
                        continue;
                    }
                } else {
                    Object v = chan.pollLocked();
                    if (v != null) {
                        received = v;
                        wake = chan.takeWake();
                    } else if (chan.closedLocked()) {
                        closedHit = true;
                    } else {
                        continue;
                    }
                }
                chosen = i;
                break;
            }
            if (chosen < 0 && dflt == null) {
                w = new Waiter(Thread.currentThread());
                Node[] nodes = new Node[k];
                w.nodes = nodes;
                boolean alone = true;
                for (int i : order) {
                    Clauses.OnChannel<? extends R> c = ch[i];
                    Node n = new Node(w, c.channel, i, c.isSend(), c.value());
                    nodes[i] = n;
                    alone &= c.channel.enqueueLocked(n);
                }
                w.alone = alone;
                w.spin = ch[order[0]].channel.spin;
                // Dekker with a rendezvous channel's lock-free paths (ChannelImpl): a plain waiter may have
                // published itself in the slot or appended itself to a queue without seeing our nodes; claim it
                // now, in poll order. Nobody else can have completed our waiter: its nodes are completed only under
                // the locks we hold.
                for (int i : order) {
                    if (w == null) {
                        break;
                    }
                    Node n = nodes[i];
                    Node p = n.channel.matchSlotLocked(n);
                    if (p != null) {
                        for (Node o : nodes) {
                            if (o.queue != null) {
                                o.queue.remove(o);
                            }
                        }
                        chosen = i;
                        wake = p;
                        received = n.send ? null : p.item;
                        w = null;
                        break;
                    }
                }
            }
        } finally {
            // A buffered channel's locked primitives may also have completed waiters its one-lock paths left
            // behind (ChannelImpl.normalizeLocked), on any channel polled, chosen or not: wake those too, once
            // every lock is released. So too the moves that receives asked of a send lock we held: done only now,
            // since they wake waiters, and a woken async bridge runs its caller's code, which must not find us
            // still holding another channel's lock.
            Node others = null;
            for (int l = locks.length - 1; l >= 0; l--) {
                others = append(locks[l].takeWake(), others);
                locks[l].unlockAllOnly();
            }
            for (ChannelImpl<?> l : locks) {
                l.afterUnlock();
            }
            ChannelImpl.fireAll(others);
        }
        if (chosen >= 0) {
            ChannelImpl.fireAll(wake);
            if (drop != null) {
                dropper.undelivered(drop);
            }
            return finish(ch[chosen], closedHit, received);
        }
        if (w == null) {
            return dflt.then().get();
        }
        Node n = w.await(token, timeout != null, timeout != null ? timeout.nanos() : 0L);
        if (n == null) {
            return timeout.then().get();
        }
        w.unlinkOthers(n);
        return finish(ch[n.index], w.closedOutcome(), n.item);
    }

    /** Appends chain {@code b} to chain {@code a} (linked by {@link Node#wakeNext}). */
    private static Node append(Node a, Node b) {
        if (a == null) {
            return b;
        }
        Node t = a;
        while (t.wakeNext != null) {
            t = t.wakeNext;
        }
        t.wakeNext = b;
        return a;
    }

    private static <R> R finish(Clauses.OnChannel<? extends R> c, boolean closed, Object received) {
        if (closed) {
            throw c.isSend() ? c.channel.closedForSend() : c.channel.closedForRecv();
        }
        return c.complete(c.isSend() ? null : received);
    }

    /** A uniformly random permutation of {@code 0..k-1} (Fisher-Yates). */
    private static int[] pollOrder(int k) {
        int[] order = new int[k];
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < k; i++) {
            int r = rnd.nextInt(i + 1);
            order[i] = order[r];
            order[r] = i;
        }
        return order;
    }

    /** The distinct channels of the clauses, sorted by id: the global lock order. */
    private static ChannelImpl<?>[] lockOrder(Clauses.OnChannel<?>[] ch) {
        ChannelImpl<?>[] cs = new ChannelImpl<?>[ch.length];
        for (int i = 0; i < ch.length; i++) {
            cs[i] = ch[i].channel;
        }
        if (cs.length == 1) {
            return cs;
        }
        Arrays.sort(cs, BY_ID);
        int n = 1;
        for (int i = 1; i < cs.length; i++) {
            if (cs[i] != cs[n - 1]) {
                cs[n++] = cs[i];
            }
        }
        return n == cs.length ? cs : Arrays.copyOf(cs, n);
    }

    /** @see dev.molt.Molt#onDefault */
    public static <R> SelectClause<R> onDefault(Supplier<? extends R> then) {
        return new Clauses.Default<>(Objects.requireNonNull(then, "then"));
    }

    /** @see dev.molt.Molt#onTimeout */
    public static <R> SelectClause<R> onTimeout(Duration after, Supplier<? extends R> then) {
        long nanos = Durations.toNanos(after, "after");
        return new Clauses.Timeout<>(nanos, Objects.requireNonNull(then, "then"));
    }
}
