package dev.molt.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link ContextCarrier}. This is the JDK 21-24 version: it always uses the thread-local carrier.
 * The multi-release jar holds a JDK 25 version of this class (src/main/java25) that prefers ScopedValue.
 */
final class Carriers {
    private static final Logger log = LoggerFactory.getLogger(Carriers.class);

    /** The system property that forces a carrier: {@code thread-local} or {@code scoped-value}. */
    static final String PROPERTY = "dev.molt.carrier";

    private Carriers() {
    }

    static ContextCarrier select() {
        String wanted = System.getProperty(PROPERTY, "");
        if (wanted.equals("scoped-value")) {
            log.warn("-D{}=scoped-value needs JDK 25+ and the multi-release jar; using the thread-local carrier",
                    PROPERTY);
        } else if (!wanted.isEmpty() && !wanted.equals("thread-local")) {
            log.warn("Unknown -D{}={}; using the thread-local carrier", PROPERTY, wanted);
        }
        log.debug("Molt context carrier: thread-local (Java {})", Runtime.version().feature());
        return new ThreadLocalCarrier();
    }
}
