package dev.molt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.internal.Token;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CancelTokenTest {

    @Test
    void aParentCancelsEveryDescendant() {
        CancelToken root = CancelToken.create();
        CancelToken child = root.child();
        CancelToken grandchild = child.child();
        CancelToken sibling = root.child();
        root.cancel();
        assertThat(List.of(root, child, grandchild, sibling)).allMatch(CancelToken::cancelled);
    }

    @Test
    void aChildNeverCancelsItsParent() {
        CancelToken root = CancelToken.create();
        CancelToken child = root.child();
        CancelToken grandchild = child.child();
        child.cancel();
        assertThat(child.cancelled()).isTrue();
        assertThat(grandchild.cancelled()).isTrue();
        assertThat(root.cancelled()).isFalse();
        assertThat(root.child().cancelled()).isFalse();
    }

    @Test
    void theFirstReasonWinsAndDescendantsReportTheAncestorsReason() {
        CancelToken root = CancelToken.create();
        CancelToken child = root.child();
        IllegalStateException first = new IllegalStateException("first");
        root.cancel(first);
        root.cancel(new IllegalStateException("second"));
        root.cancel();
        assertThat(root.reason()).isSameAs(first);
        assertThat(child.reason()).isSameAs(first);
        assertThat(root.child().reason()).as("a child made after the cancel").isSameAs(first);
    }

    @Test
    void aPlainCancelHasACancelledExceptionAsItsReason() {
        CancelToken t = CancelToken.create();
        assertThat(t.reason()).isNull();
        assertThat(t.cancelled()).isFalse();
        assertThat(t.isCancelled()).isFalse();
        t.cancel();
        assertThat(t.reason()).isInstanceOf(CancelledException.class);
        assertThat(t.isCancelled()).isTrue();
    }

    @Test
    void throwIfCancelledCarriesAnUnusualReasonAsCause() {
        CancelToken t = CancelToken.create();
        t.throwIfCancelled(); // not cancelled: nothing happens
        IllegalStateException why = new IllegalStateException("why");
        t.cancel(why);
        assertThatThrownBy(t::throwIfCancelled).isInstanceOf(CancelledException.class).hasCause(why);
        CancelToken plain = CancelToken.create();
        plain.cancel();
        assertThatThrownBy(plain::throwIfCancelled).isInstanceOf(CancelledException.class).hasNoCause();
    }

    @Test
    void onCancelRunsExactlyOnceInTheCancellingThread() {
        CancelToken t = CancelToken.create();
        AtomicInteger runs = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        t.onCancel(() -> {
            runs.incrementAndGet();
            threads.add(Thread.currentThread());
        });
        t.cancel();
        t.cancel();
        t.cancel(new RuntimeException());
        assertThat(runs).hasValue(1);
        assertThat(threads).containsExactly(Thread.currentThread());
    }

    @Test
    void onCancelOnACancelledTokenRunsBeforeItReturns() {
        CancelToken t = CancelToken.create();
        t.cancel();
        AtomicInteger runs = new AtomicInteger();
        t.onCancel(runs::incrementAndGet);
        assertThat(runs).hasValue(1);
    }

    @Test
    void closingTheHandleDeregistersTheCallback() throws Exception {
        CancelToken t = CancelToken.create();
        AtomicInteger runs = new AtomicInteger();
        AutoCloseable handle = t.onCancel(runs::incrementAndGet);
        assertThat(((Token) t).listenerCount()).isEqualTo(1);
        handle.close();
        handle.close();
        assertThat(((Token) t).listenerCount()).isZero();
        t.cancel();
        assertThat(runs).hasValue(0);
    }

    @Test
    void aThrowingCallbackDoesNotStopTheOthers() {
        CancelToken t = CancelToken.create();
        AtomicInteger runs = new AtomicInteger();
        t.onCancel(() -> {
            throw new IllegalStateException("callback failure (expected in this test)");
        });
        t.onCancel(runs::incrementAndGet);
        CancelToken child = t.child();
        t.cancel();
        assertThat(runs).hasValue(1);
        assertThat(child.cancelled()).isTrue();
    }

    @Test
    void callbacksOfDescendantsRunWhenAnAncestorIsCancelled() {
        CancelToken root = CancelToken.create();
        AtomicInteger runs = new AtomicInteger();
        root.child().child().onCancel(runs::incrementAndGet);
        root.child().onCancel(runs::incrementAndGet);
        root.cancel();
        assertThat(runs).hasValue(2);
    }

    @Test
    void aRacingRegistrationHearsOfTheCancellationExactlyOnce() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            CancelToken t = CancelToken.create();
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            Thread canceller = Thread.ofVirtual().start(() -> {
                awaitQuietly(go);
                t.cancel();
            });
            Thread registrar = Thread.ofVirtual().start(() -> {
                awaitQuietly(go);
                for (int i = 0; i < 4; i++) {
                    t.onCancel(runs::incrementAndGet);
                }
            });
            go.countDown();
            canceller.join();
            registrar.join();
            assertThat(runs).hasValue(4);
        }
    }

    @Test
    void childWithTimeoutCancelsItselfWithATimeoutReason() throws Exception {
        CancelToken parent = CancelToken.create();
        CancelToken child = parent.childWithTimeout(Duration.ofMillis(20));
        CountDownLatch fired = new CountDownLatch(1);
        child.onCancel(fired::countDown);
        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(child.reason()).isInstanceOf(TimeoutException.class);
        assertThat(parent.cancelled()).isFalse();
    }

    @Test
    void childWithDeadlineInThePastIsCancelledAtOnce() {
        CancelToken child = CancelToken.create().childWithDeadline(Instant.now().minusSeconds(1));
        assertThat(child.cancelled()).isTrue();
        assertThat(child.reason()).isInstanceOf(TimeoutException.class);
        CancelToken later = CancelToken.create().childWithDeadline(Instant.now().plusSeconds(3600));
        assertThat(later.cancelled()).isFalse();
    }

    @Test
    void aTimedChildCancelledEarlyKeepsItsOwnReason() {
        CancelToken parent = CancelToken.create();
        CancelToken child = parent.childWithTimeout(Duration.ofHours(1));
        parent.cancel();
        assertThat(child.reason()).isInstanceOf(CancelledException.class);
    }

    @Test
    void neverIsNeverCancelled() {
        CancelToken never = CancelToken.never();
        never.cancel();
        never.cancel(new RuntimeException());
        assertThat(never.cancelled()).isFalse();
        assertThat(never.reason()).isNull();
        CancelToken child = never.child();
        assertThat(child.cancelled()).isFalse();
        child.cancel();
        assertThat(child.cancelled()).isTrue();
        assertThat(never.cancelled()).isFalse();
        assertThat(((Token) never).listenerCount()).as("children of never() are not kept").isZero();
    }

    @Test
    void aVeryDeepTreeCancelsWithoutOverflowingTheStack() {
        CancelToken root = CancelToken.create();
        CancelToken leaf = root;
        for (int i = 0; i < 200_000; i++) {
            leaf = leaf.child();
        }
        root.cancel();
        assertThat(leaf.cancelled()).isTrue();
    }

    @Test
    void cancelledChildrenLeaveTheirParent() {
        CancelToken root = CancelToken.create();
        for (int i = 0; i < 1_000; i++) {
            root.child().cancel();
        }
        assertThat(((Token) root).listenerCount()).isZero();
    }

    @Test
    void aChildStaysRegisteredWithItsParentUntilItIsCancelled() {
        CancelToken root = CancelToken.create();
        CancelToken first = root.child();
        CancelToken timed = root.childWithTimeout(Duration.ofHours(1));
        root.child();
        assertThat(((Token) root).listenerCount()).isEqualTo(3);
        first.cancel();
        timed.cancel();
        assertThat(((Token) root).listenerCount()).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        CancelToken t = CancelToken.create();
        assertThatThrownBy(() -> t.cancel(null)).isInstanceOf(NullPointerException.class).hasMessage("reason");
        assertThatThrownBy(() -> t.onCancel(null)).isInstanceOf(NullPointerException.class).hasMessage("callback");
        assertThatThrownBy(() -> t.childWithTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("timeout");
        assertThatThrownBy(() -> t.childWithTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> t.childWithDeadline(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("deadline");
        assertThat(t.cancelled()).isFalse();
        assertThat(((Token) t).listenerCount()).isZero();
    }

    @Test
    void toStringSaysTheState() {
        CancelToken t = CancelToken.create();
        assertThat(t.toString()).contains("active");
        t.cancel();
        assertThat(t.toString()).contains("cancelled");
        assertThat(CancelToken.never().toString()).contains("never");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
