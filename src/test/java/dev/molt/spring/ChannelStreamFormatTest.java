package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * docs/spring.md: NDJSON "when the method produces only that, or the request's Accept names application/x-ndjson
 * and not text/event-stream"; ChannelReturnValueHandler: "or the request's Accept asks for it and not for SSE".
 * An Accept that names both must give SSE.
 */
@Timeout(10)
class ChannelStreamFormatTest {

    static ChannelStream.Format formatFor(String accept) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/stream");
        request.addHeader("Accept", accept);
        return ChannelReturnValueHandler.formatFor(request);
    }

    @Test
    void acceptNamingBothGivesSse() {
        assertThat(formatFor("text/event-stream, application/x-ndjson")).isEqualTo(ChannelStream.Format.SSE);
        assertThat(formatFor("application/x-ndjson, text/event-stream")).isEqualTo(ChannelStream.Format.SSE);
    }

    @Test
    void acceptNamingOnlyNdjsonGivesNdjson() {
        assertThat(formatFor("application/x-ndjson")).isEqualTo(ChannelStream.Format.NDJSON);
        assertThat(formatFor("application/x-ndjson, */*;q=0.1")).isEqualTo(ChannelStream.Format.NDJSON);
    }
}
