package dev.molt.internal;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The implementation of {@link CancelToken}: a node of the token tree.
 *
 * <h2>State</h2>
 * {@code cancellation} is null until the token is cancelled, then set once by CAS (first reason wins).
 * Who must hear of it is kept in two fields. {@code children} holds the child tokens: {@code null} (none), the
 * single child, or a {@link ChildTokens} set (two or more, or any number once the token is cancelled; an empty
 * cancelled token holds {@code CLOSED_EMPTY}). {@code listeners} holds everything else (waiting operations,
 * user callbacks): {@code null}, a single {@link CancelListener}, a {@link ConcurrentHashMap} used as a set, or a
 * {@link Closed} once the token is cancelled. The tree is kept top-down, plus a {@code parent} pointer used to
 * leave the parent's set again. No lock is shared by all tasks: single children and listeners are swapped in by
 * CAS, and a {@link ChildTokens} set is striped, so spawning and ending tasks in one scope from many threads does
 * not serialize.
 *
 * <h2>Why no listener is lost</h2>
 * The canceller first sets {@code cancellation}, then swaps {@code listeners} to a {@code Closed} and tells
 * everyone it got. A registrant first publishes itself in {@code listeners}, then reads {@code cancellation};
 * if it is set, it tells itself. Either the canceller's swap saw the registrant, or the registrant's read saw
 * the cancellation (both are volatile accesses in a total order), so every listener hears of it at least
 * once; listeners are idempotent ({@link CancelListener}).
 */
public class Token implements CancelToken, CancelListener {

    /**
     * What {@code listeners} holds once the token is cancelled: it refuses new listeners (they are told at once),
     * but keeps the ones registered at that moment until they leave, so {@link #listenerCount} stays exact.
     */
    private static final class Closed {
        static final VarHandle REMAINING;

