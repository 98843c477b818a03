package dev.molt.channel;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.Overflow;
import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;
import dev.molt.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every channel operation, one behaviour per test. */
@Timeout(30)
class ChannelTest {

    // ---------------------------------------------------------------- making channels

    @Test
    void capacities() {
        assertThat(channel().capacity()).isZero();
        assertThat(channel(5).capacity()).isEqualTo(5);
        assertThat(channel(Channel.UNLIMITED).capacity()).isEqualTo(Integer.MAX_VALUE);
        assertThat(channel(3, Overflow.DROP_OLDEST).capacity()).isEqualTo(3);
    }

    @Test
    void badArguments() {
        assertThatThrownBy(() -> channel(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> channel(0, Overflow.DROP_LATEST)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> channel(1, null)).isInstanceOf(NullPointerException.class).hasMessage("overflow");
        assertThatThrownBy(() -> channel(1, Overflow.SUSPEND, null))
                .isInstanceOf(NullPointerException.class).hasMessage("onUndelivered");
        Channel<String> ch = channel(1);
        assertThatThrownBy(() -> ch.send(null)).isInstanceOf(NullPointerException.class).hasMessage("value");
        assertThatThrownBy(() -> ch.trySend(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.sendAsync(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.send("x", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.send("x", Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ch.recv(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ch.recv(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.onRecv(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.onSend(null, () -> 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.onSend("x", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.close(null)).isInstanceOf(NullPointerException.class);
        assertThat(ch.isClosed()).isFalse();
    }

    @Test
    void directionViews() throws Exception {
        Channel<Integer> ch = channel(1);
        SendChannel<Integer> out = ch;
        ReceiveChannel<Integer> in = ch;
        out.send(7);
        assertThat(in.recv()).isEqualTo(7);
    }

    // ---------------------------------------------------------------- rendezvous

    @Test
    void rendezvousTrySendNeedsAWaitingReceiver() throws Exception {
        Channel<Integer> ch = channel();
        assertThat(ch.trySend(1)).isFalse();
        assertThat(ch.tryRecv()).isNull();
        Task<Integer> r = spawn(() -> ch.recv());
        awaitWaiting(ch, 0, 1);
        assertThat(ch.trySend(2)).isTrue();
        assertThat(r.join()).isEqualTo(2);
        assertThat(ch.size()).isZero();
    }

    @Test
    void rendezvousSendBlocksUntilReceived() throws Exception {
        Channel<Integer> ch = channel();
        Task<Void> s = spawn(() -> ch.send(1));
        awaitWaiting(ch, 1, 0);
        assertThat(s.isDone()).isFalse();
        assertThat(ch.tryRecv()).isEqualTo(1);
        s.join();
    }

    @Test
    void timedOperations() throws Exception {
        Channel<Integer> ch = channel();
        long t0 = System.nanoTime();
        assertThat(ch.send(1, Duration.ofMillis(50))).isFalse();
        assertThat(ch.recv(Duration.ofMillis(50))).isNull();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(ch.send(1, Duration.ZERO)).isFalse();
        assertThat(ch.recv(Duration.ZERO)).isNull();
        assertThat(waiting(ch)).containsExactly(0, 0);
        Task<Boolean> s = spawn(() -> ch.send(5, Duration.ofSeconds(10)));
        assertThat(ch.recv(Duration.ofSeconds(10))).isEqualTo(5);
        assertThat(s.join()).isTrue();
    }

    // ---------------------------------------------------------------- buffered

    @Test
    void bufferedIsFifoAndBoundedAndRefillsFromWaitingSenders() throws Exception {
        Channel<Integer> ch = channel(2);
        assertThat(ch.trySend(1)).isTrue();
        assertThat(ch.trySend(2)).isTrue();
        assertThat(ch.trySend(3)).isFalse();
        assertThat(ch.size()).isEqualTo(2);
        Task<Void> s = spawn(() -> ch.send(3));
        awaitWaiting(ch, 1, 0);
        assertThat(ch.recv()).isEqualTo(1);
        s.join(); // its value moved into the freed slot
        assertThat(ch.size()).isEqualTo(2);
        assertThat(ch.recv()).isEqualTo(2);
        assertThat(ch.recv()).isEqualTo(3);
        assertThat(ch.tryRecv()).isNull();
    }

    @Test
    void unlimitedNeverBlocksASender() throws Exception {
        Channel<Integer> ch = channel(Channel.UNLIMITED);
        for (int i = 0; i < 100_000; i++) {
            ch.send(i);
        }
        assertThat(ch.size()).isEqualTo(100_000);
        for (int i = 0; i < 100_000; i++) {
            assertThat(ch.recv()).isEqualTo(i);
        }
    }

    @Test
    void aWaitingReceiverGetsTheValueDirectly() throws Exception {
        Channel<Integer> ch = channel(16);
        Task<Integer> r = spawn(() -> ch.recv());
        awaitWaiting(ch, 0, 1);
        ch.send(9);
        assertThat(r.join()).isEqualTo(9);
        assertThat(ch.size()).isZero();
    }

    // ---------------------------------------------------------------- overflow and the undelivered hook

    @Test
    void dropOldest() throws Exception {
        List<Integer> dropped = new CopyOnWriteArrayList<>();
        Channel<Integer> ch = channel(2, Overflow.DROP_OLDEST, dropped::add);
        for (int i = 1; i <= 5; i++) {
            ch.send(i);
        }
        assertThat(ch.trySend(6)).isTrue();
        assertThat(dropped).containsExactly(1, 2, 3, 4);
        assertThat(ch.recv()).isEqualTo(5);
        assertThat(ch.recv()).isEqualTo(6);
    }

    @Test
    void dropLatest() throws Exception {
        List<Integer> dropped = new CopyOnWriteArrayList<>();
        Channel<Integer> ch = channel(2, Overflow.DROP_LATEST, dropped::add);
        for (int i = 1; i <= 5; i++) {
            ch.send(i);
        }
        assertThat(ch.trySend(6)).isTrue();
        assertThat(ch.sendAsync(7)).isCompleted();
        assertThat(dropped).containsExactly(3, 4, 5, 6, 7);
        assertThat(ch.recv()).isEqualTo(1);
        assertThat(ch.recv()).isEqualTo(2);
    }

    @Test
    void droppingChannelsStillHandOverToWaitingReceivers() throws Exception {
        Channel<Integer> ch = channel(1, Overflow.DROP_LATEST);
        Task<Integer> r = spawn(() -> ch.recv());
        awaitWaiting(ch, 0, 1);
        ch.send(1);
        assertThat(r.join()).isEqualTo(1);
    }

    @Test
    void hookSeesUndeliveredAsyncSends() {
        List<String> dropped = new CopyOnWriteArrayList<>();
        Channel<String> ch = channel(0, Overflow.SUSPEND, dropped::add);
        CompletableFuture<Void> a = ch.sendAsync("cancelled");
        CompletableFuture<Void> b = ch.sendAsync("closed");
        assertThat(a.cancel(false)).isTrue();
        ch.close();
        assertThat(b).isCompletedExceptionally();
        assertThatThrownBy(b::join).hasCauseInstanceOf(ChannelClosedException.class);
        CompletableFuture<Void> c = ch.sendAsync("after close");
        assertThat(c).isCompletedExceptionally();
        assertThat(dropped).containsExactly("cancelled", "closed", "after close");
        assertThat(waiting(ch)).containsExactly(0, 0);
    }

    @Test
    void hookFailuresAreContained() throws Exception {
        Channel<Integer> ch = channel(1, Overflow.DROP_LATEST, v -> {
            throw new IllegalStateException("boom");
        });
        ch.send(1);
        ch.send(2); // dropped; the hook throws; the send still succeeds
        assertThat(ch.recv()).isEqualTo(1);
    }

    /** A hook that throws an Error while close wakes its waiters (async sends first) stops none of the wake-ups. */
    @Test
    void aHookThrowingAnErrorDoesNotStopCloseFromWakingEveryWaiter() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        Channel<Integer> ch = channel(0, Overflow.SUSPEND, v -> {
            seen.add(v);
            throw new AssertionError("hook of " + v);
        });
        List<CompletableFuture<Void>> asyncSends = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            asyncSends.add(ch.sendAsync(i));
        }
        List<Task<Void>> blocked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int v = 10 + i;
            blocked.add(spawn(() -> ch.send(v)));
        }
        awaitWaiting(ch, 6, 0);
        ch.close();
        for (CompletableFuture<Void> f : asyncSends) {
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ChannelClosedException.class);
        }
        for (Task<Void> t : blocked) {
            assertThatThrownBy(t::join).hasCauseInstanceOf(ChannelClosedException.class);
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2);
    }

    // ---------------------------------------------------------------- async

    @Test
    void asyncBridges() throws Exception {
        Channel<Integer> ch = channel();
        CompletableFuture<Integer> r = ch.recvAsync();
        assertThat(r).isNotDone();
        CompletableFuture<Void> s = ch.sendAsync(4);
        assertThat(s).isCompleted();
        assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo(4);

        CompletableFuture<Void> s2 = ch.sendAsync(5);
        assertThat(s2).isNotDone();
        assertThat(ch.recv()).isEqualTo(5);
        assertThat(s2.get(5, TimeUnit.SECONDS)).isNull();

        CompletableFuture<Integer> r2 = ch.recvAsync();
        assertThat(r2.cancel(true)).isTrue();
        assertThat(waiting(ch)).containsExactly(0, 0);
        assertThat(ch.trySend(1)).isFalse(); // the withdrawn receiver took nothing

        CompletableFuture<Integer> r3 = ch.recvAsync().orTimeout(10, TimeUnit.MILLISECONDS);
        assertThatThrownBy(r3::join).hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(waiting(ch)).containsExactly(0, 0);

        CompletableFuture<Integer> r4 = ch.recvAsync();
        ch.close(new IllegalStateException("why"));
        assertThatThrownBy(r4::join).hasCauseInstanceOf(ChannelClosedException.class)
                .cause().hasCauseInstanceOf(IllegalStateException.class);
        assertThat(ch.recvAsync()).isCompletedExceptionally();
    }

    /**
     * Every way of completing an async bridge's future from outside withdraws its operation: a withdrawn receive
     * takes nothing sent later, a withdrawn send delivers nothing and its value goes to the hook. completeAsync
     * and the obtrude methods complete a future past complete() in the JDK, so they are overridden too.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void everyOutsideCompletionWithdrawsAnAsyncOperation(int capacity) throws Exception {
        List<java.util.function.Consumer<CompletableFuture<Integer>>> receives = List.of(
                f -> f.cancel(false),
                f -> f.complete(-1),
                f -> f.completeExceptionally(new IllegalStateException("mine")),
                f -> f.completeAsync(() -> -1).join(),
                f -> f.completeAsync(() -> -1, Runnable::run),
                f -> f.completeOnTimeout(-1, 1, TimeUnit.MILLISECONDS).exceptionally(e -> -1).join(),
                f -> f.obtrudeValue(-1),
                f -> f.obtrudeException(new IllegalStateException("mine")));
        for (var complete : receives) {
            Channel<Integer> ch = channel(capacity);
            CompletableFuture<Integer> r = ch.recvAsync();
            complete.accept(r);
            assertThat(r).isDone();
            assertThat(waiting(ch)).containsExactly(0, 0);
            boolean sent = ch.trySend(42); // at capacity 0 there is no receiver left to take it
            assertThat(sent).isEqualTo(capacity > 0);
            if (sent) {
                assertThat(ch.tryRecv()).isEqualTo(42);
            }
        }
        List<java.util.function.Consumer<CompletableFuture<Void>>> sends = List.of(
                f -> f.cancel(false),
                f -> f.complete(null),
                f -> f.completeAsync(() -> null).join(),
                f -> f.completeAsync(() -> {
                    throw new IllegalStateException("mine");
                }).exceptionally(e -> null).join(),
                f -> f.obtrudeValue(null),
                f -> f.obtrudeException(new IllegalStateException("mine")));
        for (var complete : sends) {
            List<Integer> dropped = new CopyOnWriteArrayList<>();
            Channel<Integer> ch = channel(capacity, Overflow.SUSPEND, dropped::add);
            for (int i = 0; i < capacity; i++) {
                ch.send(0); // fill the buffer, so the async send waits
            }
            CompletableFuture<Void> s = ch.sendAsync(7);
            assertThat(s).isNotDone();
            complete.accept(s);
            assertThat(s).isDone();
            assertThat(dropped).containsExactly(7);
            assertThat(waiting(ch)).containsExactly(0, 0);
            for (int i = 0; i < capacity; i++) {
                assertThat(ch.recv()).isZero();
            }
            assertThat(ch.tryRecv()).isNull(); // 7 was withdrawn
        }
    }

    /** Over a buffered channel most async operations complete at once (their zero-wait first attempt). */
    @Test
    void asyncBridgesOverABufferedChannel() throws Exception {
        Channel<Integer> ch = channel(2);
        assertThat(ch.sendAsync(1)).isCompleted();
        assertThat(ch.sendAsync(2)).isCompleted();
        CompletableFuture<Void> third = ch.sendAsync(3);
        assertThat(third).isNotDone(); // full: it waits, in order behind the buffered values
        assertThat(ch.recvAsync()).isCompletedWithValue(1);
        assertThat(third.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(ch.recvAsync()).isCompletedWithValue(2);
        assertThat(ch.recvAsync()).isCompletedWithValue(3);
        CompletableFuture<Integer> pending = ch.recvAsync();
        assertThat(pending).isNotDone();
        assertThat(ch.sendAsync(4)).isCompleted(); // handed to the waiting receiver
        assertThat(pending.get(5, TimeUnit.SECONDS)).isEqualTo(4);
        Task<Integer> plain = spawn(() -> ch.recv());
        awaitWaiting(ch, 0, 1);
        assertThat(ch.sendAsync(5)).isCompleted();
        assertThat(plain.join()).isEqualTo(5);
        ch.send(6);
        ch.close();
        assertThat(ch.recvAsync()).isCompletedWithValue(6); // drained after close
        assertThat(ch.recvAsync()).isCompletedExceptionally();
        assertThat(ch.sendAsync(7)).isCompletedExceptionally();
        assertThat(waiting(ch)).containsExactly(0, 0);
    }

    @Test
    void asyncFromAPlatformThreadNeverBlocks() throws Exception {
        Channel<Integer> ch = channel();
        CompletableFuture<Void>[] sent = new CompletableFuture[1];
        Thread t = Thread.ofPlatform().start(() -> sent[0] = ch.sendAsync(1));
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(sent[0]).isNotDone();
        assertThat(ch.recv()).isEqualTo(1);
        sent[0].get(5, TimeUnit.SECONDS);
    }

    @Test
    void cancellingADeliveredAsyncSendFails() throws Exception {
        Channel<Integer> ch = channel();
        CompletableFuture<Void> s = ch.sendAsync(1);
        assertThat(ch.recv()).isEqualTo(1);
        assertThat(s.cancel(false)).isFalse();
        assertThat(s.isCancelled()).isFalse();
        s.get(5, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- close

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4, Integer.MAX_VALUE})
    void closeSemantics(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        if (capacity > 0) {
            ch.send(1);
        }
        ch.close();
        ch.close(new RuntimeException("ignored: the first close wins"));
        assertThat(ch.isClosed()).isTrue();
        assertThatThrownBy(() -> ch.send(2)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> ch.trySend(2)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> ch.send(2, Duration.ofSeconds(1))).isInstanceOf(ChannelClosedException.class);
        if (capacity > 0) {
            assertThat(ch.isDrained()).isFalse();
            assertThat(ch.recv()).isEqualTo(1);
        }
        assertThat(ch.isDrained()).isTrue();
        assertThatThrownBy(ch::recv).isInstanceOf(ChannelClosedException.class).hasNoCause();
        assertThatThrownBy(ch::tryRecv).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> ch.recv(Duration.ofSeconds(1))).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void closeWithReason() throws Exception {
        Channel<Integer> ch = channel(4);
        ch.send(1);
        IllegalStateException why = new IllegalStateException("upstream failed");
        ch.close(why);
        ch.close();
        assertThat(ch.recv()).isEqualTo(1);
        assertThatThrownBy(ch::recv).isInstanceOf(ChannelClosedException.class).hasCause(why);
        assertThatThrownBy(() -> ch.send(1)).isInstanceOf(ChannelClosedException.class).hasCause(why);
    }

    @Test
    void closeWakesBlockedReceiversAndSenders() throws Exception {
        Channel<Integer> r = channel();
        List<Task<Integer>> receivers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            receivers.add(spawn(() -> r.recv()));
        }
        awaitWaiting(r, 0, 10);
        r.close();
        for (Task<Integer> t : receivers) {
            assertThatThrownBy(t::join).cause().isInstanceOf(ChannelClosedException.class);
        }
        Channel<Integer> s = channel(1);
        s.send(0);
        Task<Void> sender = spawn(() -> s.send(1));
        awaitWaiting(s, 1, 0);
        s.close();
        assertThatThrownBy(sender::join).cause().isInstanceOf(ChannelClosedException.class);
        assertThat(s.recv()).isZero(); // the buffered value survives; the blocked one was refused
        assertThat(s.isDrained()).isTrue();
    }

    // ---------------------------------------------------------------- iteration

    @Test
    void iterationEndsAtPlainClose() throws Exception {
        Channel<Integer> ch = channel(10);
        for (int i = 0; i < 5; i++) {
            ch.send(i);
        }
        ch.close();
        List<Integer> got = new ArrayList<>();
        for (int v : ch) {
            got.add(v);
        }
        assertThat(got).containsExactly(0, 1, 2, 3, 4);
        Iterator<Integer> it = ch.iterator();
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void iterationThrowsAfterCloseWithReason() throws Exception {
        Channel<Integer> ch = channel(10);
        ch.send(1);
        ch.close(new IllegalStateException("bad"));
        Iterator<Integer> it = ch.iterator();
        assertThat(it.next()).isEqualTo(1);
        assertThatThrownBy(it::hasNext).isInstanceOf(ChannelClosedException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void streamAcrossTasks() throws Exception {
        Channel<Integer> ch = channel();
        int sum = scope(s -> {
            spawn(() -> {
                for (int i = 1; i <= 100; i++) {
                    ch.send(i);
                }
                ch.close();
            });
            return ch.stream().mapToInt(Integer::intValue).sum();
        });
        assertThat(sum).isEqualTo(5050);
        Channel<Integer> failed = channel(1);
        failed.close(new IllegalStateException("x"));
        assertThatThrownBy(() -> failed.stream().count()).isInstanceOf(ChannelClosedException.class);
    }

    // ---------------------------------------------------------------- queries

    @Test
    void toStringShowsCapacitySizeAndState() throws Exception {
        Channel<Integer> ch = channel(3);
        ch.send(1);
        assertThat(ch.toString()).contains("capacity=3").contains("size=1").contains("open");
        ch.close(new IllegalStateException("why"));
        assertThat(ch.toString()).contains("closed").contains("why");
        ch.recv();
        assertThat(ch.toString()).contains("drained");
        assertThat(channel(Channel.UNLIMITED).toString()).contains("capacity=unlimited");
        assertThat(channel(2, Overflow.DROP_OLDEST).toString()).contains("DROP_OLDEST");
    }

    @Test
    void manyProducersAndConsumersKeepEveryValue() throws Exception {
        for (int cap : new int[] {0, 1, 16, Channel.UNLIMITED}) {
            Channel<Integer> ch = channel(cap);
            List<Integer> got = new CopyOnWriteArrayList<>();
            scope(s -> {
                for (int p = 0; p < 4; p++) {
                    int base = p * 1000;
                    spawn(() -> {
                        for (int i = 0; i < 1000; i++) {
                            ch.send(base + i);
                        }
                    });
                }
                List<Task<Void>> consumers = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    consumers.add(spawn(() -> {
                        for (int v : ch) {
                            got.add(v);
                        }
                    }));
                }
                while (got.size() < 4000) {
                    Thread.sleep(1);
                }
                ch.close();
                return null;
            });
            assertThat(got.stream().sorted().collect(Collectors.toList()))
                    .isEqualTo(IntStream.range(0, 4000).boxed().collect(Collectors.toList()));
        }
    }

    // ---------------------------------------------------------------- helpers

    static int[] waiting(Channel<?> ch) {
        return ((dev.molt.internal.channel.ChannelImpl<?>) ch).waiting();
    }

    /** Waits until exactly these many senders and receivers wait on {@code ch}. */
    static void awaitWaiting(Channel<?> ch, int senders, int receivers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            int[] w = waiting(ch);
            if (w[0] == senders && w[1] == receivers) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waiting senders/receivers " + w[0] + "/" + w[1]);
            }
            Thread.sleep(1);
        }
    }
}
