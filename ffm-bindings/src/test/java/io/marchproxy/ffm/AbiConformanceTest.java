package io.marchproxy.ffm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Proves the hand-written bindings against the installed C headers: every {@link CHeader} class's constants, struct
 * layouts (size, member offsets and sizes) and functions (declared, linkable, arity, argument kinds, return size) are
 * compiled into a C program with gcc, whose output must equal what the Java side declares.
 */
class AbiConformanceTest
{
    @TempDir
    Path dir;

    @Test
    void bindingsMatchInstalledHeaders() throws Exception
    {
        final List<Class<?>> bindings = bindingClasses();
        assertTrue(bindings.size() >= 10, "found binding classes: " + bindings);

        final Set<String> headers = new LinkedHashSet<>();
        final Set<String> libraries = new LinkedHashSet<>();
        final Map<String, Long> expected = new LinkedHashMap<>();
        final Map<String, Long> optional = new LinkedHashMap<>();
        final StringBuilder body = new StringBuilder();

        for (final Class<?> type : bindings)
        {
            final CHeader header = type.getAnnotation(CHeader.class);
            headers.addAll(List.of(header.value()));
            if (!header.library().isEmpty())
            {
                libraries.add(header.library());
            }
            for (final Field field : type.getFields())
            {
                if (!Modifier.isStatic(field.getModifiers()) || field.isAnnotationPresent(JavaOnly.class))
                {
                    continue;
                }
                if ((field.getType() == int.class || field.getType() == long.class) &&
                    field.getName().matches("[A-Z][A-Z0-9_]*"))
                {
                    final String name = field.getName();
                    final String print = "  printf(\"const " + name + " %lld\\n\", (long long)(" + name + "));\n";
                    if (field.isAnnotationPresent(HeaderSince.class))
                    {
                        // Newer than some headers: checked where defined, reported as absent elsewhere.
                        body.append("#ifdef ").append(name).append('\n').append(print).append("#else\n")
                            .append("  printf(\"absent ").append(name).append(" 0\\n\");\n#endif\n");
                        optional.put(name, ((Number)field.get(null)).longValue());
                        continue;
                    }
                    expected.put("const " + name, ((Number)field.get(null)).longValue());
                    body.append(print);
                }
                else if (field.get(null) instanceof StructLayout layout)
                {
                    final String cType = layout.name().orElseThrow(() -> new AssertionError(field + " has no name"));
                    expected.put("size " + cType, layout.byteSize());
                    body.append("  printf(\"size ").append(cType).append(" %zu\\n\", sizeof(").append(cType)
                        .append("));\n");
                    members(cType, layout, "", 0, expected, body);
                }
            }
        }

        for (final Downcalls.Declared fn : Downcalls.declared())
        {
            assertTrue(fn.present(), fn.name() + " missing from " + fn.library());
            final String args = cArguments(fn.descriptor());
            final long returnSize = fn.descriptor().returnLayout().map(MemoryLayout::byteSize).orElse(0L);
            expected.put("ret " + fn.name(), returnSize);
            body.append("  printf(\"ret ").append(fn.name()).append(" %zu\\n\", ")
                .append("__builtin_types_compatible_p(__typeof__(").append(fn.name()).append("(").append(args)
                .append(")), void) ? (size_t)0 : sizeof(").append(fn.name()).append("(").append(args)
                .append(")));\n");
        }

        final StringBuilder source = new StringBuilder("#define _GNU_SOURCE\n#include <stddef.h>\n#include <stdio.h>\n");
        for (final String h : headers)
        {
            source.append("#include <").append(h).append(">\n");
        }
        source.append("int main(void)\n{\n").append(body).append("  return 0;\n}\n");
        final Path c = dir.resolve("abi.c");
        Files.writeString(c, source);

        final List<String> gcc = new ArrayList<>(List.of(
            "gcc", "-std=gnu11", "-Werror=int-conversion", "-Werror=implicit-function-declaration",
            "-Werror=incompatible-pointer-types", "-o", dir.resolve("abi").toString(), c.toString()));
        for (final String lib : libraries)
        {
            gcc.add("-l:" + lib);
        }
        final String compiled = run(gcc);
        final String output = run(List.of(dir.resolve("abi").toString()));
        assertTrue(compiled.isBlank() || !compiled.contains("error"), compiled);

        final Map<String, Long> actual = new LinkedHashMap<>();
        for (final String line : output.split("\n"))
        {
            final int space = line.lastIndexOf(' ');
            actual.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
        }
        final List<String> differences = new ArrayList<>();
        expected.forEach((key, value) ->
        {
            if (!value.equals(actual.get(key)))
            {
                differences.add(key + ": java " + value + ", C " + actual.get(key));
            }
        });
        optional.forEach((name, value) ->
        {
            if (actual.remove("absent " + name) == null && !value.equals(actual.get("const " + name)))
            {
                differences.add("const " + name + ": java " + value + ", C " + actual.get("const " + name));
            }
            actual.remove("const " + name);
        });
        assertEquals(List.of(), differences, "bindings differ from the installed headers");
        assertEquals(expected.size(), actual.size());
        assertTrue(expected.keySet().stream().filter(k -> k.startsWith("ret ")).count() >= 30);
    }

