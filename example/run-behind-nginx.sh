#!/usr/bin/env bash
# Runs the example blog behind a real nginx (example/nginx/nginx.conf): pages cached forever, purged by Roan.
#
#   example/run-behind-nginx.sh          open http://localhost:8081/ in a browser; Ctrl-C stops the blog and nginx.
#                                        The blog re-purges (ROAN_REPURGE_AFTER=PT0.5S) in this mode.
#   example/run-behind-nginx.sh --demo   proves it with curl (MISS, HIT, a write, MISS with the new post; then the
#                                        same for the post's page and a comment), then stops;
#                                        exit status 0 when the cache behaved, 1 when it did not
#
# Needs a JDK 17+, nginx with ngx_cache_purge and, for --demo, curl. As root on Debian or Ubuntu it installs what is
# missing (apt-get install -y nginx libnginx-mod-http-cache-purge curl); elsewhere it says what to install and exits 3.
# nginx runs as the current user from a temporary folder (cache, logs, pid), removed when the script ends.
#
# Environment: BLOG_PORT (8080), NGINX_PORT (8081), NGINX (the nginx binary; default: nginx on PATH, else /usr/sbin/nginx).
set -euo pipefail

usage() {
    sed -n '2,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

demo=false
case "${1:-}" in
    "") ;;
    --demo) demo=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "Unknown argument: $1" >&2; usage >&2; exit 2 ;;
esac
if (($# > 1)); then
    echo "Too many arguments: $*" >&2; usage >&2; exit 2
fi

example_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$example_dir")
conf="$example_dir/nginx/nginx.conf"
blog_port=${BLOG_PORT:-8080}
nginx_port=${NGINX_PORT:-8081}
# Interactive mode only (the demo shows one purge per write): see the line printed about it below.
repurge_after=PT0.5S

for port in "$blog_port" "$nginx_port"; do
    if ! [[ $port =~ ^[0-9]{1,5}$ ]] || ((port < 1 || port > 65535)); then
        echo "BLOG_PORT and NGINX_PORT must be port numbers (1-65535), got '$port'." >&2
        exit 2
    fi
done
if ((blog_port == nginx_port)); then
    echo "BLOG_PORT and NGINX_PORT must differ (both are $blog_port)." >&2
    exit 2
fi

# --- Prerequisites ----------------------------------------------------------------------------------------------

if [[ -n ${NGINX:-} && ! ( -f $NGINX && -x $NGINX ) ]]; then
    echo "NGINX=$NGINX is not an executable file: point NGINX at the nginx binary, or unset it." >&2
    exit 2
fi

find_nginx() {
    if [[ -n ${NGINX:-} ]]; then
        echo "$NGINX"
    elif command -v nginx; then
        :
    elif [[ -x /usr/sbin/nginx ]]; then
        # Debian puts nginx in /usr/sbin, which is not on an ordinary user's PATH.
        echo /usr/sbin/nginx
    fi
}

# The module the configuration loads; empty if the configuration loads none (a build with the module compiled in).
module=$(sed -n 's/^[[:space:]]*load_module[[:space:]]\{1,\}\([^;]*\);.*/\1/p' "$conf" | head -n 1)

# The Debian packages still missing, separated by spaces: nginx, its purge module, curl (for --demo).
missing_packages() {
    local list=""
    [[ -n $(find_nginx) ]] || list+=" nginx"
    [[ -z $module || -e $module ]] || list+=" libnginx-mod-http-cache-purge"
    [[ $demo == false ]] || command -v curl >/dev/null || list+=" curl"
    echo "${list# }"
}

if [[ -z ${JAVA_HOME:-} ]] && ! command -v java >/dev/null; then
    echo "No Java found: install a JDK 17 or newer (Debian: apt-get install -y openjdk-17-jdk-headless), or set JAVA_HOME." >&2
    exit 3
fi

missing=$(missing_packages)
if [[ -n $missing ]]; then
    read -r -a packages <<<"$missing"
    if ((EUID == 0)) && command -v apt-get >/dev/null; then
        echo "Installing $missing: apt-get update && apt-get install -y $missing"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get update -q >/dev/null || ! apt-get install -y -q "${packages[@]}" >/dev/null; then
            echo "apt-get failed (its messages are above); install $missing, then run this script again." >&2
            exit 3
        fi
        missing=$(missing_packages)
        if [[ -n $missing ]]; then
            echo "Still missing after apt-get install: $missing." >&2
            exit 3
        fi
    else
        {
            what=()
            for package in "${packages[@]}"; do
                case $package in
                    libnginx-mod-http-cache-purge) what+=("the ngx_cache_purge module for nginx ($module)") ;;
                    curl) what+=("curl (for --demo)") ;;
                    *) what+=("$package") ;;
                esac
            done
            (IFS=';' && echo "Missing: ${what[*]}." | sed 's/;/; /g')
            if command -v apt-get >/dev/null; then
                echo "Install them, then run this script again (as root it installs them itself):"
                echo "  sudo apt-get update && sudo apt-get install -y $missing"
            else
                echo "Install them with your system's package manager (the module: https://github.com/nginx-modules/ngx_cache_purge),"
                echo "then run this script again. If nginx is not on PATH, set NGINX=/path/to/nginx. If your nginx has the"
                echo "module compiled in or keeps it elsewhere, change the load_module line in $conf."
            fi
        } >&2
        exit 3
    fi
