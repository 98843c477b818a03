package dev.molt.net;

import java.net.URI;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The network capabilities granted to a server or client: which ports it may listen on and which hosts it may
 * connect to. Everything is denied unless granted (deny by default), so untrusted input (a URL in a request, say)
 * can never make the service listen or connect anywhere the configuration did not name (no SSRF).
 *
 * <p>Connect rules match the host <em>as written</em> in the target URI (case-insensitive), optionally with a port:
 * {@code "api.example.com"} (any port), {@code "api.example.com:443"}, or a suffix wildcard
 * {@code "*.example.com"} (sub-domains only, not {@code example.com} itself). Rules are not resolved through DNS.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * NetPolicy policy = NetPolicy.builder().listen(8080).connect("127.0.0.1").build();
 * }</pre>
 */
public final class NetPolicy {
    /** System property holding a comma-separated list of granted listen ports ({@code 0} grants ephemeral ports). */
    public static final String LISTEN_PROPERTY = "molt.net.listen";
    /** System property holding a comma-separated list of connect rules ({@code host}, {@code host:port}). */
    public static final String CONNECT_PROPERTY = "molt.net.connect";

    private static final NetPolicy DENY_ALL = new NetPolicy(Set.of(), false, Set.of());

    private final Set<Integer> listenPorts;
    private final boolean anyPort;
    private final Set<String> connectRules;

    private NetPolicy(Set<Integer> listenPorts, boolean anyPort, Set<String> connectRules) {
        this.listenPorts = Set.copyOf(listenPorts);
        this.anyPort = anyPort;
        this.connectRules = Set.copyOf(connectRules);
    }

    /** @return a policy that grants nothing */
    public static NetPolicy denyAll() {
        return DENY_ALL;
    }

    /**
     * The policy given by configuration: the system properties {@value #LISTEN_PROPERTY} (ports, or {@code *}) and
     * {@value #CONNECT_PROPERTY} (connect rules); when neither is set, {@link #denyAll()}.
     *
     * @return the configured policy
     * @throws IllegalArgumentException if a property holds a malformed port or rule
     */
    public static NetPolicy fromSystemProperties() {
        Builder b = builder();
        for (String p : split(System.getProperty(LISTEN_PROPERTY))) {
            if (p.equals("*")) {
                b.listenAnyPort();
            } else {
                try {
                    b.listen(Integer.parseInt(p));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(LISTEN_PROPERTY + ": not a port: " + p, e);
                }
            }
        }
        for (String r : split(System.getProperty(CONNECT_PROPERTY))) {
            b.connect(r);
        }
        return b.build();
    }

    private static String[] split(String value) {
        if (value == null || value.isBlank()) {
            return new String[0];
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    /** @return a builder that starts from nothing granted */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks that listening on {@code port} is granted ({@code 0}, an ephemeral port, must be granted as such).
     *
     * @param port the port to listen on
     * @throws NetAccessDeniedException if it is not granted
     * @throws IllegalArgumentException if {@code port} is outside 0..65535
     */
    public void checkListen(int port) {
        Checks.port(port);
        if (!anyPort && !listenPorts.contains(port)) {
            throw new NetAccessDeniedException("listening on port " + port + " is not granted by this NetPolicy"
                    + " (grant it with NetPolicy.builder().listen(" + port + ") or -D" + LISTEN_PROPERTY + "="
                    + port + ")");
        }
    }

    /**
     * Checks that connecting to {@code host:port} is granted.
     *
     * @param host the host as written in the target (name or literal address)
     * @param port the port, or -1 if unknown
     * @throws NetAccessDeniedException if no rule allows it
     * @throws NullPointerException if {@code host} is null
     */
    public void checkConnect(String host, int port) {
        Objects.requireNonNull(host, "host");
        String h = normalizeHost(host);
        if (connectRules.contains(h) || (port >= 0 && connectRules.contains(h + ":" + port))) {
            return;
        }
        for (String rule : connectRules) {
            if (rule.startsWith("*.")) {
                int colon = rule.lastIndexOf(':');
                String suffix = colon > 0 ? rule.substring(1, colon) : rule.substring(1);
                boolean portOk = colon < 0 || rule.substring(colon + 1).equals(Integer.toString(port));
                if (portOk && h.endsWith(suffix) && h.length() > suffix.length()) {
                    return;
                }
            }
        }
        String target = port >= 0 ? h + ":" + port : h;
        throw new NetAccessDeniedException("connecting to " + target + " is not granted: the host is not on the"
                + " allow-list of this NetPolicy (grant it with NetPolicy.builder().connect(\"" + h + "\") or -D"
                + CONNECT_PROPERTY + "=" + h + ")");
    }

    /**
     * Checks that connecting to the host and port of {@code uri} is granted (default ports: 80 for http/ws,
     * 443 for https/wss).
     *
     * @param uri the target
     * @throws NetAccessDeniedException if no rule allows it, or the URI has no host
     * @throws NullPointerException if {@code uri} is null
     */
    public void checkConnect(URI uri) {
        Objects.requireNonNull(uri, "uri");
        if (uri.getHost() == null) {
            throw new NetAccessDeniedException("connecting to " + uri + " is not granted: the URI has no host");
        }
        int port = uri.getPort();
        if (port < 0 && uri.getScheme() != null) {
            port = switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
                case "http", "ws" -> 80;
                case "https", "wss" -> 443;
                default -> -1;
            };
        }
        checkConnect(uri.getHost(), port);
    }

    private static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.indexOf(':') >= 0 ? "[" + h + "]" : h; // an IPv6 literal, in brackets as rules keep it
    }

