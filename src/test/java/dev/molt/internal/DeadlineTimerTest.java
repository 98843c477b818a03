package dev.molt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelToken;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Timed child tokens that end early release their timer entry and their parent (CancelToken's Javadoc). */
@Timeout(60)
class DeadlineTimerTest {
    private static final int CHILDREN = 10_000;

    @Test
    void timedChildrenCancelledEarlyLeaveTheTimerAndTheirParent() {
        Token parent = Token.create();
        int before = DeadlineTimer.scheduled();
        for (int i = 0; i < CHILDREN; i++) {
            CancelToken child = i % 2 == 0
                    ? parent.childWithTimeout(Duration.ofHours(1))
                    : parent.childWithDeadline(Instant.now().plusSeconds(3_600));
            assertThat(DeadlineTimer.scheduled()).isGreaterThan(before);
            child.cancel();
        }
        // Other tests' deadlines may be scheduled or fire meanwhile; ours would be thousands.
        assertThat(DeadlineTimer.scheduled()).isLessThan(before + 100);
        assertThat(parent.listenerCount()).isZero();
    }

    @Test
    void timedChildrenEndedByTheirParentLeaveTheTimerToo() {
        Token parent = Token.create();
        int before = DeadlineTimer.scheduled();
        for (int i = 0; i < CHILDREN; i++) {
            parent.childWithTimeout(Duration.ofHours(1));
        }
        assertThat(DeadlineTimer.scheduled()).isGreaterThanOrEqualTo(before + CHILDREN - 100);
        parent.cancel();
        assertThat(DeadlineTimer.scheduled()).isLessThan(before + 100);
    }
}
