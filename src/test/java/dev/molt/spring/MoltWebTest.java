package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.MoltRuntime;
import dev.molt.Task;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The integration against a real server (Tomcat on a random port) and real clients (the JDK's HttpClient and
 * WebSocket client, and a raw socket for a client that vanishes).
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"molt.streaming.heartbeat=200ms", "molt.streaming.send-timeout=1s", "molt.shutdown.grace=5s",
                "management.endpoints.web.exposure.include=molt,health"})
@Timeout(60)
class MoltWebTest {
    static HttpClient http;

    @LocalServerPort
    int port;

    @Autowired
    TestApp.Tasks tasks;

    @Autowired
    TestApp.Flood flood;

    @Autowired
    MoltRuntime runtime;

    @BeforeAll
    static void client() {
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void closeClient() {
        http.close();
    }

    HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    boolean virtualThreadsExpected() {
        return false;
    }

    @Test
    void controllerRunsUnderTheRequestTokenAndItsTasksEndWithTheRequest() throws Exception {
        HttpResponse<String> r = get("/token?task=req-child", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"requestTokenIsCurrent\":true").contains("\"isRoot\":false")
                .contains("\"cancelled\":false").contains("\"virtualThread\":" + virtualThreadsExpected());
        Task<?> child = tasks.get("req-child");
        awaitDone(child, Duration.ofSeconds(5));
        assertThat(child.state()).isEqualTo(Task.State.CANCELLED);
    }

    @Test
    void sseFromAChannel() throws Exception {
        HttpResponse<String> r = get("/numbers?n=5", "text/event-stream");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<String> data = r.body().lines().filter(l -> l.startsWith("data:")).toList();
        assertThat(data).containsExactly("data:{\"n\":0}", "data:{\"n\":1}", "data:{\"n\":2}", "data:{\"n\":3}",
                "data:{\"n\":4}");
    }

    @Test
    void sseIsTheDefault() throws Exception {
        HttpResponse<String> r = get("/numbers?n=2", null);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(r.body()).contains("data:{\"n\":1}");
    }

    @Test
    void ndjsonWhenAsked() throws Exception {
        HttpResponse<String> r = get("/numbers?n=3", "application/x-ndjson");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        assertThat(r.body()).isEqualTo("{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
    }

    @Test
    void ndjsonWhenTheMethodProducesOnlyThat() throws Exception {
        HttpResponse<String> r = get("/words", null);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        assertThat(r.body()).isEqualTo("alpha\nbeta\ngamma\n");
    }

    @Test
    void clientDisconnectCancelsTheProducerWithinOneSecond() throws Exception {
        Task<?> producer;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ticks?task=ticker HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int events = 0;
            for (String line; events < 3 && (line = in.readLine()) != null; ) {
                if (line.startsWith("data:tick")) {
                    events++;
                }
            }
            assertThat(events).isEqualTo(3);
            producer = tasks.get("ticker");
            assertThat(producer.isDone()).isFalse();
        } // the client goes away
        long start = System.nanoTime();
        awaitDone(producer, Duration.ofSeconds(1));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("[measure] producer cancelled " + millis + " ms after the client disconnected");
        assertThat(producer.state()).isEqualTo(Task.State.CANCELLED);
    }

    @Test
    void aClientThatStopsReadingIsCutOffAtTheSendDeadlineWithoutStallingOthers() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("localhost", port), 5000);
            socket.getOutputStream().write(("GET /big?task=big HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.getInputStream().read(new byte[1024]); // the stream has started; now read nothing more
            Task<?> producer = awaitTask("big");
            long start = System.nanoTime();
            // Meanwhile another client is served as usual.
            assertThat(get("/numbers?n=3", null).body()).contains("data:{\"n\":2}");
            awaitDone(producer, Duration.ofSeconds(15));
            System.out.println("[measure] stalled client cut off " + (System.nanoTime() - start) / 1_000_000
                    + " ms after it stopped reading (send deadline 1 s)");
            assertThat(producer.state()).isEqualTo(Task.State.CANCELLED);
        }
    }

