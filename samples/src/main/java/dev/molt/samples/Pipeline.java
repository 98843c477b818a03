package dev.molt.samples;

import static dev.molt.Molt.*;

import dev.molt.Channel;
import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;
import java.util.function.LongPredicate;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipeline: stages connected by channels, each stage a task.
 *
 * <pre>
 *   generate 1..n  --numbers-->  square  --squares-->  evens  --evens-->  sink (sums them)
 * </pre>
 *
 * <p>Every stage has the same shape: receive until its input is closed and drained, then close its output. So
 * closing the source is the whole shutdown protocol: the close travels down the pipe, each stage finishing the
 * values already in flight before it ends, in order. A stage sees only the direction it needs: it takes a
 * {@link ReceiveChannel} and a {@link SendChannel}, like Go's {@code <-chan} and {@code chan<-}.
 *
 * <p>Run it: {@code samples/run pipeline [N]} (default 10): prints the sum of the even squares of 1..N.
 */
public final class Pipeline {
    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;

        Channel<Long> numbers = channel();   // rendezvous: each value is handed from task to task
        Channel<Long> squares = channel(16); // buffered: the stages may drift apart by up to 16 values
        Channel<Long> evens = channel(16);

        long sum = scope(s -> {
            s.spawn("generate", () -> generate(n, numbers));
            s.spawn("square", () -> map(numbers, squares, x -> x * x));
            s.spawn("evens", () -> filter(squares, evens, x -> x % 2 == 0));
            return sink(evens); // the last stage runs in the scope's own body
        });

        System.out.printf("sum of the even squares of 1..%d = %d%n", n, sum);
    }

    static void generate(int n, SendChannel<Long> out) throws InterruptedException {
        try {
            for (long i = 1; i <= n; i++) {
                out.send(i);
            }
            log.info("sent {} numbers; closing my output", n);
        } finally {
            out.close(); // like Go's `defer close(out)`: downstream ends even if this stage fails
        }
    }

    static void map(ReceiveChannel<Long> in, SendChannel<Long> out, LongUnaryOperator f)
            throws InterruptedException {
        try {
            int count = 0;
            for (long x : in) { // ends when `in` is closed and every value in it has been received
                out.send(f.applyAsLong(x));
                count++;
            }
            log.info("input closed after {} values; closing my output", count);
        } finally {
            out.close();
        }
    }

    static void filter(ReceiveChannel<Long> in, SendChannel<Long> out, LongPredicate keep)
            throws InterruptedException {
        try {
            int seen = 0;
            int kept = 0;
            for (long x : in) {
                seen++;
                if (keep.test(x)) {
                    out.send(x);
                    kept++;
                }
            }
            log.info("input closed after {} values, {} kept; closing my output", seen, kept);
        } finally {
            out.close();
        }
    }

    static long sink(ReceiveChannel<Long> in) {
        long sum = 0;
        int count = 0;
        for (long x : in) {
            sum += x;
            if (++count <= 5) {
                log.info("received {}", x);
            }
        }
        log.info("input closed after {} values; done", count);
        return sum;
    }
}
