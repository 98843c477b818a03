package dev.molt.internal;

/**
 * Chooses the {@link ContextCarrier}: this is the JDK 25+ version (META-INF/versions/25), which uses the
 * {@link ScopedValueCarrier} unless {@code -Ddev.molt.carrier=thread-local} forces the JDK 21-24 one.
 */
final class Carriers {
    private Carriers() {
    }

    static ContextCarrier select() {
        boolean threadLocal = CarrierSetting.wanted("scoped-value").equals("thread-local");
        return CarrierSetting.chosen(threadLocal ? new ThreadLocalCarrier() : new ScopedValueCarrier());
    }
}
