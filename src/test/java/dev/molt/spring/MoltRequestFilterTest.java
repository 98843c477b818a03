package dev.molt.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.molt.Action;
import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.mock.web.MockAsyncContext;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The request filter's signals, one by one, on Spring's servlet mocks. */
@Timeout(30)
class MoltRequestFilterTest {
    private final MoltRuntime runtime = MoltRuntime.create("filter-test");
    private final AtomicReference<CancelToken> seen = new AtomicReference<>();

    @AfterEach
    void shutdown() throws InterruptedException {
        assertThat(runtime.shutdown(Duration.ofSeconds(5))).isTrue();
    }

    private MockFilterChain chain(Action body) {
        return new MockFilterChain(new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                seen.set(Molt.currentToken());
                try {
                    body.run();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    private static MockHttpServletRequest asyncRequest() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/x");
        request.setAsyncSupported(true);
        return request;
    }

    @Test
    void theRequestRunsUnderAChildOfTheRootTokenWhichIsCancelledWhenItEnds() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/x");
        new MoltRequestFilter(runtime, null, 0).doFilter(request, new MockHttpServletResponse(),
                chain(() -> assertThat(MoltRuntime.current()).isSameAs(runtime)));
        CancelToken token = seen.get();
        assertThat(token).isNotNull().isNotSameAs(runtime.rootToken()).isSameAs(MoltRequestFilter.requestToken(request));
        assertThat(token.cancelled()).isTrue();
        assertThat(runtime.rootToken().cancelled()).isFalse();
    }

    @Test
    void requestTimeoutCancelsTheToken() throws Exception {
        MoltRequestFilter filter = new MoltRequestFilter(runtime, Duration.ofMillis(100), 0);
        assertThatThrownBy(() -> filter.doFilter(new MockHttpServletRequest("GET", "/x"), new MockHttpServletResponse(),
                chain(() -> Molt.sleep(Duration.ofSeconds(20))))).isInstanceOf(CancelledException.class);
        assertThat(seen.get().reason()).isInstanceOf(TimeoutException.class);
    }

    @Test
    void anAsyncRequestKeepsItsTokenUntilItCompletes() throws Exception {
        MockHttpServletRequest request = asyncRequest();
        new MoltRequestFilter(runtime, null, 0).doFilter(request, new MockHttpServletResponse(),
                chain(() -> request.startAsync()));
        CancelToken token = seen.get();
        assertThat(token.cancelled()).isFalse();
        ((MockAsyncContext) request.getAsyncContext()).complete();
        assertThat(token.cancelled()).isTrue();
    }

    @Test
    void asyncTimeoutAndErrorCancelWithTheirReasons() throws Exception {
        MockHttpServletRequest timedOut = asyncRequest();
        new MoltRequestFilter(runtime, null, 0).doFilter(timedOut, new MockHttpServletResponse(),
                chain(() -> timedOut.startAsync()));
        CancelToken t1 = seen.get();
        for (AsyncListener l : ((MockAsyncContext) timedOut.getAsyncContext()).getListeners()) {
            l.onTimeout(new AsyncEvent(timedOut.getAsyncContext()));
        }
        assertThat(t1.reason()).isInstanceOf(TimeoutException.class);

        MockHttpServletRequest failed = asyncRequest();
        new MoltRequestFilter(runtime, null, 0).doFilter(failed, new MockHttpServletResponse(),
                chain(() -> failed.startAsync()));
        CancelToken t2 = seen.get();
        IOException gone = new IOException("connection reset by peer");
        for (AsyncListener l : ((MockAsyncContext) failed.getAsyncContext()).getListeners()) {
            l.onError(new AsyncEvent(failed.getAsyncContext(), gone));
        }
        assertThat(t2.reason()).isSameAs(gone);
    }

    @Test
    void aLaterDispatchRunsUnderTheSameToken() throws Exception {
        MockHttpServletRequest request = asyncRequest();
        MoltRequestFilter filter = new MoltRequestFilter(runtime, null, 0);
        filter.doFilter(request, new MockHttpServletResponse(), chain(() -> request.startAsync()));
        CancelToken first = seen.get();
        filter.doFilter(request, new MockHttpServletResponse(), chain(() -> { }));
        assertThat(seen.get()).isSameAs(first);
        assertThat(first.cancelled()).isFalse(); // left to the dispatch that made it
    }

    @Test
    void shutdownCancelsRunningRequests() throws Exception {
        MockHttpServletRequest request = asyncRequest();
        new MoltRequestFilter(runtime, null, 0).doFilter(request, new MockHttpServletResponse(),
                chain(() -> request.startAsync()));
        runtime.shutdown(Duration.ofSeconds(1));
        assertThat(seen.get().cancelled()).isTrue();
    }
}