        static {
            try {
                REMAINING = MethodHandles.lookup().findVarHandle(Closed.class, "remaining", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** A single listener, a ConcurrentHashMap set, or null. */
        volatile Object remaining;

        Closed(Object remaining) {
            this.remaining = remaining;
        }

        void remove(Object l) {
            removeFromSlot(REMAINING, this, l);
        }
    }
    private static final Token NEVER = new Token(null);
    /** What {@code children} holds once a token with no child is cancelled. */
    private static final Object CLOSED_EMPTY = new Object();
    private static final VarHandle CANCELLATION;
    private static final VarHandle LISTENERS;
    private static final VarHandle CHILDREN;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CANCELLATION = lookup.findVarHandle(Token.class, "cancellation", Cancellation.class);
            LISTENERS = lookup.findVarHandle(Token.class, "listeners", Object.class);
            CHILDREN = lookup.findVarHandle(Token.class, "children", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The token this one is registered with, or null for roots and children of {@link #never()}. */
    private final Token parent;
    private volatile Cancellation cancellation;
    private volatile Object listeners;
    private volatile Object children;
    /** Links in the parent's {@link ChildTokens} set; guarded by the lock of the stripe this token is in. */
    Token prevSibling;
    Token nextSibling;

    protected Token(Token parent) {
        this.parent = parent;
    }

    /** A new root token. */
    public static Token create() {
        return new Token(null);
    }

    /** The token that is never cancelled. */
    public static Token never() {
        return NEVER;
    }

    /** Our implementation behind {@code token}, or an {@link IllegalArgumentException} for a foreign one. */
    public static Token of(CancelToken token) {
        Objects.requireNonNull(token, "token");
        if (token instanceof Token t) {
            return t;
        }
        throw new IllegalArgumentException(
                "not a Molt token (" + token.getClass().getName() + "): make tokens with CancelToken.create() or child()");
    }

    // ---------------------------------------------------------------- children

    @Override
    public Token child() {
        return adopt(new Token(registrableParent()));
    }

    /**
     * A child token that belongs to a task, so interrupting cancellations reach the task's thread; made but not
     * yet attached: the task attaches it from its own thread ({@link #attachToParent}), so {@code spawn} returns
     * sooner and the registration runs in parallel with the spawner.
     */
    TaskToken unattachedTaskChild() {
        return new TaskToken(registrableParent());
    }

    /**
     * A scope's token, made but not yet attached to this parent: the scope attaches it with {@link #attach}
     * once it is fully made, so nothing can see a half-made scope through the token tree.
     */
    ScopeToken unattachedScopeChild(Thread owner) {
        return new ScopeToken(registrableParent(), owner);
    }

    /** Registers {@code child} (made with this token as its parent) with this token. */
    void attach(Token child) {
        adopt(child);
    }

    /**
     * Registers this token with the parent it was made with (if any). If the parent is already cancelled, this
     * token is cancelled now, in this thread, with the parent's cancellation.
     */
    void attachToParent() {
        if (parent != null) {
            parent.addChild(this, !leavesParentWhenCancelled());
        }
    }

    /** Takes on the parent's cancellation, if any, as registering with it would: see {@code TaskToken.attach}. */
    void catchUpWithParent() {
        Cancellation c = parent == null ? null : parent.cancellation;
        if (c != null) {
            onCancel(c);
        }
    }

    private Token registrableParent() {
        // Children of never() are never cancelled through it; registering them would only leak.
        return this == NEVER ? null : this;
    }

    private <C extends Token> C adopt(C child) {
        if (((Token) child).parent != null) {
            addChild(child, !child.leavesParentWhenCancelled());
        }
        return child;
    }

    @Override
    public Token childWithTimeout(Duration timeout) {
        long nanos = Durations.toNanos(timeout, "timeout");
        Token child = child();
        DeadlineTimer.cancelAfter(child, nanos, false, null);
        return child;
    }

    @Override
    public Token childWithDeadline(Instant deadline) {
        Objects.requireNonNull(deadline, "deadline");
        Duration left = Duration.between(Instant.now(), deadline);
        Token child = child();
        DeadlineTimer.cancelAfter(child, left.isNegative() ? 0 : Durations.saturatedNanos(left), false, null);
        return child;
    }

    /** Leaves the parent's listener set: for tokens whose owner (a task, a scope) has ended. */
    public void detach() {
        if (parent != null) {
            parent.removeChild(this);
        }
    }

    // ---------------------------------------------------------------- cancelling

    @Override
    public void cancel() {
        checkPlainCancel();
        cancel(new Cancellation(new CancelReason("cancelled"), false));
    }

    @Override
    public void cancel(Throwable reason) {
        Objects.requireNonNull(reason, "reason");
        checkPlainCancel();
        cancel(new Cancellation(reason, false));
    }

    /** Refuses a plain {@code cancel} that this token does not take (a runtime's root token: only shutdown). */
    void checkPlainCancel() {
    }

    /**
     * Cancels this token and its subtree with {@code c}; returns whether this call did it (false if the
     * token was already cancelled, or is {@link #never()}).
     *
     * <p>Two phases: first the whole subtree is marked (and each token's listeners taken), then owner threads
     * are woken or interrupted and the other listeners told. So a thread woken by this cancellation never finds a
     * token below the cancelled one still uncancelled (a scope in an interrupted task sees its own token
     * cancelled, not a stray interrupt). Iterative, so deep trees cannot overflow the stack.
     */
    public boolean cancel(Cancellation c) {
        if (this == NEVER) {
            return false;
        }
        if (!CANCELLATION.compareAndSet(this, null, c)) {
            if (c.interrupting()) {
                interruptAlreadyCancelled();
            }
            return false;
        }
        List<Token> marked = new ArrayList<>();
        List<Token> cancelledBefore = c.interrupting() ? new ArrayList<>() : null;
        List<CancelListener> others = new ArrayList<>();
        marked.add(this);
        for (int i = 0; i < marked.size(); i++) {
            marked.get(i).closeChildren(child -> { // runs under a stripe's spin lock: a CAS and an add, no more
                if (child != NEVER && CANCELLATION.compareAndSet(child, null, c)) {
                    marked.add(child);
                } else if (cancelledBefore != null && child != NEVER) {
                    cancelledBefore.add(child);
                }
            });
            marked.get(i).closeListeners(l -> {
                if (l instanceof Token child) {
                    if (child != NEVER && CANCELLATION.compareAndSet(child, null, c)) {
                        marked.add(child);
                    }
                } else {
                    others.add((CancelListener) l);
                }
            });
        }
        for (Token t : marked) {
            t.onCancelled(c);
        }
        for (CancelListener l : others) {
            l.onCancel(c);
        }
        if (cancelledBefore != null) {
            for (Token t : cancelledBefore) {
                t.interruptAlreadyCancelled();
            }
        }
        // Cancelled alone, a plain token needs nothing more from its live parent. Task and scope tokens stay listed
        // until their task or scope ends, so the dump still shows a cancelled task that is cleaning up.
        if (leavesParentWhenCancelled() && parent != null && !parent.cancelled()) {
            detach();
        }
        return true;
    }

    /**
     * An interrupting cancellation reached this token after a plain one had cancelled it: the first reason stays,
     * but the tasks below must be interrupted now, as {@code Task.cancel}, scope cancellation and shutdown promise.
     * Each plainly cancelled token of the subtree gets an interrupting copy of its cancellation (once: a later
     * interrupting cancel finds it interrupting and stops there) and is told of it, which interrupts a running
     * task; callbacks do not run again. A token registered below but not yet cancelled by its parent's plain
     * cancellation (it is catching up) is cancelled here with the interrupting one instead.
     */
    private void interruptAlreadyCancelled() {
        List<Token> todo = new ArrayList<>();
        List<Cancellation> fromParent = new ArrayList<>(); // the parent's interrupting cancellation, to share
        List<Token> upgraded = new ArrayList<>();
        todo.add(this);
        fromParent.add(null);
        for (int i = 0; i < todo.size(); i++) {
            Token t = todo.get(i);
            Cancellation inherited = fromParent.get(i);
            for (;;) {
                Cancellation cur = t.cancellation;
                if (cur == null) {
                    if (inherited != null) {
                        t.cancel(inherited);
                    }
                    break;
                }
                if (cur.interrupting()) {
                    break;
                }
                // Descendants share their ancestor's instance (Cancellation's contract): keep sharing.
                Cancellation up = inherited != null && inherited.reason() == cur.reason()
                        && inherited.origin() == cur.origin() ? inherited
                        : new Cancellation(cur.reason(), true, cur.origin());
                if (CANCELLATION.compareAndSet(t, cur, up)) {
                    upgraded.add(t);
                    for (Token child : t.childList()) {
                        if (child != NEVER) {
                            todo.add(child);
                            fromParent.add(up);
                        }
                    }
                    break;
                }
            }
        }
        for (Token t : upgraded) {
            t.onCancelled(t.cancellation);
        }
    }

    /** Whether this token leaves its live parent as soon as it is cancelled alone (plain tokens do). */
    boolean leavesParentWhenCancelled() {
        return true;
    }

    /**
     * Called once, in the cancelling thread, when a cancellation reaches this token: tokens that belong to a
     * task or scope wake (or, for an interrupting cancellation, interrupt) the thread they belong to.
     */
    void onCancelled(Cancellation c) {
    }

    /** The thread that {@link #onCancelled} wakes, if any. */
    Thread ownerThread() {
        return null;
    }

    /**
     * Arranges for the calling thread, about to park under this token, to be unparked when it is cancelled.
     * Returns null when nothing needs registering (the token wakes its owner thread by itself, and that is the
     * caller); pass the result to {@link #stopWaking} after the wait.
     */
    public Unparker wakeOnCancel() {
        if (wakesCurrentThread()) {
            return null;
        }
        Unparker u = new Unparker(Thread.currentThread());
        addListener(u);
        return u;
    }

    /**
     * Whether cancelling this token unparks the calling thread by itself (the thread is this task's, or runs this
     * scope's body): a blocking operation parked under it then needs no listener of its own.
     */
    public boolean wakesCurrentThread() {
        return ownerThread() == Thread.currentThread();
    }

    /** Undoes {@link #wakeOnCancel}; null does nothing. */
    public void stopWaking(Unparker u) {
        if (u != null) {
            removeListener(u);
        }
    }

    /** Swaps the listeners for a {@link Closed} snapshot (once) and hands each one that was registered to {@code sink}. */
    private void closeListeners(java.util.function.Consumer<Object> sink) {
        Object ls;
        do {
            ls = listeners;
            if (ls instanceof Closed) {
                return;
            }
        } while (!LISTENERS.compareAndSet(this, ls, new Closed(ls)));
        if (ls instanceof ConcurrentHashMap<?, ?> set) {
            set.keySet().forEach(sink);
        } else if (ls != null) {
            sink.accept(ls);
        }
    }

    /** As a listener of its parent: the parent was cancelled (the path taken by racing registrations). */
    @Override
    public void onCancel(Cancellation c) {
        cancel(c);
    }

    // ---------------------------------------------------------------- listeners

    /**
     * Registers {@code l} to hear of this token's cancellation; if the token is already cancelled, tells it
     * now, in this thread.
     */
    public void addListener(CancelListener l) {
        for (;;) {
            Object cur = listeners;
            if (cur instanceof Closed) {
                break;
            }
            Object next;
            if (cur == null) {
                next = l;
            } else if (cur instanceof ConcurrentHashMap<?, ?> set) {
                @SuppressWarnings("unchecked")
                ConcurrentHashMap<Object, Boolean> s = (ConcurrentHashMap<Object, Boolean>) set;
                s.put(l, Boolean.TRUE);
                break;
            } else {
                next = setOf(cur, l);
            }
            if (LISTENERS.compareAndSet(this, cur, next)) {
                break;
            }
        }
        Cancellation c = cancellation;
        if (c != null) {
            l.onCancel(c);
        }
    }

    /**
     * Registers {@code child} (made with this token as its parent); if this token is already cancelled, cancels the
     * child now, in this thread. With {@code keep}, a child that comes after the cancellation is still listed
     * (until it leaves), as those registered before it are: task and scope tokens, so the dump shows a task that
     * started in an already cancelled tree.
     */
    private void addChild(Token child, boolean keep) {
        for (;;) {
            Object cur = children;
            if (cur instanceof ChildTokens set) {
                set.add(child, keep);
                break;
            }
            Object next;
            if (cur == null) {
                next = child;
            } else if (cur == CLOSED_EMPTY) {
                if (!keep) {
                    break;
                }
                next = new ChildTokens(null, child, true);
            } else {
                next = new ChildTokens((Token) cur, child, false);
            }
            if (CHILDREN.compareAndSet(this, cur, next)) {
                break;
            }
        }
        Cancellation c = cancellation;
        if (c != null) {
            child.onCancel(c);
        }
    }

    private void removeChild(Token child) {
        for (;;) {
            Object cur = children;
            if (cur == child) {
                if (CHILDREN.compareAndSet(this, cur, null)) {
                    return;
                }
            } else {
                if (cur instanceof ChildTokens set) {
                    set.remove(child);
                }
                return;
            }
        }
    }

    /** Closes {@code children} (once, by the canceller) and hands each child registered now to {@code sink}. */
    private void closeChildren(java.util.function.Consumer<? super Token> sink) {
        for (;;) {
            Object cur = children;
            if (cur instanceof ChildTokens set) {
                set.close(sink);
                return;
            }
            Object next = cur == null ? CLOSED_EMPTY : new ChildTokens((Token) cur, null, true);
            if (CHILDREN.compareAndSet(this, cur, next)) {
                if (cur != null) {
                    sink.accept((Token) cur);
                }
                return;
            }
        }
    }

    /** The child tokens registered now, copied (so no stripe lock is held while the caller works). */
    private List<Token> childList() {
        Object cur = children;
        List<Token> list = new ArrayList<>();
        if (cur instanceof ChildTokens set) {
            set.forEach(list::add);
        } else if (cur instanceof Token t) {
            list.add(t);
        }
        return list;
    }

    private static ConcurrentHashMap<Object, Boolean> setOf(Object a, Object b) {
        ConcurrentHashMap<Object, Boolean> s = new ConcurrentHashMap<>();
        s.put(a, Boolean.TRUE);
        s.put(b, Boolean.TRUE);
        return s;
    }

    /** Deregisters {@code l}; does nothing if it is not registered. */
    public void removeListener(CancelListener l) {
        if (removeFromSlot(LISTENERS, this, l) instanceof Closed closed) {
            closed.remove(l);
        }
    }

    /**
     * Removes {@code l} from a field (through {@code slot}, of {@code holder}) that holds null, one listener or a
     * ConcurrentHashMap set; returns what the field held if it was something else (a {@link Closed}), else null.
     */
    private static Object removeFromSlot(VarHandle slot, Object holder, Object l) {
        for (;;) {
            Object cur = slot.getVolatile(holder);
            if (cur == l) {
                if (slot.compareAndSet(holder, cur, null)) {
                    return null;
                }
            } else {
                if (cur instanceof ConcurrentHashMap<?, ?> set) {
                    set.remove(l);
                }
                return cur;
            }
        }
    }

    /** Calls {@code action} with every listener registered now (weakly consistent): for the task dump. */
    void forEachListener(java.util.function.Consumer<Object> action) {
        childList().forEach(action);
        Object cur = listeners;
        if (cur instanceof Closed closed) {
            cur = closed.remaining;
        }
        if (cur instanceof ConcurrentHashMap<?, ?> set) {
            set.keySet().forEach(action);
        } else if (cur != null) {
            action.accept(cur);
        }
    }

    /** The parent this token is registered with, or null. */
    Token parent() {
        return parent;
    }

    /** How many listeners are registered now: for tests and the task dump. */
    public int listenerCount() {
        Object kids = children;
        int n = kids instanceof ChildTokens set ? set.size() : kids instanceof Token ? 1 : 0;
        Object cur = listeners;
        if (cur instanceof Closed closed) {
            cur = closed.remaining;
        }
        if (cur == null) {
            return n;
        }
        return n + (cur instanceof ConcurrentHashMap<?, ?> set ? set.size() : 1);
    }

    @Override
    public AutoCloseable onCancel(Runnable callback) {
        CallbackRegistration r = new CallbackRegistration(this, Objects.requireNonNull(callback, "callback"));
        addListener(r);
        return r;
    }

    // ---------------------------------------------------------------- queries

    /** The cancellation, or null while not cancelled. */
    public Cancellation cancellation() {
        return cancellation;
    }

    @Override
    public Throwable reason() {
        Cancellation c = cancellation;
        return c == null ? null : c.reason();
    }

    @Override
    public boolean cancelled() {
        return cancellation != null;
    }

    @Override
    public void throwIfCancelled() {
        Cancellation c = cancellation;
        if (c != null) {
            throw cancelledException(c);
        }
    }

    /** The exception a cancellation point throws for {@code c}: fresh, so its stack shows where. */
    public static CancelledException cancelledException(Cancellation c) {
        Throwable reason = c.reason();
        return new CancelledException("cancelled", reason instanceof CancellationException ? null : reason);
    }

    /** Whether {@code c} is a deadline's cancellation. */
    static boolean isDeadline(Cancellation c) {
        return c != null && c.reason() instanceof TimeoutException;
    }

    @Override
    public String toString() {
        Cancellation c = cancellation;
        String state = this == NEVER ? "never" : c == null ? "active" : "cancelled: " + c.reason();
        return "CancelToken[" + state + "]";
    }
}
