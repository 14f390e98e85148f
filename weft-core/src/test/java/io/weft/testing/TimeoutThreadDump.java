package io.weft.testing;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints a thread dump when a test runs out of time, so a hang shows where every loop
 * carrier and task was instead of only which test hung. Registered for every test through
 * {@code META-INF/services} and {@code junit.jupiter.extensions.autodetection.enabled}
 * (see each module's {@code junit-platform.properties}).
 *
 * <p>Two cases. JUnit's own timeout interrupts the test thread and reports a
 * {@link TimeoutException}; the handler prints the dump then. But a thread blocked in a
 * native call ({@code epoll_wait}, {@code io_uring_enter}) does not see the interrupt, and
 * JUnit reports the timeout only once the call returns, which may be never; so a watchdog
 * started before each test prints the dump itself if the test is still running
 * {@link #NATIVE_GRACE} after its timeout. The fork is then ended by Surefire's
 * {@code forkedProcessTimeoutInSeconds}.
 */
public final class TimeoutThreadDump implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler,
        BeforeTestExecutionCallback, AfterTestExecutionCallback {

    /** How long past its timeout a test may still run before the watchdog dumps the threads. */
    static final Duration NATIVE_GRACE = Duration.ofSeconds(30);

    private static final String DEFAULT_TIMEOUT = "junit.jupiter.execution.timeout.default";
    private static final Pattern JUNIT_DURATION = Pattern.compile("\\s*(\\d+)\\s*(ns|μs|ms|s|m|h|d)?\\s*", Pattern.CASE_INSENSITIVE);
    private static final int MAX_VIRTUAL_DUMP_CHARS = 200_000;
    /** One daemon thread for every test's watchdog; a cancelled one is dropped at once. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon(true).name("test-timeout-watchdog").factory());
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        dumpIfTimeout(context, failure);
        throw failure;
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        dumpIfTimeout(context, failure);
        throw failure;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        dumpIfTimeout(context, failure);
        throw failure;
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        dumpIfTimeout(context, failure);
        throw failure;
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        dumpIfTimeout(context, failure);
        throw failure;
    }

    private static void dumpIfTimeout(ExtensionContext context, Throwable failure) {
        if (failure instanceof TimeoutException) {
            dump(System.err, context.getDisplayName() + " in " + context.getRequiredTestClass().getName()
                    + " timed out: " + failure.getMessage());
        }
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        Optional<Duration> timeout = timeoutOf(context);
        if (timeout.isEmpty()) {
            return;
        }
        Duration after = timeout.get().plus(NATIVE_GRACE);
        String what = context.getDisplayName() + " in " + context.getRequiredTestClass().getName();
        Thread testThread = Thread.currentThread();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> dump(System.err, what + " is still running "
                + NATIVE_GRACE.toSeconds() + " s after its timeout of " + timeout.get() + "; its thread ("
                + testThread.getName() + ") did not respond to the interrupt, so it is probably blocked in native code"),
                after.toNanos(), TimeUnit.NANOSECONDS);
        store(context).put(ScheduledFuture.class, watchdog);
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        ScheduledFuture<?> watchdog = store(context).remove(ScheduledFuture.class, ScheduledFuture.class);
        if (watchdog != null) {
            watchdog.cancel(false);
        }
    }

    private static ExtensionContext.Store store(ExtensionContext context) {
        return context.getStore(ExtensionContext.Namespace.create(TimeoutThreadDump.class, context.getUniqueId()));
    }

    /** The timeout JUnit applies to this test: the method's {@code @Timeout}, its class's, or the default. */
    static Optional<Duration> timeoutOf(ExtensionContext context) {
        Optional<Timeout> annotation = context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, Timeout.class));
        for (Class<?> c = context.getRequiredTestClass(); annotation.isEmpty() && c != null; c = c.getEnclosingClass()) {
            annotation = AnnotationSupport.findAnnotation(c, Timeout.class);
        }
        if (annotation.isPresent()) {
            Timeout t = annotation.get();
            return Optional.of(Duration.of(t.value(), t.unit().toChronoUnit()));
        }
        return context.getConfigurationParameter(DEFAULT_TIMEOUT).flatMap(TimeoutThreadDump::parse);
    }

    /** Parses JUnit's timeout syntax ("300", "5 m", "90 s"); empty if it is not one. */
    static Optional<Duration> parse(String value) {
        Matcher m = JUNIT_DURATION.matcher(value);
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(java.util.Locale.ROOT);
        return Optional.of(switch (unit) {
            case "ns" -> Duration.ofNanos(n);
            case "μs" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        });
    }

    /**
     * Writes every platform thread's full stack (Weft's loop carriers among them), then the
     * JDK's own dump, which adds the virtual threads it tracks.
     */
    static synchronized void dump(PrintStream out, String why) {
        StringBuilder b = new StringBuilder();
        b.append("==== thread dump at ").append(Instant.now()).append(": ").append(why).append('\n');
        Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
        all.entrySet().stream().sorted(Comparator.comparing(e -> e.getKey().getName())).forEach(e -> {
            Thread t = e.getKey();
            b.append('"').append(t.getName()).append("\" #").append(t.threadId())
                    .append(t.isDaemon() ? " daemon" : "").append(' ').append(t.getState()).append('\n');
            for (StackTraceElement f : e.getValue()) {
                b.append("    at ").append(f).append('\n');
            }
            b.append('\n');
        });
        b.append(virtualThreads());
        b.append("==== end of thread dump\n");
        out.print(b);
        out.flush();
    }

    private static String virtualThreads() {
        Path file = null;
        try {
            file = Files.createTempFile("weft-threads", ".txt");
            Files.delete(file); // dumpThreads refuses to overwrite
            dumpThreadsTo(file);
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return "---- the JDK's thread dump (virtual threads included where tracked)\n"
                    + (text.length() > MAX_VIRTUAL_DUMP_CHARS ? text.substring(0, MAX_VIRTUAL_DUMP_CHARS) + "\n[cut]\n" : text);
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            return "---- the JDK's thread dump is unavailable: " + e + "\n";
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    /**
     * HotSpotDiagnosticMXBean.dumpThreads, called reflectively: weft-core's tests compile
     * inside its module, which does not read java.management; they run on the class path.
     */
    private static void dumpThreadsTo(Path file) throws ReflectiveOperationException {
        Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
        Class<?> bean = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
        Class<?> format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
        Object diagnostics = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, bean);
        bean.getMethod("dumpThreads", String.class, format).invoke(diagnostics, file.toString(), format.getField("TEXT_PLAIN").get(null));
    }
}
