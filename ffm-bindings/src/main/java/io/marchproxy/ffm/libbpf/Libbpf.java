package io.marchproxy.ffm.libbpf;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;
import io.marchproxy.ffm.JavaOnly;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code <bpf/libbpf.h>} and {@code <bpf/bpf.h>}. Functions returning {@code int} return {@code -errno} on failure
 * (check with {@link io.marchproxy.ffm.libc.Errno#checkNegated}); functions returning pointers return {@code NULL} and
 * set errno, which is captured (read {@link CallState#errno()}).
 */
@CHeader(value = {"bpf/libbpf.h", "bpf/bpf.h"}, library = "libbpf.so.1")
public final class Libbpf
{
    /** The shared library's soname ({@code dlopen}ed at class initialisation; Debian package libbpf1). */
    @JavaOnly
    public static final String SONAME = "libbpf.so.1";

    /** {@code enum libbpf_print_level}: warnings. */
    public static final int LIBBPF_WARN = 0;
    /** {@code enum libbpf_print_level}: information. */
    public static final int LIBBPF_INFO = 1;
    /** {@code enum libbpf_print_level}: debug output. */
    public static final int LIBBPF_DEBUG = 2;

    /** Map update flag: create or replace the entry. */
    public static final int BPF_ANY = 0;
    /** Map update flag: create the entry only if it does not exist. */
    public static final int BPF_NOEXIST = 1;
    /** Map update flag: replace the entry only if it exists. */
    public static final int BPF_EXIST = 2;

    /** {@code enum bpf_stats_type}: per-program run time and run count ({@code run_time_ns}, {@code run_cnt}). */
    public static final int BPF_STATS_RUN_TIME = 0;

    /** {@code struct bpf_xdp_attach_opts} (libbpf 1.1). */
    public static final StructLayout bpf_xdp_attach_opts = MemoryLayout.structLayout(
        JAVA_LONG.withName("sz"),
        JAVA_INT.withName("old_prog_fd"),
        MemoryLayout.paddingLayout(4)).withName("struct bpf_xdp_attach_opts");

    /** {@code struct bpf_xdp_query_opts} (libbpf 1.1). */
    public static final StructLayout bpf_xdp_query_opts = MemoryLayout.structLayout(
        JAVA_LONG.withName("sz"),
        JAVA_INT.withName("prog_id"),
        JAVA_INT.withName("drv_prog_id"),
        JAVA_INT.withName("hw_prog_id"),
        JAVA_INT.withName("skb_prog_id"),
        JAVA_BYTE.withName("attach_mode"),
        MemoryLayout.paddingLayout(7)).withName("struct bpf_xdp_query_opts");

    /** Offset of {@code sz}: the caller sets it to the struct's size. */
    public static final long bpf_xdp_query_opts_sz = bpf_xdp_query_opts.byteOffset(groupElement("sz"));
    /** Offset of {@code prog_id}: the program attached in the single reported mode, 0 if none. */
    public static final long bpf_xdp_query_opts_prog_id = bpf_xdp_query_opts.byteOffset(groupElement("prog_id"));
    /** Offset of {@code drv_prog_id}: the program attached in driver (native) mode, 0 if none. */
    public static final long bpf_xdp_query_opts_drv_prog_id =
        bpf_xdp_query_opts.byteOffset(groupElement("drv_prog_id"));
    /** Offset of {@code skb_prog_id}: the program attached in generic (skb) mode, 0 if none. */
    public static final long bpf_xdp_query_opts_skb_prog_id =
        bpf_xdp_query_opts.byteOffset(groupElement("skb_prog_id"));
    /** Offset of {@code attach_mode}: an {@code XDP_ATTACHED_*} value. */
    public static final long bpf_xdp_query_opts_attach_mode =
        bpf_xdp_query_opts.byteOffset(groupElement("attach_mode"));

    /** {@code struct bpf_test_run_opts} (libbpf 1.1): input, output and timing of one {@code BPF_PROG_TEST_RUN}. */
    public static final StructLayout bpf_test_run_opts = MemoryLayout.structLayout(
        JAVA_LONG.withName("sz"),
        ADDRESS.withName("data_in"),
        ADDRESS.withName("data_out"),
        JAVA_INT.withName("data_size_in"),
        JAVA_INT.withName("data_size_out"),
        ADDRESS.withName("ctx_in"),
        ADDRESS.withName("ctx_out"),
        JAVA_INT.withName("ctx_size_in"),
        JAVA_INT.withName("ctx_size_out"),
        JAVA_INT.withName("retval"),
        JAVA_INT.withName("repeat"),
        JAVA_INT.withName("duration"),
        JAVA_INT.withName("flags"),
        JAVA_INT.withName("cpu"),
        JAVA_INT.withName("batch_size")).withName("struct bpf_test_run_opts");

    /** Offset of {@code sz} in {@link #bpf_test_run_opts}. */
    public static final long bpf_test_run_opts_sz = bpf_test_run_opts.byteOffset(groupElement("sz"));
    /** Offset of {@code data_in} in {@link #bpf_test_run_opts}. */
    public static final long bpf_test_run_opts_data_in = bpf_test_run_opts.byteOffset(groupElement("data_in"));
    /** Offset of {@code data_out} in {@link #bpf_test_run_opts}. */
    public static final long bpf_test_run_opts_data_out = bpf_test_run_opts.byteOffset(groupElement("data_out"));
    /** Offset of {@code data_size_in} in {@link #bpf_test_run_opts}. */
    public static final long bpf_test_run_opts_data_size_in =
        bpf_test_run_opts.byteOffset(groupElement("data_size_in"));
    /** Offset of {@code data_size_out} in {@link #bpf_test_run_opts}. */
    public static final long bpf_test_run_opts_data_size_out =
        bpf_test_run_opts.byteOffset(groupElement("data_size_out"));
    /** Offset of {@code retval} in {@link #bpf_test_run_opts}. */
    public static final long bpf_test_run_opts_retval = bpf_test_run_opts.byteOffset(groupElement("retval"));
    /** Offset of {@code repeat} in {@link #bpf_test_run_opts}. */
    public static final long bpf_test_run_opts_repeat = bpf_test_run_opts.byteOffset(groupElement("repeat"));
    /** Offset of {@code duration} in {@link #bpf_test_run_opts}. */
    public static final long bpf_test_run_opts_duration = bpf_test_run_opts.byteOffset(groupElement("duration"));

    /** {@code libbpf_print_fn_t}: {@code int (*)(enum libbpf_print_level, const char *, va_list)}. */
    public static final FunctionDescriptor libbpf_print_fn_t = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);

    private static final SymbolLookup LIB = Downcalls.library(SONAME, "libbpf1");

    private static final MethodHandle LIBBPF_MAJOR_VERSION = fn("libbpf_major_version", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle LIBBPF_MINOR_VERSION = fn("libbpf_minor_version", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle BPF_OBJECT__OPEN_MEM = fn(
        "bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), CallState.CAPTURE_ERRNO);
    private static final MethodHandle BPF_OBJECT__LOAD = fn("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle BPF_OBJECT__CLOSE = fn("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle BPF_OBJECT__FIND_MAP_BY_NAME = fn(
        "bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), CallState.CAPTURE_ERRNO);
    private static final MethodHandle BPF_OBJECT__FIND_PROGRAM_BY_NAME = fn(
        "bpf_object__find_program_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), CallState.CAPTURE_ERRNO);
    private static final MethodHandle BPF_MAP__FD = fn("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle BPF_PROGRAM__FD = fn("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle BPF_MAP_UPDATE_ELEM = fn(
        "bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle BPF_MAP_LOOKUP_ELEM = fn(
        "bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle BPF_MAP_DELETE_ELEM = fn(
        "bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BPF_MAP_GET_NEXT_KEY = fn(
        "bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle BPF_MAP__SET_MAX_ENTRIES = fn(
        "bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BPF_PROG_TEST_RUN_OPTS = fn(
        "bpf_prog_test_run_opts", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BPF_XDP_ATTACH = fn(
        "bpf_xdp_attach", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BPF_XDP_DETACH = fn(
        "bpf_xdp_detach", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BPF_XDP_QUERY = fn(
        "bpf_xdp_query", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle LIBBPF_NUM_POSSIBLE_CPUS = fn(
        "libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle LIBBPF_SET_PRINT = fn(
        "libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle LIBBPF_STRERROR = fn(
        "libbpf_strerror", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle BPF_ENABLE_STATS = fn(
        "bpf_enable_stats", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private Libbpf()
    {
    }

    /** {@return the installed libbpf's version, e.g. {@code 1.1}, or {@code unknown} if it cannot tell} */
    public static String version()
    {
        try
        {
            return (int)LIBBPF_MAJOR_VERSION.invokeExact() + "." + (int)LIBBPF_MINOR_VERSION.invokeExact();
        }
        catch (final Throwable ex)
        {
            return "unknown";
        }
    }

    /**
     * Whether the installed libbpf exports {@code symbol}.
     *
     * @param symbol a function's name
     * @return whether the installed libbpf exports it
     */
    public static boolean hasSymbol(final String symbol)
    {
        return LIB.find(symbol).isPresent();
    }

    /** {@return the downcall handle of {@code libbpf_major_version}} */
    public static MethodHandle libbpf_major_version$handle()
    {
        return LIBBPF_MAJOR_VERSION;
    }

    /** {@return the downcall handle of {@code libbpf_minor_version}} */
    public static MethodHandle libbpf_minor_version$handle()
    {
        return LIBBPF_MINOR_VERSION;
    }

    /** {@return the downcall handle of {@code bpf_object__open_mem}} */
    public static MethodHandle bpf_object__open_mem$handle()
    {
        return BPF_OBJECT__OPEN_MEM;
    }

    /** {@return the downcall handle of {@code bpf_object__load}} */
    public static MethodHandle bpf_object__load$handle()
    {
        return BPF_OBJECT__LOAD;
    }

    /** {@return the downcall handle of {@code bpf_object__close}} */
    public static MethodHandle bpf_object__close$handle()
    {
        return BPF_OBJECT__CLOSE;
    }

    /** {@return the downcall handle of {@code bpf_object__find_map_by_name}} */
    public static MethodHandle bpf_object__find_map_by_name$handle()
    {
        return BPF_OBJECT__FIND_MAP_BY_NAME;
    }

    /** {@return the downcall handle of {@code bpf_object__find_program_by_name}} */
    public static MethodHandle bpf_object__find_program_by_name$handle()
    {
        return BPF_OBJECT__FIND_PROGRAM_BY_NAME;
    }

    /** {@return the downcall handle of {@code bpf_map__fd}} */
    public static MethodHandle bpf_map__fd$handle()
    {
        return BPF_MAP__FD;
    }

    /** {@return the downcall handle of {@code bpf_program__fd}} */
    public static MethodHandle bpf_program__fd$handle()
    {
        return BPF_PROGRAM__FD;
    }

    /** {@return the downcall handle of {@code bpf_map_update_elem}} */
    public static MethodHandle bpf_map_update_elem$handle()
    {
        return BPF_MAP_UPDATE_ELEM;
    }

    /** {@return the downcall handle of {@code bpf_map_lookup_elem}} */
    public static MethodHandle bpf_map_lookup_elem$handle()
    {
        return BPF_MAP_LOOKUP_ELEM;
    }

    /** {@return the downcall handle of {@code bpf_map_delete_elem}} */
    public static MethodHandle bpf_map_delete_elem$handle()
    {
        return BPF_MAP_DELETE_ELEM;
    }

    /** {@return the downcall handle of {@code bpf_map_get_next_key}} */
    public static MethodHandle bpf_map_get_next_key$handle()
    {
        return BPF_MAP_GET_NEXT_KEY;
    }

    /** {@return the downcall handle of {@code bpf_xdp_attach}} */
    public static MethodHandle bpf_xdp_attach$handle()
    {
        return BPF_XDP_ATTACH;
    }

    /** {@return the downcall handle of {@code bpf_xdp_detach}} */
    public static MethodHandle bpf_xdp_detach$handle()
    {
        return BPF_XDP_DETACH;
    }

    /** {@return the downcall handle of {@code bpf_xdp_query}} */
    public static MethodHandle bpf_xdp_query$handle()
    {
        return BPF_XDP_QUERY;
    }

    /** {@return the downcall handle of {@code libbpf_num_possible_cpus}} */
    public static MethodHandle libbpf_num_possible_cpus$handle()
    {
        return LIBBPF_NUM_POSSIBLE_CPUS;
    }

    /** {@return the downcall handle of {@code libbpf_set_print}} */
    public static MethodHandle libbpf_set_print$handle()
    {
        return LIBBPF_SET_PRINT;
    }

    /** {@return the downcall handle of {@code libbpf_strerror}} */
    public static MethodHandle libbpf_strerror$handle()
    {
        return LIBBPF_STRERROR;
    }

    /** {@return the downcall handle of {@code bpf_enable_stats}} */
    public static MethodHandle bpf_enable_stats$handle()
    {
        return BPF_ENABLE_STATS;
    }

    /**
     * {@code struct bpf_object *bpf_object__open_mem(const void *buf, size_t size, const struct bpf_object_open_opts
     * *)}.
     *
     * @param buf the ELF object's bytes
     * @param size their length
     * @param opts open options, or {@code NULL}
     * @return the object, or {@code NULL} with errno set
     */
    public static MemorySegment bpf_object__open_mem(final MemorySegment buf, final long size, final MemorySegment opts)
    {
        try
        {
            return (MemorySegment)BPF_OBJECT__OPEN_MEM.invokeExact(CallState.segment(), buf, size, opts);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_object__load(struct bpf_object *obj)}.
     *
     * @param obj an opened object
     * @return 0, or a negative errno
     */
    public static int bpf_object__load(final MemorySegment obj)
    {
        try
        {
            return (int)BPF_OBJECT__LOAD.invokeExact(obj);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code void bpf_object__close(struct bpf_object *obj)}: unloads programs and closes map descriptors.
     *
     * @param obj the object, or {@code NULL}
     */
    public static void bpf_object__close(final MemorySegment obj)
    {
        try
        {
            BPF_OBJECT__CLOSE.invokeExact(obj);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name)}.
     *
     * @param obj a loaded or opened object
     * @param name the map's name, a C string
     * @return the map, or {@code NULL}
     */
    public static MemorySegment bpf_object__find_map_by_name(final MemorySegment obj, final MemorySegment name)
    {
        try
        {
            return (MemorySegment)BPF_OBJECT__FIND_MAP_BY_NAME.invokeExact(CallState.segment(), obj, name);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj, const char *name)}.
     *
     * @param obj a loaded or opened object
     * @param name the program's name, a C string
     * @return the program, or {@code NULL}
     */
    public static MemorySegment bpf_object__find_program_by_name(final MemorySegment obj, final MemorySegment name)
    {
        try
        {
            return (MemorySegment)BPF_OBJECT__FIND_PROGRAM_BY_NAME.invokeExact(CallState.segment(), obj, name);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_map__fd(const struct bpf_map *map)}.
     *
     * @param map a map of a loaded object
     * @return its file descriptor, or a negative errno
     */
    public static int bpf_map__fd(final MemorySegment map)
    {
        try
        {
            return (int)BPF_MAP__FD.invokeExact(map);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_program__fd(const struct bpf_program *prog)}.
     *
     * @param prog a program of a loaded object
     * @return its file descriptor, or a negative errno
     */
    public static int bpf_program__fd(final MemorySegment prog)
    {
        try
        {
            return (int)BPF_PROGRAM__FD.invokeExact(prog);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)}.
     *
     * @param fd the map's descriptor
     * @param key the key's bytes
     * @param value the value's bytes (all CPUs' values for a per-CPU map)
     * @param flags {@link #BPF_ANY}, {@link #BPF_NOEXIST} or {@link #BPF_EXIST}
     * @return 0, or -1 with errno set
     */
    public static int bpf_map_update_elem(final int fd, final MemorySegment key, final MemorySegment value, final long flags)
    {
        try
        {
            return (int)BPF_MAP_UPDATE_ELEM.invokeExact(fd, key, value, flags);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_map_lookup_elem(int fd, const void *key, void *value)}.
     *
     * @param fd the map's descriptor
     * @param key the key's bytes
     * @param value where the value goes
     * @return 0, or -1 with errno set ({@code ENOENT}: no such key)
     */
    public static int bpf_map_lookup_elem(final int fd, final MemorySegment key, final MemorySegment value)
    {
        try
        {
            return (int)BPF_MAP_LOOKUP_ELEM.invokeExact(fd, key, value);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_map_delete_elem(int fd, const void *key)}.
     *
     * @param fd the map's descriptor
     * @param key the key's bytes
     * @return 0, or -1 with errno set ({@code ENOENT}: no such key)
     */
    public static int bpf_map_delete_elem(final int fd, final MemorySegment key)
    {
        try
        {
            return (int)BPF_MAP_DELETE_ELEM.invokeExact(fd, key);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_map_get_next_key(int fd, const void *key, void *next_key)}: {@code -ENOENT} after the last key.
     *
     * @param fd the map's descriptor
     * @param key the current key, or {@code NULL} for the first
     * @param nextKey where the next key goes
     * @return 0, or a negative errno
     */
    public static int bpf_map_get_next_key(final int fd, final MemorySegment key, final MemorySegment nextKey)
    {
        try
        {
            return (int)BPF_MAP_GET_NEXT_KEY.invokeExact(fd, key, nextKey);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries)}: before the object is loaded.
     *
     * @param map the map ({@code bpf_object__find_map_by_name})
     * @param maxEntries its size in entries
     * @return 0, or {@code -errno} on failure
     */
    public static int bpf_map__set_max_entries(final MemorySegment map, final int maxEntries)
    {
        try
        {
            return (int)BPF_MAP__SET_MAX_ENTRIES.invokeExact(map, maxEntries);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts)}: runs a program on given input.
     *
     * @param progFd the program's descriptor
     * @param opts a {@link #bpf_test_run_opts} segment: input, output and results
     * @return 0, or a negative errno
     */
    public static int bpf_prog_test_run_opts(final int progFd, final MemorySegment opts)
    {
        try
        {
            return (int)BPF_PROG_TEST_RUN_OPTS.invokeExact(progFd, opts);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_xdp_attach(int ifindex, int prog_fd, __u32 flags, const struct bpf_xdp_attach_opts *opts)}.
     *
     * @param ifindex the interface, in the calling thread's network namespace
     * @param progFd the program's descriptor
     * @param flags {@code XDP_FLAGS_*} of {@code <linux/if_link.h>}
     * @param opts attach options, or {@code NULL}
     * @return 0, or a negative errno
     */
    public static int bpf_xdp_attach(final int ifindex, final int progFd, final int flags, final MemorySegment opts)
    {
        try
        {
            return (int)BPF_XDP_ATTACH.invokeExact(ifindex, progFd, flags, opts);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_xdp_detach(int ifindex, __u32 flags, const struct bpf_xdp_attach_opts *opts)}.
     *
     * @param ifindex the interface, in the calling thread's network namespace
     * @param flags {@code XDP_FLAGS_*}: the mode to detach
     * @param opts attach options, or {@code NULL}
     * @return 0, or a negative errno
     */
    public static int bpf_xdp_detach(final int ifindex, final int flags, final MemorySegment opts)
    {
        try
        {
            return (int)BPF_XDP_DETACH.invokeExact(ifindex, flags, opts);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_xdp_query(int ifindex, int flags, struct bpf_xdp_query_opts *opts)}.
     *
     * @param ifindex the interface, in the calling thread's network namespace
     * @param flags 0
     * @param opts where the answer goes, its {@code sz} set
     * @return 0, or a negative errno
     */
    public static int bpf_xdp_query(final int ifindex, final int flags, final MemorySegment opts)
    {
        try
        {
            return (int)BPF_XDP_QUERY.invokeExact(ifindex, flags, opts);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@return the number of possible CPUs, the count of values of a per-CPU map} {@code int
     * libbpf_num_possible_cpus(void)}.
     */
    public static int libbpf_num_possible_cpus()
    {
        try
        {
            return (int)LIBBPF_NUM_POSSIBLE_CPUS.invokeExact();
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn)}: returns the previous function.
     *
     * @param fn an upcall stub of {@link #libbpf_print_fn_t}, or {@code NULL} to silence libbpf
     * @return the previous function
     */
    public static MemorySegment libbpf_set_print(final MemorySegment fn)
    {
        try
        {
            return (MemorySegment)LIBBPF_SET_PRINT.invokeExact(fn);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int libbpf_strerror(int err, char *buf, size_t size)}.
     *
     * @param err an errno or libbpf error code
     * @param buf where the text goes
     * @param size the buffer's size
     * @return 0, or a negative errno
     */
    public static int libbpf_strerror(final int err, final MemorySegment buf, final long size)
    {
        try
        {
            return (int)LIBBPF_STRERROR.invokeExact(err, buf, size);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bpf_enable_stats(enum bpf_stats_type type)}: a descriptor that keeps stats on while open.
     *
     * @param type {@link #BPF_STATS_RUN_TIME}
     * @return a descriptor, or a negative errno
     */
    public static int bpf_enable_stats(final int type)
    {
        try
        {
            return (int)BPF_ENABLE_STATS.invokeExact(type);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    private static MethodHandle fn(final String name, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        return Downcalls.optional(LIB, SONAME, Libbpf::version, name, descriptor, options);
    }
}
