package dev.molt.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(60)
class DemoApplicationTest {
    @LocalServerPort
    int port;

    @Autowired
    Feed feed;

    @Test
    void feedStreamsQuotesAndForgetsAClientThatLeft() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/feed"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            List<String> quotes = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; quotes.size() < 2 && (line = in.readLine()) != null; ) {
                    if (line.startsWith("data:")) {
                        quotes.add(line);
                    }
                }
            }
            assertThat(quotes).hasSize(2).allSatisfy(q -> assertThat(q).contains("\"symbol\":\"MOLT\""));
        }
        // The client is gone: its subscription ends with its request.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (feed.subscriberCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(feed.subscriberCount()).isZero();
    }

    @Test
    void chatRoomBroadcasts() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            BlockingQueue<String> aliceSees = new LinkedBlockingQueue<>();
            BlockingQueue<String> bobSees = new LinkedBlockingQueue<>();
            WebSocket alice = connect(http, "alice", aliceSees);
            assertThat(aliceSees.poll(5, TimeUnit.SECONDS)).startsWith("* alice joined");
            WebSocket bob = connect(http, "bob", bobSees);
            assertThat(bobSees.poll(5, TimeUnit.SECONDS)).startsWith("* bob joined");
            alice.sendText("hi bob", true).get(5, TimeUnit.SECONDS);
            assertThat(poll(bobSees, "alice: ")).isEqualTo("alice: hi bob");
            bob.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            assertThat(poll(aliceSees, "* bob left")).isEqualTo("* bob left");
            alice.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }

    private static String poll(BlockingQueue<String> q, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String s = q.poll(100, TimeUnit.MILLISECONDS);
            if (s != null && s.startsWith(prefix)) {
                return s;
            }
        }
        return null;
    }

    private WebSocket connect(HttpClient http, String name, BlockingQueue<String> seen) throws Exception {
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://localhost:" + port + "/chat?name=" + name), new WebSocket.Listener() {
                    final StringBuilder sb = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        sb.append(data);
                        if (last) {
                            seen.add(sb.toString());
                            sb.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
    }
}
