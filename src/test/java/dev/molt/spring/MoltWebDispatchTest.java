package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelToken;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The request filter's later dispatches and NDJSON text against a real Tomcat. */
@Timeout(60)
class MoltWebDispatchTest {

    static ConfigurableApplicationContext start(String... props) {
        return new SpringApplicationBuilder(App.class)
                .properties("server.port=0", "spring.main.banner-mode=off", "server.shutdown=graceful")
                .properties(props).run();
    }

    static int port(ConfigurableApplicationContext ctx) {
        return ((WebServerApplicationContext) ctx).getWebServer().getPort();
    }

    static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(20))
                .build();
    }

    /**
     * A later dispatch of a request (here the ASYNC dispatch of a DeferredResult) runs under the request's token,
     * with the application's runtime current: the filter is registered for REQUEST, ASYNC and ERROR dispatches.
     */
    @Test
    void asyncDispatchRunsUnderTheRequestToken() throws Exception {
        ConfigurableApplicationContext ctx = start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(get(port(ctx), "/deferred"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("deferred");
            Seen seen = ctx.getBean(Seen.class);
            assertThat(seen.requestDispatch.get()).as("REQUEST dispatch under the request token").isEqualTo("token");
            assertThat(seen.asyncDispatch.get()).as("ASYNC dispatch under the request token").isEqualTo("token");
        } finally {
            ctx.close();
        }
    }

    /**
     * docs/spring.md: "NDJSON: each value as JSON (a CharSequence as is), then \\n", for any CharSequence (Spring's
     * text converter writes only Strings, so a StringBuilder once broke the stream).
     */
    @Test
    void ndjsonWritesAnyCharSequenceAsIs() throws Exception {
        ConfigurableApplicationContext ctx = start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(get(port(ctx), "/ndjson-text"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"a\":1}\n{\"b\":2}\n");
        } finally {
            ctx.close();
        }
    }

    /**
     * The ERROR dispatch of a request whose handler threw runs after the request's first dispatch has returned, so
     * under the token that dispatch cancelled: the error page saw {@code Molt.cancelled()} and could not spawn. It
     * runs under a live token of its own (ended with it), as the request filter promises for later dispatches.
     */
    @Test
    void errorDispatchRunsUnderALiveToken() throws Exception {
        ConfigurableApplicationContext ctx = start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(get(port(ctx), "/boom"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(500);
            Seen seen = ctx.getBean(Seen.class);
            assertThat(seen.errorDispatch.get()).as("ERROR dispatch").isEqualTo("live request token, spawned ok");
            assertThat(seen.errorToken.get().cancelled()).as("its token, after the request").isTrue();
        } finally {
            ctx.close();
        }
    }

    /** docs/spring.md: SSE data is "the text for strings": any CharSequence, as for NDJSON. */
    @Test
    void sseWritesAnyCharSequenceAsText() throws Exception {
        ConfigurableApplicationContext ctx = start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(get(port(ctx), "/sse-text"), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body().lines().filter(l -> l.startsWith("data:")).toList())
                    .containsExactly("data:one", "data:two");
        } finally {
            ctx.close();
        }
    }

    /** What the interceptor saw in each dispatch. */
    static final class Seen {
        final AtomicReference<String> requestDispatch = new AtomicReference<>();
        final AtomicReference<String> asyncDispatch = new AtomicReference<>();
        final AtomicReference<String> errorDispatch = new AtomicReference<>();
        final AtomicReference<CancelToken> errorToken = new AtomicReference<>();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(App.Endpoints.class)
    static class App {
        @Bean
        Seen seen() {
            return new Seen();
        }

        @Bean
        WebMvcConfigurer recordTokens(Seen seen, MoltRuntime runtime) {
            return new WebMvcConfigurer() {
                @Override
                public void addInterceptors(InterceptorRegistry registry) {
                    registry.addInterceptor(new HandlerInterceptor() {
                        @Override
                        public boolean preHandle(HttpServletRequest request, HttpServletResponse response,
                                Object handler) {
                            CancelToken t = MoltRequestFilter.requestToken(request);
                            String what = t != null && Molt.currentToken() == t ? "token"
                                    : MoltRuntime.current() == runtime ? "app runtime, other token"
                                    : "runtime " + MoltRuntime.current().name();
                            if (request.getDispatcherType() == DispatcherType.ASYNC) {
                                seen.asyncDispatch.set(what);
                            } else if (request.getDispatcherType() == DispatcherType.REQUEST) {
                                seen.requestDispatch.set(what);
                            }
                            return true;
                        }
                    }).addPathPatterns("/deferred");
                    registry.addInterceptor(new HandlerInterceptor() {
                        @Override
                        public boolean preHandle(HttpServletRequest request, HttpServletResponse response,
                                Object handler) throws Exception {
                            if (request.getDispatcherType() == DispatcherType.ERROR) {
                                CancelToken t = MoltRequestFilter.requestToken(request);
                                seen.errorToken.set(Molt.currentToken());
                                String what = t == null || Molt.currentToken() != t ? "not the request token"
                                        : Molt.cancelled() ? "cancelled request token"
                                        : "live request token, spawned "
                                                + Molt.spawn(() -> "ok").toFuture().exceptionally(e -> "failed").get();
                                seen.errorDispatch.set(what);
                            }
                            return true;
                        }
                    }).addPathPatterns("/error");
                }
            };
        }

        @RestController
        static class Endpoints {
            private final Seen seen;

            Endpoints(Seen seen) {
                this.seen = seen;
            }

            @GetMapping("/deferred")
            DeferredResult<String> deferred() {
                DeferredResult<String> result = new DeferredResult<>();
                Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    result.setResult("deferred");
                });
                return result;
            }

            @GetMapping("/boom")
            String boom() {
                throw new IllegalStateException("boom");
            }

            @GetMapping("/sse-text")
            dev.molt.ReceiveChannel<CharSequence> sseText() {
                dev.molt.Channel<CharSequence> ch = Molt.channel(4);
                Molt.spawn(() -> {
                    try {
                        ch.send(new StringBuilder("one"));
                        ch.send(new StringBuilder("two"));
                    } finally {
                        ch.close();
                    }
                });
                return ch;
            }

            @GetMapping(path = "/ndjson-text", produces = "application/x-ndjson")
            dev.molt.ReceiveChannel<CharSequence> ndjsonText() {
                dev.molt.Channel<CharSequence> ch = Molt.channel(4);
                Molt.spawn(() -> {
                    try {
                        ch.send(new StringBuilder("{\"a\":1}"));
                        ch.send(new StringBuilder("{\"b\":2}"));
                    } finally {
                        ch.close();
                    }
                });
                return ch;
            }
        }
    }
}
