package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Task;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A stream whose request token is cancelled with a timeout ({@code molt.web.request-timeout}) while a write is
 * in progress: that is the request's deadline, not the write's, so the response ends normally once the write is
 * done (ChannelStream: "the writer's token is cancelled (... a request timeout ...): the response completes
 * normally").
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"molt.web.request-timeout=1s", "molt.streaming.send-timeout=30s", "molt.shutdown.grace=5s"})
@Timeout(60)
class ChannelStreamTimeoutTest {
    @LocalServerPort
    int port;

    @Autowired
    TestApp.Tasks tasks;

    @Test
    void aRequestTimeoutDuringAWriteIsNotTakenForAMissedSendDeadline() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("localhost", port), 5000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET /big?task=timed-big HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            in.read(new byte[1024]); // the stream has started; now read nothing while the request times out
            Thread.sleep(2500);
            Task<?> producer = tasks.get("timed-big");
            assertThat(producer.isDone()).as("producer cancelled by the request timeout").isTrue();
            assertThat(producer.state()).isEqualTo(Task.State.CANCELLED);
            // Read again: the write in progress finishes, and the response ends with its last chunk.
            byte[] rest = in.readAllBytes();
            String tail = new String(rest, Math.max(0, rest.length - 64), Math.min(64, rest.length),
                    StandardCharsets.US_ASCII);
            assertThat(tail).as("the end of the response").endsWith("0\r\n\r\n");
        }
    }
}
