package dev.molt.net;

import static dev.molt.net.NetTesting.get;
import static dev.molt.net.NetTesting.raw;
import static dev.molt.net.NetTesting.readUntil;
import static dev.molt.net.NetTesting.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.CancelToken;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MoltServerTest {

    @Test
    void helloAndTheHandlerIsATaskWithItsOwnToken() throws Exception {
        AtomicReference<CancelToken> seen = new AtomicReference<>();
        try (MoltServer server = server()
                .get("/hello", req -> Response.text("Hello " + req.query("name")))
                .get("/token", req -> {
                    seen.set(req.token());
                    // work spawned by the handler inherits the request token and belongs to the request
                    List<String> parts = Molt.par(List.of(() -> "a", () -> String.valueOf(Molt.cancelled())));
                    return Response.json("{\"parts\":\"" + String.join(",", parts) + "\"}");
                })
                .get("/none", req -> null)
                .get("/users/{id}", req -> Response.text(req.pathParam("id") + " " + req.header("x-TEST") + " "
                        + req.header("absent")).header("X-Reply", "yes"))
                .start()) {
            HttpResponse<String> r = get(server, "/hello?name=Molt");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("Hello Molt");
            assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=UTF-8");

            HttpResponse<String> t = get(server, "/token");
            assertThat(t.body()).isEqualTo("{\"parts\":\"a,false\"}");
            assertThat(seen.get()).isNotSameAs(server.token());
            assertThat(server.token().cancelled()).isFalse();
            assertThat(seen.get().cancelled()).isFalse();
            assertThat(get(server, "/none").statusCode()).isEqualTo(204);
            HttpResponse<String> u = NetTesting.HTTP.send(java.net.http.HttpRequest.newBuilder(
                    NetTesting.uri(server, "/users/42")).header("X-Test", "t").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(u.body()).isEqualTo("42 t null");
            assertThat(u.headers().firstValue("x-reply")).hasValue("yes");
            assertThat(get(server, "/missing").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aServerOnItsOwnRuntimeRunsEveryRequestInThatRuntime() throws Exception {
        MoltRuntime runtime = MoltRuntime.create("net-test");
        try {
            try (MoltServer server = server().runtime(runtime)
                    .get("/where", req -> {
                        // what the handler spawns is a task of the server's runtime, under the request's token
                        Task<String> child = Molt.spawn(() -> MoltRuntime.current().name() + " "
                                + (Molt.currentToken() != req.token()));
                        return Response.json("{\"where\":\"" + MoltRuntime.current().name() + " " + child.join()
                                + " " + (Molt.currentToken() == req.token()) + "\"}");
                    })
                    .start()) {
                HttpResponse<String> r = get(server, "/where");
                assertThat(r.body()).isEqualTo("{\"where\":\"net-test net-test true true\"}");
                assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
            }
        } finally {
            assertThat(runtime.shutdown(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void listeningNeedsAGrantedPort() {
        assertThatThrownBy(() -> MoltServer.builder().policy(NetPolicy.denyAll()).port(0).start())
                .isInstanceOf(NetAccessDeniedException.class).hasMessageContaining("port 0");
        assertThatThrownBy(() -> MoltServer.builder().policy(NetPolicy.builder().listen(0).build()).port(8099)
                .start()).isInstanceOf(NetAccessDeniedException.class).hasMessageContaining("port 8099");
    }

    @Test
    void aFailingHandlerAnswers500AndTheServerKeepsServing() throws Exception {
        try (MoltServer server = server()
                .get("/boom", req -> {
                    throw new IllegalStateException("boom (expected by the test)");
                })
                .get("/ok", req -> Response.text("ok"))
                .start()) {
            assertThat(get(server, "/boom").statusCode()).isEqualTo(500);
            assertThat(get(server, "/ok").body()).isEqualTo("ok");
        }
    }

    @Test
    void malformedRequestsGet400AndOthersAreStillServed() throws Exception {
        try (MoltServer server = server().get("/ok", req -> Response.text("ok")).start()) {
            try (Socket s = raw(server, "GARBAGE / HTTP/9.9\r\nthis is not a header\r\n\r\n")) {
                assertThat(readUntil(s.getInputStream(), "\r\n")).startsWith("HTTP/1.1 400");
            }
            try (Socket s = raw(server, "GET /ok HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")) {
                assertThat(readUntil(s.getInputStream(), "\r\n")).startsWith("HTTP/1.1 400");
            }
            assertThat(get(server, "/ok").body()).isEqualTo("ok");
        }
    }

    @Test
    void aRequestTimeoutCancelsTheHandlerAndAnswers503() throws Exception {
        CompletableFuture<Boolean> cancelledInHandler = new CompletableFuture<>();
        try (MoltServer server = server().requestTimeout(Duration.ofMillis(200))
                .get("/slow", req -> {
                    try {
                        Thread.sleep(10_000); // a JDK blocking call: woken by the interrupt
                    } catch (InterruptedException e) {
                        cancelledInHandler.complete(Molt.cancelled());
                        throw e;
                    }
                    return Response.text("too late");
                })
                .get("/slowMolt", req -> {
                    Task<Void> child = Molt.spawn(() -> Molt.sleep(Duration.ofSeconds(10)));
                    child.join();
                    return Response.text("too late");
                })
                .start()) {
            HttpResponse<String> r = get(server, "/slow");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("timed out");
            assertThat(cancelledInHandler.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(get(server, "/slowMolt").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void gracefulStopLetsInFlightRequestsFinishThenCancelsTheRest() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        CompletableFuture<Boolean> stuckWasCancelled = new CompletableFuture<>();
        MoltServer server = server()
                .get("/quick", req -> {
                    started.countDown();
                    Molt.sleep(Duration.ofMillis(300));
                    return Response.text("finished");
                })
                .get("/stuck", req -> {
                    started.countDown();
                    try {
                        Molt.sleep(Duration.ofSeconds(30));
                    } finally {
                        stuckWasCancelled.complete(Molt.cancelled());
                    }
                    return Response.text("never");
                })
                .start();
        CompletableFuture<HttpResponse<String>> quick = CompletableFuture.supplyAsync(() -> call(server, "/quick"));
        CompletableFuture<HttpResponse<String>> stuck = CompletableFuture.supplyAsync(() -> call(server, "/stuck"));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        boolean clean = server.stop(Duration.ofSeconds(1));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(clean).isTrue();
        assertThat(quick.get(5, TimeUnit.SECONDS).body()).isEqualTo("finished");
        assertThat(stuck.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
        assertThat(stuckWasCancelled.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(tookMs).isBetween(900L, 5_000L);
        assertThat(server.inFlight()).isZero();
    }

    private static HttpResponse<String> call(MoltServer server, String path) {
        try {
            return get(server, path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stop interrupted while it waits for in-flight requests still cancels the server's work. */
    @Test
    void anInterruptedStopStillCancelsTheServerOrALaterStopDoes() throws Exception {
        MoltRuntime rt = MoltRuntime.create("stop-interrupted");
        CountDownLatch started = new CountDownLatch(1);
        MoltServer server = server().runtime(rt).get("/stuck", req -> {
            started.countDown();
            Molt.sleep(Duration.ofSeconds(20));
            return Response.text("never");
        }).start();
        try {
            CompletableFuture.runAsync(() -> call(server, "/stuck"));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            AtomicReference<Object> first = new AtomicReference<>();
            Thread stopper = Thread.ofPlatform().start(() -> {
                try {
                    first.set(server.stop(Duration.ofSeconds(10)));
                } catch (Throwable e) {
                    first.set(e);
                }
            });
            Thread.sleep(200);
            stopper.interrupt();
            stopper.join();
            assertThat(first.get()).isInstanceOf(InterruptedException.class);
            boolean second = server.stop(Duration.ofSeconds(2));
            assertThat(server.token().isCancelled()).as("second stop returned %s", second).isTrue();
            long deadline = System.currentTimeMillis() + 3000;
            while (rt.liveTasks() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(rt.liveTasks()).as("%s", rt.dump()).isZero();
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /** A very long grace (more than ~292 years of nanoseconds) is a legal Duration: stop works with it. */
    @Test
    void stopWithAVeryLongGraceStops() throws Exception {
        MoltRuntime rt = MoltRuntime.create("stop-long-grace");
        MoltServer server = server().runtime(rt).get("/x", req -> Response.text("x")).start();
        try {
            assertThat(get(server, "/x").body()).isEqualTo("x");
            Object r;
            try {
                r = server.stop(Duration.ofDays(365L * 1000));
            } catch (Throwable e) {
                r = e;
            }
            assertThat(r).isEqualTo(true);
            assertThat(server.token().isCancelled()).isTrue();
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /** A builder configured again after start (say, for a second server) does not change the running one. */
    @Test
    void reconfiguringTheBuilderAfterStartDoesNotChangeTheRunningServer() throws Exception {
        MoltServer.Builder b = server().requestTimeout(Duration.ofMillis(200)).get("/slow", req -> {
            Molt.sleep(Duration.ofSeconds(3));
            return Response.text("slow");
        });
        try (MoltServer first = b.start()) {
            b.requestTimeout(Duration.ofSeconds(60)); // e.g. for a second server from the same builder
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(first, "/slow");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).as("took %d ms", ms).isEqualTo(503);
        }
    }

    /** A header value with a line break would split the response (a header or a body of the client's choosing). */
    @Test
    void aHeaderCannotSplitTheResponse() throws Exception {
        assertThatThrownBy(() -> Response.text("x").header("X-A", "a\r\nSet-Cookie: evil=1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Response.text("x").header("Content-Type", "text/plain\nX-B: b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Response.text("x").header("X-A\r\nSet-Cookie", "evil=1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Response.text("x").header("", "v")).isInstanceOf(IllegalArgumentException.class);
        try (MoltServer server = server()
                .get("/h", req -> Response.text("x").header("X-From-Elsewhere", "a\r\nSet-Cookie: evil=1"))
                .start()) {
            try (Socket s = raw(server, "GET /h HTTP/1.1\r\nHost: x\r\n\r\n")) {
                String head = readUntil(s.getInputStream(), "\r\n\r\n");
                assertThat(head).startsWith("HTTP/1.1 500").doesNotContainIgnoringCase("set-cookie");
            }
        }
    }

    /** A port already taken fails start() with IllegalStateException and leaves no task behind. */
    @Test
    void aTakenPortIsAnIllegalStateException() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            MoltRuntime rt = MoltRuntime.create("port-taken");
            try {
                assertThatThrownBy(() -> MoltServer.builder().policy(NetPolicy.builder().listenAnyPort().build())
                        .runtime(rt).host("127.0.0.1").port(taken.getLocalPort()).get("/", req -> null).start())
                        .isInstanceOf(IllegalStateException.class);
                assertThat(rt.liveTasks()).isZero();
            } finally {
                rt.shutdown(Duration.ofSeconds(5));
            }
        }
    }
}
