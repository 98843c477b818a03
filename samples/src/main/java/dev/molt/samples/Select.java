package dev.molt.samples;

import static dev.molt.Molt.*;

import dev.molt.Channel;
import dev.molt.Overflow;
import dev.molt.SendChannel;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code select}: wait on several channels at once and take whichever is ready first, as in Go.
 *
 * <p>Main listens to three channels: a ticker, a data channel fed in two bursts, and a quit channel. Each
 * clause turns what it received into an {@code Event}, and a {@code switch} over the sealed type handles it.
 * {@code onTimeout} fires when nothing arrives for a while; {@code onDefault} makes a select that never waits.
 *
 * <p>Run it: {@code samples/run select}
 */
public final class Select {
    private static final Logger log = LoggerFactory.getLogger(Select.class);

    /** What one round of the select loop saw. */
    sealed interface Event {
    }

    record Tick(long n) implements Event {
    }

    record Data(String value) implements Event {
    }

    record Quit(String why) implements Event {
    }

    record Idle() implements Event {
    }

    public static void main(String[] args) throws Exception {
        // Like Go's time.Ticker: room for one tick, and a slow reader misses ticks instead of holding up the clock.
        Channel<Long> ticks = channel(1, Overflow.DROP_OLDEST);
        Channel<String> data = channel();
        Channel<String> quit = channel();

        scope(s -> {
            // onDefault: look without waiting. Nothing has been sent yet, so this takes the default.
            String now = select(
                    data.onRecv(v -> "got " + v),
                    onDefault(() -> "nothing ready yet, and select with onDefault does not wait"));
            log.info(now);

            s.spawn("ticker", () -> tick(Duration.ofMillis(400), ticks));
            s.spawn("producer", () -> produce(data, quit));

            int values = 0;
            int tickCount = 0;
            int idle = 0;
            boolean running = true;
            while (running) {
                Event event = select(
                        ticks.onRecv(Tick::new),
                        data.onRecv(Data::new),
                        quit.onRecv(Quit::new),
                        onTimeout(Duration.ofMillis(250), Idle::new)); // fires if none is ready for 250 ms
                switch (event) {
                    case Tick t -> {
                        tickCount++;
                        log.info("tick {}", t.n());
                    }
                    case Data d -> {
                        values++;
                        log.info("data: {}", d.value());
                    }
                    case Idle i -> {
                        idle++;
                        log.info("nothing for 250 ms");
                    }
                    case Quit q -> {
                        log.info("quit: {}", q.why());
                        running = false;
                    }
                }
            }
            s.cancel(); // the ticker would tick forever: stop it (the scope waits for it)
            System.out.printf("%d values, %d ticks, %d timeouts, then quit%n", values, tickCount, idle);
            return null;
        });
    }

    static void tick(Duration period, SendChannel<Long> ticks) throws InterruptedException {
        for (long n = 1; ; n++) {
            sleep(period);
            ticks.send(n); // never waits: the channel drops the oldest tick when full
        }
    }

    /** Sends two quick bursts with a pause between them, then asks main to quit. */
    static void produce(SendChannel<String> data, SendChannel<String> quit) throws InterruptedException {
        for (List<String> burst : List.of(List.of("a", "b", "c"), List.of("d", "e", "f"))) {
            for (String v : burst) {
                data.send(v);
                sleep(Duration.ofMillis(50));
            }
            sleep(Duration.ofMillis(1000));
        }
        quit.send("the producer is done");
    }
}
