/*
 * hsdis-amd64.so: HotSpot's disassembler plugin, over the Capstone library, so that -XX:+PrintAssembly and JMH's
 * perfasm profiler print x86-64 instructions instead of hex (this JDK ships without one, and Debian's packaged hsdis
 * lacks the entry point current JDKs call). Written against the plugin interface HotSpot loads by name
 * (decode_instructions_virtual, see the JDK's src/utils/hsdis/hsdis.h): the JVM hands over a code buffer and two
 * callbacks; every instruction is wrapped in an "insn" event so that the JVM can print its address, comments and
 * annotations around it. The options string is the JVM's -XX:PrintAssemblyOptions; "intel" selects Intel syntax.
 *
 * Built by benchmarks/hsdis/build (gcc, libcapstone-dev); benchmarks/run puts it on LD_LIBRARY_PATH for perfasm.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

typedef void *(*event_callback_t)(void *stream, const char *event, void *argument);
typedef int (*printf_callback_t)(void *stream, const char *format, ...);

static void *no_events(void *stream, const char *event, void *argument)
{
    (void)stream;
    (void)event;
    (void)argument;
    return NULL;
}

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
    event_callback_t event_callback, void *event_stream, printf_callback_t printf_callback, void *printf_stream,
    const char *options, int newline)
{
    (void)end_va;
    if (printf_callback == NULL)
    {
        printf_callback = (printf_callback_t)&fprintf;
        if (printf_stream == NULL)
        {
            printf_stream = stdout;
        }
    }
    if (event_callback == NULL)
    {
        event_callback = &no_events;
    }
    csh handle;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK)
    {
        printf_callback(printf_stream, "hsdis: capstone cs_open failed\n");
        return NULL;
    }
    const int intel = options != NULL && strstr(options, "intel") != NULL;
    cs_option(handle, CS_OPT_SYNTAX, intel ? CS_OPT_SYNTAX_INTEL : CS_OPT_SYNTAX_ATT);
    /* Data between instructions (constants, padding) is shown as bytes instead of ending the listing. */
    cs_option(handle, CS_OPT_SKIPDATA, CS_OPT_ON);
    cs_insn *instructions;
    const size_t count = cs_disasm(handle, buffer, length, (uint64_t)start_va, 0, &instructions);
    for (size_t i = 0; i < count; i++)
    {
        const cs_insn *insn = &instructions[i];
        event_callback(event_stream, "insn", (void *)(uintptr_t)insn->address);
        printf_callback(printf_stream, "%s\t\t%s", insn->mnemonic, insn->op_str);
        event_callback(event_stream, "/insn", (void *)(uintptr_t)(insn->address + insn->size));
        if (newline)
        {
            printf_callback(printf_stream, "\n");
        }
    }
    if (count > 0)
    {
        cs_free(instructions, count);
    }
    cs_close(&handle);
    return NULL;
}
