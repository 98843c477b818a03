package dev.molt.samples.net;

import static dev.molt.Molt.scope;
import static dev.molt.Molt.sleep;

import dev.molt.Molt;
import dev.molt.net.MoltServer;
import dev.molt.net.NetPolicy;
import dev.molt.net.Response;
import dev.molt.net.SseEvent;
import dev.molt.net.WsClient;
import dev.molt.net.WsMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * A live ticker over Server-Sent Events and a chat room over WebSockets, on {@link MoltServer}.
 *
 * <ul>
 *   <li>{@code GET /}: a page that shows both;</li>
 *   <li>{@code GET /ticker}: an SSE stream, one price tick a second, produced by a task of the request into a
 *       bounded channel (a client that goes away cancels its producer);</li>
 *   <li>{@code /chat?name=...}: a WebSocket chat room; the room is one task that owns the member list.</li>
 * </ul>
 *
 * Usage: {@code LiveDemo serve [PORT]} or {@code LiveDemo tour}.
 */
public final class LiveDemo {
    private LiveDemo() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "serve";
        switch (mode) {
            case "serve" -> serve(args.length > 1 ? Integer.parseInt(args[1]) : 8080);
            case "tour" -> System.exit(tour() ? 0 : 1);
            default -> {
                System.err.println("usage: LiveDemo serve [PORT] | tour");
                System.exit(2);
            }
        }
    }

    /** Starts the demo server; the room runs as a task beside it. */
    static MoltServer start(ChatRoom room, String host, int port) throws IOException {
        byte[] page;
        try (InputStream in = LiveDemo.class.getResourceAsStream("/index.html")) {
            page = in.readAllBytes();
        }
        AtomicInteger guests = new AtomicInteger();
        return MoltServer.builder()
                // Capabilities: this service may listen on its port and nothing else (it connects nowhere).
                .policy(NetPolicy.builder().listen(port).build())
                .host(host).port(port)
                .get("/", req -> Response.bytes(page).header("Content-Type", "text/html; charset=UTF-8"))
                .get("/ticker", req -> Response.sse(8, out -> {
                    RandomGenerator random = RandomGenerator.getDefault();
                    double price = 100;
                    for (long n = 1; ; n++) {
                        price = Math.max(1, price + random.nextGaussian());
                        String now = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
                        out.send(new SseEvent("tick", String.format(Locale.ROOT, "%s  MOLT %.2f", now, price),
                                Long.toString(n)));
                        sleep(Duration.ofSeconds(1)); // ends with CancelledException when the client leaves
                    }
                }))
                .websocket("/chat", session -> room.serve("guest-" + guests.incrementAndGet(), session))
                .start();
    }

    private static void serve(int port) throws Exception {
        ChatRoom room = new ChatRoom();
        scope(s -> {
            s.spawn("chat-room", room::run);
            MoltServer server = start(room, "0.0.0.0", port);
            System.out.println("Molt net demo on http://localhost:" + server.port() + "  (Ctrl-C stops it)");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    System.out.println("stopping: in-flight requests get 2 s, then are cancelled");
                    server.stop(Duration.ofSeconds(2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    room.close();
                    stopped.countDown();
                }
            }));
            stopped.await();
            return null;
        });
    }

    /** Drives the server with real clients on 127.0.0.1 and prints what they saw. */
    private static boolean tour() throws Exception {
        ChatRoom room = new ChatRoom();
        return scope(s -> {
            s.spawn("chat-room", room::run);
            MoltServer server = start(room, "127.0.0.1", 0);
            boolean ok = true;
            try {
                System.out.println("server on port " + server.port());
                ok &= tickerTour(server.port());
                ok &= chatTour(server.port());
            } finally {
                server.stop(Duration.ofSeconds(1));
                room.close();
            }
            System.out.println(ok ? "tour: OK" : "tour: FAILED");
            return ok;
        });
    }

    private static boolean tickerTour(int port) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/ticker")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            List<String> ticks = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while (ticks.size() < 2 && (line = lines.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        ticks.add(line.substring(6));
                        System.out.println("ticker: " + line.substring(6));
                    }
                }
            } // closing the stream disconnects: the server cancels that request's producer
            return ticks.size() == 2;
        }
    }

    private static boolean chatTour(int port) throws Exception {
        NetPolicy policy = NetPolicy.builder().connect("127.0.0.1").build(); // the clients may connect here only
        URI chat = URI.create("ws://127.0.0.1:" + port + "/chat");
        try (WsClient client = WsClient.builder().policy(policy).build()) {
            CountDownLatch aliceIn = new CountDownLatch(1);
            CountDownLatch bobSaid = new CountDownLatch(1);
            List<String> aliceSaw = new ArrayList<>();
            scope(s -> {
                s.spawn(() -> client.connect(chat, alice -> {
                    aliceSaw.add(alice.in().recv().text()); // her own join
                    aliceIn.countDown();
                    aliceSaw.add(alice.in().recv().text()); // bob joins
                    aliceSaw.add(alice.in().recv().text()); // bob speaks
                    bobSaid.countDown();
                    return null;
                }));
                aliceIn.await();
                client.connect(chat, bob -> {
                    bob.in().recv(); // his own join
                    bob.send("hello from bob");
                    bobSaid.await();
                    return null;
                });
                return null;
            });
            aliceSaw.forEach(line -> System.out.println("alice saw: " + line));
            return aliceSaw.size() == 3 && aliceSaw.get(2).endsWith("hello from bob");
        } catch (Exception e) {
            System.out.println("chat tour failed: " + e);
            return false;
        } finally {
            Molt.checkCancelled();
        }
    }
}
