package io.marchproxy.ffm;

import io.marchproxy.ffm.libbpf.Libbpf;
import io.marchproxy.ffm.libc.Errno;
import io.marchproxy.ffm.libc.SysSocket;
import io.marchproxy.ffm.linux.IfXdp;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeErrorsTest
{
    @Test
    void errnoBecomesTypedExceptionNamingCallSymbolAndText()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment value = arena.allocate(JAVA_INT);
            final int rc = SysSocket.setsockopt(-1, SysSocket.SOL_XDP, IfXdp.XDP_UMEM_REG, value, 4);
            final ErrnoException ex = assertThrows(ErrnoException.class, () -> Errno.check(rc, "setsockopt(XDP_UMEM_REG)"));
            assertEquals(Errno.EBADF, ex.errno());
            assertEquals("setsockopt(XDP_UMEM_REG): EBADF (Bad file descriptor)", ex.getMessage());
        }
    }

    @Test
    void libbpfNegativeReturnIsChecked()
    {
        final int rc = Libbpf.bpf_map_lookup_elem(-1, MemorySegment.NULL, MemorySegment.NULL);
        final ErrnoException ex = assertThrows(ErrnoException.class, () -> Errno.checkNegated(rc, "bpf_map_lookup_elem"));
        assertEquals("EBADF", ex.errnoName());
    }

    @Test
    void missingSymbolFailsWhenCalledNamingSymbolAndVersion() throws Throwable
    {
        final SymbolLookup lib = Downcalls.library(Libbpf.SONAME, "libbpf1");
        final MethodHandle handle = Downcalls.optional(
            lib, Libbpf.SONAME, Libbpf::version, "bpf_marchproxy_no_such_function", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        final MissingSymbolException ex = assertThrows(MissingSymbolException.class, () ->
        {
            final int ignored = (int)handle.invokeExact(3);
        });
        assertTrue(ex.getMessage().startsWith("symbol bpf_marchproxy_no_such_function not found in libbpf.so.1 (version 1."),
            ex.getMessage());
    }

    @Test
    void missingLibraryNamesThePackage()
    {
        final UnsatisfiedLinkError error = assertThrows(UnsatisfiedLinkError.class,
            () -> Downcalls.library("libmarchproxy-absent.so.9", "libabsent9"));
        assertEquals("libmarchproxy-absent.so.9 not found: install the Debian package libabsent9 (apt-get install libabsent9)",
            error.getMessage());
    }

    @Test
    void unknownErrnoStillDescribed()
    {
        assertEquals("errno 200", Errno.name(200));
        assertEquals("EOPNOTSUPP", Errno.name(95));
    }
}
