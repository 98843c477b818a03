package dev.molt.net;

import static dev.molt.net.NetTesting.LOCAL;
import static dev.molt.net.NetTesting.server;
import static dev.molt.net.NetTesting.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.CancelledException;
import dev.molt.Molt;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NetClientTest {

    @Test
    void connectsOnlyToAllowedHostsAndNeverFollowsRedirectsByItself() throws Exception {
        try (MoltServer server = server()
                .get("/hi", req -> Response.text("hi"))
                .get("/away", req -> Response.status(302).header("Location", "http://169.254.169.254/"))
                .start();
                NetClient allowed = NetClient.create(LOCAL);
                NetClient denied = NetClient.create(NetPolicy.denyAll())) {
            assertThat(allowed.get(uri(server, "/hi")).body()).isEqualTo("hi");
            assertThat(allowed.get(uri(server, "/away")).statusCode()).isEqualTo(302);
            assertThatThrownBy(() -> allowed.get(URI.create("http://169.254.169.254/latest/meta-data")))
                    .isInstanceOf(NetAccessDeniedException.class).hasMessageContaining("169.254.169.254:80");
            assertThatThrownBy(() -> denied.get(uri(server, "/hi"))).isInstanceOf(NetAccessDeniedException.class);
        }
    }

    @Test
    void sendIsACancellationPoint() throws Exception {
        CompletableFuture<Boolean> serverSawCancel = new CompletableFuture<>();
        try (MoltServer server = server()
                .get("/slow", req -> {
                    try {
                        Molt.sleep(Duration.ofSeconds(20));
                    } finally {
                        serverSawCancel.complete(true);
                    }
                    return Response.text("late");
                })
                .start();
                NetClient http = NetClient.create(LOCAL)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> Molt.timeout(Duration.ofMillis(200), () -> http.get(uri(server, "/slow"))))
                    .isInstanceOfAny(TimeoutException.class, CancelledException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
            server.stop(Duration.ofMillis(100));
            assertThat(serverSawCancel.get(5, TimeUnit.SECONDS)).isTrue();
        }
    }
}
