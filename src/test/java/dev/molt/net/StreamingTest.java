package dev.molt.net;

import static dev.molt.net.NetTesting.HTTP;
import static dev.molt.net.NetTesting.raw;
import static dev.molt.net.NetTesting.readUntil;
import static dev.molt.net.NetTesting.server;
import static dev.molt.net.NetTesting.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelledException;
import dev.molt.Channel;
import dev.molt.Molt;
import dev.molt.ReceiveChannel;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StreamingTest {

    @Test
    void aStreamedResponseArrivesChunkByChunkAsItIsProduced() throws Exception {
        Channel<String> gate = Molt.channel();
        try (MoltServer server = server()
                .get("/lines", req -> Response.lines(0, out -> {
                    out.send("first"); // the status and headers go out with the first element
                    for (int i = 0; i < 3; i++) {
                        out.send("line " + i + " " + gate.recv());
                    }
                }))
                .start()) {
            HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(uri(server, "/lines")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.headers().firstValue("transfer-encoding")).hasValue("chunked");
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                assertThat(lines.readLine()).isEqualTo("first");
                for (int i = 0; i < 3; i++) {
                    gate.send("go"); // the next line exists only after the client read the previous one
                    assertThat(lines.readLine()).isEqualTo("line " + i + " go");
                }
                assertThat(lines.readLine()).isNull();
            }
        }
    }

    @Test
    void sseAndNdjson() throws Exception {
        try (MoltServer server = server()
                .get("/events", req -> Response.sse(4, out -> {
                    out.send(SseEvent.of("tick", "1"));
                    out.send(new SseEvent(null, "two\nlines", "7"));
                }))
                .get("/nd", req -> {
                    Channel<String> ch = Molt.channel(8);
                    Molt.spawn(() -> {
                        ch.send("{\"n\":1}");
                        ch.send("{\"n\":2}");
                        ch.close();
                    });
                    return Response.ndjson(ch);
                })
                .start()) {
            HttpResponse<String> sse = NetTesting.get(server, "/events");
            assertThat(sse.headers().firstValue("content-type")).hasValue("text/event-stream");
            assertThat(sse.body()).isEqualTo(":\n\nevent: tick\ndata: 1\n\nid: 7\ndata: two\ndata: lines\n\n");
            HttpResponse<String> nd = NetTesting.get(server, "/nd");
            assertThat(nd.headers().firstValue("content-type")).hasValue("application/x-ndjson");
            assertThat(nd.body()).isEqualTo("{\"n\":1}\n{\"n\":2}\n");
        }
    }

    @Test
    void aClientThatGoesAwayCancelsTheProducerWithinASecond() throws Exception {
        CompletableFuture<Long> cancelledAt = new CompletableFuture<>();
        try (MoltServer server = server()
                .get("/forever", req -> Response.stream(2, out -> {
                    try {
                        while (true) {
                            out.send("tick\n".getBytes(StandardCharsets.UTF_8));
                            Molt.sleep(Duration.ofMillis(20));
                        }
                    } catch (CancelledException e) {
                        cancelledAt.complete(System.nanoTime());
                        throw e;
                    }
                }))
                .start()) {
            long closedAt;
            try (Socket s = raw(server, "GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")) {
                assertThat(readUntil(s.getInputStream(), "tick")).startsWith("HTTP/1.1 200");
                closedAt = System.nanoTime();
            }
            long ms = (cancelledAt.get(5, TimeUnit.SECONDS) - closedAt) / 1_000_000;
            assertThat(ms).isLessThan(1_000);
            awaitIdle(server);
        }
    }

    @Test
    void anIdleSseStreamFindsADepartedClientByItsHeartbeat() throws Exception {
        CompletableFuture<Long> cancelledAt = new CompletableFuture<>();
        try (MoltServer server = server().sseHeartbeat(Duration.ofMillis(100))
                .get("/quiet", req -> Response.sse(1, out -> {
                    out.send(SseEvent.of("hello"));
                    try {
                        Molt.sleep(Duration.ofSeconds(30)); // an idle producer: only the heartbeat writes
                    } catch (CancelledException e) {
                        cancelledAt.complete(System.nanoTime());
                        throw e;
                    }
                }))
                .start()) {
            long closedAt;
            try (Socket s = raw(server, "GET /quiet HTTP/1.1\r\nHost: x\r\n\r\n")) {
                readUntil(s.getInputStream(), "hello");
                closedAt = System.nanoTime();
            }
            assertThat((cancelledAt.get(5, TimeUnit.SECONDS) - closedAt) / 1_000_000).isLessThan(1_000);
            awaitIdle(server);
        }
    }

    @Test
    void aClientThatDoesNotReadBlocksTheProducerInsteadOfGrowingMemory() throws Exception {
        AtomicLong sent = new AtomicLong();
        byte[] chunk = new byte[16 * 1024];
        try (MoltServer server = server()
                .get("/big", req -> Response.stream(4, out -> {
                    while (true) {
                        out.send(chunk);
                        sent.incrementAndGet();
                    }
                }))
                .start()) {
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(16 * 1024); // before connecting: it bounds the window the server can fill
                s.setSoTimeout(10_000);
                s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
                s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                readUntil(s.getInputStream(), "\r\n\r\n");
                // The client reads nothing more: the producer must stall once the socket buffers and the channel
                // are full, instead of producing without bound.
                long before;
                long after = sent.get();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                do {
                    before = after;
                    Thread.sleep(300);
                    after = sent.get();
                } while (after != before && System.nanoTime() < deadline);
                assertThat(after).as("the producer stalled").isEqualTo(before);
                long bytes = after * chunk.length;
                assertThat(bytes).as("bytes produced while the client reads nothing").isLessThan(64L << 20);
                // Reading again lets it go on.
                InputStream in = s.getInputStream();
                byte[] buf = new byte[64 * 1024];
                long read = 0;
                while (read < bytes + (1 << 20)) {
                    int n = in.read(buf);
                    assertThat(n).as("the stream goes on once the client reads").isPositive();
                    read += n;
                }
                assertThat(sent.get()).isGreaterThan(after);
            }
            awaitIdle(server);
        }
    }

    @Test
    void aRequestBodyStreamsAsChunksAndAnOversizedOneGets413() throws Exception {
        try (MoltServer server = server().maxRequestBody(100_000)
                .post("/count", req -> {
                    ReceiveChannel<byte[]> chunks = req.bodyChannel(2, 8192);
                    long total = 0;
                    int n = 0;
                    for (byte[] c : chunks) {
                        total += c.length;
                        n++;
                    }
                    return Response.text(total + " bytes in " + n + " chunks");
                })
                .post("/stream", req -> Response.text(req.body().transferTo(java.io.OutputStream.nullOutputStream())
                        + " bytes"))
                .start()) {
            HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(uri(server, "/count"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[50_000])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).startsWith("50000 bytes in ").doesNotContain(" in 1 chunks");

            // Expect: 100-continue lets the server refuse before the body is sent; without it, a client still
            // sending when the server answers and closes may lose the answer to a connection reset.
            HttpResponse<String> tooBig = HTTP.send(HttpRequest.newBuilder(uri(server, "/count")).expectContinue(true)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[200_000])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(tooBig.statusCode()).isEqualTo(413);

            // chunked (no Content-Length): the limit is found while reading
            try (Socket s = raw(server, "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")) {
                var out = s.getOutputStream();
                byte[] data = new byte[30_000];
                for (int i = 0; i < 5; i++) {
                    out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(data);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(readUntil(s.getInputStream(), "\r\n")).startsWith("HTTP/1.1 413");
            }
            HttpResponse<String> viaStream = HTTP.send(HttpRequest.newBuilder(uri(server, "/stream"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1234])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(viaStream.body()).isEqualTo("1234 bytes");
        }
    }

    @Test
    void aFailingProducerAbortsTheResponseAndTheServerGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (MoltServer server = server()
                .get("/half", req -> Response.lines(1, out -> {
                    calls.incrementAndGet();
                    out.send("first");
                    throw new IllegalStateException("producer failed (expected by the test)");
                }))
                .get("/ok", req -> Response.text("ok"))
                .start()) {
            try (Socket s = raw(server, "GET /half HTTP/1.1\r\nHost: x\r\n\r\n")) {
                String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(all).startsWith("HTTP/1.1 200").contains("first").doesNotContain("\r\n0\r\n\r\n");
            }
            assertThat(NetTesting.get(server, "/ok").body()).isEqualTo("ok");
        }
    }

    static void awaitIdle(MoltServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.inFlight()).isZero();
    }

    /** A handler may answer after a look at the first chunk: the body reader must not keep the exchange open. */
    @Test
    void aHandlerThatAnswersBeforeTheBodyEndsEndsTheExchange() throws Exception {
        try (MoltServer server = server()
                .post("/reject", req -> {
                    ReceiveChannel<byte[]> chunks = req.bodyChannel(1, 1024);
                    chunks.recv(); // enough to refuse
                    return Response.status(400);
                })
                .start()) {
            CompletableFuture<HttpResponse<String>> answer = HTTP.sendAsync(
                    HttpRequest.newBuilder(uri(server, "/reject"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[200_000])).build(),
                    HttpResponse.BodyHandlers.ofString());
            try {
                assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(400);
            } catch (java.util.concurrent.ExecutionException e) {
                // The server may close the connection while the client still sends the body: the answer is then
                // lost to the client, which is allowed; what matters here is the server's side.
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(server.inFlight()).isZero();
        }
    }

    /**
     * A client that left before a whole (not streamed) answer is a departed client, as for a stream: nothing to log
     * at ERROR (docs/net.md: per request, nothing above DEBUG but a failing handler or producer).
     */
    @Test
    void aClientGoneBeforeAWholeAnswerIsNotLoggedAsAFailure() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(Exchange.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        CompletableFuture<Void> answered = new CompletableFuture<>();
        try (MoltServer server = server()
                .get("/late", req -> {
                    Molt.sleep(Duration.ofMillis(300)); // the client is gone meanwhile
                    answered.complete(null);
                    return Response.bytes(new byte[8 << 20]); // more than the socket buffers take
                })
                .start()) {
            try (Socket s = raw(server, "GET /late HTTP/1.1\r\nHost: x\r\n\r\n")) {
                s.setSoLinger(true, 0); // close with a reset: the server's write fails
            }
            answered.get(5, TimeUnit.SECONDS);
            awaitIdle(server);
        } finally {
            log.detachAppender(events);
        }
        assertThat(events.list).noneMatch(e -> e.getLevel() == Level.ERROR);
    }

    /** bodyChannel streams: what arrived is delivered, without waiting for a whole chunkSize (or the body's end). */
    @Test
    void aRequestBodyChannelDeliversWhatArrivedWithoutWaitingForAFullChunk() throws Exception {
        try (MoltServer server = server()
                .post("/first", req -> {
                    byte[] first = req.bodyChannel(1, 8192).recv();
                    return Response.text(new String(first, StandardCharsets.UTF_8));
                })
                .start();
                Socket s = raw(server, "POST /first HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n")) { // the body goes on: its end is not sent
            String answer = readUntil(s.getInputStream(), "hello");
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("hello");
        }
    }

    /**
     * A client that goes away in the middle of its body: the channel ends with that failure and the exchange
     * answers nothing (Request.bodyChannel), which is a departed client, not a handler failure to log at ERROR.
     */
    @Test
    void aClientGoneInTheMiddleOfItsBodyIsNotLoggedAsAFailure() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(Exchange.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        try (MoltServer server = server()
                .post("/count", req -> {
                    long total = 0;
                    try {
                        for (byte[] c : req.bodyChannel(2, 1024)) {
                            total += c.length;
                        }
                    } catch (RuntimeException e) {
                        seen.set(e);
                        throw e;
                    }
                    return Response.text(Long.toString(total));
                })
                .post("/bytes", req -> {
                    try {
                        return Response.text(Integer.toString(req.bodyBytes().length));
                    } catch (RuntimeException e) {
                        seen.set(e);
                        throw e;
                    }
                })
                .start()) {
            for (String request : new String[] {
                "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nhello",
                "POST /bytes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                "POST /bytes HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nhello"}) {
                seen.set(null);
                try (Socket s = raw(server, request)) {
                    Thread.sleep(200); // the handler has the first chunk
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (seen.get() == null && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(seen.get()).as("the handler saw the body fail").isNotNull();
                awaitIdle(server);
            }
        } finally {
            log.detachAppender(events);
        }
        assertThat(events.list).noneMatch(e -> e.getLevel() == Level.ERROR);
    }

    /** The request timeout ending a stream is the documented ending, not a failure to log at ERROR. */
    @Test
    void aStreamEndedByTheRequestTimeoutIsNotLoggedAsAFailure() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(Exchange.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try (MoltServer server = server().requestTimeout(Duration.ofMillis(300))
                .get("/ticks", req -> Response.lines(4, out -> {
                    while (true) {
                        out.send("tick");
                        Molt.sleep(Duration.ofMillis(50));
                    }
                }))
                .start();
                Socket socket = raw(server, "GET /ticks HTTP/1.1\r\nHost: x\r\n\r\n")) {
            String body = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // until cut
            assertThat(body).contains("tick");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            log.detachAppender(events);
        }
        assertThat(events.list).noneMatch(e -> e.getLevel() == Level.ERROR);
    }
}