    @Override
    public String toString() {
        return "NetPolicy[listen=" + (anyPort ? "*" : listenPorts) + ", connect=" + connectRules + "]";
    }

    /** Builds a {@link NetPolicy}; not thread-safe. */
    public static final class Builder {
        private final Set<Integer> ports = new HashSet<>();
        private boolean anyPort;
        private final Set<String> rules = new HashSet<>();

        private Builder() {
        }

        /**
         * Grants listening on these ports; {@code 0} grants ephemeral ports (chosen by the system).
         *
         * @param ports the ports
         * @return this builder
         * @throws IllegalArgumentException if a port is outside 0..65535
         */
        public Builder listen(int... ports) {
            for (int p : ports) {
                Checks.port(p);
                this.ports.add(p);
            }
            return this;
        }

        /**
         * Grants listening on any port (for tests and tools; a service should name its ports).
         *
         * @return this builder
         */
        public Builder listenAnyPort() {
            this.anyPort = true;
            return this;
        }

        /**
         * Allows connecting to a host: {@code "host"} (any port), {@code "host:port"}, {@code "*.domain"} or
         * {@code "*.domain:port"}; IPv6 literals in brackets, {@code "[::1]:8080"}.
         *
         * @param rule the rule
         * @return this builder
         * @throws NullPointerException if {@code rule} is null
         * @throws IllegalArgumentException if the rule is blank or its port is not a number
         */
        public Builder connect(String rule) {
            Objects.requireNonNull(rule, "rule");
            String r = rule.trim().toLowerCase(Locale.ROOT);
            if (r.isEmpty() || r.equals("*")) {
                throw new IllegalArgumentException("connect rule must name a host: '" + rule + "'");
            }
            // An IPv6 literal keeps its brackets (a bare one gets them): without them "[::1]:9000" would read as
            // the address ::1:9000 on any port.
            int colon;
            if (r.startsWith("[")) {
                int end = r.indexOf(']');
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed IPv6 literal in connect rule: " + rule);
                }
                String rest = r.substring(end + 1);
                if (!rest.isEmpty() && !rest.startsWith(":")) {
                    throw new IllegalArgumentException("bad connect rule: " + rule);
                }
                colon = rest.isEmpty() ? -1 : end + 1;
            } else if (r.indexOf(':') != r.lastIndexOf(':')) {
                r = "[" + r + "]";
                colon = -1;
            } else {
                colon = r.lastIndexOf(':');
            }
            if (colon > 0) {
                try {
                    Checks.port(Integer.parseInt(r.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad port in connect rule: " + rule, e);
                }
            }
            rules.add(r);
            return this;
        }

        /** @return the policy */
        public NetPolicy build() {
            return new NetPolicy(ports, anyPort, rules);
        }
    }
}
