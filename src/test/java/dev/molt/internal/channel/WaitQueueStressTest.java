package dev.molt.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WaitQueue} on its own: lock-free appenders (platform threads, so they really run in parallel and get
 * preempted between their two stores) against one remover under a lock that polls the head, removes nodes from
 * anywhere (often the tail, while appends land behind it) and walks the list checking its links. Exact
 * conservation: every appended node is removed exactly once, by a poll or by a remove, and the queue ends empty.
 */
@Timeout(120)
class WaitQueueStressTest {
    private static final int APPENDERS = 3;
    private static final int PER = 200_000;

    @Test
    void appendsRacingPollsAndRemovalsConserveEveryNode() throws Exception {
        WaitQueue q = new WaitQueue();
        ReentrantLock lock = new ReentrantLock();
        int total = APPENDERS * PER;
        AtomicIntegerArray removed = new AtomicIntegerArray(total);
        ConcurrentLinkedDeque<Node> appended = new ConcurrentLinkedDeque<>();
        Waiter owner = new Waiter(Thread.currentThread());
        // keeps the queue short (appenders are faster than the one remover), so walks stay cheap
        AtomicInteger linked = new AtomicInteger();
        List<Thread> appenders = new ArrayList<>();
        for (int t = 0; t < APPENDERS; t++) {
            int base = t * PER;
            appenders.add(Thread.ofPlatform().start(() -> {
                for (int i = base; i < base + PER; i++) {
                    while (linked.get() > 64) {
                        Thread.onSpinWait();
                    }
                    linked.incrementAndGet();
                    Node n = new Node(owner, null, 0, true, i);
                    q.add(n);
                    appended.add(n);
                }
            }));
        }
        int done = 0;
        long walks = 0;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (done < total) {
            assertThat(System.nanoTime()).as("all nodes removed in time (%d of %d)", done, total).isLessThan(deadline);
            lock.lock();
            try {
                switch (rnd.nextInt(8)) {
                    case 0, 1, 2 -> {
                        Node n = q.poll();
                        if (n != null) {
                            assertThat(n.queue).isNull();
                            assertThat(removed.incrementAndGet((Integer) n.item)).as("node %s", n.item).isEqualTo(1);
                            linked.decrementAndGet();
                            done++;
                        }
                    }
                    case 3 -> {
                        walks++;
                        Node prev = null;
                        for (Node x = q.after(null); x != null; x = q.after(x)) {
                            assertThat(x.queue).isSameAs(q);
                            assertThat(x.prev).isSameAs(prev);
                            prev = x;
                        }
                    }
                    default -> {
                        // the newest appended node (usually the tail, while appenders land behind it) or the oldest
                        Node n = rnd.nextBoolean() ? appended.pollLast() : appended.pollFirst();
                        if (n != null && q.remove(n)) {
                            assertThat(removed.incrementAndGet((Integer) n.item)).as("node %s", n.item).isEqualTo(1);
                            linked.decrementAndGet();
                            done++;
                        }
                    }
                }
            } finally {
                lock.unlock();
            }
        }
        for (Thread t : appenders) {
            t.join();
        }
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.after(null)).isNull();
        for (int i = 0; i < total; i++) {
            assertThat(removed.get(i)).as("node %d", i).isEqualTo(1);
        }
        assertThat(walks).isPositive();
    }
}