    private static void members(
        final String cType, final GroupLayout group, final String prefix, final long base,
        final Map<String, Long> expected, final StringBuilder body)
    {
        for (final MemoryLayout member : group.memberLayouts())
        {
            if (member instanceof PaddingLayout)
            {
                continue;
            }
            final String name = prefix + member.name().orElseThrow(() -> new AssertionError(cType + " unnamed member"));
            final long offset = base + group.byteOffset(MemoryLayout.PathElement.groupElement(
                member.name().orElseThrow()));
            expected.put("offset " + cType + " " + name, offset);
            expected.put("msize " + cType + " " + name, member.byteSize());
            body.append("  printf(\"offset ").append(cType).append(' ').append(name).append(" %zu\\n\", offsetof(")
                .append(cType).append(", ").append(name).append("));\n");
            body.append("  printf(\"msize ").append(cType).append(' ').append(name).append(" %zu\\n\", sizeof(((")
                .append(cType).append(" *)0)->").append(name).append("));\n");
            if (member instanceof GroupLayout nested)
            {
                members(cType, nested, name + ".", offset, expected, body);
            }
        }
    }

    /** Typed zero arguments: a pointer where C takes an integer, or the reverse, fails the compile. */
    private static String cArguments(final FunctionDescriptor descriptor)
    {
        final List<String> args = new ArrayList<>();
        for (final MemoryLayout arg : descriptor.argumentLayouts())
        {
            if (arg instanceof ValueLayout.OfInt)
            {
                args.add("(int)0");
            }
            else if (arg instanceof ValueLayout.OfLong)
            {
                args.add("(long)0");
            }
            else if (arg instanceof ValueLayout.OfShort)
            {
                args.add("(short)0");
            }
            else if (arg instanceof java.lang.foreign.AddressLayout)
            {
                args.add("(void *)0");
            }
            else
            {
                fail("no C argument for " + arg);
            }
        }
        return String.join(", ", args);
    }

    private static List<Class<?>> bindingClasses() throws IOException, URISyntaxException, ClassNotFoundException
    {
        final Path root = Path.of(CHeader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final List<Class<?>> result = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path p : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")
                && !f.endsWith("module-info.class")).toList())
            {
                final String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                final Class<?> type = Class.forName(name, true, AbiConformanceTest.class.getClassLoader());
                if (type.isAnnotationPresent(CHeader.class))
                {
                    result.add(type);
                }
            }
        }
        return result;
    }

    private static String run(final List<String> command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " timed out");
        assertEquals(0, process.exitValue(), command + " failed:\n" + out);
        return out;
    }
}
