package dev.molt.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads {@code -Ddev.molt.carrier}, shared by both versions of {@link Carriers}. */
final class CarrierSetting {
    private static final Logger log = LoggerFactory.getLogger(Carriers.class);

    /** The system property that forces a carrier: {@code thread-local} or {@code scoped-value}. */
    static final String PROPERTY = "dev.molt.carrier";

    private CarrierSetting() {
    }

    /** The carrier asked for, or {@code fallback} (with a warning) when the property names none we know. */
    static String wanted(String fallback) {
        String wanted = System.getProperty(PROPERTY, "");
        if (wanted.equals("thread-local") || wanted.equals("scoped-value")) {
            return wanted;
        }
        if (!wanted.isEmpty()) {
            log.warn("Unknown -D{}={}; using the {} carrier", PROPERTY, wanted, fallback);
        }
        return fallback;
    }

    /** Logs the choice at DEBUG and returns it. */
    static ContextCarrier chosen(ContextCarrier carrier) {
        log.debug("Molt context carrier: {} (Java {})", carrier.name(), Runtime.version().feature());
        return carrier;
    }
}
