package dev.frameconn.cli;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Socket addresses as written on the command line, and back:
 * <ul>
 *   <li>{@code HOST:PORT}: a host name or IPv4 literal and a port 0..65535
 *       ({@code 127.0.0.1:0} listens on a free port);</li>
 *   <li>{@code [V6]:PORT}: an IPv6 literal in brackets, e.g. {@code [::1]:7000};</li>
 *   <li>{@code unix:/PATH}: a Unix domain socket (a relative path is taken as is).</li>
 * </ul>
 * Parsing checks syntax only and never touches the network: TCP addresses come
 * back unresolved, and {@link #resolve} looks the host up when it is needed.
 */
final class Addresses {
    /** The prefix of Unix domain socket addresses. */
    static final String UNIX_PREFIX = "unix:";
    /** What every syntax error message ends with, so the user sees the accepted forms. */
    static final String FORMS = "expected HOST:PORT, [IPv6]:PORT or unix:/PATH";

    private Addresses() {}

    /**
     * Parses one of the accepted forms.
     *
     * @throws IllegalArgumentException with a message that quotes the text and
     *         names the accepted forms
     */
    static SocketAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw bad(text, "address is empty");
        }
        if (text.startsWith(UNIX_PREFIX)) {
            String path = text.substring(UNIX_PREFIX.length());
            if (path.isEmpty()) {
                throw bad(text, "the Unix socket path is empty");
            }
            try {
                return UnixDomainSocketAddress.of(Path.of(path));
            } catch (InvalidPathException e) {
                throw bad(text, "bad Unix socket path: " + e.getReason());
            }
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw bad(text, "missing ']' after the IPv6 address");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw bad(text, "missing ':PORT' after ']'");
            }
            port = rest.substring(1);
            if (host.isEmpty() || host.indexOf(':') < 0) {
                throw bad(text, "brackets are for IPv6 addresses only");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw bad(text, "missing ':PORT'");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw bad(text, "an IPv6 address needs brackets, e.g. [::1]:" + port);
            }
            if (host.isEmpty()) {
                throw bad(text, "missing HOST (use 0.0.0.0 or [::] for every interface)");
            }
        }
        return InetSocketAddress.createUnresolved(host, parsePort(text, port));
    }

    private static int parsePort(String text, String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(text, "port='" + port + "' is not a number 0..65535");
        }
        int value = Integer.parseInt(port);
        if (value > 65_535) {
            throw bad(text, "port=" + value + " is out of range 0..65535");
        }
        return value;
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("bad address '" + text + "': " + why + "; " + FORMS);
    }

    /**
     * Looks an unresolved TCP address up; other addresses come back unchanged.
     *
     * @throws UnknownHostException if the host name does not resolve
     */
    static SocketAddress resolve(SocketAddress address) throws UnknownHostException {
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            InetAddress ip = InetAddress.getByName(inet.getHostString());
            return new InetSocketAddress(ip, inet.getPort());
        }
        return address;
    }

    /**
     * Writes an address the way {@link #parse} reads it: {@code 127.0.0.1:7000},
     * {@code [::1]:7000}, {@code unix:/run/x.sock}.
     */
    static String format(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress unix) {
            return UNIX_PREFIX + unix.getPath();
        }
        if (address instanceof InetSocketAddress inet) {
            String host;
            if (inet.isUnresolved()) {
                host = inet.getHostString();
            } else if (inet.getAddress() instanceof Inet6Address v6) {
                host = compress(v6);
            } else {
                host = inet.getAddress().getHostAddress();
            }
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + inet.getPort() : host + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * An IPv6 address in its short form (RFC 5952: the longest run of two or
     * more zero groups becomes "::", lower-case hex): {@code ::1}, not Java's
     * {@code 0:0:0:0:0:0:0:1}. A scope ({@code %eth0}) is kept.
     */
    static String compress(Inet6Address address) {
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int g = 0; g < 8; g++) {
            groups[g] = (b[2 * g] & 0xff) << 8 | (b[2 * g + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed
        for (int g = 0; g < 8; ) {
            if (groups[g] != 0) {
                g++;
                continue;
            }
            int start = g;
            while (g < 8 && groups[g] == 0) {
                g++;
            }
            if (g - start > bestLength) {
                bestStart = start;
                bestLength = g - start;
            }
        }
        StringBuilder s = new StringBuilder();
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                s.append("::");
                g += bestLength - 1;
                continue;
            }
            if (!s.isEmpty() && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[g]));
        }
        String full = address.getHostAddress();
        int scope = full.indexOf('%');
        return scope >= 0 ? s + full.substring(scope) : s.toString();
    }

    /** The picocli converter for address parameters. */
    static final class Converter implements ITypeConverter<SocketAddress> {
        @Override
        public SocketAddress convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
