package dev.frameconn.cli;

import java.util.Locale;

/**
 * Builds one JSON object on one line, keys in insertion order: the output
 * format of {@code --json}. Strings are escaped per RFC 8259 (quote, backslash,
 * control characters; everything else passes as UTF-16 text), so any message
 * or file name stays valid JSON. Not thread-safe; one builder per line.
 */
final class Json {
    private final StringBuilder out = new StringBuilder(128).append('{');
    private boolean first = true;

    private Json() {}

    /** A new object whose first member is {@code "event": event}. */
    static Json event(String event) {
        return new Json().put("event", event);
    }

    /** A new, empty object. */
    static Json object() {
        return new Json();
    }

    /** Adds a string member; null becomes JSON {@code null}. */
    Json put(String key, String value) {
        key(key);
        if (value == null) {
            out.append("null");
        } else {
            quote(out, value);
        }
        return this;
    }

    /** Adds a number member. */
    Json put(String key, long value) {
        key(key);
        out.append(value);
        return this;
    }

    /** Adds a number member; not-a-number and infinities become {@code null}, which JSON lacks. */
    Json put(String key, double value) {
        key(key);
        if (Double.isFinite(value)) {
            out.append(String.format(Locale.ROOT, "%.6f", value));
        } else {
            out.append("null");
        }
        return this;
    }

    /** Adds a boolean member. */
    Json put(String key, boolean value) {
        key(key);
        out.append(value);
        return this;
    }

    /** Adds a nested object member, already built. */
    Json put(String key, Json value) {
        key(key);
        out.append(value);
        return this;
    }

    private void key(String key) {
        if (!first) {
            out.append(',');
        }
        first = false;
        quote(out, key);
        out.append(':');
    }

    /** Appends {@code s} as a JSON string literal. */
    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        // control characters must be escaped; U+2028/9 break JavaScript consumers
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** The object, closed: one line, no trailing newline. */
    @Override
    public String toString() {
        return out + "}";
    }
}
