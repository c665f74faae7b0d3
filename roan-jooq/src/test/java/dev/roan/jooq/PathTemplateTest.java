package dev.roan.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** Registered paths with {@code {column}} placeholders, and how a row fills them. */
class PathTemplateTest {

    private static Map<String, Object> row(Object... pairs) {
        Map<String, Object> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < pairs.length; i += 2) {
            row.put((String) pairs[i], pairs[i + 1]);
        }
        return row;
    }

    @Test
    void aPathWithoutPlaceholdersIsStaticAndRendersItself() {
        PathTemplate t = PathTemplate.parse("/posts list");
        assertThat(t.isStatic()).isTrue();
        assertThat(t.placeholders()).isEmpty();
        assertThat(t.pattern()).isEqualTo("/posts%20list");
        assertThat(t).hasToString("/posts%20list");
        assertThat(t.sample()).isEqualTo("/posts%20list");
        assertThat(t.render(row())).isEqualTo("/posts%20list");
    }

    @Test
    void placeholdersSplitThePathIntoEncodedLiterals() {
        PathTemplate t = PathTemplate.parse("/a b/{author_id}/posts/{Slug}?x y");
        assertThat(t.isStatic()).isFalse();
        assertThat(t.placeholders()).containsExactly("author_id", "Slug");
        assertThat(t.pattern()).isEqualTo("/a%20b/{author_id}/posts/{Slug}?x%20y");
        assertThat(t.sample()).isEqualTo("/a%20b/x/posts/x?x%20y");
        assertThat(t.render(row("AUTHOR_ID", 7L, "slug", "hello"))).isEqualTo("/a%20b/7/posts/hello?x%20y");
        assertThat(PathTemplate.parse("/{id}x").sample()).isEqualTo("/xx");
    }

    @Test
    void placeholderNamesAreColumnNames() {
        assertThat(PathTemplate.parse("/{_a1}/{\u00e9t\u00e9}").placeholders()).containsExactly("_a1", "\u00e9t\u00e9");
        for (String bad : new String[] {"/{}", "/{1a}", "/{a-b}", "/{a b}", "/{-}"}) {
            assertThatThrownBy(() -> PathTemplate.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("that is not a column name").hasMessageContaining("such as {id}");
        }
    }

    @Test
    void unbalancedBracesAreRefused() {
        assertThatThrownBy(() -> PathTemplate.parse("/posts/{id")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'{' without '}'");
        assertThatThrownBy(() -> PathTemplate.parse("/posts/id}")).hasMessageContaining("'}' without '{'");
        assertThatThrownBy(() -> PathTemplate.parse("/{id}}")).hasMessageContaining("'}' without '{'");
        assertThatThrownBy(() -> PathTemplate.parse("/{id}/{x")).hasMessageContaining("'{' without '}'");
    }

    @Test
    void theLiteralsAreCheckedLikeAnyPath() {
        assertThatThrownBy(() -> PathTemplate.parse("posts/{id}")).hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> PathTemplate.parse("/{id}/../x")).hasMessageContaining("dot segment")
                .hasMessageContaining("write \"/x\"");
        assertThatThrownBy(() -> PathTemplate.parse("/{id}#x")).hasMessageContaining("contains '#'");
    }

    @Test
    void aValueFillsExactlyOneSegment() {
        PathTemplate t = PathTemplate.parse("/p/{v}");
        assertThat(t.render(row("v", "azAZ09-._~"))).isEqualTo("/p/azAZ09-._~");
        assertThat(t.render(row("v", "a/b?c#d%e f\r\n+@`{[:"))).isEqualTo("/p/a%2Fb%3Fc%23d%25e%20f%0D%0A%2B%40%60%7B%5B%3A");
        assertThat(t.render(row("v", "caf\u00e9"))).isEqualTo("/p/caf%C3%A9");
        assertThat(t.render(row("v", "."))).isEqualTo("/p/%2E");
        assertThat(t.render(row("v", ".."))).isEqualTo("/p/%2E%2E");
        assertThat(t.render(row("v", "..."))).as("no dot segment").isEqualTo("/p/...");
        assertThat(t.render(row("v", 42))).isEqualTo("/p/42");
    }

    @Test
    void aRowWithoutAValueNullOrBytesRendersNothing() {
        PathTemplate t = PathTemplate.parse("/p/{a}/{b}");
        assertThat(t.render(row("a", 1))).isNull();
        assertThat(t.render(row("a", 1, "b", RowValues.NULL))).isNull();
        assertThat(t.render(row("a", new byte[] {1}, "b", 2))).isNull();
        assertThat(t.render(row("a", 1, "b", 2))).isEqualTo("/p/1/2");
    }

    @Test
    void whyARowCannotFillTheTemplateUnknownFirst() {
        PathTemplate t = PathTemplate.parse("/p/{a}/{b}");
        assertThat(t.missing(row("a", RowValues.NULL))).isEqualTo(PathTemplate.Miss.UNKNOWN);
        assertThat(t.missing(row("a", new byte[0]))).isEqualTo(PathTemplate.Miss.UNKNOWN);
        assertThat(t.missing(row("a", new byte[0], "b", RowValues.NULL))).isEqualTo(PathTemplate.Miss.BINARY);
        assertThat(t.missing(row("a", RowValues.NULL, "b", new byte[0]))).isEqualTo(PathTemplate.Miss.BINARY);
        assertThat(t.missing(row("a", RowValues.NULL, "b", 1))).isEqualTo(PathTemplate.Miss.NULL);
        assertThat(t.missing(row("a", 1, "b", RowValues.NULL))).isEqualTo(PathTemplate.Miss.NULL);
    }

    @Test
    void theUnknownPlaceholdersOfARowAreNamedInOrder() {
        PathTemplate t = PathTemplate.parse("/p/{a}/{b}/{c}");
        assertThat(t.unknownIn(row("b", RowValues.NULL))).containsExactly("a", "c");
        assertThat(t.unknownIn(row("a", 1, "b", 2, "c", 3))).isEmpty();
    }

    @Test
    void thePlaceholdersCannotBeChangedFromOutside() {
        PathTemplate t = PathTemplate.parse("/p/{a}");
        assertThatThrownBy(() -> t.placeholders().add("b")).isInstanceOf(UnsupportedOperationException.class);
    }
}
