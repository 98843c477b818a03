package dev.molt.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.Molt;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A select releases its channels one at a time. Waking anyone while it still holds a channel's lock would run an
 * async bridge's dependent stages (the caller's code) under that lock; the move a receive asks of a buffered
 * channel's busy send lock ({@code BufferedChannel.afterUnlock}) is such a wake-up, so a select does it only once it
 * holds no lock.
 */
@Timeout(60)
class SelectReleaseTest {
    private static final int ATTEMPTS = 16;

    @Test
    void aMoveRequestedDuringASelectWakesNobodyUntilTheSelectHoldsNoLock() throws Exception {
        AtomicInteger inSelectThread = new AtomicInteger();
        AtomicInteger underALock = new AtomicInteger();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Channel<Integer> a = Molt.channel(0); // made first: locked first, released last
            Channel<Integer> b = Molt.channel(1);
            ReentrantLock aLock = ((ChannelImpl<?>) a).lock;
            ReentrantLock bSendLock = ((ChannelImpl<?>) b).lock;
            b.send(0);
            CompletableFuture<Void> queuedSend = b.sendAsync(1); // waits: the ring is full
            Thread[] selector = new Thread[1];
            queuedSend.thenRun(() -> {
                if (Thread.currentThread() == selector[0]) {
                    inSelectThread.incrementAndGet();
                }
                if (aLock.isHeldByCurrentThread() || bSendLock.isHeldByCurrentThread()) {
                    underALock.incrementAndGet();
                }
            });

            bSendLock.lock(); // stands for a sender inside its locked section
            boolean held = true;
            try {
                selector[0] = Thread.ofPlatform().start(() -> {
                    try {
                        Molt.select(a.onRecv(v -> "a"), b.onSend(2, () -> "b"));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                while (!(aLock.isLocked() && bSendLock.hasQueuedThread(selector[0]))) {
                    Thread.onSpinWait(); // the select holds a's lock and waits for b's send lock
                }
                Thread sender = Thread.ofPlatform().start(() -> {
                    try {
                        a.send(42); // lock-free, into a's slot: makes a's clause ready
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                while (((ChannelImpl<?>) a).slotWaiter() == null) {
                    Thread.onSpinWait();
                }
                // Takes b's value and, the send lock being busy, asks its holder to move the queued sender in. (In
                // another thread: this one's tryLock of the send lock it holds would succeed.)
                CompletableFuture<Integer> taken =
                        CompletableFuture.supplyAsync(b::tryRecv, Thread::startVirtualThread);
                assertThat(taken).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(0);
                // Released plainly, as a holder whose own try to move lost the lock to the queued select: the
                // select is now the holder that must do the move.
                bSendLock.unlock();
                held = false;
                sender.join(10_000);
                assertThat(sender.isAlive()).isFalse();
            } finally {
                if (held) {
                    bSendLock.unlock();
                }
            }
            selector[0].join(10_000);
            assertThat(selector[0].isAlive()).isFalse();
            assertThat(queuedSend).succeedsWithin(Duration.ofSeconds(5));
            assertThat(b.recv()).isEqualTo(1);
        }
        assertThat(underALock).hasValue(0);
        // The select woke the queued sender in its own thread: either it scanned b's clause first (its locked
        // primitives moved the sender in) or a's first, and then the move was left to its release. It scans in a
        // random order, so in 16 attempts both happen but with a chance of 2^-15.
        assertThat(inSelectThread).hasValue(ATTEMPTS);
    }
}
