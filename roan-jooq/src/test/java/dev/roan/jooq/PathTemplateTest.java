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
        assertThat(t.pattern()).as("a space in the query as a browser's form sends it")
                .isEqualTo("/a%20b/{author_id}/posts/{Slug}?x+y");
        assertThat(t.sample()).isEqualTo("/a%20b/x/posts/x?x+y");
        assertThat(t.render(row("AUTHOR_ID", 7L, "slug", "hello"))).isEqualTo("/a%20b/7/posts/hello?x+y");
        assertThat(PathTemplate.parse("/{id}x").sample()).isEqualTo("/xx");
    }

    @Test
    void valuesInTheQueryAreEncodedAsABrowsersFormSendsThem() {
        PathTemplate t = PathTemplate.parse("/owners/{name}?lastName={name}&page=1");
        assertThat(t.render(row("name", "Van Winkle"))).isEqualTo("/owners/Van%20Winkle?lastName=Van+Winkle&page=1");
        assertThat(t.render(row("name", "a&b=c+d%e#f/g?h~i*j'k"))).as("every character that would end the value")
                .isEqualTo("/owners/a%26b%3Dc%2Bd%25e%23f%2Fg%3Fh~i%2Aj%27k?lastName=a%26b%3Dc%2Bd%25e%23f%2Fg%3Fh%7Ei*j%27k&page=1");
        assertThat(t.render(row("name", "Müller é"))).isEqualTo("/owners/M%C3%BCller%20%C3%A9?lastName=M%C3%BCller+%C3%A9&page=1");
        assertThat(t.render(row("name", ".."))).as("no dot segment in a query").endsWith("?lastName=..&page=1");
        for (String value : new String[] {"Van Winkle", "a&b=c+d%e#f", "\u00fc\u00e9 x", "*-._~!'()", "\uD83D\uDE00"}) {
            assertThat(PathTemplate.parse("/s?q={v}").render(row("v", value))).as(value)
                    .isEqualTo("/s?q=" + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyPlaceholderOfAQueryIsAFormValueTheFirstOneToo() {
        PathTemplate t = PathTemplate.parse("/search?q={a}&r={b}");
        assertThat(t.render(row("a", "x y", "b", "x y"))).isEqualTo("/search?q=x+y&r=x+y");
        assertThat(PathTemplate.parse("/p/{a}?q={b}").render(row("a", "x y", "b", "x y"))).isEqualTo("/p/x%20y?q=x+y");
    }

    @Test
    void aFormValueKeepsLettersAndDigitsUpToTheEdgesOfTheirRanges() {
        PathTemplate t = PathTemplate.parse("/s?q={v}");
        assertThat(t.render(row("v", "azAZ09"))).isEqualTo("/s?q=azAZ09");
        assertThat(t.render(row("v", "`{@[/:"))).as("the characters just outside those ranges")
                .isEqualTo("/s?q=%60%7B%40%5B%2F%3A");
    }

    @Test
    void aQueryMustBeNameValuePairsWithPlaceholdersInValuesOnly() {
        assertThat(PathTemplate.parse("/search?q={title}&page=1").placeholders()).containsExactly("title");
        assertThat(PathTemplate.parse("/owners?").pattern()).as("what a form without fields sends").isEqualTo("/owners?");
        assertThat(PathTemplate.parse("/search?draft&q=").pattern()).isEqualTo("/search?draft&q=");
        assertThat(PathTemplate.parse("/s?q=a%20b&r=a b").pattern()).as("an escape as written").isEqualTo("/s?q=a%20b&r=a+b");
        assertThatThrownBy(() -> PathTemplate.parse("/search?{col}=x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("placeholder in the name of a query parameter").hasMessageContaining("lastName={last_name}");
        assertThatThrownBy(() -> PathTemplate.parse("/search?q{col}=x"))
                .hasMessageContaining("placeholder in the name of a query parameter");
        assertThatThrownBy(() -> PathTemplate.parse("/search?=x")).hasMessageContaining("without a name");
        assertThatThrownBy(() -> PathTemplate.parse("/search?a=1&&b=2")).hasMessageContaining("empty parameter");
        assertThatThrownBy(() -> PathTemplate.parse("/search?a=1&")).hasMessageContaining("empty parameter");
        assertThatThrownBy(() -> PathTemplate.parse("/search?q={title}#top")).hasMessageContaining("fragment");
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
