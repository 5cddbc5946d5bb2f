package dev.frameconn.cli;

import dev.frameconn.tls.TlsConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The TLS options shared by the commands that connect or listen
 * ({@code frames listen}, {@code frames send}, {@code recv}, {@code send}):
 * {@code --tls-cert FILE --tls-key FILE --tls-ca FILE} switch TLS with mutual
 * authentication on (all three or none), as operators keep the files (PEM).
 * TLS 1.3 only, as the library's default. A picocli argument group, declared
 * in each command as
 * {@code @ArgGroup(exclusive = false, heading = TlsOptions.HEADING)}.
 */
final class TlsOptions {
    /** The heading of the TLS section in each command's help. */
    static final String HEADING = "%nTLS (all of --tls-cert, --tls-key, --tls-ca, or none):%n";

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "This side's certificate (PEM, intermediates may follow). With --tls-key and "
                    + "--tls-ca: speak TLS with mutual authentication.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "Its private key, unencrypted PEM: PKCS#8 (BEGIN PRIVATE KEY), BEGIN RSA PRIVATE KEY "
                    + "or BEGIN EC PRIVATE KEY.")
    Path key;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "The CA certificate(s) the peer's certificate must lead to (PEM bundle).")
    Path ca;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
            description = "Client: the name expected in the server's certificate, instead of the host "
                    + "connected to (as zrepl's server_cn).")
    String serverName;

    @Option(names = "--tls-handshake-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "10s",
            description = "Bound on each TLS handshake (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    /** True if any TLS file was given. */
    boolean enabled() {
        return cert != null || key != null || ca != null;
    }

    /**
     * The TLS configuration for a command that connects to or listens on
     * {@code address}, or null without TLS options. Files that cannot be used
     * end the command here, so that each command words it the same: one line
     * {@code NAME: cannot use the TLS files: WHY} on its standard error, and
     * status 2 (a usage error, but without the help hint: the options were
     * well formed).
     *
     * @throws ParameterException if only some of the three files were given, or
     *         TLS was asked for on a Unix domain socket, which has no host to check
     * @throws ExitStatusException with {@link ExitCode#USAGE}, after printing why,
     *         if a file cannot be read, holds no usable PEM block, or the key does
     *         not belong to the certificate
     */
    TlsConfig loadFor(CommandSpec spec, SocketAddress address) {
        TlsConfig tls;
        try {
            tls = load(spec);
        } catch (IOException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": cannot use the TLS files: " + EndReason.messageOf(e));
            err.flush();
            throw new ExitStatusException(ExitCode.USAGE);
        }
        if (tls != null && address instanceof UnixDomainSocketAddress) {
            throw new ParameterException(spec.commandLine(), "TLS needs a HOST:PORT address, not "
                    + Addresses.format(address));
        }
        return tls;
    }

    /**
     * The TLS configuration, or null without TLS options.
     *
     * @throws ParameterException if only some of the three files were given
     * @throws IOException if a file cannot be read or holds no usable PEM block
     */
    private TlsConfig load(CommandSpec spec) throws IOException {
        if (!enabled()) {
            if (serverName != null) {
                throw new ParameterException(spec.commandLine(), "--tls-server-name needs --tls-cert, --tls-key "
                        + "and --tls-ca");
            }
            return null;
        }
        if (cert == null || key == null || ca == null) {
            throw new ParameterException(spec.commandLine(), "TLS needs all of --tls-cert, --tls-key and --tls-ca"
                    + " (given: " + (cert != null ? "--tls-cert " : "") + (key != null ? "--tls-key " : "")
                    + (ca != null ? "--tls-ca" : "") + ")");
        }
        if (handshakeTimeout == null) {
            handshakeTimeout = TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT; // a group instance made by us, not by picocli
        }
        if (handshakeTimeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--tls-handshake-timeout must be more than 0");
        }
        try {
            return TlsConfig.fromPem(cert, key, ca).withServerName(serverName).withHandshakeTimeout(handshakeTimeout);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e); // a key that does not belong to its certificate
        }
    }
}
