package dev.molt.net;

/**
 * Thrown when a network operation is not granted by the {@link NetPolicy} in force: listening on a port that was not
 * granted, or connecting to a host that is not on the allow-list. The message names the refused target and how to
 * grant it.
 */
public final class NetAccessDeniedException extends SecurityException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was refused and why
     */
    public NetAccessDeniedException(String message) {
        super(message);
    }
}
