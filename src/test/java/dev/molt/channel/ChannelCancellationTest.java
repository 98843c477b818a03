package dev.molt.channel;

import static dev.molt.Molt.*;
import static dev.molt.channel.ChannelTest.awaitWaiting;
import static dev.molt.channel.ChannelTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Channel;
import dev.molt.Task;
import dev.molt.internal.Token;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cancellation, interrupts and timeouts of blocking channel operations, and their races with hand-overs. */
@Timeout(60)
class ChannelCancellationTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void cancelledSendDidNotDeliver(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        if (capacity > 0) {
            ch.send(0);
        }
        Task<Void> s = spawn(() -> ch.send(1));
        awaitWaiting(ch, 1, 0);
        long t0 = System.nanoTime();
        s.cancel();
        assertThatThrownBy(s::join).isInstanceOf(CancelledException.class);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(2));
        assertThat(s.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(waiting(ch)).containsExactly(0, 0);
        if (capacity > 0) {
            assertThat(ch.recv()).isZero();
        }
        assertThat(ch.tryRecv()).isNull();
    }

    @Test
    void cancelledRecvConsumedNothing() throws Exception {
        Channel<Integer> ch = channel();
        Task<Integer> r = spawn(() -> ch.recv());
        awaitWaiting(ch, 0, 1);
        r.cancel();
        assertThatThrownBy(r::join).isInstanceOf(CancelledException.class);
        assertThat(waiting(ch)).containsExactly(0, 0);
        assertThat(ch.trySend(1)).isFalse();
    }

    @Test
    void plainTokenCancelWakesWithoutInterrupt() throws Exception {
        Channel<Integer> ch = channel();
        CancelToken token = CancelToken.create();
        Task<Object> r = spawn(() -> withToken(token, () -> ch.recv()));
        awaitWaiting(ch, 0, 1);
        token.cancel();
        // the task's own token was not cancelled, so the task failed with the CancelledException
        assertThatThrownBy(r::join).cause().isInstanceOf(CancelledException.class);
        assertThat(waiting(ch)).containsExactly(0, 0);
    }

    @Test
    void cancelledTokenThrowsEvenIfTheOperationCouldProceed() throws Exception {
        Channel<Integer> ch = channel(1);
        CancelToken token = CancelToken.create();
        token.cancel();
        assertThatThrownBy(() -> withToken(token, () -> {
            ch.send(1);
            return null;
        })).isInstanceOf(CancelledException.class);
        assertThat(ch.size()).isZero();
        ch.send(1);
        assertThatThrownBy(() -> withToken(token, ch::recv)).isInstanceOf(CancelledException.class);
        assertThat(ch.size()).isOne();
        // non-blocking operations are not cancellation points
        assertThat(withToken(token, ch::tryRecv)).isEqualTo(1);
        assertThat(withToken(token, () -> ch.trySend(2))).isTrue();
    }

    @Test
    void neverTokenShieldsChannelOperations() throws Exception {
        Channel<Integer> ch = channel();
        CancelToken token = CancelToken.create();
        Task<Integer> r = spawn(() -> withToken(token, () -> withToken(CancelToken.never(), ch::recv)));
        awaitWaiting(ch, 0, 1);
        token.cancel();
        Thread.sleep(20);
        assertThat(r.isDone()).isFalse();
        ch.send(3);
        assertThat(r.join()).isEqualTo(3);
    }

    @Test
    void interruptWakesAndTakesNoEffect() throws Exception {
        Channel<Integer> ch = channel();
        Thread[] t = new Thread[1];
        Throwable[] thrown = new Throwable[1];
        t[0] = Thread.ofVirtual().start(() -> {
            try {
                ch.send(1);
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        awaitWaiting(ch, 1, 0);
        t[0].interrupt();
        t[0].join();
        assertThat(thrown[0]).isInstanceOf(InterruptedException.class);
        assertThat(waiting(ch)).containsExactly(0, 0);
        Thread.currentThread().interrupt();
        assertThatThrownBy(ch::recv).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void timedOutReceiversLeaveNoGarbage() throws Exception {
        Channel<Integer> ch = channel();
        Token root = (Token) currentToken();
        int listenersBefore = root.listenerCount();
        for (int i = 0; i < 1_000_000; i++) {
            assertThat(ch.recv(Duration.ofNanos(1))).isNull();
        }
        assertThat(waiting(ch)).containsExactly(0, 0);
        assertThat(root.listenerCount()).isEqualTo(listenersBefore);
        // and the channel still works
        Task<Integer> r = spawn(() -> ch.recv());
        ch.send(1);
        assertThat(r.join()).isEqualTo(1);
    }

    @Test
    void timedOutSelectsLeaveNoGarbage() throws Exception {
        Channel<Integer> a = channel();
        Channel<Integer> b = channel(1);
        b.send(0);
        for (int i = 0; i < 10_000; i++) {
            int v = select(a.onRecv(x -> 1), b.onSend(1, () -> 2), onTimeout(Duration.ofNanos(1), () -> 3));
            assertThat(v).isEqualTo(3);
        }
        assertThat(waiting(a)).containsExactly(0, 0);
        assertThat(waiting(b)).containsExactly(0, 0);
    }

    /**
     * A cancel racing with a hand-over: either the value was delivered and the sender returned normally, or the
     * sender threw and the value was not delivered; never both, never neither.
     */
    @Test
    void cancelRacingHandOverDecidesExactlyOnce() throws Exception {
        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        for (int round = 0; round < 2_000; round++) {
            Channel<Integer> ch = channel();
            CancelToken token = CancelToken.create();
            Task<Boolean> sender = spawn(() -> {
                try {
                    withToken(token, () -> {
                        ch.send(1);
                        return null;
                    });
                    return true;
                } catch (CancelledException e) {
                    return false;
                }
            });
            Task<Integer> receiver = spawn(() -> ch.recv(Duration.ofSeconds(10)));
            if (round % 2 == 0) {
                Thread.onSpinWait();
            }
            token.cancel();
            boolean sent = sender.join();
            if (sent) {
                assertThat(receiver.join()).isEqualTo(1);
            } else {
                receiver.cancel(); // nothing was delivered, so it can only end cancelled or empty-handed
                Integer got;
                try {
                    got = receiver.join();
                } catch (CancelledException e) {
                    got = null;
                }
                assertThat(got).as("round %d", round).isNull();
            }
            (sent ? delivered : refused).incrementAndGet();
            assertThat(waiting(ch)).containsExactly(0, 0);
        }
        assertThat(delivered.get() + refused.get()).isEqualTo(2_000);
    }

    @Test
    void timeoutRacingHandOverDecidesExactlyOnce() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            Channel<Integer> ch = channel();
            long sendNanos = round % 50 * 1000;
            Task<Boolean> sender = spawn(() -> ch.send(1, Duration.ofNanos(sendNanos)));
            Integer got = ch.recv(Duration.ofNanos(round % 37 * 1000));
            boolean sent = sender.join();
            assertThat(got != null).as("round %d", round).isEqualTo(sent);
        }
    }

    @Test
    void closeRacingCancelAndSend() throws Exception {
        for (int round = 0; round < 1_000; round++) {
            Channel<Integer> ch = channel(round % 3);
            CancelToken token = CancelToken.create();
            AtomicInteger accepted = new AtomicInteger();
            boolean cancelFirst = round % 2 == 0;
            scope(s -> {
                for (int i = 0; i < 4; i++) {
                    spawn(() -> {
                        try {
                            withToken(token, () -> {
                                ch.send(1);
                                return null;
                            });
                            accepted.incrementAndGet();
                        } catch (CancelledException | dev.molt.ChannelClosedException e) {
                            // not delivered
                        }
                    });
                }
                Thread.onSpinWait();
                if (cancelFirst) {
                    token.cancel();
                    ch.close();
                } else {
                    ch.close();
                    token.cancel();
                }
                return null;
            });
            int received = 0;
            for (int v : ch) {
                received++;
            }
            assertThat(received).isEqualTo(accepted.get());
        }
    }

    @Test
    void cancelWithinMilliseconds() throws Exception {
        Channel<Integer> ch = channel();
        for (int i = 0; i < 20; i++) {
            Task<Integer> r = spawn(() -> ch.recv());
            awaitWaiting(ch, 0, 1);
            long t0 = System.nanoTime();
            r.cancel();
            assertThatThrownBy(r::join).isInstanceOf(CancelledException.class);
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
        }
    }
}
