package io.marchproxy.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Builds downcall handles the way jextract does, from a symbol lookup, a name and a descriptor. A missing symbol
 * yields a handle of the same type that throws {@link MissingSymbolException} when called. Initialising this class
 * checks native access first ({@link NativeAccess#require}), so a JVM started without it fails with the fix in the
 * message rather than a bare {@code IllegalCallerException}.
 */
public final class Downcalls
{
    static
    {
        NativeAccess.require();
    }

    /** The platform's native linker, which every binding links with. */
    public static final Linker LINKER = Linker.nativeLinker();
    /** libc and the other libraries the JVM itself is linked with. */
    public static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static final List<Declared> DECLARED = new CopyOnWriteArrayList<>();

    private Downcalls()
    {
    }

    /**
     * A function some binding class declared: its library ({@code ""} for libc), C name and descriptor, and whether
     * the library had it.
     *
     * @param library the library's soname, {@code ""} for libc
     * @param name the C function's name
     * @param descriptor its signature
     * @param present whether the library has the function
     */
    public record Declared(String library, String name, FunctionDescriptor descriptor, boolean present)
    {
    }

    /**
     * {@return every function declared by the binding classes initialised so far} The ABI test checks them against C.
     */
    public static List<Declared> declared()
    {
        return List.copyOf(DECLARED);
    }

    /**
     * A libc function that reports failure through errno: the handle takes {@link CallState#segment()} first.
     *
     * @param name the C function's name
     * @param descriptor its signature, without the capture segment
     * @return the downcall handle
     * @throws UnsatisfiedLinkError when libc has no such function
     */
    @SuppressWarnings("restricted") // linking downcalls is what this class is for; NativeAccess checked at init
    public static MethodHandle libcErrno(final String name, final FunctionDescriptor descriptor)
    {
        DECLARED.add(new Declared("", name, descriptor, true));
        return LINKER.downcallHandle(require(LIBC, name, "libc"), descriptor, CallState.CAPTURE_ERRNO);
    }

    /**
     * A libc function without errno capture.
     *
     * @param name the C function's name
     * @param descriptor its signature
     * @param options linker options, e.g. {@link CallState#CAPTURE_ERRNO}
     * @return the downcall handle
     * @throws UnsatisfiedLinkError when libc has no such function
     */
    @SuppressWarnings("restricted") // linking downcalls is what this class is for; NativeAccess checked at init
    public static MethodHandle libc(final String name, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        DECLARED.add(new Declared("", name, descriptor, true));
        return LINKER.downcallHandle(require(LIBC, name, "libc"), descriptor, options);
    }

    /**
     * A function from {@code lookup} that may be missing; {@code version} names the installed library version for the
     * error message.
     *
     * @param lookup where to find the function
     * @param library the library's soname, for the message
     * @param version the installed library's version, asked for only when the function is missing
     * @param name the C function's name
     * @param descriptor its signature
     * @param options linker options
     * @return the downcall handle, or one of the same type that throws {@link MissingSymbolException}
     */
    @SuppressWarnings("restricted") // linking downcalls is what this class is for; NativeAccess checked at init
    public static MethodHandle optional(
        final SymbolLookup lookup,
        final String library,
        final Supplier<String> version,
        final String name,
        final FunctionDescriptor descriptor,
        final Linker.Option... options)
    {
        final Optional<MemorySegment> address = lookup.find(name);
        DECLARED.add(new Declared(library, name, descriptor, address.isPresent()));
        if (address.isPresent())
        {
            return LINKER.downcallHandle(address.get(), descriptor, options);
        }
        final MethodHandle probe = LINKER.downcallHandle(descriptor, options);
        final MethodHandle thrower = MethodHandles.throwException(
            probe.type().returnType(), MissingSymbolException.class)
            .bindTo(new MissingSymbolException(name, library, version.get()));
        // The unbound downcall type starts with the function address; the bound one does not.
        return MethodHandles.dropArguments(thrower, 0, probe.type().dropParameterTypes(0, 1).parameterList());
    }

    /**
     * Loads a shared library by its soname for the life of the process, with a message naming the package.
     *
     * @param soname the library's soname, e.g. {@code libbpf.so.1}
     * @param debianPackage the package that installs it, for the message
     * @return the library's symbols
     * @throws UnsatisfiedLinkError naming the package when the library is not installed
     */
    @SuppressWarnings("restricted") // loading a binding library is what this class is for; NativeAccess checked at init
    public static SymbolLookup library(final String soname, final String debianPackage)
    {
        try
        {
            return SymbolLookup.libraryLookup(soname, Arena.global());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UnsatisfiedLinkError(
                soname + " not found: install the Debian package " + debianPackage + " (apt-get install " +
                debianPackage + ")");
        }
    }

    /**
     * Turns a Throwable from {@code invokeExact} into what the binding method may throw.
     *
     * @param ex what {@code invokeExact} threw
     * @return {@code ex} when it is unchecked, else an {@link IllegalStateException} wrapping it (an {@link Error}
     * is thrown as it is)
     */
    public static RuntimeException rethrow(final Throwable ex)
    {
        if (ex instanceof RuntimeException re)
        {
            return re;
        }
        if (ex instanceof Error err)
        {
            throw err;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", ex);
    }

    private static MemorySegment require(final SymbolLookup lookup, final String name, final String library)
    {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name + " not found in " + library));
    }
}
