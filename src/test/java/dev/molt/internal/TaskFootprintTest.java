package dev.molt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/**
 * Guards the per-task footprint that issue 2's memory goal rests on: a parked task costs its virtual thread plus a
 * {@link TaskImpl} and a {@link TaskToken}, 48 bytes each with compressed pointers and the default 12-byte header.
 * One more field makes either 56 bytes and shows in {@code bench/memory} (8 bytes per task, about 1% of the ratio),
 * so a change that needs one should find room first or say why it is worth it.
 */
class TaskFootprintTest {

    @Test
    void aTaskAndItsTokenStayWithinFortyEightBytesEach() {
        assertThat(compressedSize(TaskImpl.class)).as("TaskImpl").isLessThanOrEqualTo(48);
        assertThat(compressedSize(TaskToken.class)).as("TaskToken").isLessThanOrEqualTo(48);
    }

    /** The instance size HotSpot gives the class with compressed pointers and class pointers: header, fields, padding. */
    private static int compressedSize(Class<?> type) {
        int bytes = 12;
        for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    bytes += width(f.getType());
                }
            }
        }
        return (bytes + 7) & ~7;
    }

    private static int width(Class<?> t) {
        if (t == long.class || t == double.class) {
            return 8;
        }
        if (t == int.class || t == float.class || !t.isPrimitive()) {
            return 4;
        }
        return t == boolean.class || t == byte.class ? 1 : 2;
    }
}
