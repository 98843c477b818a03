package dev.molt.channel;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelToken;
import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Overflow;
import dev.molt.SelectClause;
import dev.molt.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exact conservation over everything the other stress tests do not mix. Each round makes one or two
 * channels (rendezvous, small buffered with ring growth, unlimited, DROP_OLDEST / DROP_LATEST, every channel with an
 * onUndelivered hook), and runs producers, consumers and "hybrids" (selects that send and receive on the same
 * channel) with every kind of operation: plain, timed with tiny timeouts, try, select (one or two channels, send and
 * receive clauses together, default / timeout / blocking), sendAsync / recvAsync withdrawn by cancel, orTimeout,
 * complete, completeAsync or left alone, per-operation tokens cancelled by a chaos thread, interrupts, Task.cancel,
 * iterators and streams, and close / close(reason) in the middle. At the end, for every value offered:
 * received + reported not delivered + onUndelivered + still buffered == 1; for every value never offered: 0.
 *
 * <p>{@code -Dmolt.conservation.seed=N} fixes the base seed, {@code -Dmolt.conservation.seconds=S} the budget.
 */
@Timeout(120)
class MixedConservationStressTest {
    static final long SECONDS = Long.getLong("molt.conservation.seconds", 4);
    static final int MAX_VALUES = 4096;
    static final Integer SENTINEL = -1;

