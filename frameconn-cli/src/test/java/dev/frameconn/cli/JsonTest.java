package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void membersInOrder() {
        String line = Json.event("frame").put("connection", 3).put("type", 4294967295L).put("ok", true)
                .put("none", (String) null).put("ratio", 0.5).toString();
        assertThat(line).isEqualTo(
                "{\"event\":\"frame\",\"connection\":3,\"type\":4294967295,\"ok\":true,\"none\":null,"
                        + "\"ratio\":0.500000}");
    }

    @Test
    void escapesWhatJsonRequires() {
        String nasty = "quote\" backslash\\ newline\n tab\t cr\r nul\u0000 bell\u0007 ü € \u2028 😀";
        String line = Json.object().put("m", nasty).toString();
        assertThat(line).doesNotContain("\n").doesNotContain("\u0000").doesNotContain("\u2028");
        assertThat(line).contains("\\u0000").contains("\\u0007").contains("\\\"").contains("\\\\");
        Map<String, Object> parsed = MiniJson.parseObject(line);
        assertThat(parsed).containsEntry("m", nasty);
    }

    @Test
    void nestedObjectsAndNonFiniteNumbers() {
        String line = Json.object().put("a", Json.object().put("b", 1)).put("nan", Double.NaN).toString();
        assertThat(line).isEqualTo("{\"a\":{\"b\":1},\"nan\":null}");
        assertThat(MiniJson.parseObject(line).get("a")).isEqualTo(Map.of("b", 1L));
    }

    @Test
    void emptyObject() {
        assertThat(Json.object().toString()).isEqualTo("{}");
    }
}
