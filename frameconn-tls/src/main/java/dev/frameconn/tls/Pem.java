package dev.frameconn.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files as operators keep them: certificates ({@code CERTIFICATE}, one or
 * a bundle) and unencrypted private keys, PKCS#8 ({@code PRIVATE KEY}) or the
 * traditional OpenSSL forms ({@code RSA PRIVATE KEY}, PKCS#1, and
 * {@code EC PRIVATE KEY}, SEC 1), which are re-wrapped as PKCS#8 for the JDK.
 * Text outside the blocks (comments, {@code openssl} dumps) is ignored.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    // DER object identifiers, content bytes only
    private static final byte[] OID_RSA = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] OID_EC = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private Pem() {}

    /** One PEM block: its label and its decoded bytes. */
    // a private carrier, never compared or hashed: the array's identity equals() does not matter
    @SuppressWarnings("ArrayRecordComponent")
    record Block(String label, byte[] der) {}

    static List<Block> blocks(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IOException("file=" + file + ": block " + m.group(1) + " is not valid base64", e);
            }
            blocks.add(new Block(m.group(1), der));
        }
        return blocks;
    }

    /** Every {@code CERTIFICATE} block of the file, in order; at least one. */
    static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        for (Block block : blocks(file)) {
            if (!block.label().equals("CERTIFICATE") && !block.label().equals("TRUSTED CERTIFICATE")) {
                continue;
            }
            try {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            } catch (CertificateException e) {
                throw new IOException("file=" + file + ": certificate number " + (certs.size() + 1)
                        + " cannot be parsed: " + e.getMessage(), e);
            }
        }
        if (certs.isEmpty()) {
            throw new IOException("file=" + file + " holds no PEM block 'BEGIN CERTIFICATE'");
        }
        return certs;
    }

    /**
     * The one private key of the file. {@code publicKey} (the matching
     * certificate's) picks the key factory for PKCS#8, and names the curve of
     * an EC key whose SEC 1 form leaves it out; null tries the usual factories.
     */
    static PrivateKey privateKey(Path file, PublicKey publicKey) throws IOException {
        String algorithm = publicKey == null ? null : publicKey.getAlgorithm();
        for (Block block : blocks(file)) {
            switch (block.label()) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, block.der(), algorithm);
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(file, wrapPkcs1(block.der()), "RSA");
                }
                case "EC PRIVATE KEY" -> {
                    return pkcs8(file, wrapSec1(file, block.der(), publicKey), "EC");
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException("file=" + file + " holds an encrypted private"
                        + " key, which is not supported; decrypt it (openssl pkcs8 -topk8 -nocrypt) or use a PKCS#12"
                        + " keystore");
                default -> {
                    // certificates and parameters next to the key are fine
                }
            }
        }
        throw new IOException("file=" + file + " holds no PEM block 'BEGIN PRIVATE KEY', 'BEGIN RSA PRIVATE KEY'"
                + " or 'BEGIN EC PRIVATE KEY'");
    }

    private static PrivateKey pkcs8(Path file, byte[] der, String algorithm) throws IOException {
        List<String> tries = algorithm != null ? List.of(algorithm) : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");
        GeneralSecurityException last = null;
        for (String alg : tries) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new IOException("file=" + file + ": private key cannot be read as " + String.join(" or ", tries)
                + ": " + (last == null ? "" : last.getMessage()), last);
    }

    /** PKCS#1 RSAPrivateKey -> PKCS#8 PrivateKeyInfo {0, {rsaEncryption, NULL}, OCTET STRING}. */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] algorithm = tlv(0x30, concat(tlv(0x06, OID_RSA), new byte[] {0x05, 0x00}));
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, pkcs1)));
    }

    /**
     * SEC 1 ECPrivateKey {1, OCTET STRING key, [0] curve OID, [1] public key}
     * -> PKCS#8 {0, {id-ecPublicKey, curve}, OCTET STRING sec1}. The curve is
     * required here, as PKCS#8 names it in the algorithm.
     */
    private static byte[] wrapSec1(Path file, byte[] sec1, PublicKey publicKey) throws IOException {
        Der outer = new Der(sec1, 0);
        if (outer.tag != 0x30) {
            throw new IOException("file=" + file + ": EC PRIVATE KEY is not a DER sequence");
        }
        int at = outer.contentStart;
        byte[] curve = null;
        while (at < outer.end()) {
            Der field = new Der(sec1, at);
            if (field.tag == 0xa0) { // [0] parameters: the named curve
                Der oid = new Der(sec1, field.contentStart);
                if (oid.tag == 0x06) {
                    curve = Arrays.copyOfRange(sec1, field.contentStart, oid.end()); // the whole OID TLV
                }
            }
            at = field.end();
        }
        byte[] algorithm;
        if (curve != null) {
            algorithm = tlv(0x30, concat(tlv(0x06, OID_EC), curve));
        } else if (publicKey != null && publicKey.getAlgorithm().equals("EC")) {
            // the certificate's key names the curve: SubjectPublicKeyInfo {AlgorithmIdentifier, BIT STRING}
            byte[] spki = publicKey.getEncoded();
            Der id = new Der(spki, new Der(spki, 0).contentStart);
            algorithm = Arrays.copyOfRange(spki, new Der(spki, 0).contentStart, id.end());
        } else {
            throw new IOException("file=" + file + ": EC PRIVATE KEY names no curve; convert it to PKCS#8"
                    + " (openssl pkcs8 -topk8 -nocrypt)");
        }
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, sec1)));
    }

    /** One DER tag-length-value header, definite lengths only. */
    private static final class Der {
        final int tag;
        final int contentStart;
        final int length;

        Der(byte[] der, int at) throws IOException {
            if (at + 2 > der.length) {
                throw new IOException("truncated DER at offset=" + at);
            }
            tag = der[at] & 0xff;
            int first = der[at + 1] & 0xff;
            int p = at + 2;
            if (first < 0x80) {
                length = first;
            } else {
                int n = first & 0x7f;
                if (n == 0 || n > 3 || p + n > der.length) {
                    throw new IOException("unsupported DER length at offset=" + at);
                }
                int len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (der[p++] & 0xff);
                }
                length = len;
            }
            contentStart = p;
            if (end() > der.length) {
                throw new IOException("truncated DER at offset=" + at + " length=" + length);
            }
        }

        int end() {
            return contentStart + length;
        }
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
