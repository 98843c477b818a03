package dev.molt.channel;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Overflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Short, tight races for the windows the randomized mix hits rarely. Each loop starts its parties together
 * (a latch) so that the racing operations overlap, and checks exact conservation (and FIFO where it applies).
 */
@Timeout(120)
class ConservationEdgeStressTest {
    static final long MILLIS = Long.getLong("molt.conservation.edgeMillis", 1500);

    /** Unlimited and bounded-but-growing rings: two producers burst while a consumer takes; per-producer FIFO. */
    @Test
    void ringGrowthKeepsFifoAndEveryValue() throws Exception {
        long seed = Long.getLong("molt.conservation.seed", System.nanoTime());
        System.out.println("ringGrowth seed " + seed);
        Random rnd = new Random(seed);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MILLIS);
        int rounds = 0;
        long values = 0;
        while (System.nanoTime() < end) {
            int cap = rnd.nextBoolean() ? Channel.UNLIMITED : 17 + rnd.nextInt(300);
            int n = 1 + rnd.nextInt(3000);
            Channel<Integer> ch = channel(cap);
            CountDownLatch go = new CountDownLatch(1);
            int[] last = {-1, -1};
            AtomicIntegerArray got = new AtomicIntegerArray(2 * n);
            List<Thread> ts = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                int pid = p;
                ts.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < n; i++) {
                            ch.send(pid * n + i);
                        }
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            int delay = rnd.nextInt(200);
            Thread c = Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    LockSupport.parkNanos(delay * 1000L);
                    for (int i = 0; i < 2 * n; i++) {
                        int v = ch.recv();
                        got.incrementAndGet(v);
                        int pid = v / n;
                        assertThat(v).as("FIFO of producer %d", pid).isGreaterThan(last[pid]);
                        last[pid] = v;
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            c.join(10_000);
            assertThat(c.isAlive()).as("consumer stalled, seed %d round %d, %s", seed, rounds, ch).isFalse();
            for (int v = 0; v < 2 * n; v++) {
                assertThat(got.get(v)).as("value %d (cap %d, n %d)", v, cap, n).isEqualTo(1);
            }
            assertThat(ch.size()).isZero();
            values += 2L * n;
            rounds++;
        }
        System.out.println("ringGrowth: " + rounds + " rounds, " + values + " values");
    }

    /**
     * A dropping channel under concurrent trySend / send / select / sendAsync, receivers and a close: every value
     * is received, dropped through the hook, refused (exception) or left buffered; exactly once.
     */
    @Test
    void dropPoliciesAccountEveryValueAcrossClose() throws Exception {
        long seed = Long.getLong("molt.conservation.seed", System.nanoTime());
        System.out.println("dropPolicies seed " + seed);
        Random rnd = new Random(seed);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MILLIS);
        int rounds = 0;
        long values = 0;
        while (System.nanoTime() < end) {
            int n = 200;
            int senders = 3;
            AtomicIntegerArray count = new AtomicIntegerArray(senders * n);
            Overflow o = rnd.nextBoolean() ? Overflow.DROP_OLDEST : Overflow.DROP_LATEST;
            int cap = 1 + rnd.nextInt(4);
            Channel<Integer> ch = channel(cap, o, (Integer v) -> count.incrementAndGet(v));
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sid = s;
                long ss = rnd.nextLong();
                ts.add(Thread.ofVirtual().start(() -> {
                    Random r = new Random(ss);
                    List<CompletableFuture<Void>> mine = new ArrayList<>();
                    try {
                        go.await();
                        for (int i = 0; i < n; i++) {
                            int v = sid * n + i;
                            try {
                                switch (r.nextInt(4)) {
                                    case 0 -> ch.send(v);
                                    case 1 -> assertThat(ch.trySend(v)).isTrue();
                                    case 2 -> select(ch.onSend(v, () -> null), ch.onRecv(x -> {
                                        count.incrementAndGet(x);
                                        count.incrementAndGet(v); // the send did not happen: v stays here
                                        return null;
                                    }));
                                    default -> mine.add(ch.sendAsync(v));
                                }
                            } catch (ChannelClosedException e) {
                                count.incrementAndGet(v);
                            }
                        }
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    synchronized (fs) {
                        fs.addAll(mine);
                    }
                }));
            }
            long rs = rnd.nextLong();
            Thread recv = Thread.ofVirtual().start(() -> {
                Random r = new Random(rs);
                try {
                    go.await();
                    while (true) {
                        Integer v = switch (r.nextInt(3)) {
                            case 0 -> ch.recv();
                            case 1 -> ch.recv(Duration.ofNanos(r.nextInt(10_000)));
                            default -> {
                                CompletableFuture<Integer> f = ch.recvAsync();
                                f.orTimeout(r.nextInt(20), TimeUnit.MICROSECONDS);
                                try {
                                    yield f.join();
                                } catch (CompletionException | CancellationException e) {
                                    if (e.getCause() instanceof ChannelClosedException cc) {
                                        throw cc;
                                    }
                                    yield null;
                                }
                            }
                        };
                        if (v != null) {
                            count.incrementAndGet(v);
                        }
                    }
                } catch (ChannelClosedException | InterruptedException e) {
                    // drained
                }
            });
            int closeAfter = rnd.nextInt(300);
            go.countDown();
            LockSupport.parkNanos(closeAfter * 1000L);
            if (rnd.nextBoolean()) {
                ch.close();
            } else {
                ch.close(new IllegalStateException("r"));
            }
            for (Thread t : ts) {
                t.join();
            }
            recv.join(10_000);
            assertThat(recv.isAlive()).as("receiver stalled %s", ch).isFalse();
            for (CompletableFuture<Void> f : fs) {
                try {
                    f.join();
                } catch (CompletionException e) {
                    // refused by close: in the hook
                }
            }
            for (int v = 0; v < senders * n; v++) {
                assertThat(count.get(v)).as("value %d, %s cap %d, seed %d round %d", v, o, cap, seed, rounds)
                        .isEqualTo(1);
            }
            values += senders * n;
            rounds++;
        }
        System.out.println("dropPolicies: " + rounds + " rounds, " + values + " values");
    }

    /**
     * Rendezvous: selects that send and receive on the same channel pair up with each other, with plain partners,
     * with async partners withdrawn at once, and with a close; exact conservation.
     */
    @Test
    void sameChannelSelectsAsyncAndClose() throws Exception {
        long seed = Long.getLong("molt.conservation.seed", System.nanoTime());
        System.out.println("sameChannelSelects seed " + seed);
        Random rnd = new Random(seed);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MILLIS);
        int rounds = 0;
        long values = 0;
        while (System.nanoTime() < end) {
            int cap = rnd.nextInt(3) == 0 ? 1 : 0;
            int n = 100;
            int workers = 4;
            AtomicIntegerArray count = new AtomicIntegerArray(workers * n);
            Channel<Integer> ch = channel(cap, Overflow.SUSPEND, (Integer v) -> count.incrementAndGet(v));
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            List<CompletableFuture<?>> fs = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int w = 0; w < workers; w++) {
                int wid = w;
                long ws = rnd.nextLong();
                ts.add(Thread.ofVirtual().start(() -> {
                    Random r = new Random(ws);
                    try {
                        go.await();
                        for (int i = 0; i < n; i++) {
                            int v = wid * n + i;
                            try {
                                switch (r.nextInt(5)) {
                                    case 0, 1 -> {
                                        Object sent = new Object();
                                        Object res = select(ch.onSend(v, () -> sent), ch.onRecv(x -> x),
                                                onTimeout(Duration.ofNanos(r.nextInt(30_000)), () -> null));
                                        if (res != sent) {
                                            count.incrementAndGet(v);
                                        }
                                        if (res instanceof Integer x) {
                                            count.incrementAndGet(x);
                                        }
                                    }
                                    case 2 -> {
                                        CompletableFuture<Void> f = ch.sendAsync(v);
                                        if (r.nextBoolean()) {
                                            f.cancel(false);
                                        } else {
                                            f.orTimeout(r.nextInt(30), TimeUnit.MICROSECONDS);
                                        }
                                        fs.add(f);
                                    }
                                    case 3 -> {
                                        count.incrementAndGet(v); // v is not offered in this branch
                                        CompletableFuture<Integer> f = ch.recvAsync();
                                        f.whenComplete((x, e) -> {
                                            if (e == null && x >= 0) {
                                                count.incrementAndGet(x);
                                            }
                                        });
                                        if (r.nextBoolean()) {
                                            f.cancel(false);
                                        } else {
                                            f.completeAsync(() -> -1);
                                        }
                                        fs.add(f);
                                    }
                                    default -> {
                                        if (!ch.send(v, Duration.ofNanos(r.nextInt(30_000)))) {
                                            count.incrementAndGet(v);
                                        }
                                    }
                                }
                            } catch (ChannelClosedException e) {
                                count.incrementAndGet(v);
                            }
                        }
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            go.countDown();
            LockSupport.parkNanos(rnd.nextInt(2000) * 1000L);
            ch.close();
            for (Thread t : ts) {
                t.join(10_000);
                assertThat(t.isAlive()).as("stalled: %s", ch).isFalse();
            }
            for (CompletableFuture<?> f : fs) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // outcome counted by callbacks / the hook
                }
            }
            try {
                for (Integer v; (v = ch.tryRecv()) != null; ) {
                    count.incrementAndGet(v);
                }
            } catch (ChannelClosedException e) {
                // drained
            }
            for (int v = 0; v < workers * n; v++) {
                assertThat(count.get(v)).as("value %d cap %d seed %d round %d", v, cap, seed, rounds).isEqualTo(1);
            }
            values += workers * n;
            rounds++;
        }
        System.out.println("sameChannelSelects: " + rounds + " rounds, " + values + " values");
    }
}
