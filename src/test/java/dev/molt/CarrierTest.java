package dev.molt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The build runs the suite once per carrier and says which one it expects; this checks it got it. */
class CarrierTest {
    @Test
    void theExpectedCarrierIsInUse() {
        String expected = System.getProperty("dev.molt.expectedCarrier");
        if (expected != null) {
            assertThat(MoltRuntime.carrier()).isEqualTo(expected);
        }
        assertThat(MoltRuntime.carrier()).isIn("scoped-value", "thread-local");
    }
}
