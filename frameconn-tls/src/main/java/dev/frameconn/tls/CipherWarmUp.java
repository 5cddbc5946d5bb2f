package dev.frameconn.tls;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Gets the JDK's AES-GCM compiled, with its AES and GHASH intrinsics, before
 * the first connection's bulk data needs it: once per process, on one daemon
 * thread ({@value #THREAD_NAME}) that ends by itself, started by the first
 * {@link TlsConfig#newSslContext()} so that it overlaps the TCP connect and the
 * handshake (or, on a server, the wait for a client).
 *
 * <p>Why: the intrinsics exist only in code that C2 compiled, and C2 compiles
 * the cipher's methods after some thousands of calls. With 16 KiB records that
 * is over 100 MiB of data encrypted first by the methods' Java bodies, about
 * fifty times slower (measured: the first 64 MiB of AES-128-GCM cost 1.2 CPU
 * seconds, the next 64 MiB 0.03); a short-lived process such as
 * {@code frameconn send} spent a large part of its TLS cost there, on each side.
 * Small records reach the same call counts at a fraction of that cost (about
 * 0.2 CPU seconds here, for encryption and decryption together), and every
 * 64th is a whole record so the compiled code has seen the large-record branches.
 *
 * <p>The data and key are dummies and never leave the thread; what the warm-up
 * does is a pure function of the JIT's state, so failing (no such cipher) is
 * ignored. {@code -D}{@value #PROPERTY}{@code =false} switches it off, for a
 * process that makes TLS connections but moves little data over them.
 */
final class CipherWarmUp {
    /** The system property that switches the warm-up off when {@code false}. */
    static final String PROPERTY = "dev.frameconn.tls.warmUp";
    static final String THREAD_NAME = "frameconn-tls-warm-up";
    /** Encryptions and as many decryptions: well past C2's call thresholds. */
    static final int OPERATIONS = 20_000;
    private static final int SMALL = 256;
    /** A TLS record's plaintext at most (RFC 8446 §5.1). */
    private static final int RECORD = 16 << 10;
    private static final int TAG_BITS = 128;
    private static final int TAG_BYTES = TAG_BITS / 8;

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private CipherWarmUp() {}

    /** Starts the warm-up unless it ran in this process already or is switched off. */
    static void start() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true")) || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().daemon().name(THREAD_NAME).start(CipherWarmUp::run);
    }

    /** The warm-up itself, on the caller's thread; false if the JDK refused a step (nothing else happens then). */
    static boolean run() {
        try {
            SecretKey key = new SecretKeySpec(new byte[16], "AES"); // AES-128, the suite we prefer
            Cipher encrypt = Cipher.getInstance("AES/GCM/NoPadding");
            Cipher decrypt = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] nonce = new byte[12];
            byte[] header = new byte[5]; // TLS 1.3 authenticates the record header
            ByteBuffer record = ByteBuffer.allocate(RECORD + TAG_BYTES); // heap, in place: as the JDK's engine
            for (int i = 0; i < OPERATIONS; i++) {
                int length = i % 64 == 63 ? RECORD : SMALL;
                nonce[0] = (byte) i; // GCM refuses a nonce used before with the key
                nonce[1] = (byte) (i >>> 8);
                nonce[2] = (byte) (i >>> 16);
                GCMParameterSpec spec = new GCMParameterSpec(TAG_BITS, nonce);
                encrypt.init(Cipher.ENCRYPT_MODE, key, spec);
                encrypt.updateAAD(header);
                record.clear().limit(length);
                encrypt.doFinal(record, record.duplicate().clear());
                decrypt.init(Cipher.DECRYPT_MODE, key, spec);
                decrypt.updateAAD(header);
                record.clear().limit(length + TAG_BYTES);
                decrypt.doFinal(record, record.duplicate().clear());
            }
            return true;
        } catch (GeneralSecurityException | RuntimeException ignored) {
            // only the JIT's state was at stake: connections work the same, the first ones more slowly
            return false;
        }
    }
}
