package dev.frameconn.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the figures were measured on: CPU, cores, memory, kernel, JDK and JVM flags, load. */
final class Machine {
    private Machine() {}

    /** The CPU model from /proc/cpuinfo, with "(virtual machine)" if the hypervisor flag is set. */
    static String cpu() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            String model = null;
            boolean virtual = false;
            for (String line : lines) {
                if (model == null && line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                }
                if (line.startsWith("flags") && line.contains(" hypervisor")) {
                    virtual = true;
                }
            }
            return (model == null ? System.getProperty("os.arch") : model) + (virtual ? " (virtual machine)" : "");
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    /** Total memory in GiB, or -1 if unknown. */
    static double memoryGiB() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (double) (1L << 30);
        }
        return -1;
    }

    /** The 1-minute load average, or null off Linux. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** One line each: machine, OS, JDK, JVM. */
    static List<String> describe() {
        String gcs = String.join("+", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList());
        String flags = String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
        return List.of(
                String.format(Locale.ROOT, "machine: %s, %d CPUs, %.1f GiB memory", cpu(),
                        Runtime.getRuntime().availableProcessors(), memoryGiB()),
                "os:      " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                "jdk:     " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.runtime.version"),
                "jvm:     " + (flags.isEmpty() ? "(no flags)" : flags) + "; GC " + gcs);
    }
}
