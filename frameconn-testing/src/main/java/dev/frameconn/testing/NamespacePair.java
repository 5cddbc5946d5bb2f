package dev.frameconn.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two Linux network namespaces made for one test, joined by a veth pair: a
 * real network path between two peers, with its own addresses and a link
 * the test can take down (a partition). Needs root and the {@code ip} tool;
 * {@link #unavailableBecause()} says why not when they are missing.
 *
 * <p>Guarantees: names are unique per process and call ({@code fc<pid>…});
 * the addresses are link addresses {@code 10.250.N.1/30} and
 * {@code 10.250.N.2/30} that exist only inside these namespaces, so no traffic
 * leaves the machine or touches the host's own interfaces; {@link #close()}
 * deletes both namespaces (and with them the veth pair) and is safe to call
 * after a partial setup.
 */
public final class NamespacePair implements AutoCloseable {
    private final String ip;
    private final String nsA;
    private final String nsB;
    private final String vethA;
    private final String vethB;
    private final String addressA;
    private final String addressB;
    private final List<String> created = new ArrayList<>();

    private NamespacePair(String ip) {
        this.ip = ip;
        String id = ProcessHandle.current().pid() + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current()
                .nextInt());
        int subnet = ThreadLocalRandom.current().nextInt(256);
        this.nsA = "fc" + id + "a";
        this.nsB = "fc" + id + "b";
        String veth = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        this.vethA = "fcA" + veth; // interface names are at most 15 characters
        this.vethB = "fcB" + veth;
        this.addressA = "10.250." + subnet + ".1";
        this.addressB = "10.250." + subnet + ".2";
    }

    /**
     * Why namespaces cannot be made here, or empty if they can (as far as can
     * be told without trying): not root, or no {@code ip} tool.
     *
     * @return the reason, or empty
     */
    public static Optional<String> unavailableBecause() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.of("network namespaces are a Linux feature; os.name=" + System.getProperty("os.name"));
        }
        if (!isRoot()) {
            return Optional.of("making network namespaces needs root; this process is not uid 0");
        }
        if (findIp().isEmpty()) {
            return Optional.of("the `ip` tool (iproute2) is not installed");
        }
        return Optional.empty();
    }

    /**
     * Makes the namespaces, the veth pair, the addresses, and brings the links up.
     *
     * @return the namespaces, to be closed when done
     * @throws IOException with the failing command's output, after undoing what was made
     * @throws InterruptedException if interrupted while a command runs
     */
    public static NamespacePair create() throws IOException, InterruptedException {
        String ip = findIp().orElseThrow(() -> new IOException("the `ip` tool is not installed"));
        NamespacePair pair = new NamespacePair(ip);
        try {
            pair.setUp();
            return pair;
        } catch (IOException | InterruptedException | RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    private void setUp() throws IOException, InterruptedException {
        run(ip, "netns", "add", nsA);
        created.add(nsA);
        run(ip, "netns", "add", nsB);
        created.add(nsB);
        run(ip, "link", "add", vethA, "netns", nsA, "type", "veth", "peer", "name", vethB, "netns", nsB);
        run(ip, "-n", nsA, "addr", "add", addressA + "/30", "dev", vethA);
        run(ip, "-n", nsB, "addr", "add", addressB + "/30", "dev", vethB);
        for (String[] link : new String[][] {{nsA, vethA}, {nsA, "lo"}, {nsB, vethB}, {nsB, "lo"}}) {
            run(ip, "-n", link[0], "link", "set", link[1], "up");
        }
    }

    /**
     * The command prefix that runs a program inside namespace A.
     *
     * @return the command prefix for A
     */
    public String[] execInA() {
        return new String[] {ip, "netns", "exec", nsA};
    }

    /**
     * The command prefix that runs a program inside namespace B.
     *
     * @return the command prefix for B
     */
    public String[] execInB() {
        return new String[] {ip, "netns", "exec", nsB};
    }

    /**
     * The address of namespace A's end of the link.
     *
     * @return A's address
     */
    public String addressA() {
        return addressA;
    }

    /**
     * The address of namespace B's end of the link.
     *
     * @return B's address
     */
    public String addressB() {
        return addressB;
    }

    /**
     * Takes B's end of the link down: packets stop both ways, nothing is closed (a partition).
     *
     * @throws IOException if the {@code ip} command fails
     * @throws InterruptedException if interrupted while it runs
     */
    public void partition() throws IOException, InterruptedException {
        run(ip, "-n", nsB, "link", "set", vethB, "down");
    }

    /**
     * Brings B's end of the link up again.
     *
     * @throws IOException if the {@code ip} command fails
     * @throws InterruptedException if interrupted while it runs
     */
    public void heal() throws IOException, InterruptedException {
        run(ip, "-n", nsB, "link", "set", vethB, "up");
    }

    /** Deletes the namespaces made (their interfaces go with them). Idempotent. */
    @Override
    public void close() throws IOException, InterruptedException {
        IOException first = null;
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                run(ip, "netns", "del", created.get(i));
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        created.clear();
        if (first != null) {
            throw first;
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
            throw new IOException("failed with status " + p.exitValue() + ": " + String.join(" ", command) + ": "
                    + new String(output, StandardCharsets.UTF_8).trim());
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            // fall through: unknown means no
        }
        return false;
    }

    private static Optional<String> findIp() {
        List<String> candidates = new ArrayList<>(List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(dir + "/ip");
            }
        }
        return candidates.stream().filter(c -> Files.isExecutable(Path.of(c))).findFirst();
    }

    @Override
    public String toString() {
        return "NamespacePair[" + nsA + " " + addressA + " <-> " + nsB + " " + addressB + "]";
    }
}
