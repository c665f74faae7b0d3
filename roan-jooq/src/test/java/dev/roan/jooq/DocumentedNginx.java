package dev.roan.jooq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.roan.testkit.Nginx;

/**
 * The nginx configurations the documentation shows, as written, for {@link Nginx#start(Nginx.Configuration)}: the
 * README's quick start and {@code example/nginx/nginx.conf}, with only their addresses and cache folder replaced,
 * so a test of them fails when the documentation changes to something that does not work.
 */
final class DocumentedNginx {

    private DocumentedNginx() {}

    /**
     * The README's quick-start block inside the test kit's scaffolding (foreground process, logs and temporary
     * files in the prefix, {@code X-Cache-Status} on every answer).
     */
    static Nginx.Configuration readmeQuickStart(String upstream) {
        String readme = read("README.md");
        int quickStart = readme.indexOf("## Quick start");
        Matcher block = Pattern.compile("```nginx\n(.*?)```", Pattern.DOTALL).matcher(readme);
        if (quickStart < 0 || !block.find(quickStart)) {
            throw new IllegalStateException("README.md has no ```nginx block after '## Quick start'");
        }
        String documented = block.group(1);
        return (port, loadModule) -> {
            String server = replace(documented, "proxy_cache_path /var/cache/nginx/blog ", "proxy_cache_path cache ");
            server = replace(server, "http://127.0.0.1:8080;", "http://" + upstream + ";");
            server = replace(server, "server {\n", "server {\n    listen 127.0.0.1:" + port + ";\n");
            return Nginx.head(loadModule) + "    add_header X-Cache-Status $upstream_cache_status always;\n" + server
                    + "}\n";
        };
    }

    /** {@code example/nginx/nginx.conf} with the ports replaced, as {@code example/run-behind-nginx.sh} does. */
    static Nginx.Configuration example(String upstream) {
        String documented = read("example/nginx/nginx.conf");
        return (port, loadModule) -> {
            String config = replace(documented, "server 127.0.0.1:8080;", "server " + upstream + ";");
            config = replace(config, "listen 127.0.0.1:8081;", "listen 127.0.0.1:" + port + ";");
            return loadModule ? config : config.replaceAll("(?m)^load_module .*$", "");
        };
    }

    private static String replace(String text, String documented, String replacement) {
        if (!text.contains(documented)) {
            throw new IllegalStateException("the documented nginx configuration no longer holds '" + documented.strip()
                    + "', which the test replaces; adapt DocumentedNginx to it:\n" + text);
        }
        return text.replace(documented, replacement);
    }

    /** A file of the repository, found from the module the tests run in (roan-jooq, or compat-jooq-3.21). */
    private static String read(String file) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(file);
            if (Files.isRegularFile(candidate) && Files.isDirectory(dir.resolve("example"))) {
                try {
                    return Files.readString(candidate, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException(file + " not found above " + Path.of("").toAbsolutePath());
    }
}
