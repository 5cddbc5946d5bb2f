package dev.frameconn.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Byte sizes as written on the command line: a whole number with an optional
 * binary suffix, {@code B}, {@code KiB}, {@code MiB}, {@code GiB}, {@code TiB}
 * (also {@code K}, {@code M}, {@code G}, {@code T}, all powers of 1024).
 * Decimal suffixes such as {@code MB} are rejected rather than guessed at.
 * Suffixes are case-insensitive.
 */
final class Sizes {
    private Sizes() {}

    /**
     * Parses a size of 0 or more bytes.
     *
     * @throws IllegalArgumentException with a message that quotes the text
     */
    static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw bad(text, "empty");
        }
        String s = text.strip();
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw bad(text, "expected a whole number of bytes");
        }
        String suffix = s.substring(i).strip().toLowerCase(Locale.ROOT);
        int shift = switch (suffix) {
            case "", "b" -> 0;
            case "k", "kib" -> 10;
            case "m", "mib" -> 20;
            case "g", "gib" -> 30;
            case "t", "tib" -> 40;
            case "kb", "mb", "gb", "tb" -> throw bad(text, "decimal units are ambiguous here; use "
                    + Character.toUpperCase(suffix.charAt(0)) + "iB (powers of 1024)");
            default -> throw bad(text, "unknown unit '" + s.substring(i).strip() + "'");
        };
        long value;
        try {
            value = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            throw bad(text, "too large");
        }
        if (value > (Long.MAX_VALUE >> shift)) {
            throw bad(text, "too large");
        }
        return value << shift;
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("bad size '" + text + "': " + why
                + "; expected e.g. 4096, 64KiB, 256MiB, 1GiB");
    }

    /** A size for people, in the largest binary unit that keeps it at least 1: {@code 256.0 MiB}. */
    static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** The picocli converter for size options. */
    static final class Converter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
