package dev.molt.spring;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link MoltWebTest} again, with Tomcat's request threads virtual ({@code spring.threads.virtual.enabled}). */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"molt.streaming.heartbeat=200ms", "molt.streaming.send-timeout=1s", "molt.shutdown.grace=5s",
                "management.endpoints.web.exposure.include=molt,health",
                "spring.threads.virtual.enabled=true"})
class MoltWebVirtualThreadsTest extends MoltWebTest {
    @Override
    boolean virtualThreadsExpected() {
        return true;
    }
}
