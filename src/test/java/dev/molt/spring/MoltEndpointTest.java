package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code molt} actuator endpoint over HTTP, with the JSON mapper Spring Boot uses for it. */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"molt.streaming.heartbeat=200ms", "molt.streaming.send-timeout=1s", "molt.shutdown.grace=5s",
                "management.endpoints.web.exposure.include=molt,health"})
@Timeout(120)
class MoltEndpointTest {
    @LocalServerPort
    int port;

    @Autowired
    MoltRuntime runtime;

    HttpResponse<String> get(String path) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /**
     * A chain of tasks, each spawned by the one before, is as deep in the dump as it is long; Jackson 3 (Spring Boot
     * 4) refuses to write JSON nested deeper than 500 levels, so a nested task tree failed the whole endpoint.
     */
    @Test
    void aChainOfThousandsOfTasksIsDumped() throws Exception {
        int depth = 3000;
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch allStarted = new CountDownLatch(depth);
        List<Task<?>> chain = new CopyOnWriteArrayList<>();
        chain.add(runtime.run(() -> Molt.spawn("link-1", () -> link(1, depth, release, allStarted, chain))));
        try {
            assertThat(allStarted.await(60, TimeUnit.SECONDS)).as("the chain started").isTrue();
            HttpResponse<String> r = get("/actuator/molt");
            assertThat(r.statusCode()).as("status; body starts %s", r.body().substring(0, Math.min(300, r.body().length())))
                    .isEqualTo(200);
            System.out.println("[measure] /actuator/molt with a chain of " + depth + " tasks: " + r.body().length() + " chars");
            JsonNode body = JsonMapper.shared().readTree(r.body());
            assertThat(body.get("runtime").asString()).isEqualTo("spring");
            assertThat(body.get("text").asString()).contains("\"link-" + depth + "\"");
            // The chain, flat: each link's parent is the link before it, one level deeper.
            Map<String, JsonNode> byName = new HashMap<>();
            for (JsonNode n : body.get("nodes")) {
                if (n.get("kind").asString().equals("task")) {
                    byName.put(n.get("name").asString(), n);
                }
            }
            JsonNode root = body.get("nodes").get(0);
            assertThat(root.get("kind").asString()).isEqualTo("root");
            assertThat(root.hasNonNull("parent")).isFalse(); // the actuator leaves nulls out
            assertThat(byName.get("link-1").get("parent").asInt()).isEqualTo(root.get("index").asInt());
            for (int k = 2; k <= depth; k++) {
                JsonNode link = byName.get("link-" + k);
                JsonNode before = byName.get("link-" + (k - 1));
                assertThat(link.get("parent").asInt()).as("link-%d's parent", k).isEqualTo(before.get("index").asInt());
                assertThat(link.get("depth").asInt()).isEqualTo(k);
                assertThat(link.get("state").asString()).isEqualTo("RUNNING");
            }
        } finally {
            release.countDown();
            for (Task<?> t : chain) {
                t.toFuture().exceptionally(e -> null).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The flat list is in the order of the text: a node, then its tasks, then its scopes, each after its parent. */
    @Test
    void nodesAreFlatInTheOrderOfTheText() throws Exception {
        MoltRuntime rt = MoltRuntime.create("endpoint-shape");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(3);
        try {
            rt.run(() -> Molt.spawn("outer", () -> {
                Molt.spawn("loose", () -> {
                    started.countDown();
                    release.await();
                });
                Molt.scope(s -> {
                    s.spawn("inner-a", () -> {
                        started.countDown();
                        release.await();
                    });
                    s.spawn("inner-b", () -> {
                        started.countDown();
                        release.await();
                    });
                    return null;
                });
            }));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            MoltEndpoint.MoltDumpDescriptor d = new MoltEndpoint(rt).dump();
            List<String> seen = d.nodes().stream()
                    .map(n -> n.depth() + ":" + (n.kind().equals("task") ? n.name() : n.kind()) + "<"
                            + (n.parent() == null ? "-" : d.nodes().get(n.parent()).kind().equals("task")
                                    ? d.nodes().get(n.parent()).name() : d.nodes().get(n.parent()).kind()))
                    .toList();
            assertThat(seen).containsExactly("0:root<-", "1:outer<root", "2:loose<outer", "2:scope<outer",
                    "3:inner-a<scope", "3:inner-b<scope");
            for (int i = 0; i < d.nodes().size(); i++) {
                assertThat(d.nodes().get(i).index()).isEqualTo(i);
            }
            assertThat(d.nodes().get(1).id()).isNotNull();
            assertThat(d.nodes().get(1).state()).isEqualTo(Task.State.RUNNING);
            assertThat(d.nodes().get(3).id()).isNull();
            assertThat(d.text()).isEqualTo(rt.dump().toString());
        } finally {
            release.countDown();
            assertThat(rt.shutdown(Duration.ofSeconds(10))).isTrue();
        }
    }

    private static void link(int n, int depth, CountDownLatch release, CountDownLatch allStarted, List<Task<?>> chain)
            throws InterruptedException {
        if (n < depth) {
            chain.add(Molt.spawn("link-" + (n + 1), () -> link(n + 1, depth, release, allStarted, chain)));
        }
        allStarted.countDown();
        release.await();
    }
}
