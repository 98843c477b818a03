package dev.molt.spring;

import static dev.molt.Molt.channel;
import static dev.molt.Molt.spawn;

import dev.molt.CancelToken;
import dev.molt.Channel;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;
import dev.molt.Task;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;

/** The application the web tests run: a few endpoints and WebSocket handlers built on Molt. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
@Import(TestApp.Endpoints.class)
public class TestApp {

    /** Tasks the tests want to look at, by name. */
    @Bean
    Tasks tasks() {
        return new Tasks();
    }

    /** What the flood WebSocket handler has sent, and its outbound channel. */
    @Bean
    Flood flood() {
        return new Flood();
    }

    @Bean
    WebSocketConfigurer webSockets(ChannelWebSockets ws, Flood flood) {
        return registry -> registry
                .addHandler(ws.handler((session, in, out) -> {
                    for (WebSocketMessage<?> m : in) {
                        out.send(m);
                    }
                }), "/echo")
                .addHandler(ws.handler((session, in, out) -> {
                    flood.outbound = out;
                    int count = Integer.parseInt(session.getUri().getQuery().replace("n=", ""));
                    String payload = "x".repeat(Flood.SIZE);
                    try {
                        for (int i = 0; i < count; i++) {
                            out.send(new TextMessage(payload));
                            flood.sent.incrementAndGet();
                        }
                        flood.ended.complete(null);
                    } catch (Throwable t) {
                        flood.ended.completeExceptionally(t);
                        throw t;
                    }
                }), "/flood");
    }

    /** Shared state between the tests and the app. */
    public static final class Tasks {
        final Map<String, Task<?>> byName = new ConcurrentHashMap<>();

        Task<?> get(String name) {
            return byName.get(name);
        }
    }

    /** State of the flood handler. */
    public static final class Flood {
        static final int SIZE = 64 * 1024;
        final AtomicLong sent = new AtomicLong();
        volatile SendChannel<WebSocketMessage<?>> outbound;
        volatile java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();
    }

    /** Record of what a controller saw of its request token. */
    public record TokenInfo(boolean requestTokenIsCurrent, boolean isRoot, boolean cancelled, boolean virtualThread) {
    }

    /** A number, streamed as JSON. */
    public record Item(int n) {
    }

    @RestController
    static class Endpoints {
        private final MoltRuntime runtime;
        private final Tasks tasks;

        Endpoints(MoltRuntime runtime, Tasks tasks) {
            this.runtime = runtime;
            this.tasks = tasks;
        }

        @GetMapping("/token")
        TokenInfo token(jakarta.servlet.http.HttpServletRequest request, @RequestParam("task") String task) {
            CancelToken current = Molt.currentToken();
            // A task spawned by the request and still running when it ends: cancelled with the request.
            tasks.byName.put(task, spawn(task, () -> Molt.sleep(Duration.ofSeconds(30))));
            return new TokenInfo(current == MoltRequestFilter.requestToken(request), current == runtime.rootToken(),
                    Molt.cancelled(), Thread.currentThread().isVirtual());
        }

        @GetMapping("/numbers")
        ReceiveChannel<Item> numbers(@RequestParam("n") int n) {
            Channel<Item> ch = channel(4);
            spawn(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        ch.send(new Item(i));
                    }
                } finally {
                    ch.close();
                }
            });
            return ch;
        }

        @GetMapping(path = "/words", produces = "application/x-ndjson")
        ReceiveChannel<String> words() {
            Channel<String> ch = channel(4);
            spawn(() -> {
                try {
                    for (String w : new String[] {"alpha", "beta", "gamma"}) {
                        ch.send(w);
                    }
                } finally {
                    ch.close();
                }
            });
            return ch;
        }

        /** Endless: a tick every 20 ms until the client goes away. */
        @GetMapping("/ticks")
        ReceiveChannel<String> ticks(@RequestParam("task") String task) {
            Channel<String> ch = channel(2);
            tasks.byName.put(task, spawn(task, () -> {
                for (long i = 0; ; i++) {
                    ch.send("tick " + i);
                    Molt.sleep(Duration.ofMillis(20));
                }
            }));
            return ch;
        }

        /** A stream that never gets a value: only heartbeats are written to it. */
        @GetMapping("/silent")
        ReceiveChannel<String> silent(@RequestParam("task") String task) {
            Channel<String> ch = channel(1);
            tasks.byName.put(task, spawn(task, () -> {
                try {
                    Molt.sleep(Duration.ofMinutes(5));
                } finally {
                    ch.close();
                }
            }));
            return ch;
        }

        /** A stream whose channel is closed with a reason after one value. */
        @GetMapping("/broken")
        ReceiveChannel<String> broken() {
            Channel<String> ch = channel(1);
            spawn(() -> {
                ch.send("first");
                ch.close(new IllegalStateException("the source broke"));
            });
            return ch;
        }

        /** Endless and large: 64 KiB events as fast as the client takes them. */
        @GetMapping("/big")
        ReceiveChannel<String> big(@RequestParam("task") String task) {
            Channel<String> ch = channel(2);
            String payload = "y".repeat(64 * 1024);
            tasks.byName.put(task, spawn(task, () -> {
                while (true) {
                    ch.send(payload);
                }
            }));
            return ch;
        }

        /** Starts a background task that outlives the request and needs 300 ms to clean up when cancelled. */
        @GetMapping("/background")
        String background(@RequestParam("task") String task) throws Exception {
            tasks.byName.put(task, Molt.withToken(runtime.rootToken(), () -> spawn(task, () -> {
                try {
                    Molt.sleep(Duration.ofMinutes(5));
                } finally {
                    Molt.withToken(CancelToken.never(), () -> {
                        Molt.sleep(Duration.ofMillis(300));
                        return null;
                    });
                }
            })));
            return "started";
        }
    }
}
