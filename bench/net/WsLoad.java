import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket load for bench/net/run, to 127.0.0.1 only.
 *
 * <pre>
 *   idle PORT N   opens N WebSocket sessions (HTTP upgrade on plain sockets, no thread per socket), prints
 *                 "opened N", then holds them until its standard input closes
 *   echo PORT M   one active JDK WebSocket client: M text round trips in sequence; prints p50/p99 in ms
 * </pre>
 */
public final class WsLoad {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        if (args[0].equals("idle")) {
            idle(port, n);
        } else {
            echo(port, n);
        }
    }

    private static void idle(int port, int n) throws Exception {
        List<Socket> sockets = new ArrayList<>(n);
        byte[] upgrade = ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(upgrade);
            out.flush();
            InputStream in = s.getInputStream();
            String status = readHead(in);
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("upgrade " + i + " refused: " + status);
            }
            sockets.add(s);
        }
        System.out.println("opened " + sockets.size());
        System.out.flush();
        System.in.read(); // hold until the script closes our standard input
        for (Socket s : sockets) {
            s.close();
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            sb.append((char) b);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return sb.toString();
    }

    private static void echo(int port, int rounds) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Listener listener = new Listener();
        WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), listener).get(10, TimeUnit.SECONDS);
        long[] nanos = new long[rounds];
        for (int i = -200; i < rounds; i++) { // 200 rounds of warm-up
            CompletableFuture<String> reply = new CompletableFuture<>();
            listener.next = reply;
            long t0 = System.nanoTime();
            ws.sendText("ping " + i, true).get(10, TimeUnit.SECONDS);
            reply.get(10, TimeUnit.SECONDS);
            if (i >= 0) {
                nanos[i] = System.nanoTime() - t0;
            }
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        Arrays.sort(nanos);
        System.out.printf("echo p50=%.2fms p99=%.2fms max=%.2fms n=%d%n", nanos[rounds / 2] / 1e6,
                nanos[(int) (rounds * 0.99)] / 1e6, nanos[rounds - 1] / 1e6, rounds);
        http.shutdownNow();
    }

    private static final class Listener implements WebSocket.Listener {
        volatile CompletableFuture<String> next;

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            next.complete(data.toString());
            webSocket.request(1);
            return null;
        }
    }
}
