package dev.molt.channel;

import static dev.molt.Molt.*;
import static dev.molt.channel.ChannelTest.awaitWaiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour that Go's own channel tests check (test/chancap.go, test/closedchan.go, test/chan/*.go,
 * runtime/chan_test.go), restated for Molt in our own words. Where Go's zero value or panic differs from
 * API.md, the API.md behaviour is what is checked: a receive on a closed, drained channel throws
 * {@link ChannelClosedException} instead of yielding the zero value, and closing twice is allowed.
 */
@Timeout(60)
class GoChannelPortsTest {

    // ---------------------------------------------------------------- chancap.go

    @Test
    void capAndLen() throws Exception {
        Channel<Integer> c = channel(10);
        assertThat(c.capacity()).isEqualTo(10);
        assertThat(c.size()).isZero();
        for (int i = 0; i < 3; i++) {
            c.send(i);
        }
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.capacity()).isEqualTo(10);
        Channel<Integer> u = channel();
        assertThat(u.capacity()).isZero();
        assertThat(u.size()).isZero();
        assertThatThrownBy(() -> channel(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> channel(Integer.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- closedchan.go

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 10})
    void closedChannelBehaviour(int capacity) throws Exception {
        Channel<Integer> c = channel(capacity);
        if (capacity > 0) {
            c.send(1);
        }
        c.close();
        assertThat(c.capacity()).isEqualTo(capacity);
        if (capacity > 0) {
            assertThat(c.size()).isOne();
            // buffered values survive close, by every kind of receive
            assertThat((Object) select(c.onRecv(v -> v), onDefault(() -> -1))).isEqualTo(1);
        }
        assertThat(c.size()).isZero();
        for (int i = 0; i < 3; i++) { // a closed, drained channel answers every time, without blocking
            assertThatThrownBy(c::recv).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(c::tryRecv).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(() -> select(c.onRecv(v -> v))).isInstanceOf(ChannelClosedException.class);
            assertThatThrownBy(() -> select(c.onRecv(v -> v), onDefault(() -> 0)))
                    .isInstanceOf(ChannelClosedException.class);
            assertThat(c.recvAsync()).isCompletedExceptionally();
        }
        // sends on a closed channel fail in every form
        assertThatThrownBy(() -> c.send(2)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> c.trySend(2)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> select(c.onSend(2, () -> 0))).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> select(c.onSend(2, () -> 0), onDefault(() -> 1)))
                .isInstanceOf(ChannelClosedException.class);
        assertThat(c.sendAsync(2)).isCompletedExceptionally();
        c.close(); // Go panics here; Molt's close is idempotent
        assertThat(c.iterator().hasNext()).isFalse();
    }

    @Test
    void closeUnblocksAReceiverAndFailsABlockedSender() throws Exception {
        Channel<Integer> c = channel();
        Task<Integer> r = spawn(() -> c.recv());
        awaitWaiting(c, 0, 1);
        c.close();
        assertThatThrownBy(r::join).cause().isInstanceOf(ChannelClosedException.class);
        Channel<Integer> d = channel();
        Task<Void> s = spawn(() -> d.send(1));
        awaitWaiting(d, 1, 0);
        d.close();
        assertThatThrownBy(s::join).cause().isInstanceOf(ChannelClosedException.class);
    }

    // ---------------------------------------------------------------- chan/fifo.go, chan/goroutines.go

    @Test
    void asyncFifo() throws Exception {
        int n = 10;
        Channel<Integer> c = channel(n);
        for (int i = 0; i < n; i++) {
            c.send(i);
        }
        for (int i = 0; i < n; i++) {
            assertThat(c.recv()).isEqualTo(i);
        }
    }

