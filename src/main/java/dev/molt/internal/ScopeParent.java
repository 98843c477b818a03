package dev.molt.internal;

import java.util.Set;

/** Where a scope is listed for the task dump: the task whose body opened it, or the enclosing scope. */
interface ScopeParent {
    /**
     * The scopes opened directly under this one; with {@code create}, a live set to add to (made on first
     * need), otherwise possibly an empty immutable set.
     */
    Set<ScopeImpl> childScopes(boolean create);
}
