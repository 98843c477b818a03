package dev.molt.net;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class NetPolicyTest {

    @Test
    void denyAllRefusesEverythingWithAClearMessage() {
        NetPolicy p = NetPolicy.denyAll();
        assertThatThrownBy(() -> p.checkListen(8080)).isInstanceOf(NetAccessDeniedException.class)
                .hasMessageContaining("port 8080").hasMessageContaining("listen(8080)");
        assertThatThrownBy(() -> p.checkConnect(URI.create("http://169.254.169.254/latest/meta-data")))
                .isInstanceOf(NetAccessDeniedException.class).hasMessageContaining("169.254.169.254:80")
                .hasMessageContaining("allow-list");
    }

    @Test
    void grantsExactlyWhatWasNamed() {
        NetPolicy p = NetPolicy.builder().listen(0, 8080).connect("API.example.com").connect("db.local:5432")
                .connect("*.cdn.example.org").connect("[::1]:9000").build();
        assertThatCode(() -> p.checkListen(0)).doesNotThrowAnyException();
        assertThatCode(() -> p.checkListen(8080)).doesNotThrowAnyException();
        assertThatThrownBy(() -> p.checkListen(8081)).isInstanceOf(NetAccessDeniedException.class);

        assertThatCode(() -> p.checkConnect(URI.create("wss://api.example.com/x"))).doesNotThrowAnyException();
        assertThatCode(() -> p.checkConnect("db.local", 5432)).doesNotThrowAnyException();
        assertThatThrownBy(() -> p.checkConnect("db.local", 5433)).isInstanceOf(NetAccessDeniedException.class);
        assertThatCode(() -> p.checkConnect("a.cdn.example.org", 443)).doesNotThrowAnyException();
        assertThatThrownBy(() -> p.checkConnect("cdn.example.org", 443))
                .isInstanceOf(NetAccessDeniedException.class);
        assertThatThrownBy(() -> p.checkConnect("evilcdn.example.org", 443))
                .isInstanceOf(NetAccessDeniedException.class);
        assertThatThrownBy(() -> p.checkConnect("api.example.com.evil.net", 443))
                .isInstanceOf(NetAccessDeniedException.class);
        assertThatCode(() -> p.checkConnect(URI.create("ws://[::1]:9000/"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> p.checkConnect(URI.create("file:///etc/passwd")))
                .isInstanceOf(NetAccessDeniedException.class);
    }

    /** An IPv6 rule with a port grants that address on that port only, not another address on every port. */
    @Test
    void anIpv6RuleWithAPortIsNotAnotherAddressOnAnyPort() {
        NetPolicy p = NetPolicy.builder().connect("[::1]:9000").connect("[fd00::2]").build();
        assertThatCode(() -> p.checkConnect(URI.create("ws://[::1]:9000/"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> p.checkConnect(URI.create("http://[::1]:22/")))
                .isInstanceOf(NetAccessDeniedException.class);
        // ::1:9000 is the address 0:0:0:0:0:0:1:9000, which no rule names
        assertThatThrownBy(() -> p.checkConnect(URI.create("http://[::1:9000]:22/")))
                .isInstanceOf(NetAccessDeniedException.class);
        assertThatThrownBy(() -> p.checkConnect("::1:9000", 22)).isInstanceOf(NetAccessDeniedException.class);
        assertThatCode(() -> p.checkConnect(URI.create("http://[fd00::2]:22/"))).doesNotThrowAnyException();
        assertThatCode(() -> p.checkConnect("fd00::2", 8080)).doesNotThrowAnyException();
    }

    @Test
    void readsSystemProperties() {
        System.setProperty(NetPolicy.LISTEN_PROPERTY, "9001, 0");
        System.setProperty(NetPolicy.CONNECT_PROPERTY, "127.0.0.1");
        try {
            NetPolicy p = NetPolicy.fromSystemProperties();
            assertThatCode(() -> p.checkListen(9001)).doesNotThrowAnyException();
            assertThatCode(() -> p.checkConnect("127.0.0.1", 1)).doesNotThrowAnyException();
            assertThatThrownBy(() -> p.checkListen(9002)).isInstanceOf(NetAccessDeniedException.class);
        } finally {
            System.clearProperty(NetPolicy.LISTEN_PROPERTY);
            System.clearProperty(NetPolicy.CONNECT_PROPERTY);
        }
    }

    @Test
    void badInput() {
        assertThatThrownBy(() -> NetPolicy.builder().listen(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetPolicy.builder().connect("*")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetPolicy.builder().connect("h:x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetPolicy.builder().connect(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("rule");
    }
}
