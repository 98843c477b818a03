package dev.molt.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link ContextCarrier}: this is the JDK 25+ version (META-INF/versions/25), which uses the
 * {@link ScopedValueCarrier} unless {@code -Ddev.molt.carrier=thread-local} forces the JDK 21-24 one.
 */
final class Carriers {
    private static final Logger log = LoggerFactory.getLogger(Carriers.class);

    /** The system property that forces a carrier: {@code thread-local} or {@code scoped-value}. */
    static final String PROPERTY = "dev.molt.carrier";

    private Carriers() {
    }

    static ContextCarrier select() {
        String wanted = System.getProperty(PROPERTY, "");
        ContextCarrier carrier;
        if (wanted.equals("thread-local")) {
            carrier = new ThreadLocalCarrier();
        } else {
            if (!wanted.isEmpty() && !wanted.equals("scoped-value")) {
                log.warn("Unknown -D{}={}; using the scoped-value carrier", PROPERTY, wanted);
            }
            carrier = new ScopedValueCarrier();
        }
        log.debug("Molt context carrier: {} (Java {})", carrier.name(), Runtime.version().feature());
        return carrier;
    }
}
