package dev.roan.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.0 exchange over a plain socket: the test writes the request line and the {@code Host} header byte
 * for byte, which the JDK's {@code HttpClient} does not allow ({@code Host} is a restricted header there), and
 * the answer is never chunked. A reader of cached pages, not a general client: a test reads a page through
 * {@link Nginx#baseUrl()} or {@link Varnish#baseUrl()} with it and looks at {@code X-Cache-Status} or {@code X-Cache}.
 *
 * @since 0.1.0
 */
public final class RawHttp {

    private static final int TIMEOUT_MILLIS = 5_000;

    private RawHttp() {}

    /** An answer: status, headers (names in lower case), body as UTF-8. */
    public record Response(int status, Map<String, String> headers, String body) {

        /**
         * The value of a header, or {@code ""} when it is absent.
         *
         * @param name a header name in lower case
         * @return its value, or {@code ""}
         */
        public String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    /**
     * Sends {@code GET {rawPath}} to the server of {@code baseUrl}, with the {@code Host} of the base URL.
     *
     * @param rawPath the request target as sent, already percent-encoded, such as {@code /tags/a%20b}
     * @param baseUrl the server, such as {@link Nginx#baseUrl()}
     * @return the answer
     */
    public static Response get(String baseUrl, String rawPath) {
        return send("GET", baseUrl, rawPath, null);
    }

    /**
     * Sends {@code method rawPath} to the host and port of {@code baseUrl}.
     *
     * @param host the {@code Host} header to send, or null for the authority of {@code baseUrl}
     * @param method the request method, such as {@code PURGE}
     * @param baseUrl the server, such as {@link Nginx#baseUrl()}
     * @param rawPath the request target as sent
     * @return the answer
     */
    public static Response send(String method, String baseUrl, String rawPath, String host) {
        return send(method, baseUrl, rawPath, host, Map.of());
    }

    /**
     * Sends {@code method rawPath} to the host and port of {@code baseUrl} with more request headers, such as
     * {@code Cookie}.
     *
     * @param host the {@code Host} header to send, or null for the authority of {@code baseUrl}
     * @param headers more header lines, name to value, sent as given
     * @param method the request method, such as {@code PURGE}
     * @param baseUrl the server, such as {@link Nginx#baseUrl()}
     * @param rawPath the request target as sent
     * @return the answer
     */
    public static Response send(String method, String baseUrl, String rawPath, String host,
            Map<String, String> headers) {
        URI base = URI.create(baseUrl);
        String hostHeader = host != null ? host : base.getRawAuthority();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder(method).append(' ').append(rawPath).append(" HTTP/1.0\r\nHost: ")
                    .append(hostHeader).append("\r\nUser-Agent: roan-testkit\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return parse(readAll(socket.getInputStream()), method + " " + rawPath);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + baseUrl + rawPath + " failed: " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toByteArray();
    }

    private static Response parse(byte[] raw, String request) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/") || end < 0) {
            throw new IOException("no HTTP answer to " + request + " (the server closed the connection after "
                    + raw.length + " bytes)");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        String body = new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8);
        return new Response(status, Map.copyOf(headers), body);
    }
}
