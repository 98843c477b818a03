package dev.molt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exact conservation for a token's child set ({@link ChildTokens} and the single-child field before it): threads
 * register task-like children (kept even after a cancel) and plain children, and unregister some, while the parent
 * may be cancelled in the middle. Afterwards the parent lists exactly the kept children that were registered and
 * not unregistered, lists no child that was unregistered, lists nothing twice, and every child still registered is
 * cancelled once the parent is.
 */
@Timeout(120)
class ChildTokensStressTest {
    private static final int THREADS = 4;
    private static final int PER_THREAD = 400;
    private static final AtomicLong IDS = new AtomicLong();

    @Test
    void theChildSetConservesItsMembersUnderRacingRegistrationRemovalAndCancel() throws Exception {
        for (int round = 0; round < 300; round++) {
            boolean cancelMidway = round % 3 != 0;
            runRound(cancelMidway, round % 5 == 0 ? 2 : PER_THREAD);
        }
    }

    private static void runRound(boolean cancelMidway, int perThread) throws Exception {
        Token parent = Token.create();
        List<List<Token>> kept = new ArrayList<>();
        List<List<Token>> plain = new ArrayList<>();
        List<List<Token>> removed = new ArrayList<>();
        Set<Token> plainAfterCancel = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean cancelReturned = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            List<Token> myKept = new ArrayList<>();
            List<Token> myPlain = new ArrayList<>();
            List<Token> myRemoved = new ArrayList<>();
            kept.add(myKept);
            plain.add(myPlain);
            removed.add(myRemoved);
            boolean canceller = t == 0 && cancelMidway;
            threads.add(Thread.ofVirtual().start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                await(start);
                for (int i = 0; i < perThread; i++) {
                    if (canceller && i == perThread / 2) {
                        parent.cancel();
                        cancelReturned.set(true);
                    }
                    Token child;
                    if (rnd.nextBoolean()) {
                        TaskToken tt = parent.unattachedTaskChild();
                        tt.setId(IDS.incrementAndGet());
                        tt.attach();
                        myKept.add(tt);
                        child = tt;
                    } else {
                        // Only once cancel() has returned is the set surely closed (a child registered while the
                        // canceller is still collecting is collected and stays listed, as before a cancel).
                        boolean after = cancelReturned.get();
                        child = parent.child();
                        myPlain.add(child);
                        if (after) {
                            plainAfterCancel.add(child);
                        }
                    }
                    if (rnd.nextInt(3) == 0) { // leave at once, or leave one made earlier
                        List<Token> mine = rnd.nextBoolean() ? myKept : myPlain;
                        Token leaving = rnd.nextBoolean() || mine.isEmpty() ? child : mine.get(rnd.nextInt(mine.size()));
                        if (!myRemoved.contains(leaving)) {
                            leaving.detach();
                            myRemoved.add(leaving);
                        }
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }

        Set<Token> removedAll = new HashSet<>();
        removed.forEach(removedAll::addAll);
        List<Object> listed = new ArrayList<>();
        parent.forEachListener(listed::add);
        Set<Object> listedSet = new HashSet<>(listed);
        assertThat(listedSet).as("nothing listed twice").hasSameSizeAs(listed);
        assertThat(parent.listenerCount()).isEqualTo(listed.size());

        Set<Token> expectedKept = new HashSet<>();
        kept.forEach(expectedKept::addAll);
        expectedKept.removeAll(removedAll);
        for (Token k : expectedKept) {
            assertThat(listedSet).as("a kept child that did not leave is listed").contains(k);
        }
        Set<Token> allPlain = new HashSet<>();
        plain.forEach(allPlain::addAll);
        for (Object l : listed) {
            assertThat(removedAll).as("a child that left is not listed").doesNotContain((Token) l);
            assertThat(plainAfterCancel).as("a plain child made under a cancelled parent is not kept")
                    .doesNotContain((Token) l);
            assertThat(expectedKept.contains(l) || allPlain.contains(l)).as("only registered children are listed").isTrue();
        }
        if (!cancelMidway) {
            Set<Token> expectedPlain = new HashSet<>(allPlain);
            expectedPlain.removeAll(removedAll);
            assertThat(listed).as("with no cancel, exactly the children that did not leave")
                    .hasSize(expectedKept.size() + expectedPlain.size());
            parent.cancel();
        }
        for (List<List<Token>> kind : List.of(kept, plain)) {
            for (List<Token> list : kind) {
                for (Token child : list) {
                    if (!removedAll.contains(child)) { // one that left before the cancel is not reached: by design
                        assertThat(child.cancelled()).as("every child of a cancelled parent is cancelled").isTrue();
                    }
                }
            }
        }
        for (Object l : listed) {
            ((Token) l).detach();
        }
        assertThat(parent.listenerCount()).as("everything left").isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
