package dev.frameconn.cli;

import dev.frameconn.FrameConnConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as written on the command line: Go's notation, which zrepl users
 * know ({@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h30m}, {@code 1.5s},
 * units {@code ns us µs ms s m h}), a bare {@code 0}, or ISO-8601
 * ({@code PT10S}). Negative durations are rejected; the result is exact to the
 * nanosecond and at most {@link #MAX}.
 */
final class Durations {
    /** The longest accepted duration: the connection's own ({@link FrameConnConfig#MAX_DURATION}). */
    static final Duration MAX = FrameConnConfig.MAX_DURATION;
    private static final String TOO_LONG = "must be at most " + MAX.toDays() + " days";

    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    private Durations() {}

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a message that quotes the text and
     *         shows accepted examples
     */
    static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw bad(text, "empty");
        }
        String s = text.strip();
        Duration result;
        if (s.charAt(0) == '-') {
            throw bad(text, "must not be negative");
        }
        if (s.charAt(0) == 'P' || s.charAt(0) == 'p') {
            try {
                result = Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw bad(text, "not an ISO-8601 duration");
            }
        } else if (s.equals("0")) {
            result = Duration.ZERO;
        } else {
            result = parseGoStyle(text, s);
        }
        if (result.isNegative()) {
            throw bad(text, "must not be negative");
        }
        if (result.compareTo(MAX) > 0) {
            throw bad(text, TOO_LONG);
        }
        return result;
    }

    private static Duration parseGoStyle(String text, String s) {
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        int n = s.length();
        while (i < n) {
            int numberStart = i;
            while (i < n && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(numberStart, i);
            int unitStart = i;
            while (i < n && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw bad(text, "expected a number before '" + unit + "'");
            }
            if (unit.isEmpty()) {
                throw bad(text, "missing unit after " + number);
            }
            long unitNanos = switch (unit) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw bad(text, "unknown unit '" + unit + "'");
            };
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos)));
            if (nanos.compareTo(BigDecimal.valueOf(MAX.toSeconds()).multiply(NANOS_PER_SECOND)) > 0) {
                throw bad(text, TOO_LONG);
            }
        }
        BigDecimal[] split = nanos.setScale(0, RoundingMode.DOWN).divideAndRemainder(NANOS_PER_SECOND);
        return Duration.ofSeconds(split[0].longValueExact(), split[1].longValueExact());
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("bad duration '" + text + "': " + why
                + "; expected e.g. 10s, 500ms, 2m, 1h30m, 0 (off) or ISO-8601 PT10S");
    }

    /** A duration for people: {@code 1.234 ms}, {@code 2.500 s}. */
    static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos < 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    /** The picocli converter for duration options. */
    static final class Converter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
