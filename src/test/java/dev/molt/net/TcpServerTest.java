package dev.molt.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.Molt;
import dev.molt.MoltRuntime;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TcpServerTest {

    private static TcpServer.Builder server() {
        return TcpServer.builder().policy(NetTesting.LOCAL).host("127.0.0.1");
    }

    @Test
    void aTaskPerConnectionServesALineProtocol() throws Exception {
        try (TcpServer server = server().handler(socket -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            String line;
            while ((line = in.readLine()) != null && !Molt.cancelled()) {
                out.println(line.toUpperCase());
            }
        }).start()) {
            for (int i = 0; i < 3; i++) {
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(5_000);
                    PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.UTF_8));
                    out.println("hello " + i);
                    assertThat(in.readLine()).isEqualTo("HELLO " + i);
                }
            }
        }
    }

    @Test
    void listeningNeedsAGrantedPort() {
        assertThatThrownBy(() -> TcpServer.builder().policy(NetPolicy.denyAll()).handler(s -> { }).start())
                .isInstanceOf(NetAccessDeniedException.class);
    }

    @Test
    void stopCancelsConnectionsAfterTheGracePeriodAndClosesTheirSockets() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        CompletableFuture<Boolean> handlerSawCancel = new CompletableFuture<>();
        TcpServer server = server().handler(socket -> {
            connected.countDown();
            try {
                socket.getInputStream().read(); // blocks: the client sends nothing
            } finally {
                handlerSawCancel.complete(Molt.cancelled());
            }
        }).start();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5_000);
            assertThat(connected.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(server.connections()).isEqualTo(1);
            long t0 = System.nanoTime();
            assertThat(server.stop(Duration.ofMillis(200))).isTrue(); // cancelled after the grace period, then ended
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_000);
            assertThat(handlerSawCancel.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(s.getInputStream().read()).as("the server closed the connection").isEqualTo(-1);
            assertThat(server.connections()).isZero();
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close())
                .as("no longer listening").isInstanceOf(java.net.ConnectException.class);
    }

    /** A grace of centuries means "wait as long as it takes", as for MoltServer, not ArithmeticException. */
    @Test
    void stopWithAVeryLongGraceStops() throws Exception {
        TcpServer server = server().handler(socket -> socket.getOutputStream().write('x')).start();
        assertThat(server.stop(Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
        assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close())
                .isInstanceOf(java.net.ConnectException.class);
    }

    /** A handler that fails with an Error ends its own connection only: the server goes on accepting. */
    @Test
    void aHandlerErrorEndsOnlyItsConnection() throws Exception {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        try (TcpServer server = server().handler(socket -> {
            if (n.getAndIncrement() == 0) {
                throw new AssertionError("a handler's Error (expected by the test)");
            }
            socket.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
        }).start()) {
            try (Socket first = new Socket("127.0.0.1", server.port())) {
                first.setSoTimeout(5_000);
                assertThat(first.getInputStream().read()).isEqualTo(-1);
            }
            try (Socket second = new Socket("127.0.0.1", server.port())) {
                second.setSoTimeout(5_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(second.getInputStream(),
                        StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("hi");
            }
        }
    }

    /** A stop interrupted while it waits out the grace still cancels the connections (no task left behind). */
    @Test
    void anInterruptedStopStillCancelsTheConnections() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        CompletableFuture<Boolean> handlerEnded = new CompletableFuture<>();
        TcpServer server = server().handler(socket -> {
            connected.countDown();
            try {
                socket.getInputStream().read(); // blocks: the client sends nothing
            } finally {
                handlerEnded.complete(true);
            }
        }).start();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            assertThat(connected.await(5, TimeUnit.SECONDS)).isTrue();
            Thread.currentThread().interrupt();
            server.close(); // stop(5 s), interrupted at once
            assertThat(Thread.interrupted()).as("close keeps the interrupt").isTrue();
            assertThat(handlerEnded.get(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** A start the runtime refuses (it is shut down) fails and leaves the port free. */
    @Test
    void aRefusedStartLeavesThePortFree() throws Exception {
        MoltRuntime stopped = MoltRuntime.create("stopped");
        assertThat(stopped.shutdown(Duration.ofSeconds(1))).isTrue();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        NetPolicy anyPort = NetPolicy.builder().listenAnyPort().build();
        assertThatThrownBy(() -> TcpServer.builder().policy(anyPort).runtime(stopped).host("127.0.0.1").port(port)
                .handler(socket -> { }).start())
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(false);
            again.bind(new InetSocketAddress("127.0.0.1", port)); // throws BindException if still bound
        }
    }

    /** An accept that fails (say, too many open files) does not end the server: it pauses and accepts again. */
    @Test
    void aFailedAcceptIsRetriedAndTheServerGoesOn() throws Exception {
        java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger(3);
        NetPolicy anyPort = NetPolicy.builder().listenAnyPort().build();
        try (TcpServer server = TcpServer.builder().policy(anyPort).host("127.0.0.1").port(0)
                .listenerFactory(() -> new ServerSocket() {
                    @Override
                    public Socket accept() throws java.io.IOException {
                        if (failuresLeft.getAndDecrement() > 0) {
                            throw new java.io.IOException("Too many open files (a test's)");
                        }
                        return super.accept();
                    }
                })
                .handler(socket -> socket.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8)))
                .start();
                Socket client = new Socket("127.0.0.1", server.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("hi");
            assertThat(failuresLeft.get()).isNegative(); // the three failures came first
        }
    }
}