    /**
     * A HEAD request to a stream gets the stream's headers and no body: the servlet API swallows whatever is
     * written, so no write (value or heartbeat) could ever fail and find the client gone. The stream must not
     * run: its producer is cancelled with the request, as for any request that has ended.
     */
    @Test
    void aHeadRequestToAStreamGetsItsHeadersAndEndsIt() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("HEAD /ticks?task=head-ticker HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            assertThat(status).startsWith("HTTP/1.1 200");
            StringBuilder headers = new StringBuilder();
            for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                headers.append(line).append('\n');
            }
            assertThat(headers.toString().toLowerCase()).contains("content-type: text/event-stream");
        } // the client goes away after the headers, as a HEAD client does
        Task<?> producer = awaitTask("head-ticker");
        awaitDone(producer, Duration.ofSeconds(3));
        assertThat(producer.state()).isEqualTo(Task.State.CANCELLED);
    }

    Task<?> awaitTask(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tasks.get(name) == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(tasks.get(name)).as("task " + name).isNotNull();
        return tasks.get(name);
    }

    @Test
    void heartbeatsFindAClientThatLeftAnIdleStream() throws Exception {
        Task<?> producer;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /silent?task=silent HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int comments = 0;
            for (String line; comments < 2 && (line = in.readLine()) != null; ) {
                if (line.startsWith(":")) {
                    comments++;
                }
            }
            assertThat(comments).as("heartbeat comment lines").isEqualTo(2);
            producer = awaitTask("silent");
        }
        long start = System.nanoTime();
        awaitDone(producer, Duration.ofSeconds(3)); // heartbeat every 200 ms: found within a write or two
        System.out.println("[measure] idle stream's producer cancelled " + (System.nanoTime() - start) / 1_000_000
                + " ms after the client disconnected (heartbeat 200 ms)");
        assertThat(producer.state()).isEqualTo(Task.State.CANCELLED);
    }

    @Test
    void aChannelClosedWithAReasonBreaksTheResponse() throws Exception {
        // The values sent before the close arrive; then the response is cut off without its last chunk, so the
        // client can tell a broken stream from one that ended normally.
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /broken HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(all).startsWith("HTTP/1.1 200").contains("data:first").doesNotEndWith("0\r\n\r\n");
        }
        HttpResponse<String> normal = get("/numbers?n=1", null);
        assertThat(normal.body()).contains("data:{\"n\":0}"); // a normal end is a complete response
    }

    @Test
    void webSocketEcho() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://localhost:" + port + "/echo"),
                new WebSocket.Listener() {
                    final StringBuilder sb = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        sb.append(data);
                        if (last) {
                            reply.complete(sb.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        ws.sendText("hello, molt", true).get(5, TimeUnit.SECONDS);
        assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("hello, molt");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void webSocketSlowClientMakesServerSendBlock() throws Exception {
        int total = 1000; // 64 MiB in all: far more than the socket buffers hold
        flood.sent.set(0);
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> all = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://localhost:" + port + "/flood?n=" + total),
                new WebSocket.Listener() {
                    @Override
                    public void onOpen(WebSocket webSocket) {
                        // Request nothing: the client reads nothing until the test says so.
                    }

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        if (last && received.incrementAndGet() == total) {
                            all.complete(null);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        // The server's sends stall: the count stops moving well below the total, with the outbound channel full.
        long stalled = awaitStall(flood.sent, Duration.ofMillis(500), Duration.ofSeconds(20));
        System.out.println("[measure] server handler blocked after " + stalled + " sends of 64 KiB while the client read nothing");
        assertThat(stalled).isLessThan(total);
        assertThat(flood.outbound.size()).isEqualTo(flood.outbound.capacity());
        // Reading resumes: everything arrives, nothing was dropped.
        ws.request(1);
        all.get(30, TimeUnit.SECONDS);
        assertThat(received.get()).isEqualTo(total);
        assertThat(flood.sent.get()).isEqualTo(total);
        ws.abort();
    }

    @Test
    void actuatorEndpointAndHealth() throws Exception {
        HttpResponse<String> dump = get("/actuator/molt", null);
        assertThat(dump.statusCode()).isEqualTo(200);
        assertThat(dump.body()).contains("\"runtime\":\"spring\"").contains("\"counts\"");
        HttpResponse<String> health = get("/actuator/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");
    }

    /** Waits until {@code counter} has not moved for {@code quiet}; returns its value then. */
    static long awaitStall(AtomicLong counter, Duration quiet, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = counter.get();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (now > 0 && System.nanoTime() - since >= quiet.toNanos()) {
                return now;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the counter never stalled; at " + counter.get());
    }

    static void awaitDone(Task<?> task, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!task.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(task.isDone()).as("task %s done within %s", task.name(), limit).isTrue();
    }
}
