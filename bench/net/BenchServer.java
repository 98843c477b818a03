import dev.molt.Molt;
import dev.molt.net.MoltServer;
import dev.molt.net.NetPolicy;
import dev.molt.net.Response;
import dev.molt.net.WsMessage;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The Java side of bench/net/run: the endpoints of asyncio_server.py, served by Molt's MoltServer ("molt") or by
 * plain Helidon WebServer ("helidon"), plus a WebSocket echo at /ws (molt only).
 *
 * <p>Usage: java -cp ... BenchServer.java molt|helidon PORT
 */
public final class BenchServer {
    private static final byte[][] CHUNKS = new byte[100][];

    static {
        for (int i = 0; i < 100; i++) {
            CHUNKS[i] = String.format("chunk %03d of the stream\n", i).getBytes(StandardCharsets.UTF_8);
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int port = Integer.parseInt(args[1]);
        if (mode.equals("helidon")) {
            WebServer.builder().host("127.0.0.1").port(port).backlog(4096)
                    .routing(HttpRouting.builder()
                            .get("/hello", (req, res) -> res.send("Hello, World!"))
                            .get("/stream", (req, res) -> {
                                try (OutputStream out = res.outputStream()) {
                                    for (byte[] c : CHUNKS) {
                                        out.write(c);
                                    }
                                }
                            }))
                    .build().start();
        } else {
            MoltServer.builder()
                    .policy(NetPolicy.builder().listen(port).build())
                    .host("127.0.0.1").port(port)
                    .get("/hello", req -> Response.text("Hello, World!"))
                    .get("/fanout", req -> {
                        List<Callable<Integer>> subs = List.of(
                                () -> sub(1, false), () -> sub(2, false), () -> sub(3, true));
                        List<Integer> parts = Molt.par(subs);
                        return Response.json("{\"parts\": [" + parts.get(0) + ", " + parts.get(1) + ", "
                                + parts.get(2) + "]}");
                    })
                    .get("/stream", req -> Response.stream(16, out -> {
                        for (byte[] c : CHUNKS) {
                            out.send(c);
                        }
                    }))
                    .get("/mem", req -> Response.text(Long.toString(usedHeapAfterGc())))
                    .websocket("/ws", s -> {
                        for (WsMessage m : s.in()) {
                            s.out().send(m);
                        }
                    })
                    .start();
        }
        System.out.println("ready " + mode + " " + port);
        Thread.currentThread().join();
    }

    /** Heap in use after full collections, for the per-connection memory figure. */
    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static int sub(int n, boolean compute) throws InterruptedException {
        Molt.sleep(Duration.ofMillis(1));
        if (compute) {
            int sum = 0;
            for (int i = 0; i < 1000; i++) {
                sum += i * i;
            }
            return sum;
        }
        return n;
    }
}