    /** Go's SynchFifo: a chain of tasks, each receiving its value only after its predecessor did. */
    @Test
    void synchFifo() throws Exception {
        int n = 100;
        Channel<Integer> ch = channel();
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        scope(s -> {
            Channel<Boolean> in = channel();
            Channel<Boolean> start = in;
            for (int i = 0; i < n; i++) {
                Channel<Boolean> out = channel();
                Channel<Boolean> myIn = in;
                spawn(() -> {
                    myIn.recv();
                    order.add(ch.recv());
                    out.send(true);
                });
                in = out;
            }
            start.send(true);
            for (int i = 0; i < n; i++) {
                ch.send(i);
            }
            in.recv();
            return null;
        });
        assertThat(order).hasSize(n).isSorted();
    }

    @Test
    void daisyChainOfTenThousandTasks() throws Exception {
        int n = 10_000;
        int result = scope(s -> {
            Channel<Integer> leftmost = channel();
            Channel<Integer> left = leftmost;
            for (int i = 0; i < n; i++) {
                Channel<Integer> right = channel();
                Channel<Integer> l = left;
                spawn(() -> l.send(1 + right.recv()));
                left = right;
            }
            Channel<Integer> rightmost = left;
            spawn(() -> rightmost.send(0));
            return leftmost.recv();
        });
        assertThat(result).isEqualTo(n);
    }

    // ---------------------------------------------------------------- chan/sieve1.go

    @Test
    void primeSieve() throws Exception {
        List<Integer> primes = new ArrayList<>();
        scope(s -> {
            Channel<Integer> ch = channel();
            Task<Void> gen = spawn(() -> {
                for (int i = 2; ; i++) {
                    ch.send(i);
                }
            });
            List<Task<Void>> filters = new ArrayList<>();
            Channel<Integer> in = ch;
            for (int i = 0; i < 50; i++) {
                int prime = in.recv();
                primes.add(prime);
                Channel<Integer> out = channel();
                Channel<Integer> src = in;
                filters.add(spawn(() -> {
                    while (true) {
                        int v = src.recv();
                        if (v % prime != 0) {
                            out.send(v);
                        }
                    }
                }));
                in = out;
            }
            s.cancel(); // stops the generator and every filter
            return null;
        });
        assertThat(primes).startsWith(2, 3, 5, 7, 11, 13, 17, 19, 23, 29).hasSize(50).last().isEqualTo(229);
    }

    // ---------------------------------------------------------------- chan/doubleselect.go

    /** A sender selects over four channels; four muxers forward into one; every value arrives exactly once. */
    @Test
    void doubleSelect() throws Exception {
        int n = 20_000;
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        scope(s -> {
            List<Channel<Integer>> cs = List.of(channel(), channel(), channel(), channel());
            Channel<Integer> merged = channel();
            spawn(() -> {
                for (int i = 0; i < n; i++) {
                    int v = i;
                    select(cs.get(0).onSend(v, () -> 0), cs.get(1).onSend(v, () -> 1), cs.get(2).onSend(v, () -> 2),
                            cs.get(3).onSend(v, () -> 3));
                }
                for (Channel<Integer> c : cs) {
                    c.close();
                }
            });
            List<Task<Void>> muxers = new ArrayList<>();
            for (Channel<Integer> c : cs) {
                muxers.add(spawn(() -> {
                    for (int v : c) {
                        merged.send(v);
                    }
                }));
            }
            spawn(() -> {
                for (Task<Void> m : muxers) {
                    m.join();
                }
                merged.close();
            });
            for (int v : merged) {
                assertThat(seen.incrementAndGet(v)).as("value %d", v).isOne();
            }
            return null;
        });
        for (int i = 0; i < n; i++) {
            assertThat(seen.get(i)).isOne();
        }
    }

