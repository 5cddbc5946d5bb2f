package dev.frameconn.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Who the peer proved to be: the names in its verified certificate. On a
 * server this is the client's identity, as zrepl derives it (the common name);
 * on a client, the server's.
 *
 * @param commonName the subject's common name (CN), or null if it has none; with
 *        several CNs, the most specific (last) one
 * @param dnsNames subject alternative names of type DNS, in certificate order
 * @param ipAddresses subject alternative names of type IP address, as text
 * @param uris subject alternative names of type URI
 * @param emails subject alternative names of type RFC 822 (e-mail)
 * @param certificate the peer's own (leaf) certificate, already verified
 */
public record PeerIdentity(
        String commonName,
        List<String> dnsNames,
        List<String> ipAddresses,
        List<String> uris,
        List<String> emails,
        X509Certificate certificate) {

    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final int SAN_IP = 7;

    /** Copies the lists; only the certificate must not be null. */
    public PeerIdentity {
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        uris = List.copyOf(uris);
        emails = List.copyOf(emails);
        Objects.requireNonNull(certificate, "certificate");
    }

    /**
     * Reads the names out of a verified certificate.
     *
     * @param certificate the peer's verified certificate
     * @return the peer's identity
     */
    public static PeerIdentity of(X509Certificate certificate) {
        Objects.requireNonNull(certificate, "certificate");
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            // the handshake verified this certificate; an unreadable extension only costs the names
            sans = null;
        }
        if (sans != null) {
            for (List<?> san : sans) {
                if (san.size() < 2 || !(san.get(0) instanceof Integer kind) || !(san.get(1) instanceof String value)) {
                    continue; // otherName and the like arrive as DER bytes: not a name we can show
                }
                switch (kind) {
                    case SAN_DNS -> dns.add(value);
                    case SAN_IP -> ips.add(value);
                    case SAN_URI -> uris.add(value);
                    case SAN_EMAIL -> emails.add(value);
                    default -> { }
                }
            }
        }
        return new PeerIdentity(commonName(certificate.getSubjectX500Principal()), dns, ips, uris, emails,
                certificate);
    }

    /** The common name of a distinguished name, or null. */
    static String commonName(X500Principal subject) {
        String cn = null;
        try {
            // RFC 2253 order is most specific first; LdapName lists RDNs the other way round
            for (Rdn rdn : new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return cn;
    }

    /**
     * The subject's distinguished name.
     *
     * @return the subject
     */
    public X500Principal subject() {
        return certificate.getSubjectX500Principal();
    }

    /**
     * Every name: the common name (if any) first, then the subject alternative names.
     *
     * @return the names, common name first
     */
    public List<String> names() {
        List<String> all = new ArrayList<>();
        if (commonName != null) {
            all.add(commonName);
        }
        all.addAll(dnsNames);
        all.addAll(ipAddresses);
        all.addAll(uris);
        all.addAll(emails);
        return List.copyOf(all);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("PeerIdentity[CN=").append(commonName);
        if (!dnsNames.isEmpty()) {
            out.append(", DNS=").append(dnsNames);
        }
        if (!ipAddresses.isEmpty()) {
            out.append(", IP=").append(ipAddresses);
        }
        if (!uris.isEmpty()) {
            out.append(", URI=").append(uris);
        }
        if (!emails.isEmpty()) {
            out.append(", email=").append(emails);
        }
        return out.append(']').toString();
    }
}
