package dev.frameconn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Key;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway TLS identity for {@link StartupTraining}'s TLS round: one
 * self-signed P-256 certificate for 127.0.0.1, made by the running JDK's
 * {@code keytool} (the JDK has no public API that signs certificates), used
 * as server certificate, client certificate and CA at once, and written as
 * the PEM files {@code --tls-cert}, {@code --tls-key} and {@code --tls-ca}
 * read. Never used for anything but that loopback transfer.
 */
final class TrainingCertificate {
    private static final char[] PASSWORD = "training".toCharArray();

    private TrainingCertificate() {}

    /**
     * The TLS options for both ends, with their files in {@code dir}; empty if
     * this JDK has no keytool or it failed (the training then skips TLS).
     */
    static List<String> tlsOptions(Path dir) throws InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            return List.of();
        }
        Path store = dir.resolve("training.p12");
        try {
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "training",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-dname", "CN=frameconn training", "-ext", "san=ip:127.0.0.1,dns:localhost",
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            if (p.exitValue() != 0) {
                return List.of();
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASSWORD);
            }
            Key key = ks.getKey("training", PASSWORD);
            Certificate cert = ks.getCertificate("training");
            Path certFile = dir.resolve("training.crt");
            Path keyFile = dir.resolve("training.key");
            Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
            return List.of("--tls-cert", certFile.toString(), "--tls-key", keyFile.toString(),
                    "--tls-ca", certFile.toString());
        } catch (IOException | GeneralSecurityException e) {
            return List.of();
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
