package dev.molt.channel;

import static dev.molt.Molt.*;
import static dev.molt.channel.ChannelTest.awaitWaiting;
import static dev.molt.channel.ChannelTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Molt;
import dev.molt.Overflow;
import dev.molt.SelectClause;
import dev.molt.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code select}: the rules of API.md and Go's. */
@Timeout(60)
class SelectTest {

    @Test
    void badArguments() {
        Channel<Integer> ch = channel(1);
        assertThatThrownBy(() -> select()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> select(onDefault(() -> 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> select(onTimeout(Duration.ZERO, () -> 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> select(ch.onRecv(v -> 1), onDefault(() -> 1), onDefault(() -> 2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> select(ch.onRecv(v -> 1), onTimeout(Duration.ZERO, () -> 1),
                onTimeout(Duration.ZERO, () -> 2))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> select(ch.onRecv(v -> 1), new SelectClause<Integer>() {
        })).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> select(ch.onRecv(v -> 1), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> select((SelectClause<Object>[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> onDefault(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> onTimeout(null, () -> 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> onTimeout(Duration.ofSeconds(-1), () -> 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void takesTheReadyClause() throws Exception {
        Channel<Integer> a = channel(1);
        Channel<Integer> b = channel(1);
        b.send(5);
        assertThat((Object) select(a.onRecv(v -> "a" + v), b.onRecv(v -> "b" + v))).isEqualTo("b5");
        assertThat((Object) select(a.onSend(1, () -> "sent a"), b.onRecv(v -> "b" + v))).isEqualTo("sent a");
        assertThat(a.recv()).isEqualTo(1);
    }

    @Test
    void defaultWhenNothingIsReady() throws Exception {
        Channel<Integer> a = channel();
        assertThat((Object) select(a.onRecv(v -> 1), a.onSend(1, () -> 2), onDefault(() -> 3))).isEqualTo(3);
        assertThat(waiting(a)).containsExactly(0, 0);
        CancelToken t = CancelToken.create();
        t.cancel();
        // with onDefault, select is not a cancellation point
        assertThat((Object) withToken(t, () -> select(a.onRecv(v -> 1), onDefault(() -> 3)))).isEqualTo(3);
    }

    @Test
    void timeoutWhenNothingBecomesReady() throws Exception {
        Channel<Integer> a = channel();
        long t0 = System.nanoTime();
        assertThat((Object) select(a.onRecv(v -> 1), onTimeout(Duration.ofMillis(30), () -> 2))).isEqualTo(2);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
        assertThat(waiting(a)).containsExactly(0, 0);
        Task<Void> s = spawn(() -> a.send(7));
        assertThat((Object) select(a.onRecv(v -> v), onTimeout(Duration.ofSeconds(10), () -> -1))).isEqualTo(7);
        s.join();
    }

    @Test
    void waitsForAPartnerAndCompletesExactlyOneClause() throws Exception {
        Channel<Integer> a = channel();
        Channel<Integer> b = channel();
        Task<String> sel = spawn(() -> select(a.onRecv(v -> "a" + v), b.onRecv(v -> "b" + v)));
        awaitWaiting(a, 0, 1);
        awaitWaiting(b, 0, 1);
        b.send(2);
        assertThat(sel.join()).isEqualTo("b2");
        assertThat(waiting(a)).containsExactly(0, 0);
        assertThat(waiting(b)).containsExactly(0, 0);
        assertThat(a.trySend(1)).isFalse();
    }

    @Test
    void waitingSelectSendsToALateReceiver() throws Exception {
        Channel<Integer> a = channel();
        Channel<Integer> b = channel();
        Task<String> sel = spawn(() -> select(a.onSend(1, () -> "a"), b.onSend(2, () -> "b")));
        awaitWaiting(a, 1, 0);
        assertThat(a.recv()).isEqualTo(1);
        assertThat(sel.join()).isEqualTo("a");
        assertThat(b.tryRecv()).isNull();
        assertThat(waiting(b)).containsExactly(0, 0);
    }

    @Test
    void closedChannelCountsAsReady() throws Exception {
        Channel<Integer> closed = channel();
        closed.close();
        assertThatThrownBy(() -> select(closed.onRecv(v -> 1), onDefault(() -> 2)))
                .isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> select(closed.onSend(1, () -> 1), onDefault(() -> 2)))
                .isInstanceOf(ChannelClosedException.class);
        Channel<Integer> buffered = channel(2);
        buffered.send(1);
        IllegalStateException why = new IllegalStateException("why");
        buffered.close(why);
        assertThat((Object) select(buffered.onRecv(v -> v), onDefault(() -> 2))).isEqualTo(1);
        assertThatThrownBy(() -> select(buffered.onRecv(v -> v))).isInstanceOf(ChannelClosedException.class)
                .hasCause(why);
    }

    @Test
    void closeWakesAWaitingSelect() throws Exception {
        Channel<Integer> a = channel();
        Channel<Integer> b = channel();
        Task<Integer> sel = spawn(() -> select(a.onRecv(v -> 1), b.onSend(1, () -> 2)));
        awaitWaiting(b, 1, 0);
        a.close();
        assertThatThrownBy(sel::join).cause().isInstanceOf(ChannelClosedException.class);
        assertThat(waiting(b)).containsExactly(0, 0);
    }

    @Test
    void cancellationMakesAWaitingSelectThrowWithNoEffect() throws Exception {
        Channel<Integer> a = channel();
        Channel<Integer> b = channel();
        Task<Integer> sel = spawn(() -> select(a.onRecv(v -> 1), b.onSend(1, () -> 2)));
        awaitWaiting(a, 0, 1);
        awaitWaiting(b, 1, 0);
        sel.cancel();
        assertThatThrownBy(sel::join).isInstanceOf(CancelledException.class);
        assertThat(waiting(a)).containsExactly(0, 0);
        assertThat(waiting(b)).containsExactly(0, 0);
        assertThat(b.tryRecv()).isNull();
        CancelToken t = CancelToken.create();
        t.cancel();
        Channel<Integer> ready = channel(1);
        ready.send(1);
        assertThatThrownBy(() -> withToken(t, () -> select(ready.onRecv(v -> v))))
                .isInstanceOf(CancelledException.class);
        assertThat(ready.size()).isOne();
    }

    @Test
    void interruptMakesAWaitingSelectThrow() throws Exception {
        Channel<Integer> a = channel();
        Throwable[] thrown = new Throwable[1];
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                select(a.onRecv(v -> 1));
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        awaitWaiting(a, 0, 1);
        t.interrupt();
        t.join();
        assertThat(thrown[0]).isInstanceOf(InterruptedException.class);
        assertThat(waiting(a)).containsExactly(0, 0);
    }

    @Test
    void sameChannelTwice() throws Exception {
        Channel<Integer> a = channel(1);
        int[] counts = new int[2];
        for (int i = 0; i < 2000; i++) {
            a.send(i);
            int which = select(a.onRecv(v -> 0), a.onRecv(v -> 1));
            counts[which]++;
        }
        assertThat(counts[0]).isBetween(800, 1200);
        assertThat(counts[1]).isBetween(800, 1200);
        // send and receive on one rendezvous channel: a select never matches itself
        Channel<Integer> r = channel();
        assertThat((Object) select(r.onSend(1, () -> "s"), r.onRecv(v -> "r"), onDefault(() -> "d"))).isEqualTo("d");
        Task<String> sel = spawn(() -> select(r.onSend(1, () -> "s"), r.onRecv(v -> "r" + v)));
        awaitWaiting(r, 1, 1);
        assertThat(r.recv()).isEqualTo(1);
        assertThat(sel.join()).isEqualTo("s");
        assertThat(waiting(r)).containsExactly(0, 0);
    }

    /** A partner arriving at a waiting select that could complete either of two clauses picks uniformly. */
    @Test
    void waitingSelectPicksUniformlyAmongClausesOnOneChannel() throws Exception {
        Channel<Integer> a = channel();
        int[] counts = new int[2];
        for (int i = 0; i < 1000; i++) {
            Task<Integer> sel = spawn(() -> select(a.onRecv(v -> 0), a.onRecv(v -> 1)));
            awaitWaiting(a, 0, 2);
            a.send(1);
            counts[sel.join()]++;
        }
        assertThat(counts[0]).isBetween(380, 620);
    }

    /** Go's rule: uniform among the ready clauses. Chi-square over 4 always-ready channels. */
    @Test
    void fairnessAmongReadyClauses() throws Exception {
        int k = 4;
        int rounds = 40_000;
        List<Channel<Integer>> chs = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Channel<Integer> c = channel(1);
            c.send(i);
            chs.add(c);
        }
        int[] counts = new int[k];
        for (int r = 0; r < rounds; r++) {
            int i = select(chs.get(0).onRecv(v -> v), chs.get(1).onRecv(v -> v), chs.get(2).onRecv(v -> v),
                    chs.get(3).onRecv(v -> v));
            counts[i]++;
            chs.get(i).send(i);
        }
        assertUniformAmongFour(counts);
    }

    /** Go's rule for sends too: uniform among the clauses that can send now (4 empty buffered channels). */
    @Test
    void fairnessAmongReadySendClauses() throws Exception {
        int k = 4;
        int rounds = 40_000;
        List<Channel<Integer>> chs = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            chs.add(channel(1));
        }
        int[] counts = new int[k];
        for (int r = 0; r < rounds; r++) {
            int i = select(chs.get(0).onSend(0, () -> 0), chs.get(1).onSend(1, () -> 1),
                    chs.get(2).onSend(2, () -> 2), chs.get(3).onSend(3, () -> 3));
            counts[i]++;
            assertThat(chs.get(i).tryRecv()).isEqualTo(i);
        }
        assertUniformAmongFour(counts);
    }

    /** Chi-square test of four counts against the uniform distribution (3 degrees of freedom: p = 0.0001 at 21.1). */
    private static void assertUniformAmongFour(int[] counts) {
        double expected = java.util.Arrays.stream(counts).sum() / 4.0;
        double chi2 = 0;
        for (int c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        assertThat(chi2).as("counts %s", java.util.Arrays.toString(counts)).isLessThan(21.1);
    }

    /**
     * A closed channel counts as ready, so it takes its uniform share against a channel with a value: a select that
     * tries the ready clauses one by one before locking (the fast path) must not pass over the closed one.
     */
    @Test
    void closedChannelIsChosenUniformlyAgainstAReadyOne() throws Exception {
        int rounds = 4_000;
        Channel<Integer> closed = channel();
        closed.close();
        for (Channel<Integer> ready : List.of(Molt.<Integer>channel(1), Molt.<Integer>channel())) {
            int closedHits = 0;
            for (int r = 0; r < rounds; r++) {
                Task<Void> sender = null;
                if (ready.capacity() == 1) {
                    ready.send(r);
                } else {
                    int v = r;
                    sender = spawn(() -> ready.send(v));
                    awaitWaiting(ready, 1, 0);
                }
                try {
                    assertThat((Object) select(ready.onRecv(v -> v), closed.onRecv(v -> -1))).isEqualTo(r);
                } catch (ChannelClosedException e) {
                    closedHits++;
                    assertThat(ready.recv()).isEqualTo(r);
                }
                if (sender != null) {
                    sender.join();
                }
            }
            assertThat(closedHits).as("capacity %d", ready.capacity()).isBetween(rounds * 4 / 10, rounds * 6 / 10);
        }
    }

    @Test
    void sendToDroppingChannelIsAlwaysReady() throws Exception {
        List<Integer> dropped = new ArrayList<>();
        Channel<Integer> d = channel(1, Overflow.DROP_LATEST, dropped::add);
        Channel<Integer> never = channel();
        assertThat((Object) select(d.onSend(1, () -> 1), never.onRecv(v -> 2))).isEqualTo(1);
        assertThat((Object) select(d.onSend(2, () -> 1), never.onRecv(v -> 2))).isEqualTo(1);
        assertThat(dropped).containsExactly(2);
    }

    /** Many selects and plain operations over shared channels: every value is received exactly once. */
    @Test
    void noLostWakeupsNoDoubleFiring() throws Exception {
        int n = 20_000;
        Channel<Integer> a = channel();
        Channel<Integer> b = channel(2);
        Channel<Integer> done = channel();
        AtomicInteger sum = new AtomicInteger();
        AtomicInteger count = new AtomicInteger();
        scope(s -> {
            for (int p = 0; p < 4; p++) {
                int base = p;
                spawn(() -> {
                    for (int i = base; i < n; i += 4) {
                        int v = i;
                        select(a.onSend(v, () -> null), b.onSend(v, () -> null));
                    }
                });
            }
            for (int c = 0; c < 4; c++) {
                spawn(() -> {
                    while (true) {
                        int v;
                        try {
                            v = select(a.onRecv(x -> x), b.onRecv(x -> x), done.onRecv(x -> -1));
                        } catch (ChannelClosedException e) {
                            return; // done was closed
                        }
                        sum.addAndGet(v);
                        count.incrementAndGet();
                    }
                });
            }
            while (count.get() < n) {
                Thread.sleep(1);
            }
            done.close();
            return null;
        });
        assertThat(count.get()).isEqualTo(n);
        assertThat(sum.get()).isEqualTo(n * (n - 1) / 2);
    }

    /**
     * Fan-out through select: producers select a send over a rendezvous, a buffered and an unlimited channel while
     * plain receivers and a selecting receiver drain them; every value arrives exactly once.
     */
    @Test
    void fanOutBySelectSendDeliversEveryValueOnce() throws Exception {
        int n = 60_000;
        int producers = 3;
        List<Channel<Integer>> chs = List.of(channel(), channel(4), channel(Channel.UNLIMITED));
        AtomicIntegerArray received = new AtomicIntegerArray(n);
        scope(s -> {
            List<Task<Void>> sending = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int first = p;
                sending.add(spawn(() -> {
                    for (int v = first; v < n; v += producers) {
                        int value = v;
                        select(chs.get(0).onSend(value, () -> null), chs.get(1).onSend(value, () -> null),
                                chs.get(2).onSend(value, () -> null));
                    }
                }));
            }
            for (Channel<Integer> c : chs) {
                spawn(() -> {
                    for (int v : c) {
                        received.incrementAndGet(v);
                    }
                });
            }
            spawn(() -> {
                try {
                    while (true) {
                        int v = select(chs.get(0).onRecv(x -> x), chs.get(1).onRecv(x -> x),
                                chs.get(2).onRecv(x -> x));
                        received.incrementAndGet(v);
                    }
                } catch (ChannelClosedException e) {
                    // one of them closed: the plain receivers drain the rest
                }
            });
            for (Task<Void> t : sending) {
                t.join();
            }
            chs.forEach(Channel::close);
            return null;
        });
        for (int v = 0; v < n; v++) {
            assertThat(received.get(v)).as("value %d", v).isEqualTo(1);
        }
    }
}
