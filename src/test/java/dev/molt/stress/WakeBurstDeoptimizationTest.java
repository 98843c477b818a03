package dev.molt.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.Molt;
import dev.molt.Task;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A burst of wakes in a cold JVM deoptimizes no frame of Molt's: a few hundred thousand tasks park (in {@code recv}
 * released by {@code close}, in {@code join} of one task) before any of them was ever woken, so C2 compiles the
 * park loops with no wake in their profile; each woken frame that resumed into a check compiled as "never true"
 * would be deoptimized on its own (a million of them took seconds in {@code bench/million}). The park loops check
 * their state after a park with bytecode of its own (ADR 0010; {@code Molt.sleep} is the documented exception).
 * Runs in a fresh JVM (this one's profiles are warm), under a JFR recording of {@code jdk.Deoptimization}.
 */
@Timeout(180)
class WakeBurstDeoptimizationTest {
    private static final int TASKS = Integer.getInteger("molt.burst.tasks", 200_000);
    /** Deoptimizations at one place that count as a storm: a fifth of the woken frames. */
    private static final int STORM = TASKS / 5;

    @Test
    void aBurstOfWakesDeoptimizesNoMoltFrame() throws Exception {
        Path out = Files.createTempFile("molt-burst", ".txt");
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Burst.class.getName(), out.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("the burst JVM ended").isTrue();
            assertThat(p.exitValue()).as("the burst JVM's exit code").isZero();
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            assertThat(lines).as("the burst JVM's report").contains("bursts done");
            // The JIT deoptimizes now and then as profiles change (a few per place); a storm is one per woken frame.
            assertThat(lines).as("places in Molt's main code deoptimized once per woken frame (count at the end)")
                    .noneMatch(l -> l.startsWith("DEOPT ") && Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))
                            >= STORM);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The child JVM: two bursts, then the deoptimizations in Molt's main code, one line per place, counted. */
    static final class Burst {
        public static void main(String[] args) throws Exception {
            Map<String, Long> places = new TreeMap<>();
            Path jfr = Files.createTempFile("molt-burst", ".jfr");
            try (Recording r = new Recording()) {
                r.enable("jdk.Deoptimization").withStackTrace();
                r.start();
                recvReleasedByClose();
                joinOfOneTask();
                r.stop();
                r.dump(jfr);
                for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
                    RecordedMethod m = e.getValue("method");
                    if (m != null && m.getType().getName().startsWith("dev.molt.")
                            && !m.getType().getName().startsWith("dev.molt.stress.")) {
                        places.merge(m.getType().getName() + "." + m.getName() + " bci " + e.getInt("bci") + " "
                                + e.getString("reason"), 1L, Long::sum);
                    }
                }
            } finally {
                Files.deleteIfExists(jfr);
            }
            List<String> report = new ArrayList<>();
            places.forEach((place, count) -> report.add("DEOPT " + place + " " + count));
            report.add("bursts done");
            Files.write(Path.of(args[0]), report, StandardCharsets.UTF_8);
        }

        private static void recvReleasedByClose() throws Exception {
            Channel<Integer> ch = Molt.channel();
            Molt.scope(s -> {
                for (int i = 0; i < TASKS; i++) {
                    s.spawn(() -> {
                        for (int v : ch) {
                            throw new AssertionError("nothing is sent: " + v);
                        }
                    });
                }
                while (((dev.molt.internal.channel.ChannelImpl<Integer>) ch).waiting()[1] < TASKS) {
                    Thread.sleep(1);
                }
                ch.close();
                return null;
            });
        }

        private static void joinOfOneTask() throws Exception {
            Molt.scope(s -> {
                Task<Void> target = s.spawn(() -> Thread.sleep(3_000));
                for (int i = 0; i < TASKS; i++) {
                    s.spawn(() -> {
                        target.join();
                    });
                }
                return null;
            });
        }
    }
}
