package io.weft.ipc;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the messages one logger writes, down to DEBUG. System.Logger goes to
 * java.util.logging here; this module does not read java.logging at compile time, so the
 * capture reaches it by reflection (a Filter proxy that records each message it sees).
 */
final class LogCapture implements AutoCloseable {

    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Object logger;
    private final Object levelBefore;
    private final Method setLevel;
    private final Method setFilter;

    LogCapture(Class<?> source) {
        try {
            Module jul = ModuleLayer.boot().findModule("java.logging").orElseThrow();
            LogCapture.class.getModule().addReads(jul);
            Class<?> loggerClass = Class.forName("java.util.logging.Logger");
            Class<?> levelClass = Class.forName("java.util.logging.Level");
            Class<?> filterClass = Class.forName("java.util.logging.Filter");
            Method getMessage = Class.forName("java.util.logging.LogRecord").getMethod("getMessage");
            logger = loggerClass.getMethod("getLogger", String.class).invoke(null, source.getName());
            levelBefore = loggerClass.getMethod("getLevel").invoke(logger);
            setLevel = loggerClass.getMethod("setLevel", levelClass);
            setFilter = loggerClass.getMethod("setFilter", filterClass);
            Object filter = Proxy.newProxyInstance(filterClass.getClassLoader(), new Class<?>[] {filterClass}, (proxy, m, args) -> switch (m.getName()) {
                case "isLoggable" -> {
                    messages.add(String.valueOf(getMessage.invoke(args[0])));
                    yield true;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "LogCapture";
            });
            setLevel.invoke(logger, levelClass.getField("FINE").get(null));
            setFilter.invoke(logger, filter);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot attach to java.util.logging", e);
        }
    }

    /** The first message so far that contains {@code text}, or null. */
    String find(String text) {
        for (String m : messages) {
            if (m.contains(text)) {
                return m;
            }
        }
        return null;
    }

    List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        try {
            setFilter.invoke(logger, (Object) null);
            setLevel.invoke(logger, levelBefore);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