fi
nginx_bin=$(find_nginx)

listening() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

for port in "$blog_port" "$nginx_port"; do
    if listening "$port"; then
        echo "Port $port is already taken (a blog or nginx still running?). Stop it, or choose free ports:" >&2
        echo "  BLOG_PORT=8090 NGINX_PORT=8091 $0${1:+ $1}" >&2
        exit 1
    fi
done

# --- Start and stop -----------------------------------------------------------------------------------------------

prefix=$(mktemp -d "${TMPDIR:-/tmp}/roan-nginx.XXXXXX")
nginx_pid=""
blog_pid=""
# Each child runs in a session of its own: Ctrl-C reaches only this script, which stops the blog first (it delivers
# its pending purges to nginx while nginx still runs), then nginx, and signals whole process groups so nothing is left.
spawn=()
if command -v setsid >/dev/null; then
    spawn=(setsid)
fi

# Stops a child: TERM, then KILL if it has not ended after $2 tenths of a second.
stop() {
    local pid=$1 tenths=$2
    [[ -n $pid ]] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
    while ((tenths-- > 0)) && kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    trap - EXIT HUP INT TERM
    if [[ -n $blog_pid || -n $nginx_pid ]]; then
        echo "Stopping the blog (it delivers pending purges first) and nginx."
    fi
    # The blog waits up to 10 s for pending purges when it stops.
    stop "$blog_pid" 150
    stop "$nginx_pid" 50
    rm -rf "$prefix"
    if [[ -n $blog_pid || -n $nginx_pid ]]; then
        echo "Stopped."
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() {
    if [[ -s $1 ]]; then
        echo "--- last lines of $2:"
        tail -n "${3:-20}" "$1"
        echo "---"
    fi
} >&2

fail() {
    echo "FAILED: $*" >&2
    show_log "$prefix/blog.log" "the blog's output"
    show_log "$prefix/nginx.log" "nginx's error log"
    show_log "$prefix/access.log" "nginx's access log (request, status, cache)"
    exit 1
}

# Waits up to $3 seconds for port $1 while process $2 lives.
await_port() {
    local port=$1 pid=$2 tenths=$(($3 * 10))
    until listening "$port"; do
        kill -0 "$pid" 2>/dev/null || return 1
        ((tenths-- > 0)) || return 1
        sleep 0.1
    done
}

# The configuration names the ports 8080 and 8081; other ports need a copy with them replaced.
if ((blog_port != 8080 || nginx_port != 8081)); then
    sed -e "s/127\.0\.0\.1:8080;/127.0.0.1:$blog_port;/" -e "s/listen 127\.0\.0\.1:8081;/listen 127.0.0.1:$nginx_port;/" \
        "$conf" >"$prefix/nginx.conf"
    if ! grep -q "server 127.0.0.1:$blog_port;" "$prefix/nginx.conf" \
        || ! grep -q "listen 127.0.0.1:$nginx_port;" "$prefix/nginx.conf"; then
        fail "could not set the ports in a copy of $conf (it should hold 'server 127.0.0.1:8080;' and 'listen 127.0.0.1:8081;')."
    fi
    conf="$prefix/nginx.conf"
fi

if ! "$nginx_bin" -t -q -p "$prefix" -e stderr -c "$conf" >"$prefix/nginx.log" 2>&1; then
    fail "$nginx_bin rejects $conf (nginx -t). Without the ngx_cache_purge module it does not know proxy_cache_purge."
fi
${spawn[@]+"${spawn[@]}"} "$nginx_bin" -p "$prefix" -e stderr -c "$conf" >"$prefix/nginx.log" 2>&1 &
nginx_pid=$!
await_port "$nginx_port" "$nginx_pid" 10 || fail "nginx did not start listening on port $nginx_port."

blog_env=(PORT="$blog_port" ROAN_PURGE_URL="http://127.0.0.1:$nginx_port/purge")
if [[ $demo == false ]]; then
    blog_env+=(ROAN_REPURGE_AFTER="$repurge_after")
fi
echo "Building and starting the blog: ./mvnw -q -pl example -am compile -Prun (the first run downloads dependencies)."
(cd "$repo_dir" && exec env "${blog_env[@]}" ${spawn[@]+"${spawn[@]}"} ./mvnw -q -pl example -am compile -Prun) >"$prefix/blog.log" 2>&1 &
blog_pid=$!
# Generous: the first build downloads Maven and the dependencies.
await_port "$blog_port" "$blog_pid" 600 || fail "the blog did not start listening on port $blog_port."

blog_url="http://localhost:$blog_port"
nginx_url="http://localhost:$nginx_port"

# --- Interactive --------------------------------------------------------------------------------------------------

if [[ $demo == false ]]; then
    echo
    echo "Open $nginx_url/ — served by nginx, cached forever, purged by Roan."
    echo "The blog itself, uncached: $blog_url/. Every response through nginx carries X-Cache-Status (MISS, HIT)."
    echo "Re-purge on (ROAN_REPURGE_AFTER=$repurge_after): every purge is sent again 0.5 s later, in case a slow read put the old page back in the cache meanwhile."
    echo "Logs while it runs: $prefix/blog.log, $prefix/access.log (one line per request with its cache status)."
    echo "Press Ctrl-C to stop both."
    while kill -0 "$nginx_pid" 2>/dev/null && kill -0 "$blog_pid" 2>/dev/null; do
        sleep 1
    done
    kill -0 "$nginx_pid" 2>/dev/null || fail "nginx stopped unexpectedly."
    fail "the blog stopped unexpectedly."
fi

# --- Demo ---------------------------------------------------------------------------------------------------------

# GETs $1 through nginx; sets status, cache (X-Cache-Status) and rendered (the page footer's time); the body is in $prefix/body.
get() {
    status=$(curl -sS --max-time 10 -o "$prefix/body" -D "$prefix/headers" -w '%{http_code}' "$nginx_url$1") \
        || fail "GET $nginx_url$1 did not answer."
    cache=$(tr -d '\r' <"$prefix/headers" | sed -n 's/^[Xx]-[Cc]ache-[Ss]tatus: *//p')
    rendered=$(sed -n 's/.*Rendered at \([0-9:]*\).*/\1/p' "$prefix/body")
    echo "GET  $nginx_url$1 -> $status, X-Cache-Status: ${cache:-(none)}, page rendered at ${rendered:-?}"
    [[ $status == 200 ]] || fail "expected 200 for GET $1, got $status."
}

echo
echo "1. The first request goes to the blog; nginx keeps the page."
get /posts
[[ $cache == MISS ]] || fail "expected X-Cache-Status: MISS on the first request, got '${cache:-(none)}'."
first_rendered=$rendered
sleep 1.1 # a page the blog rendered again would show a later time

echo "2. The second request is answered from nginx's cache, without asking the blog."
get /posts
[[ $cache == HIT ]] || fail "expected X-Cache-Status: HIT on the second request, got '${cache:-(none)}'."
[[ $rendered == "$first_rendered" ]] || fail "the cached page was rendered again ($first_rendered, then $rendered)."

# Prints the purges nginx received after line $1 of its access log, one a line, with what each did.
# access.log: 25/Nov/2025:08:30:01 +0000 "GET /purge/posts HTTP/1.1" 200 -
show_purges_after() {
    local purges
    purges=$(awk -v after="$1" 'NR > after && $4 ~ /^\/purge/ {
        printf "       %s %s (%s)\n", $4, $6, $6 == 200 ? "dropped" : ($6 == 404 || $6 == 412) ? "was not cached" : "failed"
    }' "$prefix/access.log" | sort)
    if [[ -n $purges ]]; then
        echo "     nginx received Roan's purges before the redirect:"
        echo "$purges"
    else
        echo "     nginx received no purge before the redirect."
    fi
}

# The number of lines in nginx's access log so far.
log_lines() {
    wc -l <"$prefix/access.log"
}

echo "3. A new post through nginx: the blog writes it with jOOQ, Roan purges / and /posts (their rules) once it has committed."
title="Purged by Roan at $(date +%H:%M:%S)"
logged=$(log_lines)
status=$(curl -sS --max-time 10 -o /dev/null -D "$prefix/headers" -w '%{http_code}' --data-urlencode "author=Roan demo" \
    --data-urlencode "title=$title" --data-urlencode "body=Written by example/run-behind-nginx.sh --demo." \
    "$nginx_url/posts") || fail "POST $nginx_url/posts did not answer."
echo "POST $nginx_url/posts (title \"$title\") -> $status"
[[ $status == 303 ]] || fail "expected 303 (redirect to the new post) for POST /posts, got $status."
post_path=$(tr -d '\r' <"$prefix/headers" | sed -n 's/^[Ll]ocation: *//p')
[[ $post_path =~ ^/posts/[a-z0-9-]+$ ]] || fail "expected a redirect to /posts/<slug> after POST /posts, got '$post_path'."
show_purges_after "$logged"

echo "4. The next request misses the cache and shows the new post."
get /posts
[[ $cache == MISS ]] || fail "expected X-Cache-Status: MISS after the write (Roan's purge), got '${cache:-(none)}'."
grep -qF "$title" "$prefix/body" || fail "the page after the write does not show the new post \"$title\"."

echo "5. The new post's own page: the first request goes to the blog, the second comes from nginx's cache."
get "$post_path"
[[ $cache == MISS ]] || fail "expected X-Cache-Status: MISS on the first request for $post_path, got '${cache:-(none)}'."
first_rendered=$rendered
sleep 1.1
get "$post_path"
[[ $cache == HIT ]] || fail "expected X-Cache-Status: HIT on the second request for $post_path, got '${cache:-(none)}'."
[[ $rendered == "$first_rendered" ]] || fail "the cached page $post_path was rendered again ($first_rendered, then $rendered)."

echo "6. A comment through nginx: the post's page was rendered inside roan.track, which saw it read this post's comments,"
echo "   so Roan purges $post_path (and / and /posts) once the transaction has committed."
comment="Commented at $(date +%H:%M:%S)"
logged=$(log_lines)
status=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' --data-urlencode "author=Roan demo" \
    --data-urlencode "body=$comment" "$nginx_url$post_path/comments") || fail "POST $nginx_url$post_path/comments did not answer."
echo "POST $nginx_url$post_path/comments (\"$comment\") -> $status"
[[ $status == 303 ]] || fail "expected 303 (redirect to the post) for POST $post_path/comments, got $status."
show_purges_after "$logged"

echo "7. The post's page misses the cache and shows the new comment."
get "$post_path"
[[ $cache == MISS ]] || fail "expected X-Cache-Status: MISS for $post_path after the comment (Roan's purge), got '${cache:-(none)}'."
grep -qF "$comment" "$prefix/body" || fail "$post_path after the comment does not show it (\"$comment\")."

echo
echo "OK: /posts and $post_path were served from nginx's cache until a write changed them, and fresh right after it."
