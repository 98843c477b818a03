package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.internal.Token;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;

/** The handler's own bookkeeping, without a server. */
@Timeout(30)
class ChannelReturnValueHandlerTest {

    /** Without the request filter a stream makes its own child of the root token: a failed start must not keep it. */
    @Test
    void aStreamThatFailsToStartLeavesNoTokenOnTheRoot() throws Exception {
        MoltRuntime rt = MoltRuntime.create("stream-start-fails");
        HandlerMethodReturnValueHandler failingEmitterHandler = new HandlerMethodReturnValueHandler() {
            @Override
            public boolean supportsReturnType(org.springframework.core.MethodParameter returnType) {
                return true;
            }

            @Override
            public void handleReturnValue(Object value, org.springframework.core.MethodParameter returnType,
                    ModelAndViewContainer container, org.springframework.web.context.request.NativeWebRequest web) {
                throw new IllegalStateException("the response could not start");
            }
        };
        ChannelReturnValueHandler handler =
                new ChannelReturnValueHandler(rt, failingEmitterHandler, new MoltProperties.Streaming());
        ServletWebRequest web = new ServletWebRequest(new MockHttpServletRequest("GET", "/s"),
                new MockHttpServletResponse());
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> handler.handleReturnValue(Molt.channel(1), null, new ModelAndViewContainer(), web))
                    .hasMessage("the response could not start");
        }
        assertThat(((Token) rt.rootToken()).listenerCount()).isZero();
        assertThat(rt.shutdown(Duration.ofSeconds(5))).isTrue();
    }
}
