package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.TypeConversionException;

class AddressesTest {
    @Test
    void hostAndPort() {
        SocketAddress a = Addresses.parse("127.0.0.1:7000");
        assertThat(a).isInstanceOf(InetSocketAddress.class);
        InetSocketAddress inet = (InetSocketAddress) a;
        assertThat(inet.isUnresolved()).isTrue();
        assertThat(inet.getHostString()).isEqualTo("127.0.0.1");
        assertThat(inet.getPort()).isEqualTo(7000);
    }

    @Test
    void hostNameAndPortZero() {
        InetSocketAddress inet = (InetSocketAddress) Addresses.parse("localhost:0");
        assertThat(inet.getHostString()).isEqualTo("localhost");
        assertThat(inet.getPort()).isZero();
    }

    @Test
    void bracketedIpv6() {
        InetSocketAddress inet = (InetSocketAddress) Addresses.parse("[::1]:65535");
        assertThat(inet.getHostString()).isEqualTo("::1");
        assertThat(inet.getPort()).isEqualTo(65535);
    }

    @Test
    void unixPath() {
        SocketAddress a = Addresses.parse("unix:/tmp/x y.sock");
        assertThat(a).isEqualTo(UnixDomainSocketAddress.of(Path.of("/tmp/x y.sock")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost            | missing ':PORT'",
        "localhost:           | port='' is not a number",
        "localhost:http       | port='http' is not a number",
        "localhost:65536      | port=65536 is out of range 0..65535",
        "localhost:-1         | port='-1' is not a number",
        ":7000                | missing HOST",
        "::1:7000             | an IPv6 address needs brackets, e.g. [::1]:7000",
        "[::1]                | missing ':PORT' after ']'",
        "[::1:7000            | missing ']'",
        "[127.0.0.1]:7000     | brackets are for IPv6 addresses only",
        "unix:                | the Unix socket path is empty",
        "'   '                | address is empty",
    })
    void rejectsWithAClearMessage(String text, String why) {
        assertThatThrownBy(() -> Addresses.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad address '" + text + "'")
                .hasMessageContaining(why)
                .hasMessageEndingWith("expected HOST:PORT, [IPv6]:PORT or unix:/PATH");
    }

    @Test
    void converterTurnsErrorsIntoPicocliConversionErrors() {
        assertThatThrownBy(() -> new Addresses.Converter().convert("nope"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("bad address 'nope'");
    }

    @Test
    void resolvesLiteralsAndLeavesUnixAlone() throws UnknownHostException {
        InetSocketAddress resolved = (InetSocketAddress) Addresses.resolve(Addresses.parse("127.0.0.1:80"));
        assertThat(resolved.isUnresolved()).isFalse();
        assertThat(resolved.getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
        SocketAddress unix = Addresses.parse("unix:/tmp/a.sock");
        assertThat(Addresses.resolve(unix)).isSameAs(unix);
    }

    @Test
    void unknownHostFailsOnResolveNotOnParse() {
        SocketAddress a = Addresses.parse("no-such-host.invalid:80");
        assertThatThrownBy(() -> Addresses.resolve(a)).isInstanceOf(UnknownHostException.class);
    }

    @ParameterizedTest
    @CsvSource({"::1, ::1", "::, ::", "2001:db8::1, 2001:db8::1", "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", "fe80:0:0:0:0:0:0:0, fe80::", "1:0:0:2:0:0:0:3, 1:0:0:2::3"})
    void ipv6ShortForm(String literal, String expected) throws UnknownHostException {
        assertThat(Addresses.compress((java.net.Inet6Address) InetAddress.getByName(literal))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1:7000", "[::1]:7000", "unix:/run/frameconn.sock", "example.org:1"})
    void formatReadsBackAsParsed(String text) throws UnknownHostException {
        assertThat(Addresses.format(Addresses.parse(text))).isEqualTo(text);
        if (!text.startsWith("example")) {
            assertThat(Addresses.format(Addresses.resolve(Addresses.parse(text)))).isEqualTo(text);
        }
    }
}
