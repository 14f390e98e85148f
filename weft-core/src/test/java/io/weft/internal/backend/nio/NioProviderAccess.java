package io.weft.internal.backend.nio;

import io.weft.internal.backend.BackendProvider;

/** Lets tests in other packages make the nio provider. */
public final class NioProviderAccess {
    private NioProviderAccess() {
    }

    public static BackendProvider provider() {
        return new NioProvider();
    }
}
