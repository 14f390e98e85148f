package io.weft.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Dispatches requests by method and path. A route's pattern is a path whose segments are
 * literal or a parameter in braces, matched against one whole segment:
 *
 * <pre>{@code
 * Router router = new Router()
 *         .get("/plaintext", (req, res) -> res.contentType("text/plain").send("Hello, World!"))
 *         .get("/users/{id}", (req, res) -> res.send("user " + req.pathParam("id")))
 *         .post("/users/{id}/files/{name}", this::upload);
 * }</pre>
 *
 * <p>A path no route matches is answered 404; a path matched under other methods only is
 * answered 405 with an {@code Allow} field. HEAD falls back to the GET route (the server
 * sends the head only). Routes are added before the server starts; after that the router
 * is only read, by every connection's task at once.
 */
/*
 * Overview
 *
 * Patterns without parameters go in a hash map keyed by path: one lookup. Patterns with
 * parameters are tried in the order they were added, comparing the request path segment
 * by segment in place (no split, no regex); the matched parameter values are the only
 * strings made. A literal route wins over a parameter route for the same path.
 */
public final class Router implements Handler {

    private final Map<String, Map<String, Handler>> exact = new HashMap<>();
    private final List<Route> patterns = new ArrayList<>();

    private record Route(String pattern, String[] segments, String[] params, Map<String, Handler> byMethod) {
    }

    public Router get(String pattern, Handler h) {
        return route("GET", pattern, h);
    }

    public Router post(String pattern, Handler h) {
        return route("POST", pattern, h);
    }

    public Router put(String pattern, Handler h) {
        return route("PUT", pattern, h);
    }

    public Router delete(String pattern, Handler h) {
        return route("DELETE", pattern, h);
    }

    /**
     * Adds a route.
     *
     * @throws IllegalArgumentException for a pattern not starting with '/', an empty or
     *                                  unclosed parameter, or a method and pattern already routed
     */
    public Router route(String method, String pattern, Handler h) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("a route pattern starts with '/': " + pattern);
        }
        java.util.Objects.requireNonNull(h);
        String[] segs = pattern.substring(1).split("/", -1);
        List<String> params = new ArrayList<>();
        for (int i = 0; i < segs.length; i++) {
            String s = segs[i];
            if (s.startsWith("{") || s.endsWith("}")) {
                if (!s.startsWith("{") || !s.endsWith("}") || s.length() < 3) {
                    throw new IllegalArgumentException("bad parameter '" + s + "' in route " + pattern);
                }
                params.add(s.substring(1, s.length() - 1));
                segs[i] = null;
            }
        }
        Map<String, Handler> byMethod;
        if (params.isEmpty()) {
            byMethod = exact.computeIfAbsent(pattern, k -> new LinkedHashMap<>());
        } else {
            Route r = patterns.stream().filter(x -> x.pattern.equals(pattern)).findFirst().orElse(null);
            if (r == null) {
                r = new Route(pattern, segs, params.toArray(String[]::new), new LinkedHashMap<>());
                patterns.add(r);
            }
            byMethod = r.byMethod;
        }
        if (byMethod.putIfAbsent(method, h) != null) {
            throw new IllegalArgumentException(method + " " + pattern + " is routed twice");
        }
        return this;
    }

    @Override
    public void handle(HttpRequest req, HttpResponse res) throws Exception {
        String path = req.path();
        Map<String, Handler> byMethod = exact.get(path);
        if (byMethod != null && dispatch(byMethod, req, res)) {
            return;
        }
        TreeSet<String> allowed = byMethod == null ? null : new TreeSet<>(byMethod.keySet());
        String[] values = null;
        for (Route r : patterns) {
            if (values == null || values.length < r.params.length) {
                values = new String[Math.max(4, r.params.length)];
            }
            if (match(r.segments, path, values)) {
                Handler h = handlerFor(r.byMethod, req.method());
                if (h != null) {
                    req.setPathParams(r.params, values, r.params.length);
                    h.handle(req, res);
                    return;
                }
                if (allowed == null) {
                    allowed = new TreeSet<>();
                }
                allowed.addAll(r.byMethod.keySet());
            }
        }
        if (allowed == null) {
            res.status(404).contentType("text/plain; charset=utf-8").send("not found: " + path + "\n");
        } else {
            if (allowed.contains("GET")) {
                allowed.add("HEAD");
            }
            res.status(405).header("Allow", String.join(", ", allowed)).contentType("text/plain; charset=utf-8")
                    .send(req.method() + " not allowed on " + path + "\n");
        }
    }

    private static boolean dispatch(Map<String, Handler> byMethod, HttpRequest req, HttpResponse res) throws Exception {
        Handler h = handlerFor(byMethod, req.method());
        if (h == null) {
            return false;
        }
        h.handle(req, res);
        return true;
    }

    private static Handler handlerFor(Map<String, Handler> byMethod, String method) {
        Handler h = byMethod.get(method);
        if (h == null && "HEAD".equals(method)) {
            h = byMethod.get("GET");
        }
        return h;
    }

    /** True if {@code path} matches {@code segments} (null: a parameter), filling {@code values}. */
    static boolean match(String[] segments, String path, String[] values) {
        int p = 1; // after the leading '/'
        int param = 0;
        for (int s = 0; s < segments.length; s++) {
            if (p > path.length()) {
                return false;
            }
            int end = path.indexOf('/', p);
            if (end < 0) {
                end = path.length();
            }
            if (s == segments.length - 1 && end != path.length()) {
                return false; // the path has more segments
            }
            String seg = segments[s];
            if (seg == null) {
                if (end == p) {
                    return false; // a parameter matches a non-empty segment
                }
                values[param++] = path.substring(p, end);
            } else if (seg.length() != end - p || !path.regionMatches(p, seg, 0, seg.length())) {
                return false;
            }
            p = end + 1;
        }
        return true;
    }
}
