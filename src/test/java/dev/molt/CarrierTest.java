package dev.molt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The build runs the suite once per carrier and says which one it expects; this checks it got it, and how a task's
 * own context (carried by its thread, not bound) and block bindings nest on either carrier.
 */
@Timeout(30)
class CarrierTest {
    @Test
    void theExpectedCarrierIsInUse() {
        String expected = System.getProperty("dev.molt.expectedCarrier");
        if (expected != null) {
            assertThat(MoltRuntime.carrier()).isEqualTo(expected);
        }
        assertThat(MoltRuntime.carrier()).isIn("scoped-value", "thread-local");
    }

    @Test
    void aTasksOwnTokenIsCurrentAroundTheBlocksItBinds() throws Exception {
        CancelToken outside = Molt.currentToken();
        CancelToken other = CancelToken.create();
        Task<CancelToken[]> task = Molt.spawn(() -> {
            CancelToken own = Molt.currentToken();
            CancelToken inWithToken = Molt.withToken(other, Molt::currentToken);
            CancelToken afterWithToken = Molt.currentToken();
            CancelToken inScope = Molt.scope(s -> Molt.currentToken());
            CancelToken afterScope = Molt.currentToken();
            return new CancelToken[] {own, inWithToken, afterWithToken, inScope, afterScope};
        });
        CancelToken[] seen = task.join();
        assertThat(seen[0]).isSameAs(task.token()).isNotSameAs(outside);
        assertThat(seen[1]).isSameAs(other);
        assertThat(seen[2]).isSameAs(task.token());
        assertThat(seen[3]).isNotSameAs(task.token()); // the scope's own child token
        assertThat(seen[4]).isSameAs(task.token());
        assertThat(Molt.currentToken()).isSameAs(outside);
    }

    @Test
    void aPlainThreadStartedByATaskInheritsNothing() throws Exception {
        CancelToken outside = Molt.currentToken();
        AtomicReference<CancelToken> inPlainThread = new AtomicReference<>();
        Task<Void> task = Molt.spawn(() -> {
            Thread plain = Thread.ofVirtual().start(() -> inPlainThread.set(Molt.currentToken()));
            plain.join();
        });
        task.join();
        assertThat(inPlainThread.get()).isSameAs(outside).isNotSameAs(task.token());
    }

    @Test
    void aCancelledTaskSeesItThroughItsOwnContext() throws Exception {
        Task<Boolean> task = Molt.spawn(() -> {
            try {
                Molt.sleep(Duration.ofMinutes(1));
                return false;
            } catch (CancelledException e) {
                return Molt.cancelled();
            }
        });
        task.cancel();
        assertThat(task.join()).isTrue();
    }
}
