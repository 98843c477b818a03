package dev.molt.internal;

import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link ContextCarrier}. This is the JDK 21-24 version: it always uses the thread-local carrier.
 * The multi-release jar holds a JDK 25 version of this class (src/main/java25) that prefers ScopedValue.
 */
final class Carriers {
    private Carriers() {
    }

    static ContextCarrier select() {
        if (CarrierSetting.wanted("thread-local").equals("scoped-value")) {
            LoggerFactory.getLogger(Carriers.class).warn(
                    "-D{}=scoped-value needs JDK 25+ and the multi-release jar; using the thread-local carrier",
                    CarrierSetting.PROPERTY);
        }
        return CarrierSetting.chosen(new ThreadLocalCarrier());
    }
}
