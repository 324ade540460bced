package io.marchproxy.ffm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The check that native access is enabled, made before the first downcall is linked. Without it the JDK warns on the
 * first restricted call today ({@code --illegal-native-access=warn}) and throws from a class initialiser where it is
 * denied (later JDKs, or {@code --illegal-native-access=deny}), leaving an {@link ExceptionInInitializerError} and then
 * {@link NoClassDefFoundError}s that do not say what to do. This class holds no state, so calling it never fails in
 * its own initialiser.
 */
public final class NativeAccess
{
    private NativeAccess()
    {
    }

    /**
     * Throws unless native access is enabled for this module and every module in {@code callers}: the modules whose
     * code calls restricted methods ({@code Linker.downcallHandle}, {@code MemorySegment.reinterpret}).
     *
     * @param callers further modules that make restricted calls (e.g. {@code io.marchproxy.dataplane})
     * @throws IllegalStateException naming the modules and the {@code java} option that enables them
     */
    public static void require(final Module... callers)
    {
        final Set<Module> modules = new LinkedHashSet<>();
        modules.add(NativeAccess.class.getModule());
        modules.addAll(List.of(callers));
        final List<String> denied = new ArrayList<>();
        for (final Module module : modules)
        {
            if (!module.isNativeAccessEnabled())
            {
                denied.add(module.isNamed() ? module.getName() : "ALL-UNNAMED");
            }
        }
        if (!denied.isEmpty())
        {
            final String option = "--enable-native-access=" + String.join(",", denied);
            throw new IllegalStateException("native access is not enabled for " +
                (denied.contains("ALL-UNNAMED") ? "the class path" : "module(s) " + String.join(", ", denied)) +
                ": MarchProxy calls libc, libbpf and the kernel through FFM. Run java with " + option +
                (denied.contains("ALL-UNNAMED") ? " (or put 'Enable-Native-Access: ALL-UNNAMED' in the manifest of " +
                "an executable jar)" : ""));
        }
    }
}
