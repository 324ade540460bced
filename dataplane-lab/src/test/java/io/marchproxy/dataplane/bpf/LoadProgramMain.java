package io.marchproxy.dataplane.bpf;

/** Child-process entry for the missing-capability test: exit 3 with the error message when loading fails. */
public final class LoadProgramMain
{
    private LoadProgramMain()
    {
    }

    public static void main(final String[] args)
    {
        try (XskProgram program = XskProgram.load())
        {
            System.out.println("loaded fd " + program.programFd());
        }
        catch (final RuntimeException ex)
        {
            System.out.println(ex.getMessage());
            System.exit(3);
        }
    }
}