    // ---------------------------------------------------------------- chan/nonblock.go

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 10})
    void nonBlocking(int capacity) throws Exception {
        Channel<String> c = channel(capacity);
        assertThat(c.tryRecv()).isNull();
        for (int i = 0; i < capacity; i++) {
            assertThat(c.trySend("v" + i)).isTrue();
        }
        assertThat(c.trySend("x")).isFalse();
        for (int i = 0; i < capacity; i++) {
            assertThat(c.tryRecv()).isEqualTo("v" + i);
        }
        assertThat(c.tryRecv()).isNull();
        // a non-blocking send succeeds once a receiver waits (Go's loop with a sleeping receiver)
        Task<String> r = spawn(() -> c.recv());
        awaitWaiting(c, 0, 1);
        assertThat(c.trySend("hello")).isTrue();
        assertThat(r.join()).isEqualTo("hello");
        Task<Void> snd = spawn(() -> c.send("back"));
        if (capacity == 0) {
            awaitWaiting(c, 1, 0);
        } else {
            snd.join();
        }
        assertThat(c.tryRecv()).isEqualTo("back");
        snd.join();
    }

    // ---------------------------------------------------------------- chan/select3.go, select6.go

    @Test
    void blockingSemanticsOfSelect() throws Exception {
        Channel<Integer> never = channel();
        Channel<Integer> closed = channel();
        closed.close();
        // a select on channels where nothing happens blocks (bounded here by onTimeout)
        assertThat((Object) select(never.onRecv(v -> 1), never.onSend(1, () -> 2),
                onTimeout(Duration.ofMillis(20), () -> 3))).isEqualTo(3);
        // a receive from a closed channel never blocks
        assertThatThrownBy(() -> select(never.onRecv(v -> 1), closed.onRecv(v -> 2)))
                .isInstanceOf(ChannelClosedException.class);
        // select with default never blocks
        assertThat((Object) select(never.onRecv(v -> 1), onDefault(() -> 0))).isEqualTo(0);
        // a buffered channel with room is ready for a send; a full one is not
        Channel<Integer> b = channel(1);
        assertThat((Object) select(b.onSend(1, () -> 1), onDefault(() -> 0))).isEqualTo(1);
        assertThat((Object) select(b.onSend(1, () -> 1), onDefault(() -> 0))).isEqualTo(0);
    }

    /** Go issue 2075: a select woken by one channel must not also consume from another it waited on. */
    @Test
    void selectWokenOnceDoesNotStealFromItsOtherChannel() throws Exception {
        for (int round = 0; round < 200; round++) {
            Channel<Boolean> c1 = channel();
            Channel<Boolean> c2 = channel();
            Channel<Boolean> c3 = channel();
            AtomicBoolean wrong = new AtomicBoolean();
            scope(s -> {
                spawn(() -> c1.recv());
                spawn(() -> {
                    select(c1.onRecv(v -> {
                        wrong.set(true);
                        return null;
                    }), c2.onRecv(v -> null));
                    c3.send(true);
                    c1.recv();
                });
                spawn(() -> c2.send(true));
                c3.recv();
                c1.send(true);
                c1.send(true);
                return null;
            });
            assertThat(wrong).isFalse();
        }
    }

    // ---------------------------------------------------------------- runtime/chan_test.go

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 5, 10})
    void chanBasics(int capacity) throws Exception {
        // receive from an empty channel blocks
        Channel<Integer> c = channel(capacity);
        Task<Integer> r = spawn(() -> c.recv());
        awaitWaiting(c, 0, 1);
        Thread.sleep(5);
        assertThat(r.isDone()).isFalse();
        c.send(0);
        assertThat(r.join()).isZero();
        // send to a full channel blocks
        for (int i = 0; i < capacity; i++) {
            c.send(i);
        }
        Task<Void> s = spawn(() -> c.send(-1));
        awaitWaiting(c, 1, 0);
        Thread.sleep(5);
        assertThat(s.isDone()).isFalse();
        for (int i = 0; i < capacity; i++) {
            assertThat(c.recv()).isEqualTo(i);
        }
        assertThat(c.recv()).isEqualTo(-1);
        s.join();
        // 100 values in FIFO order through one sender and one receiver
        Channel<Integer> f = channel(capacity);
        Task<Void> sender = spawn(() -> {
            for (int i = 0; i < 100; i++) {
                f.send(i);
            }
        });
        for (int i = 0; i < 100; i++) {
            assertThat(f.recv()).isEqualTo(i);
        }
        sender.join();
        // 4 senders, 4 receivers, 1000 values each: the receivers get exactly what was sent
        Channel<Integer> m = channel(capacity);
        AtomicIntegerArray counts = new AtomicIntegerArray(1000);
        scope(sc -> {
            for (int p = 0; p < 4; p++) {
                spawn(() -> {
                    for (int i = 0; i < 1000; i++) {
                        m.send(i);
                    }
                });
            }
            for (int q = 0; q < 4; q++) {
                spawn(() -> {
                    for (int i = 0; i < 1000; i++) {
                        counts.incrementAndGet(m.recv());
                    }
                });
            }
            return null;
        });
        for (int i = 0; i < 1000; i++) {
            assertThat(counts.get(i)).isEqualTo(4);
        }
        // len and cap
        Channel<Integer> l = channel(capacity);
        for (int i = 0; i < capacity; i++) {
            assertThat(l.size()).isEqualTo(i);
            l.send(i);
        }
        assertThat(l.size()).isEqualTo(capacity);
        assertThat(l.capacity()).isEqualTo(capacity);
    }

    /** TestNonblockRecvRace: a channel that holds a value or is closed is always ready for a non-blocking recv. */
    @Test
    void nonBlockingRecvRacingClose() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            Channel<Integer> c = channel(1);
            c.send(1);
            Task<Boolean> t = spawn(() -> {
                try {
                    return select(c.onRecv(v -> true), onDefault(() -> false));
                } catch (ChannelClosedException e) {
                    return true;
                }
            });
            c.close();
            try {
                c.recv();
            } catch (ChannelClosedException e) {
                // the task took the value
            }
            assertThat(t.join()).as("round %d: the channel was not ready", i).isTrue();
        }
    }

    /** TestNonblockSelectRace: of two channels one always holds a value, so a select with default finds it. */
    @Test
    void nonBlockingSelectRace() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            Channel<Integer> c1 = channel(1);
            Channel<Integer> c2 = channel(1);
            c1.send(1);
            Task<Boolean> t = spawn(() -> select(c1.onRecv(v -> true), c2.onRecv(v -> true), onDefault(() -> false)));
            c2.send(1);
            select(c1.onRecv(v -> null), onDefault(() -> {
                try {
                    return c2.recv();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            assertThat(t.join()).as("round %d", i).isTrue();
        }
    }

    /** TestSelfSelect: tasks select a send and a receive on one channel; a select never receives its own value. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void selfSelect(int capacity) throws Exception {
        Channel<Integer> c = channel(capacity);
        scope(s -> {
            for (int p = 0; p < 2; p++) {
                int me = p;
                spawn(() -> {
                    for (int i = 0; i < 1000; i++) {
                        Integer got = select(c.onSend(me, () -> null), c.onRecv(v -> v));
                        if (capacity == 0 && got != null) {
                            assertThat(got).as("self receive").isNotEqualTo(me);
                        }
                    }
                });
            }
            return null;
        });
    }

    /** TestSelectStress: plain and select senders and receivers on four channels; everything arrives. */
    @Test
    void selectStress() throws Exception {
        int n = 10_000;
        List<Channel<Integer>> cs = List.of(channel(), channel(1), channel(2), channel(3));
        AtomicLong received = new AtomicLong();
        scope(s -> {
            for (Channel<Integer> c : cs) {
                spawn(() -> {
                    for (int i = 0; i < n; i++) {
                        c.send(i);
                    }
                });
                spawn(() -> {
                    for (int i = 0; i < n; i++) {
                        c.recv();
                        received.incrementAndGet();
                    }
                });
            }
            spawn(() -> { // one select sender for all four
                int[] left = {n, n, n, n};
                while (left[0] + left[1] + left[2] + left[3] > 0) {
                    List<dev.molt.SelectClause<Integer>> clauses = new ArrayList<>();
                    for (int k = 0; k < 4; k++) {
                        if (left[k] > 0) {
                            int idx = k;
                            clauses.add(cs.get(k).onSend(k, () -> idx));
                        }
                    }
                    left[(Integer) select(clauses.toArray(new dev.molt.SelectClause[0]))]--;
                }
            });
            spawn(() -> { // one select receiver for all four
                int[] left = {n, n, n, n};
                while (left[0] + left[1] + left[2] + left[3] > 0) {
                    List<dev.molt.SelectClause<Integer>> clauses = new ArrayList<>();
                    for (int k = 0; k < 4; k++) {
                        if (left[k] > 0) {
                            int idx = k;
                            clauses.add(cs.get(k).onRecv(v -> idx));
                        }
                    }
                    left[(Integer) select(clauses.toArray(new dev.molt.SelectClause[0]))]--;
                    received.incrementAndGet();
                }
            });
            return null;
        });
        assertThat(received.get()).isEqualTo(8L * n);
    }

    /** TestPseudoRandomSend: a select between two sends on one channel picks both, about evenly. */
    @Test
    void pseudoRandomSend() throws Exception {
        Channel<Integer> c = channel();
        int n = 100;
        int[] counts = new int[2];
        scope(s -> {
            spawn(() -> {
                for (int i = 0; i < n; i++) {
                    counts[c.recv()]++;
                }
            });
            for (int i = 0; i < n; i++) {
                select(c.onSend(0, () -> null), c.onSend(1, () -> null));
            }
            return null;
        });
        assertThat(counts[0]).isGreaterThan(n / 10);
        assertThat(counts[1]).isGreaterThan(n / 10);
    }

    /** TestMultiConsumer: 23 workers between two buffered channels; sum and count come out right. */
    @Test
    void multiConsumer() throws Exception {
        int nwork = 23;
        int niter = 27_183;
        Channel<Integer> q = channel(nwork * 3);
        Channel<Integer> r = channel(nwork * 3);
        long[] got = new long[2];
        scope(s -> {
            List<Task<Void>> workers = new ArrayList<>();
            for (int w = 0; w < nwork; w++) {
                workers.add(spawn(() -> {
                    for (int v : q) {
                        r.send(v);
                    }
                }));
            }
            spawn(() -> {
                for (Task<Void> w : workers) {
                    w.join();
                }
                r.close();
            });
            spawn(() -> {
                for (int v : r) {
                    got[0]++;
                    got[1] += v;
                }
            });
            long expect = 0;
            for (int i = 0; i < niter; i++) {
                int v = pseudoRandom(i);
                expect += v;
                q.send(v);
            }
            q.close();
            return expect;
        }).longValue();
        long expect = 0;
        for (int i = 0; i < niter; i++) {
            expect += pseudoRandom(i);
        }
        assertThat(got[0]).isEqualTo(niter);
        assertThat(got[1]).isEqualTo(expect);
    }

    private static int pseudoRandom(int i) {
        return (i * 1103515245 + 12345) >>> 16 & 0x7fff;
    }

    /** TestSelectDuplicateChannel: a select on one channel twice, woken by a third, leaves the first intact. */
    @Test
    void selectDuplicateChannel() throws Exception {
        Channel<Integer> c = channel();
        Channel<Integer> d = channel();
        Channel<Integer> e = channel();
        scope(s -> {
            spawn(() -> {
                select(c.onRecv(v -> null), c.onRecv(v -> null), d.onRecv(v -> null));
                e.send(9);
            });
            awaitWaiting(c, 0, 2);
            spawn(() -> c.recv());
            awaitWaiting(c, 0, 3);
            d.send(7);
            e.recv();
            c.send(8); // the plain receiver gets it; the select's stale nodes are gone
            return null;
        });
        assertThat(ChannelTest.waiting(c)).containsExactly(0, 0);
    }
}
