package io.weft.internal.wait;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The select hook registry: a hook installed for a type serves its subclasses, a type has
 * one hook, and a type without one is refused by name. What the installed hooks of Task and
 * SocketStream do is covered by SelectTest and SelectSocketTest.
 */
@Tag("mode-independent")
class SelectHooksTest {

    /** A target type with a hook; installed once per class, as the public types do. */
    private static class Target {
    }

    private static final class SubTarget extends Target {
    }

    /** A source that records what it was made for, and fires its selector when armed. */
    private record Recorded(Object target, SelectHooks.Event event) implements SelectHooks.Source {
        @Override
        public Op arm(Op sel, int index) {
            sel.complete(index, null);
            return null;
        }

        @Override
        public void withdraw(Op armed) {
        }
    }

    static {
        SelectHooks.install(Target.class, Recorded::new);
    }

    @Test
    void aSubclassIsServedByItsSuperclassHook() {
        SubTarget t = new SubTarget();
        SelectHooks.Source s = SelectHooks.of(t, SelectHooks.Event.READABLE);
        Recorded r = assertInstanceOf(Recorded.class, s, "the source Target's hook made");
        assertSame(t, r.target());
        assertEquals(SelectHooks.Event.READABLE, r.event());

        Waits.Signal sel = new Waits.Signal();
        assertNull(s.arm(sel, 3), "nothing is left armed");
        assertTrue(sel.isDone(), "arming the source fired the selector");
        assertEquals(3, sel.result());
    }

    @Test
    void aTypeHasOneHook() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SelectHooks.install(Target.class, Recorded::new));
        assertTrue(e.getMessage().contains(Target.class.getName()), e.getMessage());
    }

    @Test
    void aTypeWithoutAHookIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SelectHooks.of(new StringBuilder(), SelectHooks.Event.DONE));
        assertTrue(e.getMessage().contains("java.lang.StringBuilder"), e.getMessage());
    }

    @Test
    void forwardFiresItsSelectorWhenItCompletes() {
        Waits.Signal sel = new Waits.Signal();
        SelectHooks.Forward f = new SelectHooks.Forward(sel, 7);
        assertFalse(sel.isDone(), "nothing fired yet");
        f.complete(0);
        assertTrue(sel.isDone(), "the forward's completion fired the selector");
        assertEquals(7, sel.result());
    }
}
