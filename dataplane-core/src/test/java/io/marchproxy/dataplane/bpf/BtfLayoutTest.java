package io.marchproxy.dataplane.bpf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java side of every BPF map key and value, proven against the compiled objects' BTF (bpftool's JSON dump): each
 * struct's size, and each named member's offset and size, as AbiConformanceTest proves the C headers.
 */
class BtfLayoutTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void l4ProgramLayoutsMatchTheObjectsBtf()
    {
        check(L4Program.RESOURCE, L4Layouts.ALL);
    }

    @Test
    void xskProgramLayoutsMatchTheObjectsBtf()
    {
        check(XskProgram.RESOURCE, new StructLayout[]{XskProgram.SERVICE_KEY, XskProgram.REDIRECT_POLICY});
    }

    @Test
    void aDriftedLayoutIsCaught() throws Exception
    {
        final Map<String, JsonNode> btf = structs(object(L4Program.RESOURCE));
        final StructLayout wrong = MemoryLayout.structLayout(
            java.lang.foreign.ValueLayout.JAVA_INT.withName("service"),
            java.lang.foreign.ValueLayout.JAVA_SHORT.withName("flags"),
            MemoryLayout.paddingLayout(2)).withName("l4_service_value");
        assertTrue(!problems(btf, wrong).isEmpty(), "a member of the wrong size must be reported");
    }

    private static void check(final String resource, final StructLayout[] layouts)
    {
        try
        {
            final Map<String, JsonNode> btf = structs(object(resource));
            final List<String> problems = new ArrayList<>();
            for (final StructLayout l : layouts)
            {
                problems.addAll(problems(btf, l));
            }
            assertEquals(List.of(), problems);
        }
        catch (final IOException | InterruptedException | URISyntaxException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static List<String> problems(final Map<String, JsonNode> btf, final StructLayout layout)
    {
        final String name = layout.name().orElseThrow();
        final JsonNode s = btf.get(name);
        final List<String> out = new ArrayList<>();
        if (s == null)
        {
            out.add("struct " + name + " not in the object's BTF");
            return out;
        }
        if (s.get("size").asLong() != layout.byteSize())
        {
            out.add(name + ": size " + s.get("size") + " in C, " + layout.byteSize() + " in Java");
        }
        final Map<String, long[]> members = new HashMap<>();
        for (final JsonNode m : s.get("members"))
        {
            members.put(m.get("name").asText(), new long[]{m.get("bits_offset").asLong() / 8, m.get("size").asLong()});
        }
        int named = 0;
        for (final MemoryLayout m : layout.memberLayouts())
        {
            if (m instanceof PaddingLayout)
            {
                continue;
            }
            named++;
            final String member = m.name().orElseThrow();
            final long[] c = members.get(member);
            final long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(member));
            if (c == null)
            {
                out.add(name + "." + member + " not in C");
            }
            else if (c[0] != offset || c[1] != m.byteSize())
            {
                out.add(name + "." + member + ": offset/size " + c[0] + "/" + c[1] + " in C, " + offset + "/"
                    + m.byteSize() + " in Java");
            }
        }
        if (named != members.size())
        {
            out.add(name + ": " + members.size() + " members in C, " + named + " in Java");
        }
        return out;
    }

    private static Path object(final String resource) throws URISyntaxException
    {
        final var url = BtfLayoutTest.class.getResource(resource);
        assertNotNull(url, resource + " missing: the build compiles bpf/ into the classes");
        return Path.of(url.toURI());
    }

    /** Every struct of the object's BTF by name, with each member's resolved byte size added. */
    private static Map<String, JsonNode> structs(final Path object) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder("bpftool", "-j", "btf", "dump", "file", object.toString())
            .redirectErrorStream(true).start();
        final byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, new String(out));
        final JsonNode types = JSON.readTree(out).get("types");
        final Map<Long, JsonNode> byId = new HashMap<>();
        for (final JsonNode t : types)
        {
            byId.put(t.get("id").asLong(), t);
        }
        final Map<String, JsonNode> structs = new HashMap<>();
        for (final JsonNode t : types)
        {
            if (t.get("kind").asText().equals("STRUCT") && t.hasNonNull("name"))
            {
                final var copy = t.deepCopy();
                for (final JsonNode m : copy.get("members"))
                {
                    ((com.fasterxml.jackson.databind.node.ObjectNode)m).put("size", size(byId, m.get("type_id").asLong()));
                }
                structs.put(t.get("name").asText(), copy);
            }
        }
        return structs;
    }

    private static long size(final Map<Long, JsonNode> byId, final long id)
    {
        final JsonNode t = byId.get(id);
        return switch (t.get("kind").asText())
        {
            case "INT", "STRUCT", "UNION", "ENUM" -> t.get("size").asLong();
            case "TYPEDEF", "VOLATILE", "CONST", "RESTRICT" -> size(byId, t.get("type_id").asLong());
            case "ARRAY" -> t.get("nr_elems").asLong() * size(byId, t.get("type_id").asLong());
            case "PTR" -> 8;
            default -> throw new IllegalStateException("unexpected BTF kind " + t);
        };
    }
}
