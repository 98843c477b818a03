package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.MoltRuntime;
import dev.molt.Task;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Closing a running web application waits for Molt tasks to finish their clean-up. */
@Timeout(60)
class MoltGracefulShutdownTest {

    @Test
    void contextCloseWaitsForARunningTask() throws Exception {
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(TestApp.class)
                .properties("server.port=0", "molt.shutdown.grace=10s", "spring.main.banner-mode=off")
                .run();
        Task<?> task;
        MoltRuntime runtime;
        try (HttpClient http = HttpClient.newHttpClient()) {
            int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/background?task=bg")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("started");
            task = ctx.getBean(TestApp.Tasks.class).get("bg");
            runtime = ctx.getBean(MoltRuntime.class);
            assertThat(task.isDone()).isFalse();
        } finally {
            long start = System.nanoTime();
            ctx.close();
            System.out.println("[measure] context close took " + (System.nanoTime() - start) / 1_000_000
                    + " ms with a task needing 300 ms of clean-up");
        }
        // close returned only after the task had ended: it was cancelled, then ran its 300 ms clean-up.
        assertThat(task.isDone()).isTrue();
        assertThat(task.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(runtime.isShutdown()).isTrue();
        assertThat(runtime.liveTasks()).isZero();
    }
}