    @Test
    void everyValueExactlyOnce() throws Exception {
        long base = Long.getLong("molt.conservation.seed", System.nanoTime());
        System.out.println("MixedConservationStressTest base seed " + base);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        int rounds = 0;
        long values = 0;
        long[] buckets = new long[5];
        while (System.nanoTime() < end && rounds < Integer.getInteger("molt.conservation.rounds", 1_000_000)) {
            long seed = base + rounds;
            Round r = new Round(seed);
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    r.run();
                } catch (Throwable e) {
                    r.failure = e;
                }
            });
            t.join(TimeUnit.SECONDS.toMillis(20));
            if (t.isAlive()) {
                throw new AssertionError("round stalled, seed " + seed + ": " + r.describe());
            }
            if (r.failure != null) {
                throw new AssertionError("round failed, seed " + seed + ": " + r.describe(), r.failure);
            }
            values += r.offeredCount;
            for (int i = 0; i < 5; i++) {
                buckets[i] += r.bucket[i];
            }
            rounds++;
        }
        System.out.printf("MixedConservationStressTest: %d rounds, %d values offered; received %d, reported %d,"
                + " hook %d, left buffered %d, async-failed-checked %d (base seed %d)%n", rounds, values, buckets[0],
                buckets[1], buckets[2], buckets[3], buckets[4], base);
        assertThat(rounds).isGreaterThan(50);
    }

    /** One randomized round. */
    static final class Round {
        final long seed;
        final Random rnd;
        final AtomicIntegerArray offered = new AtomicIntegerArray(MAX_VALUES);
        final AtomicIntegerArray received = new AtomicIntegerArray(MAX_VALUES);
        final AtomicIntegerArray reported = new AtomicIntegerArray(MAX_VALUES);
        final AtomicIntegerArray hooked = new AtomicIntegerArray(MAX_VALUES);
        final AtomicIntegerArray remaining = new AtomicIntegerArray(MAX_VALUES);
        /** sendAsync futures that ended exceptionally or cancelled: their value must be in the hook. */
        final AtomicIntegerArray asyncFailed = new AtomicIntegerArray(MAX_VALUES);
        final ConcurrentLinkedQueue<CompletableFuture<?>> loose = new ConcurrentLinkedQueue<>();
        final List<Channel<Integer>> chans = new ArrayList<>();
        final List<String> configs = new ArrayList<>();
        volatile Throwable failure;
        int offeredCount;
        final long[] bucket = new long[5];
        final AtomicReferenceArray<Thread> threads = new AtomicReferenceArray<>(16);
        final AtomicReferenceArray<CancelToken> opTokens = new AtomicReferenceArray<>(16);
        final AtomicReferenceArray<String> doing = new AtomicReferenceArray<>(16);
        volatile boolean chaosStop;
        /** Consumers stop once every channel is closed (not drained): values stay buffered for the final count. */
        boolean stopAtClose;
        final AtomicLong progress = new AtomicLong();

        Round(long seed) {
            this.seed = seed;
            this.rnd = new Random(seed);
        }

        String describe() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < chans.size(); i++) {
                b.append("\n  ").append(configs.get(i)).append(" -> ").append(chans.get(i));
            }
            for (int i = 0; i < 16; i++) {
                if (doing.get(i) != null) {
                    b.append("\n  worker ").append(i).append(": ").append(doing.get(i));
                }
            }
            return b.toString();
        }

        Channel<Integer> make() {
            int kind = rnd.nextInt(9);
            int cap;
            Overflow o = Overflow.SUSPEND;
            switch (kind) {
                case 0, 1 -> cap = 0;
                case 2 -> cap = 1;
                case 3 -> cap = 1 + rnd.nextInt(3);
                case 4 -> cap = 17 + rnd.nextInt(40); // grows 16 -> cap
                case 5 -> cap = Channel.UNLIMITED;
                case 6 -> {
                    cap = Channel.UNLIMITED;
                    o = rnd.nextBoolean() ? Overflow.SUSPEND : rnd.nextBoolean() ? Overflow.DROP_OLDEST
                            : Overflow.DROP_LATEST;
                }
                default -> {
                    cap = 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 40);
                    o = rnd.nextBoolean() ? Overflow.DROP_OLDEST : Overflow.DROP_LATEST;
                }
            }
            configs.add((platform ? "platform " : "") + "cap=" + (cap == Channel.UNLIMITED ? "unlimited" : cap) + " " + o);
            return channel(cap, o, (Integer v) -> hooked.incrementAndGet(v));
        }

        void run() throws Exception {
            platform = rnd.nextInt(3) == 0;
            chans.add(make());
            if (rnd.nextInt(3) != 0) {
                chans.add(make());
            }
            int producers = 1 + rnd.nextInt(4);
            int hybrids = rnd.nextInt(3);
            int consumers = 1 + rnd.nextInt(4);
            int perProducer = 20 + rnd.nextInt(rnd.nextInt(4) == 0 ? 600 : 100);
            int perHybrid = 10 + rnd.nextInt(40);
            stopAtClose = rnd.nextInt(4) == 0;
            boolean burst = rnd.nextInt(4) == 0; // producers start before consumers: ring growth
            List<Handle> prod = new ArrayList<>();
            List<Handle> cons = new ArrayList<>();
            int w = 0;
            int next = 0;
            for (int p = 0; p < producers; p++) {
                int id = w++;
                int from = next;
                next += perProducer;
                long s = rnd.nextLong();
                prod.add(start(() -> produce(id, from, from + perProducer, new Random(s), false)));
            }
            for (int h = 0; h < hybrids; h++) {
                int id = w++;
                int from = next;
                next += perHybrid;
                long s = rnd.nextLong();
                prod.add(start(() -> produce(id, from, from + perHybrid, new Random(s), true)));
            }
            if (burst) {
                Thread.sleep(1 + rnd.nextInt(3));
            }
            for (int c = 0; c < consumers; c++) {
                int id = w++;
                long s = rnd.nextLong();
                boolean steady = c == 0; // never stops early, never task-cancelled
                cons.add(start(() -> consume(id, new Random(s), steady)));
            }
            int workers = w;
            long chaosSeed = rnd.nextLong();
            int closeAt = rnd.nextInt(3) == 0 ? rnd.nextInt(Math.max(1, next)) : -1;
            List<Handle> cancellable = new ArrayList<>(prod);
            cancellable.addAll(cons.subList(1, cons.size()));
            Thread chaos = Thread.ofVirtual().start(() -> chaos(new Random(chaosSeed), workers, closeAt, cancellable));
            // producers end by themselves, or a close (chaos, or here after a while) ends them
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200 + rnd.nextInt(200));
            for (Handle t : prod) {
                long left = deadline - System.nanoTime();
                try {
                    t.join(Duration.ofNanos(Math.max(1, left)));
                } catch (TimeoutException e) {
                    break;
                }
            }
            closeAll(rnd);
            for (Handle t : prod) {
                joinQuietly(t);
            }
            for (Handle t : cons) {
                joinQuietly(t);
            }
            chaosStop = true;
            chaos.join();
            for (CompletableFuture<?> f : loose) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException | CancellationException e) {
                    // outcome counted by its callbacks
                }
            }
            for (Channel<Integer> ch : chans) {
                try {
                    for (Integer v; (v = ch.tryRecv()) != null; ) {
                        remaining.incrementAndGet(v);
                    }
                } catch (ChannelClosedException drained) {
                    // expected
                }
                assertThat(ch.isDrained()).as("drained %s", ch).isTrue();
            }
            if (failure != null) {
                throw new AssertionError("a platform worker failed", failure);
            }
            check(next);
        }

        void closeAll(Random r) {
            for (Channel<Integer> ch : chans) {
                if (r.nextBoolean()) {
                    ch.close();
                } else {
                    ch.close(new IllegalStateException("reason"));
                }
            }
        }

        /** A worker: a Molt task, or (in some rounds) a platform thread, preempted anywhere. */
        interface Handle {
            void join(Duration d) throws InterruptedException, TimeoutException;

            void join() throws InterruptedException;

            void cancel();
        }

        boolean platform;

        Handle start(Runnable body) {
            if (!platform) {
                Task<Void> t = spawn(body::run);
                return new Handle() {
                    public void join(Duration d) throws InterruptedException, TimeoutException {
                        t.join(d);
                    }

                    public void join() throws InterruptedException {
                        t.join();
                    }

                    public void cancel() {
                        t.cancel();
                    }
                };
            }
            Thread th = Thread.ofPlatform().start(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure = e;
                }
            });
            return new Handle() {
                public void join(Duration d) throws InterruptedException, TimeoutException {
                    if (!th.join(d)) {
                        throw new TimeoutException();
                    }
                }

                public void join() throws InterruptedException {
                    th.join();
                }

                public void cancel() {
                    th.interrupt();
                }
            };
        }

        static void joinQuietly(Handle t) throws InterruptedException {
            try {
                t.join();
            } catch (CancellationException e) {
                // a cancelled task
            }
        }

        void check(int n) {
            for (int v = 0; v < MAX_VALUES; v++) {
                int o = offered.get(v);
                int rc = received.get(v);
                int rp = reported.get(v);
                int hk = hooked.get(v);
                int rm = remaining.get(v);
                int sum = rc + rp + hk + rm;
                if (o > 1 || sum != o) {
                    throw new AssertionError("value " + v + " offered " + o + ": received " + rc + ", reported " + rp
                            + ", hook " + hk + ", remaining " + rm);
                }
                if (asyncFailed.get(v) != 0 && hk != 1) {
                    throw new AssertionError("value " + v + ": sendAsync failed/cancelled but hook saw it " + hk
                            + " times (received " + rc + ", remaining " + rm + ")");
                }
                offeredCount += o;
                bucket[0] += rc;
                bucket[1] += rp;
                bucket[2] += hk;
                bucket[3] += rm;
                bucket[4] += asyncFailed.get(v);
            }
        }

        // ------------------------------------------------------------------ chaos

        void chaos(Random r, int workers, int closeAt, List<Handle> cancellable) {
            int taskCancels = r.nextInt(3) == 0 ? 1 : 0;
            boolean closed = false;
            while (!chaosStop) {
                LockSupport.parkNanos(r.nextInt(200_000));
                int a = r.nextInt(10);
                int wk = r.nextInt(workers);
                if (a < 4) {
                    CancelToken t = opTokens.get(wk);
                    if (t != null) {
                        t.cancel();
                    }
                } else if (a < 7) {
                    Thread th = threads.get(wk);
                    if (th != null) {
                        th.interrupt();
                    }
                } else if (a == 7 && taskCancels > 0 && !cancellable.isEmpty()) {
                    taskCancels--;
                    cancellable.get(r.nextInt(cancellable.size())).cancel();
                }
                if (!closed && closeAt >= 0 && progress.get() >= closeAt) {
                    closed = true;
                    Channel<Integer> ch = chans.get(r.nextInt(chans.size()));
                    if (r.nextBoolean()) {
                        ch.close(new IllegalStateException("mid-run reason"));
                    } else {
                        ch.close();
                    }
                }
            }
        }

        // ------------------------------------------------------------------ producers and hybrids

        void produce(int id, int from, int to, Random r, boolean hybrid) {
            threads.set(id, Thread.currentThread());
            try {
                for (int v = from; v < to; v++) {
                    if (cancelled()) {
                        break;
                    }
                    if (allClosed()) {
                        break;
                    }
                    offered.incrementAndGet(v);
                    progress.incrementAndGet();
                    boolean ok;
                    try {
                        ok = hybrid ? hybridOp(id, v, r) : sendOp(id, v, r);
                    } catch (ChannelClosedException | CancellationException | InterruptedException e) {
                        ok = false;
                    } catch (Exception e) {
                        throw new AssertionError("unexpected from a send of " + v, e);
                    }
                    if (!ok) {
                        reported.incrementAndGet(v);
                    }
                }
            } finally {
                doing.set(id, "done");
                Thread.interrupted();
            }
        }

        boolean allClosed() {
            for (Channel<Integer> ch : chans) {
                if (!ch.isClosed()) {
                    return false;
                }
            }
            return true;
        }

        Channel<Integer> pick(Random r) {
            return chans.get(r.nextInt(chans.size()));
        }

        Duration tiny(Random r) {
            return Duration.ofNanos(r.nextInt(4) == 0 ? 0 : r.nextInt(50_000));
        }

        /** Returns whether v was delivered (buffered, handed over, or handed to the hook by a drop policy). */
        boolean sendOp(int id, int v, Random r) throws Exception {
            Channel<Integer> ch = pick(r);
            int op = r.nextInt(14);
            doing.set(id, "send op " + op + " of " + v);
            switch (op) {
                case 0, 1 -> {
                    ch.send(v);
                    return true;
                }
                case 2 -> {
                    return ch.send(v, tiny(r));
                }
                case 3 -> {
                    return ch.trySend(v);
                }
                case 4 -> {
                    return underToken(id, () -> {
                        ch.send(v);
                        return true;
                    });
                }
                case 5 -> {
                    return underToken(id, () -> ch.send(v, tiny(r)));
                }
                case 6, 7 -> {
                    return selectSend(id, v, r);
                }
                default -> {
                    asyncSend(ch, v, r);
                    return true; // accounted through the hook
                }
            }
        }

        <T> T underToken(int id, java.util.concurrent.Callable<T> body) throws Exception {
            CancelToken t = currentToken().child();
            opTokens.set(id, t);
            try {
                return withToken(t, body);
            } finally {
                opTokens.set(id, null);
            }
        }

        /** A select that sends v on one or two channels (the same value), perhaps receiving too. */
        @SuppressWarnings("unchecked")
        boolean selectSend(int id, int v, Random r) throws Exception {
            List<SelectClause<Object>> cl = new ArrayList<>();
            Object sent = new Object();
            for (Channel<Integer> ch : chans) {
                if (r.nextInt(3) != 0 || cl.isEmpty()) {
                    cl.add(ch.onSend(v, () -> sent));
                }
                if (r.nextInt(3) == 0) {
                    cl.add(ch.onRecv(x -> x));
                }
            }
            int mode = r.nextInt(4);
            if (mode == 0) {
                cl.add(onDefault(() -> null));
            } else if (mode == 1 || mode == 2) {
                cl.add(onTimeout(tiny(r), () -> null));
            }
            SelectClause<Object>[] arr = cl.toArray(new SelectClause[0]);
            Object res = mode == 3 || r.nextBoolean() ? underToken(id, () -> select(arr)) : select(arr);
            if (res == sent) {
                return true;
            }
            if (res instanceof Integer x) {
                received.incrementAndGet(x);
            }
            return false;
        }

        /** A select on one channel that both sends v and receives: the same channel's partners meet. */
        @SuppressWarnings("unchecked")
        boolean hybridOp(int id, int v, Random r) throws Exception {
            Channel<Integer> ch = pick(r);
            int op = r.nextInt(4);
            doing.set(id, "hybrid op " + op + " of " + v);
            Object sent = new Object();
            List<SelectClause<Object>> cl = new ArrayList<>();
            cl.add(ch.onSend(v, () -> sent));
            cl.add(ch.onRecv(x -> x));
            if (chans.size() > 1 && r.nextBoolean()) {
                Channel<Integer> other = chans.get(chans.get(0) == ch ? 1 : 0);
                cl.add(r.nextBoolean() ? other.onRecv(x -> x) : other.onSend(v, () -> sent));
            }
            if (op == 0) {
                cl.add(onTimeout(tiny(r), () -> null));
            } else if (op == 1) {
                cl.add(onDefault(() -> null));
            }
            SelectClause<Object>[] arr = cl.toArray(new SelectClause[0]);
            Object res = op == 3 ? underToken(id, () -> select(arr)) : select(arr);
            if (res == sent) {
                return true;
            }
            if (res instanceof Integer x) {
                received.incrementAndGet(x);
            }
            return false;
        }

        void asyncSend(Channel<Integer> ch, int v, Random r) throws InterruptedException {
            CompletableFuture<Void> f = ch.sendAsync(v);
            int how = r.nextInt(6);
            try {
                switch (how) {
                    case 0 -> { // wait a little, then withdraw
                        try {
                            f.get(r.nextInt(30), TimeUnit.MICROSECONDS);
                        } catch (TimeoutException | ExecutionException e) {
                            f.cancel(false);
                        } catch (InterruptedException e) {
                            f.cancel(false);
                            Thread.currentThread().interrupt();
                        }
                    }
                    case 1 -> f.orTimeout(r.nextInt(40), TimeUnit.MICROSECONDS);
                    case 2 -> f.completeAsync(() -> null);
                    case 3 -> f.complete(null);
                    case 4 -> f.completeExceptionally(new IllegalStateException("withdrawn"));
                    default -> {
                        // left alone: completes when delivered or at close
                    }
                }
            } finally {
                // only a future that ended exceptionally says "not delivered" for sure
                f.whenComplete((x, e) -> {
                    if (e != null) {
                        asyncFailed.incrementAndGet(v);
                    }
                });
                loose.add(f);
            }
        }

        // ------------------------------------------------------------------ consumers

        void consume(int id, Random r, boolean steady) {
            threads.set(id, Thread.currentThread());
            try {
                int ops = 0;
                while (true) {
                    if (cancelled() && !steady) {
                        return;
                    }
                    if (!steady && r.nextInt(400) == 0) {
                        return; // leaves values behind (still buffered at the end)
                    }
                    List<Channel<Integer>> open = new ArrayList<>();
                    for (Channel<Integer> ch : chans) {
                        if (!ch.isDrained()) {
                            open.add(ch);
                        }
                    }
                    if (open.isEmpty() || stopAtClose && allClosed()) {
                        return;
                    }
                    ops++;
                    try {
                        recvOp(id, open, r);
                    } catch (ChannelClosedException | CancellationException | InterruptedException e) {
                        // drained (re-checked above), or cancelled / interrupted: nothing consumed
                    } catch (Exception e) {
                        throw new AssertionError("unexpected from a receive", e);
                    }
                }
            } finally {
                doing.set(id, "done");
                Thread.interrupted();
            }
        }

        void got(Integer x) {
            if (x != null && !x.equals(SENTINEL)) {
                received.incrementAndGet(x);
            }
        }

        @SuppressWarnings("unchecked")
        void recvOp(int id, List<Channel<Integer>> open, Random r) throws Exception {
            Channel<Integer> ch = open.get(r.nextInt(open.size()));
            int op = r.nextInt(16);
            doing.set(id, "recv op " + op);
            switch (op) {
                case 0, 1 -> got(ch.recv());
                case 2 -> got(ch.recv(tiny(r)));
                case 3 -> got(ch.tryRecv());
                case 4 -> got((Integer) underToken(id, ch::recv));
                case 5 -> got((Integer) underToken(id, () -> ch.recv(tiny(r))));
                case 6, 7 -> {
                    List<SelectClause<Integer>> cl = new ArrayList<>();
                    for (Channel<Integer> c : open) {
                        cl.add(c.onRecv(x -> x));
                    }
                    int mode = r.nextInt(3);
                    if (mode == 0) {
                        cl.add(onDefault(() -> null));
                    } else if (mode == 1) {
                        cl.add(onTimeout(tiny(r), () -> null));
                    }
                    SelectClause<Integer>[] arr = cl.toArray(new SelectClause[0]);
                    got((Integer) underToken(id, () -> select(arr)));
                }
                case 8, 9 -> { // iterator: a few values, then leave it
                    int k = 1 + r.nextInt(8);
                    Iterator<Integer> it = ch.iterator();
                    CancelToken t = currentToken().child();
                    opTokens.set(id, t);
                    try {
                        withToken(t, () -> {
                            for (int i = 0; i < k && it.hasNext(); i++) {
                                got(it.next());
                            }
                            return null;
                        });
                    } finally {
                        opTokens.set(id, null);
                    }
                }
                case 10 -> {
                    int k = 1 + r.nextInt(8);
                    ch.stream().limit(k).forEach(this::got);
                }
                case 11, 12 -> asyncRecv(ch, r, false);
                case 13 -> asyncRecv(ch, r, true);
                default -> {
                    // a receive-side select that also sends a value nobody offered: forbidden, so only receive
                    got(ch.recv(tiny(r)));
                }
            }
        }

        void asyncRecv(Channel<Integer> ch, Random r, boolean loose) throws InterruptedException {
            CompletableFuture<Integer> f = ch.recvAsync();
            if (loose) {
                f.whenComplete((x, e) -> {
                    if (e == null) {
                        got(x);
                    }
                });
                int how = r.nextInt(4);
                switch (how) {
                    case 0 -> f.orTimeout(r.nextInt(40), TimeUnit.MICROSECONDS);
                    case 1 -> f.completeAsync(() -> SENTINEL);
                    case 2 -> f.cancel(false);
                    default -> {
                    }
                }
                this.loose.add(f);
                return;
            }
            int how = r.nextInt(5);
            switch (how) {
                case 0 -> {
                    try {
                        got(f.get(r.nextInt(30), TimeUnit.MICROSECONDS));
                        return;
                    } catch (TimeoutException | InterruptedException e) {
                        if (!f.cancel(false)) {
                            got(joinValue(f));
                        }
                        if (e instanceof InterruptedException ie) {
                            throw ie;
                        }
                        return;
                    } catch (ExecutionException e) {
                        return;
                    }
                }
                case 1 -> f.orTimeout(r.nextInt(40), TimeUnit.MICROSECONDS);
                case 2 -> f.completeAsync(() -> SENTINEL);
                case 3 -> f.complete(SENTINEL);
                default -> {
                }
            }
            got(joinValue(f));
        }

        static Integer joinValue(CompletableFuture<Integer> f) {
            try {
                return f.join();
            } catch (CompletionException | CancellationException e) {
                return null;
            }
        }
    }
}
