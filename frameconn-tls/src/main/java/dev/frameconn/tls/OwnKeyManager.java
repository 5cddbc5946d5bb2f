package dev.frameconn.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * This side's one identity, presented whatever CAs the peer says it accepts.
 * The JDK's own key manager sends no client certificate when the server's list
 * of CAs does not name the issuer, and the server then reports a missing
 * certificate; presenting it anyway lets the server say which certificate it
 * distrusts and why, which is what an operator needs to read.
 */
final class OwnKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "self";

    private final X509Certificate[] chain;
    private final PrivateKey key;

    OwnKeyManager(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain.toArray(new X509Certificate[0]);
        this.key = key;
    }

    private String aliasFor(String... keyTypes) {
        for (String type : keyTypes) {
            if (type != null && type.equalsIgnoreCase(key.getAlgorithm())) {
                return ALIAS;
            }
        }
        return null; // the negotiated scheme needs another kind of key
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
