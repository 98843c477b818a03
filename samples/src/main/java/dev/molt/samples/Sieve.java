package dev.molt.samples;

import static dev.molt.Molt.*;

import dev.molt.Channel;
import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;

/**
 * Go's concurrent prime sieve: a chain of filter tasks, one per prime found so far.
 *
 * <pre>
 *   generate 2,3,4,... --> filter(2) --> filter(3) --> filter(5) --> ... --> main
 * </pre>
 *
 * <p>Whatever comes out of the end of the chain is prime (no smaller prime divides it), so main prints it and
 * adds a filter for it to the end of the chain. The generator and the filters never stop by themselves; when
 * main has its primes it cancels the scope, and every task stops at the send or receive it is blocked in.
 * Thousands of tasks, each a virtual thread, cost little: try {@code sieve 5000}.
 *
 * <p>Run it: {@code samples/run sieve [COUNT]} (default 100)
 */
public final class Sieve {

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        long start = System.nanoTime();

        int tasks = scope(s -> {
            Channel<Integer> source = channel();
            s.spawn("generate", () -> generate(source));
            int spawned = 1;

            ReceiveChannel<Integer> chain = source;
            for (int i = 1; i <= count; i++) {
                int prime = chain.recv();
                System.out.printf("%6d%s", prime, i % 10 == 0 || i == count ? "\n" : "");
                if (i < count) { // the last prime needs no filter
                    Channel<Integer> next = channel();
                    ReceiveChannel<Integer> in = chain;
                    s.spawn("filter-" + prime, () -> filter(prime, in, next));
                    spawned++;
                    chain = next;
                }
            }
            s.cancel(); // stops the generator and every filter; scope waits for them to end
            return spawned;
        });

        System.out.printf("%d primes, %d tasks (1 generator, %d filters), %d ms%n",
                count, tasks, tasks - 1, (System.nanoTime() - start) / 1_000_000);
    }

    static void generate(SendChannel<Integer> out) throws InterruptedException {
        for (int i = 2; ; i++) {
            out.send(i);
        }
    }

    /** Passes on what {@code prime} does not divide. */
    static void filter(int prime, ReceiveChannel<Integer> in, SendChannel<Integer> out)
            throws InterruptedException {
        while (true) {
            int n = in.recv();
            if (n % prime != 0) {
                out.send(n);
            }
        }
    }
}
