package io.acdp.shop.common.exception;

/**
 * Assertion helper used by services to abort a business operation.
 * Every call throws an {@link ApiException} carrying the given message.
 */
public final class Asserts {

    private Asserts() {
    }

    public static void fail(String message) {
        throw new ApiException(message);
    }
}
