package dev.molt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test (service loader + autodetection): after each test, the default runtime's
 * live-task count must be back to zero. A task may still be finishing its bookkeeping when a test's last
 * assertion passes, so the check waits a little before it fails.
 */
public final class NoLeakedTasksExtension implements AfterEachCallback {
    private static final long GRACE_MILLIS = 5_000;

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        MoltRuntime rt = MoltRuntime.defaultRuntime();
        long deadline = System.currentTimeMillis() + GRACE_MILLIS;
        while (rt.liveTasks() != 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertThat(rt.liveTasks())
                .as("live tasks of the default runtime after %s:%n%s", context.getDisplayName(), rt.dump())
                .isZero();
    }
}
