package dev.molt.demo;

import static dev.molt.Molt.channel;

import dev.molt.Channel;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.ReceiveChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.stereotype.Component;

/**
 * A live feed: one Molt task makes a quote every {@link #PERIOD} and fans it out to every subscriber.
 *
 * <p>Each subscriber has its own bounded channel. The fan-out never waits on a subscriber ({@code trySend}): a
 * subscriber that is {@link #BUFFER} quotes behind is closed off with a reason, so one slow client never
 * delays the others.
 */
@Component
public class Feed {
    static final Duration PERIOD = Duration.ofMillis(200);
    static final int BUFFER = 16;

    /** One quote. */
    public record Quote(long seq, String symbol, double price, Instant at) {
    }

    private final Set<Channel<Quote>> subscribers = ConcurrentHashMap.newKeySet();

    Feed(MoltRuntime runtime) throws Exception {
        // A task of the application's runtime, under its root token: it runs until the context closes.
        runtime.run(() -> Molt.spawn("feed", this::produce));
    }

    /**
     * A new subscription, ended when the current token (in a controller: the request's) is cancelled, which
     * happens when the client goes away.
     */
    public ReceiveChannel<Quote> subscribe() {
        Channel<Quote> ch = channel(BUFFER);
        subscribers.add(ch);
        Molt.currentToken().onCancel(() -> subscribers.remove(ch));
        return ch;
    }

    int subscriberCount() {
        return subscribers.size();
    }

    private void produce() throws InterruptedException {
        double price = 100;
        for (long seq = 0; ; seq++) {
            price = Math.max(1, price + ThreadLocalRandom.current().nextGaussian());
            Quote q = new Quote(seq, "MOLT", Math.round(price * 100) / 100.0, Instant.now());
            for (Channel<Quote> s : subscribers) {
                if (!s.isClosed() && !s.trySend(q)) {
                    s.close(new IllegalStateException("subscriber fell " + BUFFER + " quotes behind"));
                    subscribers.remove(s);
                }
            }
            Molt.sleep(PERIOD);
        }
    }
}
