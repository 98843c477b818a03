package dev.molt.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs JMH benchmarks that have an {@code impl} parameter in interleaved rounds: each round runs one fork per
 * implementation, in an order that rotates from round to round, and the report compares Molt with the best peer
 * <em>of the same round</em>. On a shared machine whose speed shifts by 2-4x for minutes at a time (the 2-vCPU
 * development VM does), a ratio taken within a round survives a shift that a single JMH run (one implementation's
 * forks after the other's) turns into a false result.
 *
 * <pre>bench/interleaved ROUNDS INCLUDE impl=molt,jox,jdk [capacity=0,16 ...]</pre>
 *
 * Each fork: 3 warm-up and 5 measured iterations of one second (override with {@code -Dwarmups=},
 * {@code -Diterations=}). Printed per benchmark and parameter set: each implementation's scores by round and their
 * median, then Molt's ratio to the best peer in each round and the median ratio (below 1 is faster), and the ratio
 * of the best rounds (Molt's best round over the best peer's best round: each in the machine's fast mode). At the
 * end, all of it once more as a Markdown table, the README's. {@code ltq} counts as a peer only at capacity 0 (at
 * 16 and 1024 it is an unbounded queue, as in the README's table). A configuration that failed in a round (a
 * benchmark gives up after 60 s) has no score there and is left out of that round.
 */
public final class Interleaved {
    private static final String MOLT = "molt";

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: Interleaved ROUNDS INCLUDE impl=a,b,... [param=v1,v2 ...]");
            System.exit(2);
        }
        int rounds = Integer.parseInt(args[0]);
        String include = args[1];
        List<String> impls = null;
        Map<String, String[]> params = new LinkedHashMap<>();
        for (String p : Arrays.copyOfRange(args, 2, args.length)) {
            String[] kv = p.split("=", 2);
            if (kv[0].equals("impl")) {
                impls = List.of(kv[1].split(","));
            } else {
                params.put(kv[0], kv[1].split(","));
            }
        }
        if (impls == null || !impls.contains(MOLT)) {
            throw new IllegalArgumentException("impl=... must list molt and at least one peer");
        }
        // scores.get(benchmark and params)[impl] = one score per round
        Map<String, Map<String, double[]>> scores = new TreeMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < impls.size(); k++) {
                String impl = impls.get((round + k) % impls.size());
                System.out.printf("round %d/%d: %s%n", round + 1, rounds, impl);
                for (RunResult r : run(include, impl, params)) {
                    BenchmarkParams bp = r.getParams();
                    scores.computeIfAbsent(key(bp), x -> new LinkedHashMap<>())
                            .computeIfAbsent(impl, x -> filled(rounds))[round] = r.getPrimaryResult().getScore();
                }
            }
        }
        report(scores, impls, rounds);
    }

    private static Collection<RunResult> run(String include, String impl, Map<String, String[]> params)
            throws Exception {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(include)
                .param("impl", impl)
                .forks(1)
                .warmupIterations(Integer.getInteger("warmups", 3))
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(Integer.getInteger("iterations", 5))
                .measurementTime(TimeValue.seconds(1))
                .verbosity(VerboseMode.SILENT);
        params.forEach(o::param);
        return new Runner(o.build()).run();
    }

    /** The benchmark's short name and its parameters other than {@code impl}. */
    private static String key(BenchmarkParams bp) {
        String name = bp.getBenchmark();
        StringBuilder k = new StringBuilder(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1));
        for (String p : bp.getParamsKeys()) {
            if (!p.equals("impl")) {
                k.append(' ').append(p).append('=').append(bp.getParam(p));
            }
        }
        return k.toString();
    }

    private static void report(Map<String, Map<String, double[]>> scores, List<String> impls, int rounds) {
        System.out.println();
        StringBuilder table = new StringBuilder("| benchmark |");
        for (String impl : impls) {
            table.append(' ').append(impl).append(" |");
        }
        table.append(" molt / best peer, by round | median | best rounds |\n|---|")
                .append("---:|".repeat(impls.size())).append("---|---:|---:|\n");
        for (Map.Entry<String, Map<String, double[]>> e : scores.entrySet()) {
            String key = e.getKey();
            Map<String, double[]> byImpl = e.getValue();
            System.out.println(key + " (ns per element, by round; median)");
            table.append("| ").append(key).append(" |");
            for (String impl : impls) {
                double[] s = byImpl.get(impl);
                if (s != null) {
                    System.out.printf(Locale.ROOT, "  %-5s %s  median %.0f%n", impl, format(s), median(s));
                }
                table.append(s == null ? "" : String.format(Locale.ROOT, " %.0f (%.0f)", median(s), min(s)))
                        .append(" |");
            }
            List<String> peers = new ArrayList<>();
            for (String impl : impls) {
                if (!impl.equals(MOLT) && byImpl.containsKey(impl)
                        && !(impl.equals("ltq") && !key.contains("capacity=0"))) {
                    peers.add(impl);
                }
            }
            double[] ratios = filled(rounds);
            double bestPeer = Double.NaN;
            for (int round = 0; round < rounds; round++) {
                double best = Double.NaN;
                for (String p : peers) {
                    best = minOf(best, byImpl.get(p)[round]);
                }
                bestPeer = minOf(bestPeer, best);
                ratios[round] = byImpl.get(MOLT)[round] / best;
            }
            double bestRounds = min(byImpl.get(MOLT)) / bestPeer;
            System.out.printf(Locale.ROOT, "  molt / best of %s: %s  median %.2f; best rounds %.2f%n%n", peers,
                    format2(ratios), median(ratios), bestRounds);
            table.append(format2(ratios)).append(String.format(Locale.ROOT, " | %.2f | %.2f |%n", median(ratios),
                    bestRounds));
        }
        System.out.print(table);
    }

    /** The smaller of two scores, either of which may be NaN (no score): NaN only if both are. */
    private static double minOf(double a, double b) {
        return Double.isNaN(a) || b < a ? b : a;
    }

    /** The smallest score that is not NaN, or NaN if none. */
    private static double min(double[] values) {
        double m = Double.NaN;
        for (double v : values) {
            m = minOf(m, v);
        }
        return m;
    }

    private static double[] filled(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    /** The median of the values that are not NaN (a round that did not run), or NaN if none. */
    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String format(double[] s) {
        StringBuilder b = new StringBuilder();
        for (double d : s) {
            b.append(String.format(Locale.ROOT, "%6.0f", d));
        }
        return b.toString();
    }

    private static String format2(double[] s) {
        StringBuilder b = new StringBuilder();
        for (double d : s) {
            b.append(String.format(Locale.ROOT, "%6.2f", d));
        }
        return b.toString();
    }
}
