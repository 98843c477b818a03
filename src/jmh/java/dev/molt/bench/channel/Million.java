package dev.molt.bench.channel;

import static dev.molt.Molt.*;

import dev.molt.Channel;
import dev.molt.internal.channel.ChannelImpl;
import java.util.Locale;

/**
 * {@code bench/million}: N tasks (default 1,000,000) each park in {@code recv} on one rendezvous channel; once
 * all of them wait, {@code close} releases them, and their scope awaits them all. Prints the time of each phase
 * and the total, per round. The same shape as the Go program in docs/channels.md.
 */
public final class Million {
    private Million() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        if (args.length > 2 && args[2].equals("baseline")) {
            baseline(n, rounds);
            return;
        }
        for (int r = 1; r <= rounds; r++) {
            Channel<Integer> ch = channel();
            long t0 = System.nanoTime();
            long[] marks = new long[2];
            scope(s -> {
                for (int i = 0; i < n; i++) {
                    spawn(() -> {
                        for (int v : ch) {
                            throw new AssertionError("nothing is ever sent: " + v);
                        }
                    });
                }
                while (((ChannelImpl<Integer>) ch).waiting()[1] < n) {
                    Thread.sleep(1);
                }
                marks[0] = System.nanoTime();
                ch.close();
                marks[1] = System.nanoTime();
                return null;
            });
            long t3 = System.nanoTime();
            System.out.printf(Locale.ROOT,
                    "round %d: %,d tasks: spawn+park %.2f s, close %.2f s, wake+await %.2f s, total %.2f s%n", r, n,
                    (marks[0] - t0) / 1e9, (marks[1] - marks[0]) / 1e9, (t3 - marks[1]) / 1e9, (t3 - t0) / 1e9);
        }
    }

    /** The same number of tasks that return at once: what spawning and awaiting alone costs. */
    private static void baseline(int n, int rounds) throws InterruptedException {
        for (int r = 1; r <= rounds; r++) {
            long t0 = System.nanoTime();
            scope(s -> {
                for (int i = 0; i < n; i++) {
                    spawn(() -> {
                    });
                }
                return null;
            });
            System.out.printf(Locale.ROOT, "baseline round %d: %,d empty tasks spawned and awaited: %.2f s%n", r, n,
                    (System.nanoTime() - t0) / 1e9);
        }
    }
}
