package io.marchproxy.lab;

/** What a {@link LabServer} answers. */
public enum ServerReply
{
    /** The backend's name ({@code backend1}), so a client can tell which backend served it. */
    NAME,
    /** The bytes received, for tests of what went through. */
    ECHO
}
