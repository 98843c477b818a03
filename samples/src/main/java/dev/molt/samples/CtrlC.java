package dev.molt.samples;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns the first Ctrl-C (SIGINT) into a call of your own; a second Ctrl-C ends the JVM at once, as usual.
 *
 * <p>Why {@code sun.misc.Signal} and not a shutdown hook: a hook runs when the JVM has already begun to exit,
 * alongside a main thread that may still be printing or throwing, and it can neither choose the exit code nor
 * wait for main to finish ({@code System.exit} inside a hook blocks forever). A signal handler just turns Ctrl-C
 * into an event: the action cancels, and returns; main sees the cancellation at a cancellation point, waits for
 * its tasks as after any other cancellation, prints its summary and calls {@code System.exit(130)} itself. One
 * exit path, a fixed exit code, no stack trace. {@code sun.misc.Signal} is in the {@code jdk.unsupported} module,
 * which every JDK since 9 ships and resolves by default for class-path applications (javac warns that it is
 * internal API; that warning cannot be turned off, and is expected).
 */
final class CtrlC {
    private static final Logger log = LoggerFactory.getLogger(CtrlC.class);

    private CtrlC() {
    }

    /** Runs {@code action} in a new thread on the first Ctrl-C. */
    static void onFirst(Runnable action) {
        Signal sigint = new Signal("INT");
        SignalHandler[] jvmHandler = new SignalHandler[1];
        jvmHandler[0] = Signal.handle(sigint, signal -> {
            Signal.handle(signal, jvmHandler[0]); // from now on, Ctrl-C is the JVM's again: it exits with 130
            System.out.println();
            log.info("Ctrl-C: cancelling every task (press it again to quit at once)");
            action.run();
        });
        if (jvmHandler[0] == SignalHandler.SIG_IGN) {
            // The JVM was started with SIGINT ignored (a background job of a non-interactive shell, nohup):
            // it leaves it so, and Ctrl-C cannot reach us.
            log.warn("SIGINT is ignored in this process: Ctrl-C will not stop it");
        }
    }
}
