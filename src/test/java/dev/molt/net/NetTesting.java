package dev.molt.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Helpers for tests on real sockets on 127.0.0.1. */
final class NetTesting {
    static final NetPolicy LOCAL = NetPolicy.builder().listen(0).connect("127.0.0.1").build();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private NetTesting() {
    }

    static MoltServer.Builder server() {
        return MoltServer.builder().policy(LOCAL).host("127.0.0.1").port(0);
    }

    static HttpResponse<String> get(MoltServer server, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(MoltServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** Sends a raw request and returns the open socket, for tests that control reading (or not reading). */
    static Socket raw(MoltServer server, String request) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(10_000);
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        return s;
    }

    /** Reads until {@code marker} was seen (or EOF); returns what was read. */
    static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            sb.append((char) b);
            if (sb.indexOf(marker) >= 0) {
                break;
            }
        }
        return sb.toString();
    }
}
