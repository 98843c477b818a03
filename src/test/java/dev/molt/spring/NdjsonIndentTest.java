package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;

/**
 * NDJSON is one JSON value per line, also in an application that indents its JSON (a common development setting):
 * each value was written as the indented JSON, over several lines.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.jackson.serialization.indent-output=true"})
@Timeout(60)
class NdjsonIndentTest {
    @LocalServerPort
    int port;

    @Test
    void ndjsonValuesStayOnOneLineWhenTheApplicationIndentsJson() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/numbers?n=3")).header("Accept", "application/x-ndjson")
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
            assertThat(r.body()).endsWith("\n");
            assertThat(r.body().lines().toList()).hasSize(3);
            int i = 0;
            for (String line : r.body().lines().toList()) {
                assertThat(JsonMapper.shared().readTree(line).get("n").asInt()).as(line).isEqualTo(i++);
            }
        }
    }
}
